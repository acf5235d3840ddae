package io.podnet.engine.driver;

import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import io.podnet.engine.apply.PodNamespaces;
import io.podnet.engine.apply.VethAttacher;
import io.podnet.engine.plan.PodState;
import io.podnet.engine.uplink.Uplink;
import io.podnet.netconf.NetworkDefinition;

/**
 * A managed bridge on the uplink's side, one veth pair per pod. The bridge's lock is held while
 * a pod is wired to it, so that the last pod leaving cannot remove it under one arriving.
 */
final class BridgeDriver implements NetworkDriver {
    @Override
    public void attach(Uplink uplink, PodNamespaces.Opened pod, NetworkDefinition def, PodState.Attachment attachment, int routeMetric,
            Consumer<String> repaired, Consumer<String> stepDone) {
        ReentrantLock lock = uplink.bridges().lock(def.bridgeName());
        lock.lock();
        try {
            int bridge = uplink.bridges().ensure(def, repaired);
            uplink.ensureNetwork(def);
            stepDone.accept("bridge");
            VethAttacher.attach(uplink.client(), pod.client(), pod.netns(), bridge, def.mtu(), def.internal(), attachment, routeMetric,
                    repaired);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void detach(Uplink uplink, PodState.Attachment attachment, Optional<NetworkDefinition> def) {
        ReentrantLock lock = uplink.bridges().lock(attachment.bridge());
        lock.lock();
        try {
            VethAttacher.detach(uplink.client(), attachment);
            if (uplink.bridges().removeIfUnused(attachment.bridge())) {
                def.ifPresent(uplink::networkRemoved);
            }
        } finally {
            lock.unlock();
        }
    }
}
