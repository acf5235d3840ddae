package io.podnet.engine.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.podnet.inet.IpAddresses;
import io.podnet.inet.PortMapping;
import io.podnet.inet.Protocol;

class PodStateStoreTest {
    @Test
    void aWriteACrashLeftHalfDoneIsSweptAndTheStatesOnDiskAreKnown(@TempDir Path state) throws IOException {
        Path pods = Files.createDirectories(state.resolve("pods"));
        Files.writeString(pods.resolve(".pod-a.json.tmp-0123456789abcdef"), "{\"half\": ");
        Files.writeString(pods.resolve("notes.txt"), "not ours to judge, not a temporary file");

        PodStateStore store = new PodStateStore(state);

        try (Stream<Path> files = Files.list(pods)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("notes.txt");
        }
        assertThat(store.ids()).isEmpty();
        assertThat(store.load("pod-a")).isEmpty();
    }

    @Test
    void portsAreKeptAsTheEngineUsesThemAndStateFilesOfTheEarlierFormStillRead(@TempDir Path state) throws IOException {
        Path pods = Files.createDirectories(state.resolve("pods"));
        // the form the agent wrote before ports were stored as mappings: "" for every address, lower-case protocols
        Files.writeString(pods.resolve("pod-a.json"), """
                {"version": 1, "id": "pod-a", "displayName": "ns/a", "hostname": "a", "mode": "ROOTFUL", "netnsKind": "NEW",
                 "netnsPath": "/run/netns/podnet-pod-a", "netnsPid": 0, "ownsNetns": true, "attachments": [],
                 "ports": [{"hostIp": "", "hostPort": 8080, "containerPort": 80, "protocol": "tcp", "range": 1},
                           {"hostIp": "fd00::1", "hostPort": 9000, "containerPort": 90, "protocol": "udp", "range": 2}]}
                """);

        PodStateStore store = new PodStateStore(state);
        List<PortMapping> ports = store.load("pod-a").orElseThrow().ports();
        assertThat(ports).containsExactly(new PortMapping(null, 8080, 80, Protocol.TCP, 1),
                new PortMapping(IpAddresses.parse("fd00::1"), 9000, 90, Protocol.UDP, 2));

        store.save(store.load("pod-a").orElseThrow());
        assertThat(Files.readString(pods.resolve("pod-a.json"))).contains("\"protocol\" : \"udp\"").contains("\"hostIp\" : \"fd00::1\"");
        assertThat(new PodStateStore(state).load("pod-a").orElseThrow().ports()).isEqualTo(ports);
    }
}
