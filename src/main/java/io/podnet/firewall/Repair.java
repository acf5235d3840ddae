package io.podnet.firewall;

import java.util.List;

/**
 * What a {@link NftFirewall#sync} changed to make the kernel match: empty when it already did.
 * Each item is one object: the table, a chain (created, or its rules rewritten), a map or set, an
 * element, or a sysctl; the caller counts them by kind for metrics.
 */
public record Repair(List<Item> items) {
    public enum Kind {
        TABLE,
        CHAIN,
        /** a map or a set */
        MAP,
        ELEMENT,
        SYSCTL
    }

    public enum Action {
        /** it was missing and was created */
        ADDED,
        /** it did not belong and was removed (a leftover, or something added by hand) */
        REMOVED,
        /** it was there but wrong (definition or rules) and was rewritten */
        REPLACED
    }

    public record Item(Kind kind, Action action, String name) {
        @Override
        public String toString() {
            return kind.name().toLowerCase() + " " + name + " " + action.name().toLowerCase();
        }
    }

    public static final Repair NONE = new Repair(List.of());

    public Repair {
        items = List.copyOf(items);
    }

    public boolean isEmpty() {
        return items.isEmpty();
    }

    public long count(Kind kind) {
        return items.stream().filter(i -> i.kind() == kind).count();
    }

    public long count(Kind kind, Action action) {
        return items.stream().filter(i -> i.kind() == kind && i.action() == action).count();
    }
}
