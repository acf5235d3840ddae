package io.podnet.dns;

import java.util.List;

/** One line of a hosts file: an address and its names. */
public record HostEntry(String ip, List<String> names) {
    public HostEntry {
        names = List.copyOf(names);
    }

    String line() {
        return ip + "\t" + String.join(" ", names);
    }

    static HostEntry parse(String line) {
        String content = line.contains("#") ? line.substring(0, line.indexOf('#')) : line;
        String[] fields = content.trim().split("\\s+");
        if (fields.length < 2 || fields[0].isEmpty()) {
            return null;
        }
        return new HostEntry(fields[0], List.of(fields).subList(1, fields.length));
    }
}
