package io.podnet.policy;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.podnet.inet.Cidr;
import io.podnet.inet.PortRange;

/**
 * The node policy: grants, each giving the namespaces it matches some of the powers a
 * PodNetwork can use against the whole node. A namespace has the union of its grants' powers
 * and nothing else.
 *
 * <p>Its one written form is flat, so that the agent (application.properties, keys under
 * {@code podnet.policy.}) and the API server (the admission policy's parameter ConfigMap, whose
 * CEL can split strings but not parse YAML) read the same keys and values, which the chart
 * writes from one set of values:
 * <pre>
 * grants                        = everyone,cri       (names in order; "none" for no grant)
 * cri.namespaces                = tenant-a,tenant-b  (names; * for every namespace)
 * cri.namespaceSelector         = podnet.io/join=yes (labels the namespace must all have)
 * cri.netns                     = Path,Pid
 * cri.rootful                   = true
 * cri.hostPorts                 = 30000-30099,8080
 * cri.hostIPs                   = 192.0.2.0/24,2001:db8::/64
 * </pre>
 * Lists are comma-separated, items trimmed; a missing key is an empty list (or false). Without
 * any key the policy is {@link #defaults()}.
 */
public final class NodePolicy {
    public static final String GRANTS = "grants";
    public static final String NO_GRANTS = "none";
    static final String NAMESPACES = "namespaces";
    static final String SELECTOR = "namespaceSelector";
    static final String NETNS = "netns";
    static final String ROOTFUL = "rootful";
    static final String HOST_PORTS = "hostPorts";
    static final String HOST_IPS = "hostIPs";
    private static final List<String> FIELDS = List.of(NAMESPACES, SELECTOR, NETNS, ROOTFUL, HOST_PORTS, HOST_IPS);
    private static final Pattern GRANT_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern NAMESPACE = GRANT_NAME;
    private static final Pattern LABEL_NAME = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    private final List<Grant> grants;

    public NodePolicy(List<Grant> grants) {
        this.grants = List.copyOf(grants);
        Set<String> names = new HashSet<>();
        for (Grant g : this.grants) {
            if (!names.add(g.name())) {
                throw new IllegalArgumentException("grant " + g.name() + " is given twice");
            }
        }
    }

    /**
     * Every namespace may use rootful mode, every host port (the node's deny list and minimum
     * still apply) and every host address; no namespace may join a network namespace it did not
     * create.
     */
    public static NodePolicy defaults() {
        return new NodePolicy(List.of(new Grant("everyone", Set.of(Grant.ALL_NAMESPACES), Map.of(), Set.of(), true,
                List.of(PortRange.ALL), List.of(Cidr.parse("0.0.0.0/0"), Cidr.parse("::/0")))));
    }

    public List<Grant> grants() {
        return grants;
    }

    /** What the namespace may do: the union of the grants that match it. */
    public Powers powersOf(Tenant tenant) {
        List<String> names = new ArrayList<>();
        Set<NetnsJoin> netns = EnumSet.noneOf(NetnsJoin.class);
        boolean rootful = false;
        List<PortRange> ports = new ArrayList<>();
        List<Cidr> ips = new ArrayList<>();
        for (Grant g : grants) {
            if (g.matches(tenant)) {
                names.add(g.name());
                netns.addAll(g.netns());
                rootful |= g.rootful();
                ports.addAll(g.hostPorts());
                ips.addAll(g.hostIps());
            }
        }
        return new Powers(tenant, names, netns, rootful, ports, ips);
    }

    /** Whether a grant matches namespaces by their labels, which the agent must then read. */
    public boolean selectsByLabels() {
        return grants.stream().anyMatch(g -> !g.namespaceSelector().isEmpty());
    }

    /**
     * Reads the flat form; an IllegalArgumentException names the key that is wrong (unknown
     * keys are refused too: a typo must not silently drop a restriction).
     */
    public static NodePolicy parse(Map<String, String> data) {
        if (data.isEmpty()) {
            return defaults();
        }
        String listed = data.get(GRANTS);
        if (listed == null || listed.isBlank()) {
            throw new IllegalArgumentException("podnet.policy." + GRANTS + " is missing: list the grants' names, or write " + NO_GRANTS);
        }
        List<String> names = listed.strip().equals(NO_GRANTS) ? List.of() : items(listed);
        for (String name : names) {
            if (!GRANT_NAME.matcher(name).matches() || name.equals(NO_GRANTS)) {
                throw new IllegalArgumentException("podnet.policy." + GRANTS + ": \"" + name
                        + "\" is not a grant name (lower-case letters, digits and dashes, at most 63)");
            }
        }
        for (String key : data.keySet()) {
            int dot = key.indexOf('.');
            if (!key.equals(GRANTS) && (dot < 0 || !names.contains(key.substring(0, dot)) || !FIELDS.contains(key.substring(dot + 1)))) {
                throw new IllegalArgumentException("podnet.policy." + key + " is not a key of the node policy (grants " + names
                        + "; fields " + FIELDS + ")");
            }
        }
        List<Grant> grants = new ArrayList<>();
        for (String name : names) {
            grants.add(grant(name, data));
        }
        return new NodePolicy(grants);
    }

    private static Grant grant(String name, Map<String, String> data) {
        String key = null;
        try {
            key = name + "." + NAMESPACES;
            Set<String> namespaces = new LinkedHashSet<>();
            for (String ns : items(data.get(key))) {
                if (!ns.equals(Grant.ALL_NAMESPACES) && !NAMESPACE.matcher(ns).matches()) {
                    throw new IllegalArgumentException("\"" + ns + "\" is not a namespace name or *");
                }
                namespaces.add(ns);
            }
            key = name + "." + SELECTOR;
            Map<String, String> selector = new TreeMap<>();
            for (String kv : items(data.get(key))) {
                int eq = kv.indexOf('=');
                if (eq < 0 || !labelKey(kv.substring(0, eq)) || !labelValue(kv.substring(eq + 1))) {
                    throw new IllegalArgumentException("\"" + kv + "\" is not a label key=value");
                }
                selector.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
            key = name + "." + NETNS;
            Set<NetnsJoin> netns = EnumSet.noneOf(NetnsJoin.class);
            items(data.get(key)).forEach(t -> netns.add(NetnsJoin.parse(t)));
            key = name + "." + ROOTFUL;
            String rootful = data.getOrDefault(key, "false").strip();
            if (!rootful.equals("true") && !rootful.equals("false") && !rootful.isEmpty()) {
                throw new IllegalArgumentException("\"" + rootful + "\" is not true or false");
            }
            key = name + "." + HOST_PORTS;
            List<PortRange> ports = items(data.get(key)).stream().map(PortRange::parse).toList();
            key = name + "." + HOST_IPS;
            List<Cidr> ips = new ArrayList<>();
            for (String c : items(data.get(key))) {
                Cidr cidr = Cidr.parse(c);
                if (!cidr.network().equals(cidr)) {
                    throw new IllegalArgumentException("\"" + c + "\" has host bits set; write the network, " + cidr.network());
                }
                ips.add(cidr);
            }
            key = name;
            return new Grant(name, namespaces, selector, netns, rootful.equals("true"), ports, ips);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("podnet.policy." + key + ": " + e.getMessage(), e);
        }
    }

    /** The flat form, each grant's every key written (what the chart writes too). */
    public Map<String, String> data() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put(GRANTS, grants.isEmpty() ? NO_GRANTS : grants.stream().map(Grant::name).collect(Collectors.joining(",")));
        for (Grant g : grants) {
            out.put(g.name() + "." + NAMESPACES, String.join(",", new java.util.TreeSet<>(g.namespaces())));
            out.put(g.name() + "." + SELECTOR, g.namespaceSelector().entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(",")));
            out.put(g.name() + "." + NETNS, g.netns().stream().sorted().map(Enum::name).collect(Collectors.joining(",")));
            out.put(g.name() + "." + ROOTFUL, Boolean.toString(g.rootful()));
            out.put(g.name() + "." + HOST_PORTS, g.hostPorts().stream().map(PortRange::toString).collect(Collectors.joining(",")));
            out.put(g.name() + "." + HOST_IPS, g.hostIps().stream().map(Cidr::toString).collect(Collectors.joining(",")));
        }
        return out;
    }

    /** One line for the agent's start log. */
    public String describe() {
        return grants.isEmpty() ? "no grants" : grants.stream().map(g -> g.name() + " " + summary(g)).collect(Collectors.joining("; "));
    }

    private static String summary(Grant g) {
        List<String> powers = new ArrayList<>();
        g.netns().stream().sorted().forEach(j -> powers.add("netns " + j));
        if (g.rootful()) {
            powers.add("rootful");
        }
        if (!g.hostPorts().isEmpty()) {
            powers.add("host ports " + g.hostPorts());
        }
        if (!g.hostIps().isEmpty()) {
            powers.add("host IPs " + g.hostIps());
        }
        String who = g.namespaces().isEmpty() ? "" : "namespaces " + new java.util.TreeSet<>(g.namespaces());
        if (!g.namespaceSelector().isEmpty()) {
            who += (who.isEmpty() ? "" : " and ") + "labels " + new TreeMap<>(g.namespaceSelector());
        }
        return "(" + who + "): " + (powers.isEmpty() ? "nothing" : String.join(", ", powers));
    }

    private static List<String> items(String text) {
        List<String> out = new ArrayList<>();
        if (text != null) {
            for (String part : text.split(",")) {
                if (!part.isBlank()) {
                    out.add(part.strip());
                }
            }
        }
        return out;
    }

    private static boolean labelKey(String key) {
        int slash = key.indexOf('/');
        if (slash < 0) {
            return LABEL_NAME.matcher(key).matches();
        }
        String prefix = key.substring(0, slash);
        return prefix.length() <= 253 && DNS_SUBDOMAIN.matcher(prefix).matches() && LABEL_NAME.matcher(key.substring(slash + 1)).matches();
    }

    private static boolean labelValue(String value) {
        return value.isEmpty() || LABEL_NAME.matcher(value).matches();
    }
}
