package io.parikshan.clone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CapabilitiesTest {

    private static String status(String eff, String bnd) {
        return "Name:\tjava\nUid:\t0\t0\t0\t0\nCapInh:\t0000000000000000\nCapPrm:\t" + eff + "\nCapEff:\t" + eff
                + "\nCapBnd:\t" + bnd + "\nCapAmb:\t0000000000000000\n";
    }

    @Test
    void bit24ClearMeansNoSysResource() {
        // as read on a host whose root lacks CAP_SYS_RESOURCE: every bit up to 40 but 24
        assertThat(Capabilities.hasSysResource(status("000001fffeffffff", "000001fffeffffff"))).isFalse();
        assertThat(Capabilities.hasSysResource(status("000001ffffffffff", "000001ffffffffff"))).isTrue();
        assertThat(Capabilities.hasSysResource(status("0000000001000000", "0000000001000000"))).isTrue();
    }

    @Test
    void bothTheEffectiveAndTheBoundingSetMustHaveIt() {
        assertThat(Capabilities.hasSysResource(status("000001ffffffffff", "000001fffeffffff"))).isFalse();
        assertThat(Capabilities.hasSysResource(status("000001fffeffffff", "000001ffffffffff"))).isFalse();
    }

    @Test
    void readsTheHighestBitsAndRejectsAStatusWithoutTheSet() {
        assertThat(Capabilities.has(status("8000000000000000", "0"), "CapEff", 63)).isTrue();
        assertThatThrownBy(() -> Capabilities.has("Name:\tjava\n", "CapBnd", 24))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CapBnd");
    }

    @Test
    void thisProcessStatusParses() {
        Capabilities.hasSysResource(); // no exception on a real /proc/self/status
    }

    @Test
    void thePatchIsNamedInCriuVersion() {
        String patched = "Version: 4.2.1\nParikshan: rlimits-from-proc\nGitID: parikshan-a9f619d21224\n";
        assertThat(Capabilities.hasPatch(patched, Capabilities.RLIMITS_PATCH)).isTrue();
        assertThat(Capabilities.hasPatch("Version: 4.2.1\n", Capabilities.RLIMITS_PATCH)).isFalse();
        assertThat(Capabilities.hasPatch("Version: 4.2.1\nParikshan: rlimits-from-proc-v2\n",
                Capabilities.RLIMITS_PATCH)).isFalse();
    }
}
