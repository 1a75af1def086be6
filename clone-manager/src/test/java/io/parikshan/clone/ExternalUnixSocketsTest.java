package io.parikshan.clone;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ExternalUnixSocketsTest {

    @Test
    void readsLocalAndPeerInodesOfEstablishedUnixSockets() {
        assertThat(ExternalUnixSockets.parse("u_str ESTAB 0      0      * 74563  * 74564").orElseThrow()).containsExactly(74563, 74564);
        assertThat(ExternalUnixSockets.parse("u_str ESTAB 0 0 /sock/s 81 * 80").orElseThrow()).containsExactly(81, 80);
        assertThat(ExternalUnixSockets.parse("u_str LISTEN 0 5 /sock/s 80 * 0")).isEmpty();
        assertThat(ExternalUnixSockets.parse("nonsense")).isEmpty();
    }
}
