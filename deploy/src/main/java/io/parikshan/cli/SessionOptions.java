package io.parikshan.cli;

import io.parikshan.contract.ParikshanException;
import io.parikshan.proxy.DuplicationStrategy;
import io.parikshan.proxy.HostPort;
import io.parikshan.proxy.fidelity.FidelityConfig;
import io.parikshan.session.SessionConfig;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The options of {@code parikshan clone} that make it a whole session (clone, duplicate, probe,
 * watch, re-sync) instead of a single clone. A properties file ({@code --config}) may hold the same
 * settings under the option names without dashes; options win over the file.
 */
final class SessionOptions {

    private static final Set<String> KEYS = Set.of("port", "listen", "tests", "clones", "strategy", "sample", "metrics",
            "resync-every", "resync-after-desyncs", "resync-backoff", "drain", "status-every",
            "compare", "ignore-header", "ignore-json", "ignore-body-regex", "noise-clones", "divergence-log",
            "resync-on-divergence");
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    @Option(names = "--port", paramLabel = "CONTAINER_PORT[/udp]",
            description = "Production's container port to duplicate, PORT or PORT/udp (default: the only TCP port it publishes or exposes).")
    String port;

    @Option(names = "--listen", paramLabel = "HOST:PORT",
            description = "Where clients reach the proxy. Default, or production's published address: take over the "
                    + "published port (new connections go through the proxy; open ones stay with production).")
    String listen;

    @Option(names = "--tests", paramLabel = "SUITE.jar", description = "Probe suite jar to load into every clone. Repeatable.")
    List<String> tests = new ArrayList<>();

    @Option(names = "--clones", paramLabel = "N", description = "Clones to feed (default 1; at most 8).")
    String clones;

    @Option(names = "--strategy", paramLabel = "async|sync",
            description = "async (default): a slow clone falls behind and is dropped, never slowing production. "
                    + "sync: production waits for every clone (SLOWS PRODUCTION).")
    String strategy;

    @Option(names = "--sample", paramLabel = "F", description = "Fraction (0,1] of client connections to duplicate (default 1).")
    String sample;

    @Option(names = "--metrics", paramLabel = "HOST:PORT",
            description = "The session's metrics and control endpoint (default 127.0.0.1:9464; /metrics, /status, POST /sync).")
    String metrics;

    @Option(names = "--resync-every", paramLabel = "DURATION", description = "Re-sync each clone at this age, e.g. 10m (default never).")
    String resyncEvery;

    @Option(names = "--resync-after-desyncs", paramLabel = "N",
            description = "Re-sync a clone once N of its connections were dropped (overflow, refused, unreachable); 0 never (default 10).")
    String resyncAfterDesyncs;

    @Option(names = "--resync-backoff", paramLabel = "DURATION", description = "Least time between automatic re-syncs of a clone (default 30s).")
    String resyncBackoff;

    @Option(names = "--drain", paramLabel = "DURATION",
            description = "At the end, how long open client connections may finish through the proxy (default 10s).")
    String drain;

    @Option(names = "--status-every", paramLabel = "DURATION", description = "Interval of the status line (default 2s; 0s for none).")
    String statusEvery;

    @Option(names = "--compare", paramLabel = "off|tcp|http|auto",
            description = "Compare each clone's answers with production's (default off): tcp byte streams, http request by "
                    + "request, auto detects HTTP. Kept answers count against the clone budgets, never slowing production.")
    String compare;

    @Option(names = "--ignore-header", paramLabel = "NAME", description = "HTTP header whose differences are noise (Date always is). Repeatable.")
    List<String> ignoreHeaders = new ArrayList<>();

    @Option(names = "--ignore-json", paramLabel = "PATH", description = "JSON body field whose differences are noise, e.g. $.id or $.items[*].ts. Repeatable.")
    List<String> ignoreJson = new ArrayList<>();

    @Option(names = "--ignore-body-regex", paramLabel = "REGEX", description = "Body text whose differences are noise. Repeatable.")
    List<String> ignoreBodyRegex = new ArrayList<>();

    @Option(names = "--noise-clones", description = "With --clones 2 or more: differences the clones disagree on are noise; "
            + "only differences both clones share count as divergence.")
    boolean noiseClones;

    @Option(names = "--divergence-log", paramLabel = "N", description = "Divergent exchanges kept per clone for 'parikshan status' (default 32).")
    String divergenceLog;

    @Option(names = "--resync-on-divergence", paramLabel = "RATIO",
            description = "Re-sync a clone whose divergence ratio reaches RATIO (e.g. 0.05) over at least 20 compared exchanges.")
    String resyncOnDivergence;

    @Option(names = "--config", paramLabel = "FILE", description = "Properties file with the session settings (keys: " +
            "port, listen, tests, clones, strategy, sample, metrics, resync-every, resync-after-desyncs, resync-backoff, drain, status-every).")
    Path config;

    @Option(names = "--session", description = "Run a whole session with the defaults even without other session options.")
    boolean session;

    @Option(names = "--agent-jar", paramLabel = "JAR", description = "The probe agent jar (default: found beside parikshan.jar).")
    Path agentJar;

    /** Whether any option asks for a session rather than a single clone. */
    boolean wanted() {
        return session || port != null || listen != null || !tests.isEmpty() || clones != null || config != null
                || strategy != null || sample != null || metrics != null || resyncEvery != null
                || resyncAfterDesyncs != null || resyncBackoff != null || drain != null || statusEvery != null
                || compare != null || !ignoreHeaders.isEmpty() || !ignoreJson.isEmpty() || !ignoreBodyRegex.isEmpty()
                || noiseClones || divergenceLog != null || resyncOnDivergence != null || agentJar != null;
    }

    /** The session these options (and the config file) describe; one-line errors name the value. */
    SessionConfig resolve(String production) {
        Properties file = config == null ? new Properties() : load(config);
        SessionConfig c = SessionConfig.of(production);
        String p = pick(port, file, "port");
        if (p != null) {
            String[] portAndProtocol = p.strip().toLowerCase(Locale.ROOT).split("/", -1);
            boolean udp = portAndProtocol.length == 2 && portAndProtocol[1].equals("udp");
            c = c.withPort(parse("--port", p, s -> {
                if (portAndProtocol.length > 2 || (portAndProtocol.length == 2 && !udp && !portAndProtocol[1].equals("tcp"))) {
                    throw new IllegalArgumentException();
                }
                int n = Integer.parseInt(portAndProtocol[0]);
                if (n < 1 || n > 65535) {
                    throw new IllegalArgumentException();
                }
                return n;
            }, "a container port from 1 to 65535, optionally with /tcp or /udp, e.g. 8080 or 53/udp"), udp);
        }
        String l = pick(listen, file, "listen");
        if (l != null) {
            c = c.withListen(parse("--listen", l, HostPort::parse, "HOST:PORT, e.g. 127.0.0.1:8080"));
        }
        List<String> suites = new ArrayList<>(tests);
        if (suites.isEmpty() && file.getProperty("tests") != null) {
            Arrays.stream(file.getProperty("tests").split(",")).map(String::strip).filter(s -> !s.isEmpty()).forEach(suites::add);
        }
        c = c.withSuites(suites.stream().map(Path::of).toList());
        String n = pick(clones, file, "clones");
        if (n != null) {
            c = c.withClones(parse("--clones", n, Integer::parseInt, "a whole number from 1 to " + SessionConfig.MAX_CLONES));
        }
        String st = pick(strategy, file, "strategy");
        String sa = pick(sample, file, "sample");
        c = c.withDuplication(st == null ? DuplicationStrategy.ASYNC : parse("--strategy", st, DuplicationStrategy::parse, "async or sync"),
                sa == null ? 1.0 : parse("--sample", sa, Double::parseDouble, "a fraction in (0, 1], e.g. 0.25"));
        String m = pick(metrics, file, "metrics");
        if (m != null) {
            c = c.withMetrics(parse("--metrics", m, HostPort::parse, "HOST:PORT, e.g. 127.0.0.1:9464"));
        }
        String every = pick(resyncEvery, file, "resync-every");
        String after = pick(resyncAfterDesyncs, file, "resync-after-desyncs");
        String backoff = pick(resyncBackoff, file, "resync-backoff");
        c = c.withResync(every == null ? Optional.empty() : Optional.of(duration("--resync-every", every)),
                after == null ? c.resyncAfterDesyncs() : parse("--resync-after-desyncs", after, Integer::parseInt, "a whole number, 0 for never"),
                backoff == null ? c.resyncBackoff() : duration("--resync-backoff", backoff));
        c = c.withFidelity(fidelity(file), Optional.ofNullable(pick(resyncOnDivergence, file, "resync-on-divergence"))
                .map(r -> parse("--resync-on-divergence", r, Double::parseDouble, "a ratio in (0, 1], e.g. 0.05")));
        String d = pick(drain, file, "drain");
        String se = pick(statusEvery, file, "status-every");
        return c.withTiming(d == null ? c.drain() : duration("--drain", d), se == null ? c.statusEvery() : duration("--status-every", se));
    }

    private FidelityConfig fidelity(Properties file) {
        String mode = pick(compare, file, "compare");
        List<String> headers = orFile(ignoreHeaders, file, "ignore-header");
        List<String> json = orFile(ignoreJson, file, "ignore-json");
        List<String> regex = orFile(ignoreBodyRegex, file, "ignore-body-regex");
        boolean noise = noiseClones || Boolean.parseBoolean(file.getProperty("noise-clones", "false").strip());
        FidelityConfig f;
        try {
            f = FidelityConfig.parse(mode, headers, json, regex, noise);
        } catch (IllegalArgumentException e) {
            throw new ParikshanException(e.getMessage());
        }
        String log = pick(divergenceLog, file, "divergence-log");
        if (log != null) {
            f = f.withLogSize(parse("--divergence-log", log, FidelityConfig::parseLogSize, "a whole number from 0 to 10000"));
        }
        if ((noise || !headers.isEmpty() || !json.isEmpty() || !regex.isEmpty()) && !f.enabled()) {
            throw new ParikshanException("noise rules and --noise-clones need comparison on; add --compare auto (or tcp, http)");
        }
        return f;
    }

    /** The option's values, or the file's comma-separated list under {@code key}. */
    private static List<String> orFile(List<String> option, Properties file, String key) {
        if (!option.isEmpty() || file.getProperty(key) == null) {
            return option;
        }
        return Arrays.stream(file.getProperty(key).split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static String pick(String option, Properties file, String key) {
        return option != null ? option : file.getProperty(key);
    }

    private static Properties load(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new ParikshanException("cannot read --config " + file.toAbsolutePath() + " (" + e.getMessage() + "); give a readable properties file");
        }
        for (String k : p.stringPropertyNames()) {
            if (!KEYS.contains(k)) {
                throw new ParikshanException("unknown key '" + k + "' in " + file.toAbsolutePath() + "; known keys: " + new java.util.TreeSet<>(KEYS));
            }
        }
        return p;
    }

    static Duration duration(String option, String text) {
        Matcher m = DURATION.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new ParikshanException(option + " '" + text + "' is not a duration; write e.g. 500ms, 30s, 10m or 1h");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    private static <T> T parse(String option, String text, Function<String, T> parser, String expected) {
        try {
            return parser.apply(text.strip());
        } catch (RuntimeException e) {
            String why = e.getMessage() != null && e instanceof IllegalArgumentException && !(e instanceof NumberFormatException)
                    ? e.getMessage() : "expected " + expected;
            throw new ParikshanException(option + " '" + text + "' is not valid: " + why);
        }
    }
}
