package io.podnet.operator;

import java.util.Map;
import java.util.TreeMap;

import io.podnet.api.InspectAddress;
import io.podnet.api.InspectSummary;
import io.podnet.engine.PodResult;
import io.podnet.inet.IpAddresses;

/**
 * Podman's basic network summary (the seed's resultToBasicNetworkConfig) over all the pod's
 * networks: interfaces sorted by name for stable output; the first IPv4 and IPv6 addresses are
 * primary, the rest secondary; the first interface's MAC is primary, the others additional.
 */
final class InspectSummaries {
    private InspectSummaries() {
    }

    /**
     * From what podnet built, or, for a namespace it joined, from what the namespace holds (the
     * seed's inspectJoinedNetworkNS); null when there is nothing to summarize.
     */
    static InspectSummary of(PodResult result) {
        Map<String, PodResult.InterfaceResult> interfaces = new TreeMap<>();
        if (result.namespaceInterfaces() != null) {
            interfaces.putAll(result.namespaceInterfaces());
        } else {
            result.networks().values().forEach(n -> interfaces.putAll(n.interfaces()));
        }
        if (interfaces.isEmpty()) {
            return null;
        }
        InspectSummary s = new InspectSummary();
        for (PodResult.InterfaceResult iface : interfaces.values()) {
            for (PodResult.AddressResult a : iface.addresses()) {
                String ip = IpAddresses.format(a.ipnet().address());
                String gateway = a.gateway() == null ? null : IpAddresses.format(a.gateway());
                int prefix = a.ipnet().prefixLength();
                if (a.ipnet().isV4()) {
                    if (s.getIpAddress() == null) {
                        s.setIpAddress(ip);
                        s.setIpPrefixLen(prefix);
                        s.setGateway(gateway);
                    } else {
                        s.getSecondaryIPAddresses().add(new InspectAddress(ip, prefix));
                    }
                } else if (s.getGlobalIPv6Address() == null) {
                    s.setGlobalIPv6Address(ip);
                    s.setGlobalIPv6PrefixLen(prefix);
                    s.setIpv6Gateway(gateway);
                } else {
                    s.getSecondaryIPv6Addresses().add(new InspectAddress(ip, prefix));
                }
            }
            if (s.getMacAddress() == null) {
                s.setMacAddress(iface.mac().toString());
            } else {
                s.getAdditionalMacAddresses().add(iface.mac().toString());
            }
        }
        return s;
    }
}
