package io.parikshan.cli;

import io.parikshan.proxy.ByteSize;
import io.parikshan.proxy.CloneTarget;
import io.parikshan.proxy.DuplicationStrategy;
import io.parikshan.proxy.DuplicatorConfig;
import io.parikshan.proxy.HostPort;
import io.parikshan.proxy.fidelity.CompareMode;
import io.parikshan.proxy.fidelity.FidelityConfig;
import io.parikshan.proxy.fidelity.NoiseRules;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * What {@code parikshan proxy} runs with: the config file (Java properties, same keys as the
 * long options without dashes-prefix, clones comma-separated) overlaid by the command-line
 * options. Every problem is an {@link IllegalArgumentException} whose message is one line
 * naming the value and what to do.
 *
 * <pre>
 * listen=0.0.0.0:8080
 * production=127.0.0.1:9000
 * clone=clone-1=127.0.0.1:9001, clone-2=127.0.0.1:9002
 * strategy=async
 * sample=1.0
 * connection-budget=4MiB
 * global-budget=256MiB
 * metrics=127.0.0.1:9464
 * udp=false
 * compare=auto
 * ignore-header=X-Request-Id, X-Served-By
 * ignore-json=meta.requestId, items[*].updatedAt
 * ignore-body-regex=id=[0-9a-f]{32}
 * noise-clones=false
 * divergence-log=32
 * </pre>
 * (in the file, {@code ignore-body-regex} holds one regex; the option can be repeated.)
 */
record ProxySettings(DuplicatorConfig duplicator, Optional<HostPort> metrics, boolean udp) {

    static final String DEFAULT_METRICS = "127.0.0.1:9464";
    private static final Set<String> KEYS = Set.of("listen", "production", "clone", "strategy", "sample",
            "connection-budget", "global-budget", "metrics", "udp",
            "compare", "ignore-header", "ignore-json", "ignore-body-regex", "noise-clones", "divergence-log");

    /** The raw comparison options; null means not given. */
    record Compare(String mode, List<String> ignoreHeaders, List<String> ignoreJson, List<String> ignoreBodyRegex,
                   Boolean noiseClones, String divergenceLog) {

        static final Compare NONE = new Compare(null, null, null, null, null, null);

        Compare overriddenBy(Compare over) {
            return new Compare(Raw.pick(over.mode, mode), nonEmpty(over.ignoreHeaders, ignoreHeaders),
                    nonEmpty(over.ignoreJson, ignoreJson), nonEmpty(over.ignoreBodyRegex, ignoreBodyRegex),
                    over.noiseClones != null && over.noiseClones ? Boolean.TRUE : noiseClones,
                    Raw.pick(over.divergenceLog, divergenceLog));
        }

        private static List<String> nonEmpty(List<String> first, List<String> second) {
            return first != null && !first.isEmpty() ? first : second;
        }

        boolean anyRuleGiven() {
            return given(ignoreHeaders) || given(ignoreJson) || given(ignoreBodyRegex)
                    || (noiseClones != null && noiseClones) || divergenceLog != null;
        }

        private static boolean given(List<String> l) {
            return l != null && !l.isEmpty();
        }

        FidelityConfig resolve(int clones, boolean udp) {
            CompareMode m = mode == null ? CompareMode.OFF : Raw.option("--compare", () -> CompareMode.parse(mode));
            if (m == CompareMode.OFF) {
                if (anyRuleGiven()) {
                    throw new IllegalArgumentException("--ignore-header, --ignore-json, --ignore-body-regex, --noise-clones and "
                            + "--divergence-log only apply when answers are compared; add --compare auto (or tcp, http)");
                }
                return FidelityConfig.OFF;
            }
            if (udp) {
                throw new IllegalArgumentException("--compare " + mode + ": answers are compared for TCP only; drop --compare or --udp");
            }
            NoiseRules headers = Raw.option("--ignore-header", () -> NoiseRules.parse(ignoreHeaders, null, null));
            NoiseRules json = Raw.option("--ignore-json", () -> NoiseRules.parse(null, ignoreJson, null));
            NoiseRules regexes = Raw.option("--ignore-body-regex", () -> NoiseRules.parse(null, null, ignoreBodyRegex));
            int logSize = divergenceLog == null ? FidelityConfig.DEFAULT_LOG_SIZE
                    : Raw.option("--divergence-log", () -> FidelityConfig.parseLogSize(divergenceLog));
            boolean twoClones = noiseClones != null && noiseClones;
            if (twoClones && clones < 2) {
                throw new IllegalArgumentException("--noise-clones needs at least two --clone of the same production "
                        + "(their disagreement is the noise); " + clones + " given");
            }
            return new FidelityConfig(m, new NoiseRules(headers.ignoredHeaders(), json.ignoredJsonPaths(), regexes.bodyRegexes()),
                    logSize, twoClones);
        }
    }

    /** The raw values, from a file and/or flags; null means not given. */
    record Raw(String listen, String production, List<String> clones, String strategy, String sample,
               String connectionBudget, String globalBudget, String metrics, Boolean udp, Compare compare) {

        Raw(String listen, String production, List<String> clones, String strategy, String sample,
            String connectionBudget, String globalBudget, String metrics, Boolean udp) {
            this(listen, production, clones, strategy, sample, connectionBudget, globalBudget, metrics, udp, Compare.NONE);
        }

        static Raw fromFile(Path file) {
            Path absolute = file.toAbsolutePath();
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(absolute)) {
                p.load(r);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read config file " + absolute + ": " + e.getMessage()
                        + "; check the path and its permissions");
            }
            for (String key : p.stringPropertyNames()) {
                if (!KEYS.contains(key)) {
                    throw new IllegalArgumentException("unknown key '" + key + "' in config file " + absolute
                            + "; known keys: " + String.join(", ", KEYS.stream().sorted().toList()));
                }
            }
            String clones = p.getProperty("clone");
            String udp = p.getProperty("udp");
            if (udp != null && !udp.strip().equalsIgnoreCase("true") && !udp.strip().equalsIgnoreCase("false")) {
                throw new IllegalArgumentException("udp=" + udp + " in config file " + absolute + " must be true or false");
            }
            String noiseClones = p.getProperty("noise-clones");
            if (noiseClones != null && !noiseClones.strip().equalsIgnoreCase("true") && !noiseClones.strip().equalsIgnoreCase("false")) {
                throw new IllegalArgumentException("noise-clones=" + noiseClones + " in config file " + absolute + " must be true or false");
            }
            String regex = p.getProperty("ignore-body-regex");
            Compare compare = new Compare(p.getProperty("compare"), list(p.getProperty("ignore-header")),
                    list(p.getProperty("ignore-json")), regex == null ? null : List.of(regex),
                    noiseClones == null ? null : Boolean.parseBoolean(noiseClones.strip()), p.getProperty("divergence-log"));
            return new Raw(p.getProperty("listen"), p.getProperty("production"),
                    clones == null ? null : Arrays.stream(clones.split(",")).map(String::strip).filter(c -> !c.isEmpty()).toList(),
                    p.getProperty("strategy"), p.getProperty("sample"), p.getProperty("connection-budget"),
                    p.getProperty("global-budget"), p.getProperty("metrics"),
                    udp == null ? null : Boolean.parseBoolean(udp.strip()), compare);
        }

        private static List<String> list(String commaSeparated) {
            return commaSeparated == null ? null
                    : Arrays.stream(commaSeparated.split(",")).map(String::strip).filter(c -> !c.isEmpty()).toList();
        }

        /** This, with every value {@code over} gives replacing ours (clones replace clones as a whole). */
        Raw overriddenBy(Raw over) {
            return new Raw(pick(over.listen, listen), pick(over.production, production),
                    over.clones != null && !over.clones.isEmpty() ? over.clones : clones,
                    pick(over.strategy, strategy), pick(over.sample, sample),
                    pick(over.connectionBudget, connectionBudget), pick(over.globalBudget, globalBudget),
                    pick(over.metrics, metrics), over.udp != null && over.udp ? Boolean.TRUE : udp,
                    compare.overriddenBy(over.compare));
        }

        static <T> T pick(T first, T second) {
            return first != null ? first : second;
        }

        ProxySettings resolve() {
            if (listen == null) {
                throw new IllegalArgumentException("missing --listen HOST:PORT (the client-facing address, e.g. 0.0.0.0:8080)");
            }
            if (production == null) {
                throw new IllegalArgumentException("missing --production HOST:PORT (the service being tested, e.g. 127.0.0.1:9000)");
            }
            HostPort listenAt = option("--listen", () -> HostPort.parse(listen));
            HostPort productionAt = option("--production", () -> HostPort.parse(production));
            List<CloneTarget> targets = new ArrayList<>();
            for (String c : clones == null ? List.<String>of() : clones) {
                CloneTarget t = option("--clone", () -> CloneTarget.parse(c));
                if (targets.stream().anyMatch(known -> known.name().equals(t.name()))) {
                    throw new IllegalArgumentException("--clone: clone name '" + t.name() + "' is used twice; give each clone its own NAME=HOST:PORT");
                }
                targets.add(t);
            }
            DuplicationStrategy s = strategy == null ? DuplicationStrategy.ASYNC
                    : option("--strategy", () -> DuplicationStrategy.parse(strategy));
            double rate = sample == null ? 1.0 : option("--sample", () -> parseRate(sample));
            ByteSize perConnection = connectionBudget == null ? DuplicatorConfig.DEFAULT_CONNECTION_BUDGET
                    : option("--connection-budget", () -> ByteSize.parse(connectionBudget));
            ByteSize global = globalBudget == null ? DuplicatorConfig.DEFAULT_GLOBAL_BUDGET
                    : option("--global-budget", () -> ByteSize.parse(globalBudget));
            String metricsAt = metrics == null ? DEFAULT_METRICS : metrics;
            Optional<HostPort> metricsAddress = metricsAt.strip().toLowerCase(Locale.ROOT).equals("off")
                    ? Optional.empty() : Optional.of(option("--metrics", () -> HostPort.parse(metricsAt)));
            boolean isUdp = udp != null && udp;
            FidelityConfig fidelity = (compare == null ? Compare.NONE : compare).resolve(targets.size(), isUdp);
            // what is left to check is how the budgets relate
            DuplicatorConfig config = option("--connection-budget/--global-budget", () -> new DuplicatorConfig(listenAt,
                    productionAt, targets, s, rate, perConnection, global, DuplicatorConfig.DEFAULT_DRAIN_TIMEOUT, fidelity));
            return new ProxySettings(config, metricsAddress, isUdp);
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

        static <T> T option(String name, java.util.function.Supplier<T> parse) {
            try {
                return parse.get();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
            }
        }
    }
}
