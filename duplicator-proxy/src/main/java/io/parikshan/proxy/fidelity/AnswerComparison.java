package io.parikshan.proxy.fidelity;

import io.netty.buffer.ByteBuf;

/**
 * One connection's comparison of its clones' answers with production's, for one protocol. The
 * caller (the connection's handlers) decides when bytes arrive, when to compare and what the
 * bytes {@linkplain #heldBytes() held} may cost; this side only knows bytes.
 *
 * <p>Not thread-safe: one connection, one event loop. After {@link #release()} nothing else is called.
 */
public sealed interface AnswerComparison permits TcpStreamComparison, HttpExchangeComparison {

    /** Bytes the client sent; the caller keeps ownership. */
    void clientBytes(ByteBuf chunk);

    /** Bytes production answered; ownership passes here. Compared at the next {@link #compare()}. */
    void productionAnswer(ByteBuf chunk);

    /** Production's answer stream ended; may be called more than once. */
    void productionEnded();

    /**
     * The client left while production's stream was open: production's last answers may be cut
     * off while the clone (half-closed, still read) answers in full, so only production's part
     * is compared.
     */
    void clientLeftEarly();

    /**
     * Bytes clone {@code clone} answered; ownership passes here.
     *
     * @return false if they change nothing (the clone already diverged): no need to compare now
     */
    boolean cloneAnswer(int clone, ByteBuf chunk);

    /** Clone {@code clone}'s answer stream ended; {@link ComparedClone#end()} was called. */
    void cloneEnded(int clone);

    /** Clone {@code clone} was given up: what is held for it goes. */
    void cloneDropped(int clone);

    /** Judges what can be judged with what has arrived. */
    void compare();

    /** Bytes held for comparison now (the caller charges them to its budgets). */
    long heldBytes();

    /** True once nothing more is compared: every clone was judged or given up, or the stream ended. */
    boolean over();

    /** Releases everything held. */
    void release();
}
