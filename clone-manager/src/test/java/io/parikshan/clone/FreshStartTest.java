package io.parikshan.clone;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A fresh twin runs the new image's process, unless production was started with a command of its own. */
class FreshStartTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SPEC = """
            {"process":{"args":["java","-cp","/app","Old"],"env":["PATH=/usr/bin","VERSION=1","GREETING=hello"],"cwd":"/"}}
            """;
    private static final String OLD_IMAGE = """
            {"Cmd":["java","-cp","/app","Old"],"Env":["PATH=/usr/bin","VERSION=1"]}
            """;
    private static final String NEW_IMAGE = """
            {"Entrypoint":["/bin/run"],"Cmd":["--port","8080"],"Env":["PATH=/usr/bin","VERSION=2","FEATURE=on"],"WorkingDir":"/srv"}
            """;

    @Test
    void productionStartedWithItsImagesCommandGetsTheNewImagesCommandEnvironmentAndDirectory() throws Exception {
        ObjectNode spec = (ObjectNode) JSON.readTree(SPEC);
        FreshStart.rewrite(spec, JSON.readTree(NEW_IMAGE), JSON.readTree(OLD_IMAGE), List.of(), List.of("java", "-cp", "/app", "Old"));
        assertThat(strings(spec.at("/process/args"))).containsExactly("/bin/run", "--port", "8080");
        // the container's own setting stays; the old image's own values give way to the new image's
        assertThat(strings(spec.at("/process/env"))).containsExactlyInAnyOrder("PATH=/usr/bin", "GREETING=hello", "VERSION=2", "FEATURE=on");
        assertThat(spec.at("/process/cwd").asText()).isEqualTo("/srv");
    }

    @Test
    void productionStartedWithACommandOfItsOwnKeepsIt() throws Exception {
        ObjectNode spec = (ObjectNode) JSON.readTree(SPEC.replace("\"Old\"]", "\"Old\",\"--verbose\"]"));
        FreshStart.rewrite(spec, JSON.readTree(NEW_IMAGE), JSON.readTree(OLD_IMAGE), List.of(),
                List.of("java", "-cp", "/app", "Old", "--verbose"));
        assertThat(strings(spec.at("/process/args"))).containsExactly("java", "-cp", "/app", "Old", "--verbose");
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
