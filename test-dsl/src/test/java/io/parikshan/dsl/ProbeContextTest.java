package io.parikshan.dsl;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProbeContextTest {

    private static ProbeContext withArgs(Object... args) {
        return new ProbeContext() {
            public String probeName() { return "p"; }
            public Phase phase() { return Phase.ENTRY; }
            public String typeName() { return "T"; }
            public String methodName() { return "m"; }
            public int argCount() { return args.length; }
            public Object arg(int index) { return args[index]; }
            public Object receiver() { return null; }
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
}
