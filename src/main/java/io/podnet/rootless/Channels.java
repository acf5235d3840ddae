package io.podnet.rootless;

import java.io.IOException;
import java.nio.channels.Channel;

/** Closing channels on paths that are already failing or ending. */
final class Channels {
    private Channels() {
    }

    static void closeQuietly(Channel c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
