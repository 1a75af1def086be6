package io.parikshan.proxy.tcp;

import io.parikshan.proxy.CloneRoutes;
import io.parikshan.proxy.DuplicatorConfig;
import io.parikshan.proxy.buffer.BufferBudget;
import io.parikshan.proxy.metrics.DuplicatorMetrics;

import java.util.Objects;

/** What every client connection of one proxy shares. */
record ProxyContext(DuplicatorConfig config, Connector connector, CloneRoutes routes,
                           BufferBudget globalBudget, DuplicatorMetrics metrics) {

    public ProxyContext {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(connector, "connector");
        Objects.requireNonNull(routes, "routes");
        Objects.requireNonNull(globalBudget, "globalBudget");
        Objects.requireNonNull(metrics, "metrics");
    }
}
