/**
 * The in-vivo test session the paper describes, as one running thing: live clones of a production
 * container, the duplicator in front of production feeding them, the probe agent with the users'
 * suites inside them, one Prometheus endpoint for all of it, re-synchronisation (on request, on a
 * period, and when a clone has desynced, crashed or become unreachable), and a teardown that leaves
 * production exactly as it was.
 *
 * <p>{@link io.parikshan.session.Session} owns the lifecycle and the pieces: {@code CloneSlots} the
 * clones fed (by slot), {@code ResyncPolicy} when one is replaced without being asked,
 * {@code StatusAssembler} what {@code status} shows (from the proxy's typed per-clone statistics,
 * never by reading metric series back), {@code JoiningClone} a clone from production's freeze to
 * its joining the proxy, and a {@link io.parikshan.session.SessionListener} what the foreground
 * command prints. {@link io.parikshan.session.PortTakeover}
 * moves clients from production's published port to the proxy; the control endpoint
 * ({@link io.parikshan.session.ControlServer}) serves {@code /metrics}, {@code /status} and
 * {@code POST /sync}, which {@code parikshan status} and {@code parikshan sync} use through the
 * session file in {@code <state-dir>/sessions/}. {@link io.parikshan.session.ProbeAgentHost} runs the probe
 * agent's host side (probe-control) in this JVM, which copies the agent jar into each clone and attaches.
 *
 * <p>With a candidate patch ({@code --candidate}) slot 1 is the control and slot 2 the candidate,
 * which the agent patches before it joins; the proxy judges them three ways
 * ({@code io.parikshan.proxy.fidelity.CandidateTrial}, {@code CandidateMetrics}), they re-sync as a
 * pair, and {@code ProductionJvm} refuses a production without a JVM before anything is frozen.
 * The pair (and every slot at a session's start, and every slot on a {@code sync}) is made from one checkpoint: the candidate is a
 * twin of the control ({@code CloneManager.cloneTwins}), and the proxy holds new connections for
 * both from that one freeze. With {@code --candidate-image} the candidate is a twin started afresh
 * from the image in the control's sandbox; the session waits until it listens before it joins, and
 * status labels it "fresh start, no live memory". With {@code --with} each twin is a copy of the
 * whole group in a sandbox of its own (the candidate's front, patched or fresh, calls its own
 * dependency clones), so a candidate that writes never writes into the control's dependencies.
 * With {@code --on} both run on the test host, still from one checkpoint; the agent patches the
 * candidate there as probes reach a clone there.
 *
 * <p>Order of a start: endpoint, proxy (TCP, or UDP for {@code --port N/udp}), takeover, then the
 * clones one by one. The moment production is frozen for a clone's checkpoint the proxy starts
 * holding new connections (datagrams) for it, and the clone joins with them once it runs and its
 * suites are loaded, so it starts in step with production; a re-sync does the same.
 */
package io.parikshan.session;
