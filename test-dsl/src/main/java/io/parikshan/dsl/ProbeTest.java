package io.parikshan.dsl;

import java.util.Objects;

/** A named test body attached to a probe. */
public record ProbeTest(String name, ProbeTestBody body) {

    public ProbeTest {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(body, "body of test '" + name + "'");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a probe test needs a name");
        }
    }
}
