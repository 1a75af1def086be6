package io.parikshan.session;

import io.parikshan.clone.ClonePhase;
import io.parikshan.clone.CloneReport;
import io.parikshan.proxy.HostPort;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The lines the foreground session prints, one per event, flushed at once. */
final class ConsoleSessionListener implements SessionListener {

    private final PrintWriter out;

    ConsoleSessionListener(PrintWriter out) {
        this.out = out;
    }

    @Override
    public void starting(ProductionEndpoint e) {
        print("parikshan: session for %s, port %d%s (production at %s)%n", e.container(), e.containerPort(),
                e.udp() ? "/udp" : "", e.internal());
    }

    @Override
    public void clientsMoved(HostPort published, HostPort proxy, boolean udp) {
        print(udp
                ? "parikshan: new UDP flows to %s now go through the proxy at %s; flows already under way keep "
                + "talking to production directly until they are idle%n"
                : "parikshan: new connections to %s now go through the proxy at %s; connections opened "
                + "before keep talking to production directly%n", published, proxy);
    }

    @Override
    public void proxyListening(HostPort proxy) {
        print("parikshan: proxy listening on %s%n", proxy);
    }

    @Override
    public void makingClone(String what, String production) {
        print("parikshan: making %s of %s%n", what, production);
    }

    @Override
    public void clonePhase(ClonePhase phase, Duration took, String detail) {
        print("           %-20s %6d ms  %s%n", phase.label(), took.toMillis(), detail);
    }

    @Override
    public void holdFailed(String clone, String why) {
        print("parikshan: the proxy could not hold new connections for %s (%s); it joins without those opened "
                + "during its restore%n", clone, why);
    }

    @Override
    public void cloneRunning(CloneReport r) {
        print("parikshan: %s running at %s after %d ms (production frozen %d ms)%n", r.cloneName(), r.cloneIp(),
                r.totalMillis(), r.frozenMillis());
        for (CloneReport.Member m : r.dependencies()) {
            print("parikshan:   with %s (clone of %s) at %s, production's %s in its sandbox, frozen %d ms in the same cut%n",
                    m.cloneName(), m.production(), m.cloneIp(), String.join(", ", m.productionAddresses()), m.frozenMillis());
        }
        for (var e : r.egress()) {
            print("parikshan: WARNING: egress allowed: the clones may open connections to %s (%s) and change data there%n",
                    e, e.given());
        }
    }

    @Override
    public void suiteLoaded(Path suite, String clone) {
        print("parikshan: probe suite %s loaded into %s%n", suite.getFileName(), clone);
    }

    @Override
    public void running(String controlUrl) {
        print("parikshan: metrics %s/metrics, status %s/status; Ctrl-C ends the session%n", controlUrl, controlUrl);
    }

    @Override
    public void resyncStarted(String clone, ResyncReason reason) {
        print("parikshan: re-sync of %s (%s)%n", clone, reason.label());
    }

    @Override
    public void resyncFailed(String clone, String why) {
        print("parikshan: re-sync of %s failed, it stays: %s%n", clone, why);
    }

    @Override
    public void resynced(String old, CloneReport fresh, long millis, ResyncReason reason) {
        print("parikshan: %s replaced by %s: re-sync took %d ms, the clone %d ms, production frozen %d ms (%s)%n",
                old, fresh.cloneName(), millis, fresh.totalMillis(), fresh.frozenMillis(), reason.label());
    }

    @Override
    public void candidateJudged(String control, String candidate) {
        print("parikshan: judging the candidate %s against production, %s as the noise baseline%n", candidate, control);
    }

    @Override
    public void candidatePatched(java.nio.file.Path jar, String clone, java.util.List<String> classes) {
        print("parikshan: candidate %s patched from %s: %s%n", clone, jar.getFileName(),
                classes.stream().map(l -> l.substring("patched ".length())).collect(java.util.stream.Collectors.joining(", ")));
    }

    @Override
    public void cloneCheckFailed(String why) {
        print("parikshan: clone check failed, retrying: %s%n", why);
    }

    @Override
    public void status(SessionStatus status) {
        print("%s%n", status.line());
    }

    @Override
    public void drainCutOff(Duration drain) {
        print("parikshan: closed client connections still open after %d s; their clients "
                + "reconnect to production directly%n", drain.toSeconds());
    }

    @Override
    public void ended(List<String> problems) {
        print("%s%n", problems.isEmpty()
                ? "parikshan: session ended; clones removed, production serves its clients directly"
                : "parikshan: session ended with problems: " + String.join("; ", problems));
    }

    private void print(String format, Object... args) {
        out.printf(format, args);
        out.flush();
    }
}
