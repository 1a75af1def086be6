#!/usr/bin/env bash
# Live-clone benchmark: clones JVM containers with touched heaps of several sizes while
# a bounded loopback client keeps requesting production, and prints per heap the frozen window,
# dump, restore and total clone time (min/median/max), the checkpoint image size, and the
# slowest answer production gave its client during a clone.
#
#   clone-manager/bench/clone-bench.sh [-n CLONES] [-H "64 256 1024"] [-p BASE_PORT] [-B BASELINE_JAR] [-c new|old|both] [-G DEPS] [-T]
#
# With -T, every clone is made twice, alternating: "here" on this host, "remote" on a test host
# made for the run by deploy/host/test-host.sh (a network namespace with its own sshd, runc and
# Parikshan state, reached over SSH), side by side; the first remote clone also sends the image
# layers, which the test host keeps for the others.
# With -G, production runs on a user network with DEPS dependencies (Redis servers holding 20000
# keys each), and every clone is made twice by this tree's CLI, alternating: "alone" clones
# production by itself, "group" clones it --with every dependency (one cut), side by side.
# With -B, every clone is made twice, once by this tree's CLI and once by BASELINE_JAR (another
# build of parikshan.jar, e.g. from an older commit), alternating which goes first, against the
# same production container; both are printed side by side, so host load hits both alike.
# With -c, the named variant(s) run as deploy/bin/parikshan runs the CLI: with a class-data
# archive written by one 'doctor' run, as deploy/host/setup.sh writes the launcher's. Without -c
# neither uses one, so "-c new -B deploy/target/parikshan.jar" measures what the archive gains.
#
# Needs: root, a ready host (deploy/host/setup.sh), the image parikshan-test/hostusr:2
# (deploy/host/test-image.sh), the CLI built (mvn -B -q -DskipTests -pl deploy -am install),
# curl, jq and python3. Everything it makes is named pk-bench-* and removed on exit, even on
# Ctrl-C. It talks only to 127.0.0.1.
set -euo pipefail

clones=${CLONES:-5}
heaps=${HEAPS:-"64 256 1024"}
base_port=${BASE_PORT:-18480}
baseline=""
cds=""
deps=0
remote=0
while getopts "n:H:p:B:c:G:Th" opt; do
  case $opt in
    n) clones=$OPTARG ;;
    H) heaps=$OPTARG ;;
    p) base_port=$OPTARG ;;
    B) baseline=$OPTARG ;;
    c) cds=$OPTARG ;;
    G) deps=$OPTARG ;;
    T) remote=1 ;;
    *) sed -n '2,28p' "$0"; exit 2 ;;
  esac
done
[[ $clones =~ ^[1-9][0-9]*$ ]] || { echo "clone-bench: -n '$clones' is not a positive count; e.g. -n 5" >&2; exit 2; }
[[ $cds =~ ^(|new|old|both)$ ]] || { echo "clone-bench: -c '$cds' is not new, old or both" >&2; exit 2; }
[[ $deps =~ ^[0-9]$ ]] || { echo "clone-bench: -G '$deps' is not a count of dependencies from 0 to 9" >&2; exit 2; }
(( (deps > 0) + (remote > 0) + (${#baseline} > 0) <= 1 )) \
  || { echo "clone-bench: -G, -B and -T each make a pair of variants; give one of them" >&2; exit 2; }
for h in $heaps; do
  [[ $h =~ ^[1-9][0-9]*$ ]] || { echo "clone-bench: heap '$h' is not a size in MiB; e.g. -H \"64 256\"" >&2; exit 2; }
done

repo="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
jar="$repo/deploy/target/parikshan.jar"
image=parikshan-test/hostusr:2
for tool in docker curl jq python3 javac; do
  command -v $tool >/dev/null || { echo "clone-bench: $tool not found; install it (deploy/host/setup.sh)" >&2; exit 2; }
done
docker image inspect $image >/dev/null 2>&1 \
  || { echo "clone-bench: image $image missing; build it with deploy/host/test-image.sh" >&2; exit 2; }

[[ -f $jar ]] || { echo "clone-bench: $jar missing; build it: mvn -B -q -DskipTests -pl deploy -am install" >&2; exit 2; }
[[ -z $baseline || -f $baseline ]] || { echo "clone-bench: baseline jar '$baseline' not found; give a built parikshan.jar to -B" >&2; exit 2; }

work=$(mktemp -d /tmp/pk-bench-XXXXXX)
client_pid=""
# a private copy of the CLI, so a rebuild during a long run changes nothing
cp "$jar" "$work/parikshan.jar"
cli() { java -jar "$work/parikshan.jar" "$@"; }
variants=(new)
if [[ -n $baseline ]]; then
  cp "$baseline" "$work/baseline.jar"
  variants=(new old)
fi
if ((deps > 0)); then
  variants=(alone group)
fi
if ((remote)); then
  variants=(here remote)
fi
variant_jar() { echo "$work/$([[ $1 == old ]] && echo baseline || echo parikshan).jar"; }
declare -a with_args=()
net_args=()
if ((deps > 0)); then
  net_args=(--network pk-bench-net)
fi
# Class-data archives are bound to the jar's path, so they are written here, for the copies.
declare -A java_opts=([new]="" [old]="" [alone]="" [group]="" [here]="" [remote]="")
for v in "${variants[@]}"; do
  if [[ $cds == both || $cds == "$v" ]]; then
    java -XX:ArchiveClassesAtExit="$work/$v.jsa" -Xlog:cds=off -Xlog:cds+dynamic=off -jar "$(variant_jar $v)" doctor >/dev/null \
      || { echo "clone-bench: 'doctor' failed while writing the class-data archive; run deploy/host/setup.sh" >&2; exit 2; }
    java_opts[$v]="-XX:SharedArchiveFile=$work/$v.jsa -Xlog:cds=off -Xlog:cds+dynamic=off"
  fi
done
# The CLI of a variant: "new" is this tree's, "old" the baseline.
cli_of() { local v=$1; shift; java ${java_opts[$v]} -jar "$(variant_jar $v)" "$@"; }

cleanup() {
  trap - EXIT INT TERM
  [[ -n $client_pid ]] && kill "$client_pid" 2>/dev/null && wait "$client_pid" 2>/dev/null || true
  # clones of this tree run under Parikshan's runc (state dirs), a baseline's may be engine containers
  for c in $( { ls /var/lib/parikshan/clones 2>/dev/null; docker ps -a --filter label=io.parikshan.role=clone --format '{{.Names}}'; } \
      | grep '^pk-bench-' | sort -u || true); do
    cli destroy "$c" >/dev/null 2>&1 || echo "clone-bench: could not destroy $c" >&2
  done
  for c in $(docker ps -a --format '{{.Names}}' | grep '^pk-bench-' || true); do
    docker rm -f "$c" >/dev/null 2>&1 || true
  done
  docker network rm pk-bench-net >/dev/null 2>&1 || true
  [[ -n ${test_host_dir:-} ]] && bash "$repo/deploy/host/test-host.sh" down pk-thbench "$test_host_dir"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

javac -d "$work/app" "$repo/deploy/demo/SampleService.java"
declare -a on_args=()
if ((remote)); then
  test_host_dir=$(mktemp -d /tmp/pk-thbench.XXXXXX)
  bash "$repo/deploy/host/test-host.sh" up pk-thbench 240 "$test_host_dir" >/dev/null
  on_args=(--on pk-testhost --ssh-config "$test_host_dir/ssh_config")
fi
if ((deps > 0)); then
  docker network create pk-bench-net >/dev/null
  for ((k = 1; k <= deps; k++)); do
    docker run -d --name pk-bench-dep-$k --network pk-bench-net -v /usr:/usr:ro $image \
      redis-server --port 6379 --bind 0.0.0.0 --protected-mode no --save "" >/dev/null
    for ((t = 0; t < 50; t++)); do docker exec pk-bench-dep-$k redis-cli PING >/dev/null 2>&1 && break; sleep 0.1; done
    docker exec pk-bench-dep-$k redis-cli DEBUG POPULATE 20000 >/dev/null
    with_args+=(--with pk-bench-dep-$k)
  done
fi

# Answers GET /count on $1 (a port on 127.0.0.1, or HOST:PORT) within a few seconds.
answers() {
  local at=$1 tries=${2:-50}
  [[ $at == *:* ]] || at=127.0.0.1:$at
  for ((t = 0; t < tries; t++)); do
    curl -fsS --max-time 2 "http://$at/count" >/dev/null 2>&1 && return 0
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
  docker run -d --name "$prod" "${net_args[@]}" -v /usr:/usr:ro -v "$work/app:/app:ro" -p "127.0.0.1:$port:8080" \
    $image java -Xms${heap}m -Xmx${heap}m -XX:+AlwaysPreTouch -cp /app SampleService 8080 >/dev/null
  answers $port 300 || { echo "clone-bench: $prod does not answer on 127.0.0.1:$port" >&2; docker logs "$prod" >&2; exit 1; }
  : >"$work/client-$heap.log"
  client $port "$work/client-$heap.log" &
  client_pid=$!
  for v in "${variants[@]}"; do : >"$work/runs-$heap-$v.jsonl"; done
  load_before=$(cut -d' ' -f1 /proc/loadavg)
  for ((i = 1; i <= clones; i++)); do
    order=("${variants[@]}")
    ((i % 2 == 0 && ${#variants[@]} == 2)) && order=("${variants[1]}" "${variants[0]}")
    for v in "${order[@]}"; do
      name=pk-bench-clone-$heap-$v-$i
      begin=$(date +%s.%N)
      extra=()
      [[ $v == group ]] && extra=("${with_args[@]}")
      [[ $v == remote ]] && extra=("${on_args[@]}" --publish 8080)
      cli_of "$v" clone "$prod" --name "$name" "${extra[@]}" --json 2>"$work/progress.txt" >"$work/clone.json" \
        || { cat "$work/progress.txt" >&2; echo "clone-bench: cloning $prod ($v) failed" >&2; exit 1; }
      end=$(date +%s.%N)
      answers $port 5 || { echo "clone-bench: production $prod stopped answering after clone $i ($v)" >&2; exit 1; }
      clone_at=$(jq -r '.addresses[0] | split(" -> ")[0]' "$work/clone.json")
      answers "$clone_at" 50 || { echo "clone-bench: clone $name does not answer on $clone_at" >&2; exit 1; }
      jq -c --arg b "$begin" --arg e "$end" --arg l "$(cut -d' ' -f1 /proc/loadavg)" \
        '. + {begin: ($b|tonumber), end: ($e|tonumber), load: ($l|tonumber)}' "$work/clone.json" >>"$work/runs-$heap-$v.jsonl"
      jq -r --arg v "$v" '"  clone \(.clone) (\($v)): frozen \(.frozenMillis) ms, dump \(.phaseMillis.dump) ms, restore \(.phaseMillis.restore) ms, total \(.totalMillis) ms"' \
        "$work/clone.json" >&2
      cli_of "$v" destroy "$name" >/dev/null
    done
  done
  kill "$client_pid" 2>/dev/null; wait "$client_pid" 2>/dev/null || true
  client_pid=""
  docker rm -f "$prod" >/dev/null
  python3 - "$heap" "$work/client-$heap.log" "$load_before $(cut -d' ' -f1 /proc/loadavg)" \
    "${variants[@]/#/$work/runs-$heap-}" >>"$summary" <<'EOF'
import json, statistics, sys
heap, client_file, load = sys.argv[1:4]
variants = [(f.rsplit("-", 1)[1], [json.loads(l) for l in open(f + ".jsonl") if l.strip()]) for f in sys.argv[4:]]
reqs = []
for line in open(client_file):
    parts = line.split()
    if len(parts) == 3:
        reqs.append((float(parts[0]), float(parts[1]), parts[2]))
def cells(values):
    return f"{min(values):>7.0f}{statistics.median(values):>7.0f}{max(values):>7.0f}" if values else " " * 21
def row(name, per_variant, unit="ms"):
    line = f"  {name:<24}" + "   ".join(cells(v) for v in per_variant) + f" {unit}"
    if len(per_variant) == 2 and per_variant[0] and per_variant[1] and statistics.median(per_variant[1]) > 0:
        line += f"   {names[0]}/{names[1]} {statistics.median(per_variant[0]) / statistics.median(per_variant[1]):.2f}"
    return line
n = len(variants[0][1])
names = [v for v, _ in variants]
print(f"heap {heap} MiB, {n} clones per variant (host load average before/after: {load.replace(' ', ' / ')})")
print(f"  {'':<24}" + "   ".join(f"{v + ' min':>7}{'median':>7}{'max':>7}" for v, _ in variants))
runs = {v: r for v, r in variants}
def per(f):
    return [[f(r) for r in rs] for _, rs in variants]
print(row("frozen window", per(lambda r: r["frozenMillis"])))
if any(len(r.get("members", [])) > 1 for _, rs in variants for r in rs):
    print(row("  front's own", per(lambda r: r["members"][0]["frozenMillis"] if r.get("members") else r["frozenMillis"])))
for phase in ("safety_checks", "prepare", "pre_copy", "delta_copy", "dump", "image_copy", "restore"):
    print(row(phase.replace("_", " "), per(lambda r, p=phase: r["phaseMillis"][p])))
print(row("total clone", per(lambda r: r["totalMillis"])))
# what the user waits for: the whole 'parikshan clone' command, JVM start and exit included
print(row("command, JVM included", per(lambda r: (r["end"] - r["begin"]) * 1000)))
print(row("checkpoint images", per(lambda r: r["imageBytes"] / 1048576), "MiB"))
if any("sentBytes" in r for _, rs in variants for r in rs):
    print(row("sent to the test host", per(lambda r: r.get("sentBytes", 0) / 1048576), "MiB"))
print(row("load average", per(lambda r: r.get("load", 0) * 100), "/100"))
# production as its client saw it: requests that finished while a clone was being made
during = [[t * 1000 for (ts, t, c) in reqs for r in rs if r["begin"] <= ts <= r["end"]] for _, rs in variants]
if all(during):
    print(row("client latency in clone", during) + "  (" + " / ".join(str(len(d)) for d in during) + " requests)")
bad = sum(1 for (_, _, c) in reqs if c != "200")
print(f"  client: {len(reqs)} requests, {bad} not answered 200")
print()
EOF
  port=$((port + 1))
done

echo
echo "clone-bench: Docker $(docker version -f '{{.Server.Version}}' 2>/dev/null), $(nproc) cores, $(uname -r), criu $(criu --version | sed -n 's/Version: //p'), $clones clones per heap${baseline:+, new = this tree, old = $baseline}$( ((deps > 0)) && echo ", group = with $deps Redis dependencies")$( ((remote)) && echo ", remote = on a test host (network namespace, sshd) over SSH")${cds:+, class-data archive for $cds}"
cat "$summary"
