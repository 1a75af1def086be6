/**
 * UDP mode (paper section 4.4): datagrams have no connection state to keep in step, so each
 * client address gets a session: a socket to production whose replies go back to that client,
 * and one socket per clone whose replies are dropped. A datagram the clone side cannot take
 * within its budgets is dropped for the clone only and counted; production never waits.
 */
package io.parikshan.proxy.udp;
