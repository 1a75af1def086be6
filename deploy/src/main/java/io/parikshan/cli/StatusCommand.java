package io.parikshan.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parikshan.contract.ParikshanException;
import io.parikshan.session.SessionFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code parikshan status}: the running sessions, their clones, lag, desyncs, re-syncs and probe results. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show running sessions (started with 'parikshan clone ... --port/--listen/--tests'): clones and "
                + "their age, lag, desyncs, re-syncs, probe results, the metrics address.")
final class StatusCommand implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "PRODUCTION", description = "Only this production container's session.")
    String production;

    @Option(names = "--json", description = "Print the sessions as a JSON array.")
    boolean json;

    @Mixin
    HostOptions host;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        List<SessionFile.Entry> sessions = SessionControl.find(host.stateRoot(), production);
        ObjectMapper mapper = new ObjectMapper();
        List<JsonNode> statuses = new ArrayList<>();
        for (SessionFile.Entry e : sessions) {
            statuses.add(mapper.readTree(SessionControl.call(e, "GET", "/status", Duration.ofSeconds(10))));
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(statuses));
        } else if (statuses.isEmpty()) {
            out.println("no session running");
        } else {
            statuses.forEach(s -> print(out, s));
        }
        out.flush();
        return 0;
    }

    private static List<String> texts(JsonNode array) {
        List<String> t = new ArrayList<>();
        array.forEach(n -> t.add(n.asText()));
        return t;
    }

    private static String oneLine(String text) {
        String t = text.replace("\r", "").replace("\n", " | ");
        return t.length() > 160 ? t.substring(0, 160) + "..." : t;
    }

    private static void print(PrintWriter out, JsonNode s) {
        out.printf("session for %s (pid %d, %s, up %d s)%n", s.path("production").asText(), s.path("pid").asLong(),
                s.path("state").asText(), s.path("uptimeSeconds").asLong());
        out.printf("  clients   %s%s -> production %s; %d open connection(s)%n", s.path("clientAddress").asText(),
                s.path("takeover").asBoolean() ? " (taken over, proxy at " + s.path("proxyAddress").asText() + ")" : "",
                s.path("productionAddress").asText(), s.path("activeConnections").asLong());
        out.printf("  metrics   %s%n", s.path("metricsUrl").asText());
        out.printf("  %-4s %-34s %-22s %8s %6s %10s %9s %8s%n", "slot", "clone", "address", "age", "conns", "lag", "lag s", "desyncs");
        for (JsonNode c : s.path("clones")) {
            out.printf("  %-4d %-34s %-22s %7ds %6d %10d %9.3f %8d%n", c.path("slot").asInt(), c.path("name").asText(),
                    c.path("address").asText(), c.path("ageSeconds").asLong(), c.path("activeConnections").asLong(),
                    c.path("lagBytes").asLong(), c.path("lagSeconds").asDouble(), c.path("desyncedConnections").asLong());
            if (!c.path("testHost").isMissingNode() && !c.path("testHost").isNull()) {
                out.printf("       on test host %s%n", c.path("testHost").asText());
            }
            for (JsonNode m : c.path("members")) {
                out.printf("       with %-29s %-22s clone of %s (at production's %s in the sandbox)%n", m.path("name").asText(),
                        m.path("address").asText(), m.path("production").asText(), String.join(", ",
                                new ObjectMapper().convertValue(m.path("productionAddresses"), String[].class)));
            }
        }
        for (JsonNode e : s.path("allowedEgress")) {
            out.printf("  egress    the clones may open connections to %s and change data there%n", e.asText());
        }
        out.printf("  re-syncs  %s; failed %s%n", s.path("resyncs"), s.path("resyncFailures"));
        for (JsonNode f : s.path("fidelity")) {
            out.printf("  fidelity  %s (%s): %d compared, %d divergent (ratio %.4f), %d noise, dropped %s%n",
                    f.path("cloneName").asText(), f.path("mode").asText(), f.path("compared").asLong(), f.path("divergent").asLong(),
                    f.path("ratio").asDouble(), f.path("noise").asLong(), f.path("dropped"));
            int shown = 0;
            for (JsonNode d : f.path("divergentExchanges")) {
                if (shown++ == 3) {
                    out.printf("    ... %d more in 'parikshan status --json'%n", f.path("divergentExchanges").size() - 3);
                    break;
                }
                out.printf("    #%d %s %s exchange %d: %s%n", d.path("number").asLong(), d.path("protocol").asText(),
                        d.path("connection").asText(), d.path("exchange").asLong(), String.join("; ", texts(d.path("differences"))));
                out.printf("       request: %s%n", oneLine(d.path("request").asText()));
            }
        }
        printCandidate(out, s.path("candidate"));
        JsonNode p = s.path("probes");
        out.printf("  probes    pass %d, fail %d, error %d, timeout %d, skipped %d%n", p.path("pass").asLong(),
                p.path("fail").asLong(), p.path("error").asLong(), p.path("timeout").asLong(), p.path("skipped").asLong());
        for (JsonNode l : p.path("probes")) {
            out.printf("    %s/%s: pass %d, fail %d, error %d, timeout %d%n", l.path("suite").asText(), l.path("probe").asText(),
                    l.path("pass").asLong(), l.path("fail").asLong(), l.path("error").asLong(), l.path("timeout").asLong());
        }
    }

    /** A patch on trial: one line per endpoint, then the first changes with both answers. */
    private static void printCandidate(PrintWriter out, JsonNode c) {
        if (c.isMissingNode() || c.isNull()) {
            return;
        }
        out.printf("  candidate %s on %s (control %s, pair %d): %d changed of %d judged, control differs %d%n",
                c.path("patch").asText(), c.path("candidate").asText(), c.path("control").asText(), c.path("pair").asLong(),
                c.path("changed").asLong(), c.path("compared").asLong(), c.path("controlDiffers").asLong());
        if (!c.path("start").asText().isEmpty()) {
            out.printf("    candidate: %s%n", c.path("start").asText());
        }
        if (!c.path("judging").asBoolean(true)) {
            out.printf("    pair %d not judged yet: its clones are catching up with the connections held while they were made%n",
                    c.path("pair").asLong());
        }
        out.printf("    %-40s %8s %8s %8s %8s%n", "endpoint", "judged", "changed", "noise", "control");
        for (JsonNode e : c.path("endpoints")) {
            out.printf("    %-40s %8d %8d %8d %8d%n", e.path("endpoint").asText(), e.path("compared").asLong(),
                    e.path("changed").asLong(), e.path("noise").asLong(), e.path("controlDiffers").asLong());
        }
        int shown = 0;
        for (JsonNode d : c.path("changes")) {
            if (shown++ == 3) {
                out.printf("    ... %d more in 'parikshan status --json' or 'parikshan candidate report FILE'%n",
                        c.path("changes").size() - 3);
                break;
            }
            out.printf("    #%d %s: %s%n", d.path("number").asLong(), d.path("endpoint").asText(),
                    String.join("; ", texts(d.path("differences"))));
            out.printf("       request:    %s%n", oneLine(d.path("request").asText()));
            out.printf("       production: %s%n", oneLine(d.path("productionAnswer").asText()));
            out.printf("       candidate:  %s%n", oneLine(d.path("candidateAnswer").asText()));
        }
    }
}
