package io.podnet.campaign;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.podnet.api.Mode;
import io.podnet.api.PodNetwork;
import io.podnet.testing.PodNetworks;

/**
 * Many PodNetworks ask at the same moment (parallel creates released by one latch) for the same
 * static IP, the same static MAC or the same host port. Exactly one wins; the others are
 * Ready=False with a condition naming the winner; nothing is allocated twice (the address and the
 * MAC on one pod interface, the port's DNAT elements of one pod, IPAM leases of the winner only).
 * Deleted, the winner hands over: exactly one of the others becomes Ready within a resync. At the
 * end nothing of any of them is left on the node.
 *
 * Interface names are not raced: each PodNetwork gets a namespace of its own, where a name
 * cannot collide with another pod's, and one podnet made for another PodNetwork cannot be
 * joined (NetnsOwnedByAnotherPodNetwork). Two PodNetworks joining one foreign namespace is the
 * only place left where names meet; it needs a join policy and a namespace of the campaign's own,
 * and is not raced here.
 */
public final class RaceCampaign {
    private static final String NODE = "node-race";
    private static final Duration RESYNC = Duration.ofSeconds(2);
    /** What one resync pass may take on a loaded machine, beyond the interval. */
    private static final Duration PASS = Duration.ofSeconds(8);
    private static final Duration BUDGET = Duration.ofMinutes(Long.getLong("podnet.campaign.budget-minutes", 30));
    private static final int CONTENDERS = Integer.getInteger("podnet.campaign.contenders", 4);

    enum Kind {
        STATIC_IP, STATIC_MAC, HOST_PORT;

        String label() {
            return name().toLowerCase().replace('_', ' ');
        }
    }

    private final CampaignReport report = new CampaignReport("race");
    private final Set<String> uids = new LinkedHashSet<>();
    private CampaignNode node;

    public static void main(String[] args) {
        CampaignReport report = run(args.length > 0 ? Integer.parseInt(args[0]) : 40);
        System.out.println(report.render());
        System.exit(report.findings().isEmpty() ? 0 : 1);
    }

    /** Runs {@code count} races, the kinds in turn. */
    public static CampaignReport run(int count) {
        return new RaceCampaign().campaign(count);
    }

    private CampaignReport campaign(int count) {
        node = CampaignNode.start(NODE, Map.of("PODNET_RESYNC_INTERVAL", RESYNC.toSeconds() + "s"));
        report.figure("resync interval s", RESYNC.toSeconds());
        report.figure("contenders per race", CONTENDERS);
        ExecutorService pool = Executors.newFixedThreadPool(CONTENDERS);
        try {
            List<String> baseLinks = node.hostLinks();
            long deadline = System.nanoTime() + BUDGET.toNanos();
            Kind[] kinds = Kind.values();
            for (int i = 0; i < count && System.nanoTime() < deadline && report.findings().size() < 20; i++) {
                race(i, kinds[i % kinds.length], pool);
            }
            node.deleteAll();
            List<String> left = Leftovers.of(node, uids, baseLinks).stream()
                    .filter(l -> !l.startsWith("host link podnet0")).toList(); // the network's bridge stays while the agent runs
            left.forEach(l -> report.found("left behind: " + l));
        } catch (RuntimeException | AssertionError e) {
            report.found("the campaign stopped: " + e);
            e.printStackTrace();
        } finally {
            pool.shutdownNow();
            node.keepLogs("race");
            node.close();
        }
        return report;
    }

    private PodNetwork contender(int round, Kind kind, int i) {
        PodNetwork pn = PodNetworks.of(node.ns, "r" + round + "-" + i, NODE, "podnet");
        pn.getSpec().setMode(Mode.Rootful);
        switch (kind) {
            case STATIC_IP -> pn.getSpec().getNetworks().get(0).setStaticIPs(List.of(ipOf(round)));
            case STATIC_MAC -> pn.getSpec().getNetworks().get(0).setStaticMAC(macOf(round));
            case HOST_PORT -> pn.getSpec().setPortMappings(List.of(PodNetworks.port(portOf(round), 80, "tcp", 1)));
        }
        return pn;
    }

    private static String ipOf(int round) {
        return "10.89.0." + (200 + round % 50);
    }

    private static String macOf(int round) {
        return String.format("02:ac:00:00:%02x:%02x", (round >> 8) & 0xff, round & 0xff);
    }

    private static int portOf(int round) {
        return 33000 + round;
    }

    private void race(int round, Kind kind, ExecutorService pool) {
        report.did("race: " + kind.label());
        List<String> names = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Future<PodNetwork>> creates = new ArrayList<>();
        for (int i = 0; i < CONTENDERS; i++) {
            PodNetwork pn = contender(round, kind, i);
            names.add(pn.getMetadata().getName());
            creates.add(pool.submit(() -> {
                go.await();
                return node.admin.resource(pn).create();
            }));
        }
        go.countDown();
        for (Future<PodNetwork> f : creates) {
            try {
                uids.add(f.get(30, TimeUnit.SECONDS).getMetadata().getUid());
            } catch (Exception e) {
                throw new AssertionError("a create failed: " + e, e);
            }
        }
        String where = kind.label() + " race " + round;
        if (!allDecided(names, CampaignNode.READY_TIMEOUT)) {
            report.found(where + ": not every contender got a Ready condition in " + CampaignNode.READY_TIMEOUT.toSeconds() + " s: "
                    + summary(names));
            cleanUp(names);
            return;
        }
        List<String> winners = ready(names);
        if (winners.size() != 1) {
            report.found(where + ": " + winners.size() + " winners " + winners + ", want exactly one: " + summary(names));
            cleanUp(names);
            return;
        }
        String winner = winners.get(0);
        report.did("won by exactly one");
        List<String> losers = new ArrayList<>(names);
        losers.remove(winner);
        for (String loser : losers) {
            PodNetwork pn = node.get(loser);
            if (!namesHolder(pn, winner)) {
                report.found(where + ": the condition of " + loser + " does not name the holder " + node.ns + "/" + winner + ": "
                        + pn.getStatus().getConditions());
            }
        }
        allocatedOnce(where, kind, round, winner, losers);
        long start = System.nanoTime();
        node.admin.resources(PodNetwork.class).inNamespace(node.ns).withName(winner).delete();
        Duration bound = RESYNC.plus(PASS);
        Optional<String> successor = firstReady(losers, bound);
        if (successor.isEmpty()) {
            report.found(where + ": no contender became Ready in " + bound.toSeconds() + " s after the winner was deleted: " + summary(losers));
        } else {
            report.took("successor ready: " + kind.label(), Duration.ofNanos(System.nanoTime() - start));
            node.awaitGone(winner, CampaignNode.READY_TIMEOUT);
            // the others keep losing to the successor through a resync or two
            CampaignNode.sleep(RESYNC.toMillis());
            List<String> now = ready(losers);
            if (!now.equals(List.of(successor.get()))) {
                report.found(where + ": after the handover " + now + " are Ready, want only " + successor.get() + ": " + summary(losers));
            } else {
                report.did("handed over to exactly one");
                List<String> rest = new ArrayList<>(losers);
                rest.remove(successor.get());
                allocatedOnce(where + " after handover", kind, round, successor.get(), rest);
            }
        }
        cleanUp(names);
    }

    /** The contested thing is held by {@code holder} only: in the kernel, in the ruleset and in IPAM. */
    private void allocatedOnce(String where, Kind kind, int round, String holder, List<String> others) {
        List<String> everyone = new ArrayList<>(others);
        everyone.add(holder);
        switch (kind) {
            case STATIC_IP -> {
                List<String> with = withInterface(everyone, ipOf(round) + "/");
                if (!with.equals(List.of(holder))) {
                    report.found(where + ": the address " + ipOf(round) + " is on the interfaces of " + with + ", want only " + holder);
                }
            }
            case STATIC_MAC -> {
                List<String> with = withInterface(everyone, "=" + macOf(round));
                if (!with.equals(List.of(holder))) {
                    report.found(where + ": the MAC " + macOf(round) + " is on the interfaces of " + with + ", want only " + holder);
                }
            }
            case HOST_PORT -> {
                String port = String.valueOf(portOf(round));
                List<String> elements = node.tableElements().stream().filter(e -> e.contains(port)).toList();
                String holderUid = uidOf(holder);
                if (elements.isEmpty()) {
                    report.found(where + ": no nftables element for host port " + port + " of " + holder);
                }
                for (String other : others) {
                    String uid = uidOf(other);
                    if (uid != null && elements.stream().anyMatch(e -> e.contains(uid))) {
                        report.found(where + ": host port " + port + " has an nftables element of " + other + " too: " + elements);
                    }
                }
                if (holderUid == null) {
                    report.found(where + ": the holder " + holder + " is gone");
                }
            }
        }
        List<String> leases = leaseFiles();
        for (String other : others) {
            String uid = uidOf(other);
            if (uid != null && leases.stream().anyMatch(text -> text.contains(uid))) {
                report.found(where + ": the loser " + other + " holds an IPAM lease");
            }
        }
        String holderUid = uidOf(holder);
        if (holderUid != null && leases.stream().noneMatch(text -> text.contains(holderUid))) {
            report.found(where + ": the holder " + holder + " has no IPAM lease");
        }
    }

    /** The contenders whose pod namespace has an interface whose "ifname=mac ip/len..." contains {@code text}. */
    private List<String> withInterface(List<String> names, String text) {
        List<String> out = new ArrayList<>();
        for (String name : names) {
            PodNetwork pn = node.get(name);
            if (pn != null && pn.getStatus() != null && pn.getStatus().getNetnsPath() != null
                    && CampaignNode.kernelInterfaces(pn).values().stream().anyMatch(i -> i.contains(text))) {
                out.add(name);
            }
        }
        out.sort(null);
        return out;
    }

    /** The IPAM state files' contents (everything under the state dir but the pod records). */
    private List<String> leaseFiles() {
        Path state = node.kernelStateDir();
        if (!Files.isDirectory(state)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(state)) {
            return walk.filter(Files::isRegularFile).filter(p -> !p.startsWith(state.resolve("pods"))).map(p -> {
                try {
                    return new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    return "";
                }
            }).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private String uidOf(String name) {
        PodNetwork pn = node.get(name);
        return pn == null ? null : pn.getMetadata().getUid();
    }

    /** A False condition of the loser names the winner (by namespace/name, as the API knows it). */
    private boolean namesHolder(PodNetwork loser, String winner) {
        return loser != null && loser.getStatus() != null && loser.getStatus().getConditions().stream()
                .anyMatch(c -> "False".equals(c.getStatus()) && c.getMessage() != null && c.getMessage().contains(node.ns + "/" + winner));
    }

    /** Every contender has a Ready condition for its generation. */
    private boolean allDecided(List<String> names, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (names.stream().map(node::get).allMatch(RaceCampaign::decided)) {
                return true;
            }
            CampaignNode.sleep(50);
        }
        return false;
    }

    private static boolean decided(PodNetwork pn) {
        return pn != null && pn.getStatus() != null && pn.getMetadata().getGeneration().equals(pn.getStatus().getObservedGeneration())
                && pn.getStatus().getConditions().stream().anyMatch(c -> c.getType().equals("Ready"));
    }

    private List<String> ready(List<String> names) {
        return names.stream().filter(n -> CampaignNode.ready(node.get(n))).sorted().toList();
    }

    private Optional<String> firstReady(List<String> names, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            List<String> now = ready(names);
            if (!now.isEmpty()) {
                return Optional.of(now.get(0));
            }
            CampaignNode.sleep(25);
        }
        return Optional.empty();
    }

    private String summary(List<String> names) {
        StringBuilder b = new StringBuilder();
        for (String name : names) {
            PodNetwork pn = node.get(name);
            b.append(name).append('=');
            if (pn == null || pn.getStatus() == null) {
                b.append("no status; ");
                continue;
            }
            pn.getStatus().getConditions().stream().filter(c -> !"True".equals(c.getStatus()) || c.getType().equals("Ready"))
                    .forEach(c -> b.append(c.getType()).append(':').append(c.getStatus()).append(':').append(c.getReason()).append(' ')
                            .append(c.getMessage()).append(" | "));
            b.append("; ");
        }
        return b.toString();
    }

    /** Deletes the round's PodNetworks and waits (bounded) until the agent tore them down. */
    private void cleanUp(List<String> names) {
        for (String name : names) {
            node.admin.resources(PodNetwork.class).inNamespace(node.ns).withName(name).delete();
        }
        for (String name : names) {
            if (!node.awaitGone(name, CampaignNode.READY_TIMEOUT)) {
                report.found(name + " not torn down in " + CampaignNode.READY_TIMEOUT.toSeconds() + " s");
            }
        }
    }
}
