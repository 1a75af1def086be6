package io.parikshan.session;

import io.parikshan.agent.host.HostFiles;
import io.parikshan.contract.Contract;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Probe test outcomes of one clone, read from the text snapshot ({@code metrics.prom}) the agent
 * rewrites every few seconds in its directory inside the clone. Reading the file through
 * {@code /proc/<pid>/root} (on the clone's test host, over SSH) needs no port in the clone and no
 * connection out of its sandbox.
 */
record ProbeCounts(Map<Key, Double> invocations) {

    /** One probe test's outcome (pass, fail, error, timeout, skipped) in one suite. */
    record Key(String suite, String probe, String outcome) {
    }

    static final ProbeCounts NONE = new ProbeCounts(Map.of());
    private static final Pattern LINE = Pattern.compile("^" + Pattern.quote(Contract.PROBE_INVOCATIONS_SERIES)
            + "\\{([^}]*)}\\s+(\\S+)");
    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    ProbeCounts {
        invocations = Map.copyOf(invocations);
    }

    static ProbeCounts parse(String text) {
        Map<Key, Double> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            Matcher l = LINE.matcher(line);
            if (!l.find()) {
                continue;
            }
            Map<String, String> labels = new LinkedHashMap<>();
            Matcher lm = LABEL.matcher(l.group(1));
            while (lm.find()) {
                labels.put(lm.group(1), lm.group(2).replace("\\\"", "\"").replace("\\\\", "\\"));
            }
            try {
                m.merge(new Key(labels.getOrDefault(Contract.LABEL_SUITE, ""), labels.getOrDefault(Contract.LABEL_PROBE, ""),
                        labels.getOrDefault(Contract.LABEL_OUTCOME, "")), Double.parseDouble(l.group(2)), Double::sum);
            } catch (NumberFormatException ignored) {
                // a line being rewritten; the next read has it
            }
        }
        return new ProbeCounts(m);
    }

    /**
     * Reads the snapshot of the agent in the container whose main process is {@code pid} on the host
     * {@code files} are of (this one, or the clone's test host over SSH); NONE if absent.
     */
    static ProbeCounts read(HostFiles files, long pid, String agentDir) {
        Path f = Path.of("/proc", Long.toString(pid), "root").resolve(agentDir.substring(1)).resolve(Contract.METRICS_FILE);
        try {
            return files.read(f).map(ProbeCounts::parse).orElse(NONE);
        } catch (IOException | RuntimeException e) {
            return NONE;
        }
    }

    /** These counts, or {@code fallback} when none could be read (a snapshot being rewritten, a clone gone). */
    ProbeCounts orIfEmpty(ProbeCounts fallback) {
        return invocations.isEmpty() ? fallback : this;
    }

    /** Runs with this outcome over all probes. */
    long total(String outcome) {
        return Math.round(invocations.entrySet().stream().filter(e -> e.getKey().outcome().equals(outcome))
                .mapToDouble(Map.Entry::getValue).sum());
    }
}
