package io.parikshan.clone.remote;

import io.parikshan.clone.Doctor;
import io.parikshan.clone.HostCheck;
import io.parikshan.clone.HostCommand;
import io.parikshan.contract.ParikshanException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a clone needs from a test host, one {@link HostCheck} each, found by one SSH call: root,
 * CRIU (new enough, and {@code criu check} passing on that kernel), runc, iptables and {@code ip}
 * for the sandbox, the kernel (compared with production's), and memory for the images, which are
 * held in {@code /dev/shm} there and never written to disk.
 */
public final class TestHostDoctor {

    static final long MIN_SHM_BYTES = 256L << 20;
    /** A command there taking longer than this, on a connection already open, is worth a word. */
    static final Duration SLOW_COMMAND = Duration.ofMillis(1000);
    private static final Pattern CRIU_VERSION = Pattern.compile("(\\d+)\\.(\\d+)(?:\\.(\\d+))?");

    /** Where a passing {@code criu check} is recorded on the test host, as on this host ({@link Doctor}). */
    static final String CRIU_CHECK_STAMP = "/var/lib/parikshan/criu-check-passed";

    /**
     * Prints one key=value line per fact; every probe is allowed to fail. With {@code TRUST=1}, a
     * {@code criu check} passed there within the hour for the same CRIU and kernel is not run again.
     */
    static final String FACTS = String.join("\n",
            "echo uid=$(id -u)",
            "echo kernel=$(uname -r)",
            "echo ssh_connection=$SSH_CONNECTION",
            "echo criu=$(command -v criu)",
            "echo criu_version=$(criu --version 2>/dev/null | sed -n 's/^Version: *//p')",
            "key=\"$(criu --version 2>/dev/null | head -n 1) on kernel $(uname -r)\"",
            "if ! command -v criu >/dev/null; then :",
            "elif [ \"$TRUST\" = 1 ] && [ \"$(cat " + CRIU_CHECK_STAMP + " 2>/dev/null)\" = \"$key\" ] "
                    + "&& [ -n \"$(find " + CRIU_CHECK_STAMP + " -mmin -60 2>/dev/null)\" ]; then echo criu_check=0",
            "else criu check >/dev/null 2>&1; r=$?; echo criu_check=$r; "
                    + "if [ $r = 0 ] && [ -d /var/lib/parikshan ]; then echo \"$key\" > " + CRIU_CHECK_STAMP + "; fi; fi",
            "echo runc=$(command -v runc)",
            "echo runc_version=$(runc --version 2>/dev/null | sed -n 's/^runc version *//p')",
            "echo iptables=$(command -v iptables)",
            "echo ip=$(command -v ip)",
            "echo shm_kib=$(df -k --output=avail /dev/shm 2>/dev/null | tail -n 1 | tr -d ' ')");

    private final Ssh ssh;
    private Map<String, String> facts = Map.of();

    public TestHostDoctor(Ssh ssh) {
        this.ssh = ssh;
    }

    /** All checks, {@code criu check} always run; the first is the SSH connection, and when it fails it is the only one. */
    public List<HostCheck> checks() {
        return checks(false);
    }

    private List<HostCheck> checks(boolean trustRecentCriuCheck) {
        HostCommand.Result r;
        try {
            r = ssh.script("TRUST=" + (trustRecentCriuCheck ? 1 : 0) + "\n" + FACTS, Duration.ofSeconds(90));
        } catch (ParikshanException e) {
            return List.of(HostCheck.fail("ssh", e.getMessage(), "then run 'parikshan doctor --on " + ssh.target() + "' again"));
        }
        if (!r.ok()) {
            return List.of(HostCheck.fail("ssh", "test host " + ssh.target() + " could not run a shell script: " + r.reason(),
                    "it needs a POSIX sh for root's login"));
        }
        facts = parse(r.stdout());
        List<HostCheck> checks = checks(ssh.target(), facts, Doctor.kernelRelease());
        if (!trustRecentCriuCheck) {
            checks.add(commandTime());
        }
        return checks;
    }

    /**
     * How long one command there takes on the open connection: sshd runs each through the user's
     * shell, whose start-up files (bash reads ~/.bashrc even for ssh's commands) a clone pays
     * for some twenty times. Never a failure: a slow one still works.
     */
    private HostCheck commandTime() {
        long start = System.nanoTime();
        try {
            ssh.script("true", Duration.ofSeconds(90));
        } catch (ParikshanException e) {
            return HostCheck.fail("commands", e.getMessage(), "then run 'parikshan doctor --on " + ssh.target() + "' again");
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        String detail = "a command there takes " + took.toMillis() + " ms";
        return HostCheck.pass("commands", took.compareTo(SLOW_COMMAND) <= 0 ? detail
                : detail + ", slow: the login shell's start-up files there (~/.bashrc, ~/.profile) run for each of a clone's "
                        + "commands; keep them quick for non-interactive shells");
    }

    /**
     * Throws the first failing check's one-line problem (trusting a recent passing {@code criu
     * check} there); returns what the test host said of itself.
     */
    public Map<String, String> requireAll() {
        for (HostCheck c : checks(true)) {
            if (!c.ok()) {
                throw new ParikshanException(c.problem());
            }
        }
        return facts;
    }

    static Map<String, String> parse(String stdout) {
        Map<String, String> facts = new HashMap<>();
        stdout.lines().forEach(l -> {
            int eq = l.indexOf('=');
            if (eq > 0) {
                facts.put(l.substring(0, eq).strip(), l.substring(eq + 1).strip());
            }
        });
        return facts;
    }

    static List<HostCheck> checks(TestHostAddress at, Map<String, String> facts, String productionKernel) {
        String setUp = "install it there (Debian: apt-get install criu runc iptables iproute2, or CRIU >= "
                + Doctor.CRIU_MIN + " built as deploy/host/setup.sh does)";
        List<HostCheck> out = new ArrayList<>();
        String uid = facts.getOrDefault("uid", "?");
        out.add("0".equals(uid) ? HostCheck.pass("ssh", "reached " + at + " with a key, host key known, as root")
                : HostCheck.fail("ssh", "reached " + at + " as uid " + uid, "restores there need root; give root@" + at.host()));
        out.add(criu(facts, setUp));
        out.add(tool("runc", facts, "runc_version", setUp));
        out.add(tool("iptables", facts, null, "the sandbox's firewall is set there before the clone resumes; " + setUp));
        out.add(tool("ip", facts, null, "the sandbox's network is made there with it; " + setUp));
        String kernel = facts.getOrDefault("kernel", "?");
        out.add(HostCheck.pass("kernel", kernel.equals(productionKernel) ? kernel + ", as production's"
                : kernel + ", production's is " + productionKernel + ": a restore fails if it lacks a feature the dump uses"));
        out.add(shm(facts));
        return out;
    }

    private static HostCheck criu(Map<String, String> facts, String setUp) {
        String path = facts.getOrDefault("criu", "");
        if (path.isEmpty()) {
            return HostCheck.fail("criu", "not found on the test host's PATH", setUp);
        }
        Matcher m = CRIU_VERSION.matcher(facts.getOrDefault("criu_version", ""));
        if (!m.find()) {
            return HostCheck.fail("criu", path + " printed no version", setUp);
        }
        String version = m.group();
        if (!Doctor.atLeast(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Doctor.CRIU_MIN)) {
            return HostCheck.fail("criu", path + " is version " + version + ", older than " + Doctor.CRIU_MIN, setUp);
        }
        if (!"0".equals(facts.get("criu_check"))) {
            return HostCheck.fail("criu", "'criu check' fails on the test host",
                    "its kernel lacks a feature CRIU needs; run 'criu check' there to see which");
        }
        return HostCheck.pass("criu", path + " version " + version + ", 'criu check' passes");
    }

    private static HostCheck tool(String name, Map<String, String> facts, String versionKey, String remedy) {
        String path = facts.getOrDefault(name, "");
        if (path.isEmpty()) {
            return HostCheck.fail(name, "not found on the test host's PATH", remedy);
        }
        String version = versionKey == null ? "" : facts.getOrDefault(versionKey, "");
        return HostCheck.pass(name, path + (version.isEmpty() ? "" : " version " + version));
    }

    private static HostCheck shm(Map<String, String> facts) {
        long kib;
        try {
            kib = Long.parseLong(facts.getOrDefault("shm_kib", ""));
        } catch (NumberFormatException e) {
            return HostCheck.fail("memory", "/dev/shm is missing on the test host", "the images are held there in memory; mount a tmpfs on /dev/shm");
        }
        long bytes = kib << 10;
        return bytes >= MIN_SHM_BYTES ? HostCheck.pass("memory", (bytes >> 20) + " MiB free in /dev/shm for the images")
                : HostCheck.fail("memory", "only " + (bytes >> 20) + " MiB free in /dev/shm",
                        "the images are held there in memory and need at least the clone's memory; free or enlarge it");
    }
}
