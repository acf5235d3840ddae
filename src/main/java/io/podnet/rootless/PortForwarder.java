package io.podnet.rootless;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;

import io.podnet.netns.Netns;
import io.podnet.netns.NetnsManager;
import io.podnet.netns.NetnsThreads;
import io.podnet.inet.PortMapping;

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
 * connections cost no hand-over, and long ones spread over the cores). Data is read into a per-thread buffer (64 KiB at a time at first, up to 1 MiB while
 * the destination takes everything) and written on at once; only what the other side does not
 * take is kept, in a buffer of that direction, and while one is kept the side it
 * came from is not read (back-pressure: the kernel's socket buffers hold the rest). An EOF from
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
 */
public final class PortForwarder implements AutoCloseable {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(PortForwarder.class);
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
     */
    public record Settings(int selectorThreads, int bufferSize, int tcpBacklog, Duration connectTimeout,
            Duration udpIdleTimeout, int udpFlowsPerPort) {
        public Settings {
            if (selectorThreads < 1 || selectorThreads > 64) {
                throw new IllegalArgumentException("selectorThreads " + selectorThreads + " out of range 1-64");
            }
            if (bufferSize < MIN_READ || bufferSize > (16 << 20)) {
                throw new IllegalArgumentException("bufferSize " + bufferSize + " out of range 64 KiB-16 MiB");
            }
            if (tcpBacklog < 1 || connectTimeout.isNegative() || connectTimeout.isZero() || udpIdleTimeout.isNegative()
                    || udpIdleTimeout.isZero() || udpFlowsPerPort < 1) {
                throw new IllegalArgumentException("invalid forwarder settings " + this);
            }
        }

        public static Settings defaults() {
            int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
            return new Settings(threads, 1 << 20, 1024, Duration.ofSeconds(10), Duration.ofSeconds(60), 4096);
        }

        public Settings withSelectorThreads(int n) {
            return new Settings(n, bufferSize, tcpBacklog, connectTimeout, udpIdleTimeout, udpFlowsPerPort);
        }

        public Settings withBufferSize(int n) {
            return new Settings(selectorThreads, n, tcpBacklog, connectTimeout, udpIdleTimeout, udpFlowsPerPort);
        }

        public Settings withUdpIdleTimeout(Duration d) {
            return new Settings(selectorThreads, bufferSize, tcpBacklog, connectTimeout, d, udpFlowsPerPort);
        }

        public Settings withConnectTimeout(Duration d) {
            return new Settings(selectorThreads, bufferSize, tcpBacklog, d, udpIdleTimeout, udpFlowsPerPort);
        }
    }

    /** The first read of a direction, and its size again after its destination was full. */
    static final int MIN_READ = 64 << 10;

    private final Netns host;
    private final Netns target;
    private final Settings settings;
    private final SocketSource source;
    private final Loop[] loops;
    private final Map<ForwardSpec, Forward> forwards = new LinkedHashMap<>();
    private final Counters retired = new Counters();
    private final java.util.concurrent.atomic.AtomicInteger nextPairLoop = new java.util.concurrent.atomic.AtomicInteger();
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
        List<Loop> started = new ArrayList<>();
        try {
            s = new SocketSource(target);
            for (int i = 0; i < settings.selectorThreads(); i++) {
                started.add(new Loop(i));
            }
        } catch (IOException | RuntimeException e) {
            started.forEach(Loop::shutdown);
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
        this.loops = started.toArray(Loop[]::new);
    }

    /** Runs on a thread in the host namespace. */
    private <T> T inHost(Callable<T> work) {
        return host == null ? NetnsThreads.onWorker(work) : host.run(work);
    }

    // ------------------------------------------------------------------ public API

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
        Forward existing = forwards.get(spec);
        if (existing != null) {
            return existing.bound();
        }
        for (ForwardSpec other : forwards.keySet()) {
            if (overlaps(other, spec)) {
                throw new ForwardException(ForwardException.HOST_PORT_IN_USE,
                        "host port of " + spec + " is already forwarded by " + other, null);
            }
        }
        Loop loop = loops[Math.floorMod(nextLoop++, loops.length)];
        Forward f = new Forward(spec, loop);
        List<java.nio.channels.NetworkChannel> listeners;
        try {
            listeners = inHost(() -> bind(spec));
        } catch (RuntimeException e) {
            Throwable cause = e.getCause() != null && !(e instanceof ForwardException) ? e.getCause() : e;
            if (cause instanceof ForwardException fe) {
                throw fe;
            }
            if (cause instanceof BindException be) {
                throw new ForwardException(ForwardException.HOST_PORT_IN_USE, "cannot listen for " + spec + ": " + be.getMessage(), be);
            }
            throw new ForwardException(ForwardException.FORWARD_FAILED, "cannot listen for " + spec + ": " + cause.getMessage(), cause);
        }
        try {
            loop.call(() -> {
                f.register(listeners);
                return null;
            });
        } catch (RuntimeException e) {
            listeners.forEach(PortForwarder::closeQuietly);
            throw new ForwardException(ForwardException.FORWARD_FAILED, "cannot start " + spec + ": " + e.getMessage(), e);
        }
        forwards.put(spec, f);
        return f.bound();
    }

    /** Stops a forward and closes its connections and flows; false when it was not active. */
    public synchronized boolean stop(ForwardSpec spec) {
        Forward f = forwards.remove(spec);
        if (f == null) {
            return false;
        }
        f.closed = true;
        f.loop.call(() -> {
            f.shutdown();
            return null;
        });
        for (Loop l : loops) {
            // connections were handed to every loop; a handoff queued before this runs before it
            l.call(() -> {
                l.closePairsOf(f);
                return null;
            });
        }
        retired.add(f.counters);
        return true;
    }

    /** Stops every forward of one owner; returns how many there were. */
    public synchronized int stopOwner(String owner) {
        List<ForwardSpec> specs = forwards.keySet().stream().filter(s -> s.owner().equals(owner)).toList();
        specs.forEach(this::stop);
        return specs.size();
    }

    /** Stops every forward. */
    public synchronized void stopAll() {
        new ArrayList<>(forwards.keySet()).forEach(this::stop);
    }

    /** The active forwards. */
    public synchronized Set<ForwardSpec> active() {
        return Set.copyOf(forwards.keySet());
    }

    /** The host addresses an active forward listens on. */
    public synchronized Optional<List<InetSocketAddress>> bound(ForwardSpec spec) {
        return Optional.ofNullable(forwards.get(spec)).map(Forward::bound);
    }

    /** Totals since this forwarder started, stopped forwards included. */
    public synchronized ForwardCounters counters() {
        ForwardCounters total = retired.snapshot();
        for (Forward f : forwards.values()) {
            total = total.plus(f.counters.snapshot());
        }
        return total;
    }

    /** The counters of one active forward. */
    public synchronized Optional<ForwardCounters> counters(ForwardSpec spec) {
        return Optional.ofNullable(forwards.get(spec)).map(f -> f.counters.snapshot());
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
            for (Loop l : loops) {
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

    private static boolean overlaps(ForwardSpec a, ForwardSpec b) {
        if (a.protocol() != b.protocol() || a.hostPort() == 0 || b.hostPort() == 0 || a.podIsV6() != b.podIsV6()) {
            return false;
        }
        return PortMapping.hostIpsOverlap(a.hostIp(), b.hostIp()) && a.hostPort() <= b.hostPort() + b.range() - 1 && b.hostPort() <= a.hostPort() + a.range() - 1;
    }

    /** Opens and binds the spec's listening sockets; runs in the host namespace. */
    private List<java.nio.channels.NetworkChannel> bind(ForwardSpec spec) throws IOException {
        List<java.nio.channels.NetworkChannel> out = new ArrayList<>();
        StandardProtocolFamily family = spec.podIsV6() ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
        InetAddress address = spec.hostIp() != null ? spec.hostIp()
                : InetAddress.getByName(spec.podIsV6() ? "::" : "0.0.0.0");
        try {
            for (int i = 0; i < spec.range(); i++) {
                InetSocketAddress at = new InetSocketAddress(address, spec.hostPort() == 0 ? 0 : spec.hostPort() + i);
                if (spec.protocol() == ForwardSpec.Protocol.TCP) {
                    ServerSocketChannel s = ServerSocketChannel.open(family);
                    out.add(s);
                    s.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                    s.bind(at, settings.tcpBacklog());
                } else {
                    DatagramChannel d = DatagramChannel.open(family);
                    out.add(d);
                    d.bind(at);
                }
            }
            return out;
        } catch (IOException | RuntimeException e) {
            out.forEach(PortForwarder::closeQuietly);
            throw e;
        }
    }

    static void closeQuietly(java.nio.channels.Channel c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    // ------------------------------------------------------------------ counters

    private static final class Counters {
        final LongAdder accepted = new LongAdder();
        final LongAdder active = new LongAdder();
        final LongAdder connectFailures = new LongAdder();
        final LongAdder bytesToPod = new LongAdder();
        final LongAdder bytesFromPod = new LongAdder();
        final LongAdder flowsCreated = new LongAdder();
        final LongAdder flowsActive = new LongAdder();
        final LongAdder flowsExpired = new LongAdder();
        final LongAdder dropped = new LongAdder();

        ForwardCounters snapshot() {
            return new ForwardCounters(accepted.sum(), active.sum(), connectFailures.sum(), bytesToPod.sum(), bytesFromPod.sum(),
                    flowsCreated.sum(), flowsActive.sum(), flowsExpired.sum(), dropped.sum());
        }

        void add(Counters o) {
            ForwardCounters s = o.snapshot();
            accepted.add(s.connectionsAccepted());
            connectFailures.add(s.connectFailures());
            bytesToPod.add(s.bytesToPod());
            bytesFromPod.add(s.bytesFromPod());
            flowsCreated.add(s.udpFlowsCreated());
            flowsExpired.add(s.udpFlowsExpired());
            dropped.add(s.datagramsDropped());
        }
    }

    // ------------------------------------------------------------------ selector threads

    /** Something registered with a selector. */
    private interface Handler {
        void ready(SelectionKey key);

        /** The handler threw: what it serves is closed, so the loop can go on serving the rest. */
        default void failed(SelectionKey key) {
            key.cancel();
            closeQuietly(key.channel());
        }
    }

    /** One selector thread: runs tasks, selects, dispatches; owns its forwards' channels. */
    private final class Loop implements Runnable {
        final Selector selector;
        final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
        final ByteBuffer scratch;
        /** Spare buffers for kept data, by size class: MIN_READ, then x4 up to the buffer size. */
        final List<ArrayDeque<ByteBuffer>> spare = new ArrayList<>();
        final Set<Forward> owned = new HashSet<>();
        final Set<Pair> pairs = new HashSet<>();
        /** Connections on this loop, read by other loops when they choose where a new one goes. */
        final java.util.concurrent.atomic.AtomicInteger load = new java.util.concurrent.atomic.AtomicInteger();
        final Thread thread;
        volatile boolean stopping;
        long lastSweep = System.nanoTime();

        Loop(int index) throws IOException {
            selector = Selector.open();
            scratch = ByteBuffer.allocateDirect(settings.bufferSize());
            try {
                // created from a thread in the host namespace, as any thread it might start would be
                thread = inHost(() -> {
                    Thread t = new Thread(this, "podnet-forwarder-" + index);
                    t.setDaemon(true);
                    t.start();
                    return t;
                });
            } catch (RuntimeException e) {
                selector.close();
                throw e;
            }
        }

        /** A buffer for {@code size} bytes of kept data: the smallest size class that holds them. */
        ByteBuffer takeBuffer(int size) {
            int cls = 0;
            int capacity = MIN_READ;
            while (capacity < size) {
                capacity = Math.min(capacity * 4, settings.bufferSize());
                cls++;
            }
            while (spare.size() <= cls) {
                spare.add(new ArrayDeque<>());
            }
            ByteBuffer b = spare.get(cls).poll();
            return b != null ? b.clear() : ByteBuffer.allocateDirect(capacity);
        }

        void giveBuffer(ByteBuffer b) {
            int cls = 0;
            for (int c = MIN_READ; c < b.capacity(); c = Math.min(c * 4, settings.bufferSize())) {
                cls++;
            }
            if (cls < spare.size() && spare.get(cls).size() < 8) {
                spare.get(cls).push(b);
            }
        }

        /** Runs {@code work} on this loop's thread soon, without waiting. */
        void execute(Runnable work) {
            tasks.add(work);
            selector.wakeup();
        }

        /** On this loop's thread: closes the forward's connections here, and releases their descriptors now. */
        void closePairsOf(Forward f) {
            for (Pair p : new ArrayList<>(pairs)) {
                if (p.forward == f) {
                    p.close(false);
                }
            }
            try {
                selector.selectNow();
            } catch (IOException e) {
                // the loop is going down
            }
        }

        /** Runs {@code work} on this loop's thread and waits for it. */
        <T> T call(Callable<T> work) {
            if (Thread.currentThread() == thread) {
                try {
                    return work.call();
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
            CompletableFuture<T> f = new CompletableFuture<>();
            tasks.add(() -> {
                try {
                    f.complete(work.call());
                } catch (Throwable t) {
                    f.completeExceptionally(t);
                }
            });
            selector.wakeup();
            try {
                while (true) {
                    try {
                        return f.get(1, TimeUnit.SECONDS);
                    } catch (TimeoutException e) {
                        if (!thread.isAlive() && !f.isDone()) {
                            throw new IllegalStateException("forwarder thread " + thread.getName() + " is gone");
                        }
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the forwarder thread", e);
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof RuntimeException re) {
                    throw re;
                }
                throw new IllegalStateException(c.getMessage(), c);
            }
        }

        @Override
        public void run() {
            try {
                while (!stopping) {
                    boolean ran = runTasks();
                    if (ran || !selector.selectedKeys().isEmpty()) {
                        selector.selectNow();
                    } else {
                        selector.select(1000);
                    }
                    Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                    while (it.hasNext()) {
                        SelectionKey k = it.next();
                        it.remove();
                        if (!k.isValid()) {
                            continue;
                        }
                        Handler h = (Handler) k.attachment();
                        try {
                            h.ready(k);
                        } catch (CancelledKeyException e) {
                            // closed by an earlier handler of this round
                        } catch (RuntimeException | OutOfMemoryError e) {
                            // one connection's failure (direct memory exhausted, a bug) must not take the loop and its forwards down
                            LOG.warnf(e, "port forwarder %s: a connection failed and is closed", Thread.currentThread().getName());
                            h.failed(k);
                        }
                    }
                    long now = System.nanoTime();
                    if (now - lastSweep > 250_000_000L) {
                        lastSweep = now;
                        for (Pair p : new ArrayList<>(pairs)) {
                            p.checkConnectTimeout(now);
                        }
                        for (Forward f : new ArrayList<>(owned)) {
                            f.sweep(now);
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                // the selector broke: nothing can be served any more; close what it had
                LOG.errorf(e, "port forwarder thread %s failed; its forwards are closed", Thread.currentThread().getName());
            } finally {
                for (Forward f : new ArrayList<>(owned)) {
                    f.shutdown();
                }
                runTasks();
                for (Pair p : new ArrayList<>(pairs)) {
                    p.close(false);
                }
                try {
                    selector.close();
                } catch (IOException e) {
                    // closing anyway
                }
            }
        }

        private boolean runTasks() {
            boolean ran = false;
            Runnable r;
            while ((r = tasks.poll()) != null) {
                r.run();
                ran = true;
            }
            return ran;
        }

        void shutdown() {
            stopping = true;
            selector.wakeup();
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ------------------------------------------------------------------ forwards

    /** One active spec: its listeners, connections and flows, all on one loop. */
    private final class Forward {
        final ForwardSpec spec;
        final Loop loop;
        final Counters counters = new Counters();
        final List<java.nio.channels.NetworkChannel> listeners = new ArrayList<>();
        final Map<UdpPort, Boolean> udpPorts = new HashMap<>();
        volatile List<InetSocketAddress> bound = List.of();
        volatile boolean closed;

        Forward(ForwardSpec spec, Loop loop) {
            this.spec = spec;
            this.loop = loop;
        }

        List<InetSocketAddress> bound() {
            return bound;
        }

        /** On the loop thread. */
        void register(List<java.nio.channels.NetworkChannel> channels) throws IOException {
            List<InetSocketAddress> addresses = new ArrayList<>();
            try {
                for (int i = 0; i < channels.size(); i++) {
                    java.nio.channels.NetworkChannel c = channels.get(i);
                    listeners.add(c);
                    InetSocketAddress to = new InetSocketAddress(spec.podIp(), spec.podPort() + i);
                    addresses.add((InetSocketAddress) c.getLocalAddress());
                    if (c instanceof ServerSocketChannel s) {
                        s.configureBlocking(false);
                        s.register(loop.selector, SelectionKey.OP_ACCEPT, new TcpListener(this, s, to));
                    } else {
                        DatagramChannel d = (DatagramChannel) c;
                        d.configureBlocking(false);
                        UdpPort port = new UdpPort(this, d, to);
                        udpPorts.put(port, true);
                        d.register(loop.selector, SelectionKey.OP_READ, port);
                    }
                }
            } catch (IOException | RuntimeException e) {
                shutdown();
                throw e;
            }
            bound = List.copyOf(addresses);
            loop.owned.add(this);
        }

        void sweep(long now) {
            for (UdpPort u : udpPorts.keySet()) {
                u.expire(now);
            }
        }

        /**
         * On the forward's loop: closes the listeners, the UDP flows and the connections on this
         * loop, and makes the closes take effect now.
         */
        void shutdown() {
            closed = true;
            listeners.forEach(PortForwarder::closeQuietly);
            listeners.clear();
            for (Pair p : new ArrayList<>(loop.pairs)) {
                if (p.forward == this) {
                    p.close(false);
                }
            }
            for (UdpPort u : udpPorts.keySet()) {
                u.closeAll();
            }
            udpPorts.clear();
            loop.owned.remove(this);
            try {
                // a registered channel's descriptor is released when its key is deregistered
                loop.selector.selectNow();
            } catch (IOException e) {
                // the loop is going down
            }
        }
    }

    /**
     * Where a new connection goes: the accepting loop, unless another has at least two fewer
     * connections. Handing a connection over costs a wake-up of the other thread, which short
     * connections do not repay; long ones (bulk streams) still spread over the threads.
     */
    private Loop chooseLoop(Loop accepting) {
        Loop best = accepting;
        int bestLoad = accepting.load.get() - 1;
        int start = Math.floorMod(nextPairLoop.getAndIncrement(), loops.length);
        for (int i = 0; i < loops.length; i++) {
            Loop l = loops[(start + i) % loops.length];
            if (l != accepting && l.load.get() < bestLoad) {
                best = l;
                bestLoad = l.load.get();
            }
        }
        return best;
    }

    private final class TcpListener implements Handler {
        final Forward forward;
        final ServerSocketChannel server;
        final InetSocketAddress to;

        TcpListener(Forward forward, ServerSocketChannel server, InetSocketAddress to) {
            this.forward = forward;
            this.server = server;
            this.to = to;
        }

        @Override
        public void ready(SelectionKey key) {
            for (int i = 0; i < 64; i++) {
                SocketChannel client;
                try {
                    client = server.accept();
                } catch (IOException e) {
                    return; // EMFILE and the like: the connection waits in the backlog
                }
                if (client == null) {
                    return;
                }
                forward.counters.accepted.increment();
                Loop target = chooseLoop(forward.loop);
                target.load.incrementAndGet();
                if (target == forward.loop) {
                    new Pair(forward, client, to, target).begin();
                } else {
                    target.execute(() -> new Pair(forward, client, to, target).begin());
                }
            }
        }
    }

    /**
     * One direction of a TCP connection. Its reads start at {@link #MIN_READ} bytes and double
     * with each read its destination takes whole, up to the buffer size: bulk streams move large
     * chunks (fewer system calls and wake-ups per byte), while a direction whose destination is
     * slow reads small chunks again, so what it must keep stays small.
     */
    private static final class Direction {
        int readLimit = MIN_READ;
        ByteBuffer pending;
        boolean eof;
        boolean shut;

        boolean done() {
            return eof && pending == null && shut;
        }
    }

    /** A client connection and its connection to the pod. */
    private final class Pair {
        final Forward forward;
        final Loop loop;
        final SocketChannel client;
        final InetSocketAddress to;
        SocketChannel pod;
        SelectionKey clientKey;
        SelectionKey podKey;
        final Direction toPod = new Direction();
        final Direction toClient = new Direction();
        boolean connected;
        boolean closed;
        int clientOps = -1;
        int podOps = -1;
        long started = System.nanoTime();

        final Handler clientSide = new Side(true);
        final Handler podSide = new Side(false);

        /** One socket of the pair; a failure on either closes both. */
        private final class Side implements Handler {
            private final boolean client;

            Side(boolean client) {
                this.client = client;
            }

            @Override
            public void ready(SelectionKey key) {
                if (client) {
                    onClient(key);
                } else {
                    onPod(key);
                }
            }

            @Override
            public void failed(SelectionKey key) {
                close(true);
            }
        }

        Pair(Forward forward, SocketChannel client, InetSocketAddress to, Loop loop) {
            this.forward = forward;
            this.loop = loop;
            this.client = client;
            this.to = to;
        }

        /** On the pair's loop thread. */
        void begin() {
            loop.pairs.add(this);
            forward.counters.active.increment();
            if (forward.closed) {
                close(true);
                return;
            }
            try {
                client.configureBlocking(false);
                client.setOption(StandardSocketOptions.TCP_NODELAY, true);
                clientKey = client.register(loop.selector, 0, clientSide);
                pod = source.tcp(forward.spec.podIsV6());
                // on loopback and bridges the handshake is usually done before connect returns
                connected = pod.connect(to) || pod.finishConnect();
                podKey = pod.register(loop.selector, 0, podSide);
                if (connected) {
                    // a client that speaks first has usually spoken by now: save a select round
                    transfer(client, pod, toPod, forward.counters.bytesToPod);
                }
                update();
            } catch (IOException | RuntimeException e) {
                forward.counters.connectFailures.increment();
                close(true);
            }
        }

        void checkConnectTimeout(long now) {
            if (!connected && !closed && now - started > settings.connectTimeout().toNanos()) {
                forward.counters.connectFailures.increment();
                close(true);
            }
        }

        private void onPod(SelectionKey key) {
            try {
                if (!connected) {
                    if (key.isConnectable()) {
                        pod.finishConnect();
                        connected = true;
                    }
                    update();
                    return;
                }
                if (key.isWritable() && flush(toPod, pod)) {
                    // room again: move on what the client has sent meanwhile, before the
                    // interests are switched back (no select round, no epoll_ctl while the pod is the bottleneck)
                    transfer(client, pod, toPod, forward.counters.bytesToPod);
                }
                if (key.isReadable()) {
                    transfer(pod, client, toClient, forward.counters.bytesFromPod);
                }
                update();
            } catch (IOException e) {
                if (!connected) {
                    forward.counters.connectFailures.increment();
                }
                close(true);
            }
        }

        private void onClient(SelectionKey key) {
            try {
                if (key.isWritable() && flush(toClient, client)) {
                    transfer(pod, client, toClient, forward.counters.bytesFromPod);
                }
                if (key.isReadable()) {
                    transfer(client, pod, toPod, forward.counters.bytesToPod);
                }
                update();
            } catch (IOException e) {
                close(true);
            }
        }

        /** Reads {@code from} and writes to {@code to} until there is nothing to read or {@code to} is full. */
        private void transfer(SocketChannel from, SocketChannel to, Direction d, LongAdder bytes) throws IOException {
            ByteBuffer buf = loop.scratch;
            for (int round = 0; round < 8 && d.pending == null && !d.eof; round++) {
                buf.clear().limit(Math.min(d.readLimit, buf.capacity()));
                int n = from.read(buf);
                if (n < 0) {
                    d.eof = true;
                    shutOutput(to, d);
                    return;
                }
                if (n == 0) {
                    return;
                }
                bytes.add(n);
                buf.flip();
                to.write(buf);
                if (buf.hasRemaining()) {
                    // the other side is full: keep the rest, stop reading this side until it is written
                    ByteBuffer keep = loop.takeBuffer(buf.remaining());
                    keep.put(buf).flip();
                    d.pending = keep;
                    d.readLimit = MIN_READ;
                    return;
                }
                if (n == buf.limit() && d.readLimit < buf.capacity()) {
                    d.readLimit = Math.min(d.readLimit * 2, buf.capacity());
                }
                // read on until EAGAIN: an EOF right behind the data is seen now, not a select later
            }
        }

        /** Writes what is kept for {@code d}; true when all of it is written and its source may be read again. */
        private boolean flush(Direction d, SocketChannel to) throws IOException {
            if (d.pending == null) {
                return false;
            }
            to.write(d.pending);
            if (d.pending.hasRemaining()) {
                return false;
            }
            loop.giveBuffer(d.pending);
            d.pending = null;
            if (d.eof) {
                shutOutput(to, d);
                return false;
            }
            return true;
        }

        private void shutOutput(SocketChannel to, Direction d) throws IOException {
            if (d.pending == null && !d.shut) {
                d.shut = true;
                Direction other = d == toPod ? toClient : toPod;
                if (!other.done()) {
                    to.shutdownOutput();
                }
                // else both directions are done and the close that follows sends the FIN
            }
        }

        private void update() {
            if (closed) {
                return;
            }
            if (toPod.done() && toClient.done()) {
                close(false);
                return;
            }
            int c = 0;
            int p;
            if (!connected) {
                p = SelectionKey.OP_CONNECT;
            } else {
                if (!toPod.eof && toPod.pending == null) {
                    c |= SelectionKey.OP_READ;
                }
                p = 0;
                if (!toClient.eof && toClient.pending == null) {
                    p |= SelectionKey.OP_READ;
                }
                if (toPod.pending != null) {
                    p |= SelectionKey.OP_WRITE;
                }
            }
            if (toClient.pending != null) {
                c |= SelectionKey.OP_WRITE;
            }
            if (c != clientOps) {
                clientKey.interestOps(c);
                clientOps = c;
            }
            if (p != podOps) {
                podKey.interestOps(p);
                podOps = p;
            }
        }

        /** Closes both sides; {@code abort} resets them (SO_LINGER 0) instead of a normal close. */
        void close(boolean abort) {
            if (closed) {
                return;
            }
            closed = true;
            loop.pairs.remove(this);
            loop.load.decrementAndGet();
            forward.counters.active.decrement();
            for (SocketChannel c : new SocketChannel[] {client, pod}) {
                if (c == null) {
                    continue;
                }
                if (abort && c.isOpen()) {
                    try {
                        c.setOption(StandardSocketOptions.SO_LINGER, 0);
                    } catch (IOException | RuntimeException e) {
                        // a plain close then
                    }
                }
                closeQuietly(c);
            }
            for (Direction d : new Direction[] {toPod, toClient}) {
                if (d.pending != null) {
                    loop.giveBuffer(d.pending);
                    d.pending = null;
                }
            }
        }
    }

    /** A UDP host port: its listening socket and the flows of its clients. */
    private final class UdpPort implements Handler {
        final Forward forward;
        final DatagramChannel listener;
        final InetSocketAddress to;
        final Map<SocketAddress, Flow> flows = new HashMap<>();

        UdpPort(Forward forward, DatagramChannel listener, InetSocketAddress to) {
            this.forward = forward;
            this.listener = listener;
            this.to = to;
        }

        @Override
        public void ready(SelectionKey key) {
            ByteBuffer buf = forward.loop.scratch;
            for (int i = 0; i < 64; i++) {
                buf.clear();
                SocketAddress from;
                try {
                    from = listener.receive(buf);
                } catch (IOException e) {
                    return;
                }
                if (from == null) {
                    return;
                }
                buf.flip();
                Flow flow = flows.get(from);
                if (flow == null) {
                    flow = open(from);
                    if (flow == null) {
                        forward.counters.dropped.increment();
                        continue;
                    }
                }
                flow.lastActive = System.nanoTime();
                forward.counters.bytesToPod.add(buf.remaining());
                try {
                    if (flow.channel.write(buf) == 0) {
                        forward.counters.dropped.increment();
                    }
                } catch (IOException e) {
                    // ECONNREFUSED from an earlier ICMP port unreachable: the pod is not listening
                    forward.counters.dropped.increment();
                }
            }
        }

        private Flow open(SocketAddress client) {
            if (flows.size() >= settings.udpFlowsPerPort()) {
                return null;
            }
            DatagramChannel c = null;
            try {
                c = source.udp(forward.spec.podIsV6());
                c.connect(to);
                Flow f = new Flow(this, client, c);
                c.register(forward.loop.selector, SelectionKey.OP_READ, f);
                flows.put(client, f);
                forward.counters.flowsCreated.increment();
                forward.counters.flowsActive.increment();
                return f;
            } catch (IOException | RuntimeException e) {
                closeQuietly(c);
                return null;
            }
        }

        void expire(long now) {
            long idle = settings.udpIdleTimeout().toNanos();
            for (Iterator<Flow> it = flows.values().iterator(); it.hasNext();) {
                Flow f = it.next();
                if (now - f.lastActive > idle) {
                    it.remove();
                    f.close();
                    forward.counters.flowsExpired.increment();
                }
            }
        }

        void closeAll() {
            closeQuietly(listener);
            for (Flow f : flows.values()) {
                f.close();
            }
            flows.clear();
        }
    }

    /** One UDP client's flow: its socket connected to the pod. */
    private final class Flow implements Handler {
        final UdpPort port;
        final SocketAddress client;
        final DatagramChannel channel;
        long lastActive = System.nanoTime();

        Flow(UdpPort port, SocketAddress client, DatagramChannel channel) {
            this.port = port;
            this.client = client;
            this.channel = channel;
        }

        @Override
        public void ready(SelectionKey key) {
            ByteBuffer buf = port.forward.loop.scratch;
            for (int i = 0; i < 64; i++) {
                buf.clear();
                int n;
                try {
                    n = channel.read(buf);
                } catch (PortUnreachableException e) {
                    port.forward.counters.dropped.increment();
                    continue;
                } catch (IOException e) {
                    return;
                }
                if (n <= 0) {
                    return;
                }
                lastActive = System.nanoTime();
                buf.flip();
                port.forward.counters.bytesFromPod.add(n);
                try {
                    if (port.listener.send(buf, client) == 0) {
                        port.forward.counters.dropped.increment();
                    }
                } catch (IOException e) {
                    port.forward.counters.dropped.increment();
                }
            }
        }

        void close() {
            closeQuietly(channel);
            port.forward.counters.flowsActive.decrement();
        }
    }
}
