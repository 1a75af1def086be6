package io.parikshan.agent.host;

import java.util.List;

/** The agent's answer to one command: the lines after {@code ok}. */
public record AgentReply(List<String> lines) {

    public AgentReply {
        lines = List.copyOf(lines);
    }

    public boolean has(String prefix) {
        return lines.stream().anyMatch(l -> l.startsWith(prefix));
    }

    /** The first line starting with {@code prefix}, without the prefix. */
    public String value(String prefix) {
        return lines.stream().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length()).strip())
                .findFirst().orElseThrow(() -> new IllegalStateException("agent reply lacks '" + prefix + "': " + lines));
    }
}
