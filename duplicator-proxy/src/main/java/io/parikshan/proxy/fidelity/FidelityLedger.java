package io.parikshan.proxy.fidelity;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * One clone's fidelity record: counts and the first divergent exchanges. Written by the event
 * loops of the connections feeding the clone, read by anyone; thread-safe and cheap both ways
 * (adders for counts, a lock only while the log is filling).
 */
public final class FidelityLedger {

    /** Where the counts also go (Prometheus); called on every judgement. */
    public interface Sink {
        void judged(Verdict verdict, long comparedBytes);

        void dropped(DropReason reason);
    }

    private static final Sink NO_SINK = new Sink() {
        @Override
        public void judged(Verdict verdict, long comparedBytes) {
        }

        @Override
        public void dropped(DropReason reason) {
        }
    };

    private final String clone;
    private final CompareMode mode;
    private final int logSize;
    private final Sink sink;
    private final LongAdder compared = new LongAdder();
    private final LongAdder divergent = new LongAdder();
    private final LongAdder noise = new LongAdder();
    private final LongAdder comparedBytes = new LongAdder();
    private final Map<DropReason, LongAdder> dropped = new EnumMap<>(DropReason.class);
    private final List<DivergentExchange> log = new ArrayList<>();
    private volatile boolean logFull;

    public FidelityLedger(String clone, CompareMode mode, int logSize, Sink sink) {
        this.clone = clone;
        this.mode = mode;
        this.logSize = logSize;
        this.sink = sink == null ? NO_SINK : sink;
        this.logFull = logSize == 0;
        for (DropReason r : DropReason.values()) {
            dropped.put(r, new LongAdder());
        }
    }

    public String cloneName() {
        return clone;
    }

    public boolean comparing() {
        return mode != CompareMode.OFF;
    }

    /** Counts one judged exchange. */
    public void judged(Verdict verdict, long bytes) {
        compared.increment();
        comparedBytes.add(bytes);
        if (verdict == Verdict.DIVERGENT) {
            divergent.increment();
        } else if (verdict == Verdict.NOISE) {
            noise.increment();
        }
        sink.judged(verdict, bytes);
    }

    public void dropped(DropReason reason) {
        dropped.get(reason).increment();
        sink.dropped(reason);
    }

    /** True while the log has room: only then is it worth building a {@link DivergentExchange}. */
    public boolean wantsDivergence() {
        return !logFull;
    }

    /** Adds a divergent exchange to the log if it has room (its number is assigned here). */
    public void logDivergence(String protocol, String connection, long exchange, String request,
                              String productionAnswer, String cloneAnswer, List<String> differences) {
        synchronized (log) {
            if (log.size() >= logSize) {
                logFull = true;
                return;
            }
            log.add(new DivergentExchange(log.size() + 1, Instant.now(), protocol, connection, exchange,
                    request, productionAnswer, cloneAnswer, differences));
            logFull = log.size() >= logSize;
        }
    }

    /** Divergent / compared since the clone was added; NaN when not comparing, 0 before the first judgement. */
    public double divergenceRatio() {
        if (!comparing()) {
            return Double.NaN;
        }
        long c = compared.sum();
        return c == 0 ? 0.0 : (double) divergent.sum() / c;
    }

    public CloneFidelity snapshot() {
        Map<String, Long> drops = new LinkedHashMap<>();
        dropped.forEach((r, n) -> {
            long v = n.sum();
            if (v > 0) {
                drops.put(r.label(), v);
            }
        });
        List<DivergentExchange> entries;
        synchronized (log) {
            entries = List.copyOf(log);
        }
        // read divergent before compared, so the ratio never exceeds 1 in a snapshot taken mid-update
        long d = divergent.sum();
        long n = noise.sum();
        long c = Math.max(compared.sum(), d + n);
        return new CloneFidelity(clone, mode, c, d, n, comparedBytes.sum(), drops,
                c == 0 ? 0.0 : (double) d / c, entries);
    }
}
