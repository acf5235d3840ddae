package io.podnet.bench;

import java.net.InetAddress;
import java.nio.file.Path;

import io.podnet.rootless.ForwardSpec;
import io.podnet.rootless.PortForwarder;

/**
 * The podnet forwarder alone in a JVM, for {@link ForwarderBench}: so its CPU time (JIT and GC
 * included) and its memory are measured per process, as rootlessport's and pasta's are.
 *
 * <pre>
 * java -cp ... io.podnet.bench.ForwarderProcess HOST_NETNS ROOTLESS_NETNS splice|copy THREADS BUFFER_KIB HOSTPORT:PODPORT...
 * </pre>
 *
 * Forwards 127.0.0.1:HOSTPORT in HOST_NETNS to 127.0.0.1:PODPORT in ROOTLESS_NETNS, prints
 * "ready" once it listens, and stops when its standard input ends.
 */
public final class ForwarderProcess {
    private ForwarderProcess() {
    }

    public static void main(String[] args) throws Exception {
        PortForwarder.Settings settings = PortForwarder.Settings.defaults().withSplice(args[2].equals("splice"))
                .withSelectorThreads(Integer.parseInt(args[3])).withBufferSize(Integer.parseInt(args[4]) << 10);
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (PortForwarder f = new PortForwarder(Path.of(args[0]), Path.of(args[1]), settings)) {
            for (int i = 5; i < args.length; i++) {
                String[] ports = args[i].split(":");
                f.start(ForwardSpec.tcp("bench", loopback, Integer.parseInt(ports[0]), loopback, Integer.parseInt(ports[1])));
            }
            System.out.println("ready");
            System.out.flush();
            while (System.in.read() >= 0) {
                // until the bench closes our stdin
            }
            System.err.println("counters: " + f.counters());
        }
    }
}
