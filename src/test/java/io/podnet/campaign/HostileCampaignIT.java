package io.podnet.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.podnet.testing.RequiresRoot;
import io.podnet.testing.kube.RequiresApiServer;

/**
 * The short hostile campaign in the test command: 10 generated specs on the real API server
 * (with shrinking) and on the packaged agent behind the embedded API. The full one is
 * {@code campaign/run hostile 1000}.
 */
@RequiresRoot
@RequiresApiServer
class HostileCampaignIT {
    @Test
    void tenHostileSpecsFindNothing() {
        CampaignReport report = HostileCampaign.run(10);
        System.out.println(report.render());
        assertThat(report.findings()).as(report.render()).isEmpty();
    }
}
