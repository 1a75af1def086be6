/**
 * Prometheus (client_java 1.x) metrics of the duplicator. Built against a registry the caller
 * passes; this package never starts an HTTP server. Names say the direction
 * ({@code client_to_proxy}, {@code proxy_to_production}, {@code proxy_to_clone}); the only label
 * is {@code clone}, so cardinality stays with the number of clones.
 */
package io.parikshan.proxy.metrics;
