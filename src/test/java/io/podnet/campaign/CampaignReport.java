package io.podnet.campaign;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one campaign run did, what it found and its figures, printed the same way by every
 * campaign. A finding is a broken promise (a leak, a changed IP, a crash); a campaign passes when
 * it has none. The short versions in the test command assert exactly that.
 */
public final class CampaignReport {
    private final String name;
    private final Instant started = Instant.now();
    private final Map<String, Long> actions = new LinkedHashMap<>();
    private final List<String> findings = new ArrayList<>();
    private final Map<String, List<Long>> durations = new LinkedHashMap<>();
    private final Map<String, String> figures = new LinkedHashMap<>();

    public CampaignReport(String name) {
        this.name = name;
    }

    /** Counts one thing the campaign did, for example "kill -9 during setup". */
    public synchronized void did(String action) {
        did(action, 1);
    }

    public synchronized void did(String action, long times) {
        actions.merge(action, times, Long::sum);
    }

    /** Records a broken promise: what was expected, what was seen, and where. */
    public synchronized void found(String finding) {
        findings.add(finding);
    }

    /** Adds one measured duration of a kind, for example a repair time per drift kind. */
    public synchronized void took(String kind, Duration duration) {
        durations.computeIfAbsent(kind, k -> new ArrayList<>()).add(duration.toNanos());
    }

    /** A figure that is not a duration, for example "specs tried". */
    public synchronized void figure(String label, Object value) {
        figures.put(label, String.valueOf(value));
    }

    /** A figure's value as given, or null. */
    public synchronized String figureOf(String label) {
        return figures.get(label);
    }

    public synchronized List<String> findings() {
        return List.copyOf(findings);
    }

    public synchronized long count(String action) {
        return actions.getOrDefault(action, 0L);
    }

    public synchronized String render() {
        StringBuilder out = new StringBuilder();
        out.append("campaign ").append(name).append(": ")
                .append(findings.isEmpty() ? "PASSED" : "FAILED with " + findings.size() + " finding(s)")
                .append(" in ").append(Duration.between(started, Instant.now()).toSeconds()).append(" s\n");
        out.append("command: ").append(System.getProperty("podnet.campaign.command", "campaign/run " + name)).append('\n');
        out.append("did:\n");
        actions.forEach((action, times) -> out.append(String.format("  %-56s %8d%n", action, times)));
        if (!figures.isEmpty()) {
            out.append("figures:\n");
            figures.forEach((label, value) -> out.append(String.format("  %-56s %8s%n", label, value)));
        }
        if (!durations.isEmpty()) {
            out.append(String.format("  %-44s %6s %10s %10s%n", "durations", "n", "median ms", "p90 ms"));
            durations.forEach((kind, nanos) -> {
                long[] values = nanos.stream().mapToLong(Long::longValue).toArray();
                out.append(String.format("  %-44s %6d %10.1f %10.1f%n", kind, values.length,
                        percentile(values, 50) / 1e6, percentile(values, 90) / 1e6));
            });
        }
        out.append("found:").append(findings.isEmpty() ? " nothing\n" : "\n");
        findings.forEach(f -> out.append("  - ").append(f).append('\n'));
        return out.toString();
    }

    private static double percentile(long[] values, double p) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
