package io.parikshan.cli;

import io.parikshan.proxy.ByteSize;
import io.parikshan.proxy.CloneTarget;
import io.parikshan.proxy.DuplicationStrategy;
import io.parikshan.proxy.DuplicatorConfig;
import io.parikshan.proxy.HostPort;
import io.parikshan.proxy.fidelity.FidelityConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What {@code parikshan proxy} runs with: its options overlaying its {@link ConfigFile}. Every
 * problem is an {@link IllegalArgumentException} whose message is one line naming the value and
 * what to do.
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
    /** The keys of a {@code --config} file; also its help, so the two cannot drift apart. */
    static final String CONFIG_KEYS = "listen, production, clone, connection-budget, global-budget, metrics, udp, "
            + DuplicationOptions.CONFIG_KEYS;

    /** The settings {@code options} and their config file describe. */
    static ProxySettings of(ProxyCommand options) {
        ConfigFile file = ConfigFile.read(options.config, CONFIG_KEYS);
        String listen = file.value(options.listen, "listen");
        String production = file.value(options.production, "production");
        if (listen == null) {
            throw new IllegalArgumentException("missing --listen HOST:PORT (the client-facing address, e.g. 0.0.0.0:8080)");
        }
        if (production == null) {
            throw new IllegalArgumentException("missing --production HOST:PORT (the service being tested, e.g. 127.0.0.1:9000)");
        }
        HostPort listenAt = OptionValue.parse("--listen", () -> HostPort.parse(listen));
        HostPort productionAt = OptionValue.parse("--production", () -> HostPort.parse(production));
        List<CloneTarget> targets = new ArrayList<>();
        for (String c : file.list(options.clones, "clone")) {
            CloneTarget t = OptionValue.parse("--clone", () -> CloneTarget.parse(c));
            if (targets.stream().anyMatch(known -> known.name().equals(t.name()))) {
                throw new IllegalArgumentException("--clone: clone name '" + t.name() + "' is used twice; give each clone its own NAME=HOST:PORT");
            }
            targets.add(t);
        }
        DuplicationOptions duplication = options.duplication;
        DuplicationStrategy strategy = duplication.strategy(file);
        double rate = duplication.sampleRate(file);
        String connectionBudget = file.value(options.connectionBudget, "connection-budget");
        ByteSize perConnection = connectionBudget == null ? DuplicatorConfig.DEFAULT_CONNECTION_BUDGET
                : OptionValue.parse("--connection-budget", () -> ByteSize.parse(connectionBudget));
        String globalBudget = file.value(options.globalBudget, "global-budget");
        ByteSize global = globalBudget == null ? DuplicatorConfig.DEFAULT_GLOBAL_BUDGET
                : OptionValue.parse("--global-budget", () -> ByteSize.parse(globalBudget));
        String metricsAt = Optional.ofNullable(file.value(options.metrics, "metrics")).orElse(DEFAULT_METRICS);
        Optional<HostPort> metricsAddress = metricsAt.strip().toLowerCase(Locale.ROOT).equals("off")
                ? Optional.empty() : Optional.of(OptionValue.parse("--metrics", () -> HostPort.parse(metricsAt)));
        boolean udp = file.flag(options.udp, "udp");
        FidelityConfig fidelity = fidelity(duplication, file, targets.size(), udp);
        // what is left to check is how the budgets relate
        DuplicatorConfig config = OptionValue.parse("--connection-budget/--global-budget", () -> new DuplicatorConfig(listenAt,
                productionAt, targets, strategy, rate, perConnection, global, DuplicatorConfig.DEFAULT_DRAIN_TIMEOUT, fidelity));
        return new ProxySettings(config, metricsAddress, udp);
    }

    private static FidelityConfig fidelity(DuplicationOptions duplication, ConfigFile file, int clones, boolean udp) {
        FidelityConfig f = duplication.fidelity(file);
        if (!f.enabled()) {
            // nothing to log without comparison; a session ignores the setting instead of refusing it
            if (file.value(duplication.divergenceLog, "divergence-log") != null) {
                throw DuplicationOptions.needsComparison("--divergence-log");
            }
            return FidelityConfig.OFF;
        }
        if (udp) {
            throw new IllegalArgumentException("--compare " + f.mode().label() + ": answers are compared for TCP only; drop --compare or --udp");
        }
        if (f.twoCloneNoise() && clones < 2) {
            throw new IllegalArgumentException("--noise-clones needs at least two --clone of the same production "
                    + "(their disagreement is the noise); " + clones + " given");
        }
        return f;
    }
}
