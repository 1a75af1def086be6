/**
 * The TCP duplicator: {@link io.parikshan.proxy.tcp.TrafficDuplicator}, the running proxy (as
 * {@code udp.UdpDuplicator} is UDP's), and one handler per channel role.
 *
 * <ul>
 *   <li>{@link io.parikshan.proxy.tcp.ClientConnectionHandler}: the client side. A pull loop with
 *   {@code AUTO_READ} off: the next chunk is read only when production took the previous one
 *   (and, in the synchronized strategy, every clone too). Each chunk is handed to every clone
 *   feed as a {@code retainedDuplicate()} before the original goes to production (a small read in
 *   a large buffer is first copied to a buffer of its size, so budgets bound real memory).</li>
 *   <li>{@link io.parikshan.proxy.tcp.ProductionHandler}: production's answers, pulled back to
 *   the client the same way. Backpressure lives only between client and production.</li>
 *   <li>{@link io.parikshan.proxy.tcp.CloneFeed}: one clone connection of one client connection,
 *   with its own byte-bounded queue. It never pauses the client; when it would exceed its
 *   budgets or its clone fails it closes the clone connection (counted as desynced) so the
 *   clone never sees a stream with a hole in it. Its socket may hold little it has not sent
 *   ({@code TCP_NOTSENT_LOWAT}), so a lagging clone's bytes show in the budgets, not in the
 *   kernel's buffers. A connection's first request waits there until the clone answered what
 *   production had answered on other connections before it ({@code AnswerOrder}).</li>
 *   <li>{@link io.parikshan.proxy.tcp.ConnectionComparison} (when answers are compared): feeds
 *   one connection's client bytes, production's answers and each clone's answers
 *   ({@link io.parikshan.proxy.tcp.CloneAnswerSink}) to the protocol's comparison in
 *   {@code io.parikshan.proxy.fidelity}, which does the comparing. It owns the when and the cost:
 *   production's answer chunks are retained only after they were handed to the client's socket
 *   and are compared in a separate event-loop task or when a clone answers; what is held is
 *   charged to the clone budgets and dropped (counted) rather than ever pausing production.</li>
 * </ul>
 *
 * {@link io.parikshan.proxy.tcp.Transport} picks Netty's native epoll where it loads, else NIO.
 * Epoll delivers a half-closed client's last bytes unasked; the client handler holds them and
 * passes them on one at a time, so the pull loop's order and pacing are the same on both.
 *
 * All channels of one client connection share the client's event loop, so their state needs
 * no locks; only the budget shared by all connections is atomic. Connect, half-close and close
 * reach production and clones in the client's order.
 */
package io.parikshan.proxy.tcp;
