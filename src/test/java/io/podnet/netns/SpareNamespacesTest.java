package io.podnet.netns;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.podnet.testing.RequiresRoot;

@RequiresRoot
class SpareNamespacesTest {
    private static final Path DIR = Path.of("/run/netns");
    private final NetnsManager manager = new NetnsManager(DIR);
    private final String name = "podnet-test-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<String> discarded = new CopyOnWriteArrayList<>();

    @AfterEach
    void cleanup() {
        manager.delete(name);
    }

    private final List<String> made = new CopyOnWriteArrayList<>();

    /** The namespace of the thread that runs this: the spare's own when {@code prepare} runs it. */
    private static String currentNamespace() throws Exception {
        return Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
    }

    private String noteMade() throws Exception {
        String ns = currentNamespace();
        made.add(ns);
        return ns;
    }

    @Test
    void sparesAreMadeAfterTheFirstTakeWithoutAFileAndNamedOnlyWhenTaken() throws Exception {
        String home = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
        try (SpareNamespaces<String> spares = new SpareNamespaces<>(2, this::noteMade, discarded::add)) {
            assertThat(spares.ready()).as("nothing is made before a pod asks").isZero();
            spares.refill();
            assertThat(spares.ready()).as("nor at a refill before the first take").isZero();
            assertThat(spares.take()).as("the first take finds none").isEmpty();
            spares.refill();
            awaitReady(spares, 2);
            assertThat(namespacesNamedIn(DIR)).as("a spare has no file, so a crash leaves nothing").doesNotContainAnyElementsOf(made);

            NetnsManager.Unnamed<String> spare = spares.take().orElseThrow();
            assertThat(spare.value()).startsWith("net:[").isNotEqualTo(home);
            try (Netns named = manager.name(name, spare.fd()).orElseThrow()) {
                assertThat(NetnsManager.isNsfs(named.path())).isTrue();
                assertThat(named.run(SpareNamespacesTest::currentNamespace)).as("the file names the spare").isEqualTo(spare.value());
                assertThat(named.owned()).isTrue();
                assertThat(namespacesNamedIn(DIR)).contains(spare.value());
            }
            NetnsManager.Unnamed<String> other = spares.take().orElseThrow();
            assertThat(manager.name(name, other.fd())).as("a name already taken is left alone").isEmpty();
            spares.discard(other);
            assertThat(discarded).containsExactly(other.value());
            assertThat(spares.ready()).as("a take does not make the next").isZero();
            spares.refill();
            awaitReady(spares, 2);
        }
        assertThat(discarded).as("close frees the spares left").hasSize(3);
        try (Netns again = NetnsManager.join(DIR.resolve(name))) {
            assertThat(again.run(SpareNamespacesTest::currentNamespace)).as("the named one outlives the pool").isNotEqualTo(home);
        }
    }

    @Test
    void capacityZeroMakesNone() {
        try (SpareNamespaces<String> spares = new SpareNamespaces<>(0, SpareNamespacesTest::currentNamespace, discarded::add)) {
            assertThat(spares.take()).isEqualTo(Optional.empty());
            assertThat(spares.take()).isEmpty();
            assertThat(spares.ready()).isZero();
        }
    }

    private static void awaitReady(SpareNamespaces<?> spares, int count) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (spares.ready() < count && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(spares.ready()).isEqualTo(count);
    }

    /** The namespaces the files of {@code dir} name, as /proc shows them (stat of an nsfs file gives the namespace's inode). */
    private static List<String> namespacesNamedIn(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(NetnsManager::isNsfs).map(p -> {
                try {
                    return "net:[" + Files.getAttribute(p, "unix:ino") + "]";
                } catch (java.io.IOException e) {
                    return "gone: " + p; // removed meanwhile by whoever made it
                }
            }).toList();
        }
    }
}
