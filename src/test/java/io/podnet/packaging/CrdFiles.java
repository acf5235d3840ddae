package io.podnet.packaging;

import java.nio.file.Path;

/** The committed CRD that users apply with {@code kubectl apply -f crds/}. */
final class CrdFiles {
    static final Path TOP_LEVEL = Path.of("crds", "podnetworks.podnet.io-v1.yml");

    private CrdFiles() {
    }
}
