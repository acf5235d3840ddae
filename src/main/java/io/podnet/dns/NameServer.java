package io.podnet.dns;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import org.jboss.logging.Logger;

import io.podnet.netns.Netns;
import io.podnet.netns.NetnsManager;

/**
 * The name server of one network namespace (the host's for rootful networks, the rootless netns
 * for rootless ones), as aardvark-dns is for netavark: it listens on the gateway addresses of the
 * dns_enabled networks of its table, UDP and TCP, and decides each query with {@link Answerer}.
 *
 * <p><b>Records.</b> The table is one immutable {@link DnsRecords} behind an atomic reference:
 * {@link #publish} swaps it whole, so queries in flight finish against the table they started
 * with and none is dropped or blocked by a change (aardvark-dns #389). Listeners follow the
 * table's networks: new gateways are bound after the swap, gone ones closed. A bind that fails
 * (the address not there yet, the port taken) is logged and tried again at the next publish.
 *
 * <p><b>Threads.</b> Every thread joins the namespace first, so the sockets it opens are there:
 * one control thread (binds), per listener one UDP reader and one TCP acceptor, one UDP
 * forwarder (a selector), and a pool of at most {@code tcpConnections} TCP connection threads.
 * They start with the first network and stop when the table has none.
 */
public final class NameServer implements NameService {
    private static final Logger LOG = Logger.getLogger(NameServer.class);

    /**
     * @param forwardTimeout  the whole time an upstream query may take, shared by the upstreams tried (aardvark-dns: 5 s)
     * @param maxForwards     UDP queries waiting for upstreams at once; more get SERVFAIL at once
     * @param tcpConnections  TCP connections served at once; more are closed
     * @param tcpIdle         a TCP connection with no query for this long is closed (aardvark-dns: 3 s)
     */
    public record Settings(Duration forwardTimeout, int maxForwards, int tcpConnections, Duration tcpIdle) {
        public Settings {
            if (forwardTimeout.isNegative() || forwardTimeout.isZero() || maxForwards < 1 || tcpConnections < 1 || tcpIdle.isNegative()
                    || tcpIdle.isZero()) {
                throw new IllegalArgumentException("invalid name server settings " + this);
            }
        }

        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(5), 1024, 32, Duration.ofSeconds(3));
        }
    }

    private final Netns netns;
    private final String label;
    private final Settings settings;
    private final QueryCounts counts;
    private final AtomicReference<DnsRecords> records = new AtomicReference<>(DnsRecords.EMPTY);
    private final Map<Listener.Endpoint, Listener> listeners = new HashMap<>();
    /** Endpoints whose bind failed, so that each failure is logged once until it succeeds. */
    private final Set<Listener.Endpoint> failing = new HashSet<>();
    private final NamespaceThreads threads;
    private Running running;
    private boolean closed;

    /** The threads and shared parts, while the table has networks. */
    private record Running(ExecutorService control, ThreadPoolExecutor connections, UdpForwarder udp, Listener.Shared shared) {
    }

    private NameServer(Netns netns, String label, Settings settings, QueryCounts counts) {
        this.netns = netns;
        this.label = label;
        this.settings = settings;
        this.counts = counts;
        this.threads = new NamespaceThreads(netns.fd(), "podnet-dns-" + label);
    }

    /**
     * A name server for the namespace at {@code netnsPath} (null for the agent's own). Nothing
     * listens, and no thread runs, until a table with networks is published.
     *
     * @param label names its threads and log lines ("host", "rootless")
     */
    public static NameServer open(Path netnsPath, String label, Settings settings, QueryCounts counts) {
        return new NameServer(NetnsManager.join(netnsPath == null ? Path.of("/proc/self/ns/net") : netnsPath), label, settings, counts);
    }

    @Override
    public synchronized void publish(DnsRecords next) {
        if (closed) {
            return;
        }
        records.set(next);
        Set<Listener.Endpoint> wanted = new LinkedHashSet<>();
        for (DnsRecords.Network n : next.networks()) {
            for (InetAddress a : n.listen()) {
                wanted.add(new Listener.Endpoint(n.name(), a, n.port()));
            }
        }
        for (Listener.Endpoint e : new ArrayList<>(listeners.keySet())) {
            if (!wanted.contains(e)) {
                listeners.remove(e).close();
            }
        }
        failing.retainAll(wanted);
        if (wanted.isEmpty()) {
            stop();
            return;
        }
        Running r = start();
        for (Listener.Endpoint e : wanted) {
            if (!listeners.containsKey(e)) {
                bind(r, e);
            }
        }
    }

    private void bind(Running r, Listener.Endpoint e) {
        CompletableFuture<Listener> bound = CompletableFuture.supplyAsync(() -> {
            try {
                return new Listener(e, r.shared(), threads);
            } catch (IOException failed) {
                throw new IllegalStateException(failed.getMessage(), failed);
            }
        }, r.control());
        try {
            listeners.put(e, bound.get(10, TimeUnit.SECONDS));
            if (failing.remove(e)) {
                LOG.infof("name server %s: listening on %s now", label, e);
            }
        } catch (ExecutionException | TimeoutException failed) {
            Throwable cause = failed.getCause() == null ? failed : failed.getCause();
            if (failing.add(e)) {
                LOG.warnf("name server %s: cannot listen on %s (%s); trying again at the next change or resync", label, e,
                        cause.getCause() != null ? cause.getCause().getMessage() : cause.getMessage());
            }
        } catch (InterruptedException failed) {
            Thread.currentThread().interrupt();
        }
    }

    private Running start() {
        if (running == null) {
            ExecutorService control = Executors.newSingleThreadExecutor(threads);
            ThreadPoolExecutor connections = new ThreadPoolExecutor(0, settings.tcpConnections(), 30, TimeUnit.SECONDS,
                    new SynchronousQueue<>(), threads);
            UdpForwarder udp;
            try {
                udp = new UdpForwarder(threads, settings.forwardTimeout(), settings.maxForwards());
            } catch (IOException e) {
                control.shutdownNow();
                connections.shutdownNow();
                throw new IllegalStateException("name server " + label + ": cannot open a selector: " + e.getMessage(), e);
            }
            running = new Running(control, connections, udp, new Listener.Shared(records::get, counts, udp,
                    new TcpForwarding(settings.forwardTimeout()), connections, (int) settings.tcpIdle().toMillis()));
        }
        return running;
    }

    private void stop() {
        if (running != null) {
            running.udp().close();
            running.connections().shutdownNow();
            running.control().shutdownNow();
            running = null;
        }
    }

    /** Where it listens now (UDP and TCP on each). */
    public synchronized List<InetSocketAddress> listening() {
        return listeners.keySet().stream().map(e -> new InetSocketAddress(e.address(), e.port())).toList();
    }

    /** The table queries are answered from now. */
    public DnsRecords records() {
        return records.get();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        listeners.values().forEach(Listener::close);
        listeners.clear();
        stop();
        netns.close();
    }

    @Override
    public String toString() {
        return "name server " + label + " in " + netns;
    }
}
