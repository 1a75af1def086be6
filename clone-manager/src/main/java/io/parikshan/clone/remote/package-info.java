/**
 * The test host: another machine a clone can be restored on, so that the clone's load never
 * competes with production for its host's cores (the paper's external mode).
 *
 * <p>Production's host reaches the test host over OpenSSH only, with keys and a known host key
 * ({@code BatchMode}, {@code StrictHostKeyChecking}): a host that would ask for a password or a
 * host key that is not known is refused with one line saying what to set up, never accepted on
 * the fly. The test host needs no engine and no Java: runc, CRIU, iptables and {@code ip}, and
 * the clone's image layers, which production's host sends.
 *
 * <ul>
 *   <li>{@link io.parikshan.clone.remote.TestHostAddress}: {@code [USER@]HOST[:PORT]} as given to {@code --on}.</li>
 *   <li>{@link io.parikshan.clone.remote.Ssh}: runs a command there and names an SSH failure in the user's terms.</li>
 *   <li>{@link io.parikshan.clone.remote.TestHostDoctor}: what a clone needs from the test host, one check each.</li>
 * </ul>
 */
package io.parikshan.clone.remote;
