/**
 * The probe agent: runs users' probe suites inside a JVM, normally a Parikshan clone.
 *
 * <p>Flow: {@link io.parikshan.agent.ProbeAgent} (premain/agentmain) parses one command per attach
 * ({@link io.parikshan.agent.AgentCommand}), puts the dispatcher on the bootstrap class path, and acts
 * on the per-JVM {@link io.parikshan.agent.ProbeRuntime}. Loading a suite retransforms the selected
 * classes with tiny {@link io.parikshan.agent.ProbeAdvice} bound to the suite's name; hits go through
 * {@link io.parikshan.agent.boot.ProbeDispatcher} to {@link io.parikshan.agent.ActiveProbe}, which
 * samples, limits and evaluates the condition on the application thread, then runs tests on the
 * suite's daemon workers with a time limit ({@link io.parikshan.agent.LoadedSuite}). Unloading resets
 * the transformer, which restores the original class bytes. Results go to memory, a JSON-lines log,
 * Surefire-format JUnit XML and Prometheus metrics. Tests run only where the clone marker exists.
 *
 * <p>Diagnosis without a suite ({@code diagnose=<request>}, {@code end=<id>}; {@link io.parikshan.agent.Diagnoses}):
 * watch, trace and stack install {@link io.parikshan.agent.DiagAdvice} (and, for trace,
 * {@link io.parikshan.agent.TraceCalls} around each call in the body) on the methods a
 * {@link io.parikshan.agent.MethodPattern} matches; hits reach {@link io.parikshan.agent.MethodDiagnosis} through
 * {@link io.parikshan.agent.boot.DiagDispatcher}, which evaluates OGNL {@link io.parikshan.agent.CallExpression}s
 * over a {@link io.parikshan.agent.WatchedCall} and writes events to a {@link io.parikshan.agent.DiagnosisLog}.
 * Ending resets the transformer and compares each class's code digest with the one from before.
 * threads ({@link io.parikshan.agent.ThreadReport}), heap dumps and JFR recordings need no advice.
 *
 * <p>Only this package and {@code boot} are in the agent jar; the host side that attaches it is the
 * probe-control module ({@code io.parikshan.agent.host}).
 *
 * <p>Class patches ({@code patch=<jar>}, {@link io.parikshan.agent.ClassPatch}): the loaded classes of
 * a jar are redefined with its class files in one step, after {@link io.parikshan.agent.ClassShape}
 * checked that only method bodies change (the JVM's rule, refused here by class name).
 */
package io.parikshan.agent;
