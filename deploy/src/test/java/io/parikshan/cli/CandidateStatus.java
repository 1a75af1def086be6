package io.parikshan.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;

/** What a candidate session's tests read and send: its candidate status, and the demo's bug trigger. */
final class CandidateStatus {

    private static final ObjectMapper JSON = new ObjectMapper();

    private CandidateStatus() {
    }

    /** The session's {@code candidate} status, from its control endpoint. */
    static JsonNode of(String control) throws Exception {
        return JSON.readTree(SessionWorkflowIT.get(control + "/status")).path("candidate");
    }

    static void awaitJudged(String control, long atLeast) throws Exception {
        SessionWorkflowIT.await(atLeast + " exchanges judged three ways", Duration.ofSeconds(60),
                () -> of(control).path("compared").asLong() >= atLeast);
    }

    /**
     * Waits until pair {@code pair} is judged (both its clones caught up with the connections held
     * while they were made), then for {@code more} exchanges judged against it: a connection opened
     * before that is never judged, so a trigger sent on it would show no change.
     */
    static void awaitPairJudged(String control, long pair, long more) throws Exception {
        SessionWorkflowIT.await("pair " + pair + " judged", Duration.ofSeconds(60), () -> {
            JsonNode c = of(control);
            return c.path("pair").asLong() == pair && c.path("judging").asBoolean();
        });
        awaitJudged(control, of(control).path("compared").asLong() + more);
    }

    /** PUT {@code stored}, GET it, then GET {@code folded} on one connection to production's port; what the client read. */
    static String trigger(int port, String stored, String folded, String value) throws Exception {
        String base = "http://127.0.0.1:" + port + "/kv/";
        return CloneBadInputIT.out("curl", "-sS", "-X", "PUT", "--data", value, "-o", "/dev/null", base + stored,
                "--next", "-sS", base + stored, "--next", "-sS", base + folded);
    }
}
