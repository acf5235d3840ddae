package io.podnet.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.podnet.testing.RequiresRoot;
import io.podnet.testing.kube.RequiresApiServer;

/** The race campaign's short version in the test command: each kind of race once, one winner, one successor, nothing left. */
@RequiresRoot
@RequiresApiServer
class RaceCampaignIT {
    @Test
    void exactlyOneOfManyConcurrentAsksWinsAndHandsOverOnDelete() {
        CampaignReport report = RaceCampaign.run(RaceCampaign.Kind.values().length);
        System.out.println(report.render());
        assertThat(report.findings()).as(report.render()).isEmpty();
        for (RaceCampaign.Kind kind : RaceCampaign.Kind.values()) {
            assertThat(report.count("race: " + kind.label())).as("races run: " + kind.label()).isEqualTo(1);
        }
        assertThat(report.count("handed over to exactly one")).isEqualTo(RaceCampaign.Kind.values().length);
    }
}
