package io.podnet.bench;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.UUID;

import io.podnet.inet.Cidr;
import io.podnet.netlink.Link;
import io.podnet.netlink.LinkOptions;
import io.podnet.netlink.RtnlClient;
import io.podnet.netns.Netns;
import io.podnet.netns.NetnsManager;

/**
 * Latency of rtnetlink round trips through {@link RtnlClient}, in sandbox namespaces it creates
 * and deletes ({@code podnet-test-bench-*}); the machine's own network is not touched. Not a
 * test: run it by hand, as root, from the repository root:
 *
 * <pre>
 * bench/run RtnlRoundTripBench [iterations]
 * </pre>
 *
 * Each operation is warmed up first (JIT), then timed {@code iterations} times (default 200)
 * from the calling thread, as the engine calls it; the median and p90 are printed.
 */
public final class RtnlRoundTripBench {
    private RtnlRoundTripBench() {
    }

    public static void main(String[] args) {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        NetnsManager manager = new NetnsManager(Path.of("/run/netns"));
        String id = UUID.randomUUID().toString().substring(0, 8);
        String hostName = "podnet-test-bench-" + id + "-h";
        String podName = "podnet-test-bench-" + id + "-p";
        try (Netns host = manager.createOrOpen(hostName); Netns pod = manager.createOrOpen(podName)) {
            try (RtnlClient client = host.run(RtnlClient::open)) {
                run(client, pod, iterations);
            }
        } finally {
            manager.delete(hostName);
            manager.delete(podName);
        }
    }

    private static void run(RtnlClient client, Netns pod, int n) {
        Link br = client.createBridge("br0", LinkOptions.defaults().withUp(true));
        System.out.printf("rtnetlink round trips, %d timed iterations each after warmup (%s, %s)%n", n,
                System.getProperty("java.vm.name"), System.getProperty("java.version"));
        System.out.printf("%-52s %10s %10s%n", "operation", "median µs", "p90 µs");

        report("RTM_GETLINK by name (link(\"br0\"))", time(2000, n, i -> client.link("br0")));

        long[][] veth = timePair(100, n,
                i -> client.createVeth("pnbench", LinkOptions.defaults(), "pnbenchp", LinkOptions.defaults(), null),
                i -> client.deleteLink("pnbench"));
        report("create veth pair, same netns (NEWLINK + read-back)", veth[0]);
        report("delete veth pair (DELLINK)", veth[1]);
        report("  create + delete", sum(veth[0], veth[1]));

        long[][] podVeth = timePair(100, n,
                i -> client.createVeth("pnbench", LinkOptions.defaults().withMaster(br.index()).withUp(true), "eth0",
                        LinkOptions.defaults(), pod.fd()),
                i -> client.deleteLink("pnbench"));
        report("create veth, peer in pod netns, enslaved, up", podVeth[0]);
        report("delete it", podVeth[1]);
        report("  create + delete", sum(podVeth[0], podVeth[1]));

        Cidr address = Cidr.parse("10.126.0.1/24");
        long[][] addr = timePair(500, n, i -> client.addAddress(br.index(), address),
                i -> client.deleteAddress(br.index(), address));
        report("add IPv4 address (RTM_NEWADDR)", addr[0]);
        report("delete IPv4 address (RTM_DELADDR)", addr[1]);
        report("  add + delete", sum(addr[0], addr[1]));

        report("RTM_GETLINK dump (3 links)", time(500, n, i -> client.links()));
        client.deleteLink(br.index());
    }

    interface Op {
        void run(int i);
    }

    private static long[] time(int warmup, int n, Op op) {
        for (int i = 0; i < warmup; i++) {
            op.run(i);
        }
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            long start = System.nanoTime();
            op.run(i);
            t[i] = System.nanoTime() - start;
        }
        return t;
    }

    private static long[][] timePair(int warmup, int n, Op first, Op second) {
        for (int i = 0; i < warmup; i++) {
            first.run(i);
            second.run(i);
        }
        long[] a = new long[n];
        long[] b = new long[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            first.run(i);
            long t1 = System.nanoTime();
            second.run(i);
            long t2 = System.nanoTime();
            a[i] = t1 - t0;
            b[i] = t2 - t1;
        }
        return new long[][] {a, b};
    }

    private static long[] sum(long[] a, long[] b) {
        long[] s = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            s[i] = a[i] + b[i];
        }
        return s;
    }

    private static void report(String what, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        double median = sorted[sorted.length / 2] / 1000.0;
        double p90 = sorted[(int) Math.ceil(sorted.length * 0.9) - 1] / 1000.0;
        System.out.printf("%-52s %10.1f %10.1f%n", what, median, p90);
    }
}
