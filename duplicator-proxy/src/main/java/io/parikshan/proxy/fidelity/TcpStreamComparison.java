package io.parikshan.proxy.fidelity;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Compare mode {@code tcp}: each clone's answer stream byte for byte against production's. The
 * whole connection is one exchange; the report gives the first differing offset, the bytes
 * around it, and length and CRC32C of each stream. Production's bytes are kept only until every
 * clone still compared has matched them, clone bytes only while they are ahead of production's.
 */
public final class TcpStreamComparison implements AnswerComparison {

    /** Bytes shown before and after the first difference. */
    private static final int WINDOW_BEFORE = 64;
    private static final int WINDOW_AFTER = 1024;

    private final ComparedClones clones;
    private final String connection;
    private final CloneStream[] streams;

    // the client's stream, for the report (production and clones got the same)
    private final byte[] clientPrefix = new byte[DivergentExchange.MAX_TEXT];
    private int clientPrefixLength;
    private long clientLength;
    private final CRC32C clientCrc = new CRC32C();

    // production's stream; kept holds its bytes from offset keptBase on
    private long productionLength;
    private final CRC32C productionCrc = new CRC32C();
    private boolean productionEnded;
    private final ArrayDeque<ByteBuf> kept = new ArrayDeque<>();
    private long keptBase;
    private long keptBytes;

    private boolean clientLeftEarly;
    private boolean over;
    /** With a patch on trial: where its control and candidate are among the streams; null if this connection is not judged so. */
    private final int[] trialPair;
    private boolean trialJudged;
    /** The candidate's divergence as shown to a person (request, production's bytes, its bytes), kept for the trial. */
    private String[] candidateTexts;

    public TcpStreamComparison(ComparedClones clones, String connection) {
        this.clones = clones;
        this.connection = connection;
        this.streams = new CloneStream[clones.size()];
        for (int i = 0; i < streams.length; i++) {
            streams[i] = new CloneStream(clones.get(i));
        }
        CandidateTrial trial = clones.trial();
        int[] pair = null;
        if (trial != null) {
            List<String> names = new ArrayList<>(streams.length);
            for (CloneStream s : streams) {
                names.add(s.clone.ledger().cloneName());
            }
            pair = trial.pairIn(names);
        }
        this.trialPair = pair;
    }

    @Override
    public void clientBytes(ByteBuf chunk) {
        int n = chunk.readableBytes();
        int keep = Math.min(n, clientPrefix.length - clientPrefixLength);
        chunk.getBytes(chunk.readerIndex(), clientPrefix, clientPrefixLength, keep);
        clientPrefixLength += keep;
        clientLength += n;
        clientCrc.update(chunk.nioBuffer());
    }

    @Override
    public void productionAnswer(ByteBuf chunk) {
        int n = chunk.readableBytes();
        productionCrc.update(chunk.nioBuffer());
        productionLength += n;
        if (anyCloneMatching()) {
            kept.add(chunk);
            keptBytes += n;
        } else {
            keptBase += n;
            chunk.release();
        }
    }

    @Override
    public void productionEnded() {
        productionEnded = true;
    }

    @Override
    public void clientLeftEarly() {
        clientLeftEarly = true;
    }

    @Override
    public boolean cloneAnswer(int clone, ByteBuf chunk) {
        return streams[clone].answer(chunk);
    }

    @Override
    public void cloneEnded(int clone) {
        // the end is read from ComparedClone#ended when comparing
    }

    @Override
    public void cloneDropped(int clone) {
        streams[clone].releaseAhead();
    }

    @Override
    public void compare() {
        for (CloneStream s : streams) {
            compare(s);
        }
        releaseMatched();
        judgeIfAllEnded();
    }

    @Override
    public long heldBytes() {
        long held = keptBytes;
        for (CloneStream s : streams) {
            held += s.aheadBytes;
        }
        return held;
    }

    @Override
    public boolean over() {
        return over || !clones.anyLive();
    }

    @Override
    public void release() {
        ByteBuf b;
        while ((b = kept.poll()) != null) {
            b.release();
        }
        keptBytes = 0;
        for (CloneStream s : streams) {
            s.releaseAhead();
        }
    }

    /** True if some clone still compared has not diverged yet: production's bytes are still needed. */
    private boolean anyCloneMatching() {
        for (CloneStream s : streams) {
            if (s.matching()) {
                return true;
            }
        }
        return false;
    }

    private void compare(CloneStream s) {
        if (!s.matching()) {
            return;
        }
        while (s.firstDiff < 0 && !s.ahead.isEmpty() && s.matched < productionLength) {
            ByteBuf c = s.ahead.peek();
            long chunkStart = keptBase;
            ByteBuf p = null;
            for (ByteBuf k : kept) {
                if (s.matched < chunkStart + k.readableBytes()) {
                    p = k;
                    break;
                }
                chunkStart += k.readableBytes();
            }
            if (p == null) {
                break; // cannot happen: matched < productionLength and bytes a matching clone needs are kept
            }
            int pOffset = (int) (s.matched - chunkStart);
            int n = Math.min(c.readableBytes(), p.readableBytes() - pOffset);
            int mismatch = mismatch(c, c.readerIndex(), p, p.readerIndex() + pOffset, n);
            if (mismatch >= 0) {
                diverged(s, s.matched + mismatch, c.readerIndex() + mismatch);
                return;
            }
            c.skipBytes(n);
            s.matched += n;
            s.aheadBytes -= n;
            if (!c.isReadable()) {
                s.ahead.poll().release();
            }
        }
        if (s.firstDiff < 0 && s.clone.ended() && s.ahead.isEmpty() && productionLength > s.length) {
            diverged(s, s.length, -1); // the clone's answer stopped short of production's
        } else if (s.firstDiff < 0 && productionEnded && !s.ahead.isEmpty()) {
            if (clientLeftEarly) {
                s.releaseAhead(); // answers production never sent because the client left: not compared
            } else {
                diverged(s, productionLength, s.ahead.peek().readerIndex()); // the clone answered more
            }
        }
    }

    /** Index of the first differing byte of the two ranges, or -1. */
    private static int mismatch(ByteBuf a, int ai, ByteBuf b, int bi, int n) {
        if (ByteBufUtil.equals(a, ai, b, bi, n)) {
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
    private void diverged(CloneStream s, long offset, int cloneIndexInHead) {
        s.firstDiff = offset;
        long from = Math.max(Math.max(0, offset - WINDOW_BEFORE), keptBase);
        byte[] productionWindow = productionBytes(from, WINDOW_BEFORE + WINDOW_AFTER);
        // the clone's bytes before the difference equal production's
        byte[] before = productionBytes(from, (int) (offset - from));
        byte[] after = new byte[0];
        if (cloneIndexInHead >= 0 && !s.ahead.isEmpty()) {
            ByteBuf c = s.ahead.peek();
            int n = Math.min(WINDOW_AFTER, c.writerIndex() - cloneIndexInHead);
            after = new byte[n];
            c.getBytes(cloneIndexInHead, after);
        }
        byte[] cloneWindow = Arrays.copyOf(before, before.length + after.length);
        System.arraycopy(after, 0, cloneWindow, before.length, after.length);
        s.window = new Window(from, productionWindow, cloneWindow);
        s.releaseAhead();
        if (!clones.clonesAsNoise()) {
            // alone, a clone's first difference is a divergence at once (long-lived connections need not close first)
            judge(s, Verdict.DIVERGENT);
        }
    }

    private byte[] productionBytes(long from, int max) {
        byte[] out = new byte[0];
        long chunkStart = keptBase;
        for (ByteBuf k : kept) {
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

    /** Lets go of production's bytes every matching clone has matched. */
    private void releaseMatched() {
        long needed = Long.MAX_VALUE;
        for (CloneStream s : streams) {
            if (s.matching()) {
                needed = Math.min(needed, s.matched);
            }
        }
        ByteBuf k;
        while ((k = kept.peek()) != null && keptBase + k.readableBytes() <= needed) {
            kept.poll();
            keptBase += k.readableBytes();
            keptBytes -= k.readableBytes();
            k.release();
        }
    }

    /** Once every stream ended: the one exchange of the connection, judged for each clone still compared. */
    private void judgeIfAllEnded() {
        if (!productionEnded) {
            return;
        }
        for (CloneStream s : streams) {
            if (s.clone.live() && (!s.clone.ended() || !s.ahead.isEmpty())) {
                return;
            }
        }
        if (clientLength == 0 && productionLength == 0 && Arrays.stream(streams).allMatch(s -> s.length == 0)) {
            over = true; // nothing was said either way (a port probe): no exchange to count
            return;
        }
        List<CloneStream> answering = new ArrayList<>();
        for (CloneStream s : streams) {
            if (s.clone.live()) {
                answering.add(s);
            }
        }
        boolean clonesAgree = answering.stream().allMatch(s -> s.length == answering.get(0).length
                && s.crc.getValue() == answering.get(0).crc.getValue());
        for (CloneStream s : answering) {
            boolean differs = s.firstDiff >= 0 || (clientLeftEarly ? s.length < productionLength : s.length != productionLength);
            if (!differs) {
                judge(s, Verdict.EQUAL);
            } else {
                judge(s, clones.clonesAsNoise() && answering.size() >= 2 && !clonesAgree ? Verdict.NOISE : Verdict.DIVERGENT);
            }
        }
        over = true;
    }

    private void judge(CloneStream s, Verdict v) {
        s.clone.done();
        s.verdict = v;
        FidelityLedger ledger = s.clone.ledger();
        ledger.judged(v, productionLength);
        if (v == Verdict.DIVERGENT && ledger.wantsDivergence()) {
            Window w = s.window;
            List<String> lines = new ArrayList<>();
            String sizes = " (production " + productionLength + (productionEnded ? "" : "+") + " bytes crc32c "
                    + Long.toHexString(productionCrc.getValue()) + ", clone " + s.length + (s.clone.ended() ? "" : "+")
                    + " bytes crc32c " + Long.toHexString(s.crc.getValue()) + ")";
            if (s.firstDiff >= 0 && s.firstDiff == s.length && w.cloneBytes.length == s.firstDiff - w.start) {
                lines.add("the clone's answer ends at byte " + s.firstDiff + " where production's goes on" + sizes);
            } else {
                lines.add("answers differ from byte " + Math.max(0, s.firstDiff) + sizes);
            }
            lines.add("client to server: " + clientLength + (productionEnded ? "" : "+") + " bytes crc32c " + Long.toHexString(clientCrc.getValue())
                    + " (the same stream went to production and the clone)");
            String[] t = texts(w);
            ledger.logDivergence("tcp", connection, 0, t[0], t[1], t[2], lines);
        }
        if (trialPair != null && s == streams[trialPair[1]] && v != Verdict.EQUAL && s.window != null) {
            candidateTexts = texts(s.window);
        }
        s.window = null;
        s.releaseAhead();
        judgeCandidate();
    }

    private String[] texts(Window w) {
        String at = " [bytes from " + w.start + "] ";
        return new String[] {Texts.bytes(clientPrefix, 0, clientPrefixLength, clientLength),
                at + Texts.bytes(w.productionBytes, 0, w.productionBytes.length, w.productionBytes.length),
                at + Texts.bytes(w.cloneBytes, 0, w.cloneBytes.length, w.cloneBytes.length)};
    }

    /** Once the trial's control and candidate both have their verdict: the connection judged three ways, once. */
    private void judgeCandidate() {
        if (trialPair == null || trialJudged) {
            return;
        }
        CloneStream control = streams[trialPair[0]];
        CloneStream candidate = streams[trialPair[1]];
        if (control.verdict == null || candidate.verdict == null || control.clone.dropped() || candidate.clone.dropped()) {
            return;
        }
        trialJudged = true;
        String[] shown = candidateTexts != null ? candidateTexts
                : new String[] {Texts.bytes(clientPrefix, 0, clientPrefixLength, clientLength), "(not kept)", "(not kept)"};
        clones.trial().judgeStreams(connection, control.verdict != Verdict.EQUAL, candidate.verdict != Verdict.EQUAL, () -> shown);
    }

    /** The bytes of both streams around the first difference, from offset {@code start} on. */
    private record Window(long start, byte[] productionBytes, byte[] cloneBytes) {
    }

    /** One clone's answer stream. */
    private static final class CloneStream {
        final ComparedClone clone;
        long length;
        final CRC32C crc = new CRC32C();
        /** How many of its bytes equal production's. */
        long matched;
        /** Offset of the first difference, -1 while none was seen. */
        long firstDiff = -1;
        /** Its bytes from offset {@code matched} on: ahead of production's. */
        final ArrayDeque<ByteBuf> ahead = new ArrayDeque<>();
        long aheadBytes;
        Window window;
        /** Its verdict once judged, null before. */
        Verdict verdict;

        CloneStream(ComparedClone clone) {
            this.clone = clone;
        }

        boolean matching() {
            return clone.live() && firstDiff < 0;
        }

        /** @return false if the bytes were only counted: the clone already diverged */
        boolean answer(ByteBuf chunk) {
            int n = chunk.readableBytes();
            length += n;
            crc.update(chunk.nioBuffer());
            if (firstDiff >= 0) {
                chunk.release();
                return false;
            }
            ahead.add(chunk);
            aheadBytes += n;
            return true;
        }

        void releaseAhead() {
            ByteBuf b;
            while ((b = ahead.poll()) != null) {
                b.release();
            }
            aheadBytes = 0;
        }
    }
}
