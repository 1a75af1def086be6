package io.parikshan.proxy.fidelity;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Judges one exchange three ways, as Diffy does with its primary, secondary and candidate:
 * production is the primary, the control (an unpatched clone of the same production) the
 * secondary, the candidate the patched clone. Part by part:
 * <ul>
 *   <li>the candidate differs from production where the control agrees with production: a
 *   change made by the patch;</li>
 *   <li>the candidate differs where the control differs too: noise (state or nondeterminism
 *   both clones share, not the patch);</li>
 *   <li>the control differs where the candidate agrees with production: the control drifted,
 *   which the patch cannot explain (a sound pair shows none).</li>
 * </ul>
 */
public final class ThreeWayJudge {

    /**
     * @param changed        parts the patch changed
     * @param noisy          parts where both clones differ from production
     * @param controlDiffers parts only the control differs on
     */
    public record Outcome(List<String> changed, List<String> noisy, List<String> controlDiffers) {
        public Outcome {
            changed = List.copyOf(changed);
            noisy = List.copyOf(noisy);
            controlDiffers = List.copyOf(controlDiffers);
        }

        public boolean isChange() {
            return !changed.isEmpty();
        }

        public boolean isNoise() {
            return changed.isEmpty() && !noisy.isEmpty();
        }
    }

    private ThreeWayJudge() {
    }

    public static Outcome judge(Map<String, String> production, Map<String, String> control, Map<String, String> candidate) {
        List<String> changed = new ArrayList<>();
        List<String> noisy = new ArrayList<>();
        for (String part : ExchangeJudge.differingParts(production, candidate)) {
            if (Objects.equals(production.get(part), control.get(part))) {
                changed.add(part);
            } else {
                noisy.add(part);
            }
        }
        List<String> controlDiffers = new ArrayList<>();
        for (String part : ExchangeJudge.differingParts(production, control)) {
            if (Objects.equals(production.get(part), candidate.get(part))) {
                controlDiffers.add(part);
            }
        }
        return new Outcome(changed, noisy, controlDiffers);
    }
}
