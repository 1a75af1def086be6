package io.parikshan.proxy.fidelity;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Judges one exchange: production's answer against each clone's, part by part.
 *
 * <p>One clone (or two-clone noise off): any part that differs makes the exchange divergent.
 * Several clones with two-clone noise on (the idea of Twitter's Diffy, with a second clone of
 * the same production playing the second "primary"): a part where the clones disagree with
 * each other is noise; a clone diverges only on parts where all clones agree with each other
 * and differ from production.
 */
public final class ExchangeJudge {

    /** A clone's verdict and the parts behind it (the divergent parts, or for noise the noisy ones). */
    public record Outcome(Verdict verdict, List<String> parts) {
        public Outcome {
            Objects.requireNonNull(verdict, "verdict");
            parts = List.copyOf(parts);
        }
    }

    private ExchangeJudge() {
    }

    /**
     * @param production production's parts
     * @param clones     each answering clone's parts (nulls are clones not judged, they get a null outcome)
     * @param clonesAsNoise true to use the clones' disagreement as the measure of noise
     */
    public static List<Outcome> judge(Map<String, String> production, List<Map<String, String>> clones, boolean clonesAsNoise) {
        List<Map<String, String>> answering = clones.stream().filter(Objects::nonNull).toList();
        boolean compareClones = clonesAsNoise && answering.size() >= 2;
        List<Outcome> out = new ArrayList<>(clones.size());
        for (Map<String, String> c : clones) {
            if (c == null) {
                out.add(null);
                continue;
            }
            List<String> differing = differingParts(production, c);
            if (differing.isEmpty()) {
                out.add(new Outcome(Verdict.EQUAL, List.of()));
                continue;
            }
            if (!compareClones) {
                out.add(new Outcome(Verdict.DIVERGENT, differing));
                continue;
            }
            List<String> divergent = new ArrayList<>();
            List<String> noisy = new ArrayList<>();
            for (String part : differing) {
                if (clonesAgreeOn(part, answering)) {
                    divergent.add(part);
                } else {
                    noisy.add(part);
                }
            }
            out.add(divergent.isEmpty() ? new Outcome(Verdict.NOISE, noisy) : new Outcome(Verdict.DIVERGENT, divergent));
        }
        return out;
    }

    /** Names of the parts whose values differ (or that only one side has), in a stable order. */
    public static List<String> differingParts(Map<String, String> a, Map<String, String> b) {
        Set<String> names = new LinkedHashSet<>(a.keySet());
        names.addAll(b.keySet());
        List<String> out = new ArrayList<>();
        for (String n : names) {
            if (!Objects.equals(a.get(n), b.get(n))) {
                out.add(n);
            }
        }
        return out;
    }

    private static boolean clonesAgreeOn(String part, List<Map<String, String>> clones) {
        String first = clones.get(0).get(part);
        for (int i = 1; i < clones.size(); i++) {
            if (!Objects.equals(first, clones.get(i).get(part))) {
                return false;
            }
        }
        return true;
    }
}
