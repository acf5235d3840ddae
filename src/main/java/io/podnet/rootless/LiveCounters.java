package io.podnet.rootless;

import java.util.concurrent.atomic.LongAdder;

/** The forwarder's counters as its threads bump them; {@link #snapshot()} reads them as {@link ForwardCounters}. */
final class LiveCounters {
    final LongAdder accepted = new LongAdder();
    final LongAdder active = new LongAdder();
    final LongAdder connectFailures = new LongAdder();
    final LongAdder bytesToPod = new LongAdder();
    final LongAdder bytesFromPod = new LongAdder();
    final LongAdder flowsCreated = new LongAdder();
    final LongAdder flowsActive = new LongAdder();
    final LongAdder flowsExpired = new LongAdder();
    final LongAdder dropped = new LongAdder();

    ForwardCounters snapshot() {
        return new ForwardCounters(accepted.sum(), active.sum(), connectFailures.sum(), bytesToPod.sum(), bytesFromPod.sum(),
                flowsCreated.sum(), flowsActive.sum(), flowsExpired.sum(), dropped.sum());
    }

    /** Adds a stopped forward's totals; what was open then is closed now, so the gauges are left out. */
    void add(LiveCounters o) {
        ForwardCounters s = o.snapshot();
        accepted.add(s.connectionsAccepted());
        connectFailures.add(s.connectFailures());
        bytesToPod.add(s.bytesToPod());
        bytesFromPod.add(s.bytesFromPod());
        flowsCreated.add(s.udpFlowsCreated());
        flowsExpired.add(s.udpFlowsExpired());
        dropped.add(s.datagramsDropped());
    }
}
