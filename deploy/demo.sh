#!/usr/bin/env bash
# The main job, end to end on this machine: set up the host (Docker, CRIU, Prometheus), start the
# sample production service (it has a latent bug) with real curl clients on it, and run one
# Parikshan session on it: live clone, duplicated traffic, the sample probe suite catching the bug
# inside the clone while production keeps serving, a forced re-sync, metrics in Prometheus, and a
# teardown that gives production back untouched.
# Usage (in a root shell): deploy/demo.sh   (cleans up after itself; PARIKSHAN_DEMO_KEEP=1 keeps production)
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
bash deploy/host/setup.sh
pk="$repo/deploy/bin/parikshan"
prod=parikshan-demo-prod
addr=127.0.0.1:28080
suite="$repo/examples/sample-probe-suite/target/sample-probe-suite.jar"
work="$(mktemp -d /tmp/parikshan-demo.XXXXXX)"
session_pid=
load_pid=
say() { printf '\n== %s\n' "$*"; }

cleanup() {
  [[ -n $session_pid ]] && kill -TERM "$session_pid" 2>/dev/null && wait "$session_pid" 2>/dev/null || true
  [[ -n $load_pid ]] && kill "$load_pid" 2>/dev/null || true
  if [[ ${PARIKSHAN_DEMO_KEEP:-0} != 1 ]]; then
    docker rm -f "$prod" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
"$pk" status "$prod" >/dev/null 2>&1 && { echo "a session for $prod is already running; end it first" >&2; exit 1; }
docker rm -f "$prod" >/dev/null 2>&1 || true

say "production: the sample key-value service ($prod on $addr, image $(deploy/demo/build-image.sh | tail -1))"
docker run -d --name "$prod" -v /usr:/usr:ro -p "$addr:8080" parikshan-demo/sample-service:1 >/dev/null
for _ in $(seq 1 50); do curl -fs "http://$addr/count" >/dev/null 2>&1 && break; sleep 0.2; done
deploy/demo/client.sh load "$addr" 10 0 >/dev/null
echo "production serves; $(curl -fs "http://$addr/count") requests so far"

say "clients keep using production (curl, every answer checked) for the whole demo"
( n=0; while :; do n=$((n+1)); deploy/demo/client.sh load "$addr" 5 "$n" >/dev/null || { echo "CLIENT SAW A WRONG ANSWER (round $n)" | tee "$work/failed"; exit 1; }; echo "$n" >"$work/rounds"; done ) &
load_pid=$!

say "parikshan clone $prod --tests sample-probe-suite.jar   (the session runs in the foreground; here in the background)"
"$pk" clone "$prod" --tests "$suite" --status-every 3s >"$work/session.log" 2>&1 &
session_pid=$!
tail -n +1 -f "$work/session.log" --pid="$session_pid" &
tail_pid=$!
for _ in $(seq 1 600); do
  grep -q "Ctrl-C ends the session" "$work/session.log" && break
  kill -0 "$session_pid" 2>/dev/null || { kill "$tail_pid" 2>/dev/null; echo "the session failed to start" >&2; exit 1; }
  sleep 0.2
done
sleep 4
kill "$tail_pid" 2>/dev/null || true

say "the latent bug: a client reads a key that was never stored (production answers, nobody notices)"
deploy/demo/client.sh trigger "$addr"
sleep 5

say "parikshan status: the probe suite caught it inside the clone"
"$pk" status "$prod"
clone="$("$pk" status "$prod" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["clones"][0]["name"])')"
echo
echo "the failing probe run, from the clone's results (parikshan probe results $clone):"
"$pk" probe results "$clone" | grep '"outcome":"fail"' | head -3

say "parikshan sync: a fresh clone of production replaces the old one under the running proxy"
"$pk" sync "$prod"

say "what Prometheus (127.0.0.1:9090) scraped from the session"
sleep 3
deploy/demo/prometheus-summary.sh || true

say "Ctrl-C (SIGTERM) ends the session"
kill -TERM "$session_pid"
wait "$session_pid" || true
session_pid=
tail -n 2 "$work/session.log"
sleep 1
kill "$load_pid" 2>/dev/null && wait "$load_pid" 2>/dev/null || true
load_pid=
rounds=$(cat "$work/rounds" 2>/dev/null || echo 0)
if [[ -e $work/failed ]]; then
  echo "clients saw a wrong answer: $(cat "$work/failed")" >&2
  exit 1
fi
echo "clients ran $rounds checked rounds (5 writes + 5 reads + 2 more each) against $addr during clone, probes, re-sync and teardown: every answer right"
echo "production now serves directly: /count = $(curl -fs "http://$addr/count")"
"$pk" list
