package io.podnet.netconf;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import io.podnet.inet.IpvlanMode;
import io.podnet.inet.MacvlanMode;

/**
 * The {@code options} of one network, checked against its driver: every option podnet knows is
 * parsed and range-checked, and any other is refused, naming it, so that no option netavark
 * would honour is silently dropped. The rules are listed on {@link NetworkDefinitions}.
 */
record DriverOptions(Integer mtu, Integer metric, boolean noDefaultRoute, Isolation isolate, Integer vlan, String mode) {
    private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,10}");
    private static final int IPV6_MIN_MTU = 1280;

    private static final List<String> COMMON = List.of("mtu", "metric", "no_default_route");
    private static final Map<String, List<String>> BY_DRIVER = Map.of(
            NetworkDefinition.BRIDGE, List.of("isolate", "vlan", "mode", "com.docker.network.driver.mtu"),
            NetworkDefinition.MACVLAN, List.of("mode"),
            NetworkDefinition.IPVLAN, List.of("mode"));

    /** Options netavark or Podman know that podnet does not implement, and why. */
    private static final Map<String, String> NOT_SUPPORTED = Map.of(
            "vrf", "podnet does not put bridges into a VRF",
            "outbound_addr4", "podnet masquerades to the host's own address; a fixed outbound address is not supported",
            "outbound_addr6", "podnet masquerades to the host's own address; a fixed outbound address is not supported",
            "bclim", "podnet does not set the macvlan broadcast queue limit",
            "com.docker.network.bridge.name", "name the bridge with \"network_interface\"",
            "parent", "name the parent interface with \"network_interface\"");

    static DriverOptions read(JsonFields f, String network, String driver, Map<String, String> options, List<Subnet> subnets) {
        Set<String> known = new TreeSet<>(COMMON);
        known.addAll(BY_DRIVER.get(driver));
        for (String key : options.keySet()) {
            if (known.contains(key)) {
                continue;
            }
            String why = NOT_SUPPORTED.get(key);
            throw f.fail("network \"" + network + "\": option \"" + key + "\" is not supported"
                    + (why != null ? ": " + why : " by podnet for " + driver + " networks (it knows " + String.join(", ", known) + ")"),
                    NetworkDefinitionException.UNSUPPORTED_OPTION);
        }
        Integer mtu = mtu(f, network, options, subnets);
        Integer metric = number(f, network, "metric", options.get("metric"), 1, Integer.MAX_VALUE);
        boolean noDefaultRoute = bool(f, network, "no_default_route", options.get("no_default_route"));
        Isolation isolate = isolation(f, network, options.get("isolate"));
        Integer vlan = number(f, network, "vlan", options.get("vlan"), 1, 4094);
        return new DriverOptions(mtu, metric, noDefaultRoute, isolate, vlan, mode(f, network, driver, options.get("mode")));
    }

    /** {@code mtu}, or Docker's {@code com.docker.network.driver.mtu} as Podman accepts it; both must agree. */
    private static Integer mtu(JsonFields f, String network, Map<String, String> options, List<Subnet> subnets) {
        String text = options.get("mtu");
        String docker = options.get("com.docker.network.driver.mtu");
        if (text != null && docker != null && !text.equals(docker)) {
            throw f.fail("network \"" + network + "\": options mtu " + text + " and com.docker.network.driver.mtu " + docker + " disagree");
        }
        Integer mtu = number(f, network, "mtu", text != null ? text : docker, 68, 65535);
        // the kernel disables IPv6 on a link whose MTU is below 1280
        if (mtu != null && mtu < IPV6_MIN_MTU && subnets.stream().anyMatch(s -> !s.isV4())) {
            throw f.fail("network \"" + network + "\": option mtu " + mtu + " is below " + IPV6_MIN_MTU
                    + ", the minimum for its IPv6 subnet");
        }
        return mtu;
    }

    private static Integer number(JsonFields f, String network, String option, String text, int min, int max) {
        if (text == null) {
            return null;
        }
        if (!DECIMAL.matcher(text).matches()) {
            throw f.fail("network \"" + network + "\": option " + option + " \"" + text + "\" is not a decimal integer");
        }
        long value = Long.parseLong(text);
        if (value < min || value > max) {
            throw f.fail("network \"" + network + "\": option " + option + " " + value + " is out of range " + min + "-" + max);
        }
        return (int) value;
    }

    /** As Podman writes it ("true", or "1" from {@code -o no_default_route=1}). */
    private static boolean bool(JsonFields f, String network, String option, String text) {
        if (text == null) {
            return false;
        }
        return switch (text) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw f.fail("network \"" + network + "\": option " + option + " \"" + text + "\" must be true or false");
        };
    }

    private static Isolation isolation(JsonFields f, String network, String text) {
        if (text == null) {
            return Isolation.NONE;
        }
        return switch (text) {
            case "false" -> Isolation.NONE;
            case "true" -> Isolation.ISOLATED;
            case "strict" -> Isolation.STRICT;
            default -> throw f.fail("network \"" + network + "\": option isolate \"" + text + "\" must be true, false or strict");
        };
    }

    /** The macvlan or ipvlan mode with its default; for a bridge only "managed" (or nothing). */
    private static String mode(JsonFields f, String network, String driver, String text) {
        try {
            return switch (driver) {
                case NetworkDefinition.MACVLAN -> (text == null || text.isEmpty() ? MacvlanMode.DEFAULT : MacvlanMode.parse(text)).text();
                case NetworkDefinition.IPVLAN -> (text == null || text.isEmpty() ? IpvlanMode.DEFAULT : IpvlanMode.parse(text)).text();
                default -> {
                    if (text != null && !text.isEmpty() && !text.equals("managed")) {
                        throw f.fail("network \"" + network + "\": option mode \"" + text + "\" is not supported: podnet manages"
                                + " its bridges (a bridge that exists already is used as it is, with the gateway address added)",
                                NetworkDefinitionException.UNSUPPORTED_OPTION);
                    }
                    yield null;
                }
            };
        } catch (IllegalArgumentException e) {
            throw f.fail("network \"" + network + "\": option mode: " + e.getMessage());
        }
    }
}
