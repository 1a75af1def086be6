package io.parikshan.clone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.dockerjava.api.command.InspectContainerResponse;
import io.parikshan.contract.ParikshanException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A twin started afresh from another image (a fix shipped as a new image) instead of restored
 * from the checkpoint: a runc container like every clone, whose bundle is production's OCI spec
 * (mounts, the clone's copied volumes, user, capabilities, limits) with the image's layers under
 * the copied writable layer as its root, and the image's own command, environment and working
 * directory, unless production was started with a command of its own, which is kept. It has
 * production's files as of the checkpoint and none of its memory.
 */
final class FreshStart {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String image;
    private final JsonNode inspected;
    private final DockerEngine engine;

    private FreshStart(String image, JsonNode inspected, DockerEngine engine) {
        this.image = image;
        this.inspected = inspected;
        this.engine = engine;
    }

    /** The image, which must be in the engine with overlay2 layers. */
    static FreshStart of(DockerEngine engine, String image) {
        if (image.isBlank()) {
            throw new ParikshanException("--candidate-image is empty; give the name or id of an image in 'docker images'");
        }
        JsonNode i = engine.rawInspectImage(image).orElseThrow(() -> new ParikshanException("--candidate-image '" + image
                + "': no such image in the engine; build it or 'docker load' it here first ('docker images' lists them)"));
        FreshStart f = new FreshStart(image, i, engine);
        f.lowerDirs(); // an image without overlay2 layers is refused before anything is made
        return f;
    }

    String image() {
        return image;
    }

    /** The image's layers, top first, as an overlay {@code lowerdir}. */
    String lowerDirs() {
        JsonNode data = inspected.path("GraphDriver").path("Data");
        String upper = data.path("UpperDir").asText("");
        String lower = data.path("LowerDir").asText("");
        if (upper.isEmpty()) {
            throw new ParikshanException("--candidate-image '" + image + "' has no overlay2 layers (storage driver "
                    + inspected.path("GraphDriver").path("Name").asText("?") + "); Parikshan needs Docker's overlay2 storage driver");
        }
        return lower.isEmpty() ? upper : upper + ":" + lower;
    }

    /** Gives the bundle {@code config} (production's spec made the twin's) the image's process. */
    void rewrite(Path config, InspectContainerResponse prod) {
        try {
            ObjectNode spec = (ObjectNode) JSON.readTree(config.toFile());
            rewrite(spec, inspected.path("Config"), imageConfigOf(prod),
                    prod.getConfig().getEntrypoint() == null ? List.of() : List.of(prod.getConfig().getEntrypoint()),
                    prod.getConfig().getCmd() == null ? List.of() : List.of(prod.getConfig().getCmd()));
            JSON.writeValue(config.toFile(), spec);
        } catch (IOException e) {
            throw new ParikshanException("cannot write the fresh twin's OCI spec " + config + ": " + e.getMessage());
        }
    }

    private JsonNode imageConfigOf(InspectContainerResponse prod) {
        return engine.rawInspectImage(prod.getImageId()).map(i -> i.path("Config")).orElse(JSON.nullNode());
    }

    /**
     * @param mine      the new image's {@code Config}
     * @param theirs    production's image's {@code Config} (null node if gone)
     * @param prodEntry production container's entrypoint, as the engine reports it
     * @param prodCmd   production container's command, as the engine reports it
     */
    static void rewrite(ObjectNode spec, JsonNode mine, JsonNode theirs, List<String> prodEntry, List<String> prodCmd) {
        ObjectNode process = (ObjectNode) spec.with("process");
        // production started with its image's command: the new image's; with a command of its own: that one
        boolean ownCommand = !prodCmd.equals(strings(theirs.path("Cmd"))) || !prodEntry.equals(strings(theirs.path("Entrypoint")));
        if (!ownCommand) {
            List<String> args = new ArrayList<>(strings(mine.path("Entrypoint")));
            args.addAll(strings(mine.path("Cmd")));
            if (!args.isEmpty()) {
                ArrayNode a = process.putArray("args");
                args.forEach(a::add);
            }
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (String e : strings(process.path("env"))) {
            env.put(e.contains("=") ? e.substring(0, e.indexOf('=')) : e, e);
        }
        for (String e : strings(theirs.path("Env"))) { // production's image's, unless the container set it
            String key = e.contains("=") ? e.substring(0, e.indexOf('=')) : e;
            if (e.equals(env.get(key))) {
                env.remove(key);
            }
        }
        for (String e : strings(mine.path("Env"))) {
            env.putIfAbsent(e.contains("=") ? e.substring(0, e.indexOf('=')) : e, e);
        }
        ArrayNode envNode = process.putArray("env");
        env.values().forEach(envNode::add);
        String dir = mine.path("WorkingDir").asText("");
        if (!dir.isEmpty()) {
            process.put("cwd", dir);
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array.isArray()) {
            array.forEach(n -> out.add(n.asText()));
        }
        return out;
    }
}
