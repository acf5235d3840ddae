package io.podnet.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import io.podnet.engine.AttachmentRequest;
import io.podnet.engine.DnsRequest;
import io.podnet.engine.EngineSettings;
import io.podnet.engine.NetnsRequest;
import io.podnet.engine.PodMode;
import io.podnet.engine.PodRequest;
import io.podnet.engine.core.NetworkEngine;
import io.podnet.engine.plan.KernelNames;
import io.podnet.netlink.RtnlClient;
import io.podnet.netconf.NetworkDefinitions;
import io.podnet.netns.NetnsManager;
import io.podnet.policy.Tenant;

/**
 * The rootful engine alone: setup and teardown of one pod on the default network, in a sandbox
 * namespace playing the host (created here and removed afterwards). Also the resync of a healthy
 * pod (a second setup), which the operator runs every resync interval. Teardown leaves the pod's
 * veth pair to the kernel, which destroys it with the namespace after teardown returned: the main
 * loop waits (untimed) until the kernel is done before the next setup, as on a node that is not
 * churning; a second loop runs setup and teardown back to back, the kernel's reclaim competing
 * with the next setup for the rtnl lock and the CPU. Run as root:
 *
 * <pre>
 * bench/run EngineSetupBench [iterations, default 200]
 * </pre>
 */
public final class EngineSetupBench {
    private EngineSetupBench() {
    }

    public static void main(String[] args) throws Exception {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        NetnsManager manager = new NetnsManager(Path.of("/run/netns"));
        String sandbox = "podnet-bench-" + UUID.randomUUID().toString().substring(0, 8);
        Path state = Files.createTempDirectory("podnet-bench-state");
        Path run = runDir();
        try (var host = manager.createOrOpen(sandbox)) {
            StepRecorder steps = new StepRecorder();
            try (NetworkEngine engine = NetworkEngine.open(EngineSettings.of(host.path(), manager.dir(), state, run, NetworkDefinitions.defaults()), steps)) {
                // a resident pod keeps the bridge alive, as on a node with running pods
                PodRequest resident = request(UUID.randomUUID().toString());
                engine.setup(resident);
                for (int i = 0; i < 20; i++) { // JIT warm-up
                    PodRequest r = request(UUID.randomUUID().toString());
                    engine.setup(r);
                    engine.teardown(r.id());
                }
                steps.clear();
                RtnlClient hostLinks = host.run(RtnlClient::open);
                long[] setup = new long[iterations];
                long[] resync = new long[iterations];
                long[] teardown = new long[iterations];
                for (int i = 0; i < iterations; i++) {
                    PodRequest r = request(UUID.randomUUID().toString());
                    long t0 = System.nanoTime();
                    engine.setup(r);
                    long t1 = System.nanoTime();
                    steps.recording(false);
                    engine.setup(r);
                    steps.recording(true);
                    long t2 = System.nanoTime();
                    engine.teardown(r.id());
                    long t3 = System.nanoTime();
                    setup[i] = t1 - t0;
                    resync[i] = t2 - t1;
                    teardown[i] = t3 - t2;
                    awaitReclaimed(hostLinks, r.id());
                }
                steps.recording(false);
                int churn = Math.max(1, iterations / 2);
                long[] churnSetup = new long[churn];
                long[] churnTeardown = new long[churn];
                for (int i = 0; i < churn; i++) {
                    PodRequest r = request(UUID.randomUUID().toString());
                    long t0 = System.nanoTime();
                    engine.setup(r);
                    long t1 = System.nanoTime();
                    engine.teardown(r.id());
                    long t2 = System.nanoTime();
                    churnSetup[i] = t1 - t0;
                    churnTeardown[i] = t2 - t1;
                }
                steps.recording(true);
                engine.teardown(resident.id());
                hostLinks.close();
                System.out.printf("engine, one pod on the default network, %d iterations (%s %s)%n", iterations,
                        System.getProperty("java.vm.name"), System.getProperty("java.version"));
                System.out.printf("durable state dir %s (%s, unused on the hot path), run dir %s (%s)%n", state, Files.getFileStore(state).type(), run,
                        Files.getFileStore(run).type());
                System.out.println(Stats.header());
                System.out.println(Stats.row("setup (new netns, veth, address, route, state)", setup));
                System.out.println(Stats.row("resync of a healthy pod (second setup)", resync));
                System.out.println(Stats.row("teardown (the kernel reclaims the pair after)", teardown));
                System.out.println(Stats.row("setup, back to back with teardown", churnSetup));
                System.out.println(Stats.row("teardown, back to back with setup", churnTeardown));
                System.out.println("steps of the first setup and of teardown:");
                steps.print();
            }
        } finally {
            manager.delete(sandbox);
            deleteTree(state);
            deleteTree(run);
        }
    }

    /** Until the kernel has destroyed the pod's veth pair with its namespace (bounded: 5 s). */
    private static void awaitReclaimed(RtnlClient hostLinks, String podId) throws InterruptedException {
        String veth = KernelNames.hostVeth(podId, "podnet");
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (hostLinks.link(veth).isPresent() && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
    }

    /** The run dir on tmpfs when there is one, as /run is on a node; pod DNS files are written there. */
    private static Path runDir() throws java.io.IOException {
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) && "tmpfs".equals(Files.getFileStore(shm).type())
                ? Files.createTempDirectory(shm, "podnet-bench-run")
                : Files.createTempDirectory("podnet-bench-run");
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            List<Path> all = new ArrayList<>(files.sorted(Comparator.reverseOrder()).toList());
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Collects the engine's step durations. */
    private static final class StepRecorder implements io.podnet.engine.EngineObserver {
        private final java.util.Map<String, List<Long>> byStep = new java.util.LinkedHashMap<>();
        private boolean recording = true;

        void recording(boolean on) {
            recording = on;
        }

        void clear() {
            byStep.clear();
        }

        @Override
        public synchronized void step(Operation operation, PodMode mode, String step, long nanos) {
            if (recording) {
                byStep.computeIfAbsent(operation.lower() + " / " + step, k -> new ArrayList<>()).add(nanos);
            }
        }

        void print() {
            byStep.forEach((step, list) -> System.out.println(Stats.row("  " + step, list.stream().mapToLong(Long::longValue).toArray())));
        }
    }

    private static PodRequest request(String id) {
        return new PodRequest(id, "bench/" + id, "bench", Tenant.named("test"), PodMode.ROOTFUL, NetnsRequest.NEW, List.of(AttachmentRequest.of("podnet")), List.of(),
                DnsRequest.NONE);
    }
}
