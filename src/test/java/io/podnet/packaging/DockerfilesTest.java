package io.podnet.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The container images cannot be built here (no container engine, no native-image), so this
 * checks what can be checked: every file a Dockerfile copies from the build context exists,
 * what it copies from its build stage is where Maven/Quarkus put it, the entry point is what
 * was copied, and every Debian package it installs is in Debian 12's index.
 */
class DockerfilesTest {
    static final Path JVM = Path.of("src", "main", "docker", "Dockerfile.jvm");
    static final Path NATIVE = Path.of("src", "main", "docker", "Dockerfile.native");
    static final Path QUARKUS_APP = Path.of("target", "quarkus-app");

    /** One instruction, continuation lines joined, comments dropped. */
    record Instruction(String stage, String keyword, String args) {
    }

    static List<Instruction> parse(Path dockerfile) throws IOException {
        List<Instruction> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        String stage = null;
        for (String raw : Files.readAllLines(dockerfile)) {
            String line = raw.strip();
            if (line.startsWith("#") || (line.isEmpty() && current.length() == 0)) {
                continue;
            }
            if (line.endsWith("\\")) {
                current.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            current.append(line);
            String text = current.toString().strip();
            current.setLength(0);
            if (text.isEmpty()) {
                continue;
            }
            String[] parts = text.split("\\s+", 2);
            String keyword = parts[0].toUpperCase();
            String args = parts.length > 1 ? parts[1] : "";
            if (keyword.equals("FROM")) {
                Matcher m = Pattern.compile("(?i)\\S+\\s+AS\\s+(\\S+)").matcher(args);
                stage = m.matches() ? m.group(1) : "final";
            }
            out.add(new Instruction(stage, keyword, args));
        }
        return out;
    }

    @Test
    void bothImagesAreBuiltInAStageAndRunOnDebian12() throws IOException {
        for (Path file : List.of(JVM, NATIVE)) {
            List<String> froms = parse(file).stream().filter(i -> i.keyword().equals("FROM")).map(Instruction::args).toList();
            assertThat(froms).as(file.toString()).hasSize(2);
            assertThat(froms.get(0)).as(file.toString()).endsWith(" AS build");
            assertThat(froms.get(1)).as("%s runs on the Debian the package check uses", file).isEqualTo("debian:12-slim");
        }
        assertThat(parse(NATIVE).get(0).args()).startsWith("quay.io/quarkus/ubi9-quarkus-mandrel-builder-image:");
        assertThat(parse(NATIVE)).anySatisfy(i -> assertThat(i.args()).contains("package -Pnative"));
        assertThat(parse(JVM).get(0).args()).startsWith("maven:3.9-eclipse-temurin-17");
    }

    @Test
    void whatTheyCopyFromTheBuildContextExists() throws IOException {
        for (Path file : List.of(JVM, NATIVE)) {
            for (Instruction copy : copies(file)) {
                if (copy.args().startsWith("--from=")) {
                    continue;
                }
                List<String> words = words(copy.args());
                for (String source : words.subList(0, words.size() - 1)) {
                    assertThat(matchesInContext(source)).as("%s copies %s from the build context", file, source).isTrue();
                }
            }
        }
    }

    @Test
    void theJvmImageHasTheFastJarLayoutAndRunsIt() throws IOException {
        // the build stage's /build/target/quarkus-app is Quarkus's fast-jar output
        List<String> fromBuild = new ArrayList<>();
        List<String> destinations = new ArrayList<>();
        for (Instruction copy : finalCopies(JVM)) {
            List<String> words = words(copy.args());
            assertThat(words.get(0)).isEqualTo("--from=build");
            String source = words.get(1);
            assertThat(source).startsWith("/build/target/quarkus-app/");
            fromBuild.add(source.substring("/build/".length()));
            destinations.add(words.get(2));
        }
        assertThat(fromBuild).containsExactlyInAnyOrder("target/quarkus-app/lib/", "target/quarkus-app/quarkus-run.jar",
                "target/quarkus-app/app/", "target/quarkus-app/quarkus/");
        assertThat(destinations).allMatch(d -> d.startsWith("/opt/podnet/"));
        String entrypoint = entrypoint(JVM);
        assertThat(entrypoint).contains("\"-jar\", \"/opt/podnet/quarkus-run.jar\"");
        // the layout is Quarkus's default: nothing in the configuration changes the packaging (manifest entries do not)
        assertThat(applicationProperties().stringPropertyNames())
                .noneMatch(k -> k.startsWith("quarkus.package.") && !k.startsWith("quarkus.package.jar.manifest."));
    }

    @Test
    void theNativeImageRunsTheRunnerTheBuildProducesWithJnrInReflectionMode() throws IOException {
        String build = parse(NATIVE).stream().filter(i -> i.keyword().equals("RUN") && i.stage().equals("build"))
                .map(Instruction::args).findFirst().orElseThrow();
        // Quarkus names the native executable <finalName>-runner; the pom keeps Maven's finalName
        assertThat(build).contains("cp target/*-runner /project/podnet");
        assertThat(Files.readString(Path.of("pom.xml"))).doesNotContain("<finalName>");
        assertThat(applicationProperties().stringPropertyNames()).doesNotContain("quarkus.package.output-name");
        assertThat(finalCopies(NATIVE)).singleElement().satisfies(i -> assertThat(i.args()).isEqualTo("--from=build /project/podnet /opt/podnet/podnet"));
        assertThat(entrypoint(NATIVE)).isEqualTo("[\"/opt/podnet/podnet\", \"-Djnr.ffi.asm.enabled=false\"]");
    }

    @Test
    void thePackagesTheyInstallAreInDebian12() throws Exception {
        assumeTrue(isDebian12(), "the package index here is not Debian 12's");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/apt-cache")), "no apt-cache");
        for (Path file : List.of(JVM, NATIVE)) {
            List<String> packages = installed(file);
            assertThat(packages).as(file.toString()).contains("libnftables1", "passt", "slirp4netns");
            for (String pkg : packages) {
                Process p = new ProcessBuilder("apt-cache", "show", "--no-all-versions", pkg).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(p.exitValue()).as("apt-cache show %s (%s): %s", pkg, file, out).isZero();
                assertThat(out).as("apt-cache show %s", pkg).contains("Package: " + pkg);
            }
        }
        assertThat(installed(JVM)).contains("openjdk-17-jre-headless");
    }

    private static List<String> installed(Path file) throws IOException {
        List<String> packages = new ArrayList<>();
        for (Instruction run : parse(file)) {
            if (!run.keyword().equals("RUN") || !run.stage().equals("final")) {
                continue;
            }
            Matcher m = Pattern.compile("apt-get install ((?:-\\S+\\s+)*)([^&;|]+)").matcher(run.args());
            while (m.find()) {
                Arrays.stream(m.group(2).trim().split("\\s+")).filter(w -> !w.startsWith("-")).forEach(packages::add);
            }
        }
        return packages;
    }

    private static boolean isDebian12() throws IOException {
        Path osRelease = Path.of("/etc/os-release");
        return Files.exists(osRelease) && Files.readString(osRelease).contains("VERSION_CODENAME=bookworm");
    }

    private static List<Instruction> copies(Path file) throws IOException {
        return parse(file).stream().filter(i -> i.keyword().equals("COPY")).toList();
    }

    /** The COPY instructions of the image that ships (the last stage). */
    static List<Instruction> finalCopies(Path file) throws IOException {
        return copies(file).stream().filter(i -> i.stage().equals("final")).toList();
    }

    private static String entrypoint(Path file) throws IOException {
        List<String> found = parse(file).stream().filter(i -> i.keyword().equals("ENTRYPOINT")).map(Instruction::args).toList();
        assertThat(found).as(file.toString()).hasSize(1);
        return found.get(0);
    }

    static List<String> words(String args) {
        return Arrays.asList(args.trim().split("\\s+"));
    }

    private static boolean matchesInContext(String source) throws IOException {
        String pattern = source.endsWith("/") ? source.substring(0, source.length() - 1) : source;
        if (!pattern.contains("*")) {
            return Files.exists(Path.of(pattern));
        }
        PathMatcher glob = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
        try (Stream<Path> all = Files.walk(Path.of("."), 3)) {
            return all.map(p -> Path.of(".").relativize(p)).anyMatch(glob::matches);
        }
    }

    private static Properties applicationProperties() throws IOException {
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(Path.of("src", "main", "resources", "application.properties"))) {
            p.load(in);
        }
        return p;
    }
}
