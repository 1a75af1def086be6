package io.parikshan.agent.host;

import io.parikshan.clone.CloneManager;
import io.parikshan.contract.Contract;
import io.parikshan.contract.ProbeAction;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The diagnosis actions of the host-side control:
 * <pre>
 * watch    TARGET Class::method [--when EXPR] [--show EXPR] [--at entry|exit|error] [-n N] [--timeout D]
 * trace    TARGET Class::method [--cost-over MS] [-n N] [--timeout D]
 * stack    TARGET Class::method [--when EXPR] [-n N] [--timeout D]
 * threads  TARGET [--top N]
 * heapdump TARGET FILE
 * jfr      TARGET FILE --duration D
 * common: [--json] [--force] [--dir DIR]; D is e.g. 500ms, 30s, 5m
 * </pre>
 * Exit status: 0 done, 1 failed (also for a refused pattern or expression), 2 bad usage. With
 * {@code --json} a failure is one JSON object on stdout too.
 */
final class DiagnosisMain {

    static final Set<ProbeAction> ACTIONS = EnumSet.of(ProbeAction.WATCH, ProbeAction.TRACE, ProbeAction.STACK,
            ProbeAction.THREADS, ProbeAction.HEAPDUMP, ProbeAction.JFR);

    /** Default --timeout of watch, trace and stack. */
    static final long DEFAULT_TIMEOUT_MILLIS = 5 * 60_000L;

    private DiagnosisMain() {
    }

    static int run(ProbeAction action, String[] args, Path agentJar, PrintWriter out, PrintWriter err) {
        boolean json = List.of(args).contains("--json");
        try {
            return runOrThrow(action, args, agentJar, json, out, err);
        } catch (UsageException e) {
            fail(action, json, e.getMessage(), out, err);
            return 2;
        } catch (IllegalArgumentException | ProbeControlException | IOException e) {
            fail(action, json, e.getMessage(), out, err);
            return 1;
        }
    }

    private static void fail(ProbeAction action, boolean json, String message, PrintWriter out, PrintWriter err) {
        err.println("parikshan probe " + action.wireName() + ": " + message);
        if (json) {
            out.println("{\"ok\":false,\"command\":" + JsonLine.quote("probe " + action.wireName()) + ",\"error\":"
                    + JsonLine.quote(message) + ",\"log\":null}");
        }
    }

    private static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    private static int runOrThrow(ProbeAction action, String[] args, Path agentJar, boolean json, PrintWriter out,
                                  PrintWriter err) throws UsageException, ProbeControlException, IOException {
        List<String> positional = new ArrayList<>();
        Map<String, String> opts = new LinkedHashMap<>();
        boolean force = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--json" -> {
                }
                case Contract.HOST_OPTION_FORCE -> force = true;
                case "--when", "--show", "--at", "-n", "--timeout", "--cost-over", "--top", "--duration",
                     Contract.HOST_OPTION_DIR, Contract.HOST_OPTION_STATE_DIR -> {
                    if (++i >= args.length) {
                        throw new UsageException(a + " needs a value");
                    }
                    opts.put(a, args[i]);
                }
                default -> {
                    if (a.startsWith("--")) {
                        throw new UsageException("unknown option '" + a + "'");
                    }
                    positional.add(a);
                }
            }
        }
        boolean needsSecond = action != ProbeAction.THREADS;
        String what = switch (action) {
            case HEAPDUMP, JFR -> "FILE";
            default -> "Class::method";
        };
        if (positional.isEmpty() || (needsSecond && positional.size() < 2)) {
            throw new UsageException("usage: " + action.wireName() + " TARGET" + (needsSecond ? " " + what : "") + " [options]");
        }
        if (positional.size() > (needsSecond ? 2 : 1)) {
            throw new UsageException("unexpected argument '" + positional.get(needsSecond ? 2 : 1) + "'");
        }
        Path dir = Path.of(opts.getOrDefault(Contract.HOST_OPTION_DIR, Contract.AGENT_DIR));
        if (!dir.isAbsolute()) {
            throw new UsageException("--dir '" + dir + "' must be an absolute path inside the target");
        }
        Map<String, String> request = new LinkedHashMap<>();
        long waitMillis = 60_000;
        Path copyTo = null;
        switch (action) {
            case WATCH, TRACE, STACK -> {
                request.put("method", positional.get(1));
                long timeout = millis("--timeout", opts.get("--timeout"), DEFAULT_TIMEOUT_MILLIS);
                // The agent ends the diagnosis itself a little later, should this process go away.
                request.put("timeoutMillis", Long.toString(timeout + 10_000));
                waitMillis = timeout;
                request.put("limit", Integer.toString(positive("-n", opts.getOrDefault("-n", "100"))));
                if (action != ProbeAction.TRACE) {
                    putIf(request, "when", opts.get("--when"));
                }
                if (action == ProbeAction.WATCH) {
                    putIf(request, "show", opts.get("--show"));
                    String at = opts.getOrDefault("--at", "exit").toLowerCase(Locale.ROOT);
                    if (!List.of("entry", "exit", "error").contains(at)) {
                        throw new UsageException("--at '" + at + "' is not entry, exit or error");
                    }
                    request.put("at", at);
                }
                if (action == ProbeAction.TRACE) {
                    String over = opts.getOrDefault("--cost-over", "0");
                    try {
                        if (Double.parseDouble(over) < 0) {
                            throw new NumberFormatException();
                        }
                    } catch (NumberFormatException e) {
                        throw new UsageException("--cost-over '" + over + "' is not a number of milliseconds >= 0");
                    }
                    request.put("costOverMillis", over);
                }
                if (force) {
                    request.put("force", "true");
                }
            }
            case THREADS -> request.put("top", Integer.toString(opts.containsKey("--top")
                    ? positive("--top", opts.get("--top")) : 0));
            case HEAPDUMP, JFR -> {
                copyTo = Path.of(positional.get(1)).toAbsolutePath();
                if (Files.exists(copyTo)) {
                    throw new IllegalArgumentException(copyTo + " exists: give a new file name (a dump never overwrites)");
                }
                if (!Files.isDirectory(copyTo.getParent())) {
                    throw new IllegalArgumentException("directory " + copyTo.getParent() + " does not exist: create it first");
                }
                if (action == ProbeAction.JFR) {
                    if (!opts.containsKey("--duration")) {
                        throw new UsageException("jfr needs --duration, e.g. --duration 30s");
                    }
                    long d = millis("--duration", opts.get("--duration"), 0);
                    request.put("durationMillis", Long.toString(d));
                    waitMillis = d + 120_000;
                } else {
                    waitMillis = 10 * 60_000;
                }
            }
            default -> throw new UsageException("unknown diagnosis " + action);
        }
        JvmTarget target = ProbeHostMain.resolve(positional.get(0),
                Path.of(opts.getOrDefault(Contract.HOST_OPTION_STATE_DIR, CloneManager.DEFAULT_STATE_ROOT.toString())));
        ProbeControl control = new ProbeControl(agentJar, dir);
        return new DiagnosisRun(control, target, force, json, out, err).run(action, request, copyTo, waitMillis);
    }

    private static void putIf(Map<String, String> m, String k, String v) {
        if (v != null) {
            m.put(k, v);
        }
    }

    private static int positive(String option, String v) throws UsageException {
        try {
            int n = Integer.parseInt(v);
            if (n < 1) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException(option + " '" + v + "' is not a positive number");
        }
    }

    /** 500ms, 30s, 5m, 1h; a bare number is seconds. */
    static long millis(String option, String v, long otherwise) throws UsageException {
        if (v == null) {
            return otherwise;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h)?").matcher(v.strip());
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new UsageException(option + " '" + v + "' is not a duration such as 500ms, 30s or 5m");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> n;
            case "m" -> n * 60_000;
            case "h" -> n * 3_600_000;
            default -> n * 1000;
        };
    }
}
