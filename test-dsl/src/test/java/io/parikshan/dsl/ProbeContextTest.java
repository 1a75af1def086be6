package io.parikshan.dsl;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProbeContextTest {

    private static ProbeContext withArgs(Object... args) {
        return on(null, args);
    }

    /** A store as an application would have it: private state, a private read, a superclass. */
    static class Base {
        private final String region = "eu";
    }

    static final class Store extends Base {
        private final java.util.Map<String, String> values = new java.util.HashMap<>(java.util.Map.of("k", "v"));

        private String stored(String key) {
            return values.get(key);
        }

        private int size(int plus) {
            return values.size() + plus;
        }

        private void fail() {
            throw new IllegalStateException("store broke");
        }
    }

    private static ProbeContext on(Object receiver, Object... args) {
        return new ProbeContext() {
            public String probeName() { return "p"; }
            public Phase phase() { return Phase.ENTRY; }
            public String typeName() { return "T"; }
            public String methodName() { return "m"; }
            public int argCount() { return args.length; }
            public Object arg(int index) { return args[index]; }
            public Object receiver() { return receiver; }
            public Object returnValue() { return 42; }
            public Optional<Throwable> thrown() { return Optional.empty(); }
            public Duration elapsed() { return Duration.ZERO; }
            public Thread thread() { return Thread.currentThread(); }
        };
    }

    @Test
    void typedAccessorsCastAndAcceptPrimitiveTypes() {
        ProbeContext ctx = withArgs("alice", 7);
        assertThat(ctx.arg(0, String.class)).isEqualTo("alice");
        assertThat(ctx.arg(1, int.class)).isEqualTo(7);
        assertThat(ctx.returnValue(Integer.class)).isEqualTo(42);
        assertThat(ctx.receiver(Object.class)).isNull();
    }

    @Test
    void wrongTypeNamesWhatWasAskedAndWhatItIs() {
        assertThatThrownBy(() -> withArgs("alice").arg(0, Integer.class))
                .isInstanceOf(ClassCastException.class)
                .hasMessage("argument 0 is a java.lang.String, not a java.lang.Integer");
    }

    @Test
    void fieldsAndMethodsOfTheReceiverAreReachedByNamePrivateAndInheritedOnesToo() throws Throwable {
        ProbeContext ctx = on(new Store());
        assertThat(ctx.field("values", java.util.Map.class)).containsEntry("k", "v");
        assertThat(ctx.field("region", String.class)).isEqualTo("eu");
        assertThat(ctx.call("stored", "k")).isEqualTo("v");
        assertThat(ctx.call("stored", "missing")).isNull();
        assertThat(ctx.call("size", 2)).isEqualTo(3);
    }

    @Test
    void aMissingMemberOrReceiverIsNamedAndTheMethodsOwnExceptionComesThrough() {
        ProbeContext ctx = on(new Store());
        assertThatThrownBy(() -> ctx.field("nope", String.class)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no field 'nope' in").hasMessageContaining("Store");
        assertThatThrownBy(() -> ctx.field("values", String.class)).isInstanceOf(ClassCastException.class)
                .hasMessageContaining("field values is a java.util.HashMap");
        assertThatThrownBy(() -> ctx.call("stored", 42)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no method stored").hasMessageContaining("[Integer]");
        assertThatThrownBy(() -> ctx.call("fail")).isInstanceOf(IllegalStateException.class).hasMessage("store broke");
        assertThatThrownBy(() -> withArgs().field("values", java.util.Map.class)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is static, there is no receiver");
    }
}
