package io.parikshan.agent;

import io.parikshan.dsl.Outcome;
import io.parikshan.dsl.Phase;
import io.parikshan.dsl.ProbeRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ResultFormatsTest {

    private static ProbeRun run(Outcome o, String message) {
        return new ProbeRun("s", "p", "t <1>", Phase.EXIT, o, message, 1_500_000, "Greeter.greet(\"a\\b\")",
                Instant.parse("2026-01-02T03:04:05Z"));
    }

    @Test
    void jsonLineEscapesQuotesBackslashesAndControlCharacters() {
        String json = JsonLinesLog.toJson(run(Outcome.FAIL, "expected \"x\"\n\tgot y\u0001"));
        assertThat(json).isEqualTo("{\"at\":\"2026-01-02T03:04:05Z\",\"suite\":\"s\",\"probe\":\"p\",\"test\":\"t <1>\","
                + "\"phase\":\"exit\",\"outcome\":\"fail\",\"message\":\"expected \\\"x\\\"\\n\\tgot y\\u0001\","
                + "\"durationSeconds\":0.0015,\"context\":\"Greeter.greet(\\\"a\\\\b\\\")\"}");
    }

    @Test
    void jsonLinesAreAppended(@TempDir Path dir) throws Exception {
        JsonLinesLog log = new JsonLinesLog(dir.resolve("sub/results.jsonl"));
        log.record(run(Outcome.PASS, ""));
        log.record(run(Outcome.ERROR, "boom"));
        assertThat(Files.readAllLines(dir.resolve("sub/results.jsonl"))).hasSize(2)
                .last().asString().contains("\"outcome\":\"error\"");
    }

    @Test
    void junitXmlIsWellFormedSurefireWithCountsPerOutcome() throws Exception {
        String xml = JUnitXmlReport.render("s", List.of(run(Outcome.PASS, ""), run(Outcome.FAIL, "a <b> & \"c\""),
                run(Outcome.ERROR, "e"), run(Outcome.TIMEOUT, "slow"), run(Outcome.SKIPPED, "busy")));
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        Element suite = doc.getDocumentElement();
        assertThat(suite.getTagName()).isEqualTo("testsuite");
        assertThat(suite.getAttribute("tests")).isEqualTo("5");
        assertThat(suite.getAttribute("failures")).isEqualTo("1");
        assertThat(suite.getAttribute("errors")).isEqualTo("2");
        assertThat(suite.getAttribute("skipped")).isEqualTo("1");
        assertThat(((Element) doc.getElementsByTagName("failure").item(0)).getAttribute("message"))
                .isEqualTo("a <b> & \"c\"");
        assertThat(((Element) doc.getElementsByTagName("testcase").item(0)).getAttribute("classname")).isEqualTo("s.p");
        assertThat(doc.getElementsByTagName("error").getLength()).isEqualTo(2);
    }
}
