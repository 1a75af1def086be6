package io.parikshan.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parikshan.contract.ParikshanException;
import io.parikshan.proxy.DuplicationStrategy;
import io.parikshan.proxy.HostPort;
import io.parikshan.proxy.fidelity.CompareMode;
import io.parikshan.session.SessionConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The session options and their config file, resolved without an engine. */
class SessionOptionsTest {

    @TempDir
    Path dir;

    private static SessionOptions parse(String... args) {
        CloneCommand command = new CloneCommand();
        new CommandLine(command).parseArgs(args);
        return command.sessionOptions;
    }

    @Test
    void everyConfigKeyIsRead() throws Exception {
        Path suite = Files.createFile(dir.resolve("suite.jar"));
        Path file = dir.resolve("session.properties");
        Files.writeString(file, """
                port=8080
                listen=127.0.0.1:7000
                tests=%s
                clones=2
                strategy=sync
                sample=0.5
                metrics=127.0.0.1:9465
                resync-every=10m
                resync-after-desyncs=3
                resync-backoff=5s
                drain=4s
                status-every=0s
                compare=http
                ignore-header=X-A, X-B
                ignore-json=$.id
                ignore-body-regex=n=[0-9]{1,3}
                noise-clones=true
                divergence-log=7
                resync-on-divergence=0.05
                with=db, cache
                allow-egress=10.0.0.5:5432
                """.formatted(suite));
        SessionOptions options = parse("web", "--config", file.toString());
        assertThat(options.wanted()).isTrue();
        SessionConfig c = options.resolve("web", List.of(), List.of());
        assertThat(c.with()).containsExactly("db", "cache");
        assertThat(c.egress()).extracting(Object::toString).containsExactly("10.0.0.5:5432");
        // the command line wins
        assertThat(options.resolve("web", List.of("redis"), List.of()).with()).containsExactly("redis");
        assertThat(c.containerPort()).contains(8080);
        assertThat(c.listen()).contains(new HostPort("127.0.0.1", 7000));
        assertThat(c.suites()).containsExactly(suite);
        assertThat(c.clones()).isEqualTo(2);
        assertThat(c.strategy()).isEqualTo(DuplicationStrategy.SYNC);
        assertThat(c.sampleRate()).isEqualTo(0.5);
        assertThat(c.metrics()).isEqualTo(new HostPort("127.0.0.1", 9465));
        assertThat(c.resyncEvery()).contains(Duration.ofMinutes(10));
        assertThat(c.resyncAfterDesyncs()).isEqualTo(3);
        assertThat(c.resyncBackoff()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.drain()).isEqualTo(Duration.ofSeconds(4));
        assertThat(c.statusEvery()).isZero();
        assertThat(c.fidelity().mode()).isEqualTo(CompareMode.HTTP);
        assertThat(c.fidelity().rules().ignoredHeaders()).containsExactlyInAnyOrder("date", "x-a", "x-b");
        assertThat(c.fidelity().rules().ignoredJsonPaths()).hasSize(1);
        assertThat(c.fidelity().rules().bodyRegexSources()).containsExactly("n=[0-9]{1,3}");
        assertThat(c.fidelity().twoCloneNoise()).isTrue();
        assertThat(c.fidelity().divergenceLogSize()).isEqualTo(7);
        assertThat(c.resyncOnDivergence()).contains(0.05);
    }

    @Test
    void optionsWinOverTheFile() throws Exception {
        Path file = dir.resolve("session.properties");
        Files.writeString(file, "strategy=sync\nsample=0.5\ncompare=http\ndrain=4s\n");
        SessionConfig c = parse("web", "--config", file.toString(), "--strategy", "async", "--sample", "0.25",
                "--compare", "tcp", "--drain", "1s").resolve("web");
        assertThat(c.strategy()).isEqualTo(DuplicationStrategy.ASYNC);
        assertThat(c.sampleRate()).isEqualTo(0.25);
        assertThat(c.fidelity().mode()).isEqualTo(CompareMode.TCP);
        assertThat(c.drain()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void theSharedOptionsAloneAskForASession() {
        assertThat(parse("web").wanted()).isFalse();
        assertThat(parse("web", "--sample", "0.5").wanted()).isTrue();
        assertThat(parse("web", "--noise-clones").wanted()).isTrue();
    }

    @Test
    void badValuesAndKeysAreOneLineUserErrors() throws Exception {
        Path file = dir.resolve("session.properties");
        Files.writeString(file, "port=8080\nclone=2\n");
        assertThatThrownBy(() -> parse("web", "--config", file.toString()).resolve("web"))
                .isInstanceOf(ParikshanException.class)
                .hasMessageContaining("unknown key 'clone'").hasMessageContaining(file.toString()).hasMessageContaining("clones");
        assertThatThrownBy(() -> parse("web", "--strategy", "fast").resolve("web"))
                .isInstanceOf(ParikshanException.class).hasMessageContaining("--strategy").hasMessageContaining("'fast'");
        assertThatThrownBy(() -> parse("web", "--sample", "0").resolve("web"))
                .isInstanceOf(ParikshanException.class).hasMessageContaining("--sample").hasMessageContaining("(0, 1]");
        assertThatThrownBy(() -> parse("web", "--compare", "bytes").resolve("web"))
                .isInstanceOf(ParikshanException.class).hasMessageContaining("--compare").hasMessageContaining("bytes");
        assertThatThrownBy(() -> parse("web", "--ignore-header", "X-Id").resolve("web"))
                .isInstanceOf(ParikshanException.class).hasMessageContaining("--ignore-header").hasMessageContaining("add --compare auto");
        assertThatThrownBy(() -> parse("web", "--compare", "auto", "--noise-clones").resolve("web"))
                .isInstanceOf(ParikshanException.class).hasMessageContaining("--noise-clones").hasMessageContaining("--clones 2");
        assertThatThrownBy(() -> parse("web", "--drain", "ten").resolve("web"))
                .isInstanceOf(ParikshanException.class).hasMessageContaining("--drain 'ten'").hasMessageContaining("30s");
    }

    @Test
    void aDivergenceLogWithoutComparisonIsAcceptedForASession() {
        assertThat(parse("web", "--divergence-log", "5").resolve("web").fidelity().enabled()).isFalse();
    }

    @Test
    void aCandidateRunsTwoClonesComparedOverHttpUnlessTold() throws Exception {
        Path patch = Files.createFile(dir.resolve("fix.jar"));
        SessionConfig c = parse("--candidate", patch.toString()).resolve("shop");
        assertThat(c.candidate()).contains(patch);
        assertThat(c.clones()).isEqualTo(2);
        assertThat(c.fidelity().mode()).isEqualTo(CompareMode.AUTO);
        assertThat(parse("--candidate", patch.toString(), "--compare", "http").resolve("shop").fidelity().mode())
                .isEqualTo(CompareMode.HTTP);
        assertThatThrownBy(() -> parse("--candidate", patch.toString(), "--clones", "3").resolve("shop"))
                .isInstanceOf(ParikshanException.class).hasMessageContaining("--clones 3");
        assertThat(parse("--candidate", patch.toString(), "--compare", "tcp").resolve("shop").fidelity().mode())
                .isEqualTo(CompareMode.TCP);
        assertThatThrownBy(() -> parse("--candidate", patch.toString(), "--compare", "off").resolve("shop"))
                .isInstanceOf(ParikshanException.class).hasMessageContaining("--compare off");
        Path file = dir.resolve("trial.properties");
        Files.writeString(file, "candidate=" + patch + "\ncompare=http\n");
        assertThat(parse("--config", file.toString()).resolve("shop").candidate()).contains(patch);
        assertThatThrownBy(() -> parse("--candidate", dir.resolve("nope.jar").toString()).resolve("shop"))
                .isInstanceOf(ParikshanException.class).hasMessageContaining("nope.jar").hasMessageContaining("is not a jar file");
    }

    @Test
    void aCandidateImageMakesAPairJudgedByItsAnswersAndExcludesAPatchJar(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        SessionConfig c = parse("--candidate-image", "shop:fixed").resolve("shop");
        assertThat(c.candidateImage()).contains("shop:fixed");
        assertThat(c.candidateOnTrial()).isTrue();
        assertThat(c.clones()).isEqualTo(2);
        assertThat(c.fidelity().enabled()).isTrue();
        Path patch = java.nio.file.Files.createFile(dir.resolve("fix.jar"));
        assertThatThrownBy(() -> parse("--candidate", patch.toString(), "--candidate-image", "shop:fixed").resolve("shop"))
                .isInstanceOf(ParikshanException.class).hasMessageContaining("--candidate fix.jar and --candidate-image shop:fixed both given");
        assertThatThrownBy(() -> parse("--candidate-image", "shop:fixed", "--clones", "3").resolve("shop"))
                .isInstanceOf(ParikshanException.class).hasMessageContaining("--clones 3");
        // a service that calls others: the candidate in its own copy of the group
        assertThat(parse("--candidate-image", "shop:fixed").resolve("shop", List.of("db"), List.of()).with()).containsExactly("db");
        assertThat(parse("--candidate", patch.toString()).resolve("shop", List.of("db"), List.of()).with()).containsExactly("db");
    }

    @Test
    void aCandidateOfEitherKindRunsOnATestHost(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        io.parikshan.clone.remote.Ssh testHost = new io.parikshan.clone.remote.Ssh(io.parikshan.clone.remote.TestHostAddress.parse("root@th"), null);
        Path patch = java.nio.file.Files.createFile(dir.resolve("fix.jar"));
        SessionConfig patched = parse("--candidate", patch.toString()).resolve("shop").onTestHost(testHost);
        assertThat(patched.candidate()).contains(patch);
        assertThat(patched.testHost()).isSameAs(testHost);
        SessionConfig image = parse("--candidate-image", "shop:fixed").resolve("shop").onTestHost(testHost);
        assertThat(image.candidateImage()).contains("shop:fixed");
        assertThat(image.testHost()).isSameAs(testHost);
    }
}
