package io.podnet.operator;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.podnet.engine.EngineSettings;
import io.podnet.engine.core.NetworkEngine;
import io.podnet.metrics.PodnetMeters;
import io.podnet.inet.Cidr;
import io.podnet.ports.PortPolicy;
import io.podnet.rootless.Helper;
import io.podnet.rootless.RootlessConfig;
import io.podnet.netconf.NetworkDefinitions;

/** The engine, built from the node configuration. */
@ApplicationScoped
public class EngineProducer {
    private static final Logger LOG = Logger.getLogger(EngineProducer.class);

    @Produces
    @Singleton
    NetworkEngine engine(PodnetConfig config, PodnetMeters meters) {
        NetworkDefinitions networks = NetworkDefinitions.load(config.networksDir());
        LOG.infof("node %s: networks %s from %s; state in %s; namespaces in %s%s", config.nodeName(),
                networks.all().stream().map(n -> n.name() + " (" + n.bridgeName() + ")").toList(), config.networksDir(),
                config.stateDir(), config.netnsDir(),
                config.hostNetns().map(p -> "; host namespace " + p).orElse(""));
        EngineSettings defaults = EngineSettings.of(config.hostNetns().orElse(null), config.netnsDir(), config.stateDir(),
                config.runDir(), networks);
        EngineSettings settings = new EngineSettings(defaults.hostNetns(), defaults.netnsDir(), defaults.stateDir(), defaults.runDir(),
                networks, config.allowedNetnsPaths().orElse(defaults.allowedNetnsPaths()), config.hostResolvConf(),
                new PortPolicy(PortPolicy.parseDenied(config.ports().denied()), config.ports().minimum()), rootless(config.rootless()));
        return NetworkEngine.open(settings, meters);
    }

    /** The rootless configuration, checked: a bad value stops the agent with a message naming it. */
    static RootlessConfig rootless(PodnetConfig.Rootless r) {
        try {
            return new RootlessConfig(Helper.parse(r.helper()), Cidr.parse(r.cidr()), r.mtu(), r.ipv6(), r.allowHostLoopback());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("podnet.rootless.*: " + e.getMessage(), e);
        }
    }

    void close(@Disposes NetworkEngine engine) {
        engine.close();
    }
}
