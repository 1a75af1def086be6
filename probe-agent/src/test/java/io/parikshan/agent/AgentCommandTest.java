package io.parikshan.agent;

import io.parikshan.contract.AgentVerb;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AgentCommandTest {

    @Test
    void parsesActionsOptionsAndDefaults() {
        AgentCommand c = AgentCommand.parse("dir=/x/y, load=/a/s.jar ,force,list");
        assertThat(c.dir()).isEqualTo(Path.of("/x/y"));
        assertThat(c.force()).isTrue();
        assertThat(c.actions()).containsExactly(new AgentCommand.Action(AgentVerb.LOAD, "/a/s.jar"),
                new AgentCommand.Action(AgentVerb.LIST, null));
        AgentCommand empty = AgentCommand.parse(null);
        assertThat(empty.actions()).containsExactly(new AgentCommand.Action(AgentVerb.ATTACH, null));
        assertThat(empty.dir()).isEqualTo(Path.of("/tmp/parikshan"));
        assertThat(empty.force()).isFalse();
    }

    @Test
    void rejectsUnknownArgumentsAndMissingValuesNamingThem() {
        assertThatThrownBy(() -> AgentCommand.parse("lod=/a.jar")).hasMessage("unknown agent argument 'lod=/a.jar': "
                + "use attach, load=<jar>, unload=<suite>, list, report, inspect=<class>, metrics=[host:]port, "
                + "diagnose=<request file>, end=<diagnosis id>, patch=<jar>, "
                + "dir=<path>, force");
        assertThatThrownBy(() -> AgentCommand.parse("unload=")).hasMessageContaining("'unload' needs a value");
    }

    @Test
    void siteNamesSplitIntoTypeAndMethod() {
        String site = "com.example.Outer$Inner.greet(Ljava/lang/String;)Ljava/lang/String;";
        assertThat(Sites.typeName(site)).isEqualTo("com.example.Outer$Inner");
        assertThat(Sites.methodName(site)).isEqualTo("greet");
    }
}
