package io.podnet.engine;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.podnet.inet.Cidr;
import io.podnet.inet.MacAddress;
import io.podnet.inet.PortMapping;

/**
 * What the engine built, in the shape of podman's StatusBlock: per network, its interfaces with
 * their MAC and addresses, and the network's DNS settings.
 *
 * @param networks in the order of the request
 * @param hostsFile the pod's hosts file, for a runtime to mount
 * @param resolvConf the pod's resolv.conf, for a runtime to mount
 * @param namespaceInterfaces for a namespace podnet joined: every interface found in it with its
 *        addresses (the seed's inspectJoinedNetworkNS), null for namespaces podnet created
 * @param ports the port mappings as applied, random host ports resolved (not compacted)
 */
public record PodResult(Path netnsPath, Map<String, NetworkResult> networks, Path hostsFile, Path resolvConf,
        Map<String, InterfaceResult> namespaceInterfaces, List<PortMapping> ports) {
    public PodResult {
        ports = ports == null ? List.of() : List.copyOf(ports);
    }

    public record NetworkResult(Map<String, InterfaceResult> interfaces, List<InetAddress> dnsServers, List<String> dnsSearchDomains) {
    }

    public record InterfaceResult(MacAddress mac, List<AddressResult> addresses) {
    }

    /** @param gateway null on internal networks without a gateway */
    public record AddressResult(Cidr ipnet, InetAddress gateway) {
    }
}
