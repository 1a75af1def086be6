package io.parikshan.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.parikshan.clone.CloneManager;
import io.parikshan.clone.ClonePhase;
import io.parikshan.clone.CloneProgress;
import io.parikshan.clone.AllowedEgress;
import io.parikshan.clone.CloneReport;
import io.parikshan.clone.ComposeProject;
import io.parikshan.clone.CloneRequest;
import io.parikshan.clone.DockerEngine;
import io.parikshan.clone.PortPublication;
import io.parikshan.contract.ParikshanException;
import io.parikshan.session.ProbeAgentHost;
import io.parikshan.session.Session;
import io.parikshan.session.SessionConfig;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code parikshan clone}: live-clone a running container into a sandboxed copy. */
@Command(name = "clone", mixinStandardHelpOptions = true,
        description = {"Live-clone a running container: production keeps serving, the clone resumes "
                + "from production's memory and files in a sandbox that cannot open connections.",
                "With session options (--port, --listen, --tests, --clones, --config, --session ...) it runs the whole "
                + "in-vivo test session in the foreground: clones, the duplicating proxy in front of production, "
                + "the probe suites in every clone, metrics, re-sync; Ctrl-C or SIGTERM ends it and removes the clones.",
                "Exit codes: 0 done (a session: ended by a signal), 1 failed."})
final class CloneCommand implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "CONTAINER",
            description = "The production container (name or id); with --compose-project, a service or container of the project.")
    String source;

    @Option(names = "--compose-project", paramLabel = "NAME",
            description = "Clone every running container of this Docker Compose project as one group; the front is "
                    + "CONTAINER, or the service named in --port SERVICE:PORT.")
    String composeProject;

    @Option(names = "--name", paramLabel = "NAME", description = "The clone's name (default: <container>-clone-<n>).")
    String name;

    @Option(names = "--publish", paramLabel = "[IP:][PORT:]CONTAINER_PORT",
            description = "Publish a clone port on the host (default: production's published ports, "
                    + "each on 127.0.0.1 with a free port). Repeatable.")
    List<String> publish = new ArrayList<>();

    @Option(names = "--with", paramLabel = "CONTAINER",
            description = "A container CONTAINER depends on (a database, a cache, another service), cloned with it as one "
                    + "group: all frozen at one instant, in one sandbox, reached under production's names and addresses. "
                    + "Repeatable.")
    List<String> with = new ArrayList<>();

    @Option(names = "--allow-egress", paramLabel = "HOST:PORT",
            description = "Let the clones open connections to exactly this address outside the sandbox (a dependency "
                    + "that cannot be cloned). The clones may change data there. Repeatable; off by default.")
    List<String> allowEgress = new ArrayList<>();

    @Option(names = "--json", description = "Print the result as JSON on stdout (progress goes to stderr).")
    boolean json;

    @Mixin
    HostOptions host;

    @Mixin
    SessionOptions sessionOptions;

    @Mixin
    TestHostOptions testHost;

    /** Counted down when a running session should end (signal, or {@link #stop()} in-process). */
    private final java.util.concurrent.CountDownLatch stopRequested = new java.util.concurrent.CountDownLatch(1);
    /** The session while it runs; for tests and embedding. */
    volatile io.parikshan.session.Session running;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        resolveGroup();
        if (sessionOptions.wanted()) {
            return runSession();
        }
        List<PortPublication> ports = publish.stream().map(PortPublication::parse).toList();
        CloneRequest request = new CloneRequest(source, name, ports, with,
                allowEgress.stream().map(AllowedEgress::parse).toList());
        if (testHost.given()) {
            request = request.onTestHost(testHost.ssh());
        }
        PrintWriter progressOut = json ? spec.commandLine().getErr() : spec.commandLine().getOut();
        try (DockerEngine engine = host.engine()) {
            CloneReport report = new CloneManager(engine, host.stateRoot()).clone(request, progress(progressOut));
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(asJson(report)));
            } else {
                printTable(out, report);
            }
            out.flush();
            return 0;
        }
    }

    private int runSession() throws InterruptedException {
        if (name != null || !publish.isEmpty() || json) {
            throw new ParikshanException("--name, --publish and --json are for a single clone; a session names and "
                    + "reaches its clones itself (see 'parikshan status --json')");
        }
        SessionConfig config = sessionOptions.resolve(source, with, allowEgress, testHost);
        ProbeAgentHost agent = config.suites().isEmpty() && config.candidate().isEmpty() ? null
                : new ProbeAgentHost(ProbeAgentHost.locate(sessionOptions.agentJar), ProbeAgentHost.DEFAULT_DIR, host.stateRoot());
        PrintWriter out = spec.commandLine().getOut();
        java.util.concurrent.atomic.AtomicReference<Session> made = new java.util.concurrent.atomic.AtomicReference<>();
        Thread hook = new Thread(() -> {
            Session s = made.get();
            if (s != null) {
                s.close();
            }
            stopRequested.countDown();
        }, "parikshan-session-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try (DockerEngine engine = host.engine()) {
            Session session = Session.start(config, engine, host.stateRoot(), agent, out, made::set);
            running = session;
            stopRequested.await();
            session.close();
            return 0;
        } finally {
            running = null;
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException jvmShuttingDown) {
                // the hook is ending the session
            }
        }
    }

    /**
     * With --compose-project, the front and its dependencies from the project's labels (and
     * --port SERVICE:PORT becomes --port PORT); without it, CONTAINER is required.
     */
    private void resolveGroup() {
        if (composeProject == null) {
            if (source == null) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "Missing required parameter: 'CONTAINER' (or --compose-project NAME --port SERVICE:PORT)");
            }
            return;
        }
        String front = source;
        String port = sessionOptions.port;
        if (port != null && port.contains(":")) {
            front = front != null ? front : port.substring(0, port.indexOf(':'));
            sessionOptions.port = port.substring(port.indexOf(':') + 1);
        }
        if (front == null) {
            throw new ParikshanException("--compose-project " + composeProject
                    + " needs the front: give --port SERVICE:PORT (e.g. web:80) or the front's CONTAINER");
        }
        try (DockerEngine engine = host.engine()) {
            ComposeProject.Group group = ComposeProject.group(engine, composeProject, front);
            source = group.front();
            group.dependencies().stream().filter(d -> !with.contains(d)).forEach(with::add);
        }
    }

    /** Ends a running session from inside the JVM, as a signal would. */
    void stop() {
        stopRequested.countDown();
    }

    private static CloneProgress progress(PrintWriter out) {
        return new CloneProgress() {
            private int step;

            @Override
            public void started(ClonePhase phase) {
                out.printf("[%d/%d] %s ...%n", ++step, ClonePhase.values().length, phase.label());
                out.flush();
            }

            @Override
            public void finished(ClonePhase phase, Duration took, String detail) {
                out.printf("      %s done in %d ms: %s%n", phase.label(), took.toMillis(), detail);
                out.flush();
            }
        };
    }

    static void printTable(PrintWriter out, CloneReport r) {
        out.printf("%nCloned %s into %s in %.2f s; production was frozen for %d ms.%n",
                r.production(), r.cloneName(), r.totalMillis() / 1000.0, r.frozenMillis());
        out.printf("  %-22s %8s%n", "phase", "ms");
        for (ClonePhase p : ClonePhase.values()) {
            out.printf("  %-22s %8d%n", p.label(), r.millis(p));
        }
        out.printf("  %-22s %8d%n", "frozen window", r.frozenMillis());
        out.printf("  %-22s %8d%n", "total", r.totalMillis());
        out.printf("  %-22s %8.1f MiB%n", "checkpoint images", r.imageBytes() / 1048576.0);
        if (r.testHost() != null) {
            out.printf("  %-22s %8.1f MiB to test host %s%n", "sent", r.sentBytes() / 1048576.0, r.testHost());
        }
        out.printf("clone %s at %s on sandbox network %s%n", r.cloneName(),
                r.cloneIp().isEmpty() ? "(no address)" : r.cloneIp(), r.sandboxNetwork());
        if (r.members().size() > 1) {
            out.printf("  %-34s %-22s %-16s %-20s %s%n", "member", "production", "sandbox address", "production's address",
                    "frozen ms");
            for (CloneReport.Member m : r.members()) {
                out.printf("  %-34s %-22s %-16s %-20s %d%n", m.cloneName(), m.production(), m.cloneIp(),
                        String.join(",", m.productionAddresses()), m.frozenMillis());
            }
            out.printf("  the group was frozen for %d ms, one cut%n", r.frozenMillis());
        }
        for (AllowedEgress e : r.egress()) {
            out.println("egress allowed to " + e + " (" + e.given() + "): the clones may change data there");
        }
        for (String a : r.addresses()) {
            out.println("  published " + a);
        }
        for (String w : r.warnings()) {
            out.println("warning: " + w);
        }
    }

    static Map<String, Object> asJson(CloneReport r) {
        Map<String, Object> phases = new LinkedHashMap<>();
        for (ClonePhase p : ClonePhase.values()) {
            phases.put(p.name().toLowerCase(), r.millis(p));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("clone", r.cloneName());
        m.put("cloneId", r.cloneId());
        m.put("production", r.production());
        m.put("sandboxNetwork", r.sandboxNetwork());
        m.put("cloneIp", r.cloneIp());
        m.put("addresses", r.addresses());
        m.put("phaseMillis", phases);
        m.put("frozenMillis", r.frozenMillis());
        m.put("totalMillis", r.totalMillis());
        m.put("imageBytes", r.imageBytes());
        m.put("preCopiedBytes", r.preCopiedBytes());
        m.put("warnings", r.warnings());
        if (r.testHost() != null) {
            m.put("testHost", r.testHost());
            m.put("sentBytes", r.sentBytes());
        }
        List<Map<String, Object>> members = new ArrayList<>();
        for (CloneReport.Member c : r.members()) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("clone", c.cloneName());
            one.put("production", c.production());
            one.put("cloneIp", c.cloneIp());
            one.put("productionAddresses", c.productionAddresses());
            one.put("frozenMillis", c.frozenMillis());
            members.add(one);
        }
        m.put("members", members);
        m.put("allowedEgress", r.egress().stream().map(AllowedEgress::toString).toList());
        return m;
    }
}
