package io.podnet.operator;

import java.util.LinkedHashMap;
import java.util.Map;

import io.podnet.api.NetAddress;
import io.podnet.api.NetInterface;
import io.podnet.api.StatusBlock;
import io.podnet.engine.PodResult;
import io.podnet.inet.IpAddresses;

/** The engine's result in the API's StatusBlock shape, network by network. */
final class StatusBlocks {
    private StatusBlocks() {
    }

    static Map<String, StatusBlock> of(PodResult result) {
        Map<String, StatusBlock> blocks = new LinkedHashMap<>();
        result.networks().forEach((network, r) -> {
            StatusBlock block = new StatusBlock();
            r.interfaces().forEach((name, iface) -> block.getInterfaces().put(name, new NetInterface(
                    iface.mac().toString(),
                    iface.addresses().stream()
                            .map(a -> new NetAddress(a.ipnet().toString(), a.gateway() == null ? null : IpAddresses.format(a.gateway())))
                            .toList())));
            r.dnsServers().forEach(s -> block.getDnsServerIPs().add(IpAddresses.format(s)));
            block.getDnsSearchDomains().addAll(r.dnsSearchDomains());
            blocks.put(network, block);
        });
        return blocks;
    }
}
