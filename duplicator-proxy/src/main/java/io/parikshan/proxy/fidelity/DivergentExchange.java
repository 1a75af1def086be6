package io.parikshan.proxy.fidelity;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One exchange where a clone answered differently from production, with both answers side by
 * side. Texts are decoded as UTF-8 (invalid bytes replaced) and cut to {@link #MAX_TEXT} bytes.
 *
 * @param number           1 for the clone's first divergent exchange, 2 for the next, ...
 * @param at               when it was judged
 * @param protocol         {@code http} or {@code tcp}
 * @param connection       the client's address ({@code host:port}), to find the connection in other logs
 * @param exchange         the exchange's position in its connection (0-based; always 0 for tcp)
 * @param request          the client's request (tcp: the first bytes the client sent)
 * @param productionAnswer production's answer (tcp: the bytes around the first difference)
 * @param cloneAnswer      the clone's answer (tcp: the bytes around the first difference)
 * @param differences      one line per differing part, e.g. {@code status: production 200, clone 404}
 */
public record DivergentExchange(long number, Instant at, String protocol, String connection, long exchange,
                                String request, String productionAnswer, String cloneAnswer, List<String> differences) {

    /** Longest text kept for a request or an answer, in bytes. */
    public static final int MAX_TEXT = 4096;

    public DivergentExchange {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(protocol, "protocol");
        differences = List.copyOf(differences);
    }
}
