package io.podnet.ipam;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.podnet.inet.Cidr;
import io.podnet.sys.AtomicFile;

/**
 * One JSON file per network under {@code <state dir>/ipam/}, replaced atomically on every change:
 * <pre>{"version":1,"network":"podnet","allocations":{"&lt;owner&gt;":["10.89.0.2/24"]}}</pre>
 * A file that cannot be read is moved aside (".corrupt-&lt;millis&gt;") and the network starts
 * empty; the engine re-registers the addresses of the pods it knows.
 */
final class IpamStore {
    private static final Logger LOG = Logger.getLogger(IpamStore.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;

    IpamStore(Path stateDir) {
        this.dir = stateDir.resolve("ipam");
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record File(int version, String network, Map<String, List<String>> allocations) {
    }

    AddressPool load(String network) {
        Path file = fileOf(network);
        AddressPool pool = new AddressPool();
        try {
            File f = JSON.readValue(Files.readAllBytes(file), File.class);
            if (f.allocations() != null) {
                f.allocations().forEach((owner, list) -> pool.put(owner, list.stream().map(Cidr::parse).toList()));
            }
        } catch (NoSuchFileException e) {
            // a network nobody used yet
        } catch (IOException | IllegalArgumentException e) {
            Path aside = file.resolveSibling(file.getFileName() + ".corrupt-" + System.currentTimeMillis());
            LOG.warnf("IPAM state %s is unreadable (%s): moved to %s, network %s starts empty", file, e.getMessage(), aside, network);
            try {
                Files.move(file, aside);
            } catch (IOException moveFailed) {
                LOG.warnf("cannot move %s aside: %s", file, moveFailed.getMessage());
            }
            return new AddressPool();
        }
        return pool;
    }

    void save(String network, AddressPool pool) throws IOException {
        Map<String, List<String>> allocations = new LinkedHashMap<>();
        pool.all().forEach((owner, list) -> allocations.put(owner, list.stream().map(Cidr::toString).toList()));
        AtomicFile.write(fileOf(network), JSON.writeValueAsBytes(new File(1, network, allocations)));
    }

    List<String> networks() {
        List<String> names = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return names;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path f : files) {
                String n = f.getFileName().toString();
                names.add(n.substring(0, n.length() - ".json".length()));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        return names;
    }

    private Path fileOf(String network) {
        if (network.isEmpty() || network.contains("/") || network.startsWith(".")) {
            throw new IllegalArgumentException("invalid network name \"" + network + "\"");
        }
        return dir.resolve(network + ".json");
    }
}
