package io.podnet.firewall;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.podnet.testing.Shell;

/**
 * SCTP packets without SCTP sockets: this kernel has conntrack and NAT for SCTP but no SCTP
 * stack (CONFIG_IP_SCTP off), so an INIT chunk is sent and seen on raw IP sockets (protocol
 * 132), by python3 inside a namespace. The INIT carries a valid CRC32c: conntrack checks it
 * before NAT, and a packet with a bad one would pass untranslated.
 */
final class RawSctp {
    private static final String SEND = """
            import socket, struct, sys
            def crc32c(data):
                c = 0xffffffff
                for b in data:
                    c ^= b
                    for _ in range(8):
                        c = (c >> 1) ^ (0x82f63b78 if c & 1 else 0)
                return c ^ 0xffffffff
            dst, port = sys.argv[1], int(sys.argv[2])
            init = struct.pack('!BBHIIHHI', 1, 0, 20, 0x1234abcd, 65535, 1, 1, 1)
            common = struct.pack('!HHI', 40000, port, 0)
            packet = common + struct.pack('<I', crc32c(common + b'\\0\\0\\0\\0' + init)) + init
            socket.socket(socket.AF_INET, socket.SOCK_RAW, 132).sendto(packet, (dst, 0))
            """;
    private static final String LISTEN = """
            import socket
            s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 132)
            s.settimeout(20)
            print('ready', flush=True)
            while True:
                b = s.recv(65535)
                h = (b[0] & 15) * 4
                print('%s:%d' % (socket.inet_ntoa(b[16:20]), int.from_bytes(b[h + 2:h + 4], 'big')), flush=True)
            """;

    private RawSctp() {
    }

    static boolean available() {
        return Shell.run("sh", "-c", "command -v python3").ok();
    }

    /** Sends one INIT to {@code dst:port} from inside {@code netns}. */
    static void sendInit(String netns, String dst, int port) {
        Shell.ok("ip", "netns", "exec", netns, "python3", "-c", SEND, dst, Integer.toString(port));
    }

    /** Prints "address:port" of every SCTP packet that reaches its namespace, for 20 s at most. */
    static final class Listener implements AutoCloseable {
        private final Process process;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        Listener(String netns) throws IOException, InterruptedException {
            process = new ProcessBuilder("ip", "netns", "exec", netns, "python3", "-c", LISTEN).redirectErrorStream(true).start();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    // the process was stopped
                }
            }, "raw-sctp-listener");
            reader.setDaemon(true);
            reader.start();
            String first = lines.poll(10, TimeUnit.SECONDS);
            if (!"ready".equals(first)) {
                close();
                throw new AssertionError("the raw SCTP listener did not start: " + first);
            }
        }

        /** The next packet's "address:port", or null after {@code millis}. */
        String next(long millis) throws InterruptedException {
            return lines.poll(millis, TimeUnit.MILLISECONDS);
        }

        @Override
        public void close() throws InterruptedException {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}
