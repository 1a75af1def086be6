package io.parikshan.proxy.fidelity;

import java.util.List;
import java.util.Objects;

/**
 * How a duplicator compares clone answers with production's.
 *
 * @param mode              off, tcp, http or auto
 * @param rules             what to leave out of HTTP comparisons
 * @param divergenceLogSize how many divergent exchanges each clone keeps in full (the first ones)
 * @param twoCloneNoise     Diffy-style: with two or more clones, a difference only counts as divergence
 *                          where the clones agree with each other; where they disagree it is noise
 * @param trial             a patch on trial (a control and a candidate judged three ways), or null
 */
public record FidelityConfig(CompareMode mode, NoiseRules rules, int divergenceLogSize, boolean twoCloneNoise,
                             CandidateTrial trial) {

    public static final int DEFAULT_LOG_SIZE = 32;
    public static final int MAX_LOG_SIZE = 10_000;
    /**
     * Off by default: comparing keeps copies of production's answers (taken from the clone
     * budgets) and keeps clone connections open until their answers are in, which a plain
     * duplication run does not need. See the module README.
     */
    public static final FidelityConfig OFF = new FidelityConfig(CompareMode.OFF, NoiseRules.DEFAULT, DEFAULT_LOG_SIZE, false);

    public FidelityConfig {
        Objects.requireNonNull(mode, "compare mode");
        Objects.requireNonNull(rules, "noise rules");
        if (divergenceLogSize < 0 || divergenceLogSize > MAX_LOG_SIZE) {
            throw new IllegalArgumentException("divergence log size " + divergenceLogSize + " must be from 0 to " + MAX_LOG_SIZE);
        }
    }

    /** A config comparing in {@code mode} with the default rules (Date ignored), log size and no two-clone noise. */
    public FidelityConfig(CompareMode mode, NoiseRules rules, int divergenceLogSize, boolean twoCloneNoise) {
        this(mode, rules, divergenceLogSize, twoCloneNoise, null);
    }

    public static FidelityConfig of(CompareMode mode) {
        return new FidelityConfig(mode, NoiseRules.DEFAULT, DEFAULT_LOG_SIZE, false);
    }

    /**
     * Builds a config from user text (CLI flags, session options). Null lists mean none.
     *
     * @throws IllegalArgumentException one line naming the bad value and what to write instead
     */
    public static FidelityConfig parse(String mode, List<String> ignoreHeaders, List<String> ignoreJsonPaths,
                                       List<String> ignoreRegexes, boolean twoCloneNoise) {
        return new FidelityConfig(mode == null ? CompareMode.OFF : CompareMode.parse(mode),
                NoiseRules.parse(ignoreHeaders, ignoreJsonPaths, ignoreRegexes), DEFAULT_LOG_SIZE, twoCloneNoise);
    }

    /** Parses a divergence log size ({@code 0..10000}). */
    public static int parseLogSize(String text) {
        try {
            int n = Integer.parseInt(text.strip());
            if (n >= 0 && n <= MAX_LOG_SIZE) {
                return n;
            }
        } catch (NumberFormatException | NullPointerException e) {
            // reported below
        }
        throw new IllegalArgumentException("divergence log size '" + text + "' must be a whole number from 0 to " + MAX_LOG_SIZE);
    }

    public boolean enabled() {
        return mode != CompareMode.OFF;
    }

    public FidelityConfig withLogSize(int n) {
        return new FidelityConfig(mode, rules, n, twoCloneNoise, trial);
    }

    public FidelityConfig withMode(CompareMode m) {
        return new FidelityConfig(m, rules, divergenceLogSize, twoCloneNoise, trial);
    }

    public FidelityConfig withRules(NoiseRules r) {
        return new FidelityConfig(mode, r, divergenceLogSize, twoCloneNoise, trial);
    }

    public FidelityConfig withTwoCloneNoise(boolean on) {
        return new FidelityConfig(mode, rules, divergenceLogSize, on, trial);
    }

    /** The same config judging a patch on trial three ways. */
    public FidelityConfig withTrial(CandidateTrial t) {
        return new FidelityConfig(mode, rules, divergenceLogSize, twoCloneNoise, t);
    }
}
