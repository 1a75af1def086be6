package io.parikshan.agent;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.parikshan.contract.Contract;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;

import java.lang.instrument.Instrumentation;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The diagnoses of this JVM, started by {@code diagnose=<request file>} and ended by {@code end=<id>}.
 * One method diagnosis (watch, trace, stack) runs at a time, so its advice never meets another's;
 * each also ends itself at its timeout, should the host go away. Dumps (heap, JFR) run on an agent
 * thread and write owner-only files into the diagnosis directory, which the host copies out.
 */
final class Diagnoses {

    private static final ScheduledExecutorService WORKER =
            Executors.newSingleThreadScheduledExecutor(ProbeWorker.factory("parikshan-diagnosis"));
    private static MethodDiagnosis running;
    private static final Map<String, Runnable> stoppers = new HashMap<>();

    private Diagnoses() {
    }

    static synchronized List<String> start(Instrumentation inst, Path requestFile) throws Exception {
        DiagnosisRequest request = DiagnosisRequest.read(requestFile);
        Path dir = requestFile.getParent();
        DiagnosisLog log = new DiagnosisLog(dir.resolve(request.id() + ".jsonl"));
        List<String> reply = new ArrayList<>();
        reply.add("diagnosis " + request.id() + " " + request.kindName() + " log " + log.file());
        switch (request.kind()) {
            case WATCH, TRACE, STACK -> {
                if (running != null) {
                    throw new IllegalStateException("a " + running.request().kindName() + " (" + running.request().id()
                            + ") already runs in this JVM: end it first (Ctrl-C), one method diagnosis at a time");
                }
                JavaLangAccess.open(inst);
                MethodDiagnosis d = MethodDiagnosis.start(inst, request, log, WORKER);
                running = d;
                reply.add("methods " + d.methodCount() + " classes " + d.targets().size());
                d.targets().forEach((c, ms) -> ms.forEach(m -> reply.add("method " + c.getName() + "::" + m.getName())));
                WORKER.schedule(() -> end(inst, request.id(), "timeout after " + request.timeoutMillis() + " ms"),
                        request.timeoutMillis(), TimeUnit.MILLISECONDS);
            }
            case THREADS -> {
                ThreadReport.write(log, request.top());
                log.end("done");
            }
            case HEAPDUMP -> {
                Path file = dir.resolve(request.id() + ".hprof");
                WORKER.execute(() -> dump(log, file, () -> ManagementFactory
                        .getPlatformMXBean(HotSpotDiagnosticMXBean.class).dumpHeap(file.toString(), true)));
            }
            case JFR -> {
                Path file = dir.resolve(request.id() + ".jfr");
                Recording r = new Recording(Configuration.getConfiguration("profile"));
                r.setName("parikshan-" + request.id());
                r.setToDisk(true);
                r.start();
                Runnable stop = () -> dump(log, file, () -> {
                    r.stop();
                    r.dump(file);
                    r.close();
                });
                stoppers.put(request.id(), stop);
                WORKER.schedule(() -> stopOnce(request.id()), Math.max(1, request.durationMillis()), TimeUnit.MILLISECONDS);
            }
            default -> throw new IllegalArgumentException("unknown diagnosis " + request.kind());
        }
        return reply;
    }

    private interface Dump {
        void write() throws Exception;
    }

    private static void dump(DiagnosisLog log, Path file, Dump how) {
        try {
            Files.deleteIfExists(file);
            how.write();
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            log.write("file", "wrote " + file + " (" + Files.size(file) + " bytes)",
                    "\"path\":" + Json.quote(file.toString()) + ",\"bytes\":" + Files.size(file));
            log.end("done");
        } catch (Exception | Error e) {
            log.write("error", "writing " + file + " failed: " + CallExpression.oneLine(e), "");
            log.end("failed");
        }
    }

    private static void stopOnce(String id) {
        Runnable stop;
        synchronized (Diagnoses.class) {
            stop = stoppers.remove(id);
        }
        if (stop != null) {
            stop.run();
        }
    }

    static List<String> end(Instrumentation inst, String id) {
        return end(inst, id, "ended by the host");
    }

    static synchronized List<String> end(Instrumentation inst, String id, String reason) {
        if (running != null && running.request().id().equals(id)) {
            MethodDiagnosis d = running;
            running = null;
            return d.end(inst, reason);
        }
        if (stoppers.containsKey(id)) {
            WORKER.execute(() -> stopOnce(id));
            return List.of("stopping " + id);
        }
        return List.of("no running diagnosis " + id);
    }

    /** The directory of diagnosis files inside the agent's directory. */
    static Path dir(Path agentDir) {
        return agentDir.resolve(Contract.DIAG_DIR);
    }
}
