package io.podnet.netns;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

/**
 * Waits for work handed to another thread (a namespace worker, the firewall's thread) and gives
 * back its result, or its failure as it was thrown there: runtime exceptions and errors
 * unchanged, anything else (and an interrupt) wrapped by the caller's function.
 */
public final class HandOff {
    private HandOff() {
    }

    public static <T> T join(CompletableFuture<T> result, Function<Throwable, RuntimeException> wrap) {
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw wrap.apply(e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw wrap.apply(cause);
        }
    }
}
