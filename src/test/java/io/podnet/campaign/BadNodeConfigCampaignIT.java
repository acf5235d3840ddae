package io.podnet.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.podnet.testing.RequiresRoot;
import io.podnet.testing.kube.RequiresApiServer;

/**
 * The bad node configuration campaign's short version in the test command: each bad file once,
 * the agent up, only its network unavailable, files written while running read without a restart.
 */
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
        assertThat(report.count("backend.json changed while in use")).isEqualTo(1);
        // the files written while running were read without a restart: the first start, and two per before-start round
        assertThat(report.figureOf("agent starts")).isEqualTo(String.valueOf(1 + 2 * (rounds / 2)));
        assertThat(report.render()).contains("Ready after the fix while running");
    }
}
