package io.podnet.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Runs the real tools (ip, ping, nft) that tests check the kernel with, bounded in time. */
public final class Shell {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Shell() {
    }

    public record Result(int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    public static Result run(String... command) {
        return runWith(java.util.Map.of(), command);
    }

    /** As {@link #run}, with {@code env} added to the environment. */
    public static Result runWith(java.util.Map<String, String> env, String... command) {
        try {
            ProcessBuilder builder = new ProcessBuilder(List.of(command)).redirectErrorStream(true);
            builder.environment().putAll(env);
            Process p = builder.start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + String.join(" ", command));
            }
            return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Runs a command that must succeed and returns its output. */
    public static String ok(String... command) {
        Result r = run(command);
        if (!r.ok()) {
            throw new AssertionError(String.join(" ", command) + " exited " + r.exitCode() + ": " + r.output());
        }
        return r.output();
    }

    /**
     * A command run inside a network namespace given by name (under /run/netns, as {@code ip netns}
     * names them) or by the absolute path of its file (anywhere, through nsenter).
     */
    public static String[] in(String netns, String... command) {
        List<String> out = new java.util.ArrayList<>(netns.startsWith("/") ? List.of("nsenter", "--net=" + netns)
                : List.of("ip", "netns", "exec", netns));
        out.addAll(List.of(command));
        return out.toArray(String[]::new);
    }

    /** {@code ip <args>} inside the namespace (a name or a path, as {@link #in}). */
    public static String[] ip(String netns, String... args) {
        String[] command = new String[1 + args.length];
        command[0] = "ip";
        System.arraycopy(args, 0, command, 1, args.length);
        return in(netns, command);
    }

    /** {@code ip -j <args>} inside the namespace (a name or a path, as {@link #in}), parsed as JSON. */
    public static JsonNode ipJson(String netns, String... args) {
        String[] jsonArgs = new String[1 + args.length];
        jsonArgs[0] = "-j";
        System.arraycopy(args, 0, jsonArgs, 1, args.length);
        String[] command = ip(netns, jsonArgs);
        try {
            String out = ok(command).trim();
            return JSON.readTree(out.isEmpty() ? "[]" : out);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
