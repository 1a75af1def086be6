package io.parikshan.agent;

import io.parikshan.dsl.Outcome;
import io.parikshan.dsl.ProbeRun;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * Writes a suite's recorded runs as a Surefire-format JUnit XML report ({@code TEST-<suite>.xml}):
 * one {@code testcase} per run, {@code classname} = suite.probe, {@code name} = test [phase].
 */
final class JUnitXmlReport {

    private JUnitXmlReport() {
    }

    static String render(String suite, List<ProbeRun> runs) {
        long failures = runs.stream().filter(r -> r.outcome() == Outcome.FAIL).count();
        long errors = runs.stream().filter(r -> r.outcome() == Outcome.ERROR || r.outcome() == Outcome.TIMEOUT).count();
        long skipped = runs.stream().filter(r -> r.outcome() == Outcome.SKIPPED).count();
        double time = runs.stream().mapToLong(ProbeRun::durationNanos).sum() / 1e9;
        StringBuilder x = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        x.append("<testsuite name=\"").append(esc(suite)).append("\" tests=\"").append(runs.size())
                .append("\" failures=\"").append(failures).append("\" errors=\"").append(errors)
                .append("\" skipped=\"").append(skipped).append("\" time=\"").append(seconds(time))
                .append("\" timestamp=\"").append(esc(Instant.now().toString())).append("\">\n");
        for (ProbeRun r : runs) {
            x.append("  <testcase classname=\"").append(esc(suite + "." + r.probe())).append("\" name=\"")
                    .append(esc(r.test() + " [" + r.phase().name().toLowerCase(Locale.ROOT) + "] " + r.at()))
                    .append("\" time=\"").append(seconds(r.durationNanos() / 1e9)).append('"');
            switch (r.outcome()) {
                case PASS -> x.append("/>\n");
                case FAIL -> x.append(">\n    <failure message=\"").append(esc(r.message()))
                        .append("\" type=\"java.lang.AssertionError\">").append(esc(r.context()))
                        .append("</failure>\n  </testcase>\n");
                case ERROR, TIMEOUT -> x.append(">\n    <error message=\"").append(esc(r.message()))
                        .append("\" type=\"").append(r.outcome().label()).append("\">").append(esc(r.context()))
                        .append("</error>\n  </testcase>\n");
                case SKIPPED -> x.append(">\n    <skipped message=\"").append(esc(r.message()))
                        .append("\"/>\n  </testcase>\n");
            }
        }
        return x.append("</testsuite>\n").toString();
    }

    /** Writes atomically (temp file + move) so readers never see half a report. */
    static void write(Path dir, String suite, List<ProbeRun> runs) throws IOException {
        Files.createDirectories(dir);
        Path target = dir.resolve("TEST-" + suite + ".xml");
        Path tmp = dir.resolve(".TEST-" + suite + ".xml.tmp");
        Files.writeString(tmp, render(suite, runs), StandardCharsets.UTF_8);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String seconds(double s) {
        return String.format(Locale.ROOT, "%.6f", s);
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\n' -> b.append("&#10;");
                default -> {
                    if (c < 0x20 && c != '\t') {
                        b.append('?');
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
