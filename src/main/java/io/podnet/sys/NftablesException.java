package io.podnet.sys;

/**
 * A libnftables call failed. The message names the call and carries what libnftables reported,
 * e.g. {@code nft_run_cmd_from_buffer(3 commands) failed: Error: Could not process rule: No
 * such file or directory}.
 */
public class NftablesException extends RuntimeException {
    private final String call;
    private final String error;

    public NftablesException(String call, String error) {
        super(call + " failed: " + (error == null || error.isBlank() ? "(no message)" : error.strip()));
        this.call = call;
        this.error = error == null ? "" : error;
    }

    public String call() {
        return call;
    }

    /** libnftables' own error text. */
    public String error() {
        return error;
    }

    /** True when libnftables reported this errno text, e.g. "No such file or directory". */
    public boolean mentions(String text) {
        return error.contains(text);
    }
}
