package io.podnet.rootless;

import io.podnet.inet.Cidr;
import io.podnet.netlink.Link;
import io.podnet.netlink.LinkOptions;
import io.podnet.netlink.RtnlClient;

/** A bridge inside a test's rootless netns, as the engine would make one, for tests of this package alone. */
final class TestBridge {
    private TestBridge() {
    }

    static Link create(RootlessNetns rootless, String name, String gateway) {
        try (RtnlClient rtnl = rootless.netns().run(RtnlClient::open)) {
            Link bridge = rtnl.createBridge(name, LinkOptions.defaults().withUp(true));
            rtnl.addAddress(bridge.index(), Cidr.parse(gateway));
            return bridge;
        }
    }
}
