package io.parikshan.agent.host;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class ProbeHostMainTest {

    @Test
    void usageNamesTheActionsAndOptionsAsWritten() {
        assertThat(ProbeHostMain.USAGE).isEqualTo("usage: (attach|load|unload|list|results|watch|trace|stack|threads|heapdump|jfr|patch) TARGET [ARG] [--force] "
                + "[--metrics [HOST:]PORT] [--junit] [--dir DIR]; TARGET is a container name or pid:<n>");
    }

    @Test
    void unknownActionIsBadUsage() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ProbeHostMain.run(new String[] {"report", "pid:1"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(status).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("parikshan probe: unknown action 'report': usage:");
    }
}
