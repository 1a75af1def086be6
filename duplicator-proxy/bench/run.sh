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
#   parikshan-slow-baseline  as parikshan-slow with that build
# "10x slower": the slow copy answers each request after a delay that caps it at a tenth of
# the direct run's requests per second for the same number of connections.
#
# Needs: wrk, haproxy, nginx (Debian: wrk haproxy nginx-light), curl, Java 17, and
# deploy/target/parikshan.jar (mvn -B -q -DskipTests package). Loopback only.
# Usage: duplicator-proxy/bench/run.sh [results.md]
#   env: DURATION=15 CONNS=50 THREADS=2 ROUNDS=2 WARMUP_JVM=20 WARMUP_CONNECTS=3 BASE_PORT=21300 PK_JAVA_OPTS= PK_ARGS=
#        WARMUP_CONNECTS: before the rounds of each connection count, that many 4 s runs per parikshan path,
#        each with its own CONNS connects (so the JIT has compiled the per-connection code too)
#        CONNS may list several counts ("50 1000 5000"): each is measured in turn, all paths side by side
#        BASELINE_JAR=path/to/older/parikshan.jar (adds parikshan-fast-baseline and parikshan-slow-baseline)
#        RATE=N: instead of wrk, bench/FixedRateClient.java offers N requests/s in all on every path
#        (same load and same per-connection gaps everywhere; latency from the scheduled send time)
# Every round opens wrk's connections afresh (a burst of CONNS connects): with ROUNDS >= 3 the first
# round is reported apart and the medians are of the later rounds.
# Columns: CPU per request of the proxy in the path, of the backend nginx, and of the clone (fast
# copy or slow copy): on a 2-core host they all share the same cores with wrk.
set -euo pipefail

# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"
OUT="${1:-}"
DURATION="${DURATION:-15}"
CONNS="${CONNS:-50}"
THREADS="${THREADS:-2}"
ROUNDS="${ROUNDS:-2}"
BASE="${BASE_PORT:-21300}"  # below the ephemeral range, so no outgoing connection holds them
P_BACKEND=$BASE; P_FAST=$((BASE+1)); P_SLOW=$((BASE+2)); P_HAPROXY=$((BASE+3))
P_MIRROR=$((BASE+4)); P_PK_FAST=$((BASE+5)); P_PK_SLOW=$((BASE+6)); P_PK_METRICS=$((BASE+7)); P_PK_SLOW_METRICS=$((BASE+8))
P_PK_NONE=$((BASE+9)); P_PK_BASE=$((BASE+10)); P_PK_SLOW_BASE=$((BASE+11))
BASELINE_JAR="${BASELINE_JAR:-}"
read -r -a CONN_LIST <<< "$CONNS"
MAX_CONNS=0; for c in "${CONN_LIST[@]}"; do
  [[ "$c" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: CONNS '$CONNS' must be connection counts separated by spaces, e.g. CONNS=\"50 1000 5000\"" >&2; exit 2; }
  [ "$c" -gt "$MAX_CONNS" ] && MAX_CONNS=$c
done
# the proxy with a clone holds three sockets per client connection; nginx, HAProxy and wrk fewer
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
NEED_FDS=$((3 * MAX_CONNS + 500))
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge "$NEED_FDS" ] || {
  echo "run.sh: CONNS up to $MAX_CONNS needs $NEED_FDS open files per process, but this shell allows $(ulimit -n) (hard limit $(ulimit -Hn)); lower CONNS or raise the limit" >&2; exit 2; }
# listen backlogs as deep as the host allows, so a burst of wrk's connects is not what is measured
SOMAXCONN=$(cat /proc/sys/net/core/somaxconn 2>/dev/null || echo 4096)

need_tools "wrk haproxy nginx-light curl" wrk haproxy nginx curl java
need_jar
[ -z "$BASELINE_JAR" ] || [ -f "$BASELINE_JAR" ] || { echo "run.sh: BASELINE_JAR $BASELINE_JAR not found; build the older tree's deploy/target/parikshan.jar or unset it" >&2; exit 2; }
ports_free "$BASE" $((BASE+11))
start_work pk-proxy-bench

nginx_conf() { # name body
  cat > "$WORK/$1.conf" <<NGX
worker_processes 1;
worker_rlimit_nofile $((3 * MAX_CONNS + 500));
daemon off;
pid $WORK/$1.pid;
error_log $WORK/logs/$1.err warn;
events { worker_connections $((3 * MAX_CONNS + 100)); }
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
nginx_conf backend "server { listen 127.0.0.1:$P_BACKEND backlog=$SOMAXCONN; root $WORK/www; }"
PID_BACKEND=$!
nginx_conf fastcopy "server { listen 127.0.0.1:$P_FAST backlog=$SOMAXCONN; root $WORK/www; }"
PID_FASTCOPY=$!
wait_port "$P_BACKEND"; wait_port "$P_FAST"

# the load: wrk (closed loop: each connection sends its next request when the last is answered), or with
# RATE=N bench/FixedRateClient.java at N requests/s in all (same rate and same gaps on every path)
if [ -n "${RATE:-}" ]; then
  mkdir -p "$WORK/classes"; javac -d "$WORK/classes" "$HERE/FixedRateClient.java"
fi
# printing "rps p50_ms p99_ms requests errors"
measure() { # url
  if [ -n "${RATE:-}" ]; then
    local port="${1##*:}"; port="${port%/}"
    java -cp "$WORK/classes" FixedRateClient "$port" "$C" "$RATE" "$DURATION" > "$WORK/rate.out"
    awk '{for (i = 1; i < NF; i++) v[$i] = $(i + 1)} END {printf "%.0f %.3f %.3f %d %d\n", v["rps"], v["p50_ms"], v["p99_ms"], v["answered"], v["bad"]}' "$WORK/rate.out"
    return
  fi
  wrk -t"$THREADS" -c"$C" -d"${DURATION}s" --latency "$1" > "$WORK/wrk.out"
  awk '
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    /Requests\/sec:/ { rps = $2 }
    / requests in / { total = $1 }
    /^ +50%/ { p50 = ms($2) }
    /^ +99%/ { p99 = ms($2) }
    /Socket errors/ { gsub(/[^0-9 ]/, " "); split($0, e, " +"); for (i in e) err += e[i] }
    /Non-2xx/ { err += $NF }
    END { printf "%.0f %.3f %.3f %d %d\n", rps, p50, p99, total, err }' "$WORK/wrk.out"
  grep -E "Socket errors|Non-2xx" "$WORK/wrk.out" >&2 || true
}
warm() { wrk -t"$THREADS" -c"$C" -d3s "$1" > /dev/null; }
# a short run of the measuring client, with C fresh connections: the JVM's code for accepting,
# connecting and closing runs once per connection, so a long warm-up on few connections leaves it
# to be compiled during the measured rounds of a higher count
warm_connects() { # url
  if [ -n "${RATE:-}" ]; then
    local port="${1##*:}"; port="${port%/}"
    java -cp "$WORK/classes" FixedRateClient "$port" "$C" "$RATE" 4 > /dev/null
  else
    wrk -t"$THREADS" -c"$C" -d4s "$1" > /dev/null
  fi
}

cat > "$WORK/haproxy.cfg" <<HAP
global
  maxconn $((MAX_CONNS + 100))
defaults
  mode tcp
  maxconn $((MAX_CONNS + 100))
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
    listen 127.0.0.1:$P_MIRROR backlog=$SOMAXCONN;
    proxy_http_version 1.1;
    proxy_set_header Connection \"\";
    location / { mirror /mirror; proxy_pass http://backend; }
    location = /mirror { internal; proxy_pass http://slowcopy\$request_uri; }
  }"

pk_proxy() { # jar port log args...
  local jar=$1 port=$2 log=$3; shift 3
  # shellcheck disable=SC2086 # PK_JAVA_OPTS and PK_ARGS are word lists
  java -Xmx512m ${PK_JAVA_OPTS:-} -jar "$jar" proxy --listen "127.0.0.1:$port" --production "127.0.0.1:$P_BACKEND" \
    "$@" ${PK_ARGS:-} > "$WORK/logs/$log.log" 2>&1 &
  PIDS+=($!)
}
pk_proxy "$JAR" "$P_PK_FAST" pk-fast --clone "fast=127.0.0.1:$P_FAST" --metrics "127.0.0.1:$P_PK_METRICS"; PID_PK_FAST=$!
pk_proxy "$JAR" "$P_PK_SLOW" pk-slow --clone "slow=127.0.0.1:$P_SLOW" --metrics "127.0.0.1:$P_PK_SLOW_METRICS"; PID_PK_SLOW=$!
pk_proxy "$JAR" "$P_PK_NONE" pk-none --metrics off; PID_PK_NONE=$!
if [ -n "$BASELINE_JAR" ]; then
  pk_proxy "$BASELINE_JAR" "$P_PK_BASE" pk-base --clone "fast=127.0.0.1:$P_FAST" --metrics off; PID_PK_BASE=$!
  pk_proxy "$BASELINE_JAR" "$P_PK_SLOW_BASE" pk-slow-base --clone "slow=127.0.0.1:$P_SLOW" --metrics off; PID_PK_SLOW_BASE=$!
fi
wait_port "$P_HAPROXY" "$WORK/logs/haproxy.log"; wait_port "$P_MIRROR" "$WORK/logs/mirror.err"
wait_port "$P_PK_FAST" "$WORK/logs/pk-fast.log"; wait_port "$P_PK_SLOW" "$WORK/logs/pk-slow.log"
wait_port "$P_PK_NONE" "$WORK/logs/pk-none.log"
[ -z "$BASELINE_JAR" ] || { wait_port "$P_PK_BASE" "$WORK/logs/pk-base.log"; wait_port "$P_PK_SLOW_BASE" "$WORK/logs/pk-slow-base.log"; }

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
  [parikshan-none]="$PID_PK_NONE" [parikshan-fast]="$PID_PK_FAST" [parikshan-slow]="$PID_PK_SLOW"
  [parikshan-fast-baseline]="${PID_PK_BASE:-}" [parikshan-slow-baseline]="${PID_PK_SLOW_BASE:-}")
declare -A CLONE_ROLE=([direct]="" [haproxy-tcp]="" [nginx-mirror-slow]=slow
  [parikshan-none]="" [parikshan-fast]=fast [parikshan-slow]=slow [parikshan-fast-baseline]=fast [parikshan-slow-baseline]=slow)
declare -A URL=(
  [direct]="http://127.0.0.1:$P_BACKEND/"
  [haproxy-tcp]="http://127.0.0.1:$P_HAPROXY/"
  [nginx-mirror-slow]="http://127.0.0.1:$P_MIRROR/"
  [parikshan-none]="http://127.0.0.1:$P_PK_NONE/"
  [parikshan-fast]="http://127.0.0.1:$P_PK_FAST/"
  [parikshan-slow]="http://127.0.0.1:$P_PK_SLOW/"
  [parikshan-fast-baseline]="http://127.0.0.1:$P_PK_BASE/"
  [parikshan-slow-baseline]="http://127.0.0.1:$P_PK_SLOW_BASE/"
)
ORDER=(direct haproxy-tcp nginx-mirror-slow parikshan-none parikshan-fast parikshan-slow)
[ -z "$BASELINE_JAR" ] || ORDER+=(parikshan-fast-baseline parikshan-slow-baseline)

counters() { curl -s "http://127.0.0.1:$1/metrics" | grep -E '^parikshan_(proxy_to_production_bytes_total|proxy_to_clone_bytes_total|proxy_to_clone_dropped_bytes_total|clone_desynced_connections_total|buffer_lag_bytes|buffer_lag_seconds)' || true; }
per_request() { # ticks requests
  awk -v t="$1" -v hz="$(getconf CLK_TCK)" -v n="$2" 'BEGIN { printf "%.1f", (n > 0 ? t / hz * 1e6 / n : 0) }'
}
# the values of rounds 2.. when there are 3 or more rounds (round 1 is reported apart), else all
later() { if [ "$ROUNDS" -ge 3 ]; then echo "$1" | cut -d' ' -f3-; else echo "$1"; fi; }
first() { echo "$1" | cut -d' ' -f2; }
SLOW_PID=""
JVM_WARM=""
REPORT=""
for C in "${CONN_LIST[@]}"; do
  echo "# $C connections: direct run to size the slow copy" >&2
  warm "http://127.0.0.1:$P_BACKEND/"
  read -r RPS_DIRECT _ _ _ _ < <(measure "http://127.0.0.1:$P_BACKEND/")
  [ -z "${RATE:-}" ] || RPS_DIRECT=$RATE   # at a fixed rate the slow copy serves a tenth of it
  SLOW_DELAY_MS=$(( (10 * C * 1000 + RPS_DIRECT - 1) / RPS_DIRECT ))
  echo "# direct ${RPS_DIRECT} rps; slow copy delays each request ${SLOW_DELAY_MS} ms (capacity ~$((C * 1000 / SLOW_DELAY_MS)) rps with $C connections)" >&2
  # a slow copy sized for this connection count (the proxies connect to it per client connection)
  if [ -n "$SLOW_PID" ]; then kill "$SLOW_PID"; wait "$SLOW_PID" 2>/dev/null || true; fi
  java -Xmx256m "$HERE/SlowHttpServer.java" "$P_SLOW" "$SLOW_DELAY_MS" "$WORK/www/index.html" > "$WORK/logs/slow.log" 2>&1 &
  SLOW_PID=$!; PIDS+=($SLOW_PID)
  wait_port "$P_SLOW" "$WORK/logs/slow.log"
  declare -A CLONE_PID=([fast]="$PID_FASTCOPY" [slow]="$SLOW_PID")

  for name in "${ORDER[@]}"; do
    curl -sf -o /dev/null "${URL[$name]}" || { echo "run.sh: $name does not answer at ${URL[$name]}" >&2; exit 1; }
    warm "${URL[$name]}"
  done
  # the JVM's JIT compiler needs a while on two busy cores; measured runs start once it is done
  if [ -z "$JVM_WARM" ]; then
    for name in "${ORDER[@]}"; do
      case "$name" in parikshan-*) wrk -t"$THREADS" -c"$C" -d"${WARMUP_JVM:-20}s" "${URL[$name]}" > /dev/null ;; esac
    done
    JVM_WARM=1
  fi
  for _ in $(seq 1 "${WARMUP_CONNECTS:-3}"); do
    for name in "${ORDER[@]}"; do
      case "$name" in parikshan-*) warm_connects "${URL[$name]}" ;; esac
    done
  done

  SLOW_METRICS=""
  unset RPS P50 P99 CPU BCPU CCPU ERR
  declare -A RPS P50 P99 CPU BCPU CCPU ERR
  for round in $(seq 1 "$ROUNDS"); do
    for name in "${ORDER[@]}"; do
      pid="${PROXY_PID[$name]}"; role="${CLONE_ROLE[$name]}"; cpid="${role:+${CLONE_PID[$role]}}"
      before=$([ -n "$pid" ] && cpu_ticks "$pid" || echo 0)
      cbefore=$([ -n "$cpid" ] && cpu_ticks "$cpid" || echo 0)
      bbefore=$(cpu_ticks "$PID_BACKEND")
      read -r r p50 p99 total err < <(measure "${URL[$name]}")
      after=$([ -n "$pid" ] && cpu_ticks "$pid" || echo 0)
      cafter=$([ -n "$cpid" ] && cpu_ticks "$cpid" || echo 0)
      bafter=$(cpu_ticks "$PID_BACKEND")
      us=$(per_request $((after - before)) "$total"); cus=$(per_request $((cafter - cbefore)) "$total")
      bus=$(per_request $((bafter - bbefore)) "$total")
      echo "# $C conns, round $round $name: $r rps p50 ${p50} ms p99 ${p99} ms, errors $err, CPU us/request: proxy ${us} backend ${bus} clone ${cus}; load $(cut -d' ' -f1 /proc/loadavg)" >&2
      CPU[$name]="${CPU[$name]:-} $us"; BCPU[$name]="${BCPU[$name]:-} $bus"; CCPU[$name]="${CCPU[$name]:-} $cus"
      if [ "$name" = parikshan-slow ]; then SLOW_METRICS="$(counters "$P_PK_SLOW_METRICS")"; fi  # lag right after the load
      RPS[$name]="${RPS[$name]:-} $r"; P50[$name]="${P50[$name]:-} $p50"; P99[$name]="${P99[$name]:-} $p99"; ERR[$name]="${ERR[$name]:-} $err"
    done
  done

  HA_RPS=$(later "${RPS[haproxy-tcp]}" | median); HA_P99=$(later "${P99[haproxy-tcp]}" | median); HA_CPU=$(later "${CPU[haproxy-tcp]}" | median)
  NONE_P99=$(later "${P99[parikshan-none]}" | median)
  METRICS="$(counters "$P_PK_METRICS")"
  TABLE="$(
    echo "### $C connections"
    echo
    echo "$([ -n "${RATE:-}" ] && echo "FixedRateClient $RATE requests/s over $C connections, ${DURATION}s" || echo "wrk -t$THREADS -c$C -d${DURATION}s"), $(if [ "$ROUNDS" -ge 3 ]; then echo "median of rounds 2-$ROUNDS (round 1 below)"; else echo "median of $ROUNDS rounds"; fi), $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ); slow copy delay ${SLOW_DELAY_MS} ms/request; load average at the end:$(cut -d' ' -f1-3 /proc/loadavg | sed 's/^/ /')"
    echo
    echo "| path | requests/s | p50 ms | p99 ms | errors | proxy CPU us/req | backend CPU us/req | clone CPU us/req | rps vs HAProxy | p99 vs HAProxy | proxy CPU vs HAProxy | p99 vs parikshan-none |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for name in "${ORDER[@]}"; do
      r=$(later "${RPS[$name]}" | median); a=$(later "${P50[$name]}" | median); b=$(later "${P99[$name]}" | median)
      c=$(later "${CPU[$name]}" | median); bc=$(later "${BCPU[$name]}" | median); cc=$(later "${CCPU[$name]}" | median)
      e=$(later "${ERR[$name]}" | tr ' ' '\n' | awk '{s += $1} END {print s + 0}')
      awk -v n="$name" -v r="$r" -v a="$a" -v b="$b" -v c="$c" -v bc="$bc" -v cc="$cc" -v e="$e" -v hasc="${CLONE_ROLE[$name]}" \
        -v hr="$HA_RPS" -v hp="$HA_P99" -v hc="$HA_CPU" -v np="$NONE_P99" \
        'BEGIN { printf "| %s | %.0f | %.2f | %.2f | %d | %s | %.1f | %s | %.2f | %.2f | %s | %.2f |\n", n, r, a, b, e,
                 (n == "direct" ? "-" : sprintf("%.1f", c)), bc, (hasc == "" ? "-" : sprintf("%.1f", cc)), r/hr, b/hp,
                 (n == "direct" ? "-" : sprintf("%.2f", c/hc)), b/np }'
    done
    if [ "$ROUNDS" -ge 3 ]; then
      echo
      echo "Round 1 (the first burst of $C connects per path):"
      echo
      echo "| path | requests/s | p99 ms | errors | proxy CPU us/req |"
      echo "|---|---:|---:|---:|---:|"
      for name in "${ORDER[@]}"; do
        echo "| $name | $(first "${RPS[$name]}") | $(first "${P99[$name]}") | $(first "${ERR[$name]}") | $([ "$name" = direct ] && echo - || first "${CPU[$name]}") |"
      done
    fi
    echo
    echo "Proxy counters: parikshan-fast at the end; parikshan-slow right after its last run (lag still draining):"
    echo '```'
    echo "$METRICS"
    echo "$SLOW_METRICS"
    echo '```'
    echo
  )"
  echo "$TABLE" >&2
  REPORT="$REPORT$TABLE"$'\n\n'
done

{
  echo "Targets: parikshan-fast proxy CPU per request <= 1.25 x HAProxy's; parikshan-slow p99 <= 1.2 x parikshan-none's."
  echo
  echo "$REPORT"
} | tee "${OUT:-/dev/null}"
