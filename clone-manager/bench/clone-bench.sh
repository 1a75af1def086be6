#!/usr/bin/env bash
# Live-clone benchmark (issue 2): clones JVM containers with touched heaps of several sizes while
# a bounded loopback client keeps requesting production, and prints per heap the frozen window,
# dump, restore and total clone time (min/median/max), the checkpoint image size, and the
# slowest answer production gave its client during a clone.
#
#   clone-manager/bench/clone-bench.sh [-n CLONES] [-H "64 256 1024"] [-p BASE_PORT]
#
# Needs: root, a ready host (deploy/host/setup.sh), the image parikshan-test/hostusr:1
# (deploy/host/test-image.sh), the CLI built (mvn -B -q -DskipTests -pl deploy -am install),
# curl, jq and python3. Everything it makes is named pk-bench-* and removed on exit, even on
# Ctrl-C. It talks only to 127.0.0.1.
set -euo pipefail

clones=${CLONES:-5}
heaps=${HEAPS:-"64 256 1024"}
base_port=${BASE_PORT:-18480}
while getopts "n:H:p:h" opt; do
  case $opt in
    n) clones=$OPTARG ;;
    H) heaps=$OPTARG ;;
    p) base_port=$OPTARG ;;
    *) sed -n '2,12p' "$0"; exit 2 ;;
  esac
done
[[ $clones =~ ^[1-9][0-9]*$ ]] || { echo "clone-bench: -n '$clones' is not a positive count; e.g. -n 5" >&2; exit 2; }
for h in $heaps; do
  [[ $h =~ ^[1-9][0-9]*$ ]] || { echo "clone-bench: heap '$h' is not a size in MiB; e.g. -H \"64 256\"" >&2; exit 2; }
done

repo="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
jar="$repo/deploy/target/parikshan.jar"
image=parikshan-test/hostusr:1
for tool in docker curl jq python3 javac; do
  command -v $tool >/dev/null || { echo "clone-bench: $tool not found; install it (deploy/host/setup.sh)" >&2; exit 2; }
done
docker image inspect $image >/dev/null 2>&1 \
  || { echo "clone-bench: image $image missing; build it with deploy/host/test-image.sh" >&2; exit 2; }

[[ -f $jar ]] || { echo "clone-bench: $jar missing; build it: mvn -B -q -DskipTests -pl deploy -am install" >&2; exit 2; }

work=$(mktemp -d /tmp/pk-bench-XXXXXX)
client_pid=""
# a private copy of the CLI, so a rebuild during a long run changes nothing
cp "$jar" "$work/parikshan.jar"
cli() { java -jar "$work/parikshan.jar" "$@"; }

cleanup() {
  trap - EXIT INT TERM
  [[ -n $client_pid ]] && kill "$client_pid" 2>/dev/null && wait "$client_pid" 2>/dev/null || true
  for c in $(docker ps -a --filter label=io.parikshan.role=clone --format '{{.Names}}' | grep '^pk-bench-' || true); do
    cli destroy "$c" >/dev/null 2>&1 || echo "clone-bench: could not destroy $c" >&2
  done
  for c in $(docker ps -a --format '{{.Names}}' | grep '^pk-bench-' || true); do
    docker rm -f "$c" >/dev/null 2>&1 || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

javac -d "$work/app" "$repo/deploy/demo/SampleService.java"

# Answers GET /count on 127.0.0.1:$1 within a few seconds.
answers() {
  local port=$1 tries=${2:-50}
  for ((t = 0; t < tries; t++)); do
    curl -fsS --max-time 2 "http://127.0.0.1:$port/count" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  return 1
}

# Bounded client: at most 100000 requests and 30 minutes; logs "epoch_seconds time_total code".
client() {
  local port=$1 log=$2 end=$((SECONDS + 1800))
  for ((i = 0; i < 100000 && SECONDS < end; i++)); do
    curl -s -o /dev/null --max-time 10 -w "%{time_total} %{http_code}\n" "http://127.0.0.1:$port/count" \
      | sed "s/^/$(date +%s.%N) /" >>"$log" || true
    sleep 0.02
  done
}

summary="$work/summary.txt"
: >"$summary"
port=$base_port
for heap in $heaps; do
  prod=pk-bench-prod-$heap
  echo "== heap ${heap} MiB: starting $prod" >&2
  docker run -d --name "$prod" -v /usr:/usr:ro -v "$work/app:/app:ro" -p "127.0.0.1:$port:8080" \
    $image java -Xms${heap}m -Xmx${heap}m -XX:+AlwaysPreTouch -cp /app SampleService 8080 >/dev/null
  answers $port 300 || { echo "clone-bench: $prod does not answer on 127.0.0.1:$port" >&2; docker logs "$prod" >&2; exit 1; }
  : >"$work/client-$heap.log"
  client $port "$work/client-$heap.log" &
  client_pid=$!
  : >"$work/runs-$heap.jsonl"
  load_before=$(cut -d' ' -f1 /proc/loadavg)
  for ((i = 1; i <= clones; i++)); do
    name=pk-bench-clone-$heap-$i
    begin=$(date +%s.%N)
    cli clone "$prod" --name "$name" --json 2>"$work/progress.txt" >"$work/clone.json" \
      || { cat "$work/progress.txt" >&2; echo "clone-bench: cloning $prod failed" >&2; exit 1; }
    end=$(date +%s.%N)
    answers $port 5 || { echo "clone-bench: production $prod stopped answering after clone $i" >&2; exit 1; }
    clone_port=$(jq -r '.addresses[0] | split(" -> ")[0] | split(":")[1]' "$work/clone.json")
    answers "$clone_port" 50 || { echo "clone-bench: clone $name does not answer on 127.0.0.1:$clone_port" >&2; exit 1; }
    jq -c --arg b "$begin" --arg e "$end" '. + {begin: ($b|tonumber), end: ($e|tonumber)}' "$work/clone.json" \
      >>"$work/runs-$heap.jsonl"
    jq -r '"  clone \(.clone): frozen \(.frozenMillis) ms, dump \(.phaseMillis.dump) ms, total \(.totalMillis) ms"' \
      "$work/clone.json" >&2
    cli destroy "$name" >/dev/null
  done
  kill "$client_pid" 2>/dev/null; wait "$client_pid" 2>/dev/null || true
  client_pid=""
  docker rm -f "$prod" >/dev/null
  python3 - "$heap" "$work/runs-$heap.jsonl" "$work/client-$heap.log" "$load_before $(cut -d' ' -f1 /proc/loadavg)" \
    >>"$summary" <<'EOF'
import json, statistics, sys
heap, runs_file, client_file, load = sys.argv[1:5]
runs = [json.loads(l) for l in open(runs_file) if l.strip()]
reqs = []
for line in open(client_file):
    parts = line.split()
    if len(parts) == 3:
        reqs.append((float(parts[0]), float(parts[1]), parts[2]))
def stat(name, values, unit="ms"):
    return f"  {name:<26}{min(values):>9.0f}{statistics.median(values):>9.0f}{max(values):>9.0f} {unit}"
print(f"heap {heap} MiB, {len(runs)} clones (host load average before/after: {load.replace(' ', ' / ')})")
print(f"  {'':<26}{'min':>9}{'median':>9}{'max':>9}")
print(stat("frozen window", [r["frozenMillis"] for r in runs]))
for phase in ("safety_checks", "prepare", "pre_copy", "delta_copy", "dump", "image_copy", "restore"):
    print(stat(phase.replace("_", " "), [r["phaseMillis"][phase] for r in runs]))
print(stat("total clone", [r["totalMillis"] for r in runs]))
mib = [r["imageBytes"] / 1048576 for r in runs]
print(stat("checkpoint images", mib, "MiB"))
# production as its client saw it: requests that finished while a clone was being made
during = [t * 1000 for (ts, t, c) in reqs for r in runs if r["begin"] <= ts <= r["end"]]
bad = sum(1 for (_, _, c) in reqs if c != "200")
if during:
    print(stat("client latency in clone", during) + f"  ({len(during)} requests)")
print(f"  client: {len(reqs)} requests, {bad} not answered 200")
print()
EOF
  port=$((port + 1))
done

echo
echo "clone-bench: $(nproc) cores, $(uname -r), criu $(criu --version | sed -n 's/Version: //p'), $clones clones per heap"
cat "$summary"
