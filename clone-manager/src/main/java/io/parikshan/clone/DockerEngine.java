package io.parikshan.clone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import com.github.dockerjava.transport.DockerHttpClient;
import io.parikshan.contract.ParikshanException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The Docker Engine, through docker-java; the inspect fields the library does not map go
 * through its own {@link DockerHttpClient} with a raw request.
 */
public final class DockerEngine implements AutoCloseable {

    public static final String DEFAULT_HOST = "unix:///var/run/docker.sock";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String host;
    private final DockerHttpClient http;
    private final DockerClient client;

    private DockerEngine(String host) {
        this.host = host;
        DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(host)
                .build();
        this.http = new ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .sslConfig(config.getSSLConfig())
                .connectionTimeout(Duration.ofSeconds(5))
                .responseTimeout(Duration.ofMinutes(5))
                .build();
        this.client = DockerClientImpl.getInstance(config, http);
    }

    /** The engine at {@code host}, or at DOCKER_HOST, or at the default socket. */
    public static DockerEngine connect(String host) {
        String h = host != null ? host : Optional.ofNullable(System.getenv("DOCKER_HOST")).orElse(DEFAULT_HOST);
        return new DockerEngine(h);
    }

    public DockerClient client() {
        return client;
    }

    public String host() {
        return host;
    }

    /** Fails with a one-line remedy when the engine does not answer. */
    public void requireReachable() {
        try {
            client.pingCmd().exec();
        } catch (RuntimeException e) {
            throw new ParikshanException("cannot reach the Docker engine at " + host + " ("
                    + rootMessage(e) + "); start it with deploy/host/setup.sh");
        }
    }

    public boolean reachable() {
        try {
            client.pingCmd().exec();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    public boolean experimental() {
        return Boolean.TRUE.equals(client.versionCmd().exec().getExperimental());
    }

    public String serverVersion() {
        return client.versionCmd().exec().getVersion();
    }

    public Path rootDir() {
        return Path.of(client.infoCmd().exec().getDockerRootDir());
    }

    public Optional<InspectContainerResponse> inspect(String nameOrId) {
        try {
            return Optional.of(client.inspectContainerCmd(nameOrId).exec());
        } catch (NotFoundException e) {
            return Optional.empty();
        }
    }

    /**
     * {@code GET /containers/{id}/json} as a tree, for fields docker-java does not map
     * (such as {@code GraphDriver.Data.UpperDir}).
     */
    public JsonNode rawInspect(String containerId) {
        DockerHttpClient.Request request = DockerHttpClient.Request.builder()
                .method(DockerHttpClient.Request.Method.GET)
                .path("/containers/" + containerId + "/json")
                .build();
        try (DockerHttpClient.Response response = http.execute(request)) {
            String body = readBody(response.getBody());
            if (response.getStatusCode() != 200) {
                throw new ParikshanException("inspecting container " + containerId + " failed: " + firstLine(body));
            }
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code GET /images/{name}/json} as a tree (its layers' {@code GraphDriver.Data}), empty when there is no such image. */
    public Optional<JsonNode> rawInspectImage(String image) {
        DockerHttpClient.Request request = DockerHttpClient.Request.builder()
                .method(DockerHttpClient.Request.Method.GET)
                .path("/images/" + java.net.URLEncoder.encode(image, StandardCharsets.UTF_8).replace("%2F", "/")
                        .replace("%3A", ":") + "/json")
                .build();
        try (DockerHttpClient.Response response = http.execute(request)) {
            String body = readBody(response.getBody());
            if (response.getStatusCode() == 404) {
                return Optional.empty();
            }
            if (response.getStatusCode() != 200) {
                throw new ParikshanException("inspecting image " + image + " failed: " + firstLine(body));
            }
            return Optional.of(JSON.readTree(body));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String readBody(InputStream body) {
        try (body) {
            return new String(body.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String firstLine(String s) {
        String t = s.replace("{\"message\":\"", "").replace("\\n", "\n").strip();
        int nl = t.indexOf('\n');
        return (nl < 0 ? t : t.substring(0, nl)).replaceAll("\"}$", "");
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    @Override
    public void close() {
        try {
            client.close();
        } catch (IOException e) {
            // closing a socket client: nothing left to do
        }
    }
}
