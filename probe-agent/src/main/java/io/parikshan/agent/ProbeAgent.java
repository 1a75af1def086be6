package io.parikshan.agent;

import java.lang.instrument.Instrumentation;

/**
 * Agent entry point for {@code -javaagent} and dynamic attach; each attach carries one command
 * (see {@link AgentCommand}). Hands off at once.
 */
public final class ProbeAgent {

    private ProbeAgent() {
    }

    public static void premain(String args, Instrumentation inst) {
        AgentControl.run(args, inst);
    }

    public static void agentmain(String args, Instrumentation inst) {
        AgentControl.run(args, inst);
    }
}
