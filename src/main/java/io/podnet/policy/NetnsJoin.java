package io.podnet.policy;

/** The ways a pod joins a network namespace it did not create, named as netns.type names them. */
public enum NetnsJoin {
    Path,
    Pid;

    static NetnsJoin parse(String text) {
        for (NetnsJoin j : values()) {
            if (j.name().equals(text)) {
                return j;
            }
        }
        throw new IllegalArgumentException("\"" + text + "\" is not a netns type that joins (Path or Pid)");
    }
}
