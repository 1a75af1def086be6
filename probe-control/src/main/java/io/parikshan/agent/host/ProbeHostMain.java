package io.parikshan.agent.host;

import io.parikshan.clone.CloneManager;
import io.parikshan.contract.AgentVerb;
import io.parikshan.contract.Contract;
import io.parikshan.contract.ProbeAction;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The host side's command line, which {@code parikshan probe} and the session call in-process with the
 * agent jar to put into the target. A target is a Docker container name or id, or {@code pid:<n>}.
 *
 * <pre>
 * attach  TARGET [--metrics [HOST:]PORT]
 * load    TARGET SUITE.jar
 * unload  TARGET SUITE
 * list    TARGET
 * patch   TARGET PATCH.jar
 * results TARGET [--junit | --metrics]
 * watch | trace | stack | threads | heapdump | jfr: see {@link DiagnosisMain}
 * common: [--dir DIR] [--force]
 * </pre>
 * Targets without the clone marker are refused before anything is attached or copied, unless
 * {@code --force} (for a test JVM of one's own, never production).
 * Status: 0 done, 1 the action failed, 2 bad usage.
 */
public final class ProbeHostMain {

    static final String USAGE = "usage: ("
            + Arrays.stream(ProbeAction.values()).map(ProbeAction::wireName).collect(Collectors.joining("|"))
            + ") TARGET [ARG] [" + Contract.HOST_OPTION_FORCE + "] [" + Contract.HOST_OPTION_METRICS + " [HOST:]PORT] ["
            + Contract.HOST_OPTION_JUNIT + "] [" + Contract.HOST_OPTION_DIR + " DIR]; TARGET is a container name or pid:<n>";

    private ProbeHostMain() {
    }

    /**
     * Runs one action; what it says goes to {@code out} and {@code err}.
     *
     * @param agentJar the probe agent jar on the host, copied into the target before each attach
     * @return 0 done, 1 the action failed, 2 bad usage
     */
    public static int run(Path agentJar, String[] args, PrintWriter out, PrintWriter err) {
        if (args.length > 0) {
            Optional<ProbeAction> diag = ProbeAction.ofWire(args[0]).filter(DiagnosisMain.ACTIONS::contains);
            if (diag.isPresent()) {
                return DiagnosisMain.run(diag.get(), Arrays.copyOfRange(args, 1, args.length), agentJar, out, err);
            }
        }
        List<String> positional = new ArrayList<>();
        boolean force = false;
        boolean junit = false;
        boolean metricsOut = false;
        String metrics = null;
        Path dir = ProbeControl.DEFAULT_DIR;
        Path stateRoot = CloneManager.DEFAULT_STATE_ROOT;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case Contract.HOST_OPTION_FORCE -> force = true;
                case Contract.HOST_OPTION_JUNIT -> junit = true;
                case Contract.HOST_OPTION_STATE_DIR -> {
                    if (++i >= args.length || !args[i].startsWith("/")) {
                        err.println("parikshan probe: --state-dir needs an absolute path on this host");
                        return 2;
                    }
                    stateRoot = Path.of(args[i]);
                }
                case Contract.HOST_OPTION_DIR -> {
                    if (++i >= args.length || !args[i].startsWith("/")) {
                        err.println("parikshan probe: --dir needs an absolute path inside the target");
                        return 2;
                    }
                    dir = Path.of(args[i]);
                }
                case Contract.HOST_OPTION_METRICS -> {
                    if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                        metrics = args[++i];
                    } else {
                        metricsOut = true;
                    }
                }
                default -> positional.add(args[i]);
            }
        }
        if (positional.size() < 2) {
            err.println("parikshan probe: " + USAGE);
            return 2;
        }
        Optional<ProbeAction> parsed = ProbeAction.ofWire(positional.get(0));
        if (parsed.isEmpty()) {
            err.println("parikshan probe: unknown action '" + positional.get(0) + "': " + USAGE);
            return 2;
        }
        ProbeAction action = parsed.get();
        try {
            ProbeControl control = new ProbeControl(agentJar, dir);
            JvmTarget target = resolve(positional.get(1), stateRoot);
            String forced = force ? "," + Contract.AGENT_OPTION_FORCE : "";
            AgentReply reply;
            switch (action) {
                case ATTACH -> {
                    reply = control.send(target, (metrics == null ? AgentVerb.ATTACH.wireName()
                            : AgentVerb.ATTACH.wireName() + "," + AgentVerb.METRICS.with(metrics)) + forced);
                }
                case LOAD -> {
                    String jar = arg(positional, "load needs the suite jar: load TARGET SUITE.jar");
                    if (!Files.isRegularFile(Path.of(jar))) {
                        throw new IllegalArgumentException("suite jar " + Path.of(jar).toAbsolutePath()
                                + " does not exist: build it first (mvn package)");
                    }
                    Path staged = control.stage(target, Path.of(jar));
                    reply = control.send(target, AgentVerb.LOAD.with(staged.toString()) + forced);
                }
                case PATCH -> {
                    Path jar = Path.of(arg(positional, "patch needs the jar of changed classes: patch TARGET PATCH.jar"));
                    if (!Files.isRegularFile(jar)) {
                        throw new IllegalArgumentException("patch jar " + jar.toAbsolutePath() + " does not exist: build it first");
                    }
                    reply = control.send(target, AgentVerb.PATCH.with(control.stage(target, jar).toString()) + forced);
                }
                case UNLOAD -> reply = control.send(target, AgentVerb.UNLOAD.with(
                        arg(positional, "unload needs the suite name: unload TARGET SUITE (see list)")) + forced);
                case LIST -> reply = control.send(target, AgentVerb.LIST.wireName() + forced);
                case RESULTS -> {
                    reply = control.send(target, AgentVerb.REPORT.wireName() + forced);
                    printResults(control, target, junit, metricsOut, out);
                    return 0;
                }
                default -> {
                    err.println("parikshan probe: unknown action '" + action + "': " + USAGE);
                    return 2;
                }
            }
            reply.lines().forEach(out::println);
            if (action == ProbeAction.ATTACH || action == ProbeAction.LOAD) {
                notice(target, reply, err);
            }
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("parikshan probe: " + e.getMessage());
            return 2;
        } catch (ProbeControlException | IOException e) {
            err.println("parikshan probe: " + e.getMessage());
            return 1;
        }
    }

    private static String arg(List<String> positional, String missing) {
        if (positional.size() < 3) {
            throw new IllegalArgumentException(missing);
        }
        return positional.get(2);
    }

    /** A container name or pid:N; a clone on a test host is found through its record under {@code stateRoot}. */
    static JvmTarget resolve(String target, Path stateRoot) throws IOException {
        if (target.startsWith("pid:")) {
            try {
                return JvmTarget.ofPid(Long.parseLong(target.substring(4)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + target + "' is not pid:<number>");
            }
        }
        return ContainerJvm.find(target, stateRoot);
    }

    private static void notice(JvmTarget target, AgentReply reply, PrintWriter err) {
        if (reply.has("java ")) {
            String version = reply.value("java ").split(" ")[0];
            ProbeControl.dynamicLoadingNotice(target, version).ifPresent(err::println);
        }
    }

    private static void printResults(ProbeControl control, JvmTarget target, boolean junit, boolean metrics,
                                     PrintWriter out) throws IOException {
        Path dir = target.hostPath(control.dir());
        HostFiles host = target.host();
        if (metrics) {
            host.read(dir.resolve(Contract.METRICS_FILE)).ifPresent(out::print);
        } else if (junit) {
            out.print(host.readEach(dir.resolve(Contract.JUNIT_DIR), "TEST-*.xml"));
        } else {
            host.read(dir.resolve(Contract.RESULTS_FILE)).ifPresent(out::print);
        }
    }
}
