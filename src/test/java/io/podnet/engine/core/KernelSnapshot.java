package io.podnet.engine.core;

import static io.podnet.testing.Shell.ipJson;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;

import io.podnet.testing.Shell;

/**
 * What a pod's setup left in the kernel, as flat "key = value" pairs that two setups of the same
 * inputs can be compared by: the pod's interfaces (kind, mode, MTU, state, MAC, addresses), its
 * routes, the sysctls of its interfaces, and on the host side the links that were not there
 * before (bridges with their addresses and sysctls, host ends of veths by the bridge they are
 * a port of) and the forwarding sysctls. Names the kernel chose (host veths) and MACs are
 * recorded under keys of their own, so a comparison can tell them from the rest.
 */
final class KernelSnapshot {
    private static final List<String> POD_SYSCTLS = List.of("ipv4.conf.%s.arp_notify", "ipv4.conf.%s.forwarding",
            "ipv4.conf.%s.rp_filter", "ipv6.conf.%s.accept_dad", "ipv6.conf.%s.accept_ra", "ipv6.conf.%s.autoconf",
            "ipv6.conf.%s.disable_ipv6", "ipv6.conf.%s.forwarding");
    private static final List<String> BRIDGE_SYSCTLS = List.of("ipv4.conf.%s.forwarding", "ipv4.conf.%s.route_localnet",
            "ipv4.conf.%s.rp_filter", "ipv6.conf.%s.accept_dad", "ipv6.conf.%s.accept_ra", "ipv6.conf.%s.forwarding");
    private static final List<String> VETH_SYSCTLS = List.of("ipv4.conf.%s.forwarding", "ipv6.conf.%s.accept_dad");
    private static final List<String> HOST_SYSCTLS = List.of("ipv4.ip_forward", "ipv6.conf.all.forwarding");

    private KernelSnapshot() {
    }

    /** The links of a namespace by name (to tell a setup's host-side links from what was there before). */
    static Set<String> linkNames(String netns) {
        Set<String> names = new java.util.TreeSet<>();
        ipJson(netns, "link", "show").forEach(l -> names.add(l.get("ifname").asText()));
        return names;
    }

    /**
     * @param pod  the pod's namespace (name or path)
     * @param host the namespace that plays the host
     * @param hostBefore the host's links before the setup
     */
    static Map<String, String> of(String pod, String host, Set<String> hostBefore) {
        Map<String, String> out = new TreeMap<>();
        Map<String, String> podSysctls = sysctls(pod);
        for (JsonNode l : ipJson(pod, "-d", "addr", "show")) {
            String name = l.get("ifname").asText();
            if (name.equals("lo")) {
                continue;
            }
            link(out, "pod." + name, l);
            for (String s : POD_SYSCTLS) {
                String key = "net." + s.formatted(name);
                out.put("pod." + name + ".sysctl." + s.formatted("IF"), podSysctls.getOrDefault(key, "(none)"));
            }
        }
        out.put("pod.routes4", routes(pod, "-4"));
        out.put("pod.routes6", routes(pod, "-6"));

        Map<String, String> hostSysctls = sysctls(host);
        Map<Integer, String> names = new TreeMap<>();
        JsonNode hostLinks = ipJson(host, "-d", "addr", "show");
        hostLinks.forEach(l -> names.put(l.get("ifindex").asInt(), l.get("ifname").asText()));
        for (JsonNode l : hostLinks) {
            String name = l.get("ifname").asText();
            if (hostBefore.contains(name)) {
                continue;
            }
            String kind = l.at("/linkinfo/info_kind").asText();
            if (kind.equals("bridge")) {
                link(out, "host.bridge[" + name + "]", l);
                for (String s : BRIDGE_SYSCTLS) {
                    out.put("host.bridge[" + name + "].sysctl." + s.formatted("BR"), hostSysctls.getOrDefault("net." + s.formatted(name), "(none)"));
                }
            } else {
                String master = l.has("master") ? l.get("master").asText() : "(none)";
                String key = "host." + kind + "[port of " + master + "]";
                out.put(key + ".name", name);
                out.put(key + ".mtu", l.get("mtu").asText());
                out.put(key + ".state", l.get("operstate").asText());
                out.put(key + ".addresses", addresses(l, false));
                for (String s : VETH_SYSCTLS) {
                    out.put(key + ".sysctl." + s.formatted("VETH"), hostSysctls.getOrDefault("net." + s.formatted(name), "(none)"));
                }
            }
        }
        for (String s : HOST_SYSCTLS) {
            out.put("host.sysctl." + s, hostSysctls.getOrDefault("net." + s, "(none)"));
        }
        return out;
    }

    private static void link(Map<String, String> out, String prefix, JsonNode l) {
        out.put(prefix + ".kind", l.at("/linkinfo/info_kind").asText("(none)"));
        if (l.at("/linkinfo/info_data/mode").isTextual()) {
            out.put(prefix + ".mode", l.at("/linkinfo/info_data/mode").asText());
        }
        out.put(prefix + ".mtu", l.get("mtu").asText());
        String state = l.get("operstate").asText();
        if (prefix.startsWith("host.bridge") && state.equals("UNKNOWN")) {
            state = "UP"; // a bridge reports UNKNOWN until its first port has forwarded for a moment: timing, not setup
        }
        out.put(prefix + ".state", state + (flags(l).contains("UP") ? " up" : " down"));
        out.put(prefix + ".mac", l.get("address").asText());
        out.put(prefix + ".mac.format", macFormat(l.get("address").asText()));
        out.put(prefix + ".addresses", addresses(l, false));
        out.put(prefix + ".linklocal", addresses(l, true).isEmpty() ? "none" : "present");
    }

    private static List<String> flags(JsonNode l) {
        List<String> out = new ArrayList<>();
        l.get("flags").forEach(f -> out.add(f.asText()));
        return out;
    }

    /** "10.89.0.2/24 global, fd00::2/64 global" in the kernel's order; link-local ones apart. */
    private static String addresses(JsonNode l, boolean linkLocal) {
        List<String> out = new ArrayList<>();
        for (JsonNode a : l.get("addr_info")) {
            boolean ll = a.get("scope").asText().equals("link");
            if (ll == linkLocal) {
                out.add(linkLocal ? "fe80::/64 link" : a.get("local").asText() + "/" + a.get("prefixlen").asInt() + " " + a.get("scope").asText()
                        + (a.has("secondary") ? " secondary" : "") + (a.has("noprefixroute") ? " noprefixroute" : ""));
            }
        }
        return String.join(", ", out);
    }

    /** Lower-case hex, colon-separated, and whether locally administered and unicast. */
    static String macFormat(String mac) {
        if (!mac.matches("[0-9a-f]{2}(:[0-9a-f]{2}){5}")) {
            return "not aa:bb:cc:dd:ee:ff: " + mac;
        }
        int first = Integer.parseInt(mac.substring(0, 2), 16);
        return ((first & 1) == 0 ? "unicast" : "multicast") + ((first & 2) != 0 ? " locally administered" : " universal");
    }

    /** The main table's routes, one per line, sorted. */
    private static String routes(String netns, String family) {
        List<String> out = new ArrayList<>();
        for (JsonNode r : ipJson(netns, family, "route", "show", "table", "main")) {
            StringBuilder sb = new StringBuilder(r.get("dst").asText());
            for (String f : List.of("gateway", "dev", "protocol", "scope", "metric", "prefsrc", "pref")) {
                if (r.has(f)) {
                    sb.append(' ').append(f).append(' ').append(r.get(f).asText());
                }
            }
            out.add(sb.toString());
        }
        out.sort(null);
        return String.join("\n  ", out);
    }

    /** Every net.* sysctl of a namespace, from one {@code sysctl -a}. */
    private static Map<String, String> sysctls(String netns) {
        Map<String, String> out = new TreeMap<>();
        for (String line : Shell.run(Shell.in(netns, "sysctl", "-a", "-r", "^net\\.(ipv4|ipv6)\\.")).output().split("\n")) {
            int eq = line.indexOf(" = ");
            if (eq > 0) {
                out.put(line.substring(0, eq), line.substring(eq + 3).trim());
            }
        }
        return out;
    }
}
