package io.parikshan.agent.host;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

class ProbeHostMainTest {

    @Test
    void usageNamesTheActionsAndOptionsAsWritten() {
        assertThat(ProbeHostMain.USAGE).isEqualTo("usage: (attach|load|unload|list|results|watch|trace|stack|threads|heapdump|jfr|patch) TARGET [ARG] [--force] "
                + "[--metrics [HOST:]PORT] [--junit] [--dir DIR]; TARGET is a container name or pid:<n>");
    }

    @Test
    void unknownActionIsBadUsage() {
        StringWriter err = new StringWriter();
        int status = ProbeHostMain.run(DiagnosisMainTest.AGENT_JAR, new String[] {"report", "pid:1"},
                new PrintWriter(new StringWriter()), new PrintWriter(err, true));
        assertThat(status).isEqualTo(2);
        assertThat(err.toString()).startsWith("parikshan probe: unknown action 'report': usage:");
    }
}
