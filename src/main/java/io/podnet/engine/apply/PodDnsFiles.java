package io.podnet.engine.apply;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import io.podnet.dns.DnsRecords;
import io.podnet.dns.HostEntry;
import io.podnet.dns.HostsFile;
import io.podnet.dns.ResolvConf;
import io.podnet.dns.ResolvConfFile;
import io.podnet.engine.PodRequest;
import io.podnet.engine.SetupFailedException;
import io.podnet.engine.Stage;
import io.podnet.engine.plan.PodState;
import io.podnet.inet.Cidr;
import io.podnet.inet.IpAddresses;
import io.podnet.netconf.NetworkDefinition;
import io.podnet.netconf.NetworkDefinitions;
import io.podnet.netconf.Subnet;

/**
 * Each pod's {@code hosts} and {@code resolv.conf} under {@code <runDir>/pods/<id>/}, for a
 * runtime to mount. podnet's entries replace the ones it wrote before; lines others added stay.
 * <ul>
 * <li>hosts: each of the pod's addresses with its name, its aliases on that network and its
 * short id (the seed's entries), after the localhost lines.</li>
 * <li>resolv.conf: on networks with dns_enabled, their gateways only, where podnet's name server
 * answers, and the search domain {@code dns.podman} first; the spec's servers are then where that
 * name server sends the pod's other names (as Podman does with aardvark-dns). Otherwise the spec's
 * servers; without any, the host's nameservers a pod can reach (no loopback, unspecified or
 * link-local IPv6 ones). Search domains and options from the spec, else the host's.</li>
 * </ul>
 */
public final class PodDnsFiles {
    private final Path runDir;

    public PodDnsFiles(Path runDir) {
        this.runDir = runDir;
    }

    public Path hostsFile(String podId) {
        return dir(podId).resolve("hosts");
    }

    public Path resolvConf(String podId) {
        return dir(podId).resolve("resolv.conf");
    }

    public boolean exist(String podId) {
        return Files.exists(hostsFile(podId)) && Files.exists(resolvConf(podId));
    }

    private Path dir(String podId) {
        return runDir.resolve("pods").resolve(podId);
    }

    /** The DNS servers a network gives its pods: the gateways of a dns_enabled network. */
    public static List<String> networkServers(NetworkDefinition def) {
        if (!def.dnsEnabled()) {
            return List.of();
        }
        return def.subnets().stream().map(Subnet::gateway).filter(g -> g != null).map(IpAddresses::format).toList();
    }

    /** The search domains a network gives its pods: podman's {@code dns.podman} on a dns_enabled network. */
    public static List<String> networkSearchDomains(NetworkDefinition def) {
        return def.dnsEnabled() ? List.of(DnsRecords.SEARCH_DOMAIN) : List.of();
    }

    /**
     * @param helperDns the rootless helper's DNS forwarder for rootless pods (the rootless netns'
     *        resolv.conf is the host's without loopback plus it), null for rootful ones
     */
    public PodState.Dns desired(PodRequest request, List<PodState.Attachment> attachments, NetworkDefinitions networks,
            Path hostResolvConf, java.net.InetAddress helperDns) {
        Set<String> servers = new LinkedHashSet<>();
        Set<String> networkSearches = new LinkedHashSet<>();
        for (PodState.Attachment a : attachments) {
            networks.get(a.network()).ifPresent(def -> {
                servers.addAll(networkServers(def));
                networkSearches.addAll(networkSearchDomains(def));
            });
        }
        List<String> specServers = request.dns().servers().stream().map(IpAddresses::format).toList();
        // with a name server of podnet's, the spec's servers are its upstreams: a server listed
        // before it would answer the pods' names NXDOMAIN, and the resolver would not ask further
        List<String> upstreams = servers.isEmpty() ? List.of() : specServers;
        if (servers.isEmpty()) {
            servers.addAll(specServers);
        }
        ResolvConf host = null;
        if (servers.isEmpty() || request.dns().searches().isEmpty() || request.dns().options().isEmpty()) {
            host = ResolvConfFile.hostForPods(hostResolvConf);
        }
        if (servers.isEmpty()) {
            servers.addAll(host.nameservers());
            if (helperDns != null) {
                servers.add(IpAddresses.format(helperDns));
            }
        }
        List<String> searches = new ArrayList<>(networkSearches);
        searches.addAll(request.dns().searches().isEmpty() ? host.searches() : request.dns().searches());
        List<String> options = request.dns().options().isEmpty() ? host.options() : request.dns().options();
        List<List<String>> hosts = new ArrayList<>();
        for (PodState.Attachment a : attachments) {
            for (String address : a.addresses()) {
                List<String> line = new ArrayList<>();
                line.add(IpAddresses.format(Cidr.parse(address).address()));
                line.addAll(names(request.hostname(), a, request.id()));
                hosts.add(line);
            }
        }
        return new PodState.Dns(List.copyOf(servers), searches, options, hosts, upstreams);
    }

    /** A pod's names on one network, as the seed's hosts entries and aardvark-dns have them: its name, its aliases there, its short id. */
    public static List<String> names(String hostname, PodState.Attachment attachment, String podId) {
        String bare = podId.replace("-", "");
        Set<String> names = new LinkedHashSet<>();
        names.add(hostname);
        names.addAll(attachment.aliases());
        names.add(bare.substring(0, Math.min(12, bare.length())));
        return List.copyOf(names);
    }

    /** Replaces what podnet wrote before ({@code previous}) with {@code current}. */
    public void write(String podId, PodState.Dns previous, PodState.Dns current) {
        try {
            HostsFile.update(hostsFile(podId), entries(previous), entries(current));
            ResolvConfFile.update(resolvConf(podId), new ResolvConf(previous.servers(), previous.searches(), previous.options()),
                    new ResolvConf(current.servers(), current.searches(), current.options()));
        } catch (IOException e) {
            throw new SetupFailedException(Stage.NETWORKS, "DnsFilesFailed", "cannot write the DNS files of pod " + podId + " in "
                    + dir(podId) + ": " + e.getMessage(), e);
        }
    }

    private static List<HostEntry> entries(PodState.Dns dns) {
        return dns.hosts().stream().map(l -> new HostEntry(l.get(0), l.subList(1, l.size()))).toList();
    }

    public void remove(String podId) {
        Path dir = dir(podId);
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot remove " + dir + ": " + e.getMessage(), e);
        }
    }
}
