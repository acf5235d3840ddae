package io.podnet.rootless;

import java.nio.channels.SelectionKey;

/** What a forwarder channel's selection key is attached to: the loop calls it when the channel is ready. */
interface SelectorHandler {
    void ready(SelectionKey key);

    /** The handler threw: what it serves is closed, so the loop can go on serving the rest. */
    default void failed(SelectionKey key) {
        key.cancel();
        Channels.closeQuietly(key.channel());
    }
}
