package io.podnet.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Debian's netavark (1.4 on Debian 12, package {@code netavark}; it drives iptables, package
 * {@code iptables}) run as Podman runs it: the network options as JSON on stdin, the pod's
 * namespace as argument, inside a namespace of the test's own that plays the host (through
 * nsenter), with its config directory under a temporary directory. Nothing it does reaches the
 * machine's own namespace.
 */
public final class Netavark implements AutoCloseable {
    public static final Path BINARY = Path.of("/usr/lib/podman/netavark");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path hostNetns;
    private final Path configDir;

    /** @param hostNetns the namespace file netavark treats as the host */
    public Netavark(Path hostNetns) throws IOException {
        this.hostNetns = hostNetns;
        this.configDir = Files.createTempDirectory("podnet-netavark-config-");
    }

    /** Why netavark cannot run here, or null when it can. */
    public static String missing() {
        if (!Files.isExecutable(BINARY)) {
            return BINARY + " is not installed (apt-get install netavark iptables)";
        }
        if (Shell.run("sh", "-c", "command -v iptables").exitCode() != 0) {
            return "netavark 1.4 drives iptables, which is not installed (apt-get install iptables)";
        }
        return null;
    }

    /** {@code netavark setup}: the StatusBlocks it prints, by network name. */
    public JsonNode setup(Path podNetns, String options) {
        return parse(run("setup", podNetns, options));
    }

    private String run(String verb, Path podNetns, String options) {
        List<String> command = List.of("nsenter", "--net=" + hostNetns, BINARY.toString(), "--config", configDir.toString(), verb,
                podNetns.toString());
        try {
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.PIPE).start();
            p.getOutputStream().write(options.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("netavark " + verb + " timed out");
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new AssertionError("netavark " + verb + " exited " + p.exitValue() + ": " + out + err + "\ninput: " + options);
            }
            return out;
        } catch (IOException e) {
            throw new AssertionError("cannot run netavark: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** {@code netavark teardown} with the same options. */
    public void teardown(Path podNetns, String options) {
        run("teardown", podNetns, options);
    }

    private static JsonNode parse(String out) {
        try {
            return JSON.readTree(out);
        } catch (IOException e) {
            throw new AssertionError("netavark printed no JSON: " + out, e);
        }
    }

    @Override
    public void close() {
        Trees.delete(configDir);
    }
}
