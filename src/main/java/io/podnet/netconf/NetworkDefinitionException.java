package io.podnet.netconf;

/**
 * A network definition file is unusable. The message names the file and what is wrong with it;
 * {@link #file()} and {@link #problem()} give the two parts separately.
 */
public class NetworkDefinitionException extends RuntimeException {
    private final String file;
    private final String problem;

    public NetworkDefinitionException(String file, String problem) {
        this(file, problem, null);
    }

    public NetworkDefinitionException(String file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
        this.problem = problem;
    }

    /** The file (or directory) the problem is in. */
    public String file() {
        return file;
    }

    /** What is wrong, without the file name. */
    public String problem() {
        return problem;
    }
}
