package io.podnet.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.podnet.testing.RequiresRoot;
import io.podnet.testing.kube.RequiresApiServer;

/** The crash campaign's short version in the test command: ten kill -9 and restarts, no broken promise. */
@RequiresRoot
@RequiresApiServer
class CrashCampaignIT {
    @Test
    void tenKillsAtRandomPointsBreakNoPromise() {
        CampaignReport report = CrashCampaign.run(10);
        System.out.println(report.render());
        assertThat(report.findings()).as(report.render()).isEmpty();
        long kills = report.count("kill landed before its reconcile started") + report.count("kill landed inside its reconcile")
                + report.count("kill landed after its reconcile finished");
        assertThat(kills).as("kills made").isEqualTo(10);
    }
}
