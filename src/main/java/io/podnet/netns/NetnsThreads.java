package io.podnet.netns;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.podnet.sys.FileDescriptor;
import io.podnet.sys.Sys;

/**
 * Runs work inside a network namespace on dedicated platform threads. setns acts on the calling
 * thread only, so each task switches its worker into the target and back to the agent's own
 * namespace in {@code finally}; a worker that cannot switch back is discarded, never reused.
 * Work inside must not start threads: a thread inherits the namespace it was created in.
 */
public final class NetnsThreads {
    /** The agent's own namespace: the main thread's, which never switches. */
    private static final FileDescriptor HOME = FileDescriptor.openReadOnly("/proc/self/ns/net");

    /** Up to 8 workers, idle ones gone after 30 s (with an unbounded queue, a pool never grows past its core size). */
    private static final ThreadPoolExecutor POOL = new ThreadPoolExecutor(
            8, 8, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), new WorkerFactory());

    static {
        POOL.allowCoreThreadTimeOut(true);
    }

    private NetnsThreads() {
    }

    /** Runs {@code work} with the worker's netns switched to {@code target}. */
    public static <T> T inside(FileDescriptor target, Callable<T> work) {
        return onWorker(() -> {
            Sys.setns(target.fd(), Sys.CLONE_NEWNET);
            return work.call();
        });
    }

    /**
     * Runs {@code work} on a worker that starts in the agent's namespace; the work may switch
     * the worker's netns (unshare, setns) and it is switched back afterwards.
     */
    public static <T> T onWorker(Callable<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        POOL.execute(() -> {
            try {
                result.complete(work.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            } finally {
                restoreOrDie();
            }
        });
        return HandOff.join(result, cause -> cause instanceof InterruptedException
                ? new NetnsException("interrupted while waiting for namespace work", cause)
                : new NetnsException(cause.getMessage(), cause));
    }

    private static void restoreOrDie() {
        try {
            Sys.setns(HOME.fd(), Sys.CLONE_NEWNET);
        } catch (RuntimeException e) {
            // the pool replaces a worker that dies; this one must never run other work
            throw new WorkerPoisoned(e);
        }
    }

    private static final class WorkerPoisoned extends Error {
        WorkerPoisoned(Throwable cause) {
            super("a namespace worker could not return to the agent's namespace and was discarded", cause);
        }
    }

    private static final class WorkerFactory implements ThreadFactory {
        private final AtomicInteger counter = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Runnable homed = () -> {
                // a new thread inherits the creator's netns, which may be a pod's
                Sys.setns(HOME.fd(), Sys.CLONE_NEWNET);
                r.run();
            };
            Thread t = new Thread(homed, "podnet-netns-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    }
}
