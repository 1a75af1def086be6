package io.parikshan.clone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parikshan.contract.ParikshanException;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class CloneNamesTest {

    @Test
    void bridgeNameFitsLinuxInterfaceLimitAndIsStablePerClone() {
        CloneNames a = new CloneNames("a-very-long-production-service-name-clone-12", Path.of("/s"));
        assertThat(a.bridge()).hasSizeLessThanOrEqualTo(15).startsWith("pk")
                .isEqualTo(new CloneNames(a.cloneName(), Path.of("/other")).bridge());
        assertThat(new CloneNames("web-clone-1", Path.of("/s")).bridge()).isNotEqualTo(new CloneNames("web-clone-2", Path.of("/s")).bridge());
    }

    @Test
    void everythingOwnedIsNamedAfterTheClone() {
        CloneNames n = new CloneNames("web-clone-1", Path.of("/var/lib/parikshan"));
        assertThat(n.sandboxNetwork()).isEqualTo("parikshan-sbx-web-clone-1");
        assertThat(n.volume(0)).isEqualTo("parikshan-web-clone-1-0");
        assertThat(n.stateDir()).isEqualTo(Path.of("/var/lib/parikshan/clones/web-clone-1"));
        assertThat(n.workDir().startsWith(n.stateDir())).isTrue();
    }

    @Test
    void requestRejectsNamesDockerWouldRefuse() {
        assertThatThrownBy(() -> new CloneRequest("web", "bad name!", List.of()))
                .isInstanceOf(ParikshanException.class).hasMessageContaining("'bad name!'");
        assertThatThrownBy(() -> new CloneRequest(" ", null, List.of())).isInstanceOf(ParikshanException.class);
    }

    @Test
    void criuVersionComparison() {
        assertThat(Doctor.atLeast(4, 2, "4.2")).isTrue();
        assertThat(Doctor.atLeast(5, 0, "4.2")).isTrue();
        assertThat(Doctor.atLeast(4, 1, "4.2")).isFalse();
        assertThat(Doctor.atLeast(3, 17, "4.2")).isFalse();
    }
}
