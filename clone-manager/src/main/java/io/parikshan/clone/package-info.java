/**
 * Live cloning of a running Docker container into a sandboxed copy, and the clone's teardown.
 *
 * <p>A clone is made in phases ({@link io.parikshan.clone.ClonePhase}): safety checks; a
 * pre-copy of production's writable layer and volumes while it runs (runc and CRIU start
 * meanwhile and wait in a CRIU action script, {@link io.parikshan.clone.FreezeHook}); a short
 * freeze of production (cgroup freezer), asked for by that script, during which the delta of
 * those files is copied and CRIU dumps memory and process state through runc with
 * {@code --leave-running}; then a restore into a new container made from the same image and
 * settings, on its own sandbox network whose firewall rules (no new connections out of the
 * clone) are in force before its processes resume. The engine restores from links to the
 * images ({@link io.parikshan.clone.CheckpointLinks}), not copies. CRIU runs with
 * {@code tcp-close}: production keeps its connections, the clone gets them back closed.
 *
 * <p>Everything a clone owns is found again from Docker labels and from names derived from
 * the clone's name, so {@code list} and {@code destroy} need no state of their own, and a
 * failed clone is rolled back by the same teardown.
 */
package io.parikshan.clone;
