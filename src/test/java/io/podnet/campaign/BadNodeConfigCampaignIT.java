package io.podnet.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.podnet.testing.RequiresRoot;
import io.podnet.testing.kube.RequiresApiServer;

/** The bad node configuration campaign's short version in the test command: each bad file once, the agent up, only its network unavailable. */
@RequiresRoot
@RequiresApiServer
class BadNodeConfigCampaignIT {
    @Test
    void eachBadDefinitionMakesOnlyItsNetworkUnavailable() {
        int rounds = BadNodeConfigCampaign.Fault.values().length;
        CampaignReport report = BadNodeConfigCampaign.run(rounds);
        System.out.println(report.render());
        assertThat(report.findings()).as(report.render()).isEmpty();
        for (BadNodeConfigCampaign.Fault fault : BadNodeConfigCampaign.Fault.values()) {
            long met = report.count(fault.label + " " + BadNodeConfigCampaign.When.BEFORE_START.label)
                    + report.count(fault.label + " " + BadNodeConfigCampaign.When.WHILE_RUNNING.label);
            assertThat(met).as("rounds of " + fault.label).isEqualTo(1);
        }
        assertThat(report.count("change while running: kept until the next start")).isEqualTo(rounds / 2);
    }
}
