package io.parikshan.clone;

import com.github.dockerjava.api.model.Container;
import io.parikshan.contract.ParikshanException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The running containers of a Docker Compose project (by the labels Compose puts on them), as a
 * clone group: the front is the container of one service, every other running container of the
 * project is a dependency.
 */
public final class ComposeProject {

    public static final String LABEL_PROJECT = "com.docker.compose.project";
    public static final String LABEL_SERVICE = "com.docker.compose.service";

    /** The group: the front's container, then the others (by service, then name). */
    public record Group(String front, List<String> dependencies) {
        public Group {
            dependencies = List.copyOf(dependencies);
        }
    }

    private ComposeProject() {
    }

    /**
     * The group of project {@code project} whose front is service {@code service} (or, when
     * {@code service} is a container of the project, that container).
     */
    public static Group group(DockerEngine engine, String project, String service) {
        List<Container> running = engine.client().listContainersCmd()
                .withLabelFilter(Map.of(LABEL_PROJECT, project)).exec();
        if (running.isEmpty()) {
            throw new ParikshanException("compose project '" + project + "' has no running containers; start it "
                    + "('docker compose -p " + project + " up -d') or check the name ('docker compose ls')");
        }
        TreeMap<String, List<String>> byService = new TreeMap<>();
        for (Container c : running) {
            String svc = Optional.ofNullable(c.getLabels()).map(l -> l.get(LABEL_SERVICE)).orElse("?");
            byService.computeIfAbsent(svc, k -> new ArrayList<>()).add(CloneTeardown.stripSlash(c.getNames()[0]));
        }
        byService.values().forEach(java.util.Collections::sort);
        String front;
        List<String> fronts = byService.get(service);
        if (fronts != null) {
            if (fronts.size() > 1) {
                throw new ParikshanException("service '" + service + "' of compose project '" + project + "' runs "
                        + fronts.size() + " containers (" + String.join(", ", fronts) + "); name one of them instead");
            }
            front = fronts.get(0);
        } else if (byService.values().stream().anyMatch(l -> l.contains(service))) {
            front = service;
        } else {
            throw new ParikshanException("no service or container '" + service + "' runs in compose project '" + project
                    + "' (its services: " + String.join(", ", byService.keySet()) + ")");
        }
        List<String> deps = new ArrayList<>();
        byService.values().forEach(l -> l.stream().filter(n -> !n.equals(front)).forEach(deps::add));
        return new Group(front, deps);
    }
}
