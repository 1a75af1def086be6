package io.parikshan.clone;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Network;
import io.parikshan.contract.ParikshanException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Removes a clone and everything it owns: container, copied volumes, sandbox network and
 * firewall rules, bind-mount copies, checkpoint images and logs. Idempotent: parts already
 * gone are skipped. Only things labelled or named as the clone's are touched, never production.
 */
public final class CloneTeardown {

    private final DockerEngine engine;
    private final Path stateRoot;
    private final Sandbox sandbox;
    private final CloneRuntime runtime = new CloneRuntime();

    public CloneTeardown(DockerEngine engine, Path stateRoot) {
        this.engine = engine;
        this.stateRoot = stateRoot;
        this.sandbox = new Sandbox(engine);
    }

    /**
     * Removes the clone {@code name}.
     *
     * @return true if anything of it existed
     * @throws ParikshanException if {@code name} is a container of the engine that is not a Parikshan clone
     */
    public boolean destroy(String name) {
        Optional<InspectContainerResponse> c = engine.inspect(name);
        String containerId = null;
        if (c.isPresent()) {
            Map<String, String> labels = Optional.ofNullable(c.get().getConfig().getLabels()).orElse(Map.of());
            if (!CloneNames.ROLE_CLONE.equals(labels.get(CloneNames.LABEL_ROLE))) {
                throw new ParikshanException("container '" + name
                        + "' is not a Parikshan clone; refusing to remove it (see 'parikshan list')");
            }
            containerId = c.get().getId(); // a clone made by an older Parikshan, as an engine container
        }
        CloneNames names = new CloneNames(name, stateRoot);
        // a group's member goes with the whole group: its sandbox and peers are the owner's
        Optional<String> owner = CloneRecord.read(names).map(CloneRecord::group).filter(g -> !g.equals(name));
        if (owner.isPresent()) {
            boolean existed = destroyOwned(new CloneNames(owner.get(), stateRoot), null);
            return destroyOwned(names, containerId) || existed;
        }
        return destroyOwned(names, containerId);
    }

    /**
     * Deletes the CRIU logs a failed clone of this name left for the user (a clone's own rollback
     * keeps them: they say why it failed).
     *
     * @return true if there were any
     */
    public boolean forgetLogs(String name) {
        boolean any = false;
        for (String action : List.of("dump", "restore")) {
            any |= deleteTree(CriuLog.keptLog(stateRoot, name, action));
        }
        return any;
    }

    /** Removes every clone on this host, including leftovers of interrupted clones. */
    public List<String> destroyAll() {
        TreeSet<String> names = new TreeSet<>();
        for (Container c : engine.client().listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(CloneNames.LABEL_ROLE, CloneNames.ROLE_CLONE)).exec()) {
            names.add(stripSlash(c.getNames()[0]));
        }
        for (Network n : engine.client().listNetworksCmd().exec()) {
            String owner = n.getLabels() == null ? null : n.getLabels().get(CloneNames.LABEL_CLONE);
            if (owner != null) {
                names.add(owner);
            }
        }
        names.addAll(ownedVolumes(null).stream().map(v -> v.labels().get(CloneNames.LABEL_CLONE)).toList());
        for (Path dir : List.of(stateRoot.resolve("clones"), CloneRuntime.ROOT, ImageStore.ROOT)) {
            if (Files.isDirectory(dir)) {
                try (Stream<Path> s = Files.list(dir)) {
                    s.filter(Files::isDirectory).forEach(p -> names.add(p.getFileName().toString()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        for (String n : names) {
            destroy(n);
        }
        deleteTree(stateRoot.resolve("logs"));
        return List.copyOf(names);
    }

    boolean destroyOwned(CloneNames names, String containerId) {
        boolean existed = false;
        for (String member : GroupRules.readMembers(names)) {
            existed |= destroyOwned(new CloneNames(member, stateRoot), null);
        }
        Optional<io.parikshan.clone.remote.Ssh> testHost = TestHostSite.recorded(names);
        if (testHost.isPresent()) {
            try {
                TestHostSite.destroy(testHost.get(), names);
                existed = true;
            } catch (ParikshanException e) {
                // a test host that is gone took the clone with it; one still there keeps what could not be
                // removed, and the user must hear it, though this host's part is removed all the same
                System.err.println("parikshan: " + e.getMessage() + "; if test host " + testHost.get().target()
                        + " is still up, remove the clone's leftovers there by hand (runc, mounts under " + names.stateDir() + ")");
            }
        }
        // the processes first (nothing of the clone runs on), then what they used
        existed |= runtime.remove(names.cloneName());
        if (containerId != null) {
            try {
                engine.client().removeContainerCmd(containerId).withForce(true).withRemoveVolumes(true).exec();
                existed = true;
            } catch (NotFoundException e) {
                // already gone
            }
        }
        CloneRootfs.unmount(names);
        for (OwnedVolume v : ownedVolumes(names.cloneName())) {
            try {
                engine.client().removeVolumeCmd(v.name()).exec();
                existed = true;
            } catch (NotFoundException e) {
                // already gone
            }
        }
        existed |= engine.client().listNetworksCmd().withNameFilter(names.sandboxNetwork()).exec().stream()
                .anyMatch(n -> names.sandboxNetwork().equals(n.getName()));
        sandbox.remove(names);
        existed |= deleteTree(names.imagesDir());
        existed |= deleteTree(names.stateDir());
        return existed;
    }

    private record OwnedVolume(String name, Map<String, String> labels) {
    }

    private List<OwnedVolume> ownedVolumes(String clone) {
        String filter = clone == null ? CloneNames.LABEL_CLONE : CloneNames.LABEL_CLONE + "=" + clone;
        return Optional.ofNullable(engine.client().listVolumesCmd()
                        .withFilter("label", List.of(filter)).exec().getVolumes()).orElse(List.of()).stream()
                .map(v -> new OwnedVolume(v.getName(), v.getLabels() == null ? Map.of() : v.getLabels()))
                .toList();
    }

    static boolean deleteTree(Path root) {
        if (!Files.exists(root)) {
            return false;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new ParikshanException("could not delete " + root + " (" + e.getMessage()
                    + "); remove it by hand");
        }
        return true;
    }

    static String stripSlash(String name) {
        return name.startsWith("/") ? name.substring(1) : name;
    }
}
