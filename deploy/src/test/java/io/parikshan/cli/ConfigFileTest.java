package io.parikshan.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ConfigFileTest {

    @TempDir
    Path dir;

    @Test
    void optionsWinOverTheFileAndListsAreCommaSeparated() throws Exception {
        Path file = write("a=from file\nb= x , y,,z \n");
        ConfigFile c = ConfigFile.read(file, "a, b, c");
        assertThat(c.value(null, "a")).isEqualTo("from file");
        assertThat(c.value("given", "a")).isEqualTo("given");
        assertThat(c.value(null, "c")).isNull();
        assertThat(c.list(List.of(), "b")).containsExactly("x", "y", "z");
        assertThat(c.list(List.of("w"), "b")).containsExactly("w");
        assertThat(c.list(List.of(), "c")).isEmpty();
    }

    @Test
    void noFileMeansOnlyTheOptions() {
        ConfigFile c = ConfigFile.read(null, "a, on");
        assertThat(c.value(null, "a")).isNull();
        assertThat(c.flag(false, "on")).isFalse();
        assertThat(c.flag(true, "on")).isTrue();
    }

    @Test
    void anUnknownKeyIsOneLineNamingTheKeyTheFileAndTheKnownKeys() throws Exception {
        Path file = write("a=1\nclones=2\n");
        assertThatThrownBy(() -> ConfigFile.read(file, "b, a"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown key 'clones' in config file " + file.toAbsolutePath() + "; known keys: a, b");
    }

    @Test
    void anUnreadableFileIsNamed() {
        Path missing = dir.resolve("missing.properties");
        assertThatThrownBy(() -> ConfigFile.read(missing, "a"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(missing.toAbsolutePath().toString())
                .hasMessageContaining("check the path");
    }

    @Test
    void aSwitchInTheFileIsTrueOrFalse() throws Exception {
        assertThat(ConfigFile.read(write("on=TRUE\n"), "on").flag(false, "on")).isTrue();
        assertThat(ConfigFile.read(write("on=false\n"), "on").flag(true, "on")).isTrue();
        Path yes = write("on=yes\n");
        assertThatThrownBy(() -> ConfigFile.read(yes, "on").flag(false, "on"))
                .hasMessage("on=yes in config file " + yes.toAbsolutePath() + " must be true or false");
    }

    /** The --config help is built from the very keys the file may hold, so none can be left out again. */
    @Test
    void theConfigHelpOfCloneAndProxyListsEveryKey() {
        CommandLine cli = Parikshan.commandLine();
        assertThat(keysInHelp(cli.getSubcommands().get("clone")))
                .containsExactlyInAnyOrder(split(SessionOptions.CONFIG_KEYS))
                .contains("port", "strategy", "sample", "compare", "ignore-body-regex", "noise-clones", "resync-on-divergence",
                        "with", "allow-egress", "candidate", "candidate-image", "on", "ssh-config")
                .hasSize(25);
        assertThat(keysInHelp(cli.getSubcommands().get("proxy")))
                .containsExactlyInAnyOrder(split(ProxySettings.CONFIG_KEYS))
                .contains("clone", "udp", "strategy", "divergence-log")
                .hasSize(15);
    }

    /** Each key is an option of its command and each option a key, but for the few that only make sense typed. */
    @Test
    void theConfigKeysAreExactlyTheOptionsAFileMaySet() {
        CommandLine cli = Parikshan.commandLine();
        // what is cloned alone (CONTAINER, a Compose project, the clone's name and ports) is said on the command line
        assertThat(optionsBut(cli.getSubcommands().get("clone"), "compose-project", "name",
                "publish", "json", "config", "session", "agent-jar", "docker-host", "state-dir", "help", "version"))
                .containsExactlyInAnyOrder(split(SessionOptions.CONFIG_KEYS));
        assertThat(optionsBut(cli.getSubcommands().get("proxy"), "config", "io-threads", "help", "version"))
                .containsExactlyInAnyOrder(split(ProxySettings.CONFIG_KEYS));
    }

    private static List<String> optionsBut(CommandLine command, String... commandLineOnly) {
        return command.getCommandSpec().options().stream().map(CommandLine.Model.OptionSpec::longestName)
                .map(n -> n.replaceFirst("^--", "")).filter(n -> !List.of(commandLineOnly).contains(n)).toList();
    }

    @Test
    void bothCommandsShareTheDuplicationOptions() {
        CommandLine cli = Parikshan.commandLine();
        for (String option : List.of("--strategy", "--sample", "--compare", "--ignore-header", "--ignore-json",
                "--ignore-body-regex", "--noise-clones", "--divergence-log")) {
            String clone = String.join(" ", cli.getSubcommands().get("clone").getCommandSpec().findOption(option).description());
            String proxy = String.join(" ", cli.getSubcommands().get("proxy").getCommandSpec().findOption(option).description());
            assertThat(clone).as(option).isNotBlank().isEqualTo(proxy);
        }
    }

    private static List<String> keysInHelp(CommandLine command) {
        String help = String.join(" ", command.getCommandSpec().findOption("--config").description());
        String keys = help.substring(help.indexOf("(keys: ") + "(keys: ".length(), help.indexOf(")", help.indexOf("(keys: ")));
        return Arrays.stream(keys.split(",")).map(String::strip).toList();
    }

    private static String[] split(String keys) {
        return Arrays.stream(keys.split(",")).map(String::strip).toArray(String[]::new);
    }

    private Path write(String text) throws Exception {
        Path file = Files.createTempFile(dir, "config", ".properties");
        Files.writeString(file, text);
        return file;
    }
}
