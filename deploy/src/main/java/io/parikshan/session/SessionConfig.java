package io.parikshan.session;

import io.parikshan.clone.remote.Ssh;
import io.parikshan.clone.AllowedEgress;
import io.parikshan.contract.ParikshanException;
import io.parikshan.proxy.DuplicationStrategy;
import io.parikshan.proxy.HostPort;
import io.parikshan.proxy.fidelity.FidelityConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a session runs: which production port it duplicates, where clients reach the proxy, how many
 * clones, which probe suites, and when clones are re-synchronised.
 *
 * @param production        the production container (name or id)
 * @param containerPort     the container port to duplicate; empty for production's only TCP port
 * @param listen            the client-facing address; empty (or production's published address)
 *                          means take over production's published port
 * @param clones            how many clones to feed (1..8); two allow noise filtering
 * @param strategy          async (default) or sync (slows production to the slowest clone)
 * @param sampleRate        fraction of client connections duplicated
 * @param suites            probe suite jars loaded into every clone
 * @param metrics           the single control and metrics endpoint (/metrics, /status, /sync)
 * @param resyncEvery       re-sync each clone when it reaches this age; empty for never
 * @param resyncAfterDesyncs re-sync a clone once this many of its connections were dropped (0: never)
 * @param resyncBackoff     least time between automatic re-syncs of one clone (a broken production
 *                          must not be frozen again and again)
 * @param drain             how long open client connections may finish through the proxy at the end
 * @param statusEvery       how often the foreground status line is printed (zero: never)
 * @param fidelity          whether and how the proxy compares the clones' answers with production's
 * @param resyncOnDivergence re-sync a clone whose divergence ratio reaches this (over at least
 *                          {@link #DIVERGENCE_MIN_EXCHANGES} compared exchanges); empty: never
 * @param udp               the port is a UDP port: datagrams are duplicated instead of connections
 * @param with              containers production depends on, cloned with it as one group (its
 *                          clients' traffic goes to production's clone only)
 * @param egress            addresses outside the sandbox the clones may open connections to
 * @param candidate         a patch jar on trial: the session feeds a control clone and a candidate
 *                          clone whose loaded classes the jar redefines, and judges them three ways
 * @param testHost          the test host the clones run on (reached over SSH), or null for this host
 * @param candidateImage    a new image on trial: the candidate is a fresh container of it (no live memory)
 *                          started with the control's copied files in the control's sandbox (with {@code with},
 *                          in its own copy of the group); judged as a patch is
 */
public record SessionConfig(String production, Optional<Integer> containerPort, Optional<HostPort> listen,
                            int clones, DuplicationStrategy strategy, double sampleRate, List<Path> suites,
                            HostPort metrics, Optional<Duration> resyncEvery, int resyncAfterDesyncs,
                            Duration resyncBackoff, Duration drain, Duration statusEvery,
                            FidelityConfig fidelity, Optional<Double> resyncOnDivergence, boolean udp,
                            List<String> with, List<AllowedEgress> egress, Optional<Path> candidate, Ssh testHost,
                            Optional<String> candidateImage) {

    public static final HostPort DEFAULT_METRICS = new HostPort("127.0.0.1", 9464);
    public static final int MAX_CLONES = 8;
    /** Fewest compared exchanges before a divergence ratio can trigger a re-sync. */
    public static final int DIVERGENCE_MIN_EXCHANGES = 20;

    public SessionConfig {
        Objects.requireNonNull(production, "production");
        if (production.isBlank()) {
            throw new ParikshanException("the production container is empty; give a container name or id");
        }
        if (clones < 1 || clones > MAX_CLONES) {
            throw new ParikshanException("--clones " + clones + " must be from 1 to " + MAX_CLONES
                    + " (each clone freezes production briefly and takes its memory again)");
        }
        if (!(sampleRate > 0 && sampleRate <= 1)) {
            throw new ParikshanException("--sample " + sampleRate + " must be in (0, 1], e.g. 0.25");
        }
        suites = List.copyOf(suites);
        with = with == null ? List.of() : List.copyOf(with);
        egress = egress == null ? List.of() : List.copyOf(egress);
        for (Path s : suites) {
            if (!Files.isRegularFile(s)) {
                throw new ParikshanException("probe suite " + s.toAbsolutePath() + " does not exist; build it "
                        + "(mvn package) and pass the jar with --tests");
            }
        }
        resyncEvery.ifPresent(d -> {
            if (d.compareTo(Duration.ofSeconds(10)) < 0) {
                throw new ParikshanException("--resync-every " + d.toSeconds() + "s is shorter than 10s; "
                        + "each re-sync freezes production briefly, so choose 10s or more");
            }
        });
        if (resyncAfterDesyncs < 0) {
            throw new ParikshanException("--resync-after-desyncs " + resyncAfterDesyncs + " must be 0 (never) or more");
        }
        if (fidelity.twoCloneNoise() && clones < 2) {
            throw new ParikshanException("--noise-clones needs two clones to tell noise from divergence; add --clones 2");
        }
        resyncOnDivergence.ifPresent(r -> {
            if (!(r > 0 && r <= 1)) {
                throw new ParikshanException("--resync-on-divergence " + r + " must be a ratio in (0, 1], e.g. 0.05");
            }
            if (!fidelity.enabled()) {
                throw new ParikshanException("--resync-on-divergence needs comparison on; add --compare auto (or tcp, http)");
            }
        });
        if (udp && fidelity.enabled()) {
            throw new ParikshanException("--compare " + fidelity.mode().name().toLowerCase(java.util.Locale.ROOT)
                    + ": answers are compared for TCP only; drop --compare for a UDP port");
        }
        if (udp && strategy == DuplicationStrategy.SYNC) {
            throw new ParikshanException("--strategy sync: datagrams are never held back for clones; drop --strategy sync for a UDP port");
        }
        Objects.requireNonNull(candidate, "candidate");
        candidate.ifPresent(jar -> {
            if (!Files.isRegularFile(jar) || !jar.getFileName().toString().endsWith(".jar")) {
                throw new ParikshanException("--candidate " + jar.toAbsolutePath() + " is not a jar file: build the changed "
                        + "classes into a jar (jar cf patch.jar -C classes .) and pass it");
            }
            if (clones != 2) {
                throw new ParikshanException("--candidate runs a control and a candidate clone, so --clones " + clones
                        + " does not apply; leave --clones out");
            }
            if (udp) {
                throw new ParikshanException("--candidate judges answers, and datagrams are not compared: drop --candidate or use a TCP port");
            }
            if (!fidelity.enabled()) {
                throw new ParikshanException("--candidate judges the clones' answers, so --compare off cannot show what the "
                        + "patch changed; use --compare http, tcp or auto");
            }
        });
        Objects.requireNonNull(candidateImage, "candidateImage");
        if (candidateImage.isPresent()) {
            String image = candidateImage.get();
            if (candidate.isPresent()) {
                throw new ParikshanException("--candidate " + candidate.get().getFileName() + " and --candidate-image " + image
                        + " both given: a candidate is a patch jar applied to a live clone or a new image started afresh; give one");
            }
            if (image.isBlank()) {
                throw new ParikshanException("--candidate-image is empty; give the name or id of an image in 'docker images'");
            }
            if (clones != 2) {
                throw new ParikshanException("--candidate-image runs a control clone and a candidate container, so --clones " + clones
                        + " does not apply; leave --clones out");
            }
            if (udp || !fidelity.enabled()) {
                throw new ParikshanException("--candidate-image judges the candidate's answers: use a TCP port with --compare http, tcp or auto");
            }
        }
        if (resyncBackoff.isNegative() || drain.isNegative() || statusEvery.isNegative()) {
            throw new ParikshanException("durations must not be negative");
        }
    }

    /** The defaults: one clone, async, every connection, re-sync after 10 dropped connections. */
    public static SessionConfig of(String production) {
        return new SessionConfig(production, Optional.empty(), Optional.empty(), 1, DuplicationStrategy.ASYNC, 1.0,
                List.of(), DEFAULT_METRICS, Optional.empty(), 10, Duration.ofSeconds(30), Duration.ofSeconds(10),
                Duration.ofSeconds(2), FidelityConfig.OFF, Optional.empty(), false, List.of(), List.of(), Optional.empty(), null, Optional.empty());
    }

    public SessionConfig withPort(int port) {
        return withPort(port, udp);
    }

    /** The container port to duplicate, and whether it is a UDP port. */
    public SessionConfig withPort(int port, boolean isUdp) {
        return new SessionConfig(production, Optional.of(port), listen, clones, strategy, sampleRate, suites, metrics,
                resyncEvery, resyncAfterDesyncs, resyncBackoff, drain, statusEvery, fidelity, resyncOnDivergence, isUdp, with, egress, candidate, testHost, candidateImage);
    }

    public SessionConfig withListen(HostPort at) {
        return new SessionConfig(production, containerPort, Optional.of(at), clones, strategy, sampleRate, suites, metrics,
                resyncEvery, resyncAfterDesyncs, resyncBackoff, drain, statusEvery, fidelity, resyncOnDivergence, udp, with, egress, candidate, testHost, candidateImage);
    }

    public SessionConfig withClones(int n) {
        return new SessionConfig(production, containerPort, listen, n, strategy, sampleRate, suites, metrics,
                resyncEvery, resyncAfterDesyncs, resyncBackoff, drain, statusEvery, fidelity, resyncOnDivergence, udp, with, egress, candidate, testHost, candidateImage);
    }

    public SessionConfig withSuites(List<Path> jars) {
        return new SessionConfig(production, containerPort, listen, clones, strategy, sampleRate, jars, metrics,
                resyncEvery, resyncAfterDesyncs, resyncBackoff, drain, statusEvery, fidelity, resyncOnDivergence, udp, with, egress, candidate, testHost, candidateImage);
    }

    public SessionConfig withMetrics(HostPort at) {
        return new SessionConfig(production, containerPort, listen, clones, strategy, sampleRate, suites, at,
                resyncEvery, resyncAfterDesyncs, resyncBackoff, drain, statusEvery, fidelity, resyncOnDivergence, udp, with, egress, candidate, testHost, candidateImage);
    }

    public SessionConfig withResync(Optional<Duration> every, int afterDesyncs, Duration backoff) {
        return new SessionConfig(production, containerPort, listen, clones, strategy, sampleRate, suites, metrics,
                every, afterDesyncs, backoff, drain, statusEvery, fidelity, resyncOnDivergence, udp, with, egress, candidate, testHost, candidateImage);
    }

    public SessionConfig withDuplication(DuplicationStrategy s, double rate) {
        return new SessionConfig(production, containerPort, listen, clones, s, rate, suites, metrics,
                resyncEvery, resyncAfterDesyncs, resyncBackoff, drain, statusEvery, fidelity, resyncOnDivergence, udp, with, egress, candidate, testHost, candidateImage);
    }

    public SessionConfig withTiming(Duration drainFor, Duration statusInterval) {
        return new SessionConfig(production, containerPort, listen, clones, strategy, sampleRate, suites, metrics,
                resyncEvery, resyncAfterDesyncs, resyncBackoff, drainFor, statusInterval, fidelity, resyncOnDivergence, udp, with, egress, candidate, testHost, candidateImage);
    }

    /** The group: the containers cloned with production, and the addresses outside the sandbox the clones may reach. */
    public SessionConfig withGroup(List<String> dependencies, List<AllowedEgress> allowed) {
        return new SessionConfig(production, containerPort, listen, clones, strategy, sampleRate, suites, metrics,
                resyncEvery, resyncAfterDesyncs, resyncBackoff, drain, statusEvery, fidelity, resyncOnDivergence, udp,
                dependencies, allowed, candidate, testHost, candidateImage);
    }

    /** The clones made on the test host {@code ssh} reaches (null: on this host). */
    public SessionConfig onTestHost(Ssh ssh) {
        if (ssh != null && udp) {
            throw new ParikshanException("--on " + ssh.target() + ": a clone on a test host is fed TCP only for now; drop --on for a UDP port");
        }
        return new SessionConfig(production, containerPort, listen, clones, strategy, sampleRate, suites, metrics,
                resyncEvery, resyncAfterDesyncs, resyncBackoff, drain, statusEvery, fidelity, resyncOnDivergence, udp, with,
                egress, candidate, ssh, candidateImage);
    }

    public SessionConfig withFidelity(FidelityConfig f, Optional<Double> resyncAt) {
        return new SessionConfig(production, containerPort, listen, clones, strategy, sampleRate, suites, metrics,
                resyncEvery, resyncAfterDesyncs, resyncBackoff, drain, statusEvery, f, resyncAt, udp, with, egress, candidate, testHost, candidateImage);
    }

    /** A new image on trial (see {@code candidateImage}); a control clone and a fresh candidate container. */
    public SessionConfig withCandidateImage(String image) {
        return new SessionConfig(production, containerPort, listen, 2, strategy, sampleRate, suites, metrics,
                resyncEvery, resyncAfterDesyncs, resyncBackoff, drain, statusEvery, fidelity, resyncOnDivergence, udp, with, egress,
                candidate, testHost, Optional.of(image));
    }

    /** Whether a candidate is on trial (a patch jar or a new image): a control and a candidate, judged three ways. */
    public boolean candidateOnTrial() {
        return candidate.isPresent() || candidateImage.isPresent();
    }

    /** A patch on trial (see {@code candidate}); two clones, the control and the candidate. */
    public SessionConfig withCandidate(Path patchJar) {
        return new SessionConfig(production, containerPort, listen, 2, strategy, sampleRate, suites, metrics,
                resyncEvery, resyncAfterDesyncs, resyncBackoff, drain, statusEvery, fidelity, resyncOnDivergence, udp, with, egress,
                Optional.of(patchJar), testHost, candidateImage);
    }
}
