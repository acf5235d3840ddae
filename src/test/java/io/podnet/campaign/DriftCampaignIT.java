package io.podnet.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.podnet.testing.RequiresRoot;
import io.podnet.testing.kube.RequiresApiServer;

/** The drift campaign's short version in the test command: each kind of drift once, each repaired and counted. */
@RequiresRoot
@RequiresApiServer
class DriftCampaignIT {
    @Test
    void eachKindOfDriftIsRepairedWithinAResyncAndCounted() {
        CampaignReport report = DriftCampaign.run(DriftCampaign.Drift.values().length);
        System.out.println(report.render());
        assertThat(report.findings()).as(report.render()).isEmpty();
        for (DriftCampaign.Drift drift : DriftCampaign.Drift.values()) {
            assertThat(report.count(drift.label())).as("drifts made: " + drift.label()).isEqualTo(1);
        }
    }
}
