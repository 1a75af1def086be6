package io.parikshan.proxy.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import io.parikshan.proxy.buffer.BufferBudget;
import io.parikshan.proxy.fidelity.AnswerParts;
import io.parikshan.proxy.fidelity.CompareMode;
import io.parikshan.proxy.fidelity.DivergentExchange;
import io.parikshan.proxy.fidelity.DropReason;
import io.parikshan.proxy.fidelity.ExchangeJudge;
import io.parikshan.proxy.fidelity.FidelityConfig;
import io.parikshan.proxy.fidelity.FidelityLedger;
import io.parikshan.proxy.fidelity.HttpMessage;
import io.parikshan.proxy.fidelity.HttpStreamParser;
import io.parikshan.proxy.fidelity.Texts;
import io.parikshan.proxy.fidelity.Verdict;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * Compares the answers of one client connection's clones with production's.
 *
 * <p>Off the production path: production's answer chunks are only retained here (a reference,
 * or a copy for a small read in a large buffer) after they were handed to the client's socket;
 * parsing and comparing run as a separate event-loop task or when a clone answers. What is held
 * (production's answers not yet matched, clone answers ahead of production's, requests not yet
 * answered) is charged to the clone budgets: at most the connection budget for this connection
 * and never more than the global budget has free. When a charge does not fit the comparison is
 * given up (counted, reason {@code budget}) and everything held is released; production and the
 * clone feeds carry on untouched.
 *
 * <p>TCP: per clone, the answer stream is compared byte for byte with production's (first
 * differing offset, lengths and CRC32C); the connection is one exchange. HTTP: answers are
 * parsed and paired with requests in order (keep-alive, pipelining) and judged one by one by
 * {@link ExchangeJudge} after the noise rules. AUTO decides from the client's first line.
 *
 * <p>Confined to the client's event loop, like every channel of the connection.
 */
final class ConnectionComparison {

    private enum Protocol { UNDECIDED, TCP, HTTP }

    /** An HTTP/1.x request line: how AUTO recognises HTTP. */
    private static final Pattern REQUEST_LINE = Pattern.compile("[A-Z][A-Z_-]{0,23} \\S+ HTTP/1\\.[01]\r?");
    private static final int DETECT_LIMIT = 8 * 1024;
    private static final int WINDOW_BEFORE = 64;

    private final FidelityConfig config;
    private final EventExecutor loop;
    private final BufferBudget globalBudget;
    private final long connectionBudget;
    private final String connection;
    private final Side[] sides;
    private Protocol protocol;
    private boolean finished;
    private long charged;
    private boolean processScheduled;
    private final Runnable process = this::scheduledProcess;

    // the client's stream
    private final byte[] clientPrefix = new byte[DivergentExchange.MAX_TEXT];
    private int clientPrefixLength;
    private long clientLength;
    private final CRC32C clientCrc = new CRC32C();
    private byte[] detect = new byte[0];
    private HttpStreamParser requestParser;
    private final List<HttpMessage> requests = new ArrayList<>();
    private long requestsBase;

    // production's stream
    private final ArrayDeque<ByteBuf> productionRaw = new ArrayDeque<>();
    private long productionRawBytes;
    private boolean productionEnded;
    /**
     * The client closed while production's stream was still open: production's last answers may
     * be cut off, while the clone (half-closed, still read) answers in full. Only production's
     * part is compared then; clone answers beyond it are not counted.
     */
    private boolean clientLeftEarly;
    private boolean productionEndAbsorbed;
    private long productionLength;
    private final CRC32C productionCrc = new CRC32C();
    private final ArrayDeque<ByteBuf> productionKept = new ArrayDeque<>();
    private long keptBase;
    private long keptBytes;
    private HttpStreamParser productionParser;
    private final ArrayDeque<HttpMessage> productionAnswers = new ArrayDeque<>();
    private long messagesHeld;
    private long judged;

    ConnectionComparison(FidelityConfig config, EventExecutor loop, BufferBudget globalBudget, long connectionBudget,
                         String connection, List<FidelityLedger> ledgers) {
        this.config = config;
        this.loop = loop;
        this.globalBudget = globalBudget;
        this.connectionBudget = connectionBudget;
        this.connection = connection;
        this.sides = new Side[ledgers.size()];
        for (int i = 0; i < sides.length; i++) {
            sides[i] = new Side(ledgers.get(i));
        }
        this.protocol = switch (config.mode()) {
            case TCP -> Protocol.TCP;
            case HTTP -> Protocol.HTTP;
            default -> Protocol.UNDECIDED;
        };
        if (protocol == Protocol.HTTP) {
            startHttp();
        }
    }

    /** The sink the {@code i}-th clone's answers go to. */
    CloneAnswerSink side(int i) {
        return sides[i];
    }

    /** False once nothing more is compared on this connection (callers can skip retaining bytes). */
    boolean active() {
        return !finished;
    }

    // ---- input from the connection's handlers --------------------------------------------------

    /** A chunk the client sent (already on its way to production). Ownership passes here. */
    void clientBytes(ByteBuf chunk) {
        try {
            if (finished) {
                return;
            }
            int n = chunk.readableBytes();
            int keep = Math.min(n, clientPrefix.length - clientPrefixLength);
            chunk.getBytes(chunk.readerIndex(), clientPrefix, clientPrefixLength, keep);
            clientPrefixLength += keep;
            clientLength += n;
            clientCrc.update(chunk.nioBuffer());
            if (protocol == Protocol.UNDECIDED) {
                detect(chunk);
            } else if (protocol == Protocol.HTTP) {
                readRequests(chunk);
            }
            settleCharge();
        } finally {
            chunk.release();
        }
    }

    /** A chunk production answered (already on its way to the client). Ownership passes here. */
    void productionAnswer(ByteBuf chunk) {
        if (finished) {
            chunk.release();
            return;
        }
        ByteBuf kept = ClientConnectionHandler.compactForClones(chunk);
        if (kept != chunk) {
            chunk.release();
        }
        productionRaw.add(kept);
        productionRawBytes += kept.readableBytes();
        if (settleCharge()) {
            scheduleProcess();
        }
    }

    /** The client's connection closed (before production's is closed by the proxy). */
    void clientClosed() {
        if (!productionEnded) {
            clientLeftEarly = true;
        }
    }

    /** Production's answer stream ended (FIN or close). */
    void productionEnded() {
        if (!productionEnded) {
            productionEnded = true;
            if (!finished) {
                scheduleProcess();
            }
        }
    }

    // ---- comparison ------------------------------------------------------------------------------

    private void scheduleProcess() {
        if (!processScheduled) {
            processScheduled = true;
            try {
                loop.execute(process);
            } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
                scheduledProcess(); // the loop is stopping (we run on it): settle now so nothing held is left behind
            }
        }
    }

    private void scheduledProcess() {
        processScheduled = false;
        process();
    }

    private void process() {
        if (finished) {
            return;
        }
        if (protocol == Protocol.UNDECIDED) {
            // an answer before the client's first line was complete: not HTTP
            protocol = Protocol.TCP;
            detect = null;
        }
        if (protocol == Protocol.TCP) {
            absorbTcp();
            for (Side s : sides) {
                compareTcp(s);
            }
            releaseKeptTcp();
            finishTcpIfDone();
        } else {
            absorbHttp();
            if (!finished) {
                judgeHttp();
            }
        }
        if (!finished) {
            settleCharge();
        }
    }

    // ---- TCP --------------------------------------------------------------------------------------

    private void absorbTcp() {
        ByteBuf b;
        boolean keep = anySideNeedsProductionBytes();
        while ((b = productionRaw.poll()) != null) {
            int n = b.readableBytes();
            productionRawBytes -= n;
            productionCrc.update(b.nioBuffer());
            productionLength += n;
            if (keep) {
                productionKept.add(b);
                keptBytes += n;
            } else {
                keptBase += n;
                b.release();
            }
        }
        if (productionEnded) {
            productionEndAbsorbed = true;
        }
    }

    private boolean anySideNeedsProductionBytes() {
        for (Side s : sides) {
            if (s.live() && s.firstDiff < 0) {
                return true;
            }
        }
        return false;
    }

    private void compareTcp(Side s) {
        if (!s.live() || s.firstDiff >= 0) {
            return;
        }
        while (s.firstDiff < 0 && !s.ahead.isEmpty() && s.matched < productionLength) {
            ByteBuf c = s.ahead.peek();
            long chunkStart = keptBase;
            ByteBuf p = null;
            for (ByteBuf k : productionKept) {
                if (s.matched < chunkStart + k.readableBytes()) {
                    p = k;
                    break;
                }
                chunkStart += k.readableBytes();
            }
            if (p == null) {
                break; // cannot happen: matched < productionLength and bytes a live side needs are kept
            }
            int pOffset = (int) (s.matched - chunkStart);
            int n = Math.min(c.readableBytes(), p.readableBytes() - pOffset);
            int mismatch = mismatch(c, c.readerIndex(), p, p.readerIndex() + pOffset, n);
            if (mismatch >= 0) {
                divergedTcp(s, s.matched + mismatch, c.readerIndex() + mismatch);
                return;
            }
            c.skipBytes(n);
            s.matched += n;
            s.aheadBytes -= n;
            if (!c.isReadable()) {
                s.ahead.poll().release();
            }
        }
        if (s.firstDiff < 0 && s.ended && s.ahead.isEmpty() && productionLength > s.length) {
            divergedTcp(s, s.length, -1); // the clone's answer stopped short of production's
        } else if (s.firstDiff < 0 && productionEndAbsorbed && !s.ahead.isEmpty()) {
            if (clientLeftEarly) {
                s.releaseAhead(); // answers production never sent because the client left: not compared
            } else {
                divergedTcp(s, productionLength, s.ahead.peek().readerIndex()); // the clone answered more
            }
        }
    }

    private static int mismatch(ByteBuf a, int ai, ByteBuf b, int bi, int n) {
        if (io.netty.buffer.ByteBufUtil.equals(a, ai, b, bi, n)) {
            return -1;
        }
        for (int k = 0; k < n; k++) {
            if (a.getByte(ai + k) != b.getByte(bi + k)) {
                return k;
            }
        }
        return -1;
    }

    /** Records the first difference and the bytes around it, then stops comparing this clone byte by byte. */
    private void divergedTcp(Side s, long offset, int cloneIndexInHead) {
        s.firstDiff = offset;
        long from = Math.max(Math.max(0, offset - WINDOW_BEFORE), keptBase);
        s.productionWindow = productionBytes(from, WINDOW_BEFORE + 1024);
        s.windowStart = from;
        // the clone's bytes before the difference equal production's
        byte[] before = productionBytes(from, (int) (offset - from));
        byte[] after = new byte[0];
        if (cloneIndexInHead >= 0 && !s.ahead.isEmpty()) {
            ByteBuf c = s.ahead.peek();
            int n = Math.min(1024, c.writerIndex() - cloneIndexInHead);
            after = new byte[n];
            c.getBytes(cloneIndexInHead, after);
        }
        s.cloneWindow = Arrays.copyOf(before, before.length + after.length);
        System.arraycopy(after, 0, s.cloneWindow, before.length, after.length);
        s.releaseAhead();
        if (!clonesAsNoise()) {
            // alone, a clone's first difference is a divergence at once (long-lived connections need not close first)
            judgeTcp(s, Verdict.DIVERGENT);
        }
    }

    private byte[] productionBytes(long from, int max) {
        byte[] out = new byte[0];
        long chunkStart = keptBase;
        for (ByteBuf k : productionKept) {
            int len = k.readableBytes();
            long end = chunkStart + len;
            if (end > from && out.length < max) {
                int start = (int) Math.max(0, from - chunkStart);
                int n = Math.min(len - start, max - out.length);
                int at = out.length;
                out = Arrays.copyOf(out, at + n);
                k.getBytes(k.readerIndex() + start, out, at, n);
            }
            chunkStart = end;
        }
        return out;
    }

    private void releaseKeptTcp() {
        long needed = Long.MAX_VALUE;
        for (Side s : sides) {
            if (s.live() && s.firstDiff < 0) {
                needed = Math.min(needed, s.matched);
            }
        }
        ByteBuf k;
        while ((k = productionKept.peek()) != null && keptBase + k.readableBytes() <= needed) {
            productionKept.poll();
            keptBase += k.readableBytes();
            keptBytes -= k.readableBytes();
            k.release();
        }
    }

    private void finishTcpIfDone() {
        if (!productionEndAbsorbed) {
            return;
        }
        for (Side s : sides) {
            if (s.live() && (!s.ended || !s.ahead.isEmpty())) {
                return;
            }
        }
        if (clientLength == 0 && productionLength == 0 && java.util.Arrays.stream(sides).allMatch(s -> s.length == 0)) {
            finish(); // nothing was said either way (a port probe): no exchange to count
            return;
        }
        List<Side> answering = new ArrayList<>();
        for (Side s : sides) {
            if (s.live()) {
                answering.add(s);
            }
        }
        boolean clonesAgree = answering.stream().allMatch(s -> s.length == answering.get(0).length
                && s.crc.getValue() == answering.get(0).crc.getValue());
        for (Side s : answering) {
            boolean differs = s.firstDiff >= 0 || (clientLeftEarly ? s.length < productionLength : s.length != productionLength);
            if (!differs) {
                judgeTcp(s, Verdict.EQUAL);
            } else {
                judgeTcp(s, clonesAsNoise() && answering.size() >= 2 && !clonesAgree ? Verdict.NOISE : Verdict.DIVERGENT);
            }
        }
        finish();
    }

    private void judgeTcp(Side s, Verdict v) {
        s.done = true;
        s.ledger.judged(v, productionLength);
        if (v == Verdict.DIVERGENT && s.ledger.wantsDivergence()) {
            List<String> lines = new ArrayList<>();
            String sizes = " (production " + productionLength + (productionEndAbsorbed ? "" : "+") + " bytes crc32c "
                    + Long.toHexString(productionCrc.getValue()) + ", clone " + s.length + (s.ended ? "" : "+")
                    + " bytes crc32c " + Long.toHexString(s.crc.getValue()) + ")";
            if (s.firstDiff >= 0 && s.firstDiff == s.length && s.cloneWindow.length == s.firstDiff - s.windowStart) {
                lines.add("the clone's answer ends at byte " + s.firstDiff + " where production's goes on" + sizes);
            } else {
                lines.add("answers differ from byte " + Math.max(0, s.firstDiff) + sizes);
            }
            lines.add("client to server: " + clientLength + (productionEndAbsorbed ? "" : "+") + " bytes crc32c " + Long.toHexString(clientCrc.getValue())
                    + " (the same stream went to production and the clone)");
            String window = " [bytes from " + s.windowStart + "] ";
            s.ledger.logDivergence("tcp", connection, 0,
                    Texts.bytes(clientPrefix, 0, clientPrefixLength, clientLength),
                    window + Texts.bytes(s.productionWindow, 0, s.productionWindow.length, s.productionWindow.length),
                    window + Texts.bytes(s.cloneWindow, 0, s.cloneWindow.length, s.cloneWindow.length), lines);
        }
        s.productionWindow = null;
        s.cloneWindow = null;
        s.releaseAhead();
        if (noLiveSide()) {
            finish();
        }
    }

    // ---- HTTP -------------------------------------------------------------------------------------

    private void detect(ByteBuf chunk) {
        int at = detect.length;
        detect = Arrays.copyOf(detect, at + chunk.readableBytes());
        chunk.getBytes(chunk.readerIndex(), detect, at, chunk.readableBytes());
        int start = 0;
        while (start < detect.length && (detect[start] == '\r' || detect[start] == '\n')) {
            start++;
        }
        int lf = -1;
        for (int i = start; i < detect.length; i++) {
            if (detect[i] == '\n') {
                lf = i;
                break;
            }
        }
        if (lf < 0) {
            if (detect.length - start > DETECT_LIMIT) {
                protocol = Protocol.TCP;
                detect = null;
            }
            return;
        }
        String line = new String(detect, start, lf - start, java.nio.charset.StandardCharsets.ISO_8859_1);
        if (REQUEST_LINE.matcher(line).matches()) {
            protocol = Protocol.HTTP;
            startHttp();
            ByteBuf seen = io.netty.buffer.Unpooled.wrappedBuffer(detect);
            try {
                readRequests(seen);
            } finally {
                seen.release();
            }
        } else {
            protocol = Protocol.TCP;
        }
        detect = null;
    }

    private void startHttp() {
        requestParser = HttpStreamParser.requests(DivergentExchange.MAX_TEXT);
        productionParser = HttpStreamParser.responses(this::methodOf);
        for (Side s : sides) {
            s.parser = HttpStreamParser.responses(this::methodOf);
        }
    }

    private String methodOf(long exchange) {
        long i = exchange - requestsBase;
        return i >= 0 && i < requests.size() ? requests.get((int) i).method() : null;
    }

    private void readRequests(ByteBuf chunk) {
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

    private void absorbHttp() {
        ByteBuf b;
        List<HttpMessage> out = new ArrayList<>(2);
        while ((b = productionRaw.poll()) != null) {
            productionRawBytes -= b.readableBytes();
            productionLength += b.readableBytes();
            try {
                productionParser.feed(b, out);
            } finally {
                b.release();
            }
        }
        if (productionEnded && !productionEndAbsorbed) {
            productionEndAbsorbed = true;
            productionParser.end(out);
        }
        for (HttpMessage m : out) {
            productionAnswers.add(m);
            messagesHeld += m.heldBytes();
        }
    }

    private void judgeHttp() {
        while (!finished) {
            HttpMessage p = productionAnswers.peek();
            boolean productionDone = productionEndAbsorbed || productionParser.error() != null || productionParser.upgraded();
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
                finish();
                return;
            }
            for (Side s : sides) {
                if (s.live() && s.answers.isEmpty() && !s.finishedAnswering()) {
                    return; // wait for this clone
                }
            }
            judgeExchange(p);
            productionAnswers.poll();
            messagesHeld -= p.heldBytes();
            for (Side s : sides) {
                if (s.live()) {
                    HttpMessage c = s.answers.poll();
                    if (c != null) {
                        messagesHeld -= c.heldBytes();
                    } else if (s.parser.error() != null) {
                        s.done = true; // its unreadable answer was judged once; nothing after it can be paired
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
            } else if (noLiveSide()) {
                finish();
            }
        }
    }

    private void judgeExchange(HttpMessage p) {
        if (allCloneAnswersSameAsSent(p)) {
            for (Side s : sides) {
                if (s.live()) {
                    s.ledger.judged(Verdict.EQUAL, p.wireBytes());
                }
            }
            return;
        }
        boolean perField = clonesAsNoise();
        Map<String, String> productionParts = AnswerParts.of(p, config.rules(), perField);
        List<Map<String, String>> cloneParts = new ArrayList<>(sides.length);
        for (Side s : sides) {
            if (!s.live()) {
                cloneParts.add(null);
                continue;
            }
            HttpMessage c = s.answers.peek();
            if (c != null) {
                cloneParts.add(AnswerParts.of(c, config.rules(), perField));
            } else if (s.parser.error() != null) {
                cloneParts.add(AnswerParts.missing("the clone's answer is not HTTP: " + s.parser.error()));
            } else {
                cloneParts.add(AnswerParts.missing("the clone ended the connection without answering"));
            }
        }
        List<ExchangeJudge.Outcome> outcomes = ExchangeJudge.judge(productionParts, cloneParts, perField);
        long bytes = p.wireBytes();
        for (int i = 0; i < sides.length; i++) {
            ExchangeJudge.Outcome o = outcomes.get(i);
            if (o == null) {
                continue;
            }
            Side s = sides[i];
            s.ledger.judged(o.verdict(), bytes);
            if (o.verdict() == Verdict.DIVERGENT && s.ledger.wantsDivergence()) {
                Map<String, String> cp = cloneParts.get(i);
                List<String> lines = o.parts().stream()
                        .map(part -> Texts.difference(part, productionParts.get(part), cp.get(part))).toList();
                HttpMessage request = requests.isEmpty() ? null : requests.get(0);
                HttpMessage c = s.answers.peek();
                s.ledger.logDivergence("http", connection, judged,
                        request == null ? "(request not seen)" : Texts.message(request),
                        Texts.message(p), c != null ? Texts.message(c) : cp.getOrDefault("answer", "(no answer)"), lines);
            }
        }
    }

    /** The common case, decided without normalising anything: every clone answered exactly as production did. */
    private boolean allCloneAnswersSameAsSent(HttpMessage p) {
        for (Side s : sides) {
            if (s.live()) {
                HttpMessage c = s.answers.peek();
                if (c == null || !AnswerParts.sameAsSent(p, c, config.rules())) {
                    return false;
                }
            }
        }
        return true;
    }

    // ---- bookkeeping ------------------------------------------------------------------------------

    private boolean clonesAsNoise() {
        if (!config.twoCloneNoise()) {
            return false;
        }
        int answering = 0;
        for (Side s : sides) {
            if (!s.dropped) {
                answering++;
            }
        }
        return answering >= 2;
    }

    private boolean noLiveSide() {
        for (Side s : sides) {
            if (s.live()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Charges what is held now to the budgets (the difference to what was charged before).
     *
     * @return false if it did not fit: the comparison was given up
     */
    private boolean settleCharge() {
        if (finished) {
            return false;
        }
        long held = productionRawBytes + keptBytes + messagesHeld
                + (requestParser == null ? 0 : requestParser.heldBytes())
                + (productionParser == null ? 0 : productionParser.heldBytes());
        for (Side s : sides) {
            held += s.aheadBytes + (s.parser == null ? 0 : s.parser.heldBytes());
        }
        long delta = held - charged;
        if (delta > 0) {
            if (held > connectionBudget || !globalBudget.tryReserve(delta)) {
                giveUp(DropReason.BUDGET);
                return false;
            }
        } else if (delta < 0) {
            globalBudget.release(-delta);
        }
        charged = held;
        if (noLiveSide()) {
            finish();
            return false;
        }
        return true;
    }

    /** Gives up comparing this connection: every clone still compared counts one dropped comparison. */
    private void giveUp(DropReason reason) {
        for (Side s : sides) {
            if (s.live()) {
                s.ledger.dropped(reason);
                s.dropped = true;
            }
        }
        finish();
    }

    /** Releases everything held; the connection's later bytes pass without being compared. */
    private void finish() {
        if (finished) {
            return;
        }
        finished = true;
        ByteBuf b;
        while ((b = productionRaw.poll()) != null) {
            b.release();
        }
        while ((b = productionKept.poll()) != null) {
            b.release();
        }
        for (Side s : sides) {
            s.releaseAhead();
            s.answers.clear();
            s.parser = null;
            s.done = true;
            if (s.feed != null) {
                s.feed.answersSettled();
            }
        }
        productionAnswers.clear();
        requests.clear();
        requestParser = null;
        productionParser = null;
        productionRawBytes = keptBytes = messagesHeld = 0;
        if (charged > 0) {
            globalBudget.release(charged);
            charged = 0;
        }
    }

    /** One clone's side of the comparison. */
    private final class Side implements CloneAnswerSink {
        final FidelityLedger ledger;
        CloneFeed feed;
        boolean ended;
        boolean dropped;
        boolean done;
        // TCP
        long length;
        final CRC32C crc = new CRC32C();
        long matched;
        long firstDiff = -1;
        final ArrayDeque<ByteBuf> ahead = new ArrayDeque<>();
        long aheadBytes;
        byte[] productionWindow;
        byte[] cloneWindow;
        long windowStart;
        // HTTP
        HttpStreamParser parser;
        final ArrayDeque<HttpMessage> answers = new ArrayDeque<>();

        Side(FidelityLedger ledger) {
            this.ledger = ledger;
        }

        boolean live() {
            return !dropped && !done;
        }

        boolean finishedAnswering() {
            return ended || parser.error() != null || parser.upgraded();
        }

        @Override
        public void attach(CloneFeed f) {
            this.feed = f;
        }

        @Override
        public void answer(ByteBuf chunk) {
            if (finished || !live() || ended) {
                chunk.release();
                return;
            }
            if (protocol == Protocol.UNDECIDED) {
                protocol = Protocol.TCP; // the clone spoke before the client's first line was complete
                detect = null;
            }
            if (protocol == Protocol.TCP) {
                int n = chunk.readableBytes();
                length += n;
                crc.update(chunk.nioBuffer());
                if (firstDiff >= 0) {
                    chunk.release();
                    return;
                }
                ahead.add(chunk);
                aheadBytes += n;
            } else {
                List<HttpMessage> out = new ArrayList<>(2);
                try {
                    parser.feed(chunk, out);
                } finally {
                    chunk.release();
                }
                for (HttpMessage m : out) {
                    answers.add(m);
                    messagesHeld += m.heldBytes();
                }
            }
            process();
        }

        @Override
        public void ended() {
            if (ended || finished || !live()) {
                ended = true;
                return;
            }
            ended = true;
            if (protocol == Protocol.HTTP) {
                List<HttpMessage> out = new ArrayList<>(1);
                parser.end(out);
                for (HttpMessage m : out) {
                    answers.add(m);
                    messagesHeld += m.heldBytes();
                }
            }
            if (protocol == Protocol.UNDECIDED) {
                protocol = Protocol.TCP;
                detect = null;
            }
            process();
        }

        @Override
        public void dropped(DropReason reason) {
            if (finished || !live()) {
                return;
            }
            dropped = true;
            if (reason != null) {
                ledger.dropped(reason);
            }
            releaseAhead();
            answers.forEach(m -> messagesHeld -= m.heldBytes());
            answers.clear();
            if (noLiveSide()) {
                finish();
            } else {
                process(); // the others may have waited for this one
            }
        }

        @Override
        public boolean settled() {
            return finished || !live();
        }

        void releaseAhead() {
            ByteBuf b;
            while ((b = ahead.poll()) != null) {
                b.release();
            }
            aheadBytes = 0;
        }
    }

    /** For tests: the compare mode this comparison runs in once decided. */
    CompareMode decidedMode() {
        return switch (protocol) {
            case TCP -> CompareMode.TCP;
            case HTTP -> CompareMode.HTTP;
            default -> CompareMode.AUTO;
        };
    }
}
