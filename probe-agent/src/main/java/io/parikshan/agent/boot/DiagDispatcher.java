package io.parikshan.agent.boot;

/**
 * Static entry points of the diagnosis advice (watch, trace, stack). The advice reads {@link #armed}
 * first, so a diagnosed method whose diagnosis has ended (or reached its limit) pays one volatile
 * read; only then are the arguments boxed into an array and handed over.
 */
public final class DiagDispatcher {

    /** Whether a handler wants calls; read by the advice before it builds anything. */
    public static volatile boolean armed;

    private static volatile DiagHandler handler;

    private DiagDispatcher() {
    }

    public static void install(DiagHandler h) {
        handler = h;
        armed = h != null;
    }

    public static long enter(String site, Object self, Object[] args) {
        DiagHandler h = handler;
        return h == null ? 0L : h.enter(site, self, args);
    }

    public static void exit(String site, Object self, Object[] args, Object returned, Throwable thrown, long start) {
        DiagHandler h = handler;
        if (h != null) {
            h.exit(site, self, args, returned, thrown, start);
        }
    }

    public static void callBefore(int call) {
        DiagHandler h = handler;
        if (h != null) {
            h.callBefore(call);
        }
    }

    public static void callAfter(int call) {
        DiagHandler h = handler;
        if (h != null) {
            h.callAfter(call);
        }
    }
}
