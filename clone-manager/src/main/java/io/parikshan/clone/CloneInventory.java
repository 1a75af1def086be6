package io.parikshan.clone;

import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ContainerPort;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** The clones on this host, read from their Docker labels. */
public final class CloneInventory {

    /** One clone as {@code parikshan list} shows it. */
    public record CloneInfo(String name, String production, long ageSeconds, String status, List<String> addresses) {
    }

    private final DockerEngine engine;

    public CloneInventory(DockerEngine engine) {
        this.engine = engine;
    }

    public List<CloneInfo> clones() {
        List<CloneInfo> out = new ArrayList<>();
        long now = Instant.now().getEpochSecond();
        for (Container c : engine.client().listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(CloneNames.LABEL_ROLE, CloneNames.ROLE_CLONE)).exec()) {
            Map<String, String> l = c.getLabels();
            long created = Long.parseLong(l.getOrDefault(CloneNames.LABEL_CREATED, Long.toString(c.getCreated())));
            List<String> addresses = new ArrayList<>();
            for (ContainerPort p : c.getPorts()) {
                if (p.getPublicPort() != null) {
                    addresses.add(p.getIp() + ":" + p.getPublicPort() + "->" + p.getPrivatePort() + "/" + p.getType());
                }
            }
            out.add(new CloneInfo(l.getOrDefault(CloneNames.LABEL_CLONE, CloneTeardown.stripSlash(c.getNames()[0])),
                    l.getOrDefault(CloneNames.LABEL_PRODUCTION, "?"), Math.max(0, now - created), c.getState(),
                    addresses));
        }
        out.sort(Comparator.comparing(CloneInfo::name));
        return out;
    }
}
