package io.parikshan.clone;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The action script run as CRIU runs it (its action in CRTOOLS_SCRIPT_ACTION), against the Java side. */
class FreezeHookTest {

    @TempDir
    Path dir;

    private static HostCommand.Running runAs(FreezeHook hook, String action) {
        return HostCommand.start(List.of(hook.script().toString()), Map.of("CRTOOLS_SCRIPT_ACTION", action));
    }

    @Test
    void preDumpAsksAndGoesOnOnlyOnceFrozen() throws Exception {
        try (FreezeHook hook = FreezeHook.create(dir)) {
            HostCommand.Running criu = runAs(hook, "pre-dump");
            assertThat(hook.asked().get(10, TimeUnit.SECONDS)).isEqualTo("ready");
            Thread.sleep(200);
            assertThat(criu.exited()).as("CRIU waits for the freeze").isNotDone();
            hook.answer(true);
            assertThat(criu.await(Duration.ofSeconds(10)).exitCode()).isZero();
        }
    }

    @Test
    void preDumpFailsTheDumpWhenProductionCouldNotBeFrozen() throws Exception {
        try (FreezeHook hook = FreezeHook.create(dir)) {
            HostCommand.Running criu = runAs(hook, "pre-dump");
            hook.asked().get(10, TimeUnit.SECONDS);
            hook.answer(false);
            assertThat(criu.await(Duration.ofSeconds(10)).exitCode()).isNotZero();
        }
    }

    @Test
    void otherActionsPassAtOnceWithoutAsking() throws Exception {
        try (FreezeHook hook = FreezeHook.create(dir)) {
            for (String action : List.of("network-lock", "post-dump", "network-unlock")) {
                assertThat(runAs(hook, action).await(Duration.ofSeconds(10)).exitCode()).as(action).isZero();
            }
            Thread.sleep(100);
            assertThat(hook.asked()).isNotDone();
        }
    }

    @Test
    void preDumpGivesUpWhenTheCloneManagerIsGone() throws Exception {
        try (FreezeHook hook = FreezeHook.create(dir)) {
            Process gone = new ProcessBuilder("true").start();
            gone.waitFor();
            String script = Files.readString(hook.script());
            assertThat(script).contains(" " + ProcessHandle.current().pid());
            Files.writeString(hook.script(), script.replace(" " + ProcessHandle.current().pid(), " " + gone.pid()));
            HostCommand.Running criu = runAs(hook, "pre-dump");
            hook.asked().get(10, TimeUnit.SECONDS);
            assertThat(criu.await(Duration.ofSeconds(20)).exitCode()).isNotZero();
        }
    }

    @Test
    void closingStopsListening() {
        FreezeHook hook = FreezeHook.create(dir);
        hook.close();
        assertThat(hook.asked()).failsWithin(Duration.ofSeconds(10));
    }
}
