package io.parikshan.cli;

import io.parikshan.proxy.DuplicationStrategy;
import io.parikshan.proxy.fidelity.CompareMode;
import io.parikshan.proxy.fidelity.FidelityConfig;
import io.parikshan.proxy.fidelity.NoiseRules;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/**
 * How traffic is duplicated and the clones' answers compared: the options {@code parikshan clone}
 * (a session) and {@code parikshan proxy} share, each also a {@link ConfigFile} key. Checks that
 * depend on the command's other options (how many clones, UDP) stay with the command.
 */
final class DuplicationOptions {

    /** This mixin's keys in a {@code --config} file. */
    static final String CONFIG_KEYS = "strategy, sample, compare, ignore-header, ignore-json, ignore-body-regex, "
            + "noise-clones, divergence-log";

    @Option(names = "--strategy", paramLabel = "async|sync",
            description = "async (default): each clone takes the bytes at its own pace and is dropped when too far behind, "
                    + "never slowing production. sync: production gets the next bytes only after every clone took the "
                    + "previous ones (SLOWS PRODUCTION).")
    String strategy;

    @Option(names = "--sample", paramLabel = "F", description = "Fraction (0,1] of client connections to duplicate (default 1).")
    String sample;

    @Option(names = "--compare", paramLabel = "off|tcp|http|auto",
            description = "Compare each clone's answers with production's: tcp byte by byte per connection, http request "
                    + "by request, auto (HTTP/1.x if the first line says so, else tcp). Kept answers count against the "
                    + "clone budgets, never slowing production. Default off: answers are thrown away unread.")
    String compare;

    @Option(names = "--ignore-header", paramLabel = "NAME",
            description = "An HTTP header whose differences are noise (Date always is). Repeatable.")
    List<String> ignoreHeaders = new ArrayList<>();

    @Option(names = "--ignore-json", paramLabel = "PATH",
            description = "A JSON body field whose differences are noise, e.g. $.meta.requestId or $.items[*].ts. Repeatable.")
    List<String> ignoreJson = new ArrayList<>();

    @Option(names = "--ignore-body-regex", paramLabel = "REGEX",
            description = "Body text whose differences are noise (every match is ignored), e.g. 'id=[0-9a-f]{32}'. "
                    + "Repeatable; a config file holds one.")
    List<String> ignoreBodyRegex = new ArrayList<>();

    @Option(names = "--noise-clones",
            description = "With two or more clones of the same production: differences the clones disagree on are noise; "
                    + "only differences they share count as divergence (Diffy-style).")
    boolean noiseClones;

    @Option(names = "--divergence-log", paramLabel = "N",
            description = "Divergent exchanges kept per clone, with both answers (default " + FidelityConfig.DEFAULT_LOG_SIZE
                    + "; a session shows them in 'parikshan status').")
    String divergenceLog;

    /** Whether any of these options was given. */
    boolean given() {
        return strategy != null || sample != null || compare != null || !ignoreHeaders.isEmpty() || !ignoreJson.isEmpty()
                || !ignoreBodyRegex.isEmpty() || noiseClones || divergenceLog != null;
    }

    DuplicationStrategy strategy(ConfigFile file) {
        String s = file.value(strategy, "strategy");
        return s == null ? DuplicationStrategy.ASYNC : OptionValue.parse("--strategy", () -> DuplicationStrategy.parse(s));
    }

    double sampleRate(ConfigFile file) {
        String s = file.value(sample, "sample");
        return s == null ? 1.0 : OptionValue.parse("--sample", () -> parseRate(s));
    }

    /** The comparison these options ask for; noise rules without a comparison are refused, they would do nothing. */
    FidelityConfig fidelity(ConfigFile file) {
        String mode = file.value(compare, "compare");
        CompareMode m = mode == null ? CompareMode.OFF : OptionValue.parse("--compare", () -> CompareMode.parse(mode));
        List<String> headers = file.list(ignoreHeaders, "ignore-header");
        List<String> json = file.list(ignoreJson, "ignore-json");
        String regexInFile = file.value(null, "ignore-body-regex");
        List<String> regexes = !ignoreBodyRegex.isEmpty() ? ignoreBodyRegex : regexInFile == null ? List.of() : List.of(regexInFile);
        boolean twoCloneNoise = file.flag(noiseClones, "noise-clones");
        if (m == CompareMode.OFF) {
            String rule = !headers.isEmpty() ? "--ignore-header" : !json.isEmpty() ? "--ignore-json"
                    : !regexes.isEmpty() ? "--ignore-body-regex" : twoCloneNoise ? "--noise-clones" : null;
            if (rule != null) {
                throw needsComparison(rule);
            }
        }
        NoiseRules h = OptionValue.parse("--ignore-header", () -> NoiseRules.parse(headers, null, null));
        NoiseRules j = OptionValue.parse("--ignore-json", () -> NoiseRules.parse(null, json, null));
        NoiseRules r = OptionValue.parse("--ignore-body-regex", () -> NoiseRules.parse(null, null, regexes));
        String log = file.value(divergenceLog, "divergence-log");
        int logSize = log == null ? FidelityConfig.DEFAULT_LOG_SIZE
                : OptionValue.parse("--divergence-log", () -> FidelityConfig.parseLogSize(log));
        return new FidelityConfig(m, new NoiseRules(h.ignoredHeaders(), j.ignoredJsonPaths(), r.bodyRegexes()), logSize, twoCloneNoise);
    }

    /** The refusal of {@code option}, which only means something when answers are compared. */
    static IllegalArgumentException needsComparison(String option) {
        return new IllegalArgumentException(option + " only applies when answers are compared; add --compare auto (or tcp, http)");
    }

    private static double parseRate(String text) {
        double rate;
        try {
            rate = Double.parseDouble(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("sample rate '" + text + "' is not a number; write a fraction in (0, 1], e.g. 0.25");
        }
        if (!(rate > 0.0 && rate <= 1.0)) {
            throw new IllegalArgumentException("sample rate '" + text + "' must be in (0, 1], e.g. 0.25 to duplicate a quarter of the connections");
        }
        return rate;
    }
}
