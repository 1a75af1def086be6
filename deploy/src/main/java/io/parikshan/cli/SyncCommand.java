package io.parikshan.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parikshan.contract.ParikshanException;
import io.parikshan.session.SessionFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code parikshan sync}: replace a session's clones by fresh clones of production now. */
@Command(name = "sync", mixinStandardHelpOptions = true,
        description = "Re-sync a running session: make fresh clones of production and swap them under the proxy "
                + "(production's connections are not touched), then remove the old clones.")
final class SyncCommand implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "PRODUCTION",
            description = "The production container whose session to re-sync (needed when several run).")
    String production;

    @Mixin
    HostOptions host;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        List<SessionFile.Entry> sessions = SessionControl.find(host.stateRoot(), production);
        if (sessions.isEmpty()) {
            throw new ParikshanException("no session running; start one with parikshan clone CONTAINER --port CONTAINER_PORT");
        }
        if (sessions.size() > 1) {
            throw new ParikshanException("sessions run for " + sessions.stream().map(SessionFile.Entry::production).toList()
                    + "; name the production container to re-sync");
        }
        SessionFile.Entry e = sessions.get(0);
        PrintWriter out = spec.commandLine().getOut();
        out.println("re-syncing the clones of " + e.production() + " ...");
        out.flush();
        long t0 = System.nanoTime();
        JsonNode r = new ObjectMapper().readTree(SessionControl.call(e, "POST", "/sync", Duration.ofMinutes(10)));
        out.printf("re-synced %s in %.1f s: now %s%n", e.production(), (System.nanoTime() - t0) / 1e9, r.path("clones"));
        out.flush();
        return 0;
    }
}
