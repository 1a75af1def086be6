package io.parikshan.clone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parikshan.clone.remote.Ssh;
import io.parikshan.clone.remote.TestHostAddress;
import io.parikshan.clone.remote.TestHostDoctor;
import io.parikshan.contract.ParikshanException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where a clone runs when it runs on a test host: the same steps as on production's host, each
 * done there over SSH, at the same paths (so the bundle written here is valid there as it is).
 *
 * <ul>
 *   <li>production's image layers are sent once and kept there by layer
 *       ({@code <state>/layers/<id>}, whiteouts and opaque-directory xattrs kept), until no clone
 *       has used one for {@link #LAYER_UNUSED_DAYS} days;</li>
 *   <li>the writable layer and the copied mounts go straight from production's files to the test
 *       host (rsync over ssh): pre-copy while production runs, the delta during the freeze;</li>
 *   <li>the checkpoint images go from this host's memory to the test host's (tar over ssh, into its
 *       tmpfs), and this host's are deleted as soon as they are sent;</li>
 *   <li>the sandbox is a bridge of the clone's own there, with every connection the clone would
 *       open dropped, set before the clone gets its interface; production's host reaches the
 *       clone's ports only through a port of the test host's address, and only from production's
 *       host's address.</li>
 * </ul>
 *
 * A clone there is recorded here ({@link #FILE} in its state directory) before anything of it
 * is made there, so a teardown after any failure finds it.
 */
final class TestHostSite {

    /** In a clone's state directory here: the test host it runs on, and the ssh_config to reach it. */
    static final String FILE = "test-host";
    private static final Duration STEP = Duration.ofMinutes(2);
    private static final Duration TRANSFER = Duration.ofMinutes(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Ssh ssh;
    private final Path stateRoot;
    /** Production's host's address as the test host sees it, and the test host's as reached from here. */
    private String productionHostAddress;
    private String testHostAddress;

    TestHostSite(Ssh ssh, Path stateRoot) {
        this.ssh = ssh;
        this.stateRoot = stateRoot;
        Ssh.shareConnections(); // a clone there takes some twenty commands: one connection for all
    }

    Ssh ssh() {
        return ssh;
    }

    /** Fails with the test host's first unmet requirement; learns both hosts' addresses on the way. */
    void requireReady() {
        String[] conn = new TestHostDoctor(ssh).requireAll().getOrDefault("ssh_connection", "").split(" ");
        if (conn.length < 4) {
            throw new ParikshanException("test host " + ssh.target() + " did not say which address it was reached on "
                    + "(SSH_CONNECTION is empty); its sshd must be OpenSSH");
        }
        productionHostAddress = conn[0];
        testHostAddress = conn[2];
    }

    String testHostAddress() {
        return testHostAddress;
    }

    /** Notes the test host in the clone's state directory here, before anything of it is made there. */
    void record(CloneNames names) throws IOException {
        Files.writeString(names.stateDir().resolve(FILE), ssh.target() + "\n"
                + (ssh.config() == null ? "" : ssh.config().toString()) + "\n");
    }

    /** The test host a clone here was made on, if it was. */
    static Optional<Ssh> recorded(CloneNames names) {
        Path f = names.stateDir().resolve(FILE);
        try {
            if (!Files.isRegularFile(f)) {
                return Optional.empty();
            }
            List<String> lines = Files.readAllLines(f);
            String config = lines.size() > 1 ? lines.get(1).strip() : "";
            return Optional.of(new Ssh(TestHostAddress.parse(lines.get(0)), config.isEmpty() ? null : Path.of(config)));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * The member's directories there, its bundle and the engine's /etc copies (written here) sent,
     * and each copy of production's mounts made a shared mount of its own there. Production's
     * read-only bind mounts are the test host's files at the same paths, which must be there.
     */
    void prepare(CloneMember m, List<MountPlan> mounts) {
        CloneNames n = m.names;
        List<MountPlan> copies = mounts.stream().filter(MountPlan::copied).toList();
        // first, in the same call, the read-only bind mounts the clone uses there as they are
        StringBuilder sh = new StringBuilder("for p in");
        mounts.stream().filter(MountPlan::shared).forEach(p -> sh.append(' ').append(q(p.source())));
        sh.append("; do [ -e \"$p\" ] || { echo \"missing=$p\"; exit 3; }; done\nset -e; umask 077\n");
        sh.append("mkdir -p ").append(q(n.stateDir())).append(' ').append(q(n.upperDir())).append(' ')
                .append(q(n.workDir())).append(' ').append(q(n.rootfsDir())).append('\n');
        for (MountPlan p : copies) {
            if (Files.isDirectory(p.source())) {
                sh.append("mkdir -p ").append(q(p.cloneSource())).append('\n');
            } else {
                sh.append("mkdir -p ").append(q(p.cloneSource().getParent())).append("; : > ").append(q(p.cloneSource())).append('\n');
            }
            sh.append("mount --bind ").append(q(p.cloneSource())).append(' ').append(q(p.cloneSource()))
                    .append(" && mount --make-shared ").append(q(p.cloneSource())).append('\n');
        }
        HostCommand.Result r = ssh.script(sh.toString(), STEP);
        if (r.exitCode() == 3 && r.stdout().startsWith("missing=")) {
            throw new ParikshanException("production's read-only bind mount " + r.stdout().strip().substring("missing=".length())
                    + " is not on test host " + ssh.target() + ", where a clone uses the test host's own files at the same path; "
                    + "put the same files there, or clone on this host");
        }
        if (!r.ok()) {
            throw new ParikshanException("making the clone's directories on test host " + ssh.target() + " failed: " + r.reason());
        }
        mirror(n.bundleDir(), n.bundleDir(), List.of());
        if (Files.isDirectory(n.etcDir())) {
            mirror(n.etcDir(), n.etcDir(), List.of());
        }
    }

    /** The bundle written here again (a fresh twin's, given its image's process), sent there. */
    void sendBundle(CloneNames names) {
        mirror(names.bundleDir(), names.bundleDir(), List.of());
    }

    /**
     * A twin's copies of the writable layer and mounts there, from the clone's copies there
     * (production's files as frozen): copied on the test host, not sent again.
     */
    void copyTwinFiles(CloneNames clone, List<MountPlan> cloneMounts, CloneNames twin, List<MountPlan> twinMounts) {
        StringBuilder sh = new StringBuilder("set -e\n");
        sh.append("cp -a ").append(q(clone.upperDir())).append("/. ").append(q(twin.upperDir())).append('\n');
        for (int i = 0; i < cloneMounts.size(); i++) {
            MountPlan m = cloneMounts.get(i);
            if (!m.copied()) {
                continue;
            }
            if (Files.isDirectory(m.source())) {
                sh.append("cp -a ").append(q(m.cloneSource())).append("/. ").append(q(twinMounts.get(i).cloneSource())).append('\n');
            } else { // a file: into the twin's, which is bind-mounted on itself
                sh.append("cat ").append(q(m.cloneSource())).append(" > ").append(q(twinMounts.get(i).cloneSource())).append('\n');
            }
        }
        check(sh.toString(), "copying the clone's files for its twin " + twin.cloneName() + " on test host " + ssh.target());
    }

    /** Production's writable layer and copied mounts, straight to the test host; returns bytes sent. */
    long copyFiles(Path prodUpper, CloneNames names, List<MountPlan> mounts) {
        long bytes = mirror(prodUpper, names.upperDir(), List.of("/" + CloneNames.MARKER));
        for (MountPlan m : mounts) {
            if (m.copied()) {
                bytes += mirror(m.source(), m.cloneSource(), List.of());
            }
        }
        return bytes;
    }

    /**
     * The clone's copies taken here (the writable layer, copied mounts, with the delta of the
     * freeze) sent there, then deleted here; returns bytes sent.
     */
    long sendCopies(CloneNames names, List<MountPlan> mounts) {
        long bytes = mirror(names.upperDir(), names.upperDir(), List.of("/" + CloneNames.MARKER));
        for (MountPlan m : mounts) {
            if (m.copied()) {
                bytes += mirror(m.cloneSource(), m.cloneSource(), List.of());
            }
        }
        CloneTeardown.deleteTree(names.upperDir());
        for (MountPlan m : mounts) {
            if (m.copied()) {
                CloneTeardown.deleteTree(m.cloneSource());
            }
        }
        return bytes;
    }

    private long mirror(Path from, Path to, List<String> keep) {
        return FileCopier.mirror(from, ssh.remotePath(to), ssh.rsh(), keep, Files.isDirectory(from));
    }

    /** A layer there that no clone has used for this many days, and none mounts, is removed. */
    static final int LAYER_UNUSED_DAYS = 7;

    /**
     * Production's image layers there (each sent once, then kept by layer id); returns the
     * overlay's {@code lowerdir} there. Each use marks a layer as used (its time); layers no clone
     * used for {@link #LAYER_UNUSED_DAYS} days and none mounts (half-sent ones too) are removed
     * in the same call, so the store holds what recent clones needed, not every image ever cloned.
     *
     * @param lowerDirs production's {@code GraphDriver.Data.LowerDir} here
     * @return bytes sent, and the lowerdir option
     */
    Layers layers(String lowerDirs) {
        Path store = stateRoot.resolve("layers");
        List<Path> here = new ArrayList<>();
        List<String> there = new ArrayList<>();
        StringBuilder missing = new StringBuilder("store=" + q(store) + "; for l in");
        for (String dir : lowerDirs.split(":")) {
            Path diff = Path.of(dir);
            String id = diff.getParent() == null ? diff.getFileName().toString() : diff.getParent().getFileName().toString();
            here.add(diff);
            there.add(store.resolve(id).toString());
            missing.append(' ').append(q(id));
        }
        missing.append("; do if [ -d \"$store/$l\" ]; then touch \"$store/$l\"; else echo \"$l\"; fi; done; ")
                .append("find \"$store\" -mindepth 1 -maxdepth 1 -mtime +").append(LAYER_UNUSED_DAYS - 1)
                .append(" 2>/dev/null | while read -r d; do grep -qE \"(^|[=:, ])$d([:, ]|\\$)\" /proc/mounts || rm -rf \"$d\"; done");
        List<String> absent = ssh.script(missing.toString(), STEP).stdout().lines().map(String::strip)
                .filter(l -> !l.isEmpty()).toList();
        long sent = 0;
        for (int i = 0; i < here.size(); i++) {
            Path target = Path.of(there.get(i));
            if (!absent.contains(target.getFileName().toString())) {
                continue;
            }
            Path partial = Path.of(target + ".partial");
            ssh.pipe(List.of("tar", "-C", here.get(i).toString(), "--xattrs", "--xattrs-include=*", "--acls",
                            "--numeric-owner", "-cf", "-", "."),
                    List.of("sh", "-c", "set -e; rm -rf " + q(partial) + "; mkdir -p -m 700 " + q(partial) + "; tar -C " + q(partial)
                            + " --xattrs --xattrs-include='*' --acls --numeric-owner -xpf -; mv " + q(partial) + " " + q(target)),
                    TRANSFER, "sending image layer " + here.get(i) + " to test host " + ssh.target());
            sent += CloneManager.treeSize(here.get(i));
        }
        return new Layers(String.join(":", there), sent);
    }

    record Layers(String lowerDirs, long sentBytes) {
    }

    /** The checkpoint images, from this host's memory into the test host's; deleted here once sent. */
    void sendImages(CloneNames names, Path images) {
        Path there = names.imagesDir();
        try {
            ssh.pipe(List.of("tar", "-C", images.toString(), "-cf", "-", "."),
                    List.of("sh", "-c", "set -e; r=" + q(ImageStore.ROOT) + "; mkdir -p \"$r\"; "
                            + "grep -qs \" $r tmpfs \" /proc/mounts || mount -t tmpfs -o mode=0700,uid=0,gid=0,nosuid,nodev,noexec parikshan-images \"$r\"; "
                            + "mkdir -p -m 700 " + q(there) + "; tar -C " + q(there) + " -xpf -"),
                    TRANSFER, "sending the checkpoint images to test host " + ssh.target());
        } finally {
            CloneTeardown.deleteTree(images); // production's memory: not kept here, sent or not
        }
    }

    /** The clone's marker and root file system there: the layers under the copied writable layer, shared. */
    void mountRoot(CloneNames names, String lowerDirs, String marker) {
        check("set -e; printf %s " + q(marker) + " > " + q(names.upperDir().resolve(CloneNames.MARKER)) + "; chmod 644 "
                        + q(names.upperDir().resolve(CloneNames.MARKER)) + "; mkdir -p " + q(names.overlayWorkDir()) + "; "
                        + "mount -t overlay overlay -o " + q("lowerdir=" + lowerDirs + ",upperdir=" + names.upperDir()
                        + ",workdir=" + names.overlayWorkDir()) + " " + q(names.rootfsDir()) + "; mount --make-shared " + q(names.rootfsDir()),
                "mounting the clone's root file system on test host " + ssh.target());
    }

    /**
     * {@code runc restore} there, as {@link CloneRuntime#restore} does here; CRIU's log is fetched
     * here when it fails, so the failure is explained as a local one is.
     */
    CloneRuntime.State restore(CloneNames names) {
        return restore(names, names.imagesDir(), true);
    }

    /**
     * {@code runc restore} of {@code names} there from the images at {@code images} there (the clone's,
     * for a twin too: a restore reads them and leaves them as they were); deleted after it when
     * {@code last}, whether it worked or not.
     */
    CloneRuntime.State restore(CloneNames names, Path images, boolean last) {
        Path root = CloneRuntime.ROOT;
        // one call: the restore, then runc's state of the clone (each ssh round trip is a restore's time)
        HostCommand.Result r = ssh.script("mkdir -p " + q(root) + "; : > " + q(names.logFile()) + "; runc --root " + q(root)
                + " restore --detach --file-locks --image-path " + q(images) + " --work-path " + q(names.workDir())
                + " --bundle " + q(names.bundleDir()) + " " + q(names.cloneName()) + " </dev/null >>" + q(names.logFile())
                + " 2>&1; e=$?; " + (last ? "rm -rf " + q(images) + "; " : "") + "[ $e = 0 ] || exit $e; runc --root " + q(root) + " state "
                + q(names.cloneName()), CloneRuntime.RESTORE_TIMEOUT);
        if (!r.ok()) {
            Path log = names.workDir().resolve("restore.log");
            try {
                Files.createDirectories(log.getParent());
                Files.writeString(log, ssh.run(List.of("cat", log.toString()), STEP).stdout());
            } catch (IOException e) {
                throw new ParikshanException("runc restore of " + names.cloneName() + " failed on test host " + ssh.target()
                        + "; its CRIU log could not be fetched (" + e.getMessage() + ")");
            }
            String said = ssh.run(List.of("tail", "-n", "1", names.logFile().toString()), STEP).stdout().strip();
            throw new CriuFailure("restore", log, said);
        }
        try {
            JsonNode s = JSON.readTree(r.stdout());
            if (!"running".equals(s.path("status").asText())) {
                throw new ParikshanException("the clone " + names.cloneName() + " stopped right after restore on test host "
                        + ssh.target() + "; see 'parikshan logs " + names.cloneName() + "'");
            }
            return new CloneRuntime.State(s.path("pid").asLong(), s.path("status").asText());
        } catch (IOException e) {
            throw new ParikshanException("runc state of " + names.cloneName() + " on test host " + ssh.target() + " is unreadable: " + r.reason());
        }
    }

    /** {@code runc run} there of a fresh twin's bundle (no checkpoint), as {@link CloneRuntime#start} does here. */
    CloneRuntime.State start(CloneNames names) {
        Path root = CloneRuntime.ROOT;
        HostCommand.Result r = ssh.script("mkdir -p " + q(root) + "; : > " + q(names.logFile()) + "; runc --root " + q(root)
                + " run --detach --bundle " + q(names.bundleDir()) + " " + q(names.cloneName()) + " </dev/null >>" + q(names.logFile())
                + " 2>&1 || { tail -n 1 " + q(names.logFile()) + "; exit 1; }; runc --root " + q(root) + " state "
                + q(names.cloneName()), CloneRuntime.RESTORE_TIMEOUT);
        if (!r.ok()) {
            throw new ParikshanException("runc could not start " + names.cloneName() + " on test host " + ssh.target() + ": "
                    + (r.stdout().isBlank() ? r.reason() : r.stdout().strip()) + "; see 'parikshan logs " + names.cloneName() + "'");
        }
        try {
            JsonNode s = JSON.readTree(r.stdout());
            if (!"running".equals(s.path("status").asText())) {
                throw new ParikshanException("the clone " + names.cloneName() + " stopped right after runc run on test host "
                        + ssh.target() + "; see 'parikshan logs " + names.cloneName() + "'");
            }
            return new CloneRuntime.State(s.path("pid").asLong(), s.path("status").asText());
        } catch (IOException e) {
            throw new ParikshanException("runc state of " + names.cloneName() + " on test host " + ssh.target() + " is unreadable: " + r.reason());
        }
    }

    /**
     * The sandbox there, before the clone has any interface: a bridge of its own on a free /24,
     * every connection the clone would open dropped (to the test host, through it, anywhere),
     * replies let out, except new TCP connections to each {@code egress} address and port, which
     * leave under the test host's own address (the sandbox's subnet is known there only).
     * Returns the subnet's prefix, e.g. {@code 10.213.4}.
     */
    String sandbox(CloneNames names, List<AllowedEgress> egress) {
        String bridge = names.bridge();
        String c = "-m comment --comment " + names.firewallComment();
        String script = "set -e\n"
                + "net=''; for x in $(seq 0 255); do ip -4 route | grep -q \"^10\\.213\\.$x\\.\" || { net=10.213.$x; break; }; done\n"
                + "[ -n \"$net\" ] || { echo 'no free 10.213.x.0/24 left for a sandbox' >&2; exit 1; }\n"
                + "ip link add " + bridge + " type bridge; ip addr add $net.1/24 dev " + bridge + "; ip link set " + bridge + " up\n"
                + "echo 1 > /proc/sys/net/ipv4/ip_forward\n"
                + "iptables -w 10 -I INPUT -i " + bridge + " " + c + " -j DROP\n"
                + "iptables -w 10 -I INPUT -i " + bridge + " -m conntrack --ctstate ESTABLISHED,RELATED " + c + " -j ACCEPT\n"
                + "iptables -w 10 -I FORWARD -i " + bridge + " " + c + " -j DROP\n"
                + "iptables -w 10 -I FORWARD -i " + bridge + " -m conntrack --ctstate ESTABLISHED,RELATED " + c + " -j ACCEPT\n"
                + "iptables -w 10 -I FORWARD -o " + bridge + " " + c + " -j DROP\n"
                + egressRules(bridge, c, egress)
                + "echo $net\n";
        HostCommand.Result r = ssh.script(script, STEP);
        if (!r.ok()) {
            throw new ParikshanException("making the sandbox on test host " + ssh.target() + " failed: " + r.reason());
        }
        return r.stdout().strip();
    }

    /** Inserted above the drops: each allowed address and port, to the test host itself or through it. */
    private static String egressRules(String bridge, String comment, List<AllowedEgress> egress) {
        StringBuilder sh = new StringBuilder();
        for (AllowedEgress e : egress) {
            String to = " -d " + e.ip() + " -p tcp --dport " + e.port() + " " + comment;
            sh.append("iptables -w 10 -I INPUT -i ").append(bridge).append(to).append(" -j ACCEPT\n")
                    .append("iptables -w 10 -I FORWARD -i ").append(bridge).append(to).append(" -j ACCEPT\n")
                    .append("iptables -w 10 -I FORWARD -o ").append(bridge).append(" -s ").append(e.ip()).append(" -p tcp --sport ")
                    .append(e.port()).append(" -m conntrack --ctstate ESTABLISHED,RELATED ").append(comment).append(" -j ACCEPT\n")
                    .append("iptables -w 10 -t nat -I POSTROUTING -s $net.0/24").append(to).append(" -j MASQUERADE\n");
        }
        return sh.toString();
    }

    /** The clone's only interface there, on its bridge, with the subnet's .254; returns that address. */
    String attach(CloneNames names, String net, long pid) {
        return attach(names, names.bridge(), net, net + ".254", pid);
    }

    /**
     * The clone's only interface there, with {@code address} on {@code bridge} (a fresh twin's is the
     * bridge of the clone whose sandbox it shares); returns that address.
     */
    String attach(CloneNames names, String bridge, String net, String address, long pid) {
        check("set -e; ip link add " + names.vethHost() + " type veth peer name " + names.vethClone() + "; ip link set "
                        + names.vethHost() + " master " + bridge + " up; ip link set " + names.vethClone() + " netns " + pid + "; "
                        + "nsenter -t " + pid + " -n sh -c " + q("ip link set lo up; ip link set " + names.vethClone() + " name eth0; "
                        + "ip addr add " + address + "/24 dev eth0; ip link set eth0 up; ip route add default via " + net + ".1"),
                "giving the clone its interface on test host " + ssh.target());
        return address;
    }

    /**
     * Each port on a free port of the test host's address, reachable from production's host's
     * address only; returns them as {@code host:port -> port/proto}.
     */
    List<String> publish(CloneNames names, String cloneIp, List<Integer> containerPorts) {
        return publish(names, names.bridge(), cloneIp, containerPorts);
    }

    /** As {@link #publish(CloneNames, String, List)}, for a clone on {@code bridge}; the rules are {@code names}'. */
    List<String> publish(CloneNames names, String bridge, String cloneIp, List<Integer> containerPorts) {
        if (containerPorts.isEmpty()) {
            return List.of();
        }
        String c = "-m comment --comment " + names.firewallComment();
        // the host ports are picked there, in the same call: free of listeners and of other clones' rules
        StringBuilder sh = new StringBuilder("set -e\n"
                + "pick() { while :; do p=$(shuf -i 20000-59999 -n 1); ss -Htanl \"sport = :$p\" | grep -q . && continue; "
                + "iptables -w 10 -t nat -S PREROUTING | grep -q -- \"--dport $p \" && continue; echo $p; return; done; }\n");
        for (int port : containerPorts) {
            sh.append("p=$(pick)\n");
            sh.append("iptables -w 10 -t nat -I PREROUTING -s ").append(productionHostAddress).append(" -d ").append(testHostAddress)
                    .append(" -p tcp --dport $p ").append(c).append(" -j DNAT --to-destination ").append(cloneIp).append(':').append(port).append('\n');
            sh.append("iptables -w 10 -I FORWARD -o ").append(bridge).append(" -s ").append(productionHostAddress)
                    .append(" -d ").append(cloneIp).append(" -p tcp --dport ").append(port).append(' ').append(c).append(" -j ACCEPT\n");
            sh.append("echo \"").append(testHostAddress).append(":$p -> ").append(port).append("/tcp\"\n");
        }
        HostCommand.Result r = ssh.script(sh.toString(), STEP);
        if (!r.ok()) {
            throw new ParikshanException("publishing the clone's ports on test host " + ssh.target() + " failed: " + r.reason());
        }
        return r.stdout().lines().map(String::strip).filter(l -> l.contains(" -> ")).toList();
    }

    /**
     * Removes everything of the clone there: its runc container, mounts, files, images, rules and
     * bridge. Idempotent.
     */
    static void destroy(Ssh ssh, CloneNames names) {
        String script = "name=" + q(names.cloneName()) + "; state=" + q(names.stateDir()) + "; root=" + q(CloneRuntime.ROOT) + "\n"
                + "if [ -d \"$root/$name\" ]; then runc --root \"$root\" kill --all \"$name\" KILL 2>/dev/null; "
                + "for i in 1 2 3 4 5 6 7 8 9 10; do runc --root \"$root\" delete --force \"$name\" 2>/dev/null && break; sleep 0.3; done; fi\n"
                + "for m in $(awk -v d=\"$state\" '$5 == d || index($5, d \"/\") == 1 {print $5}' /proc/self/mountinfo | sort -r); do "
                + "umount \"$m\" 2>/dev/null || umount -l \"$m\"; done\n"
                + "rm -rf \"$state\" " + q(names.imagesDir()) + "\n"
                + "ip link del " + names.vethHost() + " 2>/dev/null; ip link del " + names.bridge() + " 2>/dev/null\n"
                + "for t in filter nat; do echo \"table $t\"; iptables -w 10 -t $t -S; done\n";
        HostCommand.Result r = ssh.script(script, STEP);
        if (!r.ok()) {
            throw new ParikshanException("removing " + names.cloneName() + " from test host " + ssh.target() + " failed: " + r.reason());
        }
        // its rules, found as on this host (exactly its comment), deleted in one call
        StringBuilder delete = new StringBuilder();
        for (String table : r.stdout().split("(?m)^table ")) {
            int eol = table.indexOf('\n');
            if (eol < 0) {
                continue;
            }
            for (List<String> rule : Sandbox.rulesWithComment(table.substring(eol + 1), names.firewallComment())) {
                delete.append("iptables -w 10 -t ").append(table, 0, eol).append(" -D")
                        .append(rule.stream().map(TestHostSite::q).reduce("", (a, b) -> a + " " + b)).append('\n');
            }
        }
        if (delete.length() > 0) {
            HostCommand.Result d = ssh.script(delete.toString(), STEP);
            if (!d.ok()) {
                throw new ParikshanException("removing " + names.cloneName() + "'s firewall rules from test host " + ssh.target()
                        + " failed: " + d.reason());
            }
        }
    }

    private void check(String script, String what) {
        HostCommand.Result r = ssh.script(script, STEP);
        if (!r.ok()) {
            throw new ParikshanException(what + " failed: " + r.reason());
        }
    }

    private static String q(Object o) {
        String s = o.toString();
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
