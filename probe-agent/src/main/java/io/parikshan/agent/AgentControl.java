package io.parikshan.agent;

import io.parikshan.contract.Contract;

import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Runs one agent command and writes the reply to {@code <dir>/reply.txt} (first line {@code ok} or
 * {@code error <message>}), which the host reads through the target's filesystem. Never throws: a
 * failing command must neither abort the JVM's start-up nor disturb the application.
 */
final class AgentControl {

    private AgentControl() {
    }

    static synchronized void run(String args, Instrumentation inst) {
        Path dir = AgentCommand.DEFAULT_DIR;
        String reply;
        try {
            AgentCommand cmd = AgentCommand.parse(args);
            dir = cmd.dir();
            BootstrapInjector.inject(inst, dir.resolve("boot"));
            // Only now may classes that link against the boot package be loaded.
            reply = AgentActions.execute(cmd, inst);
        } catch (Throwable t) {
            String msg = t.getMessage() == null ? t.toString() : t.getMessage();
            reply = "error " + msg.replace('\n', ' ') + "\n";
        }
        writeReply(dir, reply);
    }

    private static void writeReply(Path dir, String reply) {
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve("." + Contract.REPLY_FILE + ".tmp");
            Files.writeString(tmp, reply, StandardCharsets.UTF_8);
            Files.move(tmp, dir.resolve(Contract.REPLY_FILE), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException ignored) {
            // Nowhere to report to; the host sees no reply and says so.
        }
    }
}
