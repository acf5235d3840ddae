package io.podnet.dns;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/** The parts of a resolv.conf podnet manages: nameservers, search domains, options. */
public record ResolvConf(List<String> nameservers, List<String> searches, List<String> options) {
    public static final ResolvConf EMPTY = new ResolvConf(List.of(), List.of(), List.of());

    public ResolvConf {
        nameservers = List.copyOf(new LinkedHashSet<>(nameservers));
        searches = List.copyOf(new LinkedHashSet<>(searches));
        options = List.copyOf(new LinkedHashSet<>(options));
    }

    /** Parses nameserver, search/domain and options lines; everything else is ignored. */
    public static ResolvConf parse(String text) {
        List<String> servers = new ArrayList<>();
        List<String> searches = new ArrayList<>();
        List<String> options = new ArrayList<>();
        for (String raw : text.split("\n")) {
            String line = raw.contains("#") ? raw.substring(0, raw.indexOf('#')) : raw;
            String[] f = line.trim().split("\\s+");
            if (f.length < 2) {
                continue;
            }
            List<String> values = List.of(f).subList(1, f.length);
            switch (f[0]) {
                case "nameserver" -> servers.add(values.get(0));
                case "search", "domain" -> searches.addAll(values);
                case "options" -> options.addAll(values);
                default -> {
                }
            }
        }
        return new ResolvConf(servers, searches, options);
    }

    public String render() {
        StringBuilder sb = new StringBuilder();
        if (!searches.isEmpty()) {
            sb.append("search ").append(String.join(" ", searches)).append('\n');
        }
        for (String s : nameservers) {
            sb.append("nameserver ").append(s).append('\n');
        }
        if (!options.isEmpty()) {
            sb.append("options ").append(String.join(" ", options)).append('\n');
        }
        return sb.toString();
    }

    /** This configuration without podnet's previous values and with its current ones. */
    ResolvConf replacing(ResolvConf previous, ResolvConf current) {
        return new ResolvConf(replace(nameservers, previous.nameservers, current.nameservers),
                replace(searches, previous.searches, current.searches),
                replace(options, previous.options, current.options));
    }

    /** Podnet's values first (they are the pod's), then what others added. */
    private static List<String> replace(List<String> existing, List<String> previous, List<String> current) {
        List<String> out = new ArrayList<>(current);
        for (String v : existing) {
            if (!previous.contains(v) && !out.contains(v)) {
                out.add(v);
            }
        }
        return out;
    }
}
