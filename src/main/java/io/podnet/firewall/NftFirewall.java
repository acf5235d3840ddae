package io.podnet.firewall;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import io.podnet.inet.Cidr;
import io.podnet.ports.HostPortProbe;
import io.podnet.ports.ListeningSockets;
import io.podnet.sys.NftablesException;

/**
 * Rootful port exposure and masquerade for one host namespace, in nftables table
 * {@code inet podnet} through libnftables JSON commands. The table's rules are fixed (see
 * {@link NftLayout}); pods and networks only add and remove elements of its sets and maps, so
 * rule evaluation costs the same for one port or thousands, and each pod's change is one
 * transaction.
 *
 * <h2>Threads</h2> libnftables acts on the calling thread's network namespace, so every call runs
 * on the firewall's own platform thread, which entered the host namespace once at
 * {@link #open}; calls from any thread are queued there and run one at a time.
 *
 * <h2>Ownership</h2> Each element carries a comment {@code "<owner> <hash>"} (owner: the pod id,
 * or {@code net/<bridge>}), so the kernel itself says whose each element is and which version it
 * is. The firewall also keeps, in memory, the elements it expects per owner:
 * <ul>
 * <li>{@link #applyPod} and {@link #removePod} work from that index alone (no listing): the
 * difference between the pod's old and new elements is one transaction. When it fails (someone
 * flushed the ruleset, a map is gone) the firewall lists the table and repairs it, deleting
 * stale elements of that pod only;</li>
 * <li>{@link #sync} replaces the whole expectation (the engine's crash-safe state, at start
 * and on every resync) and makes the table match it exactly: missing objects come back, elements
 * of pods not in the expectation (a pod removed while the agent was down, a half-applied change
 * before a crash) go, whatever else stays untouched. Nothing outside table inet podnet is ever
 * read or changed.</li>
 * </ul>
 * Restart safety (netavark #1160): adding an element that is already there is no error and never
 * makes a second one; an old element left by a killed agent is removed by the first sync, which
 * the engine runs at start.
 *
 * <h2>Lifetime of the table</h2> The table exists while something needs it: a network in use or
 * a pod forwarding a port. Once a sync has said what is expected, the table is deleted when the
 * expectation becomes empty, and created again by the next network or port.
 */
public final class NftFirewall implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(NftFirewall.class);
    private static final Pattern POD_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final String NO_SUCH = "No such file or directory";

    private final FirewallThread thread;
    // expectation; touched only on the firewall thread
    private final Map<String, Map<String, Element>> elementsByOwner = new HashMap<>();
    private final Map<String, List<DnatRule>> rulesByPod = new HashMap<>();
    private final Map<String, NetworkRules> networks = new LinkedHashMap<>();
    private boolean synced;
    /** Set once a listing showed the table complete: from then on changes go straight to the kernel. */
    private boolean verified;

    private NftFirewall(Path hostNetns) {
        this.thread = new FirewallThread(hostNetns);
    }

    /**
     * Opens the firewall of a host namespace. Changes nothing yet: call {@link #sync} (at start)
     * or {@link #ensureNetwork}.
     *
     * @param hostNetns the namespace file of the host; null for the agent's own namespace
     */
    public static NftFirewall open(Path hostNetns) {
        return new NftFirewall(hostNetns);
    }

    /**
     * Makes the table exist, puts the network's subnets into the hairpin set and (unless
     * {@code internal}) the masquerade set, and sets route_localnet on the bridge and forwarding
     * in the host namespace. Idempotent. The bridge must exist.
     */
    public void ensureNetwork(String bridge, List<Cidr> subnets, boolean internal) {
        ensureNetwork(new NetworkRules(bridge, subnets, internal));
    }

    /**
     * As {@link #ensureNetwork(String, List, boolean)}, and the network's isolation from the other
     * networks this firewall knows: the pairs of bridges whose traffic is dropped follow every
     * network that comes or goes.
     */
    public void ensureNetwork(NetworkRules network) {
        thread.call(() -> {
            if (!HostSysctls.bridgeExists(network.bridge())) {
                throw new FirewallException("bridge " + network.bridge() + " does not exist in the host namespace");
            }
            replaceOwner(Elements.networkOwner(network.bridge()), Elements.forNetwork(network));
            NetworkRules before = networks.put(network.bridge(), network);
            if (!network.equals(before)) {
                replaceIsolation();
            }
            HostSysctls.ensure(network, new ArrayList<>());
            return null;
        });
    }

    /** Removes the network's subnets from the sets; forwarding stays on, as netavark leaves it. */
    public void removeNetwork(String bridge, List<Cidr> subnets) {
        removeNetwork(new NetworkRules(bridge, subnets, false));
    }

    /** As {@link #removeNetwork(String, List)}, knowing all the network put there (its name server's redirects too). */
    public void removeNetwork(NetworkRules network) {
        String bridge = network.bridge();
        thread.call(() -> {
            String owner = Elements.networkOwner(bridge);
            if (!elementsByOwner.containsKey(owner)) {
                // not applied by this instance: what it would have added, for the difference
                elementsByOwner.put(owner, index(Elements.forNetwork(network)));
            }
            replaceOwner(owner, List.of());
            elementsByOwner.remove(owner);
            if (networks.remove(bridge) != null) {
                replaceIsolation();
            }
            deleteTableWhenUnused();
            return null;
        });
    }

    /**
     * Makes the pod's forwarded ports exactly {@code rules}, in one transaction: its elements that
     * are no longer wanted are deleted and the new ones added. Idempotent.
     *
     * @throws FirewallException when another pod already forwards an overlapping host port (the
     *         {@code HostPortRegistry} refuses those earlier), or the kernel refuses the change
     */
    public void applyPod(String podId, List<DnatRule> rules) {
        checkPodId(podId);
        List<DnatRule> copy = List.copyOf(rules);
        thread.call(() -> {
            if (copy.equals(rulesByPod.getOrDefault(podId, List.of()))) {
                return null; // what every resync of an unchanged pod asks: its elements are in place (drift is check()'s)
            }
            checkConflicts(podId, copy, rulesByPod, networks.values());
            replaceOwner(podId, Elements.forPod(podId, copy));
            if (copy.isEmpty()) {
                rulesByPod.remove(podId);
                elementsByOwner.remove(podId);
                deleteTableWhenUnused();
            } else {
                rulesByPod.put(podId, copy);
            }
            return null;
        });
    }

    /**
     * Removes exactly the pod's elements. Fine when it has none. A pod this instance never saw
     * (before the first {@link #sync} after a restart) is looked up by its comments in the table.
     */
    public void removePod(String podId) {
        checkPodId(podId);
        thread.call(() -> {
            if (elementsByOwner.containsKey(podId)) {
                replaceOwner(podId, List.of());
            } else if (!synced) {
                TableListing listed = list();
                if (listed != null && listed.sets().values().stream()
                        .anyMatch(set -> set.elements().stream().anyMatch(e -> podId.equals(Element.ownerOf(e.comment()))))) {
                    logRepair("removing pod " + podId, reconcile(listed, podId::equals));
                }
            }
            elementsByOwner.remove(podId);
            rulesByPod.remove(podId);
            deleteTableWhenUnused();
            return null;
        });
    }

    /**
     * Makes table inet podnet hold exactly the layout, these networks' elements and these pods'
     * elements, and the networks' sysctls set; removes whatever else is in the table (leftovers
     * of pods not listed, elements or chains added by hand). Used at start and by drift repair.
     *
     * @return what was repaired; empty when the kernel already matched
     */
    public Repair sync(Map<String, List<DnatRule>> expectedByPod, List<NetworkRules> expectedNetworks) {
        Map<String, List<DnatRule>> pods = new LinkedHashMap<>();
        expectedByPod.forEach((id, rules) -> {
            checkPodId(id);
            if (!rules.isEmpty()) {
                pods.put(id, List.copyOf(rules));
            }
        });
        List<NetworkRules> nets = List.copyOf(expectedNetworks);
        return thread.call(() -> {
            Map<String, List<DnatRule>> checked = new HashMap<>();
            pods.forEach((id, rules) -> {
                checkConflicts(id, rules, checked, nets);
                checked.put(id, rules);
            });
            elementsByOwner.clear();
            rulesByPod.clear();
            networks.clear();
            for (NetworkRules n : nets) {
                networks.put(n.bridge(), n);
                elementsByOwner.put(Elements.networkOwner(n.bridge()), index(Elements.forNetwork(n)));
            }
            List<Element> pairs = Elements.forIsolation(networks.values());
            if (!pairs.isEmpty()) {
                elementsByOwner.put(Elements.ISOLATION_OWNER, index(pairs));
            }
            pods.forEach((id, rules) -> {
                rulesByPod.put(id, rules);
                elementsByOwner.put(id, index(Elements.forPod(id, rules)));
            });
            synced = true;
            return check();
        });
    }

    /**
     * Drift repair against the current expectation (what {@link #sync}, {@link #applyPod} and
     * {@link #ensureNetwork} established): restores what is missing, and removes what does not
     * belong; before the first sync, only elements of owners this instance knows are removed.
     */
    public Repair check() {
        return thread.call(() -> {
            Repair r = reconcile(synced ? owner -> true : elementsByOwner::containsKey);
            List<Repair.Item> items = new ArrayList<>(r.items());
            for (NetworkRules n : networks.values()) {
                HostSysctls.ensure(n, items);
            }
            Repair all = new Repair(items);
            logRepair("check", all);
            return all;
        });
    }

    /** The rules in table inet podnet (0 when there is no table). */
    public int ruleCount() {
        return thread.call(() -> {
            TableListing l = list();
            return l == null ? 0 : l.ruleCount();
        });
    }

    /** The sockets listening in the host namespace now, for picking random host ports. */
    public HostPortProbe listeningPorts() {
        return thread.call(ListeningSockets::read);
    }

    /** Deletes table inet podnet and forgets the expectation (uninstall). */
    public void deleteTable() {
        thread.call(() -> {
            try {
                thread.nft().run(new NftCommands().deleteTable().toString(), "delete table inet podnet");
            } catch (NftablesException e) {
                if (!e.mentions(NO_SUCH)) {
                    throw e;
                }
            }
            elementsByOwner.clear();
            rulesByPod.clear();
            networks.clear();
            synced = false;
            verified = false;
            return null;
        });
    }

    /** Stops the firewall's thread; the table stays as it is. */
    @Override
    public void close() {
        thread.close();
    }

    // ---- on the firewall thread ----

    /**
     * Makes an owner's elements {@code wanted}: one transaction with the difference from what it
     * had. When that fails, the table is listed and repaired for this owner (and the expectation
     * of every other owner is added back where missing); if that fails too, nothing changed.
     */
    private void replaceOwner(String owner, List<Element> wanted) {
        Map<String, Element> before = elementsByOwner.getOrDefault(owner, Map.of());
        Map<String, Element> after = index(wanted);
        NftCommands cmds = new NftCommands();
        Map<String, List<JsonNode>> deletes = new LinkedHashMap<>();
        before.forEach((id, e) -> {
            if (!after.containsKey(id)) {
                deletes.computeIfAbsent(e.set(), k -> new ArrayList<>()).add(e.key());
            }
        });
        deletes.forEach(cmds::deleteElements);
        Map<String, List<Element>> adds = new LinkedHashMap<>();
        after.forEach((id, e) -> {
            if (!before.containsKey(id)) {
                adds.computeIfAbsent(e.set(), k -> new ArrayList<>()).add(e);
            }
        });
        adds.forEach(cmds::addElements);
        if (cmds.isEmpty()) {
            return;
        }
        if (!verified) {
            // first change of this instance: list once, create or repair the table with it
            elementsByOwner.put(owner, after);
            try {
                Repair r = reconcile(owner::equals);
                if (r.count(Repair.Kind.TABLE, Repair.Action.ADDED) > 0) {
                    LOG.debugf("created table inet podnet with %d objects", r.items().size());
                } else {
                    logRepair("on first use", r);
                }
            } catch (RuntimeException e) {
                elementsByOwner.put(owner, before);
                throw e;
            }
            return;
        }
        try {
            thread.nft().run(cmds.toString(), owner + ": " + deletes.size() + " deletes, " + adds.size() + " adds");
            elementsByOwner.put(owner, after);
        } catch (NftablesException first) {
            elementsByOwner.put(owner, after);
            try {
                Repair r = reconcile(owner::equals);
                logRepair("after a failed change for " + owner + " (" + first.error().strip() + ")", r);
            } catch (RuntimeException second) {
                elementsByOwner.put(owner, before);
                second.addSuppressed(first);
                throw new FirewallException("cannot change the firewall elements of " + owner + ": " + second.getMessage()
                        + (second.getMessage().contains("File exists")
                                ? " (an element of another owner holds the same key: sync() removes leftovers)"
                                : ""),
                        second);
            }
        }
    }

    /** The isolation pairs made to match the networks known now; with none, their owner is gone. */
    private void replaceIsolation() {
        List<Element> pairs = Elements.forIsolation(networks.values());
        if (pairs.isEmpty() && !elementsByOwner.containsKey(Elements.ISOLATION_OWNER)) {
            return;
        }
        replaceOwner(Elements.ISOLATION_OWNER, pairs);
        if (pairs.isEmpty()) {
            elementsByOwner.remove(Elements.ISOLATION_OWNER);
        }
    }

    private Repair reconcile(Predicate<String> mayDelete) {
        return reconcile(list(), mayDelete);
    }

    private Repair reconcile(TableListing listed, Predicate<String> mayDelete) {
        if (synced && elementsByOwner.isEmpty()) {
            if (listed != null) {
                deleteTableWhenUnused();
            }
            return new Repair(List.of());
        }
        List<Element> expected = new ArrayList<>();
        elementsByOwner.values().forEach(m -> expected.addAll(m.values()));
        Reconciler.Plan plan = Reconciler.plan(listed, expected, mayDelete);
        if (!plan.commands().isEmpty()) {
            thread.nft().run(plan.commands().toString(), "repair of table inet podnet: " + plan.repairs().size() + " changes");
        }
        verified = true;
        return new Repair(plan.repairs());
    }

    /**
     * With nothing expected after a sync (no network in use, no pod forwarding a port) the table
     * goes, as the bridges do when their last pod leaves: a node without pods keeps nothing of
     * podnet's in its ruleset. The next network or port creates it again.
     */
    private void deleteTableWhenUnused() {
        if (!synced || !elementsByOwner.isEmpty()) {
            return;
        }
        try {
            thread.nft().run(new NftCommands().deleteTable().toString(), "delete table inet podnet (unused)");
            LOG.debug("deleted table inet podnet: no network or port uses it");
        } catch (NftablesException e) {
            if (!e.mentions(NO_SUCH)) {
                throw e;
            }
        }
        verified = false;
    }

    /** The table as listed now, or null when there is none. */
    private TableListing list() {
        try {
            return TableListing.parse(NftLayout.parse(thread.nft().run(NftCommands.listTable(), "list table inet podnet")));
        } catch (NftablesException e) {
            if (e.mentions(NO_SUCH)) {
                return null;
            }
            throw e;
        }
    }

    /**
     * Refuses a pod whose host ports overlap each other, another pod's or a name server's
     * redirect (which take the same map keys: the kernel would refuse the second one anyway).
     */
    private static void checkConflicts(String podId, List<DnatRule> rules, Map<String, List<DnatRule>> others,
            Collection<NetworkRules> nets) {
        for (int i = 0; i < rules.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (rules.get(i).overlaps(rules.get(j))) {
                    throw new FirewallException("pod " + podId + " forwards host port " + rules.get(i) + " twice (also " + rules.get(j) + ")");
                }
            }
        }
        Map<String, List<DnatRule>> holders = new LinkedHashMap<>();
        others.forEach((other, held) -> {
            if (!other.equals(podId)) {
                holders.put("pod " + other, held);
            }
        });
        nets.forEach(n -> holders.put("the name server of bridge " + n.bridge(), n.dnsRedirects()));
        holders.forEach((holder, held) -> {
            for (DnatRule mine : rules) {
                for (DnatRule theirs : held) {
                    if (mine.overlaps(theirs)) {
                        throw new FirewallException("host port " + mine + " of pod " + podId + " is already forwarded to " + holder
                                + " (" + theirs + ")");
                    }
                }
            }
        });
    }

    private static Map<String, Element> index(Collection<Element> elements) {
        Map<String, Element> m = new LinkedHashMap<>();
        for (Element e : elements) {
            m.put(e.id(), e);
        }
        return m;
    }

    private static void checkPodId(String podId) {
        if (podId == null || !POD_ID.matcher(podId).matches()) {
            throw new IllegalArgumentException("invalid pod id \"" + podId + "\": letters, digits, '.', '_', '-', at most 64");
        }
    }

    private static void logRepair(String when, Repair r) {
        if (!r.isEmpty()) {
            LOG.infof("firewall repaired %s: %d items (%d tables, %d chains, %d maps, %d elements, %d sysctls)", when, r.items().size(),
                    r.count(Repair.Kind.TABLE), r.count(Repair.Kind.CHAIN), r.count(Repair.Kind.MAP), r.count(Repair.Kind.ELEMENT),
                    r.count(Repair.Kind.SYSCTL));
        }
    }

    /** Owners whose elements are expected now (pods and networks), for tests and diagnostics. */
    Set<String> owners() {
        return thread.call(() -> Set.copyOf(elementsByOwner.keySet()));
    }
}
