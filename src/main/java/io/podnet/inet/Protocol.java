package io.podnet.inet;

import java.util.Locale;

/** A transport protocol a port mapping applies to. */
public enum Protocol {
    TCP,
    UDP,
    SCTP;

    /** The lower-case name nftables, Podman and the PodNetwork spec use: tcp, udp, sctp. */
    public String lower() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses tcp, udp or sctp (any case); IllegalArgumentException names the bad value. */
    public static Protocol parse(String text) {
        if (text != null) {
            for (Protocol p : values()) {
                if (p.name().equalsIgnoreCase(text.trim())) {
                    return p;
                }
            }
        }
        throw new IllegalArgumentException("unknown protocol \"" + text + "\": expected tcp, udp or sctp");
    }
}
