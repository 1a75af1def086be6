/**
 * Byte accounting for clone buffers. Every byte held for a clone is reserved against two
 * limits: the budget of its connection (kept by the connection's feed) and one
 * {@link io.parikshan.proxy.buffer.BufferBudget} shared by all clone buffers of a proxy. A
 * reservation that does not fit is refused, never waited for: the caller drops that clone
 * connection instead of slowing production.
 */
package io.parikshan.proxy.buffer;
