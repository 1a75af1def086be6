package io.parikshan.contract;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** The wire format, literally: a change here breaks clones made or agents built before it. */
class ContractTest {

    @Test
    void pathsAndFileNames() {
        assertThat(Contract.CLONE_MARKER).isEqualTo("/.parikshan-clone");
        assertThat(Path.of("/").resolve(Contract.CLONE_MARKER_NAME)).isEqualTo(Path.of(Contract.CLONE_MARKER));
        assertThat(Contract.AGENT_DIR).isEqualTo("/tmp/parikshan");
        assertThat(Contract.CLONES_RUNC_ROOT).isEqualTo("/run/parikshan/runc");
        assertThat(Contract.DIAG_DIR).isEqualTo("diag");
        assertThat(Contract.METRICS_FILE).isEqualTo("metrics.prom");
        assertThat(Contract.PROBE_INVOCATIONS_SERIES).isEqualTo("parikshan_probe_invocations_total");
    }

    @Test
    void agentVerbsByWireName() {
        assertThat(Arrays.stream(AgentVerb.values()).map(AgentVerb::usage))
                .containsExactly("attach", "load=<jar>", "unload=<suite>", "list", "report", "inspect=<class>",
                        "metrics=[host:]port", "diagnose=<request file>", "end=<diagnosis id>", "patch=<jar>");
        assertThat(AgentVerb.ofWire("inspect")).contains(AgentVerb.INSPECT);
        assertThat(AgentVerb.ofWire("dir")).isEmpty();
        assertThat(AgentVerb.LOAD.with("/tmp/parikshan/suites/s.jar")).isEqualTo("load=/tmp/parikshan/suites/s.jar");
    }

    @Test
    void probeActionsByWireName() {
        assertThat(Arrays.stream(ProbeAction.values()).map(ProbeAction::wireName))
                .containsExactly("attach", "load", "unload", "list", "results", "watch", "trace", "stack", "threads",
                        "heapdump", "jfr", "patch");
        assertThat(ProbeAction.ofWire("results")).contains(ProbeAction.RESULTS);
        assertThat(ProbeAction.ofWire("report")).isEmpty();
    }
}
