package io.parikshan.clone;

import io.parikshan.contract.ParikshanException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Dumps a running container's processes with CRIU through runc, leaving them running.
 * Docker's checkpoint API adds a second or so of engine overhead (host facts); calling runc
 * on the engine's own state directory keeps the frozen window spent on memory.
 *
 * <p>Production is frozen late: a CRIU action script ({@link FreezeHook}) runs at CRIU's
 * {@code pre-dump} action, once runc and CRIU have started and just before CRIU would freeze
 * the cgroup itself, and asks this class to freeze.
 * runc and CRIU start-up (about 90 ms) thus happen while production still serves, and CRIU,
 * finding the cgroup frozen, skips its own freeze, which polls in 100 ms steps.
 */
final class CheckpointDumper {

    /**
     * CRIU options for this dump, on top of /etc/criu/runc.conf. {@code skip-in-flight}: while
     * production is frozen its clients' new connections wait, accepted by the kernel but not yet
     * by the process, and CRIU refuses to dump those; skipped, production accepts them when it
     * thaws and the clone never sees them. {@code network-lock skip}: CRIU's default lock
     * (iptables rules put into production's network namespace and taken out again, six
     * iptables-restore runs, about 60 ms of the frozen window) keeps TCP state still for a
     * restore of live connections; with {@code tcp-close} the clone gets none, and unlocked,
     * production's kernel keeps acknowledging its clients' packets during the dump instead of
     * dropping them into retransmits.
     */
    static final List<String> CRIU_OPTIONS = List.of("tcp-close", "skip-in-flight", "network-lock skip");

    /** Where Docker's containerd shim keeps runc state for the "moby" namespace. */
    static final Path DEFAULT_RUNC_ROOT = Path.of("/run/docker/runtime-runc/moby");

    private static final Duration DUMP_TIMEOUT = Duration.ofMinutes(10);

    /** Production held frozen for a dump; closing it thaws production (or leaves that to a group's cut). */
    interface Frozen extends AutoCloseable {
        @Override
        void close();
    }

    /** What the dump did while production was frozen. */
    record Dump(long frozenNanos, long deltaBytes) {
    }

    private final Path runcRoot;

    CheckpointDumper(Path runcRoot) {
        this.runcRoot = runcRoot;
    }

    /**
     * Starts dumping {@code containerId} into {@code images} (CRIU's log goes to {@code work}):
     * runc and CRIU start up and then wait, production untouched, until {@link Started#finish}.
     * Starting while production's files are pre-copied takes their start-up off the clone's time.
     */
    Started start(String containerId, Path images, Path work) {
        Path options = work.resolve("criu.conf");
        FreezeHook hook = FreezeHook.create(work);
        try {
            List<String> lines = new ArrayList<>(CRIU_OPTIONS);
            lines.add("action-script " + hook.script());
            Files.write(options, lines);
            // --empty-ns network: production's network namespace is not dumped (the clone gets its
            // own); --file-locks: locks production holds are dumped and taken again in the clone,
            // on the clone's own copies of the files (runc tells CRIU file_locks=false otherwise).
            return new Started(hook, work, HostCommand.start(List.of("runc", "--root", runcRoot.toString(), "checkpoint",
                    "--leave-running", "--empty-ns", "network", "--file-locks", "--image-path", images.toString(),
                    "--work-path", work.toString(), containerId), Map.of("CRIU_CONFIG_FILE", options.toString())));
        } catch (IOException e) {
            hook.close();
            throw new ParikshanException("cannot write CRIU options to " + options + ": " + e.getMessage());
        } catch (RuntimeException e) {
            hook.close();
            throw e;
        }
    }

    /** A started dump, waiting for the freeze. Closing it unused makes CRIU stop, nothing dumped. */
    static final class Started implements AutoCloseable {
        private final FreezeHook hook;
        private final Path work;
        private final HostCommand.Running runc;
        private boolean finished;

        private Started(FreezeHook hook, Path work, HostCommand.Running runc) {
            this.hook = hook;
            this.work = work;
            this.runc = runc;
        }

        /** Completes when CRIU is ready and asks for the freeze. */
        CompletableFuture<String> ready() {
            return hook.asked();
        }

        /** Completes when runc has exited. */
        CompletableFuture<Process> exited() {
            return runc.exited();
        }

        /**
         * Once CRIU is ready, {@code freeze} freezes production and {@code whileFrozen} (the file
         * delta) runs alongside the dump; production is thawed once runc is done and
         * {@code whileFrozen} has ended, whatever happened.
         */
        Dump finish(Supplier<? extends Frozen> freeze, Supplier<Long> whileFrozen) {
            finished = true;
            awaitEither(hook.asked(), runc);
            if (!hook.asked().isDone() || hook.asked().isCompletedExceptionally()) {
                HostCommand.Result r = runc.await(DUMP_TIMEOUT);
                throw r.ok() ? new ParikshanException("CRIU dumped without running the freeze hook " + hook.script()
                        + ", so production's files were not copied while frozen; check /etc/criu/runc.conf")
                        : failed(r, work);
            }
            Frozen frozen;
            try {
                frozen = freeze.get();
            } catch (RuntimeException e) {
                hook.answer(false); // the script fails, CRIU stops before seizing anything
                runc.await(DUMP_TIMEOUT);
                throw e;
            }
            long frozenAt = System.nanoTime();
            CompletableFuture<Long> delta;
            try (frozen) {
                delta = CompletableFuture.supplyAsync(whileFrozen);
                HostCommand.Result r;
                try {
                    hook.answer(true);
                    r = runc.await(DUMP_TIMEOUT);
                } finally {
                    FileCopier.awaitQuietly(delta); // never thaw or roll back under a running copy
                }
                if (!r.ok()) {
                    throw failed(r, work);
                }
            }
            return new Dump(System.nanoTime() - frozenAt, FileCopier.await(delta));
        }

        @Override
        public void close() {
            try {
                if (!finished && runc.exited().getNow(null) == null) {
                    hook.answer(false);
                    runc.await(Duration.ofSeconds(30));
                }
            } catch (RuntimeException stuck) {
                // killed by await's timeout; nothing was frozen
            } finally {
                hook.close();
            }
        }
    }

    private static ParikshanException failed(HostCommand.Result r, Path work) {
        return new CriuFailure("dump", work.resolve("dump.log"), r.reason());
    }

    /** Waits until the hook asked for the freeze or runc ended (it failed before the hook). */
    private static void awaitEither(CompletableFuture<String> asked, HostCommand.Running runc) {
        try {
            CompletableFuture.anyOf(asked, runc.exited()).get(DUMP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            // a failed read of the FIFO: the caller sees 'asked' completed exceptionally
        } catch (TimeoutException e) {
            runc.await(Duration.ZERO); // kills runc and says so
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            runc.await(Duration.ZERO);
        }
    }
}
