package io.podnet.rootless;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.channels.NetworkChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

import io.podnet.netns.Netns;
import io.podnet.netns.NetnsManager;
import io.podnet.netns.NetnsThreads;

/**
 * The userspace port forwarder for rootless port mappings, as rootlessport is for Podman:
 * listens in the host namespace on hostIP:hostPort and connects to the pod's IP and container
 * port from inside the rootless netns.
 *
 * <p><b>Namespaces.</b> Listening sockets are opened on a thread in the host namespace (the
 * one given, e.g. a test's sandbox, or the agent's own); the sockets that connect to pods are
 * opened by a {@link SocketSource} thread that lives in the rootless netns; the selector
 * threads, created from a thread in the host namespace, only use sockets, which stay in the
 * namespace they were created in.
 *
 * <p><b>What the pod sees.</b> This is a proxy, not NAT: the pod sees connections and datagrams
 * from the rootless netns' own address on the pod's network (the bridge's gateway address, the
 * source the kernel picks for the pod's IP there) and an ephemeral port, never the client's
 * address. The same holds for rootlessport.
 *
 * <p><b>TCP.</b> Non-blocking NIO, no thread per connection: a few selector threads (as many as
 * cores, at most 4, by default). Each forward's listeners live on one of them; an accepted
 * connection stays on that thread unless another has at least two fewer connections (so short
 * connections cost no hand-over, and long ones spread over the cores). Data is spliced (splice(2))
 * from one socket into a pipe and on into the other, up to 1 MiB at a time, without passing
 * through userspace; a direction holds a pipe (from its thread's spares) only while its
 * destination has not taken all of it, so idle connections hold no pipe. Where a socket's
 * descriptor cannot be known or no pipe can be opened, data is read into a per-thread buffer
 * (64 KiB at a time at first, up to 1 MiB while the destination takes everything) and written on
 * at once. Either way only what the other side does not take is kept, in the pipe or a buffer of
 * that direction, and while some is kept the side it came from is not read (back-pressure: the
 * kernel's socket buffers hold the rest). An EOF from
 * one side is passed on with shutdownOutput once what came before it is written (half-close);
 * the connection is closed when both directions are done. A reset or error on one side closes
 * both, the other with a reset. The pod side must connect within the connect timeout.
 *
 * <p><b>UDP.</b> One flow per client address and port, with its own socket connected to the
 * pod, so replies go back to the right client; flows idle longer than the idle timeout are
 * closed. Datagrams that do not fit a socket buffer are dropped, as UDP may be. Replies leave
 * the listening socket, so on a wildcard host address the kernel picks their source address;
 * give a hostIP on hosts with several addresses (rootlessport behaves the same).
 *
 * <p><b>Restarts.</b> TCP listeners set SO_REUSEADDR, so connections left in TIME_WAIT never
 * make a restarted forwarder fail with "address already in use"; UDP listeners are simply bound
 * again. {@link #stop} returns only once the listening sockets are really closed.
 *
 * <p>A forwarder is tied to one rootless netns instance: when the rootless netns is created
 * anew, close the forwarder and open a new one.
 *
 * <p><b>Parts.</b> This class only keeps them together: {@link ForwardTable} (which forwards
 * exist, the host-port rule), {@link Listeners} (binding in the host namespace),
 * {@link SelectorLoop} (a selector thread, with its {@link BufferPool}), {@link TcpRelay} and
 * {@link UdpRelay} (the data paths), {@link SocketSource} (sockets in the rootless netns).
 */
public final class PortForwarder implements AutoCloseable {
    /**
     * @param selectorThreads  selector threads; forwards and connections are spread over them
     *                         (default: the number of cores, at most 4)
     * @param bufferSize       the most bytes read at once (default 1 MiB, one buffer per selector
     *                         thread); a direction whose destination is full keeps what it did
     *                         not take, at most that much, and reads 64 KiB at a time again
     * @param tcpBacklog       listen backlog (default 1024)
     * @param connectTimeout   for the pod side of a TCP connection (default 10 s)
     * @param udpIdleTimeout   after which an idle UDP flow is closed (default 60 s)
     * @param udpFlowsPerPort  the most UDP flows per host port; more clients are dropped (default 4096)
     * @param splice           TCP data is spliced through pipes of up to {@code bufferSize} bytes
     *                         (default); false copies it through the buffers, as before
     */
    public record Settings(int selectorThreads, int bufferSize, int tcpBacklog, Duration connectTimeout,
            Duration udpIdleTimeout, int udpFlowsPerPort, boolean splice) {
        public Settings {
            if (selectorThreads < 1 || selectorThreads > 64) {
                throw new IllegalArgumentException("selectorThreads " + selectorThreads + " out of range 1-64");
            }
            if (bufferSize < BufferPool.MIN_READ || bufferSize > (16 << 20)) {
                throw new IllegalArgumentException("bufferSize " + bufferSize + " out of range 64 KiB-16 MiB");
            }
            if (tcpBacklog < 1 || connectTimeout.isNegative() || connectTimeout.isZero() || udpIdleTimeout.isNegative()
                    || udpIdleTimeout.isZero() || udpFlowsPerPort < 1) {
                throw new IllegalArgumentException("invalid forwarder settings " + this);
            }
        }

        public static Settings defaults() {
            int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
            return new Settings(threads, 1 << 20, 1024, Duration.ofSeconds(10), Duration.ofSeconds(60), 4096, true);
        }

        public Settings withSelectorThreads(int n) {
            return new Settings(n, bufferSize, tcpBacklog, connectTimeout, udpIdleTimeout, udpFlowsPerPort, splice);
        }

        public Settings withBufferSize(int n) {
            return new Settings(selectorThreads, n, tcpBacklog, connectTimeout, udpIdleTimeout, udpFlowsPerPort, splice);
        }

        public Settings withUdpIdleTimeout(Duration d) {
            return new Settings(selectorThreads, bufferSize, tcpBacklog, connectTimeout, d, udpFlowsPerPort, splice);
        }

        public Settings withSplice(boolean on) {
            return new Settings(selectorThreads, bufferSize, tcpBacklog, connectTimeout, udpIdleTimeout, udpFlowsPerPort, on);
        }

        public Settings withConnectTimeout(Duration d) {
            return new Settings(selectorThreads, bufferSize, tcpBacklog, d, udpIdleTimeout, udpFlowsPerPort, splice);
        }
    }

    private final Netns host;
    private final Netns target;
    private final Settings settings;
    private final SocketSource source;
    private final SelectorLoop[] loops;
    private final TcpRelay tcp;
    private final UdpRelay udp;
    private final ForwardTable table = new ForwardTable();
    private int nextLoop;
    private boolean closed;

    /**
     * @param hostNetns     where to listen: a namespace file (the node's, or a test's sandbox),
     *                      or null for the agent's own namespace
     * @param rootlessNetns the namespace to connect to pods from
     */
    public PortForwarder(Path hostNetns, Path rootlessNetns, Settings settings) {
        this.settings = settings;
        this.host = hostNetns == null ? null : NetnsManager.join(hostNetns);
        this.target = NetnsManager.join(rootlessNetns);
        SocketSource s = null;
        List<SelectorLoop> started = new ArrayList<>();
        try {
            s = new SocketSource(target);
            for (int i = 0; i < settings.selectorThreads(); i++) {
                String name = "podnet-forwarder-" + i;
                started.add(new SelectorLoop(settings.bufferSize(), loop -> startInHost(loop, name)));
            }
        } catch (IOException | RuntimeException e) {
            started.forEach(SelectorLoop::shutdown);
            if (s != null) {
                s.close();
            }
            target.close();
            if (host != null) {
                host.close();
            }
            throw new ForwardException(ForwardException.FORWARD_FAILED, "cannot start the port forwarder: " + e.getMessage(), e);
        }
        this.source = s;
        this.loops = started.toArray(SelectorLoop[]::new);
        this.tcp = new TcpRelay(source, settings.connectTimeout(), settings.splice(), loops);
        this.udp = new UdpRelay(source, settings.udpIdleTimeout(), settings.udpFlowsPerPort());
    }

    /** Runs on a thread in the host namespace. */
    private <T> T inHost(Callable<T> work) {
        return host == null ? NetnsThreads.onWorker(work) : host.run(work);
    }

    /** A selector thread is started from the host namespace, as any thread it might start would be. */
    private Thread startInHost(Runnable loop, String name) {
        return inHost(() -> {
            Thread t = new Thread(loop, name);
            t.setDaemon(true);
            t.start();
            return t;
        });
    }

    /**
     * Starts forwarding. Idempotent: a spec that is already active is left as it is.
     *
     * @return the host addresses listened on, with random ports (0) resolved
     * @throws ForwardException {@code HostPortInUse} when a host port is taken (by another
     *                          process, or by another active spec), else
     *                          {@code PortForwardFailed}; nothing of the spec is left then
     */
    public synchronized List<InetSocketAddress> start(ForwardSpec spec) {
        ensureOpen();
        Forward existing = table.get(spec);
        if (existing != null) {
            return existing.bound();
        }
        table.checkFree(spec);
        SelectorLoop loop = loops[Math.floorMod(nextLoop++, loops.length)];
        Forward f = new Forward(spec, loop);
        List<NetworkChannel> listeners;
        try {
            listeners = inHost(() -> Listeners.bind(spec, settings.tcpBacklog()));
        } catch (RuntimeException e) {
            Throwable cause = e.getCause() != null && !(e instanceof ForwardException) ? e.getCause() : e;
            if (cause instanceof ForwardException fe) {
                throw fe;
            }
            if (cause instanceof BindException be) {
                throw new ForwardException(ForwardException.HOST_PORT_IN_USE, "cannot listen for " + spec + ": " + be.getMessage()
                        + holders(spec), be);
            }
            throw new ForwardException(ForwardException.FORWARD_FAILED, "cannot listen for " + spec + ": " + cause.getMessage(), cause);
        }
        try {
            loop.call(() -> {
                f.register(listeners, tcp, udp);
                return null;
            });
        } catch (RuntimeException e) {
            listeners.forEach(Channels::closeQuietly);
            throw new ForwardException(ForwardException.FORWARD_FAILED, "cannot start " + spec + ": " + e.getMessage(), e);
        }
        table.add(f);
        return f.bound();
    }

    /** "; held by pid 1234 (nc)": who has the spec's host ports, looked up where the bind failed, so the condition names it. */
    private String holders(ForwardSpec spec) {
        try {
            List<String> held = inHost(() -> {
                List<String> out = new java.util.ArrayList<>();
                for (int i = 0; i < spec.range() && spec.hostPort() != 0; i++) {
                    int port = spec.hostPort() + i;
                    PortHolders.of(spec.protocol(), port).forEach(h -> out.add(port + " by " + h));
                }
                return out;
            });
            return held.isEmpty() ? "" : "; held: " + String.join(", ", held);
        } catch (RuntimeException e) {
            return ""; // the bind failure says enough without its holder
        }
    }

    /** Stops a forward and closes its connections and flows; false when it was not active. */
    public synchronized boolean stop(ForwardSpec spec) {
        Forward f = table.remove(spec);
        if (f == null) {
            return false;
        }
        f.closed = true;
        f.loop.call(() -> {
            f.close();
            return null;
        });
        for (SelectorLoop l : loops) {
            // connections were handed to every loop; a handoff queued before this runs before it
            l.call(() -> {
                l.closeConnectionsOf(f);
                l.flushCancelled();
                return null;
            });
        }
        table.retire(f);
        return true;
    }

    /** Stops every forward of one owner; returns how many there were. */
    public synchronized int stopOwner(String owner) {
        List<ForwardSpec> specs = table.specsInOrder().stream().filter(s -> s.owner().equals(owner)).toList();
        specs.forEach(this::stop);
        return specs.size();
    }

    /** Stops every forward. */
    public synchronized void stopAll() {
        table.specsInOrder().forEach(this::stop);
    }

    /** The active forwards. */
    public synchronized Set<ForwardSpec> active() {
        return table.specs();
    }

    /** The host addresses an active forward listens on. */
    public synchronized Optional<List<InetSocketAddress>> bound(ForwardSpec spec) {
        return Optional.ofNullable(table.get(spec)).map(Forward::bound);
    }

    /** Totals since this forwarder started, stopped forwards included. */
    public synchronized ForwardCounters counters() {
        return table.totals();
    }

    /** The counters of one active forward. */
    public synchronized Optional<ForwardCounters> counters(ForwardSpec spec) {
        return Optional.ofNullable(table.get(spec)).map(f -> f.counters.snapshot());
    }

    /** Stops everything and ends the threads. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        try {
            stopAll();
        } finally {
            closed = true;
            for (SelectorLoop l : loops) {
                l.shutdown();
            }
            source.close();
            target.close();
            if (host != null) {
                host.close();
            }
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("port forwarder is closed");
        }
    }
}
