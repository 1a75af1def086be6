package io.parikshan.proxy.buffer;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The global byte budget shared by all clone buffers of one proxy. Thread-safe: connections on
 * different event loops reserve against the same budget.
 */
public final class BufferBudget {

    private final long limit;
    private final AtomicLong used = new AtomicLong();

    public BufferBudget(long limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("budget " + limit + " must be positive");
        }
        this.limit = limit;
    }

    /** Reserves {@code bytes} if they fit under the limit; never blocks. */
    public boolean tryReserve(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("cannot reserve " + bytes + " bytes");
        }
        long u;
        do {
            u = used.get();
            if (u + bytes > limit) {
                return false;
            }
        } while (!used.compareAndSet(u, u + bytes));
        return true;
    }

    public void release(long bytes) {
        long after = used.addAndGet(-bytes);
        assert after >= 0 : "released more than reserved: " + after;
    }

    public long used() {
        return used.get();
    }

    public long limit() {
        return limit;
    }
}
