package io.parikshan.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads deploy/prometheus/grafana-dashboard.json for the tests. */
final class Dashboard {

    private Dashboard() {
    }

    static JsonNode read(Path file) throws IOException {
        return new ObjectMapper().readTree(file.toFile());
    }

    /** Every panel that shows data (rows excluded), nested row panels included. */
    static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode p : dashboard.path("panels")) {
            if ("row".equals(p.path("type").asText())) {
                p.path("panels").forEach(out::add);
            } else {
                out.add(p);
            }
        }
        return out;
    }

    static List<String> expressions(Path file) throws IOException {
        List<String> out = new ArrayList<>();
        for (JsonNode p : panels(read(file))) {
            for (JsonNode t : p.path("targets")) {
                out.add(t.path("expr").asText());
            }
        }
        return out;
    }

    /** The expression as Grafana sends it with "All" clones selected. */
    static String withVariablesForPrometheus(String expr) {
        return expr.replace("$clone", ".*");
    }
}
