#!/usr/bin/env bash
# Side-by-side benchmark of the traffic duplicator (not a test; numbers vary by machine).
#
# One backend (nginx serving a small file), measured with wrk in one run through:
#   direct            wrk -> nginx
#   haproxy-tcp       wrk -> HAProxy (mode tcp, no duplication) -> nginx
#   nginx-mirror-slow wrk -> nginx (proxy_pass + mirror to a 10x slower copy) -> nginx
#   parikshan-none    wrk -> parikshan proxy -> nginx, no clone (the proxy's own cost on production's path)
#   parikshan-fast    wrk -> parikshan proxy -> nginx, duplicating to a fast clone (a second nginx)
#   parikshan-slow    wrk -> parikshan proxy -> nginx, duplicating to a 10x slower clone
#   parikshan-fast-baseline  as parikshan-fast with another build (BASELINE_JAR=...), for before/after
# "10x slower": the slow copy answers each request after a delay that caps it at a tenth of
# the direct run's requests per second for the same number of connections.
#
# Needs: wrk, haproxy, nginx (Debian: wrk haproxy nginx-light), curl, Java 17, and
# deploy/target/parikshan.jar (mvn -B -q -DskipTests package). Loopback only.
# Usage: duplicator-proxy/bench/run.sh [results.md]
#   env: DURATION=15 CONNS=50 THREADS=2 ROUNDS=2 WARMUP_JVM=20 BASE_PORT=21300 PK_JAVA_OPTS= PK_ARGS=
#        BASELINE_JAR=path/to/older/parikshan.jar (adds parikshan-fast-baseline)
# Columns: CPU per request of the proxy in the path, of the backend nginx, and of the clone (fast
# copy or slow copy): on a 2-core host they all share the same cores with wrk.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
JAR="$ROOT/deploy/target/parikshan.jar"
OUT="${1:-}"
DURATION="${DURATION:-15}"
CONNS="${CONNS:-50}"
THREADS="${THREADS:-2}"
ROUNDS="${ROUNDS:-2}"
BASE="${BASE_PORT:-21300}"  # below the ephemeral range, so no outgoing connection holds them
P_BACKEND=$BASE; P_FAST=$((BASE+1)); P_SLOW=$((BASE+2)); P_HAPROXY=$((BASE+3))
P_MIRROR=$((BASE+4)); P_PK_FAST=$((BASE+5)); P_PK_SLOW=$((BASE+6)); P_PK_METRICS=$((BASE+7)); P_PK_SLOW_METRICS=$((BASE+8))
P_PK_NONE=$((BASE+9)); P_PK_BASE=$((BASE+10))
BASELINE_JAR="${BASELINE_JAR:-}"

for tool in wrk haproxy nginx curl java; do
  command -v "$tool" >/dev/null || { echo "run.sh: '$tool' not found; install it (Debian: apt-get install wrk haproxy nginx-light curl)" >&2; exit 2; }
done
[ -f "$JAR" ] || { echo "run.sh: $JAR not found; build it with: mvn -B -q -DskipTests package" >&2; exit 2; }
[ -z "$BASELINE_JAR" ] || [ -f "$BASELINE_JAR" ] || { echo "run.sh: BASELINE_JAR $BASELINE_JAR not found; build the older tree's deploy/target/parikshan.jar or unset it" >&2; exit 2; }
for p in $(seq "$BASE" $((BASE+10))); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "run.sh: port $p is in use; set BASE_PORT to a free range" >&2; exit 2; fi
done

WORK="$(mktemp -d /tmp/pk-proxy-bench.XXXXXX)"
chmod 755 "$WORK"   # nginx workers run as an unprivileged user
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

wait_port() { # port [log]
  for _ in $(seq 1 600); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done
  echo "run.sh: nothing listens on 127.0.0.1:$1${2:+; its log $2 says:}" >&2
  [ -n "${2:-}" ] && tail -5 "$2" >&2
  exit 1
}

mkdir -p "$WORK/www" "$WORK/logs"
head -c 612 /dev/urandom | base64 -w 0 | head -c 612 > "$WORK/www/index.html"

nginx_conf() { # name body
  cat > "$WORK/$1.conf" <<NGX
worker_processes 1;
daemon off;
pid $WORK/$1.pid;
error_log $WORK/logs/$1.err warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK/tmp_$1;
  proxy_temp_path $WORK/ptmp_$1;
  fastcgi_temp_path $WORK/ftmp_$1;
  uwsgi_temp_path $WORK/utmp_$1;
  scgi_temp_path $WORK/stmp_$1;
  keepalive_requests 1000000;
  $2
}
NGX
  nginx -p "$WORK" -c "$WORK/$1.conf" &
  PIDS+=($!)
}

# the backend and its fast copy (separate nginx processes, one worker each)
nginx_conf backend "server { listen 127.0.0.1:$P_BACKEND; root $WORK/www; }"
PID_BACKEND=$!
nginx_conf fastcopy "server { listen 127.0.0.1:$P_FAST; root $WORK/www; }"
PID_FASTCOPY=$!
wait_port "$P_BACKEND"; wait_port "$P_FAST"

# wrk, printing "rps p50_ms p99_ms"
measure() { # url
  wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency "$1" > "$WORK/wrk.out"
  awk '
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    /Requests\/sec:/ { rps = $2 }
    / requests in / { total = $1 }
    /^ +50%/ { p50 = ms($2) }
    /^ +99%/ { p99 = ms($2) }
    /Socket errors/ { err = $0 }
    END { printf "%.0f %.3f %.3f %d\n", rps, p50, p99, total }' "$WORK/wrk.out"
  grep -E "Socket errors|Non-2xx" "$WORK/wrk.out" >&2 || true
}
warm() { wrk -t"$THREADS" -c"$CONNS" -d3s "$1" > /dev/null; }

echo "# direct run to size the slow copy" >&2
warm "http://127.0.0.1:$P_BACKEND/"
read -r RPS_DIRECT _ _ _ < <(measure "http://127.0.0.1:$P_BACKEND/")
SLOW_DELAY_MS=$(( (10 * CONNS * 1000 + RPS_DIRECT - 1) / RPS_DIRECT ))
echo "# direct ${RPS_DIRECT} rps; slow copy delays each request ${SLOW_DELAY_MS} ms (capacity ~$((CONNS * 1000 / SLOW_DELAY_MS)) rps with $CONNS connections)" >&2

java -Xmx256m "$HERE/SlowHttpServer.java" "$P_SLOW" "$SLOW_DELAY_MS" "$WORK/www/index.html" > "$WORK/logs/slow.log" 2>&1 &
PIDS+=($!); PID_SLOWCOPY=$!
wait_port "$P_SLOW" "$WORK/logs/slow.log"

cat > "$WORK/haproxy.cfg" <<HAP
global
  maxconn 4096
defaults
  mode tcp
  timeout connect 5s
  timeout client 60s
  timeout server 60s
frontend fe
  bind 127.0.0.1:$P_HAPROXY
  default_backend be
backend be
  server backend 127.0.0.1:$P_BACKEND
HAP
haproxy -f "$WORK/haproxy.cfg" -db > "$WORK/logs/haproxy.log" 2>&1 &
PIDS+=($!); PID_HAPROXY=$!

nginx_conf mirror "
  upstream backend { server 127.0.0.1:$P_BACKEND; keepalive 64; }
  upstream slowcopy { server 127.0.0.1:$P_SLOW; keepalive 64; }
  server {
    listen 127.0.0.1:$P_MIRROR;
    proxy_http_version 1.1;
    proxy_set_header Connection \"\";
    location / { mirror /mirror; proxy_pass http://backend; }
    location = /mirror { internal; proxy_pass http://slowcopy\$request_uri; }
  }"

# shellcheck disable=SC2086 # PK_JAVA_OPTS and PK_ARGS are word lists
java -Xmx512m ${PK_JAVA_OPTS:-} -jar "$JAR" proxy --listen "127.0.0.1:$P_PK_FAST" --production "127.0.0.1:$P_BACKEND" \
  --clone "fast=127.0.0.1:$P_FAST" --metrics "127.0.0.1:$P_PK_METRICS" ${PK_ARGS:-} > "$WORK/logs/pk-fast.log" 2>&1 &
PIDS+=($!); PID_PK_FAST=$!
java -Xmx512m ${PK_JAVA_OPTS:-} -jar "$JAR" proxy --listen "127.0.0.1:$P_PK_SLOW" --production "127.0.0.1:$P_BACKEND" \
  --clone "slow=127.0.0.1:$P_SLOW" --metrics "127.0.0.1:$P_PK_SLOW_METRICS" ${PK_ARGS:-} > "$WORK/logs/pk-slow.log" 2>&1 &
PIDS+=($!); PID_PK_SLOW=$!
java -Xmx512m ${PK_JAVA_OPTS:-} -jar "$JAR" proxy --listen "127.0.0.1:$P_PK_NONE" --production "127.0.0.1:$P_BACKEND" \
  --metrics off ${PK_ARGS:-} > "$WORK/logs/pk-none.log" 2>&1 &
PIDS+=($!); PID_PK_NONE=$!
if [ -n "$BASELINE_JAR" ]; then
  java -Xmx512m ${PK_JAVA_OPTS:-} -jar "$BASELINE_JAR" proxy --listen "127.0.0.1:$P_PK_BASE" --production "127.0.0.1:$P_BACKEND" \
    --clone "fast=127.0.0.1:$P_FAST" --metrics off ${PK_ARGS:-} > "$WORK/logs/pk-base.log" 2>&1 &
  PIDS+=($!); PID_PK_BASE=$!
fi
wait_port "$P_HAPROXY" "$WORK/logs/haproxy.log"; wait_port "$P_MIRROR" "$WORK/logs/mirror.err"
wait_port "$P_PK_FAST" "$WORK/logs/pk-fast.log"; wait_port "$P_PK_SLOW" "$WORK/logs/pk-slow.log"
wait_port "$P_PK_NONE" "$WORK/logs/pk-none.log"
[ -z "$BASELINE_JAR" ] || wait_port "$P_PK_BASE" "$WORK/logs/pk-base.log"

PID_MIRROR=$(cat "$WORK/mirror.pid")
# CPU the proxy in the path spent (user+system ticks of the process and its children)
cpu_ticks() { # pid
  local total=0 p
  for p in "$1" $(pgrep -P "$1" || true); do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}
declare -A PROXY_PID=([direct]="" [haproxy-tcp]="$PID_HAPROXY" [nginx-mirror-slow]="$PID_MIRROR"
  [parikshan-none]="$PID_PK_NONE" [parikshan-fast]="$PID_PK_FAST" [parikshan-slow]="$PID_PK_SLOW" [parikshan-fast-baseline]="${PID_PK_BASE:-}")
declare -A CLONE_PID=([direct]="" [haproxy-tcp]="" [nginx-mirror-slow]="$PID_SLOWCOPY"
  [parikshan-none]="" [parikshan-fast]="$PID_FASTCOPY" [parikshan-slow]="$PID_SLOWCOPY" [parikshan-fast-baseline]="$PID_FASTCOPY")
declare -A URL=(
  [direct]="http://127.0.0.1:$P_BACKEND/"
  [haproxy-tcp]="http://127.0.0.1:$P_HAPROXY/"
  [nginx-mirror-slow]="http://127.0.0.1:$P_MIRROR/"
  [parikshan-none]="http://127.0.0.1:$P_PK_NONE/"
  [parikshan-fast]="http://127.0.0.1:$P_PK_FAST/"
  [parikshan-slow]="http://127.0.0.1:$P_PK_SLOW/"
  [parikshan-fast-baseline]="http://127.0.0.1:$P_PK_BASE/"
)
ORDER=(direct haproxy-tcp nginx-mirror-slow parikshan-none parikshan-fast parikshan-slow)
[ -z "$BASELINE_JAR" ] || ORDER+=(parikshan-fast-baseline)
for name in "${ORDER[@]}"; do
  curl -sf -o /dev/null "${URL[$name]}" || { echo "run.sh: $name does not answer at ${URL[$name]}" >&2; exit 1; }
  warm "${URL[$name]}"
done
# the JVM's JIT compiler needs a while on two busy cores; measured runs start once it is done
for name in "${ORDER[@]}"; do
  case "$name" in parikshan-*) wrk -t"$THREADS" -c"$CONNS" -d"${WARMUP_JVM:-20}s" "${URL[$name]}" > /dev/null ;; esac
done

counters() { curl -s "http://127.0.0.1:$1/metrics" | grep -E '^parikshan_(proxy_to_production_bytes_total|proxy_to_clone_bytes_total|proxy_to_clone_dropped_bytes_total|clone_desynced_connections_total|buffer_lag_bytes|buffer_lag_seconds)' || true; }
SLOW_METRICS=""
declare -A RPS P50 P99 CPU BCPU CCPU
per_request() { # ticks requests
  awk -v t="$1" -v hz="$(getconf CLK_TCK)" -v n="$2" 'BEGIN { printf "%.1f", (n > 0 ? t / hz * 1e6 / n : 0) }'
}
for round in $(seq 1 "$ROUNDS"); do
  for name in "${ORDER[@]}"; do
    pid="${PROXY_PID[$name]}"; cpid="${CLONE_PID[$name]}"
    before=$([ -n "$pid" ] && cpu_ticks "$pid" || echo 0)
    cbefore=$([ -n "$cpid" ] && cpu_ticks "$cpid" || echo 0)
    bbefore=$(cpu_ticks "$PID_BACKEND")
    read -r r p50 p99 total < <(measure "${URL[$name]}")
    after=$([ -n "$pid" ] && cpu_ticks "$pid" || echo 0)
    cafter=$([ -n "$cpid" ] && cpu_ticks "$cpid" || echo 0)
    bafter=$(cpu_ticks "$PID_BACKEND")
    us=$(per_request $((after - before)) "$total"); cus=$(per_request $((cafter - cbefore)) "$total")
    bus=$(per_request $((bafter - bbefore)) "$total")
    echo "# round $round $name: $r rps p50 ${p50} ms p99 ${p99} ms, CPU us/request: proxy ${us} backend ${bus} clone ${cus}; load $(cut -d' ' -f1 /proc/loadavg)" >&2
    CPU[$name]="${CPU[$name]:-} $us"; BCPU[$name]="${BCPU[$name]:-} $bus"; CCPU[$name]="${CCPU[$name]:-} $cus"
    if [ "$name" = parikshan-slow ]; then SLOW_METRICS="$(counters "$P_PK_SLOW_METRICS")"; fi  # lag right after the load
    RPS[$name]="${RPS[$name]:-} $r"; P50[$name]="${P50[$name]:-} $p50"; P99[$name]="${P99[$name]:-} $p99"
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
HA_RPS=$(echo "${RPS[haproxy-tcp]}" | median); HA_P99=$(echo "${P99[haproxy-tcp]}" | median)
FAST_RPS=$(echo "${RPS[parikshan-fast]}" | median); FAST_P99=$(echo "${P99[parikshan-fast]}" | median)

METRICS="$(counters "$P_PK_METRICS")"

{
  echo "wrk -t$THREADS -c$CONNS -d${DURATION}s, median of $ROUNDS rounds, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ); slow copy delay ${SLOW_DELAY_MS} ms/request; load average at the end:$(cut -d' ' -f1-3 /proc/loadavg | sed 's/^/ /')"
  echo
  echo "| path | requests/s | p50 ms | p99 ms | proxy CPU us/req | backend CPU us/req | clone CPU us/req | rps vs HAProxy | p99 vs HAProxy | rps vs parikshan-fast | p99 vs parikshan-fast |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for name in "${ORDER[@]}"; do
    r=$(echo "${RPS[$name]}" | median); a=$(echo "${P50[$name]}" | median); b=$(echo "${P99[$name]}" | median)
    c=$(echo "${CPU[$name]}" | median); bc=$(echo "${BCPU[$name]}" | median); cc=$(echo "${CCPU[$name]}" | median)
    awk -v n="$name" -v r="$r" -v a="$a" -v b="$b" -v c="$c" -v bc="$bc" -v cc="$cc" -v hasc="${CLONE_PID[$name]}" \
      -v hr="$HA_RPS" -v hp="$HA_P99" -v fr="$FAST_RPS" -v fp="$FAST_P99" \
      'BEGIN { printf "| %s | %.0f | %.2f | %.2f | %s | %.1f | %s | %.2f | %.2f | %.2f | %.2f |\n", n, r, a, b,
               (n == "direct" ? "-" : sprintf("%.1f", c)), bc, (hasc == "" ? "-" : sprintf("%.1f", cc)), r/hr, b/hp, r/fr, b/fp }'
  done
  echo
  echo "Targets: parikshan-fast rps >= 0.90 x HAProxy and p99 <= 1.2 x HAProxy; parikshan-slow within 5% of parikshan-fast."
  echo
  echo "Proxy counters: parikshan-fast at the end; parikshan-slow right after its last run (lag still draining):"
  echo '```'
  echo "$METRICS"
  echo "$SLOW_METRICS"
  echo '```'
} | tee "${OUT:-/dev/null}"
