package io.podnet.dns;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

import io.podnet.sys.FileDescriptor;
import io.podnet.sys.Sys;

/**
 * Threads that live in one network namespace for their whole life: each joins it before it runs
 * anything, so every socket it opens (listeners, upstream queries) is there. They serve one name
 * server and nothing else, so they never need to switch back.
 */
final class NamespaceThreads implements ThreadFactory {
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final FileDescriptor netns;
    private final String prefix;

    NamespaceThreads(FileDescriptor netns, String prefix) {
        this.netns = netns;
        this.prefix = prefix;
    }

    @Override
    public Thread newThread(Runnable r) {
        Thread t = new Thread(() -> {
            // a thread that could not join must not run its work in the agent's namespace
            Sys.setns(netns.fd(), Sys.CLONE_NEWNET);
            r.run();
        }, prefix + "-" + COUNTER.incrementAndGet());
        t.setDaemon(true);
        return t;
    }
}
