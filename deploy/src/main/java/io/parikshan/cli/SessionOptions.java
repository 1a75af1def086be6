package io.parikshan.cli;

import io.parikshan.clone.AllowedEgress;
import io.parikshan.contract.ParikshanException;
import io.parikshan.proxy.HostPort;
import io.parikshan.session.SessionConfig;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The options of {@code parikshan clone} that make it a whole session (clone, duplicate, probe,
 * watch, re-sync) instead of a single clone; how traffic is duplicated and compared comes from
 * {@link DuplicationOptions}, shared with {@code parikshan proxy}. A {@link ConfigFile} ({@code --config})
 * may hold the same settings; options win over the file.
 */
final class SessionOptions {

    /** The keys of a {@code --config} file; also its help, so the two cannot drift apart. */
    static final String CONFIG_KEYS = "port, listen, tests, clones, metrics, resync-every, resync-after-desyncs, "
            + "resync-backoff, drain, status-every, resync-on-divergence, with, allow-egress, candidate, candidate-image, on, ssh-config, " + DuplicationOptions.CONFIG_KEYS;
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

    @Option(names = "--resync-on-divergence", paramLabel = "RATIO",
            description = "Re-sync a clone whose divergence ratio reaches RATIO (e.g. 0.05) over at least 20 compared exchanges.")
    String resyncOnDivergence;

    @Mixin
    DuplicationOptions duplication;

    @Option(names = "--config", paramLabel = "FILE", description = "Properties file with the session settings under the "
            + "option names without dashes (keys: " + CONFIG_KEYS + "); lists comma-separated; options win.")
    Path config;

    @Option(names = "--session", description = "Run a whole session with the defaults even without other session options.")
    boolean session;

    @Option(names = "--candidate", paramLabel = "PATCH.jar",
            description = "Try a fix on live clones: a control clone as it is and a candidate clone whose loaded classes "
                    + "are redefined from PATCH.jar (method bodies only), both fed the same traffic and judged three ways "
                    + "against production (compare mode auto unless --compare says otherwise).")
    Path candidate;

    @Option(names = "--candidate-image", paramLabel = "IMAGE",
            description = "Try a fix shipped as a new image: a control clone as it is and a candidate that is a fresh container "
                    + "of IMAGE (started, not restored: fresh start, no live memory) with the clone's copied files and volumes "
                    + "in the control's sandbox (with --with, in its own copy of the group), both fed the same traffic and "
                    + "judged three ways against production.")
    String candidateImage;

    @Option(names = "--agent-jar", paramLabel = "JAR", description = "The probe agent jar (default: found beside parikshan.jar).")
    Path agentJar;

    /** Whether any option asks for a session rather than a single clone. */
    boolean wanted() {
        return session || port != null || listen != null || !tests.isEmpty() || clones != null || config != null
                || metrics != null || resyncEvery != null || resyncAfterDesyncs != null || resyncBackoff != null
                || drain != null || statusEvery != null || resyncOnDivergence != null || agentJar != null || candidate != null
                || candidateImage != null || duplication.given();
    }

    /** The session these options (and the config file) describe; one-line errors name the value. */
    SessionConfig resolve(String production) {
        return resolve(production, List.of(), List.of());
    }

    /**
     * As {@link #resolve(String)}, with the clone group's {@code --with} and {@code --allow-egress}
     * (options of the clone command, which the file may also give).
     */
    SessionConfig resolve(String production, List<String> with, List<String> allowEgress) {
        return resolve(production, with, allowEgress, new TestHostOptions());
    }

    /** As {@link #resolve(String, List, List)}, with the test host the clones run on ({@code --on}, or the file's {@code on}). */
    SessionConfig resolve(String production, List<String> with, List<String> allowEgress, TestHostOptions testHost) {
        try {
            ConfigFile file = ConfigFile.read(config, CONFIG_KEYS);
            String on = file.value(testHost.on, "on");
            String sshConfig = file.value(testHost.sshConfig == null ? null : testHost.sshConfig.toString(), "ssh-config");
            SessionConfig c = resolve(production, file).withGroup(file.list(with, "with"),
                    file.list(allowEgress, "allow-egress").stream().map(AllowedEgress::parse).toList());
            return on == null ? c : c.onTestHost(TestHostOptions.ssh(on, sshConfig == null ? null : Path.of(sshConfig)));
        } catch (IllegalArgumentException e) { // the config file's and the shared options' refusals
            throw new ParikshanException(e.getMessage(), e);
        }
    }

    private SessionConfig resolve(String production, ConfigFile file) {
        SessionConfig c = SessionConfig.of(production);
        String p = file.value(port, "port");
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
        String l = file.value(listen, "listen");
        if (l != null) {
            c = c.withListen(parse("--listen", l, HostPort::parse, "HOST:PORT, e.g. 127.0.0.1:8080"));
        }
        c = c.withSuites(file.list(tests, "tests").stream().map(Path::of).toList());
        String n = file.value(clones, "clones");
        if (n != null) {
            c = c.withClones(parse("--clones", n, Integer::parseInt, "a whole number from 1 to " + SessionConfig.MAX_CLONES));
        }
        c = c.withDuplication(duplication.strategy(file), duplication.sampleRate(file));
        String m = file.value(metrics, "metrics");
        if (m != null) {
            c = c.withMetrics(parse("--metrics", m, HostPort::parse, "HOST:PORT, e.g. 127.0.0.1:9464"));
        }
        String every = file.value(resyncEvery, "resync-every");
        String after = file.value(resyncAfterDesyncs, "resync-after-desyncs");
        String backoff = file.value(resyncBackoff, "resync-backoff");
        c = c.withResync(every == null ? Optional.empty() : Optional.of(duration("--resync-every", every)),
                after == null ? c.resyncAfterDesyncs() : parse("--resync-after-desyncs", after, Integer::parseInt, "a whole number, 0 for never"),
                backoff == null ? c.resyncBackoff() : duration("--resync-backoff", backoff));
        c = c.withFidelity(duplication.fidelity(file), Optional.ofNullable(file.value(resyncOnDivergence, "resync-on-divergence"))
                .map(r -> parse("--resync-on-divergence", r, Double::parseDouble, "a ratio in (0, 1], e.g. 0.05")));
        String d = file.value(drain, "drain");
        String se = file.value(statusEvery, "status-every");
        c = c.withTiming(d == null ? c.drain() : duration("--drain", d), se == null ? c.statusEvery() : duration("--status-every", se));
        String patch = file.value(candidate == null ? null : candidate.toString(), "candidate");
        if (patch != null) {
            if (n != null) {
                throw new ParikshanException("--candidate runs a control and a candidate clone, so --clones " + n
                        + " does not apply; leave --clones out");
            }
            if (!c.fidelity().enabled() && file.value(duplication.compare, "compare") == null) {
                c = c.withFidelity(c.fidelity().withMode(io.parikshan.proxy.fidelity.CompareMode.AUTO), c.resyncOnDivergence());
            }
            c = c.withCandidate(Path.of(patch));
        }
        String image = file.value(candidateImage, "candidate-image");
        if (image != null) {
            if (n != null) {
                throw new ParikshanException("--candidate-image runs a control clone and a candidate container, so --clones " + n
                        + " does not apply; leave --clones out");
            }
            if (!c.fidelity().enabled() && file.value(duplication.compare, "compare") == null) {
                c = c.withFidelity(c.fidelity().withMode(io.parikshan.proxy.fidelity.CompareMode.AUTO), c.resyncOnDivergence());
            }
            c = c.withCandidateImage(image);
        }
        return c;
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
