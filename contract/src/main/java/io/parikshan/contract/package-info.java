/**
 * The contract between the clone manager, the probe agent and the CLI: the clone marker
 * ({@code /.parikshan-clone}) and its format, the agent's directory inside a clone and the files in it
 * (reply, results, JUnit reports, the metrics snapshot and the series the session reads from it),
 * the verbs and options of an agent argument ({@link io.parikshan.contract.AgentVerb}) and of the
 * agent's host-side control ({@link io.parikshan.contract.ProbeAction}), the clones' runc root, and
 * the error every module raises for a failure the user can act on
 * ({@link io.parikshan.contract.ParikshanException}).
 *
 * <p>This module must stay free of dependencies: it is shaded into the probe agent, so it ships
 * inside every clone's JVM.
 */
package io.parikshan.contract;
