package io.parikshan.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads alert names out of deploy/prometheus/alerts.yml and the cases of alerts-test.yml (line-based). */
final class AlertRules {

    private static final Pattern ALERT = Pattern.compile("^\\s*- alert:\\s*(\\S+)\\s*$");
    private static final Pattern CASE = Pattern.compile("^\\s*alertname:\\s*(\\S+)\\s*$");

    record Case(String alert, boolean fires) {
    }

    private AlertRules() {
    }

    static Set<String> names(Path alerts) throws IOException {
        Set<String> out = new LinkedHashSet<>();
        for (String line : Files.readAllLines(alerts)) {
            Matcher m = ALERT.matcher(line);
            if (m.matches()) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    /** Each {@code alertname:} with whether its {@code exp_alerts} expects alerts ({@code []} = must not fire). */
    static List<Case> cases(Path tests) throws IOException {
        List<String> lines = Files.readAllLines(tests);
        List<Case> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = CASE.matcher(lines.get(i));
            if (m.matches()) {
                String expected = i + 1 < lines.size() ? lines.get(i + 1).strip() : "";
                if (!expected.startsWith("exp_alerts:")) {
                    throw new IllegalStateException(tests + " line " + (i + 2) + ": expected exp_alerts after alertname");
                }
                out.add(new Case(m.group(1), !expected.equals("exp_alerts: []")));
            }
        }
        return out;
    }
}
