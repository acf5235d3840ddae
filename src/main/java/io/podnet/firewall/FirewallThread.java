package io.podnet.firewall;

import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.podnet.netns.HandOff;
import io.podnet.sys.FileDescriptor;
import io.podnet.sys.Nftables;
import io.podnet.sys.Sys;

/**
 * One platform thread that enters the host namespace once, opens the libnftables context there,
 * and then runs every call of its firewall one after the other. It never leaves the namespace and
 * never starts threads; it ends when the firewall closes, so no other work ever runs on it.
 */
final class FirewallThread {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final Runnable STOP = () -> {
    };

    private final BlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private Nftables nft;
    private boolean closed;

    /** Starts the thread in {@code netns} (null: the agent's own) and waits until it is ready there. */
    FirewallThread(Path netns) {
        String path = netns == null ? "/proc/self/ns/net" : netns.toString();
        FileDescriptor fd = FileDescriptor.openReadOnly(path);
        CompletableFuture<Void> ready = new CompletableFuture<>();
        thread = new Thread(() -> {
            try {
                try {
                    Sys.setns(fd.fd(), Sys.CLONE_NEWNET);
                } finally {
                    fd.close();
                }
                nft = Nftables.open();
            } catch (Throwable t) {
                ready.completeExceptionally(t);
                return;
            }
            ready.complete(null);
            loop();
        }, "podnet-nft-" + COUNTER.incrementAndGet());
        thread.setDaemon(true);
        thread.start();
        await(ready, "cannot start the firewall in " + path);
    }

    private void loop() {
        try {
            while (true) {
                Runnable task = queue.take();
                if (task == STOP) {
                    return;
                }
                task.run();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            nft.close();
            Runnable left;
            while ((left = queue.poll()) != null) {
                left.run(); // only after an interrupt: they fail, nft is closed
            }
        }
    }

    /** The context; only on this thread. */
    Nftables nft() {
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("libnftables used off the firewall thread");
        }
        return nft;
    }

    <T> T call(Callable<T> work) {
        if (Thread.currentThread() == thread) {
            try {
                return work.call();
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Exception e) {
                throw new FirewallException(e.getMessage(), e);
            }
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        synchronized (this) {
            // tasks queued before STOP still run: none is queued after it
            if (closed) {
                throw new IllegalStateException("the firewall is closed");
            }
            queue.add(() -> {
                try {
                    result.complete(work.call());
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                }
            });
        }
        return await(result, "firewall call failed");
    }

    private static <T> T await(CompletableFuture<T> f, String what) {
        return HandOff.join(f, cause -> cause instanceof InterruptedException
                ? new FirewallException("interrupted while waiting for the firewall thread", cause)
                : new FirewallException(what + ": " + cause.getMessage(), cause));
    }

    void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            queue.add(STOP);
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
