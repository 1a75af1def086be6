package io.parikshan.dsl;

import java.util.List;

/**
 * A set of probes shipped as one jar and loaded into a clone together.
 *
 * <p>Implementations need a public no-argument constructor and are listed in
 * {@code META-INF/services/io.parikshan.dsl.ProbeSuite} of the suite jar.
 */
public interface ProbeSuite {

    /** The name used by {@code parikshan probe unload}, in results and metrics labels. */
    default String name() {
        return getClass().getSimpleName();
    }

    /** The probes of this suite; called once when the suite is loaded. */
    List<Probe> probes();
}
