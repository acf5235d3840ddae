package io.podnet.apiserver;

import java.util.HashMap;
import java.util.Map;

/**
 * The agent on the real API server with a node policy of its own and no admission policy
 * installed: what it refuses, it refuses by itself. Namespaces labelled podnet-test/grant=yes may
 * join (Path, Pid); those labelled podnet-test/ports=yes may use host ports 30000-30009; every
 * namespace may use rootful mode.
 */
public class PolicyAgentResource extends ApiServerAgentResource {
    static final String JOIN_LABEL = "podnet-test/grant";
    static final String PORTS_LABEL = "podnet-test/ports";

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(super.start());
        if (config.isEmpty()) {
            return config; // skipped
        }
        config.put("podnet.policy.grants", "everyone,joiners,ports");
        config.put("podnet.policy.everyone.namespaces", "*");
        config.put("podnet.policy.everyone.rootful", "true");
        config.put("podnet.policy.joiners.namespaceSelector", JOIN_LABEL + "=yes");
        config.put("podnet.policy.joiners.netns", "Path,Pid");
        config.put("podnet.policy.ports.namespaceSelector", PORTS_LABEL + "=yes");
        config.put("podnet.policy.ports.hostPorts", "30000-30009");
        return config;
    }
}
