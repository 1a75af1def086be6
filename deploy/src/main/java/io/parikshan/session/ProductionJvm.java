package io.parikshan.session;

import io.parikshan.clone.DockerEngine;
import io.parikshan.contract.ParikshanException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Whether production runs a JVM, read from the host's {@code /proc} only (production is never
 * attached to): a class patch needs one, and finding out after a clone was made would freeze
 * production for nothing.
 */
final class ProductionJvm {

    private ProductionJvm() {
    }

    /** Refuses, in one line, a production container none of whose processes is a {@code java} executable. */
    static void require(DockerEngine engine, String container) {
        long init = engine.inspect(container).map(c -> c.getState().getPidLong()).orElse(0L);
        if (init <= 0) {
            return; // the endpoint's own checks have said what is wrong
        }
        for (long pid : processTree(init)) {
            if (isJava(pid)) {
                return;
            }
        }
        throw new ParikshanException("--candidate: container '" + container + "' runs no JVM (no java process under its "
                + "init pid " + init + "), so there are no classes to patch; a fix for it needs a new image, not a class patch");
    }

    private static List<Long> processTree(long root) {
        Map<Long, List<Long>> children = new HashMap<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            procs.forEach(p -> {
                String n = p.getFileName().toString();
                if (n.chars().allMatch(Character::isDigit)) {
                    long ppid = parentOf(p);
                    if (ppid > 0) {
                        children.computeIfAbsent(ppid, k -> new ArrayList<>()).add(Long.parseLong(n));
                    }
                }
            });
        } catch (IOException e) {
            return List.of(root);
        }
        List<Long> out = new ArrayList<>();
        Deque<Long> todo = new ArrayDeque<>(List.of(root));
        while (!todo.isEmpty()) {
            long p = todo.pop();
            out.add(p);
            todo.addAll(children.getOrDefault(p, List.of()));
        }
        return out;
    }

    private static long parentOf(Path proc) {
        try {
            String stat = Files.readString(proc.resolve("stat"));
            return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static boolean isJava(long pid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "exe")).getFileName().toString().equals("java");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
