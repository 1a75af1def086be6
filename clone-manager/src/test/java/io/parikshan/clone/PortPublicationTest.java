package io.parikshan.clone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parikshan.contract.ParikshanException;
import org.junit.jupiter.api.Test;

class PortPublicationTest {

    @Test
    void fullFormKeepsEveryPart() {
        assertThat(PortPublication.parse("127.0.0.2:18081:8080/udp"))
                .isEqualTo(new PortPublication("127.0.0.2", 18081, 8080, "udp"));
    }

    @Test
    void shortFormsDefaultToLoopbackAnyPortAndTcp() {
        assertThat(PortPublication.parse("8080")).isEqualTo(new PortPublication("127.0.0.1", 0, 8080, "tcp"));
        assertThat(PortPublication.parse("18081:8080")).isEqualTo(new PortPublication("127.0.0.1", 18081, 8080, "tcp"));
    }

    @Test
    void malformedOrOutOfRangeIsOneLineNamingTheValue() {
        assertThatThrownBy(() -> PortPublication.parse("localhost:80"))
                .isInstanceOf(ParikshanException.class).hasMessageContaining("'localhost:80'").hasMessageNotContaining("\n");
        assertThatThrownBy(() -> PortPublication.parse("127.0.0.1:70000:80"))
                .isInstanceOf(ParikshanException.class).hasMessageContaining("70000");
        assertThatThrownBy(() -> PortPublication.parse("0")).hasMessageContaining("container port 0");
    }
}
