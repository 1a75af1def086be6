package io.parikshan.proxy.fidelity;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One exchange whose answer the patch changed: the request, production's answer and the
 * candidate's side by side (texts as in {@link DivergentExchange}, cut to its {@code MAX_TEXT}).
 *
 * @param number           1 for the first change seen, 2 for the next, ...
 * @param endpoint         the request's {@link EndpointTemplate}
 * @param connection       the client's address, to find the connection in other logs
 * @param differences      one line per changed part, e.g. {@code status: production 200, clone 404}
 */
public record CandidateChange(long number, Instant at, String endpoint, String connection, String request,
                              String productionAnswer, String candidateAnswer, List<String> differences) {

    public CandidateChange {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(endpoint, "endpoint");
        differences = List.copyOf(differences);
    }
}
