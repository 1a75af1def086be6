package io.parikshan.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.parikshan.contract.ParikshanException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;

/**
 * A command run with {@code --json} that fails still prints one JSON object on stdout, so a
 * script reads a result either way: {@code {"ok": false, "command": "clone", "error": "<the
 * one-line message>", "log": "<a log that tells more, or null>"}}. The line on stderr stays.
 */
final class JsonFailure {

    static final String OPTION = "--json";

    private JsonFailure() {
    }

    /** Whether the failing (sub)command has a --json option and the user gave it. */
    static boolean wanted(CommandLine cmd) {
        CommandLine.ParseResult parsed = cmd.getParseResult();
        return cmd.getCommandSpec().findOption(OPTION) != null && parsed != null && parsed.hasMatchedOption(OPTION);
    }

    /** The fields, in the order printed. */
    static Map<String, Object> fields(String command, String error, Path log) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", false);
        m.put("command", command);
        m.put("error", error);
        m.put("log", log == null ? null : log.toString());
        return m;
    }

    /** Prints the failure on the command's stdout when it was run with --json. */
    static void printIfWanted(CommandLine cmd, String error, Throwable failure) {
        if (!wanted(cmd)) {
            return;
        }
        String command = cmd.getCommandSpec().qualifiedName().replaceFirst("^parikshan ", "");
        try {
            cmd.getOut().println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(fields(command, error, log(failure).orElse(null))));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings always serializes", e);
        }
        cmd.getOut().flush();
    }

    /** The log named by the failure or one of its causes. */
    static Optional<Path> log(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ParikshanException p && p.log().isPresent()) {
                return p.log();
            }
        }
        return Optional.empty();
    }
}
