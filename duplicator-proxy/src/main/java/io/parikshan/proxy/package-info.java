/**
 * The traffic duplicator: a proxy that owns the client-facing address, forwards every
 * connection to production exactly like a plain TCP proxy, and copies the client-to-server
 * bytes of each connection to one or more clones whose answers are thrown away
 * (Parikshan paper, sections 4.3 and 4.4).
 *
 * <p>Entry points: {@link io.parikshan.proxy.tcp.TrafficDuplicator} (TCP) and
 * {@link io.parikshan.proxy.udp.UdpDuplicator} (UDP), both configured by a
 * {@link io.parikshan.proxy.DuplicatorConfig}. Clones are {@link io.parikshan.proxy.CloneTarget}s
 * kept in a {@link io.parikshan.proxy.CloneRoutes} registry that can change while traffic flows
 * (re-sync swaps a clone under a running proxy).
 *
 * <p>Production safety is the design rule: the clone side never pauses reading from the
 * client, never delays a write to production (except in the documented synchronized
 * strategy), and never holds more than its byte budgets.
 */
package io.parikshan.proxy;
