package io.podnet.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.podnet.testing.RequiresRoot;
import io.podnet.testing.kube.RequiresApiServer;

/** The resources campaign's short version in the test command: each fault once, a clear condition, nothing half-built, recovery. */
@RequiresRoot
@RequiresApiServer
class ResourcesCampaignIT {
    @Test
    void eachStateDirFaultGivesAConditionAndRecovers() {
        CampaignReport report = ResourcesCampaign.run(ResourcesCampaign.Fault.values().length);
        System.out.println(report.render());
        assertThat(report.findings()).as(report.render()).isEmpty();
        for (ResourcesCampaign.Fault fault : ResourcesCampaign.Fault.values()) {
            assertThat(report.count(fault.label + " -> StateWriteFailed")).as("faults met with StateWriteFailed: " + fault.label).isEqualTo(1);
        }
    }
}
