package io.podnet.engine;

import java.net.InetAddress;
import java.util.List;

/** DNS settings added to what the networks give. */
public record DnsRequest(List<InetAddress> servers, List<String> searches, List<String> options) {
    public static final DnsRequest NONE = new DnsRequest(List.of(), List.of(), List.of());

    public DnsRequest {
        servers = List.copyOf(servers);
        searches = List.copyOf(searches);
        options = List.copyOf(options);
    }
}
