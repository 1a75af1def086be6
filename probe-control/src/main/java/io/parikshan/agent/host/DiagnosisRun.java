package io.parikshan.agent.host;

import io.parikshan.contract.AgentVerb;
import io.parikshan.contract.Contract;
import io.parikshan.contract.ProbeAction;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One diagnosis from the host: writes the request into the target's agent directory, starts it with
 * {@code diagnose=<request>}, tails the agent's event file and prints each event (its text, or the
 * JSON line itself), ends it with {@code end=<id>} at its limit, its timeout or Ctrl-C (a shutdown
 * hook), and copies a dump out to the host owner-only. The target's classes are back to their code
 * from before when it returns; the agent says so per class ({@code restored ... as-before}).
 */
final class DiagnosisRun {

    private final ProbeControl control;
    private final JvmTarget target;
    private final boolean force;
    private final boolean json;
    private final PrintWriter out;
    private final PrintWriter err;
    private final String id = "d" + UUID.randomUUID().toString().substring(0, 8);
    private volatile Path logOnHost;
    private volatile boolean started;
    private volatile boolean ended;

    DiagnosisRun(ProbeControl control, JvmTarget target, boolean force, boolean json, PrintWriter out, PrintWriter err) {
        this.control = control;
        this.target = target;
        this.force = force;
        this.json = json;
        this.out = out;
        this.err = err;
    }

    /**
     * Runs the diagnosis {@code request} (its keys as {@code DiagnosisRequest} reads them) and copies a
     * dump to {@code copyTo}; waits at most {@code waitMillis} for the agent to finish.
     * Returns 0 done, 1 failed.
     */
    int run(ProbeAction action, Map<String, String> request, Path copyTo, long waitMillis)
            throws ProbeControlException, IOException {
        Path diag = control.dir().resolve(Contract.DIAG_DIR);
        Path requestIn = diag.resolve(id + ".request");
        Path log = target.hostPath(diag.resolve(id + ".jsonl"));
        logOnHost = log;
        HostFiles host = target.host();
        if (!force && !host.exists(target.hostPath(ProbeControl.CLONE_MARKER))) {
            // ProbeControl.send refuses too; this says it before anything is written into the target.
            control.send(target, AgentVerb.LIST.wireName());
        }
        control.prepareDirs(target);
        StringBuilder props = new StringBuilder("kind=" + action.wireName() + "\n");
        request.forEach((k, v) -> props.append(k).append('=').append(escape(v)).append('\n'));
        Path requestHost = target.hostPath(requestIn);
        host.write(requestHost, props.toString());
        Thread hook = new Thread(this::endQuietly, "parikshan-diagnosis-end");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            AgentReply reply;
            try (HostFiles.FileTail events = host.tail(log, waitMillis)) {
                try {
                    reply = control.send(target, AgentVerb.DIAGNOSE.with(requestIn.toString()) + (force ? "," + Contract.AGENT_OPTION_FORCE : ""));
                } finally {
                    host.delete(requestHost);
                }
                started = true;
                if (!json) {
                    reply.lines().stream().filter(l -> l.startsWith("methods ") || l.startsWith("method "))
                            .forEach(l -> err.println("parikshan probe " + action.wireName() + ": " + l));
                }
                return tail(events, copyTo, waitMillis);
            }
        } finally {
            endQuietly();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // The JVM is shutting down (Ctrl-C): the hook runs or ran.
            }
            host.delete(log);
        }
    }

    /** Prints events until the end event; ends the diagnosis at its limit or when {@code waitMillis} ran out. */
    private int tail(HostFiles.FileTail events, Path copyTo, long waitMillis) throws IOException, ProbeControlException {
        long deadline = System.nanoTime() + waitMillis * 1_000_000L;
        StringBuilder partial = new StringBuilder();
        int status = 0;
        boolean endSent = false;
        while (true) {
            partial.append(events.poll());
            int nl;
            while ((nl = partial.indexOf("\n")) >= 0) {
                String line = partial.substring(0, nl);
                partial.delete(0, nl + 1);
                String event = JsonLine.string(line, "event");
                String text = JsonLine.string(line, "text");
                switch (event == null ? "" : event) {
                    case "end" -> {
                        ended = true;
                        print(line, null);
                        if (!json) {
                            err.println("parikshan probe: " + text);
                        }
                        return "failed".equals(JsonLine.string(line, "reason")) ? 1 : status;
                    }
                    case "limit" -> {
                        print(line, null);
                        sendEnd();
                        endSent = true;
                    }
                    case "error" -> print(line, "parikshan probe: " + text, err);
                    case "restored", "expression" -> print(line, "parikshan probe: " + text, err);
                    case "file" -> {
                        Path inTarget = Path.of(JsonLine.string(line, "path"));
                        target.host().copyOut(target.hostPath(inTarget), copyTo);
                        print(line.replaceFirst("\\}$", ",\"copiedTo\":" + JsonLine.quote(copyTo.toString()) + "}"),
                                "wrote " + copyTo + " (" + Files.size(copyTo) + " bytes, owner-only: it holds production's data)");
                    }
                    default -> print(line, text);
                }
            }
            if (!endSent && System.nanoTime() > deadline) {
                if (!json) {
                    err.println("parikshan probe: --timeout reached (" + waitMillis + " ms)");
                }
                sendEnd();
                endSent = true;
                deadline = System.nanoTime() + 30_000_000_000L;
            } else if (endSent && System.nanoTime() > deadline) {
                err.println("parikshan probe: the agent did not finish diagnosis " + id + " within 30 s of its end");
                return 1;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            }
        }
    }

    private void print(String line, String text) {
        print(line, text, out);
    }

    private void print(String line, String text, PrintWriter human) {
        if (json) {
            out.println(line);
        } else if (text != null) {
            human.println(text);
        }
        out.flush();
        human.flush();
    }

    private void sendEnd() throws ProbeControlException {
        control.send(target, AgentVerb.END.with(id) + (force ? "," + Contract.AGENT_OPTION_FORCE : ""));
    }

    /** Ends the diagnosis if it started and has not ended; for Ctrl-C and for every way out of {@link #run}. */
    private synchronized void endQuietly() {
        if (!started || ended) {
            return;
        }
        ended = true;
        try {
            AgentReply r = control.send(target, AgentVerb.END.with(id) + (force ? "," + Contract.AGENT_OPTION_FORCE : ""));
            if (!json) {
                r.lines().stream().filter(l -> l.startsWith("restored ")).forEach(l -> err.println("parikshan probe: " + l));
            }
        } catch (ProbeControlException e) {
            err.println("parikshan probe: ending diagnosis " + id + " failed: " + e.getMessage());
        }
        try {
            // On Ctrl-C the main thread never reaches its own clean-up.
            target.host().delete(logOnHost);
        } catch (IOException ignored) {
            // Left in the target's owner-only diagnosis directory.
        }
    }

    private static String escape(String v) {
        StringBuilder b = new StringBuilder();
        for (char c : v.toCharArray()) {
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '=', ':', '#', '!' -> b.append('\\').append(c);
                default -> {
                    if (c > 0x7e || c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    /** The request keys of one verb, for {@link #run}. */
    static Map<String, String> request(List<String[]> pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String[] p : pairs) {
            if (p[1] != null) {
                m.put(p[0], p[1]);
            }
        }
        return m;
    }
}
