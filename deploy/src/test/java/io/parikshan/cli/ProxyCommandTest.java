package io.parikshan.cli;

import io.parikshan.proxy.ByteSize;
import io.parikshan.proxy.CloneTarget;
import io.parikshan.proxy.DuplicationStrategy;
import io.parikshan.proxy.HostPort;
import io.parikshan.proxy.fidelity.CompareMode;
import io.parikshan.proxy.fidelity.FidelityConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProxyCommandTest {

    private static ProxySettings parse(String... args) {
        ProxyCommand command = new ProxyCommand();
        new CommandLine(command).parseArgs(args);
        return command.settings();
    }

    /** Runs the real CLI tree; returns exit code and what went to stderr. */
    private static String[] run(String... args) {
        StringWriter err = new StringWriter();
        CommandLine cl = Parikshan.commandLine();
        cl.setErr(new PrintWriter(err));
        cl.setOut(new PrintWriter(new StringWriter()));
        int code = cl.execute(args);
        return new String[] {String.valueOf(code), err.toString()};
    }

    @Test
    void all_flags_are_parsed_into_the_duplicator_config() {
        ProxySettings s = parse("--listen", "0.0.0.0:8080", "--production", "127.0.0.1:9000",
                "--clone", "127.0.0.1:9001", "--clone", "second=[::1]:9002", "--strategy", "sync",
                "--sample", "0.25", "--connection-budget", "1MiB", "--global-budget", "1GiB",
                "--metrics", "127.0.0.1:9999");
        assertThat(s.duplicator().listen()).isEqualTo(new HostPort("0.0.0.0", 8080));
        assertThat(s.duplicator().production()).isEqualTo(new HostPort("127.0.0.1", 9000));
        assertThat(s.duplicator().clones()).containsExactly(
                new CloneTarget("127.0.0.1_9001", new HostPort("127.0.0.1", 9001)),
                new CloneTarget("second", new HostPort("::1", 9002)));
        assertThat(s.duplicator().strategy()).isEqualTo(DuplicationStrategy.SYNC);
        assertThat(s.duplicator().sampleRate()).isEqualTo(0.25);
        assertThat(s.duplicator().connectionBudget()).isEqualTo(ByteSize.ofMebibytes(1));
        assertThat(s.duplicator().globalBudget().bytes()).isEqualTo(1L << 30);
        assertThat(s.metrics()).contains(new HostPort("127.0.0.1", 9999));
        assertThat(s.udp()).isFalse();
    }

    @Test
    void defaults_are_async_everything_sampled_and_metrics_on_loopback() {
        ProxySettings s = parse("--listen", "127.0.0.1:8080", "--production", "127.0.0.1:9000", "--udp");
        assertThat(s.duplicator().strategy()).isEqualTo(DuplicationStrategy.ASYNC);
        assertThat(s.duplicator().sampleRate()).isEqualTo(1.0);
        assertThat(s.metrics()).contains(new HostPort("127.0.0.1", 9464));
        assertThat(s.udp()).isTrue();
        assertThat(parse("--listen", "127.0.0.1:8080", "--production", "127.0.0.1:9000", "--metrics", "off").metrics()).isEmpty();
    }

    @Test
    void the_config_file_supplies_values_and_flags_win(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("proxy.properties");
        Files.writeString(file, """
                listen=127.0.0.1:8080
                production=127.0.0.1:9000
                clone=a=127.0.0.1:9001, b=127.0.0.1:9002
                connection-budget=64KiB
                udp=true
                """);
        ProxySettings s = parse("--config", file.toString(), "--listen", "127.0.0.1:7070");
        assertThat(s.duplicator().listen().port()).isEqualTo(7070);
        assertThat(s.duplicator().clones()).extracting(CloneTarget::name).containsExactly("a", "b");
        assertThat(s.duplicator().connectionBudget().bytes()).isEqualTo(64 * 1024);
        assertThat(s.udp()).isTrue();
    }

    @Test
    void bad_values_give_one_line_naming_the_value_and_exit_2() {
        String[][] cases = {
                {"--listen", "localhost", "nope"},
                {"--production", "127.0.0.1:99999", "99999"},
                {"--clone", "127.0.0.1:x", "'x'"},
                {"--strategy", "fast", "'fast'"},
                {"--sample", "0", "'0'"},
                {"--sample", "half", "'half'"},
                {"--connection-budget", "12XB", "'12XB'"},
                {"--global-budget", "1KiB", "exceeds global budget 1KiB"},
                {"--metrics", "9464", "'9464'"},
                {"--io-threads", "0", "'0'"},
                {"--compare", "sometimes", "'sometimes'"},
                {"--ignore-header", "X Bad", "'X Bad'"},
                {"--ignore-json", "a..b", "'a..b'"},
                {"--ignore-body-regex", "(open", "'(open'"},
                {"--divergence-log", "-1", "'-1'"},
                {"--noise-clones", null, "at least two --clone"},
        };
        for (String[] c : cases) {
            java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("proxy", "--metrics", "off"));
            if (!c[0].equals("--listen")) {
                args.addAll(java.util.List.of("--listen", "127.0.0.1:0"));
            }
            if (!c[0].equals("--production")) {
                args.addAll(java.util.List.of("--production", "127.0.0.1:1"));
            }
            if (c[0].equals("--metrics")) {
                args.remove(1);
                args.remove(1);
            }
            if (c[0].startsWith("--ignore") || c[0].startsWith("--divergence") || c[0].equals("--noise-clones")) {
                args.addAll(java.util.List.of("--compare", "auto", "--clone", "127.0.0.1:2"));
            }
            args.add(c[0]);
            if (c[1] != null) {
                args.add(c[1]);
            }
            String[] result = run(args.toArray(String[]::new));
            assertThat(result[0]).as("exit code for %s %s", c[0], c[1]).isEqualTo("2");
            assertThat(result[1].strip().lines()).as("stderr for %s %s", c[0], c[1]).hasSize(1);
            assertThat(result[1]).contains(c[0]).contains(c[2].equals("nope") ? "localhost" : c[2]);
        }
    }

    @Test
    void comparison_options_become_the_fidelity_config_and_default_to_off(@TempDir Path dir) throws Exception {
        assertThat(parse("--listen", "127.0.0.1:1", "--production", "127.0.0.1:2").duplicator().fidelity())
                .isEqualTo(FidelityConfig.OFF);
        FidelityConfig f = parse("--listen", "127.0.0.1:1", "--production", "127.0.0.1:2", "--clone", "a=127.0.0.1:3",
                "--clone", "b=127.0.0.1:4", "--compare", "HTTP", "--ignore-header", "X-Request-Id", "--ignore-json", "$.meta.id",
                "--ignore-body-regex", "t=[0-9]+", "--ignore-body-regex", "id=[a-f0-9]{32}", "--noise-clones",
                "--divergence-log", "5").duplicator().fidelity();
        assertThat(f.mode()).isEqualTo(CompareMode.HTTP);
        assertThat(f.rules().ignoredHeaders()).containsExactlyInAnyOrder("date", "x-request-id");
        assertThat(f.rules().ignoredJsonPaths()).extracting(Object::toString).containsExactly("$.meta.id");
        assertThat(f.rules().bodyRegexSources()).containsExactly("t=[0-9]+", "id=[a-f0-9]{32}");
        assertThat(f.twoCloneNoise()).isTrue();
        assertThat(f.divergenceLogSize()).isEqualTo(5);

        Path file = dir.resolve("proxy.properties");
        Files.writeString(file, """
                listen=127.0.0.1:8080
                production=127.0.0.1:9000
                clone=a=127.0.0.1:9001
                compare=auto
                ignore-header=X-A, X-B
                ignore-json=items[*].at
                ignore-body-regex=n=[0-9]{1,3}
                divergence-log=7
                """);
        FidelityConfig fromFile = parse("--config", file.toString(), "--compare", "tcp").duplicator().fidelity();
        assertThat(fromFile.mode()).isEqualTo(CompareMode.TCP);
        assertThat(fromFile.rules().ignoredHeaders()).containsExactlyInAnyOrder("date", "x-a", "x-b");
        assertThat(fromFile.rules().bodyRegexSources()).containsExactly("n=[0-9]{1,3}");
        assertThat(fromFile.divergenceLogSize()).isEqualTo(7);
    }

    @Test
    void comparison_rules_without_compare_or_with_udp_are_refused_in_one_line() {
        String[] noCompare = run("proxy", "--metrics", "off", "--listen", "127.0.0.1:0", "--production", "127.0.0.1:1",
                "--ignore-header", "X-Request-Id");
        assertThat(noCompare[0]).isEqualTo("2");
        assertThat(noCompare[1].strip().lines()).hasSize(1);
        assertThat(noCompare[1]).contains("--ignore-header").contains("add --compare auto");
        String[] udp = run("proxy", "--metrics", "off", "--listen", "127.0.0.1:0", "--production", "127.0.0.1:1",
                "--udp", "--compare", "auto");
        assertThat(udp[0]).isEqualTo("2");
        assertThat(udp[1]).contains("--compare auto").contains("TCP only");
    }

    @Test
    void a_run_with_compare_reports_each_clones_fidelity_when_stopped() throws Exception {
        com.sun.net.httpserver.HttpServer production = httpServer("version 1");
        com.sun.net.httpserver.HttpServer clone = httpServer("version 2");
        ProxyCommand command = new ProxyCommand();
        CommandLine cl = new CommandLine(command);
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(new StringWriter()));
        java.util.concurrent.CompletableFuture<Integer> exit = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> cl.execute("--listen", "127.0.0.1:0", "--production", "127.0.0.1:" + production.getAddress().getPort(),
                        "--clone", "candidate=127.0.0.1:" + clone.getAddress().getPort(), "--metrics", "off", "--compare", "auto"));
        try {
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
            while (command.running == null && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(command.running).as("proxy running").isNotNull();
            java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
            java.net.http.HttpResponse<String> answer = client.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + command.running.localAddress().getPort() + "/v")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(answer.body()).as("the client gets production's answer").isEqualTo("version 1");
            while (command.running.fidelity().clone("candidate").orElseThrow().comparedExchanges() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        } finally {
            command.stop();
            production.stop(0);
            clone.stop(0);
        }
        assertThat(exit.get(20, java.util.concurrent.TimeUnit.SECONDS)).isZero();
        assertThat(out.toString()).contains("compare auto")
                .contains("clone candidate fidelity: 1 exchanges compared, 1 divergent (ratio 1.0000)");
    }

    private static com.sun.net.httpserver.HttpServer httpServer(String body) throws java.io.IOException {
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            byte[] b = body.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, b.length);
            exchange.getResponseBody().write(b);
            exchange.close();
        });
        server.start();
        return server;
    }

    @Test
    void missing_required_addresses_and_bad_files_are_named() {
        assertThat(run("proxy", "--production", "127.0.0.1:1")[1]).contains("missing --listen");
        assertThat(run("proxy", "--listen", "127.0.0.1:1")[1]).contains("missing --production");
        String[] noFile = run("proxy", "--config", "does-not-exist.properties");
        assertThat(noFile[0]).isEqualTo("2");
        assertThat(noFile[1]).contains(Path.of("does-not-exist.properties").toAbsolutePath().toString());
        assertThatThrownBy(() -> parse("--listen", "127.0.0.1:1", "--production", "127.0.0.1:2",
                "--clone", "a=127.0.0.1:3", "--clone", "a=127.0.0.1:4"))
                .hasMessageContaining("'a' is used twice");
    }

    @Test
    void an_unknown_key_in_the_config_file_is_refused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("proxy.properties");
        Files.writeString(file, "listen=127.0.0.1:1\nproduction=127.0.0.1:2\nclones=127.0.0.1:3\n");
        assertThatThrownBy(() -> parse("--config", file.toString()))
                .hasMessageContaining("unknown key 'clones'").hasMessageContaining(file.toString());
    }

    @Test
    void a_listen_address_in_use_is_a_one_line_start_failure() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            String[] result = run("proxy", "--listen", "127.0.0.1:" + taken.getLocalPort(), "--production", "127.0.0.1:1",
                    "--metrics", "off");
            assertThat(result[0]).isEqualTo("1");
            assertThat(result[1].strip().lines()).hasSize(1);
            assertThat(result[1]).contains("cannot listen on 127.0.0.1:" + taken.getLocalPort());
        }
    }

    @Test
    void edits_of_the_config_files_clone_list_are_applied_while_running(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("proxy.properties");
        Files.writeString(file, "listen=127.0.0.1:0\nproduction=127.0.0.1:1\nclone=a=127.0.0.1:2\nmetrics=off\n");
        ProxyCommand command = new ProxyCommand();
        CommandLine cl = new CommandLine(command);
        cl.setOut(new PrintWriter(new StringWriter()));
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        java.util.concurrent.CompletableFuture<Integer> exit = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> cl.execute("--config", file.toString()));
        try {
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
            while (command.running == null && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(command.running).as("proxy running").isNotNull();
            assertThat(command.running.clones()).extracting(CloneTarget::name).containsExactly("a");

            Files.writeString(file, "listen=127.0.0.1:0\nproduction=127.0.0.1:1\nclone=b=127.0.0.1:3, c=127.0.0.1:4\nmetrics=off\n");
            Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
            while (!command.running.clones().stream().map(CloneTarget::name).toList().equals(java.util.List.of("b", "c"))
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(command.running.clones()).extracting(CloneTarget::name).containsExactly("b", "c");
        } finally {
            command.stop();
        }
        assertThat(exit.get(20, java.util.concurrent.TimeUnit.SECONDS)).isZero();
        assertThat(command.running).isNull();
    }
}
