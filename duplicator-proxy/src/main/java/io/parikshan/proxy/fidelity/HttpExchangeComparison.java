package io.parikshan.proxy.fidelity;

import io.netty.buffer.ByteBuf;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Compare mode {@code http}: the client's requests, production's answers and each clone's answers
 * are parsed as they come and paired in order (keep-alive, pipelining); each exchange is judged
 * by {@link ExchangeJudge} after the noise rules once every clone still compared has answered
 * it (or can no longer). Answers equal as sent skip the rules.
 */
public final class HttpExchangeComparison implements AnswerComparison {

    private final NoiseRules rules;
    private final ComparedClones clones;
    private final String connection;
    private final CloneAnswers[] cloneAnswers;
    private HttpStreamParser requestParser;
    /** Requests not yet judged; the first is exchange {@code requestsBase}. */
    private final List<HttpMessage> requests = new ArrayList<>();
    private long requestsBase;
    private HttpStreamParser productionParser;
    private final ArrayDeque<HttpMessage> productionAnswers = new ArrayDeque<>();
    private boolean productionEnded;
    /** What the parsed messages held (requests, production's and the clones' answers) keep of memory. */
    private long messagesHeld;
    private long judged;
    private boolean clientLeftEarly;
    private boolean over;
    /** With a patch on trial: where its control and candidate are among the clones; null if this connection is not judged so. */
    private final int[] trialPair;

    public HttpExchangeComparison(NoiseRules rules, ComparedClones clones, String connection) {
        this.rules = rules;
        this.clones = clones;
        this.connection = connection;
        this.requestParser = HttpStreamParser.requests(DivergentExchange.MAX_TEXT);
        this.productionParser = HttpStreamParser.responses(this::methodOf);
        this.cloneAnswers = new CloneAnswers[clones.size()];
        for (int i = 0; i < cloneAnswers.length; i++) {
            cloneAnswers[i] = new CloneAnswers(clones.get(i), HttpStreamParser.responses(this::methodOf));
        }
        this.trialPair = trialPair(clones.trial());
    }

    /** Where the trial's control and candidate are among this connection's clones, fixed as it starts; null if not both. */
    private int[] trialPair(CandidateTrial trial) {
        if (trial == null) {
            return null;
        }
        List<String> names = new ArrayList<>(cloneAnswers.length);
        for (CloneAnswers c : cloneAnswers) {
            names.add(c.clone.ledger().cloneName());
        }
        return trial.pairIn(names);
    }

    /** HEAD and CONNECT answers are framed differently: answer parsers ask for the request's method. */
    private String methodOf(long exchange) {
        long i = exchange - requestsBase;
        return i >= 0 && i < requests.size() ? requests.get((int) i).method() : null;
    }

    @Override
    public void clientBytes(ByteBuf chunk) {
        List<HttpMessage> out = new ArrayList<>(1);
        requestParser.feed(chunk, out);
        for (HttpMessage m : out) {
            requests.add(m);
            messagesHeld += m.heldBytes();
        }
        if (requestParser.error() != null) {
            HttpMessage last = requests.isEmpty() ? null : requests.get(requests.size() - 1);
            giveUp(last != null && last.header("upgrade") != null ? DropReason.UPGRADE : DropReason.PROTOCOL);
        }
        // after a CONNECT the parser ignores the tunnelled bytes; the CONNECT's answer is still judged
    }

    @Override
    public void productionAnswer(ByteBuf chunk) {
        List<HttpMessage> out = new ArrayList<>(2);
        try {
            productionParser.feed(chunk, out);
        } finally {
            chunk.release();
        }
        addProductionAnswers(out);
    }

    @Override
    public void productionEnded() {
        if (!productionEnded) {
            productionEnded = true;
            List<HttpMessage> out = new ArrayList<>(1);
            productionParser.end(out);
            addProductionAnswers(out);
        }
    }

    private void addProductionAnswers(List<HttpMessage> out) {
        for (HttpMessage m : out) {
            productionAnswers.add(m);
            messagesHeld += m.heldBytes();
        }
    }

    @Override
    public void clientLeftEarly() {
        clientLeftEarly = true;
    }

    @Override
    public boolean cloneAnswer(int clone, ByteBuf chunk) {
        List<HttpMessage> out = new ArrayList<>(2);
        try {
            cloneAnswers[clone].parser.feed(chunk, out);
        } finally {
            chunk.release();
        }
        addCloneAnswers(cloneAnswers[clone], out);
        return true;
    }

    @Override
    public void cloneEnded(int clone) {
        List<HttpMessage> out = new ArrayList<>(1);
        cloneAnswers[clone].parser.end(out);
        addCloneAnswers(cloneAnswers[clone], out);
    }

    private void addCloneAnswers(CloneAnswers c, List<HttpMessage> out) {
        for (HttpMessage m : out) {
            c.answers.add(m);
            messagesHeld += m.heldBytes();
        }
    }

    @Override
    public void cloneDropped(int clone) {
        CloneAnswers c = cloneAnswers[clone];
        c.answers.forEach(m -> messagesHeld -= m.heldBytes());
        c.answers.clear();
    }

    @Override
    public long heldBytes() {
        long held = messagesHeld + requestParser.heldBytes() + productionParser.heldBytes();
        for (CloneAnswers c : cloneAnswers) {
            held += c.parser.heldBytes();
        }
        return held;
    }

    @Override
    public boolean over() {
        return over || !clones.anyLive();
    }

    @Override
    public void release() {
        // the parsers go too: their buffers may be large, and the connection may live on
        for (CloneAnswers c : cloneAnswers) {
            c.answers.clear();
            c.parser = null;
        }
        productionAnswers.clear();
        requests.clear();
        requestParser = null;
        productionParser = null;
        messagesHeld = 0;
    }

    private void giveUp(DropReason reason) {
        clones.giveUp(reason);
        over = true;
    }

    @Override
    public void compare() {
        while (!over()) {
            HttpMessage p = productionAnswers.peek();
            boolean productionDone = productionEnded || productionParser.error() != null || productionParser.upgraded();
            if (p == null) {
                if (!productionDone) {
                    return;
                }
                if (productionParser.upgraded()) {
                    giveUp(DropReason.UPGRADE);
                    return;
                }
                if (productionParser.error() != null && !clientLeftEarly) {
                    giveUp(DropReason.PROTOCOL);
                    return;
                }
                // every answer production gave was judged; what it did not answer (the client left, or it closed
                // the connection) is not compared, and the clone connection need not be waited for any longer
                over = true;
                return;
            }
            for (CloneAnswers c : cloneAnswers) {
                if (c.clone.live() && c.answers.isEmpty() && !c.finishedAnswering()) {
                    return; // wait for this clone
                }
            }
            judge(p);
            productionAnswers.poll();
            messagesHeld -= p.heldBytes();
            for (CloneAnswers c : cloneAnswers) {
                if (c.clone.live()) {
                    HttpMessage m = c.answers.poll();
                    if (m != null) {
                        messagesHeld -= m.heldBytes();
                    } else if (c.parser.error() != null) {
                        c.clone.done(); // its unreadable answer was judged once; nothing after it can be paired
                    }
                }
            }
            if (!requests.isEmpty()) {
                messagesHeld -= requests.remove(0).heldBytes();
                requestsBase++;
            }
            judged++;
            if (productionAnswers.isEmpty() && productionParser.upgraded()) {
                giveUp(DropReason.UPGRADE);
            }
        }
    }

    /** Judges production's answer {@code p} against each live clone's next answer. */
    private void judge(HttpMessage p) {
        judgeCandidate(p);
        if (allCloneAnswersSameAsSent(p)) {
            for (CloneAnswers c : cloneAnswers) {
                if (c.clone.live()) {
                    c.clone.ledger().judged(Verdict.EQUAL, p.wireBytes());
                }
            }
            return;
        }
        boolean perField = clones.clonesAsNoise();
        Map<String, String> productionParts = AnswerParts.of(p, rules, perField);
        List<Map<String, String>> cloneParts = new ArrayList<>(cloneAnswers.length);
        for (CloneAnswers c : cloneAnswers) {
            cloneParts.add(c.clone.live() ? c.parts(rules, perField) : null);
        }
        List<ExchangeJudge.Outcome> outcomes = ExchangeJudge.judge(productionParts, cloneParts, perField);
        long bytes = p.wireBytes();
        for (int i = 0; i < cloneAnswers.length; i++) {
            ExchangeJudge.Outcome o = outcomes.get(i);
            if (o == null) {
                continue;
            }
            CloneAnswers c = cloneAnswers[i];
            FidelityLedger ledger = c.clone.ledger();
            ledger.judged(o.verdict(), bytes);
            if (o.verdict() == Verdict.DIVERGENT && ledger.wantsDivergence()) {
                Map<String, String> cp = cloneParts.get(i);
                List<String> lines = o.parts().stream()
                        .map(part -> Texts.difference(part, productionParts.get(part), cp.get(part))).toList();
                HttpMessage request = requests.isEmpty() ? null : requests.get(0);
                HttpMessage answer = c.answers.peek();
                ledger.logDivergence("http", connection, judged,
                        request == null ? "(request not seen)" : Texts.message(request),
                        Texts.message(p), answer != null ? Texts.message(answer) : cp.getOrDefault("answer", "(no answer)"), lines);
            }
        }
    }

    /**
     * With a patch on trial, and this connection fed its control and candidate: the three-way
     * judgement of production's answer {@code p} against both (before the clones' answers move on).
     */
    private void judgeCandidate(HttpMessage p) {
        if (trialPair == null) {
            return;
        }
        CandidateTrial trial = clones.trial();
        CloneAnswers control = cloneAnswers[trialPair[0]];
        CloneAnswers candidate = cloneAnswers[trialPair[1]];
        if (!control.clone.live() || !candidate.clone.live()) {
            return; // one of them was given up: nothing to weigh the other against
        }
        HttpMessage request = requests.isEmpty() ? null : requests.get(0);
        String requestLine = request == null ? null : request.startLine();
        HttpMessage co = control.answers.peek();
        HttpMessage ca = candidate.answers.peek();
        if (co != null && ca != null && AnswerParts.sameAsSent(p, co, rules) && AnswerParts.sameAsSent(p, ca, rules)) {
            trial.same(requestLine);
            return;
        }
        Map<String, String> productionParts = AnswerParts.of(p, rules, true);
        Map<String, String> candidateParts = candidate.parts(rules, true);
        trial.judge(connection, requestLine, productionParts, control.parts(rules, true), candidateParts,
                () -> new String[] {request == null ? "(request not seen)" : Texts.message(request), Texts.message(p),
                        ca != null ? Texts.message(ca) : candidateParts.getOrDefault("answer", "(no answer)")});
    }

    /** The common case, decided without normalising anything: every clone answered exactly as production did. */
    private boolean allCloneAnswersSameAsSent(HttpMessage p) {
        for (CloneAnswers c : cloneAnswers) {
            if (c.clone.live()) {
                HttpMessage m = c.answers.peek();
                if (m == null || !AnswerParts.sameAsSent(p, m, rules)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** One clone's parsed answers, not yet paired with production's. */
    private static final class CloneAnswers {
        final ComparedClone clone;
        HttpStreamParser parser;
        final ArrayDeque<HttpMessage> answers = new ArrayDeque<>();

        CloneAnswers(ComparedClone clone, HttpStreamParser parser) {
            this.clone = clone;
            this.parser = parser;
        }

        /** True if no further answer will come: the stream ended, or is no longer HTTP. */
        boolean finishedAnswering() {
            return clone.ended() || parser.error() != null || parser.upgraded();
        }

        /** The parts of its next answer, or why there is none. */
        Map<String, String> parts(NoiseRules rules, boolean perField) {
            HttpMessage m = answers.peek();
            if (m != null) {
                return AnswerParts.of(m, rules, perField);
            }
            return AnswerParts.missing(parser.error() != null
                    ? "the clone's answer is not HTTP: " + parser.error()
                    : "the clone ended the connection without answering");
        }
    }
}
