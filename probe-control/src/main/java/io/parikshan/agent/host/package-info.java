/**
 * The host side of the probe agent (module probe-control, never in a target): finds a target JVM (a
 * local pid, or the Java process of a Docker container or a clone), copies the agent and suite jars into the target's filesystem (through
 * {@code /proc/<pid>/root}, which the target's JVM opens them from), attaches with the JDK attach API
 * (which follows the container's mount and pid namespaces) and reads the agent's reply and results
 * back from the same filesystem. No network listener is needed in the clone. The CLI calls it in its
 * own JVM ({@link io.parikshan.agent.host.ProbeHostMain#run}, with the agent jar to put into the target). The diagnosis actions ({@link io.parikshan.agent.host.DiagnosisMain},
 * {@link io.parikshan.agent.host.DiagnosisRun}) write a request file into the target, tail the agent's
 * JSON-lines events from it, end the diagnosis at its limit, timeout or Ctrl-C, and copy dumps out owner-only.
 * A clone on a test host is reached the same way over SSH ({@link io.parikshan.agent.host.HostFiles} for its
 * files, {@link io.parikshan.agent.host.HotSpotAttach} for the attach, since the test host has no JDK).
 */
package io.parikshan.agent.host;
