package io.parikshan.cli;

import io.parikshan.clone.remote.Ssh;
import io.parikshan.clone.remote.TestHostAddress;
import io.parikshan.contract.ParikshanException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The test host a clone runs on instead of production's host ({@code --on}), and how ssh reaches it. */
final class TestHostOptions {

    @Option(names = "--on", paramLabel = "[USER@]HOST[:PORT]",
            description = "A test host, reached over SSH with a key and a known host key (user root, port 22 unless given).")
    String on;

    @Option(names = "--ssh-config", paramLabel = "FILE",
            description = "An ssh_config file to reach the test host with, instead of root's ~/.ssh/config.")
    Path sshConfig;

    boolean given() {
        return on != null;
    }

    Ssh ssh() {
        return ssh(on, sshConfig);
    }

    static Ssh ssh(String on, Path sshConfig) {
        if (sshConfig != null && !Files.isReadable(sshConfig)) {
            throw new ParikshanException("--ssh-config " + sshConfig + " cannot be read; give an ssh_config file root can read");
        }
        return new Ssh(TestHostAddress.parse(on), sshConfig);
    }
}
