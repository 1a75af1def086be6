#!/usr/bin/env bash
# Candidate-pair benchmark: starts a candidate session (a control clone and a candidate patched
# with a patch that changes nothing) on the demo service while a curl client keeps requesting
# production, and prints per session how often production was frozen for the pair and for how
# long in all (the "dump (frozen)" lines), and how long until the pair ran. With -B, sessions of
# this tree's CLI and of BASELINE_JAR (another build of parikshan.jar, e.g. from main) alternate
# against the same production, so host load hits both alike. With -g, production is a group: a JVM
# front calling a Redis tier on a user network (clone-manager's RedisFrontService), cloned --with it.
# With -T sessions of this tree's CLI alternate between a pair here ("here") and a pair on a test
# host made for the run by deploy/host/test-host.sh ("there": a network namespace with its own
# sshd, runc and Parikshan state, reached with --on).
#
#   clone-manager/bench/pair-bench.sh [-n ROUNDS] [-g | -T] [-B BASELINE_JAR -A BASELINE_AGENT_JAR]
#
# Needs: root, a ready host (deploy/host/setup.sh), the CLI and probe agent built
# (mvn -B -q -DskipTests install), javac, curl. Everything it makes is named pk-pair-* and removed
# on exit. It talks only to 127.0.0.1 (and with -T to the test host it made).
set -euo pipefail
rounds=3
baseline=""
baseline_agent=""
group=""
remote=""
while getopts "n:gB:A:Th" opt; do
  case $opt in
    n) rounds=$OPTARG ;;
    g) group=1 ;;
    B) baseline=$OPTARG ;;
    A) baseline_agent=$OPTARG ;;
    T) remote=1 ;;
    *) sed -n '2,17p' "$0"; exit 2 ;;
  esac
done
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "pair-bench: -n '$rounds' is not a positive count" >&2; exit 2; }
[[ -z $baseline || -n $baseline_agent ]] || { echo "pair-bench: -B needs -A, the probe agent jar of the same build" >&2; exit 2; }
[[ -z $group || -z $remote ]] || { echo "pair-bench: -g and -T: a group is cloned on this host only; give one" >&2; exit 2; }
[[ -z $baseline || -z $remote ]] || { echo "pair-bench: -T compares a pair here with one there, of this tree; leave -B out" >&2; exit 2; }
repo="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
work=$(mktemp -d /tmp/pk-pair-XXXXXX)
cp "$repo/deploy/target/parikshan.jar" "$work/new.jar"
cp "$repo/probe-agent/target/parikshan-probe-agent.jar" "$work/new-agent.jar"
variants=(new)
if [[ -n $baseline ]]; then
  cp "$baseline" "$work/old.jar"; cp "$baseline_agent" "$work/old-agent.jar"; variants=(new old)
fi
prod=pk-pair-$$
db=""
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
client=""
on_args=()
test_host_dir=""
cleanup() {
  [[ -n $client ]] && kill "$client" 2>/dev/null || true
  for c in $(java -jar "$work/new.jar" list 2>/dev/null | awk -v p="$prod" '$2 == p {print $1}'); do
    java -jar "$work/new.jar" destroy "$c" >/dev/null 2>&1 || true
  done
  docker rm -f "$prod" $db >/dev/null 2>&1 || true
  [[ -n $group ]] && docker network rm "$prod-net" >/dev/null 2>&1 || true
  [[ -n $test_host_dir ]] && bash "$repo/deploy/host/test-host.sh" down pk-thpair "$test_host_dir" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
if [[ -n $remote ]]; then
  test_host_dir="$work/test-host"
  mkdir "$test_host_dir"
  bash "$repo/deploy/host/test-host.sh" up pk-thpair 241 "$test_host_dir" >/dev/null
  on_args=(--on pk-testhost --ssh-config "$test_host_dir/ssh_config")
  cp "$work/new.jar" "$work/here.jar"; cp "$work/new-agent.jar" "$work/here-agent.jar"
  cp "$work/new.jar" "$work/there.jar"; cp "$work/new-agent.jar" "$work/there-agent.jar"; variants=(here there)
fi
mkdir "$work/noop"
with=()
if [[ -z $group ]]; then
  image=$(bash "$repo/deploy/demo/build-image.sh" | tail -1)
  javac --release 17 -d "$work/noop" "$repo/deploy/demo/SampleService.java"
  docker run -d --name "$prod" -v /usr:/usr:ro -p "127.0.0.1:$port:8080" "$image" >/dev/null
  until curl -fsS "http://127.0.0.1:$port/count" >/dev/null 2>&1; do sleep 0.2; done
  ( while true; do curl -sS -o /dev/null -X PUT --data v "http://127.0.0.1:$port/kv/k$RANDOM" || true; sleep 0.02; done ) &
else
  bash "$repo/deploy/host/test-image.sh" >/dev/null
  image=parikshan-test/hostusr:2
  front_src="$repo/clone-manager/src/test/java/io/parikshan/clone/testapp/RedisFrontService.java"
  javac --release 17 -d "$work/noop" "$front_src"
  db=$prod-db
  docker network create "$prod-net" >/dev/null
  docker run -d --name "$db" --network "$prod-net" --network-alias cache -v /usr:/usr:ro "$image" \
    redis-server --port 6379 --bind 0.0.0.0 --protected-mode no --save "" >/dev/null
  docker run -d --name "$prod" --network "$prod-net" -v /usr:/usr:ro -v "$work/noop:/app:ro" -p "127.0.0.1:$port:8080" "$image" \
    java -Xmx64m -XX:+UseSerialGC -cp /app io.parikshan.clone.testapp.RedisFrontService 8080 cache 6379 >/dev/null
  until curl -fsS "http://127.0.0.1:$port/incr/ready" >/dev/null 2>&1; do sleep 0.2; done
  with=(--with "$db")
  ( while true; do curl -sS -o /dev/null "http://127.0.0.1:$port/incr/k$RANDOM" || true; sleep 0.02; done ) &
fi
client=$!
(cd "$work/noop" && jar cf "$work/noop.jar" .)

printf '%-8s %5s %8s %s\n' variant round freezes "frozen ms (each) / pair running after ms"
for r in $(seq 1 "$rounds"); do
  order=("${variants[@]}")
  (( r % 2 == 0 && ${#variants[@]} == 2 )) && order=("${variants[1]}" "${variants[0]}")
  for v in "${order[@]}"; do
    log="$work/$v-$r.log"
    start=$(date +%s%N)
    java -jar "$work/$v.jar" clone "$prod" "${with[@]}" --port 8080 --candidate "$work/noop.jar" --agent-jar "$work/$v-agent.jar" --compare http \
      --metrics 127.0.0.1:0 --status-every 0s --drain 1s $([[ $v == there ]] && printf '%s ' "${on_args[@]}") >"$log" 2>&1 &
    session=$!
    until grep -qs "Ctrl-C ends the session" "$log"; do
      kill -0 $session 2>/dev/null || { echo "pair-bench: the $v session ended early:" >&2; cat "$log" >&2; exit 1; }
      sleep 0.1
    done
    ready=$(( ($(date +%s%N) - start) / 1000000 ))
    frozen=$(grep "dump (frozen)" "$log" | sed -n 's/.*production frozen \([0-9]*\) ms.*/\1/p' | paste -sd+ -)
    printf '%-8s %5d %8d %s\n' "$v" "$r" "$(grep -c "dump (frozen)" "$log")" "$frozen = $(( frozen )) / $ready"
    kill -TERM $session; wait $session || true
  done
done
