package io.parikshan.clone;

import static io.parikshan.clone.DockerTestHost.docker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parikshan.contract.ParikshanException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A front tier (a JVM service) calling a Redis tier on a user network, cloned alone and then as
 * a group: alone, the clone cannot answer (its Redis is outside the sandbox); with its Redis,
 * the group answers from the data production's Redis held at the cut, its writes land in the
 * Redis clone only, and production's Redis gets exactly production's requests. Production's
 * clients check every answer throughout.
 */
class GroupCloneIT extends CloneHostFixture {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    private String network;
    private String front;
    private String db;

    @BeforeEach
    void startTiers() throws Exception {
        network = DockerTestHost.uniqueName("grp");
        docker("network", "create", network);
        front = network + "-front";
        db = network + "-db";
        containers.add(front);
        containers.add(db);
        docker("run", "-d", "--name", db, "--network", network, "--network-alias", "cache", "-v", "/usr:/usr:ro",
                DockerTestHost.IMAGE, "redis-server", "--port", "6379", "--bind", "0.0.0.0", "--protected-mode", "no",
                "--save", "");
        awaitRedis(db);
        docker("exec", db, "redis-cli", "SET", "user:1", "alice");
        docker("run", "-d", "--name", front, "--network", network, "-v", "/usr:/usr:ro",
                "-v", DockerTestHost.testClasses() + ":/app:ro", "-p", "127.0.0.1::8080", DockerTestHost.IMAGE,
                "java", "-Xmx64m", "-XX:+UseSerialGC", "-Dsun.net.inetaddr.ttl=0", "-cp", "/app",
                "io.parikshan.clone.testapp.RedisFrontService", "8080", "cache", "6379");
        DockerTestHost.awaitGet(DockerTestHost.hostPort(front, 8080), "/get/user:1");
    }

    @AfterEach
    void removeNetwork() {
        DockerTestHost.removeContainers(containers);
        containers.clear();
        DockerTestHost.dockerRun("network", "rm", network);
    }

    @Test
    void theGroupAnswersFromItsOwnRedisWhereTheCloneAloneCannot() throws Exception {
        int prodPort = DockerTestHost.hostPort(front, 8080);
        for (int i = 0; i < 5; i++) {
            assertThat(get(prodPort, "/incr/hits").body()).isEqualTo(Integer.toString(i + 1));
        }

        // Alone, the front's clone has no Redis: every call through it fails.
        String alone = front + "-alone";
        clones.add(alone);
        CloneReport single = cloneManager().clone(new CloneRequest(front, alone,
                List.of(PortPublication.parse("127.0.0.1:0:8080"))), CloneProgress.SILENT);
        assertThat(single.members()).hasSize(1);
        HttpResponse<String> aloneAnswer = get(DockerTestHost.publishedPort(single, 8080), "/get/user:1");
        assertThat(aloneAnswer.statusCode()).as(aloneAnswer.body()).isEqualTo(502);
        new CloneTeardown(engine, DockerTestHost.STATE_ROOT).destroy(alone);

        // Production's clients check every answer while the group is cloned and used.
        docker("exec", db, "redis-cli", "CONFIG", "RESETSTAT");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger prodCalls = new AtomicInteger();
        AtomicReference<String> wrong = new AtomicReference<>();
        Thread client = new Thread(() -> {
            while (!stop.get()) {
                try {
                    HttpResponse<String> r = get(prodPort, "/incr/prod-calls");
                    int n = prodCalls.incrementAndGet();
                    if (r.statusCode() != 200 || !r.body().equals(Integer.toString(n))) {
                        wrong.compareAndSet(null, "call " + n + " answered " + r.statusCode() + " " + r.body());
                    }
                } catch (Exception e) {
                    wrong.compareAndSet(null, e.toString());
                }
            }
        }, "production-client");
        client.start();

        String group = front + "-g";
        clones.add(group);
        List<String> phases = new ArrayList<>();
        CloneReport report = cloneManager().clone(new CloneRequest(front, group,
                List.of(PortPublication.parse("127.0.0.1:0:8080")), List.of(db), List.of()), new CloneProgress() {
                    @Override
                    public void finished(ClonePhase phase, Duration took, String detail) {
                        phases.add(phase + ": " + detail);
                    }
                });
        String dbClone = group + "." + db;
        assertThat(report.members()).extracting(CloneReport.Member::cloneName).containsExactly(group, dbClone);
        String dbProdIp = docker("inspect", "-f", "{{(index .NetworkSettings.Networks \"" + network + "\").IPAddress}}", db);
        assertThat(report.dependencies().get(0).productionAddresses()).anyMatch(a -> a.startsWith(dbProdIp + "/"));
        // one cut: the group's window covers each member's
        for (CloneReport.Member m : report.members()) {
            assertThat(m.frozenMillis()).isPositive().isLessThanOrEqualTo(report.frozenMillis());
        }
        assertThat(phases).anyMatch(p -> p.startsWith("DUMP") && p.contains("one cut"));

        int clonePort = DockerTestHost.publishedPort(report, 8080);
        // the Redis clone holds what production's held at the cut; by the address resolved before
        // the checkpoint and by name
        assertThat(get(clonePort, "/get/user:1").body()).isEqualTo("alice");
        assertThat(get(clonePort, "/byname/user:1").body()).isEqualTo("alice");
        assertThat(get(clonePort, "/get/hits").body()).isEqualTo("5");
        for (int i = 0; i < 3; i++) {
            assertThat(get(clonePort, "/incr/clone-writes").body()).isEqualTo(Integer.toString(i + 1));
        }
        assertThat(DockerTestHost.exec(dbClone, "redis-cli", "GET", "clone-writes")).isEqualTo("3");

        // nothing in the group reaches outside: production's Redis (from the Redis clone's own
        // address it is itself), another container on production's network, the host
        String other = network + "-other";
        containers.add(other);
        DockerTestHost.startCounterService(other, "--network", network);
        String otherIp = docker("inspect", "-f", "{{(index .NetworkSettings.Networks \"" + network + "\").IPAddress}}", other);
        DockerTestHost.awaitGet(DockerTestHost.hostPort(other, 8080), "/count");
        assertThat(connects(front, otherIp, 8080)).as("the path exists from production").isTrue();
        assertThat(connects(group, otherIp, 8080)).isFalse();
        assertThat(connects(dbClone, otherIp, 8080)).isFalse();

        Thread.sleep(500);
        stop.set(true);
        client.join();
        assertThat(wrong.get()).as("production's answers").isNull();
        assertThat(prodCalls.get()).isGreaterThan(3);
        // production's Redis got exactly production's requests: the clones' writes are not there
        assertThat(docker("exec", db, "redis-cli", "GET", "clone-writes")).isEmpty();
        assertThat(docker("exec", db, "redis-cli", "GET", "prod-calls")).isEqualTo(Integer.toString(prodCalls.get()));
        String stats = docker("exec", db, "redis-cli", "INFO", "commandstats");
        assertThat(stats).contains("cmdstat_incr:calls=" + prodCalls.get() + ",");

        // destroying the front's clone removes the whole group
        new CloneTeardown(engine, DockerTestHost.STATE_ROOT).destroy(group);
        assertThat(new CloneRuntime().state(dbClone)).isEmpty();
        assertThat(new CloneRuntime().state(group)).isEmpty();
        assertThat(Files.exists(new CloneNames(dbClone, DockerTestHost.STATE_ROOT).stateDir())).isFalse();
        assertThat(docker("network", "ls", "-q", "--filter", "name=parikshan-sbx-" + group)).isEmpty();
        assertThat(HostCommand.run(List.of("iptables-save"), Duration.ofSeconds(10)).stdout()).doesNotContain("parikshan:" + group);
    }

    @Test
    void aGroupThatCannotBeMadeIsRefusedWithNothingLeft() throws Exception {
        String lonely = network + "-lonely";
        containers.add(lonely);
        DockerTestHost.startCounterService(lonely); // on the default bridge only
        String stopped = network + "-stopped";
        containers.add(stopped);
        docker("create", "--name", stopped, DockerTestHost.IMAGE, "true");
        String dbIp = docker("inspect", "-f", "{{(index .NetworkSettings.Networks \"" + network + "\").IPAddress}}", db);
        String clone = front + "-bad";
        clones.add(clone);

        Map<List<String>, String> refused = Map.of(
                List.of("--with", network + "-nothing"), "--with '" + network + "-nothing': no container of that name",
                List.of("--with", front), "is " + front + " itself",
                List.of("--with", lonely), "is on no network " + front + " is on",
                List.of("--with", stopped), "not running",
                List.of("--allow-egress", dbIp + ":6379"), "is the address of production's " + db);
        for (Map.Entry<List<String>, String> bad : refused.entrySet()) {
            List<String> with = bad.getKey().get(0).equals("--with") ? List.of(bad.getKey().get(1)) : List.of(db);
            List<AllowedEgress> egress = bad.getKey().get(0).equals("--allow-egress")
                    ? List.of(AllowedEgress.parse(bad.getKey().get(1))) : List.of();
            assertThatThrownBy(() -> cloneManager().clone(new CloneRequest(front, clone, List.of(), with, egress),
                    CloneProgress.SILENT)).as(bad.getKey().toString())
                    .isInstanceOf(ParikshanException.class).hasMessageContaining(bad.getValue());
            assertThat(Files.exists(new CloneNames(clone, DockerTestHost.STATE_ROOT).stateDir())).isFalse();
            assertThat(Files.exists(new CloneNames(clone + "." + db, DockerTestHost.STATE_ROOT).stateDir())).isFalse();
            assertThat(docker("network", "ls", "-q", "--filter", "name=parikshan-sbx-" + clone)).isEmpty();
        }
    }

    @Test
    void anAllowedEgressAddressIsTheOneThingOutsideTheGroupItReaches() throws Exception {
        String outside = network + "-outside";
        containers.add(outside);
        DockerTestHost.startCounterService(outside, "--network", network);
        DockerTestHost.awaitGet(DockerTestHost.hostPort(outside, 8080), "/count");
        String outsideIp = docker("inspect", "-f", "{{(index .NetworkSettings.Networks \"" + network + "\").IPAddress}}", outside);
        String clone = front + "-e";
        clones.add(clone);
        CloneReport report = cloneManager().clone(new CloneRequest(front, clone, List.of(), List.of(db),
                List.of(AllowedEgress.parse(outsideIp + ":8080"))), CloneProgress.SILENT);
        assertThat(report.egress()).extracting(AllowedEgress::toString).containsExactly(outsideIp + ":8080");
        assertThat(DockerTestHost.exec(clone, "curl", "-fsS", "--max-time", "5", "http://" + outsideIp + ":8080/count"))
                .isNotBlank();
        assertThat(connects(clone, outsideIp, 8081)).as("another port of the same address").isFalse();
    }

    @Test
    void aComposeProjectIsCloneableAsTheGroupOfItsRunningContainers() throws Exception {
        // containers labelled as Docker Compose labels them: project, service
        String project = network + "-shop";
        String web = project + "-web-1";
        String cache = project + "-cache-1";
        containers.add(web);
        containers.add(cache);
        docker("run", "-d", "--name", cache, "--network", network, "--network-alias", "kv",
                "--label", ComposeProject.LABEL_PROJECT + "=" + project, "--label", ComposeProject.LABEL_SERVICE + "=cache",
                "-v", "/usr:/usr:ro", DockerTestHost.IMAGE, "redis-server", "--port", "6379", "--bind", "0.0.0.0",
                "--protected-mode", "no", "--save", "");
        awaitRedis(cache);
        docker("exec", cache, "redis-cli", "SET", "user:1", "bob");
        docker("run", "-d", "--name", web, "--network", network,
                "--label", ComposeProject.LABEL_PROJECT + "=" + project, "--label", ComposeProject.LABEL_SERVICE + "=web",
                "-v", "/usr:/usr:ro", "-v", DockerTestHost.testClasses() + ":/app:ro", "-p", "127.0.0.1::8080",
                DockerTestHost.IMAGE, "java", "-Xmx64m", "-XX:+UseSerialGC", "-cp", "/app",
                "io.parikshan.clone.testapp.RedisFrontService", "8080", "kv", "6379");
        DockerTestHost.awaitGet(DockerTestHost.hostPort(web, 8080), "/get/user:1");

        ComposeProject.Group group = ComposeProject.group(engine, project, "web");
        assertThat(group.front()).isEqualTo(web);
        assertThat(group.dependencies()).containsExactly(cache); // not the containers of other projects
        assertThatThrownBy(() -> ComposeProject.group(engine, project, "api"))
                .hasMessageContaining("no service or container 'api' runs in compose project '" + project + "' (its services: cache, web)");
        assertThatThrownBy(() -> ComposeProject.group(engine, project + "-none", "web"))
                .hasMessageContaining("has no running containers");

        String clone = web + "-c";
        clones.add(clone);
        CloneReport report = cloneManager().clone(new CloneRequest(group.front(), clone,
                List.of(PortPublication.parse("127.0.0.1:0:8080")), group.dependencies(), List.of()), CloneProgress.SILENT);
        assertThat(report.dependencies()).extracting(CloneReport.Member::production).containsExactly(cache);
        assertThat(get(DockerTestHost.publishedPort(report, 8080), "/get/user:1").body()).isEqualTo("bob");
    }

    private static boolean connects(String container, String ip, int port) {
        return DockerTestHost.execResult(container, "timeout", "3", "bash", "-c",
                "exec 3<>/dev/tcp/" + ip + "/" + port).ok();
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void awaitRedis(String container) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            if (DockerTestHost.execResult(container, "redis-cli", "PING").stdout().contains("PONG")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("redis in " + container + " did not answer");
    }
}
