package io.podnet.campaign;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.podnet.testing.RequiresRoot;
import io.podnet.testing.kube.RequiresApiServer;

/** The resources campaign's short version in the test command: each fault once, a clear condition, nothing half-built, recovery. */
@RequiresRoot
@RequiresApiServer
class ResourcesCampaignIT {
    @Test
    void eachResourceFaultGivesAConditionOrIsRepairedAndRecovers() {
        CampaignReport report = ResourcesCampaign.run(ResourcesCampaign.Fault.values().length);
        System.out.println(report.render());
        assertThat(report.findings()).as(report.render()).isEmpty();
        for (ResourcesCampaign.Fault fault : List.of(ResourcesCampaign.Fault.READ_ONLY, ResourcesCampaign.Fault.FULL,
                ResourcesCampaign.Fault.WRITE_FAILS_PART_WAY)) {
            assertThat(report.count(fault.label + " -> StateWriteFailed")).as("faults met with StateWriteFailed: " + fault.label).isEqualTo(1);
        }
        assertThat(report.count(ResourcesCampaign.Fault.HELPER_REMOVED.label + " -> HelperMissing")).as("the removed helper met").isEqualTo(1);
        assertThat(report.count(ResourcesCampaign.Fault.NETNS_DIR_PRIVATE.label)).as("the private netns dir made").isEqualTo(1);
    }
}
