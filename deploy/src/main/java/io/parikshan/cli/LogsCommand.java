package io.parikshan.cli;

import io.parikshan.clone.CloneNames;
import io.parikshan.contract.ParikshanException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code parikshan logs CLONE}: what the clone's processes wrote to their standard output and
 * error since it was restored (clones run under Parikshan's own runc, so {@code docker logs}
 * does not know them).
 */
@Command(name = "logs", mixinStandardHelpOptions = true,
        description = "Print a clone's standard output and error since its restore (-f: keep printing).")
final class LogsCommand implements Callable<Integer> {

    @Parameters(paramLabel = "CLONE", description = "The clone.")
    String clone;

    @Option(names = {"-f", "--follow"}, description = "Keep printing what the clone writes, until it stops or Ctrl-C.")
    boolean follow;

    @Mixin
    HostOptions host;

    /** Where the bytes go; the terminal unless a test says otherwise. */
    PrintStream sink = System.out;

    @Override
    public Integer call() throws IOException, InterruptedException {
        CloneNames names = new CloneNames(clone, host.stateRoot());
        Path log = names.logFile();
        io.parikshan.clone.CloneRuntime runtime = io.parikshan.clone.CloneRuntime.of(clone, host.stateRoot());
        if (runtime.testHost().isPresent()) {
            return fromTestHost(runtime, log);
        }
        if (!Files.isRegularFile(log)) {
            throw new ParikshanException("no clone named '" + clone + "' (no " + log + "); see 'parikshan list'");
        }
        try (InputStream in = Files.newInputStream(log)) {
            byte[] buf = new byte[8192];
            while (true) {
                int n = in.read(buf);
                if (n > 0) {
                    sink.write(buf, 0, n);
                    sink.flush();
                } else if (follow && runtime.state(clone).map(io.parikshan.clone.CloneRuntime.State::running).orElse(false)) {
                    Thread.sleep(200);
                } else {
                    return 0;
                }
            }
        }
    }

    /** The log is on the clone's test host: streamed from there (followed until the clone stops). */
    private int fromTestHost(io.parikshan.clone.CloneRuntime runtime, Path log) throws IOException, InterruptedException {
        List<String> tail = follow ? List.of("tail", "-n", "+1", "-F", log.toString()) : List.of("cat", log.toString());
        Process p = new ProcessBuilder(runtime.remoteCommand(tail)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Thread copy = new Thread(() -> {
            try (InputStream in = p.getInputStream()) {
                in.transferTo(sink);
                sink.flush();
            } catch (IOException e) {
                // the stream ended with ssh: nothing more to print
            }
        }, "parikshan-logs");
        copy.start();
        while (follow && p.isAlive() && runtime.state(clone).map(io.parikshan.clone.CloneRuntime.State::running).orElse(false)) {
            p.waitFor(500, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
        if (follow) {
            p.destroy();
        }
        int exit = p.waitFor();
        copy.join();
        return follow ? 0 : exit;
    }
}
