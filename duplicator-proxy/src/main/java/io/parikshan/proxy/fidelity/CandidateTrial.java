package io.parikshan.proxy.fidelity;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * A patch on trial: which clone is the control and which the candidate (a fresh pair for each
 * re-sync, numbered), and what the {@link ThreeWayJudge} found over every exchange both answered.
 * An exchange is judged only when its connection fed a control and a candidate of the same pair,
 * so a connection that straddles a re-sync is never judged against a clone of another checkpoint,
 * and only on connections opened once both clones of the pair were fed ({@link #activate}): the
 * connections held for a clone while it was made are replayed to it side by side when it joins,
 * so a read may overtake the write before it there, which the patch would be blamed for.
 *
 * <p>Written by the connections' event loops (counts: adders; the change log: a lock while it
 * fills), the pair by the session; read by anyone. Counts go on across re-syncs, as the
 * Prometheus counter does: a change the patch made is a finding, whichever pair showed it.
 */
public final class CandidateTrial {

    /** Endpoints counted apart; any further one is counted under {@link #OTHER_ENDPOINTS} (label cardinality). */
    public static final int MAX_ENDPOINTS = 100;
    public static final String OTHER_ENDPOINTS = "(other endpoints)";
    private static final int VALUE_CHARS = 200;

    private record Member(long pair, boolean candidate, boolean active) {
    }

    private record Counts(LongAdder compared, LongAdder changed, LongAdder noise, LongAdder controlDiffers) {
        Counts() {
            this(new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder());
        }
    }

    private final int logSize;
    private volatile Map<String, Member> members = Map.of();
    private volatile String control = "";
    private volatile String candidate = "";
    private volatile long pair;
    private final Map<String, Counts> endpoints = new LinkedHashMap<>();
    private final List<CandidateChange> log = new ArrayList<>();

    public CandidateTrial(int logSize) {
        if (logSize < 0) {
            throw new IllegalArgumentException("change log size " + logSize + " must not be negative");
        }
        this.logSize = logSize;
    }

    /** Names a fresh pair (before its clones join the proxy, so not judged yet); returns its number. */
    public synchronized long pair(String controlClone, String candidateClone) {
        Map<String, Member> next = new HashMap<>(members);
        long n = ++pair;
        next.put(controlClone, new Member(n, false, false));
        next.put(candidateClone, new Member(n, true, false));
        members = Map.copyOf(next);
        control = controlClone;
        candidate = candidateClone;
        return n;
    }

    /** Both clones of the pair {@code clone} belongs to are fed: connections opened from now on are judged. */
    public synchronized void activate(String clone) {
        Member m = members.get(clone);
        if (m == null) {
            throw new IllegalArgumentException("clone " + clone + " is not in a pair on trial");
        }
        Map<String, Member> next = new HashMap<>();
        members.forEach((name, x) -> next.put(name, x.pair() == m.pair() ? new Member(x.pair(), x.candidate(), true) : x));
        members = Map.copyOf(next);
    }

    /** Forgets a clone that was removed. */
    public synchronized void forget(String clone) {
        Map<String, Member> next = new HashMap<>(members);
        next.remove(clone);
        members = Map.copyOf(next);
    }

    /**
     * Where the control and the candidate of one active pair are among a connection's clones, as
     * {@code {control, candidate}}; null when the connection was not fed such a pair. Asked when the
     * connection's comparison starts.
     */
    public int[] pairIn(List<String> cloneNames) {
        Map<String, Member> m = members;
        for (int i = 0; i < cloneNames.size(); i++) {
            Member a = m.get(cloneNames.get(i));
            if (a == null || a.candidate() || !a.active()) {
                continue;
            }
            for (int j = 0; j < cloneNames.size(); j++) {
                Member b = m.get(cloneNames.get(j));
                if (b != null && b.candidate() && b.pair() == a.pair()) {
                    return new int[] {i, j};
                }
            }
        }
        return null;
    }

    /** The endpoint of a TCP connection's one exchange (a byte stream has no method or path). */
    public static final String TCP_ENDPOINT = "tcp";

    /** Counts an exchange all three answered alike, without cutting answers into parts. */
    public void same(String requestLine) {
        counts(EndpointTemplate.ofRequestLine(requestLine)).compared.increment();
    }

    /**
     * Judges a TCP connection (one exchange): whether the control's and the candidate's answer
     * streams each equal production's. The texts are asked for only when a change is logged.
     */
    public ThreeWayJudge.Outcome judgeStreams(String connection, boolean controlDiffers, boolean candidateDiffers,
                                              java.util.function.Supplier<String[]> texts) {
        Map<String, String> production = Map.of("stream", "production's");
        return judgeAt(connection, TCP_ENDPOINT, production,
                Map.of("stream", controlDiffers ? "the control's, not production's" : "production's"),
                Map.of("stream", candidateDiffers ? "the candidate's, not production's" : "production's"), texts);
    }

    /**
     * Judges one exchange from its parts; the texts are asked for only when a change is logged.
     *
     * @param texts request, production's answer and the candidate's answer, as shown to a person
     */
    public ThreeWayJudge.Outcome judge(String connection, String requestLine, Map<String, String> production,
                                       Map<String, String> controlParts, Map<String, String> candidateParts,
                                       java.util.function.Supplier<String[]> texts) {
        return judgeAt(connection, EndpointTemplate.ofRequestLine(requestLine), production, controlParts, candidateParts, texts);
    }

    private ThreeWayJudge.Outcome judgeAt(String connection, String endpoint, Map<String, String> production,
                                        Map<String, String> controlParts, Map<String, String> candidateParts,
                                        java.util.function.Supplier<String[]> texts) {
        ThreeWayJudge.Outcome o = ThreeWayJudge.judge(production, controlParts, candidateParts);
        Counts c = counts(endpoint);
        c.compared.increment();
        if (o.isChange()) {
            c.changed.increment();
            logChange(endpoint, connection, o, production, candidateParts, texts);
        } else if (o.isNoise()) {
            c.noise.increment();
        }
        if (!o.controlDiffers().isEmpty()) {
            c.controlDiffers.increment();
        }
        return o;
    }

    private Counts counts(String endpoint) {
        synchronized (endpoints) {
            Counts c = endpoints.get(endpoint);
            if (c == null) {
                c = endpoints.computeIfAbsent(endpoints.size() >= MAX_ENDPOINTS ? OTHER_ENDPOINTS : endpoint, k -> new Counts());
            }
            return c;
        }
    }

    private void logChange(String endpoint, String connection, ThreeWayJudge.Outcome o, Map<String, String> production,
                           Map<String, String> candidateParts, java.util.function.Supplier<String[]> texts) {
        synchronized (log) {
            if (log.size() >= logSize) {
                return;
            }
            String[] t = texts.get();
            List<String> lines = o.changed().stream().map(part -> part + ": production "
                    + shown(production.get(part)) + ", candidate " + shown(candidateParts.get(part))).toList();
            log.add(new CandidateChange(log.size() + 1, Instant.now(), endpoint, connection, t[0], t[1], t[2], lines));
        }
    }

    private static String shown(String value) {
        return value == null ? "(absent)" : Texts.quote(value, VALUE_CHARS);
    }

    public CandidateChanges snapshot() {
        List<CandidateChanges.Endpoint> lines = new ArrayList<>();
        synchronized (endpoints) {
            endpoints.forEach((e, c) -> lines.add(new CandidateChanges.Endpoint(e, c.compared.sum(), c.changed.sum(),
                    c.noise.sum(), c.controlDiffers.sum())));
        }
        List<CandidateChange> changes;
        synchronized (log) {
            changes = List.copyOf(log);
        }
        Member current = members.get(control);
        return new CandidateChanges(candidate, control, pair, current != null && current.active(), lines, changes);
    }
}
