/**
 * The {@code parikshan} command line (picocli): {@code doctor}, {@code clone}, {@code list},
 * {@code destroy}, {@code proxy} and {@code probe}. Commands are thin: they parse, call the
 * modules that own the work ({@code clone-manager}, {@code duplicator-proxy},
 * {@code probe-control}) and print. A {@link io.parikshan.contract.ParikshanException} becomes one
 * line on stderr and exit code 1; picocli's usage errors exit with 2.
 */
package io.parikshan.cli;
