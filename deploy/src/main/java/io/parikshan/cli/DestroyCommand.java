package io.parikshan.cli;

import io.parikshan.clone.CloneTeardown;
import io.parikshan.clone.DockerEngine;
import io.parikshan.contract.ParikshanException;
import io.parikshan.session.PortTakeover;
import io.parikshan.session.SessionFile;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code parikshan destroy}: remove clones and all they own; running it again is harmless. */
@Command(name = "destroy", mixinStandardHelpOptions = true,
        description = "Remove clones with their copied volumes, checkpoint images and sandbox rules.")
final class DestroyCommand implements Callable<Integer> {

    @Parameters(paramLabel = "CLONE", arity = "0..*", description = "Clones to remove.")
    List<String> clones = new ArrayList<>();

    @Option(names = "--all", description = "Remove every clone on this host.")
    boolean all;

    @Mixin
    HostOptions host;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (all == !clones.isEmpty()) {
            throw new ParikshanException("name the clones to destroy, or give --all (not both)");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (DockerEngine engine = host.engine()) {
            engine.requireReachable();
            CloneTeardown teardown = new CloneTeardown(engine, host.stateRoot());
            if (all) {
                List<String> gone = teardown.destroyAll();
                out.println(gone.isEmpty() ? "no clones to destroy" : "destroyed " + String.join(", ", gone));
                // port takeovers of sessions that died without ending (their guard normally removes them)
                java.util.Set<String> live = new java.util.HashSet<>();
                SessionFile.running(host.stateRoot()).forEach(e -> live.add(e.production()));
                for (String rule : PortTakeover.removeStale(tag -> !live.contains(tag))) {
                    out.println("removed stale port takeover: " + rule);
                }
            } else {
                for (String c : clones) {
                    boolean existed = teardown.destroy(c);
                    boolean logs = teardown.forgetLogs(c);
                    out.println(existed ? "destroyed " + c : logs ? c + ": removed the logs of its failed clone" : c + ": already gone");
                }
            }
            out.flush();
            return 0;
        }
    }
}
