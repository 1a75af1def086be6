package io.parikshan.agent;

import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** {@code threads}: every live thread with state and CPU time (busiest first), then each deadlock by name. */
final class ThreadReport {

    private ThreadReport() {
    }

    static void write(DiagnosisLog log, int top) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        boolean cpu = mx.isThreadCpuTimeSupported();
        if (cpu && !mx.isThreadCpuTimeEnabled()) {
            mx.setThreadCpuTimeEnabled(true);
        }
        ThreadInfo[] infos = mx.dumpAllThreads(mx.isObjectMonitorUsageSupported(), mx.isSynchronizerUsageSupported());
        record Row(ThreadInfo info, long cpuNanos) {
        }
        List<Row> rows = new ArrayList<>();
        for (ThreadInfo t : infos) {
            if (t != null) {
                rows.add(new Row(t, cpu ? Math.max(0, mx.getThreadCpuTime(t.getThreadId())) : -1));
            }
        }
        rows.sort(Comparator.comparingLong(Row::cpuNanos).reversed());
        long[] deadlocked = mx.findDeadlockedThreads();
        List<Long> inDeadlock = deadlocked == null ? List.of() : Arrays.stream(deadlocked).boxed().toList();
        int shown = 0;
        for (Row r : rows) {
            if (top > 0 && shown++ >= top) {
                break;
            }
            ThreadInfo t = r.info();
            double ms = r.cpuNanos() / 1e6;
            String lock = t.getLockName();
            String text = String.format(Locale.ROOT, "thread #%d %s %s cpu=%.1fms%s%s%s", t.getThreadId(),
                    Json.quote(t.getThreadName()), t.getThreadState(), ms, t.isDaemon() ? " daemon" : "",
                    lock == null ? "" : " waiting-on=" + lock
                            + (t.getLockOwnerName() == null ? "" : " held-by=" + Json.quote(t.getLockOwnerName())),
                    inDeadlock.contains(t.getThreadId()) ? " DEADLOCKED" : "");
            log.write("thread", text, "\"id\":" + t.getThreadId() + ",\"name\":" + Json.quote(t.getThreadName())
                    + ",\"state\":" + Json.quote(t.getThreadState().name()) + ",\"cpuMs\":" + ms
                    + ",\"daemon\":" + t.isDaemon() + ",\"lock\":" + (lock == null ? "null" : Json.quote(lock))
                    + ",\"lockOwner\":" + (t.getLockOwnerName() == null ? "null" : Json.quote(t.getLockOwnerName()))
                    + ",\"deadlocked\":" + inDeadlock.contains(t.getThreadId()));
        }
        if (deadlocked != null) {
            StringBuilder text = new StringBuilder("deadlock:");
            StringBuilder names = new StringBuilder("[");
            for (ThreadInfo t : mx.getThreadInfo(deadlocked, true, true)) {
                if (t == null) {
                    continue;
                }
                LockInfo l = t.getLockInfo();
                text.append(' ').append(Json.quote(t.getThreadName())).append(" waits for ").append(l)
                        .append(" held by ").append(Json.quote(String.valueOf(t.getLockOwnerName()))).append(';');
                names.append(names.length() == 1 ? "" : ",").append(Json.quote(t.getThreadName()));
            }
            log.write("deadlock", text.toString(), "\"threads\":" + names.append(']'));
        } else {
            log.write("summary", rows.size() + " threads, no deadlock", "\"threads\":" + rows.size() + ",\"deadlocks\":0");
        }
    }
}
