package io.parikshan.cli;

import io.parikshan.clone.Doctor;
import io.parikshan.clone.DockerEngine;
import io.parikshan.clone.HostCheck;
import io.parikshan.clone.remote.TestHostDoctor;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code parikshan doctor}: one line per host requirement, non-zero exit if any fails. */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Check that this host can live-clone containers (engine, CRIU, runc, root, disk).",
                "With --on, check a test host clones can run on instead (SSH, CRIU, runc, sandbox tools, kernel, memory)."})
final class DoctorCommand implements Callable<Integer> {

    @Mixin
    HostOptions host;

    @Mixin
    TestHostOptions testHost;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (testHost.given()) {
            return print(new TestHostDoctor(testHost.ssh()).checks());
        }
        try (DockerEngine engine = host.engine()) {
            return print(new Doctor(engine, host.stateRoot()).checks());
        }
    }

    private int print(List<HostCheck> checks) {
        PrintWriter out = spec.commandLine().getOut();
        for (HostCheck c : checks) {
            out.println(c.ok() ? String.format("ok    %-14s %s", c.name(), c.detail())
                    : String.format("FAIL  %-14s %s; %s", c.name(), c.detail(), c.remedy()));
        }
        long failed = checks.stream().filter(c -> !c.ok()).count();
        out.println(failed == 0 ? "all " + checks.size() + " checks passed"
                : failed + " of " + checks.size() + " checks failed");
        out.flush();
        return failed == 0 ? 0 : 1;
    }
}
