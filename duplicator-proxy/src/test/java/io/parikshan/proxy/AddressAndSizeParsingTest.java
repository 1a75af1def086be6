package io.parikshan.proxy;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AddressAndSizeParsingTest {

    @Test
    void host_port_forms() {
        assertThat(HostPort.parse("127.0.0.1:8080")).isEqualTo(new HostPort("127.0.0.1", 8080));
        assertThat(HostPort.parse(" redis:6379 ")).isEqualTo(new HostPort("redis", 6379));
        assertThat(HostPort.parse("[::1]:80")).isEqualTo(new HostPort("::1", 80));
        assertThat(HostPort.parse("[::1]:80").toString()).isEqualTo("[::1]:80");
        for (String bad : new String[] {"", "8080", ":8080", "host:", "host:http", "host:65536", "::1:80", "[::1]80"}) {
            assertThatThrownBy(() -> HostPort.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageNotContaining("\n");
        }
        assertThatThrownBy(() -> HostPort.parse("host:99999")).hasMessageContaining("99999");
    }

    @Test
    void byte_sizes_are_binary() {
        assertThat(ByteSize.parse("65536").bytes()).isEqualTo(65536);
        assertThat(ByteSize.parse("64KiB").bytes()).isEqualTo(64 * 1024);
        assertThat(ByteSize.parse("64k").bytes()).isEqualTo(64 * 1024);
        assertThat(ByteSize.parse("16 MiB").bytes()).isEqualTo(16L << 20);
        assertThat(ByteSize.parse("2GB").bytes()).isEqualTo(2L << 30);
        assertThat(ByteSize.parse("16MiB").toString()).isEqualTo("16MiB");
        for (String bad : new String[] {"", "-1", "0", "1.5MiB", "12XB", "99999999999999999999", "9999999999T"}) {
            assertThatThrownBy(() -> ByteSize.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void clone_targets_and_config_validation() {
        assertThat(CloneTarget.parse("c1=10.0.0.2:80")).isEqualTo(new CloneTarget("c1", new HostPort("10.0.0.2", 80)));
        assertThat(CloneTarget.parse("10.0.0.2:80").name()).isEqualTo("10.0.0.2_80");
        assertThatThrownBy(() -> CloneTarget.parse("bad name=10.0.0.2:80")).hasMessageContaining("'bad name'");
        HostPort a = HostPort.parse("127.0.0.1:1");
        assertThatThrownBy(() -> DuplicatorConfig.of(a, a, List.of(CloneTarget.parse("x=127.0.0.1:2"), CloneTarget.parse("x=127.0.0.1:3"))))
                .hasMessageContaining("'x' is used twice");
        assertThatThrownBy(() -> DuplicatorConfig.of(a, a, List.of()).withSampleRate(1.5)).hasMessageContaining("1.5");
        assertThatThrownBy(() -> DuplicatorConfig.of(a, a, List.of()).withBudgets(ByteSize.parse("2MiB"), ByteSize.parse("1MiB")))
                .hasMessageContaining("exceeds global budget");
        assertThat(DuplicationStrategy.parse("SYNC")).isEqualTo(DuplicationStrategy.SYNC);
        assertThatThrownBy(() -> DuplicationStrategy.parse("fast")).hasMessageContaining("'fast'");
    }
}
