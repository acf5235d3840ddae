package io.podnet.engine.apply;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

import io.podnet.engine.NetnsRequest;
import io.podnet.engine.PodRequest;
import io.podnet.engine.RejectedRequestException;
import io.podnet.engine.SetupFailedException;
import io.podnet.engine.Stage;
import io.podnet.engine.plan.KernelNames;
import io.podnet.engine.plan.PodState;
import io.podnet.netlink.Link;
import io.podnet.netlink.RtnlClient;
import io.podnet.netns.Netns;
import io.podnet.netns.NetnsException;
import io.podnet.netns.NetnsManager;
import io.podnet.netns.SpareNamespaces;

/**
 * A pod's namespace, whatever its kind: one podnet creates (NEW), an existing file it joins
 * (PATH), or a process's it bind-mounts (PID). Opening it also opens a netlink socket inside on
 * the same thread hop. A new one is a spare made ahead (see {@link SpareNamespaces}) when one is
 * ready.
 */
public final class PodNamespaces implements AutoCloseable {
    /** Enough for a burst of pods while the next ones are made; each idle spare is a loopback's worth of kernel memory. */
    private static final int SPARES = 4;

    private final NetnsManager manager;
    private final SpareNamespaces<RtnlClient> spares = new SpareNamespaces<>(SPARES, () -> openClient(true), RtnlClient::close);

    public PodNamespaces(NetnsManager manager) {
        this.manager = manager;
    }

    /** After a setup: the spare namespaces it may have taken are made again, in the background. */
    public void refillSpares() {
        spares.refill();
    }

    @Override
    public void close() {
        spares.close();
    }

    /** Drift repair of the namespace directory itself; whether it had to be made again. */
    public boolean ensureDir() {
        return manager.ensureDir();
    }

    public record Opened(Netns netns, RtnlClient client, boolean created) implements AutoCloseable {
        @Override
        public void close() {
            try {
                client.close();
            } finally {
                netns.close();
            }
        }
    }

    /** Where the pod's namespace file is (or will be), and whether podnet makes it. */
    public Path pathFor(PodRequest request) {
        return request.netns().kind() == NetnsRequest.Kind.PATH ? request.netns().path() : manager.pathOf(KernelNames.netns(request.id()));
    }

    public Opened open(PodState state) {
        try {
            return switch (NetnsRequest.Kind.valueOf(state.netnsKind())) {
                case NEW -> openNew(KernelNames.netns(state.id()));
                case PID -> inside(manager.bindProcess(KernelNames.netns(state.id()), state.netnsPid()), false);
                case PATH -> inside(NetnsManager.join(Path.of(state.netnsPath())), false);
            };
        } catch (NetnsException | IllegalArgumentException e) {
            throw new SetupFailedException(Stage.NETNS, "NetnsFailed", e.getMessage(), e);
        }
    }

    /**
     * The pod's own namespace: the one podnet made before (adoption after a restart), else a spare
     * or, when none is ready, a new one, named for the pod.
     */
    private Opened openNew(String name) {
        Optional<Netns> existing = manager.openExisting(name);
        if (existing.isPresent()) {
            return inside(existing.get(), true);
        }
        NetnsManager.Unnamed<RtnlClient> made = spares.take().orElseGet(() -> NetnsManager.createUnnamed(() -> openClient(true)));
        try {
            Netns named = manager.name(name, made.fd()).orElseThrow(() -> new NetnsException("namespace " + manager.pathOf(name)
                    + " appeared while it was being made"));
            return new Opened(named, made.value(), true);
        } catch (RuntimeException e) {
            spares.discard(made);
            throw e;
        }
    }

    private static Opened inside(Netns ns, boolean ownNamespace) {
        try {
            return new Opened(ns, ns.run(() -> openClient(ownNamespace)), false);
        } catch (RuntimeException e) {
            ns.close();
            throw e;
        }
    }

    /** Links already in a joined namespace (podnet's own of {@code prior} excluded). */
    public Set<String> foreignLinks(PodRequest request, PodState prior) {
        if (request.netns().kind() == NetnsRequest.Kind.NEW) {
            return Set.of();
        }
        Set<String> ours = new HashSet<>();
        if (prior != null) {
            prior.attachments().forEach(a -> ours.add(a.interfaceName()));
        }
        Netns ns = request.netns().kind() == NetnsRequest.Kind.PID
                ? NetnsManager.ofPid(request.netns().pid())
                : NetnsManager.join(request.netns().path());
        try (ns) {
            Set<String> names = new HashSet<>();
            for (Link l : ns.run(() -> {
                try (RtnlClient c = RtnlClient.open()) {
                    return c.links();
                }
            })) {
                if (!ours.contains(l.name())) {
                    names.add(l.name());
                }
            }
            return names;
        } catch (NetnsException e) {
            throw new RejectedRequestException(Stage.NETNS, "NetnsNotFound", e.getMessage());
        }
    }

    /**
     * The pod's namespace as it is, for drivers that remove links inside it (a macvlan lives
     * only there). Opened on first use and only if its file is still there; for a teardown of a
     * namespace podnet created, never: deleting it takes its links along.
     */
    /** No namespace: for a pod podnet has no record of, whose namespace (if any) it removes whole. */
    public static final Existing NONE = new Existing(null, true);

    public Existing existing(PodState state, boolean teardown) {
        return new Existing(state, teardown && NetnsRequest.Kind.NEW.name().equals(state.netnsKind()));
    }

    public static final class Existing implements AutoCloseable {
        private final PodState state;
        private final boolean goesAway;
        private Opened opened;
        private boolean tried;

        private Existing(PodState state, boolean goesAway) {
            this.state = state;
            this.goesAway = goesAway;
        }

        /**
         * Whether the namespace podnet made for this pod is deleted right after, taking the
         * pod's veth pairs with it (not for a pod without a record: its host end may have no peer there).
         */
        public boolean pairGoesWithNamespace() {
            return goesAway && state != null;
        }

        /** Netlink inside the pod's namespace; empty when it is gone or about to go. */
        public Optional<RtnlClient> client() {
            if (!tried) {
                tried = true;
                Path file = goesAway ? null : Path.of(state.netnsPath());
                if (file != null && Files.exists(file)) {
                    try {
                        opened = inside(NetnsManager.join(file), false);
                    } catch (NetnsException e) {
                        // not a namespace any more (a stale file): nothing of ours is left in it
                    }
                }
            }
            return Optional.ofNullable(opened).map(Opened::client);
        }

        @Override
        public void close() {
            if (opened != null) {
                opened.close();
            }
        }
    }

    /** Removes the namespace file if podnet made it; a joined namespace keeps what it had. */
    public void remove(String podId, PodState state) {
        if (state == null || state.ownsNetns()) {
            manager.delete(KernelNames.netns(podId));
        }
    }

    /** Runs inside the pod's namespace: a netlink socket bound there, and loopback up in ours. */
    private static RtnlClient openClient(boolean ownNamespace) {
        RtnlClient pod = RtnlClient.open();
        try {
            if (ownNamespace) {
                pod.link("lo").filter(l -> !l.isUp()).ifPresent(l -> pod.setUp(l.index()));
            }
            return pod;
        } catch (RuntimeException e) {
            pod.close();
            throw e;
        }
    }
}
