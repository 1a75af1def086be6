package io.parikshan.proxy.tcp;

import io.netty.buffer.ByteBuf;
import io.parikshan.proxy.fidelity.DropReason;

/** Where a clone connection's answers go when they are compared with production's. Event-loop confined. */
interface CloneAnswerSink {

    /** The feed that owns the clone connection (to close it once nothing more is expected). */
    void attach(CloneFeed feed);

    /** Bytes the clone answered; ownership passes here. */
    void answer(ByteBuf chunk);

    /** The clone's answer stream ended (FIN or close). */
    void ended();

    /** The feed gave the clone connection up; {@code reason} null means silently (the clone was removed). */
    void dropped(DropReason reason);

    /** True once nothing more from this clone connection is needed for the comparison. */
    boolean settled();
}
