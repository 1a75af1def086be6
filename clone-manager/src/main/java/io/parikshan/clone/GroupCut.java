package io.parikshan.clone;

import io.parikshan.contract.ParikshanException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Dumps the members of a clone group as one consistent cut: every member's production is
 * frozen before CRIU dumps any of them, and all are thawed only after the last dump ended, so no
 * member's clone holds a request another member's clone has not seen the start of. A clone made
 * alone is a group of one. Each member's CRIU runs in its own thread, side by side. No member is
 * frozen before every member's CRIU is ready to dump (one CRIU slow to start must not hold an
 * already frozen database still, with its front waiting on it); if any member fails before the
 * cut, the others stop before seizing anything, and every member is thawed whatever happened.
 */
final class GroupCut {

    /** How long a frozen member waits for the others to freeze before the cut is given up. */
    private static final long ARRIVAL_TIMEOUT_MILLIS = 30_000;

    /** One member's part: its started dump, its production's init pid, its file delta. */
    record Part(String production, CheckpointDumper.Started dump, long pid, Supplier<Long> whileFrozen) {
    }

    /** What the cut did: per member its dump and frozen window, and the group's window. */
    record Result(List<CheckpointDumper.Dump> dumps, List<Long> frozenNanos, long groupFrozenNanos) {
    }

    /** Every member's CRIU is ready to dump, then every member is frozen. */
    private final Barrier ready;
    private final Barrier frozen;

    private GroupCut(int size) {
        this.ready = new Barrier(size, "be ready to dump");
        this.frozen = new Barrier(size, "freeze");
    }

    private void fail(RuntimeException e) {
        ready.fail(e);
        frozen.fail(e);
    }

    /**
     * Runs the cut. {@code firstFrozen} runs right after the first part's production (the group's
     * front, whose clients the proxy holds from then on) is frozen, inside the frozen window.
     */
    static Result dump(List<Part> parts, Runnable firstFrozen) {
        GroupCut cut = new GroupCut(parts.size());
        List<Freezer> held = java.util.Collections.synchronizedList(new ArrayList<>());
        long[] frozenAt = new long[parts.size()];
        ExecutorService threads = Executors.newFixedThreadPool(parts.size(), r -> {
            Thread t = new Thread(r, "parikshan-group-dump");
            t.setDaemon(true);
            return t;
        });
        List<CompletableFuture<CheckpointDumper.Dump>> running = new ArrayList<>();
        long thawedAt;
        try {
            for (int i = 0; i < parts.size(); i++) {
                Part part = parts.get(i);
                int index = i;
                running.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return part.dump().finish(() -> {
                            cut.ready.arrive(part.production());
                            Freezer f = Freezer.freeze(part.pid());
                            held.add(f);
                            frozenAt[index] = System.nanoTime();
                            if (index == 0) {
                                firstFrozen.run();
                            }
                            cut.frozen.arrive(part.production());
                            return () -> { }; // thawed with the whole group, below
                        }, part.whileFrozen());
                    } catch (RuntimeException e) {
                        cut.fail(e);
                        throw e;
                    }
                }, threads));
            }
            // wait for every member, then say the first failure (the others, often its echo, suppressed)
            RuntimeException failure = null;
            List<CheckpointDumper.Dump> dumps = new ArrayList<>();
            for (CompletableFuture<CheckpointDumper.Dump> f : running) {
                try {
                    dumps.add(f.join());
                } catch (CompletionException e) {
                    RuntimeException cause = e.getCause() instanceof RuntimeException r ? r : e;
                    if (failure == null) {
                        failure = cause;
                    } else if (failure instanceof NotCut && !(cause instanceof NotCut)) {
                        cause.addSuppressed(failure);
                        failure = cause;
                    } else if (failure != cause) {
                        failure.addSuppressed(cause);
                    }
                }
            }
            if (failure != null) {
                throw failure;
            }
            thawedAt = thawAll(held);
            List<Long> windows = new ArrayList<>();
            long first = Long.MAX_VALUE;
            for (long at : frozenAt) {
                windows.add(thawedAt - at);
                first = Math.min(first, at);
            }
            return new Result(dumps, windows, thawedAt - first);
        } finally {
            thawAll(held); // a failure's path: never leave a member of production frozen
            threads.shutdownNow();
        }
    }

    private static long thawAll(List<Freezer> held) {
        RuntimeException failure = null;
        synchronized (held) {
            for (Freezer f : held) {
                try {
                    f.close();
                } catch (RuntimeException e) {
                    failure = failure == null ? e : failure;
                }
            }
            held.clear();
        }
        long at = System.nanoTime();
        if (failure != null) {
            throw failure;
        }
        return at;
    }

    /** Members wait here until all have arrived, or one has failed. */
    private static final class Barrier {
        private final int size;
        private final String what;
        private int arrived;
        private RuntimeException failed;

        Barrier(int size, String what) {
            this.size = size;
            this.what = what;
        }

        synchronized void arrive(String production) {
            arrived++;
            notifyAll();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ARRIVAL_TIMEOUT_MILLIS);
            while (arrived < size && failed == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    failed = new ParikshanException("the group's other members did not " + what + " within "
                            + ARRIVAL_TIMEOUT_MILLIS / 1000 + " s; nothing was cloned, production was thawed");
                    notifyAll();
                    break;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failed = new ParikshanException("interrupted while the group's members " + what);
                }
            }
            if (failed != null) {
                throw new NotCut(production + " was not dumped: another member of the group failed ("
                        + failed.getMessage() + ")", failed);
            }
        }

        synchronized void fail(RuntimeException e) {
            if (failed == null) {
                failed = e;
            }
            notifyAll();
        }
    }

    /** A member stopped because another failed: the other's failure is what the user sees. */
    private static final class NotCut extends ParikshanException {
        NotCut(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
