package io.podnet.operator;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** The agent's background loops (resync, orphan collection, node leases): one daemon thread each, ended at shutdown. */
final class PeriodicTask {
    private PeriodicTask() {
    }

    static ScheduledExecutorService start(String threadName, long initialDelayMillis, long periodMillis, Runnable task) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(task, initialDelayMillis, periodMillis, TimeUnit.MILLISECONDS);
        return timer;
    }
}
