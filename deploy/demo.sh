#!/usr/bin/env bash
# The main job, end to end on this machine: set up the host, start a sample production
# service in a container, put state in it, live-clone it while a client keeps a connection
# open, and show that production and clone both answer, from the same state, separately.
# Usage: sudo deploy/demo.sh        (cleans up after itself; PARIKSHAN_DEMO_KEEP=1 keeps it)
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
bash deploy/host/setup.sh
bash deploy/host/test-image.sh
pk="$repo/deploy/bin/parikshan"
prod=parikshan-demo-prod
port=28080
say() { printf '\n== %s\n' "$*"; }

cleanup() {
  [[ ${PARIKSHAN_DEMO_KEEP:-0} == 1 ]] && return
  "$pk" destroy --all >/dev/null 2>&1 || true
  docker rm -f "$prod" >/dev/null 2>&1 || true
  rm -rf "$appdir"
}
appdir="$(mktemp -d /tmp/parikshan-demo.XXXXXX)"
trap cleanup EXIT
docker rm -f "$prod" >/dev/null 2>&1 || true

say "building the sample service and starting it as production ($prod on 127.0.0.1:$port)"
javac -d "$appdir" deploy/demo/SampleService.java
docker run -d --name "$prod" -v /usr:/usr:ro -v "$appdir:/app:ro" -p "127.0.0.1:$port:8080" \
  parikshan-test/hostusr:1 java -Xmx128m -cp /app SampleService 8080 >/dev/null
for _ in $(seq 1 50); do curl -fs "127.0.0.1:$port/count" >/dev/null 2>&1 && break; sleep 0.2; done

say "a client stores state in production"
curl -fs -X PUT --data 'alice@example.org' "127.0.0.1:$port/kv/user42"
for _ in $(seq 1 20); do curl -fs "127.0.0.1:$port/count" >/dev/null; done
echo "production request count: $(curl -fs "127.0.0.1:$port/count")"

say "live-cloning production while a keep-alive client keeps using it"
( for i in $(seq 1 40); do printf "url = http://127.0.0.1:%s/count\noutput = /dev/null\n" "$port"; done ) >"$appdir/curl.cfg"
curl -fs --keepalive-time 60 -K "$appdir/curl.cfg" --rate 10/s &
client=$!
"$pk" clone "$prod" --name parikshan-demo-clone --publish "127.0.0.1:28081:8080"
wait "$client" && echo "the keep-alive client saw no error during the clone"

say "production and clone answer separately, from the same state"
echo "production: user42 = $(curl -fs "127.0.0.1:$port/kv/user42"), count = $(curl -fs "127.0.0.1:$port/count")"
echo "clone:      user42 = $(curl -fs 127.0.0.1:28081/kv/user42), count = $(curl -fs 127.0.0.1:28081/count)"
curl -fs -X PUT --data 'changed-in-clone' 127.0.0.1:28081/kv/user42
echo "after a write to the clone, production still has: $(curl -fs "127.0.0.1:$port/kv/user42")"

say "clones on this host"
"$pk" list
