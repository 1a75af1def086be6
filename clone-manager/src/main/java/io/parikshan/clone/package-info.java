/**
 * Live cloning of a running Docker container into a sandboxed copy, and the clone's teardown.
 *
 * <p>A clone is made in phases ({@link io.parikshan.clone.ClonePhase}): safety checks, which also
 * refuse what CRIU cannot checkpoint before anything is frozen ({@link io.parikshan.clone.CheckpointBlockers},
 * {@link io.parikshan.clone.ExternalUnixSockets}, {@link io.parikshan.clone.SharedFileLocks}); a
 * pre-copy of production's writable layer and volumes while it runs (runc and CRIU start
 * meanwhile and wait in a CRIU action script, {@link io.parikshan.clone.FreezeHook}); a short
 * freeze of production (cgroup freezer), asked for by that script, during which the delta of
 * those files is copied and CRIU dumps memory and process state through the engine's runc with
 * {@code --leave-running} into a memory file system ({@link io.parikshan.clone.ImageStore}); then
 * a restore by runc and CRIU directly, never by the engine, into a runc container of Parikshan's
 * own ({@link io.parikshan.clone.CloneRuntime}) whose bundle is production's OCI spec made the
 * clone's ({@link io.parikshan.clone.CloneBundle}, {@link io.parikshan.clone.CloneRootfs}). The
 * clone resumes with no network; its only interface is then put on its sandbox bridge, whose
 * firewall rules (no new connections out of the clone) are already in force
 * ({@link io.parikshan.clone.Sandbox}). CRIU runs with {@code tcp-close}: production keeps its
 * connections, the clone gets them back closed. Why this restore path: {@code clone-manager/README.md}.
 *
 * <p>Twins ({@link io.parikshan.clone.CloneRequest#withTwins}) are more clones restored from the same
 * images, one freeze for all; a twin given an image is started afresh from it instead
 * ({@link io.parikshan.clone.FreshStart}) in the clone's sandbox. A twin of a group is a copy of the
 * whole group: the front's twin (restored or fresh) owns its own restored copies of the dependencies,
 * in a sandbox of its own, so the copies never share a dependency clone.
 * On a test host ({@link io.parikshan.clone.TestHostSite}) the images are sent once and restored
 * there per twin.
 *
 * <p>Everything a clone owns is found again from names derived from the clone's name
 * ({@link io.parikshan.clone.CloneNames}) and its record ({@link io.parikshan.clone.CloneRecord}),
 * so {@code list} and {@code destroy} need no state of their own, and a failed clone is rolled back
 * by the same teardown.
 */
package io.parikshan.clone;
