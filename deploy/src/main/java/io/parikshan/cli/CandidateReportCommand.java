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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code parikshan candidate report FILE}: the running trial's changes as an HTML page. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Write what the candidate patch changed (by endpoint, and each change's request with production's "
                + "and the candidate's answers side by side) as an HTML page, owner-only: it holds production's answers.")
final class CandidateReportCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE", description = "The HTML file to write (replaced if it exists).")
    Path file;

    @Option(names = "--production", paramLabel = "CONTAINER", description = "The session's production container (needed when several run).")
    String production;

    @Mixin
    HostOptions host;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Path target = file.toAbsolutePath();
        if (Files.isDirectory(target)) {
            throw new ParikshanException("report file " + target + " is a directory; give a file name, e.g. " + target.resolve("candidate.html"));
        }
        if (target.getParent() == null || !Files.isDirectory(target.getParent())) {
            throw new ParikshanException("report file " + target + ": the folder " + target.getParent() + " does not exist; create it or write elsewhere");
        }
        List<SessionFile.Entry> sessions = SessionControl.find(host.stateRoot(), production);
        ObjectMapper json = new ObjectMapper();
        JsonNode candidate = null;
        String of = null;
        for (SessionFile.Entry e : sessions) {
            JsonNode c = json.readTree(SessionControl.call(e, "GET", "/status", Duration.ofSeconds(10))).path("candidate");
            if (!c.isMissingNode() && !c.isNull()) {
                if (candidate != null) {
                    throw new ParikshanException("several sessions try a candidate patch; name one with --production CONTAINER");
                }
                candidate = c;
                of = e.production();
            }
        }
        if (candidate == null) {
            throw new ParikshanException(sessions.isEmpty() ? "no session running; start one with parikshan clone CONTAINER --candidate PATCH.jar"
                    : "no running session tries a candidate patch (start one with parikshan clone CONTAINER --candidate PATCH.jar)");
        }
        write(target, CandidateReportPage.html(of, candidate));
        spec.commandLine().getOut().printf("wrote %s: %d changed exchange(s) of %d judged on %s%n", target,
                candidate.path("changed").asLong(), candidate.path("compared").asLong(), of);
        spec.commandLine().getOut().flush();
        return 0;
    }

    private static void write(Path target, String html) {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        try {
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, html, StandardCharsets.UTF_8);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // nothing more to clean
            }
            throw new ParikshanException("cannot write report file " + target + ": " + e.getMessage());
        }
    }
}
