package io.parikshan.session;

import io.parikshan.clone.HostCommand;
import io.parikshan.contract.ParikshanException;
import io.parikshan.proxy.HostPort;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Moves clients from production's published host port to the proxy, without touching production:
 * an iptables {@code nat} REDIRECT rule, inserted before Docker's own rules, sends every NEW
 * connection to the published port to the proxy's port. The switch is one rule insert, so no
 * client is refused while it happens. Connections opened before it keep their existing NAT
 * mapping: they go on talking to production directly, and are not duplicated. Removing the rule
 * sends new connections straight to production again.
 *
 * <p>Should this JVM die without removing the rule (kill -9, OOM), clients would be redirected to
 * a port nobody listens on; a detached guard process waits for this JVM to exit and removes the
 * rules then, so production is reachable again within a second.
 */
public final class PortTakeover implements AutoCloseable {

    static final String COMMENT_PREFIX = "parikshan-takeover:";
    private static final Duration IPTABLES_TIMEOUT = Duration.ofSeconds(20);

    private final List<List<String>> rules;
    private final Process guard;
    private boolean removed;

    private PortTakeover(List<List<String>> rules, Process guard) {
        this.rules = rules;
        this.guard = guard;
    }

    /**
     * Redirects new connections to {@code published} to {@code proxyPort} on the same host.
     *
     * @param tag names the rules (the production container), so stale ones can be found
     */
    public static PortTakeover redirect(String tag, HostPort published, int proxyPort) {
        return redirect(tag, published, proxyPort, false);
    }

    /**
     * As above, for a UDP port when {@code udp}: new flows (a client address and port not seen
     * within conntrack's UDP timeout) go to the proxy, flows already under way stay with production.
     */
    public static PortTakeover redirect(String tag, HostPort published, int proxyPort, boolean udp) {
        removeStale(tag::equals);
        List<List<String>> rules = rules(tag, published, proxyPort, udp);
        List<List<String>> inserted = new ArrayList<>();
        try {
            for (List<String> rule : rules) {
                iptables("-I", rule, "redirecting " + published + " to the proxy");
                inserted.add(rule);
            }
            return new PortTakeover(rules, guard(rules));
        } catch (RuntimeException e) {
            inserted.forEach(r -> HostCommand.run(command("-D", r), IPTABLES_TIMEOUT));
            throw e;
        }
    }

    /** Whether the proxy must listen on every address (the published address is not loopback). */
    public static boolean needsWildcardListen(HostPort published) {
        return !isLoopback(published.host());
    }

    static List<List<String>> rules(String tag, HostPort published, int proxyPort) {
        return rules(tag, published, proxyPort, false);
    }

    static List<List<String>> rules(String tag, HostPort published, int proxyPort, boolean udp) {
        List<String> match = new ArrayList<>(List.of("-p", udp ? "udp" : "tcp"));
        if (published.host().equals("0.0.0.0") || published.host().equals("::")) {
            match.addAll(List.of("-m", "addrtype", "--dst-type", "LOCAL"));
        } else {
            match.addAll(List.of("-d", published.host()));
        }
        match.addAll(List.of("--dport", Integer.toString(published.port()),
                "-m", "comment", "--comment", COMMENT_PREFIX + tag,
                "-j", "REDIRECT", "--to-ports", Integer.toString(proxyPort)));
        List<List<String>> rules = new ArrayList<>();
        // OUTPUT: clients on this host; PREROUTING: clients elsewhere (not for a loopback address)
        rules.add(withChain("OUTPUT", match));
        if (!isLoopback(published.host())) {
            rules.add(withChain("PREROUTING", match));
        }
        return rules;
    }

    private static List<String> withChain(String chain, List<String> match) {
        List<String> r = new ArrayList<>(List.of("-t", "nat", chain));
        r.addAll(match);
        return r;
    }

    private static boolean isLoopback(String host) {
        return host.startsWith("127.") || host.equals("::1") || host.equals("localhost");
    }

    /** A detached process that removes the rules once this JVM is gone, however it went. */
    private static Process guard(List<List<String>> rules) {
        StringBuilder script = new StringBuilder("tail --pid=" + ProcessHandle.current().pid() + " -s 0.2 -f /dev/null;");
        for (List<String> r : rules) {
            script.append(' ').append(String.join(" ", command("-D", r).stream().map(PortTakeover::quote).toList()))
                    .append(" 2>/dev/null;");
        }
        try {
            return new ProcessBuilder("setsid", "sh", "-c", script.toString())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            throw new ParikshanException("cannot start the takeover guard (setsid, tail): " + e.getMessage()
                    + "; install util-linux and coreutils");
        }
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** Removes the rules (new connections go to production directly again) and stops the guard. */
    @Override
    public synchronized void close() {
        if (removed) {
            return;
        }
        removed = true;
        for (List<String> r : rules) {
            HostCommand.run(command("-D", r), IPTABLES_TIMEOUT);
        }
        guard.destroy();
    }

    /** Removes takeover rules left by a session that died, for the tags (production names) that match. */
    public static List<String> removeStale(java.util.function.Predicate<String> tag) {
        List<String> removed = new ArrayList<>();
        for (String chain : List.of("OUTPUT", "PREROUTING")) {
            HostCommand.Result listed = HostCommand.run(List.of("iptables", "-w", "-t", "nat", "-S", chain), IPTABLES_TIMEOUT);
            if (!listed.ok()) {
                continue;
            }
            for (String line : listed.stdout().split("\n")) {
                if (!line.startsWith("-A " + chain + " ")) {
                    continue;
                }
                List<String> words = splitRule(line.substring(("-A " + chain + " ").length()));
                int at = words.indexOf("--comment");
                String comment = at >= 0 && at + 1 < words.size() ? words.get(at + 1) : "";
                if (comment.startsWith(COMMENT_PREFIX) && tag.test(comment.substring(COMMENT_PREFIX.length()))) {
                    List<String> args = new ArrayList<>(List.of("iptables", "-w", "-t", "nat", "-D", chain));
                    args.addAll(words);
                    if (HostCommand.run(args, IPTABLES_TIMEOUT).ok()) {
                        removed.add(line);
                    }
                }
            }
        }
        return removed;
    }

    /** Splits an {@code iptables -S} rule into words, keeping quoted comments whole. */
    static List<String> splitRule(String rule) {
        List<String> words = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean quoted = false;
        for (char c : rule.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            } else if (c == ' ' && !quoted) {
                if (!w.isEmpty()) {
                    words.add(w.toString());
                    w.setLength(0);
                }
            } else {
                w.append(c);
            }
        }
        if (!w.isEmpty()) {
            words.add(w.toString());
        }
        return words;
    }

    private static void iptables(String op, List<String> rule, String what) {
        HostCommand.check(command(op, rule), java.util.Map.of(), IPTABLES_TIMEOUT, what);
    }

    private static List<String> command(String op, List<String> rule) {
        // rule = -t nat CHAIN match...
        List<String> c = new ArrayList<>(List.of("iptables", "-w", rule.get(0), rule.get(1), op, rule.get(2)));
        if (op.equals("-I")) {
            c.add("1"); // before Docker's own DNAT rules
        }
        c.addAll(rule.subList(3, rule.size()));
        return c;
    }
}
