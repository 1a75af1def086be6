package io.parikshan.proxy.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.EventExecutor;
import io.parikshan.proxy.buffer.BufferBudget;
import io.parikshan.proxy.fidelity.AnswerComparison;
import io.parikshan.proxy.fidelity.CompareMode;
import io.parikshan.proxy.fidelity.ComparedClone;
import io.parikshan.proxy.fidelity.ComparedClones;
import io.parikshan.proxy.fidelity.DropReason;
import io.parikshan.proxy.fidelity.FidelityConfig;
import io.parikshan.proxy.fidelity.FidelityLedger;
import io.parikshan.proxy.fidelity.HttpExchangeComparison;
import io.parikshan.proxy.fidelity.ProtocolSniffer;
import io.parikshan.proxy.fidelity.TcpStreamComparison;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;

/**
 * One client connection's comparison of its clones' answers with production's: the adapter
 * between the connection's handlers and the {@link AnswerComparison} of its protocol.
 *
 * <p>Off the production path: production's answer chunks are only retained here (a reference,
 * or a copy for a small read in a large buffer) after they were handed to the client's socket;
 * they are compared as a separate event-loop task or when a clone answers. What is held
 * (production's answers not yet compared, and what the comparison holds) is charged to the clone
 * budgets: at most the connection budget for this connection and never more than the global
 * budget has free. When a charge does not fit the comparison is given up (counted, reason
 * {@code budget}) and everything held is released; production and the clone feeds carry on.
 *
 * <p>Compare mode {@code auto} starts as a TCP comparison (which only summarises the client's
 * bytes until then) and becomes HTTP if the client's first line is an HTTP request line. Anything
 * from production or a clone before that line is complete decides TCP.
 *
 * <p>Confined to the client's event loop, like every channel of the connection.
 */
final class ConnectionComparison {

    private final EventExecutor loop;
    private final BufferBudget globalBudget;
    private final long connectionBudget;
    private final FidelityConfig config;
    private final String connection;
    private final ComparedClones clones;
    private final CloneSide[] sides;
    /** Non-null while compare mode auto has not decided. */
    private ProtocolSniffer sniffer;
    private AnswerComparison comparison;
    private boolean finished;
    private long charged;
    private boolean processScheduled;
    private final Runnable process = this::scheduledProcess;

    /** Production's answers not yet handed to the comparison (that runs as its own task). */
    private final ArrayDeque<ByteBuf> productionRaw = new ArrayDeque<>();
    private long productionRawBytes;
    private boolean productionEnded;
    private boolean clientLeftEarly;

    ConnectionComparison(FidelityConfig config, EventExecutor loop, BufferBudget globalBudget, long connectionBudget,
                         String connection, List<FidelityLedger> ledgers) {
        this.config = config;
        this.loop = loop;
        this.globalBudget = globalBudget;
        this.connectionBudget = connectionBudget;
        this.connection = connection;
        this.clones = new ComparedClones(ledgers, config.twoCloneNoise(), config.trial());
        this.sides = new CloneSide[ledgers.size()];
        for (int i = 0; i < sides.length; i++) {
            sides[i] = new CloneSide(i);
        }
        switch (config.mode()) {
            case HTTP -> comparison = new HttpExchangeComparison(config.rules(), clones, connection);
            case TCP -> comparison = new TcpStreamComparison(clones, connection);
            default -> {
                sniffer = new ProtocolSniffer();
                comparison = new TcpStreamComparison(clones, connection);
            }
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
            comparison.clientBytes(chunk);
            if (sniffer != null) {
                sniff(chunk);
            }
            settleCharge();
        } finally {
            chunk.release();
        }
    }

    private void sniff(ByteBuf chunk) {
        CompareMode mode = sniffer.sniff(chunk);
        if (mode == CompareMode.AUTO) {
            return;
        }
        byte[] seen = sniffer.seen();
        sniffer = null;
        if (mode == CompareMode.HTTP) {
            // the TCP comparison held nothing but its summary of the client's bytes
            comparison = new HttpExchangeComparison(config.rules(), clones, connection);
            if (clientLeftEarly) {
                comparison.clientLeftEarly();
            }
            ByteBuf all = Unpooled.wrappedBuffer(seen);
            try {
                comparison.clientBytes(all);
            } finally {
                all.release();
            }
        }
    }

    /** Production or a clone spoke before the client's first line was complete: not HTTP. */
    private void decideTcp() {
        sniffer = null;
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
            if (!finished) {
                comparison.clientLeftEarly();
            }
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

    // ---- comparing ------------------------------------------------------------------------------

    private void scheduleProcess() {
        if (!processScheduled) {
            processScheduled = true;
            try {
                loop.execute(process);
            } catch (RejectedExecutionException shuttingDown) {
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
        decideTcp();
        ByteBuf b;
        while ((b = productionRaw.poll()) != null) {
            productionRawBytes -= b.readableBytes();
            comparison.productionAnswer(b);
        }
        if (productionEnded) {
            comparison.productionEnded();
        }
        comparison.compare();
        settleCharge();
    }

    /**
     * Charges what is held now to the budgets (the difference to what was charged before), or
     * finishes if the comparison is over.
     *
     * @return false if the comparison is finished (over, or given up because the charge did not fit)
     */
    private boolean settleCharge() {
        if (finished) {
            return false;
        }
        if (comparison.over()) {
            finish();
            return false;
        }
        long held = productionRawBytes + comparison.heldBytes();
        long delta = held - charged;
        if (delta > 0) {
            if (held > connectionBudget || !globalBudget.tryReserve(delta)) {
                clones.giveUp(DropReason.BUDGET);
                finish();
                return false;
            }
        } else if (delta < 0) {
            globalBudget.release(-delta);
        }
        charged = held;
        return true;
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
        productionRawBytes = 0;
        comparison.release();
        clones.allDone();
        for (CloneSide s : sides) {
            if (s.feed != null) {
                s.feed.answersSettled();
            }
        }
        if (charged > 0) {
            globalBudget.release(charged);
            charged = 0;
        }
    }

    /** One clone connection's answers, handed to the comparison. */
    private final class CloneSide implements CloneAnswerSink {
        private final int index;
        private final ComparedClone clone;
        private CloneFeed feed;

        CloneSide(int index) {
            this.index = index;
            this.clone = clones.get(index);
        }

        @Override
        public void attach(CloneFeed f) {
            this.feed = f;
        }

        @Override
        public void answer(ByteBuf chunk) {
            if (finished || !clone.live() || clone.ended()) {
                chunk.release();
                return;
            }
            decideTcp();
            if (comparison.cloneAnswer(index, chunk)) {
                process();
            }
        }

        @Override
        public void ended() {
            if (clone.ended() || finished || !clone.live()) {
                clone.end();
                return;
            }
            clone.end();
            comparison.cloneEnded(index);
            decideTcp();
            process();
        }

        @Override
        public void dropped(DropReason reason) {
            if (finished || !clone.live()) {
                return;
            }
            clone.drop(reason);
            comparison.cloneDropped(index);
            if (comparison.over()) {
                finish();
            } else {
                process(); // the others may have waited for this one
            }
        }

        @Override
        public boolean settled() {
            return finished || !clone.live();
        }
    }

    /** For tests: the compare mode this comparison runs in once decided. */
    CompareMode decidedMode() {
        if (sniffer != null) {
            return CompareMode.AUTO;
        }
        return comparison instanceof HttpExchangeComparison ? CompareMode.HTTP : CompareMode.TCP;
    }
}
