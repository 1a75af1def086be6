#!/usr/bin/env bash
# Runs the clone and session integration tests again on other Docker engines (engine.sh), after
# deploy/test.sh has passed on Debian 12's own: for each engine, fetch it, switch to it, build the
# test image in its data root, run only the Failsafe tests (*IT) of clone-manager and the CLI's
# session tests (no unit tests: they do not depend on the engine). Debian 12's engine (20.10) is
# always put back at the end, also when a test fails or the run is interrupted.
# Exits with the tests' status (the first failing engine's).
# Usage (as root, after deploy/test.sh): deploy/host/engine-matrix.sh [26|28 ...]   (default: 28)
#   PARIKSHAN_MATRIX_TIMEOUT  time limit of each engine's maven run (default 30m)
#   PARIKSHAN_MATRIX_ITS      Failsafe tests to run (default io/parikshan/clone/*IT,io/parikshan/cli/*IT)
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
engine=deploy/host/engine.sh
its=${PARIKSHAN_MATRIX_ITS:-io/parikshan/clone/*IT,io/parikshan/cli/*IT}
limit=${PARIKSHAN_MATRIX_TIMEOUT:-30m}

step() { printf '[matrix %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf 'engine-matrix.sh: %s\n' "$*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "must run as root (it switches the Docker engine); rerun as root"
[[ -f $repo/clone-manager/target/classes/io/parikshan/clone/CloneManager.class ]] \
  || die "no build in $repo (clone-manager/target/classes missing); run deploy/test.sh first"
engines=("$@"); ((${#engines[@]})) || engines=(28)

restore() {
  step "putting Debian 12's engine back"
  bash "$engine" use 20.10 \
    || { printf 'engine-matrix.sh: could not restart Debian 12'"'"'s engine; see /var/log/parikshan/dockerd.log and run: %s use 20.10\n' "$engine" >&2; exit 1; }
}
trap restore EXIT
trap 'exit 130' INT TERM

status=0
export CI="${CI:-true}"  # a missing engine or CRIU fails the ITs instead of skipping them
for n in "${engines[@]}"; do
  step "engine $n"
  bash "$engine" fetch "$n"
  bash "$engine" use "$n"
  bash deploy/host/test-image.sh
  # -Dtest=NONE skips Surefire's unit tests (Failsafe reads it.test, not test); failures are
  # ignored by maven so that the session tests run even when a clone test failed, and counted
  # from Failsafe's summaries; -o: deploy/test.sh already downloaded every plugin and dependency.
  rm -f clone-manager/target/failsafe-reports/failsafe-summary.xml deploy/target/failsafe-reports/failsafe-summary.xml
  rc=0
  timeout "$limit" mvn -B -ntp -o verify -pl clone-manager,deploy -am \
    -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false \
    -Dit.test="$its" -Dit.failIfNoSpecifiedTests=false -Dmaven.test.failure.ignore=true || rc=$?
  if ((rc == 124)); then step "engine $n: integration tests did not finish within $limit"; fi
  for m in clone-manager deploy; do
    summary="$m/target/failsafe-reports/failsafe-summary.xml"
    if [[ ! -f $summary ]]; then
      step "engine $n, $m: no Failsafe summary ($summary): the build failed before its tests"
      ((rc != 0)) || rc=1
      continue
    fi
    read -r done errors failures < <(sed -n 's:.*<completed>\([0-9]*\)</completed>.*:\1:p; s:.*<errors>\([0-9]*\)</errors>.*:\1:p; s:.*<failures>\([0-9]*\)</failures>.*:\1:p' "$summary" | paste -sd' ')
    step "engine $n, $m: $done integration tests, $errors errors, $failures failures"
    ((errors + failures == 0)) || { ((rc != 0)) || rc=1; }
  done
  if ((rc == 0)); then step "engine $n: integration tests passed"; else step "engine $n: integration tests FAILED (exit $rc)"; fi
  ((status != 0)) || status=$rc
done
exit "$status"
