package io.podnet.firewall;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;

import io.podnet.firewall.Repair.Action;
import io.podnet.firewall.Repair.Item;
import io.podnet.firewall.Repair.Kind;
import io.podnet.firewall.TableListing.ListedChain;
import io.podnet.firewall.TableListing.ListedElement;
import io.podnet.firewall.TableListing.ListedSet;

/**
 * Compares a listing of table inet podnet with what it should hold ({@link NftLayout} plus the
 * expected elements) and plans one transaction that makes it so, with the list of repairs.
 *
 * <ul>
 * <li>No table: create everything. A set or base chain whose definition changed cannot be
 * altered in place: the table is deleted and created again, in the same transaction.</li>
 * <li>Otherwise only what differs is touched: missing sets and chains are added, a chain whose
 * rules are not exactly ours (by rule comment) is flushed and refilled, chains and sets that are
 * not ours are removed, missing elements are added and extra ones deleted.</li>
 * <li>Extra elements are deleted only when {@code mayDelete} accepts their owner (taken from
 * the comment; null for an element without one). A full sync deletes every extra element; a
 * repair on behalf of one pod deletes only that pod's, because before a full sync the firewall
 * does not know which other owners are stale.</li>
 * </ul>
 */
final class Reconciler {
    record Plan(NftCommands commands, List<Item> repairs) {
    }

    private Reconciler() {
    }

    static Plan plan(TableListing listed, Collection<Element> expected, Predicate<String> mayDelete) {
        Map<String, Map<String, Element>> bySet = new LinkedHashMap<>();
        for (NftLayout.SetDef def : NftLayout.SETS) {
            bySet.put(def.name(), new LinkedHashMap<>());
        }
        for (Element e : expected) {
            bySet.get(e.set()).put(e.comment(), e);
        }
        if (listed == null) {
            return create(bySet, Action.ADDED, null);
        }
        if (!structureFits(listed)) {
            return create(bySet, Action.REPLACED, listed);
        }
        return amend(listed, bySet, mayDelete);
    }

    private static boolean structureFits(TableListing listed) {
        for (NftLayout.SetDef def : NftLayout.SETS) {
            ListedSet s = listed.sets().get(def.name());
            if (s != null && !s.matches(def)) {
                return false;
            }
        }
        for (NftLayout.ChainDef def : NftLayout.CHAINS) {
            ListedChain c = listed.chains().get(def.name());
            if (c != null && !c.matches(def)) {
                return false;
            }
        }
        return true;
    }

    private static Plan create(Map<String, Map<String, Element>> bySet, Action tableAction, TableListing replaced) {
        NftCommands cmds = new NftCommands();
        List<Item> repairs = new ArrayList<>();
        if (replaced != null) {
            cmds.deleteTable();
        }
        cmds.addTable();
        repairs.add(new Item(Kind.TABLE, tableAction, NftLayout.FAMILY + " " + NftLayout.TABLE));
        for (NftLayout.SetDef def : NftLayout.SETS) {
            cmds.addSet(def);
            repairs.add(new Item(Kind.MAP, Action.ADDED, def.name()));
        }
        for (NftLayout.ChainDef def : NftLayout.CHAINS) {
            addChainWithRules(cmds, def);
            repairs.add(new Item(Kind.CHAIN, Action.ADDED, def.name()));
        }
        bySet.forEach((set, elements) -> {
            cmds.addElements(set, elements.values());
            elements.values().forEach(e -> repairs.add(new Item(Kind.ELEMENT, Action.ADDED, e.id())));
        });
        return new Plan(cmds, repairs);
    }

    private static void addChainWithRules(NftCommands cmds, NftLayout.ChainDef def) {
        cmds.addChain(def);
        def.rules().forEach(r -> cmds.addRule(def.name(), r));
    }

    private static Plan amend(TableListing listed, Map<String, Map<String, Element>> bySet, Predicate<String> mayDelete) {
        NftCommands cmds = new NftCommands();
        List<Item> repairs = new ArrayList<>();
        Set<String> expectedChains = new HashSet<>();
        NftLayout.CHAINS.forEach(c -> expectedChains.add(c.name()));

        // 1. empty every chain whose rules are not exactly ours, so nothing references what goes next
        List<NftLayout.ChainDef> refill = new ArrayList<>();
        for (NftLayout.ChainDef def : NftLayout.CHAINS) {
            ListedChain c = listed.chains().get(def.name());
            if (c != null && !c.ruleComments().equals(NftLayout.ruleComments(def))) {
                if (!c.ruleComments().isEmpty()) {
                    cmds.flushChain(def.name());
                }
                refill.add(def);
                repairs.add(new Item(Kind.CHAIN, Action.REPLACED, def.name()));
            }
        }
        for (ListedChain c : listed.chains().values()) {
            if (!expectedChains.contains(c.name())) {
                cmds.flushChain(c.name());
            }
        }
        for (ListedChain c : listed.chains().values()) {
            if (!expectedChains.contains(c.name())) {
                cmds.deleteChain(c.name());
                repairs.add(new Item(Kind.CHAIN, Action.REMOVED, c.name()));
            }
        }
        // 2. sets and maps that are not ours go; missing ones come
        for (ListedSet s : listed.sets().values()) {
            if (!bySet.containsKey(s.name())) {
                cmds.deleteSet(s.name(), s.map());
                repairs.add(new Item(Kind.MAP, Action.REMOVED, s.name()));
            }
        }
        for (NftLayout.SetDef def : NftLayout.SETS) {
            if (!listed.sets().containsKey(def.name())) {
                cmds.addSet(def);
                repairs.add(new Item(Kind.MAP, Action.ADDED, def.name()));
            }
        }
        // 3. missing chains, then the rules of missing and emptied chains
        for (NftLayout.ChainDef def : NftLayout.CHAINS) {
            if (!listed.chains().containsKey(def.name())) {
                cmds.addChain(def);
                refill.add(def);
                repairs.add(new Item(Kind.CHAIN, Action.ADDED, def.name()));
            }
        }
        for (NftLayout.ChainDef def : NftLayout.CHAINS) {
            if (refill.contains(def)) {
                def.rules().forEach(r -> cmds.addRule(def.name(), r));
            }
        }
        // 4. elements: delete the extra ones first (a replaced element may reuse its key), then add
        Map<String, List<Element>> toAdd = new LinkedHashMap<>();
        bySet.forEach((set, wanted) -> {
            ListedSet s = listed.sets().get(set);
            Set<String> present = new HashSet<>();
            List<JsonNode> extra = new ArrayList<>();
            if (s != null) {
                for (ListedElement e : s.elements()) {
                    if (e.comment() != null && wanted.containsKey(e.comment()) && present.add(e.comment())) {
                        continue;
                    }
                    String owner = Element.ownerOf(e.comment());
                    if (mayDelete.test(owner)) {
                        extra.add(e.key());
                        repairs.add(new Item(Kind.ELEMENT, Action.REMOVED, set + " " + (e.comment() == null ? e.key() : e.comment())));
                    }
                }
            }
            cmds.deleteElements(set, extra);
            List<Element> missing = wanted.values().stream().filter(e -> !present.contains(e.comment())).toList();
            toAdd.put(set, missing);
            missing.forEach(e -> repairs.add(new Item(Kind.ELEMENT, Action.ADDED, e.id())));
        });
        toAdd.forEach(cmds::addElements);
        return new Plan(cmds, repairs);
    }
}
