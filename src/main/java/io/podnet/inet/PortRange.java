package io.podnet.inet;

/**
 * Host ports {@code low} to {@code high}, both included: what a node policy grants a namespace
 * ("30000-30099", or one port "8080").
 */
public record PortRange(int low, int high) {
    public static final PortRange ALL = new PortRange(1, 65535);

    public PortRange {
        if (low < 1 || high > 65535 || low > high) {
            throw new IllegalArgumentException("port range " + low + "-" + high + " is not within 1-65535 with its low end first");
        }
    }

    /** "8080" or "30000-30099"; IllegalArgumentException says what is wrong. */
    public static PortRange parse(String text) {
        String t = text == null ? "" : text.strip();
        int dash = t.indexOf('-');
        try {
            return dash < 0 ? new PortRange(Integer.parseInt(t), Integer.parseInt(t))
                    : new PortRange(Integer.parseInt(t.substring(0, dash)), Integer.parseInt(t.substring(dash + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("\"" + text + "\" is not a port or a port range such as 30000-30099");
        }
    }

    public int size() {
        return high - low + 1;
    }

    /** Whether every host port of the mapping (a random one excluded) lies in this range. */
    public boolean holds(PortMapping mapping) {
        return mapping.hostPort() != 0 && low <= mapping.hostPort() && mapping.lastHostPort() <= high;
    }

    @Override
    public String toString() {
        return low == high ? Integer.toString(low) : low + "-" + high;
    }
}
