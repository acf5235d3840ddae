package io.podnet.netconf;

/**
 * A network definition file is unusable. The message names the file and what is wrong with it;
 * {@link #file()} and {@link #problem()} give the two parts separately, {@link #network()} the
 * network the file defines when that much could be read, and {@link #reason()} a short
 * CamelCase word for conditions ({@code InvalidNetworkDefinition}, {@code UnsupportedNetworkOption},
 * {@code UnsupportedNetworkDriver}).
 */
public class NetworkDefinitionException extends RuntimeException {
    public static final String INVALID = "InvalidNetworkDefinition";
    public static final String UNSUPPORTED_OPTION = "UnsupportedNetworkOption";
    public static final String UNSUPPORTED_DRIVER = "UnsupportedNetworkDriver";

    private final String file;
    private final String problem;
    private final String network;
    private final String reason;

    public NetworkDefinitionException(String file, String problem) {
        this(file, problem, null, INVALID, null);
    }

    public NetworkDefinitionException(String file, String problem, Throwable cause) {
        this(file, problem, null, INVALID, cause);
    }

    public NetworkDefinitionException(String file, String problem, String network, String reason, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
        this.problem = problem;
        this.network = network;
        this.reason = reason;
    }

    /** The file (or directory) the problem is in. */
    public String file() {
        return file;
    }

    /** What is wrong, without the file name. */
    public String problem() {
        return problem;
    }

    /** The network the file defines, or null when not even its name could be read. */
    public String network() {
        return network;
    }

    public String reason() {
        return reason;
    }
}
