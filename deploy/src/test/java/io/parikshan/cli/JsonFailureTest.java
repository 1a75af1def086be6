package io.parikshan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parikshan.contract.ParikshanException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Commands run with --json fail with a JSON object on stdout, and the one line on stderr; no Docker needed. */
class JsonFailureTest {

    private static final String NO_ENGINE = "unix:///nonexistent/parikshan-test.sock";

    @TempDir
    Path state;

    @Test
    void aCloneThatFailsPrintsTheErrorObjectOnStdoutAndTheLineOnStderr() throws Exception {
        CliRun run = CliRun.of("clone", "", "--json", "--docker-host", NO_ENGINE, "--state-dir", state.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.errLines()).containsExactly(
                "parikshan clone: the container to clone is empty; give a container name or id");
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertThat(fieldNames(json)).containsExactly("ok", "command", "error", "log");
        assertThat(json.get("ok").asBoolean()).isFalse();
        assertThat(json.get("command").asText()).isEqualTo("clone");
        assertThat(json.get("error").asText()).isEqualTo("the container to clone is empty; give a container name or id");
        assertThat(json.get("log").isNull()).isTrue();
    }

    @Test
    void everyCommandWithJsonFailsTheSameWayWhenTheEngineIsNotThere() throws Exception {
        for (List<String> args : List.of(List.of("clone", "web"), List.of("list"))) {
            CliRun run = CliRun.of(concat(args, "--json", "--docker-host", NO_ENGINE, "--state-dir", state.toString()));

            assertThat(run.exitCode()).as(args.toString()).isEqualTo(1);
            // under --json the clone's progress goes to stderr too; the error is its last line
            List<String> err = run.errLines();
            JsonNode json = new ObjectMapper().readTree(run.out());
            assertThat(fieldNames(json)).containsExactly("ok", "command", "error", "log");
            assertThat(json.get("command").asText()).isEqualTo(args.get(0));
            assertThat(err.get(err.size() - 1)).isEqualTo("parikshan " + args.get(0) + ": " + json.get("error").asText());
            assertThat(json.get("error").asText()).contains("nonexistent");
        }
    }

    @Test
    void statusWithJsonFailsTheSameWay() throws Exception {
        CliRun run = CliRun.of("status", "web", "--json", "--state-dir", state.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertThat(fieldNames(json)).containsExactly("ok", "command", "error", "log");
        assertThat(json.get("command").asText()).isEqualTo("status");
        assertThat(json.get("error").asText()).startsWith("no session running for 'web'");
    }

    @Test
    void withoutJsonStdoutStaysEmpty() {
        CliRun run = CliRun.of("clone", "", "--docker-host", NO_ENGINE, "--state-dir", state.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.errLines()).hasSize(1);
    }

    @Test
    void aUsageErrorUnderJsonAlsoPrintsTheObject() throws Exception {
        CliRun run = CliRun.of("clone", "--json");

        assertThat(run.exitCode()).isEqualTo(2); // picocli's code for usage errors
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertThat(json.get("command").asText()).isEqualTo("clone");
        assertThat(json.get("error").asText()).contains("CONTAINER");
    }

    @Test
    void theLogIsTheOneTheFailureOrItsCauseNames() {
        Path log = Path.of("/var/lib/parikshan/logs/web-clone-1-dump.log");
        ParikshanException named = new ParikshanException("CRIU could not dump web", log);

        assertThat(JsonFailure.log(named)).contains(log);
        assertThat(JsonFailure.log(new RuntimeException("wrapped", named))).contains(log);
        assertThat(JsonFailure.log(new ParikshanException("no log"))).isEmpty();
        assertThat(JsonFailure.fields("clone", "x", log)).containsEntry("log", log.toString());
    }

    private static List<String> fieldNames(JsonNode json) {
        List<String> names = new java.util.ArrayList<>();
        json.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String[] concat(List<String> head, String... tail) {
        List<String> all = new java.util.ArrayList<>(head);
        all.addAll(List.of(tail));
        return all.toArray(String[]::new);
    }
}
