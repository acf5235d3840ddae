package io.podnet.dns;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

import io.podnet.inet.Cidr;

/**
 * What a name server answers, as one immutable value: the dns_enabled networks of one namespace
 * (where to listen, whose clients they are, where other names go) and the names and addresses of
 * the pods on them. A server swaps a whole table at once, so a query sees either the old one or
 * the new one, never half of a change, and none waits for it (aardvark-dns #389).
 *
 * <p>Who sees what follows aardvark-dns: a client must have an address in the subnets of the
 * network whose gateway it asks; it sees the pods of that network, and when it is a known pod,
 * also those of its other networks in this table.
 */
public final class DnsRecords {
    /** The search domain podman's networks give their pods; names under it are never forwarded. */
    public static final String SEARCH_DOMAIN = "dns.podman";

    public static final DnsRecords EMPTY = builder().build();

    /** A host name as a pod may be called: dot-separated labels of letters, digits, '-' and '_'. */
    private static final Pattern NAME = Pattern.compile("(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*");

    /**
     * One dns_enabled network.
     *
     * @param listen    the gateway addresses the server listens on
     * @param upstreams its {@code network_dns_servers}, empty for the table's default upstreams
     * @param internal  a network without a way out: its pods' other names are not forwarded
     */
    public record Network(String name, List<Cidr> subnets, List<InetAddress> listen, int port, List<InetAddress> upstreams,
            boolean internal) {
        public Network {
            Objects.requireNonNull(name, "name");
            subnets = List.copyOf(subnets);
            listen = List.copyOf(listen);
            upstreams = List.copyOf(upstreams);
        }

        boolean contains(InetAddress client) {
            return subnets.stream().anyMatch(c -> c.contains(client));
        }
    }

    /** One network's names, for lookups: name -> addresses and address -> names. */
    private record Zone(Network network, Map<String, List<InetAddress>> byName, Map<InetAddress, List<String>> byAddress) {
    }

    /** A pod's address: the networks the pod is on in this table, and the pod's own upstreams. */
    private record Member(Set<String> networks, List<InetAddress> upstreams) {
    }

    private final Map<String, Zone> zones;
    private final Map<InetAddress, Member> members;
    private final List<InetAddress> defaultUpstreams;

    private DnsRecords(Map<String, Zone> zones, Map<InetAddress, Member> members, List<InetAddress> defaultUpstreams) {
        this.zones = zones;
        this.members = members;
        this.defaultUpstreams = defaultUpstreams;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Collection<Network> networks() {
        return zones.values().stream().map(Zone::network).toList();
    }

    /** The pod names of a network, for logs and tests. */
    public Set<String> names(String network) {
        Zone z = zones.get(network);
        return z == null ? Set.of() : z.byName().keySet();
    }

    /**
     * What a client asking on {@code network}'s gateway may see, or null when the client has no
     * address on that network (it is answered nothing).
     */
    Scope scope(String network, InetAddress client) {
        Zone own = zones.get(network);
        if (own == null || !own.network().contains(client)) {
            return null;
        }
        List<Zone> visible = new ArrayList<>();
        visible.add(own);
        Member member = members.get(client);
        if (member != null && member.networks().contains(network)) {
            for (String other : member.networks()) {
                Zone z = zones.get(other);
                if (z != null && z != own) {
                    visible.add(z);
                }
            }
        }
        return new Scope(visible, upstreamsOf(visible, member));
    }

    /** The pod's own servers, else its networks' network_dns_servers, else the table's defaults. */
    private List<InetAddress> upstreamsOf(List<Zone> visible, Member member) {
        if (member != null && !member.upstreams().isEmpty()) {
            return member.upstreams();
        }
        Set<InetAddress> scoped = new LinkedHashSet<>();
        visible.forEach(z -> scoped.addAll(z.network().upstreams()));
        return scoped.isEmpty() ? defaultUpstreams : List.copyOf(scoped);
    }

    /** The part of the table one client sees. */
    static final class Scope {
        private final List<Zone> zones;
        private final List<InetAddress> upstreams;

        private Scope(List<Zone> zones, List<InetAddress> upstreams) {
            this.zones = zones;
            this.upstreams = upstreams;
        }

        /**
         * The addresses of a pod name (lower case, no trailing dot, with or without the search
         * domain), or null when no pod the client sees has it.
         */
        List<InetAddress> addresses(String name) {
            String bare = name.endsWith("." + SEARCH_DOMAIN) ? name.substring(0, name.length() - SEARCH_DOMAIN.length() - 1) : name;
            List<InetAddress> out = null;
            for (Zone z : zones) {
                List<InetAddress> a = z.byName().get(bare);
                if (a != null) {
                    if (out == null) {
                        out = new ArrayList<>();
                    }
                    for (InetAddress ip : a) {
                        if (!out.contains(ip)) {
                            out.add(ip);
                        }
                    }
                }
            }
            return out;
        }

        /** The names of the pod with this address, empty when none the client sees has it. */
        List<String> names(InetAddress address) {
            for (Zone z : zones) {
                List<String> n = z.byAddress().get(address);
                if (n != null) {
                    return n;
                }
            }
            return List.of();
        }

        /** True when the address lies in a subnet the client sees: nobody upstream knows its name. */
        boolean covers(InetAddress address) {
            return zones.stream().anyMatch(z -> z.network().contains(address));
        }

        /** Every network the client sees is internal: nothing is forwarded for it. */
        boolean internal() {
            return zones.stream().allMatch(z -> z.network().internal());
        }

        List<InetAddress> upstreams() {
            return upstreams;
        }
    }

    /** Normalizes a pod's name for lookups; null when it cannot be a DNS name (it is then not served). */
    static String normalize(String name) {
        if (name == null) {
            return null;
        }
        String n = name.toLowerCase(Locale.ROOT);
        if (n.endsWith(".")) {
            n = n.substring(0, n.length() - 1);
        }
        return NAME.matcher(n).matches() ? n : null;
    }

    public static final class Builder {
        private final Map<String, Network> networks = new LinkedHashMap<>();
        private final Map<String, Map<String, List<InetAddress>>> byName = new HashMap<>();
        private final Map<String, Map<InetAddress, List<String>>> byAddress = new HashMap<>();
        private final Map<String, Set<String>> podNetworks = new HashMap<>();
        private final Map<InetAddress, String> podOf = new HashMap<>();
        private final Map<String, List<InetAddress>> podUpstreams = new HashMap<>();
        private List<InetAddress> defaultUpstreams = List.of();

        private Builder() {
        }

        /** Where names go for clients whose networks name no servers of their own: the host's that a pod can reach. */
        public Builder defaultUpstreams(List<InetAddress> servers) {
            this.defaultUpstreams = List.copyOf(new LinkedHashSet<>(servers));
            return this;
        }

        public Builder network(Network network) {
            networks.put(network.name(), network);
            byName.putIfAbsent(network.name(), new HashMap<>());
            byAddress.putIfAbsent(network.name(), new HashMap<>());
            return this;
        }

        /**
         * A pod on a network added before: its addresses there, its names (its name, aliases, short
         * id; names that cannot be DNS names are left out) and its own upstream servers (empty for
         * its networks').
         *
         * @param pod the pod's id: a pod on several networks sees the names of all of them
         */
        public Builder pod(String pod, String network, List<InetAddress> addresses, List<String> names, List<InetAddress> upstreams) {
            if (!networks.containsKey(network)) {
                throw new IllegalArgumentException("network " + network + " was not added");
            }
            List<String> valid = new ArrayList<>(new LinkedHashSet<>(names.stream().map(DnsRecords::normalize).filter(Objects::nonNull)
                    .toList()));
            for (String n : valid) {
                List<InetAddress> list = byName.get(network).computeIfAbsent(n, k -> new ArrayList<>());
                addresses.stream().filter(a -> !list.contains(a)).forEach(list::add);
            }
            for (InetAddress a : addresses) {
                byAddress.get(network).put(a, List.copyOf(valid));
                podOf.put(a, pod);
            }
            podNetworks.computeIfAbsent(pod, k -> new LinkedHashSet<>()).add(network);
            if (!upstreams.isEmpty()) {
                podUpstreams.put(pod, List.copyOf(upstreams));
            }
            return this;
        }

        public DnsRecords build() {
            Map<String, Zone> zones = new LinkedHashMap<>();
            for (Network n : networks.values()) {
                Map<String, List<InetAddress>> names = new HashMap<>();
                byName.get(n.name()).forEach((k, v) -> names.put(k, List.copyOf(v)));
                zones.put(n.name(), new Zone(n, Map.copyOf(names), Map.copyOf(byAddress.get(n.name()))));
            }
            Map<InetAddress, Member> members = new HashMap<>();
            podOf.forEach((a, pod) -> members.put(a, new Member(Set.copyOf(podNetworks.get(pod)), podUpstreams.getOrDefault(pod,
                    List.of()))));
            return new DnsRecords(Map.copyOf(zones), Map.copyOf(members), defaultUpstreams);
        }
    }
}
