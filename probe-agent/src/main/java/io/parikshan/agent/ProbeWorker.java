package io.parikshan.agent;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The agent's threads: daemons, so the agent never keeps a JVM alive. Probe points hit on these
 * threads (a test body calling probed code) are ignored, which rules out probe recursion.
 */
final class ProbeWorker extends Thread {

    private ProbeWorker(Runnable task, String name) {
        super(task, name);
        setDaemon(true);
    }

    static ThreadFactory factory(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return task -> new ProbeWorker(task, prefix + "-" + n.incrementAndGet());
    }
}
