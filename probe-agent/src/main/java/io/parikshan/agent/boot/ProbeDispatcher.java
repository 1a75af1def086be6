package io.parikshan.agent.boot;

/**
 * Static entry points called by the advice inlined into probed methods. With no handler installed
 * (agent not initialised, or after shutdown) a call costs one volatile read.
 */
public final class ProbeDispatcher {

    private static volatile ProbeHandler handler;

    private ProbeDispatcher() {
    }

    public static void install(ProbeHandler h) {
        handler = h;
    }

    public static long enter(String suite, String site, Object self, Object[] args) {
        ProbeHandler h = handler;
        return h == null ? 0L : h.enter(suite, site, self, args);
    }

    public static void exit(String suite, String site, Object self, Object[] args, Object returned,
                            Throwable thrown, long start) {
        ProbeHandler h = handler;
        if (h != null) {
            h.exit(suite, site, self, args, returned, thrown, start);
        }
    }
}
