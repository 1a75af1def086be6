package io.parikshan.cli;

import io.parikshan.proxy.ByteSize;
import io.parikshan.proxy.CloneTarget;
import io.parikshan.proxy.DuplicationStrategy;
import io.parikshan.proxy.DuplicatorConfig;
import io.parikshan.proxy.HostPort;

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
 * </pre>
 */
record ProxySettings(DuplicatorConfig duplicator, Optional<HostPort> metrics, boolean udp) {

    static final String DEFAULT_METRICS = "127.0.0.1:9464";
    private static final Set<String> KEYS = Set.of("listen", "production", "clone", "strategy", "sample",
            "connection-budget", "global-budget", "metrics", "udp");

    /** The raw values, from a file and/or flags; null means not given. */
    record Raw(String listen, String production, List<String> clones, String strategy, String sample,
               String connectionBudget, String globalBudget, String metrics, Boolean udp) {

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
            return new Raw(p.getProperty("listen"), p.getProperty("production"),
                    clones == null ? null : Arrays.stream(clones.split(",")).map(String::strip).filter(c -> !c.isEmpty()).toList(),
                    p.getProperty("strategy"), p.getProperty("sample"), p.getProperty("connection-budget"),
                    p.getProperty("global-budget"), p.getProperty("metrics"),
                    udp == null ? null : Boolean.parseBoolean(udp.strip()));
        }

        /** This, with every value {@code over} gives replacing ours (clones replace clones as a whole). */
        Raw overriddenBy(Raw over) {
            return new Raw(pick(over.listen, listen), pick(over.production, production),
                    over.clones != null && !over.clones.isEmpty() ? over.clones : clones,
                    pick(over.strategy, strategy), pick(over.sample, sample),
                    pick(over.connectionBudget, connectionBudget), pick(over.globalBudget, globalBudget),
                    pick(over.metrics, metrics), over.udp != null && over.udp ? Boolean.TRUE : udp);
        }

        private static <T> T pick(T first, T second) {
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
            // what is left to check is how the budgets relate
            DuplicatorConfig config = option("--connection-budget/--global-budget", () -> new DuplicatorConfig(listenAt,
                    productionAt, targets, s, rate, perConnection, global, DuplicatorConfig.DEFAULT_DRAIN_TIMEOUT));
            return new ProxySettings(config, metricsAddress, udp != null && udp);
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

        private static <T> T option(String name, java.util.function.Supplier<T> parse) {
            try {
                return parse.get();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
            }
        }
    }
}
