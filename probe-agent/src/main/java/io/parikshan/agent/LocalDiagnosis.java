package io.parikshan.agent;

import net.bytebuddy.agent.ByteBuddyAgent;

import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A diagnosis (watch, trace, stack, ...) of the current JVM, for tests and benchmarks: self-attaches,
 * writes the request as the host would, and reads the events back. No clone marker is needed.
 */
public final class LocalDiagnosis implements AutoCloseable {

    private final Instrumentation inst;
    private final String id;
    private final Path log;
    private final List<String> reply;

    private LocalDiagnosis(Instrumentation inst, String id, Path log, List<String> reply) {
        this.inst = inst;
        this.id = id;
        this.log = log;
        this.reply = reply;
    }

    /** Starts a diagnosis of {@code kind} with the request keys of {@code DiagnosisRequest}, e.g. method, when. */
    public static LocalDiagnosis start(String kind, Map<String, String> request, Path dir) throws Exception {
        Instrumentation inst = ByteBuddyAgent.install();
        BootstrapInjector.inject(inst, dir.resolve("boot"));
        String id = "t" + UUID.randomUUID().toString().substring(0, 8);
        Path diag = Diagnoses.dir(dir);
        Files.createDirectories(diag);
        StringBuilder props = new StringBuilder("kind=" + kind + "\n");
        java.util.Properties p = new java.util.Properties();
        p.putAll(request);
        java.io.StringWriter w = new java.io.StringWriter();
        p.store(w, null);
        props.append(w);
        Path file = diag.resolve(id + ".request");
        Files.writeString(file, props, StandardCharsets.ISO_8859_1);
        List<String> reply = Diagnoses.start(inst, file);
        return new LocalDiagnosis(inst, id, diag.resolve(id + ".jsonl"), reply);
    }

    /** The agent's reply to the start (e.g. {@code methods 1 classes 1}). */
    public List<String> reply() {
        return reply;
    }

    /** The events written so far, one JSON object a line. */
    public List<String> events() throws IOException {
        return Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
    }

    /** Ends it: the advice goes, and one {@code restored <class> code <digest> as-before|CHANGED} line per class. */
    public List<String> end() {
        return Diagnoses.end(inst, id);
    }

    @Override
    public void close() {
        end();
    }
}
