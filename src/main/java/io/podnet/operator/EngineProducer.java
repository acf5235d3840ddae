package io.podnet.operator;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.podnet.engine.EngineSettings;
import io.podnet.engine.core.NetworkEngine;
import io.podnet.metrics.PodnetMeters;
import io.podnet.policy.NodePolicy;

/** The engine and the node policy, built from the node configuration. */
@ApplicationScoped
public class EngineProducer {
    private static final Logger LOG = Logger.getLogger(EngineProducer.class);

    @Produces
    @Singleton
    NetworkEngine engine(PodnetConfig config, PodnetMeters meters, NodePolicy policy) {
        EngineSettings.Builder builder = EngineSettings.forNode(config.hostNetns().orElse(null), config.netnsDir(), config.stateDir(),
                config.runDir())
                .networksDir(config.networksDir())
                .hostResolvConf(config.hostResolvConf())
                .ports(config.ports().denied(), config.ports().minimum())
                .rootless(config.rootless().helper(), config.rootless().cidr(), config.rootless().mtu(), config.rootless().ipv6(),
                        config.rootless().allowHostLoopback())
                .policy(policy);
        config.allowedNetnsPaths().ifPresent(builder::allowedNetnsPaths);
        config.rootless().helperPath().ifPresent(builder::rootlessHelperBinary);
        EngineSettings settings = builder.build();
        LOG.infof("node %s: %s (network definitions from %s)", config.nodeName(), settings.describe(), config.networksDir());
        settings.definitionProblems().forEach(p -> LOG.warnf("network definition not used, its network is unavailable: %s", p));
        return NetworkEngine.open(settings, meters);
    }

    /** podnet.policy.* as the agent and the chart's admission policy read it; a bad key stops the agent, naming it. */
    @Produces
    @Singleton
    NodePolicy policy(PodnetConfig config) {
        return NodePolicy.parse(config.policy());
    }

    void close(@Disposes NetworkEngine engine) {
        engine.close();
    }
}
