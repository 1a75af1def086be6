package io.parikshan.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;

/**
 * A command's {@code --config FILE}: Java properties under the long option names without the
 * dashes, overlaid by the command line (an option given wins over the file). Problems are an
 * {@link IllegalArgumentException} whose message is one line naming the value and what to do.
 */
final class ConfigFile {

    private final Path file;
    private final Set<String> keys;
    private final Properties values;

    private ConfigFile(Path file, Set<String> keys, Properties values) {
        this.file = file;
        this.keys = keys;
        this.values = values;
    }

    /**
     * Reads {@code file}, or no file if it is null.
     *
     * @param keys the keys a file may hold, comma-separated; the same text is the {@code --config}
     *             help, so the help lists exactly what is read
     */
    static ConfigFile read(Path file, String keys) {
        Set<String> known = Set.copyOf(Arrays.stream(keys.split(",")).map(String::strip).toList());
        Properties values = new Properties();
        if (file == null) {
            return new ConfigFile(null, known, values);
        }
        Path absolute = file.toAbsolutePath();
        try (Reader r = Files.newBufferedReader(absolute)) {
            values.load(r);
        } catch (IOException | IllegalArgumentException e) { // the latter: a malformed \\uXXXX escape
            throw new IllegalArgumentException("cannot read config file " + absolute + ": " + e.getMessage()
                    + "; check the path and its permissions");
        }
        for (String key : values.stringPropertyNames()) {
            if (!known.contains(key)) {
                throw new IllegalArgumentException("unknown key '" + key + "' in config file " + absolute
                        + "; known keys: " + String.join(", ", known.stream().sorted().toList()));
            }
        }
        return new ConfigFile(absolute, known, values);
    }

    /** The option's value if it was given, else the file's (null: neither). */
    String value(String option, String key) {
        return option != null ? option : fileValue(key);
    }

    /** The option's values if it was given, else the file's comma-separated list (empty: neither). */
    List<String> list(List<String> option, String key) {
        if (option != null && !option.isEmpty()) {
            return option;
        }
        String listed = fileValue(key);
        return listed == null ? List.of()
                : Arrays.stream(listed.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    /** A switch: on if the option was given or the file says {@code true}; the file may only say true or false. */
    boolean flag(boolean option, String key) {
        String text = fileValue(key);
        if (text == null) {
            return option;
        }
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (!t.equals("true") && !t.equals("false")) {
            throw new IllegalArgumentException(key + "=" + text + " in config file " + file + " must be true or false");
        }
        return option || t.equals("true");
    }

    private String fileValue(String key) {
        if (!keys.contains(key)) {
            throw new IllegalStateException("'" + key + "' is not among the config keys " + keys); // a bug, not bad input
        }
        return values.getProperty(key);
    }
}
