package io.parikshan.session;

import io.parikshan.contract.ParikshanException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The clones a session feeds, by slot (1 to {@code --clones}), and the probe counts of the clones it
 * has removed, so that the totals only grow. A slot holds a list of clones, each replaced in its
 * place by a re-sync; today a session puts one clone in each. Thread-safe.
 */
final class CloneSlots {

    private final List<List<LiveClone>> slots = new ArrayList<>();
    private final List<SessionMetrics.ProbeSample> retiredProbes = new ArrayList<>();

    CloneSlots(int count) {
        for (int i = 0; i < count; i++) {
            slots.add(new ArrayList<>());
        }
    }

    /** How many slots the session has. */
    int count() {
        return slots.size();
    }

    /** Puts a clone that now runs and is fed into its slot. */
    synchronized void add(LiveClone c) {
        slot(c.slot()).add(c);
    }

    /** {@code fresh} takes {@code old}'s place (re-sync); {@code old} then leads to it ({@link LiveClone#latest}). */
    synchronized void replace(LiveClone old, LiveClone fresh) {
        List<LiveClone> in = slot(old.slot());
        int at = in.indexOf(old);
        if (at < 0 || fresh.slot() != old.slot()) {
            throw new IllegalStateException(old.name() + " is not in slot " + old.slot() + " to be replaced by " + fresh.name());
        }
        in.set(at, fresh);
        old.replacedBy(fresh);
    }

    /** The clones of one slot. */
    synchronized List<LiveClone> in(int slot) {
        return List.copyOf(slot(slot));
    }

    /** Every clone fed now, by slot. */
    synchronized List<LiveClone> all() {
        List<LiveClone> all = new ArrayList<>();
        slots.forEach(all::addAll);
        return all;
    }

    synchronized boolean isEmpty() {
        return slots.stream().allMatch(List::isEmpty);
    }

    List<String> names() {
        return all().stream().map(LiveClone::name).toList();
    }

    List<SessionMetrics.CloneAge> ages() {
        return all().stream().map(c -> new SessionMetrics.CloneAge(c.name(), c.age().toMillis() / 1000.0)).toList();
    }

    /** Keeps the last probe counts of a clone that is removed. */
    synchronized void retired(String clone, ProbeCounts last) {
        for (Map.Entry<ProbeCounts.Key, Double> e : last.invocations().entrySet()) {
            retiredProbes.add(new SessionMetrics.ProbeSample(clone, e.getKey(), e.getValue()));
        }
    }

    /** Probe counts of every clone of the session, removed ones included: one sample per clone and probe outcome. */
    synchronized List<SessionMetrics.ProbeSample> probeSamples() {
        Map<String, Map<ProbeCounts.Key, Double>> byClone = new LinkedHashMap<>();
        for (SessionMetrics.ProbeSample p : retiredProbes) {
            byClone.computeIfAbsent(p.cloneName(), k -> new LinkedHashMap<>()).merge(p.key(), p.value(), Double::sum);
        }
        for (LiveClone c : all()) {
            c.lastProbes().invocations().forEach((k, v) ->
                    byClone.computeIfAbsent(c.name(), n -> new LinkedHashMap<>()).merge(k, v, Double::sum));
        }
        List<SessionMetrics.ProbeSample> samples = new ArrayList<>();
        byClone.forEach((clone, counts) -> counts.forEach((k, v) -> samples.add(new SessionMetrics.ProbeSample(clone, k, v))));
        return samples;
    }

    private List<LiveClone> slot(int slot) {
        if (slot < 1 || slot > slots.size()) {
            throw new ParikshanException("slot " + slot + " does not exist; this session has " + slots.size() + " clone(s)");
        }
        return slots.get(slot - 1);
    }
}
