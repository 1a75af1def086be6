#!/usr/bin/env bash
# Soak run of the traffic duplicator (bounded, loopback only; not a test).
#
# SOAK_SECONDS (default 600) of wrk at CONNS (default 1000) connections through one `parikshan proxy`
# that feeds a fast clone (a second nginx) and a slow one (bench/SlowHttpServer.java answering each
# request SLOW_DELAY_MS, default 1000, after it came: 1000 requests/s at 1000 connections).
# This is the proxy a session runs, with clone servers standing in for CRIU clones (a session's
# clones are restored containers; here they are local processes).
# wrk runs in SEGMENT-second pieces, so client connections come and go (each new connection gets
# new clone connections). Checked:
#   - production's answers: every answer a 200 with the backend's exact body (wrk Lua), 0 socket errors;
#   - the proxy's RSS, sampled every 10 s: no growth after the warm-up (the first WARMUP seconds);
#     the proxy's heap is fixed and touched at start (PK_JAVA_OPTS, default -Xms256m -Xmx256m
#     -XX:+AlwaysPreTouch), else the JVM's first touches of its committed heap (a 64th of the
#     host's memory at start) read as growth for many minutes;
#   - the slow clone falls behind and is dropped and counted (desynced connections, dropped bytes),
#     the fast clone never is, and neither clone ever sees a request cut by a hole (the fast clone
#     got exactly production's bytes; the slow one logs any request not starting with "GET ").
# The slow clone reads a connection's next request only after answering the last, through small
# receive buffers, and the budgets are small (CONNECTION_BUDGET, GLOBAL_BUDGET), so it falls out of
# budget within each piece of the run.
#
# Usage: bench/soak.sh [results.md]
#   env: SOAK_SECONDS=600 CONNS=1000 SLOW_DELAY_MS=1000 SEGMENT=120 WARMUP=120 BASE_PORT=21360 CONNECTION_BUDGET=16KiB
#        GLOBAL_BUDGET=32MiB PK_JAVA_OPTS=
set -euo pipefail

# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"
OUT="${1:-}"
SOAK_SECONDS="${SOAK_SECONDS:-600}"
CONNS="${CONNS:-1000}"
SEGMENT="${SEGMENT:-120}"
WARMUP="${WARMUP:-120}"
BASE="${BASE_PORT:-21360}"
CONNECTION_BUDGET="${CONNECTION_BUDGET:-16KiB}"
GLOBAL_BUDGET="${GLOBAL_BUDGET:-32MiB}"
P_BACKEND=$BASE; P_FAST=$((BASE+1)); P_SLOW=$((BASE+2)); P_PK=$((BASE+3)); P_METRICS=$((BASE+4))

need_tools "wrk nginx-light curl" wrk nginx curl java
need_jar
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge $((3 * CONNS + 500)) ] || {
  echo "soak.sh: CONNS=$CONNS needs $((3 * CONNS + 500)) open files, this shell allows $(ulimit -n); lower CONNS" >&2; exit 2; }
ports_free "$BASE" $((BASE+4))
SOMAXCONN=$(cat /proc/sys/net/core/somaxconn)

start_work pk-proxy-soak
nginx_conf() { # name port
  cat > "$WORK/$1.conf" <<NGX
worker_processes 1;
worker_rlimit_nofile $((3 * CONNS + 500));
daemon off;
pid $WORK/$1.pid;
error_log $WORK/logs/$1.err warn;
events { worker_connections $((2 * CONNS + 100)); }
http {
  access_log off;
  client_body_temp_path $WORK/tmp_$1; proxy_temp_path $WORK/ptmp_$1; fastcgi_temp_path $WORK/ftmp_$1;
  uwsgi_temp_path $WORK/utmp_$1; scgi_temp_path $WORK/stmp_$1;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:$2 backlog=$SOMAXCONN; root $WORK/www; }
}
NGX
  nginx -p "$WORK" -c "$WORK/$1.conf" &
  PIDS+=($!)
}
nginx_conf backend "$P_BACKEND"; nginx_conf fastcopy "$P_FAST"
wait_port "$P_BACKEND"; wait_port "$P_FAST"

# the slow clone answers each request SLOW_DELAY_MS after it came: CONNS*1000/SLOW_DELAY_MS requests/s at most
SLOW_DELAY_MS="${SLOW_DELAY_MS:-1000}"
# one request at a time per connection, small receive buffers: what it cannot take waits in the proxy's budget
java -Xmx256m "$HERE/SlowHttpServer.java" "$P_SLOW" "$SLOW_DELAY_MS" "$WORK/www/index.html" 4096 > "$WORK/logs/slow.log" 2>&1 &
PIDS+=($!)
wait_port "$P_SLOW" "$WORK/logs/slow.log"

# shellcheck disable=SC2086 # PK_JAVA_OPTS is a word list
java ${PK_JAVA_OPTS:--Xms256m -Xmx256m -XX:+AlwaysPreTouch} -jar "$JAR" proxy --listen "127.0.0.1:$P_PK" --production "127.0.0.1:$P_BACKEND" \
  --clone "fast=127.0.0.1:$P_FAST" --clone "slow=127.0.0.1:$P_SLOW" --metrics "127.0.0.1:$P_METRICS" \
  --connection-budget "$CONNECTION_BUDGET" --global-budget "$GLOBAL_BUDGET" > "$WORK/logs/proxy.log" 2>&1 &
PIDS+=($!); PID_PK=$!
wait_port "$P_PK" "$WORK/logs/proxy.log"; wait_port "$P_METRICS" "$WORK/logs/proxy.log"

# wrk checks every answer against the backend's file
EXPECTED=$(cat "$WORK/www/index.html")
cat > "$WORK/check.lua" <<LUA
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) good = 0; bad = 0 end
-- requests of about 2 KiB, so a clone that falls behind fills its budget within a piece of the run
wrk.headers["X-Pad"] = string.rep("p", 2000)
local expected = "$EXPECTED"
function response(status, headers, body)
  if status == 200 and body == expected then good = good + 1 else bad = bad + 1 end
end
function done(summary, latency, requests)
  local g, b = 0, 0
  for _, t in ipairs(threads) do g = g + t:get("good"); b = b + t:get("bad") end
  io.write(string.format("answers good %d bad %d\n", g, b))
end
LUA

metric() { # name{labels}: its value, 0 if absent
  curl -s "http://127.0.0.1:$P_METRICS/metrics" | awk -v m="$1" '$1 == m {printf "%.0f", $2; found = 1} END {if (!found) print 0}'
}
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$PID_PK/status"; }
echo "seconds,rss_kib,buffer_used_bytes,slow_desynced,active_connections" > "$WORK/rss.csv"
START=$(date +%s)
(
  while kill -0 "$PID_PK" 2>/dev/null; do
    echo "$(( $(date +%s) - START )),$(rss_kib),$(metric parikshan_buffer_used_bytes),$(metric 'parikshan_clone_desynced_connections_total{clone="slow"}'),$(metric parikshan_proxy_active_connections)" >> "$WORK/rss.csv"
    sleep 10
  done
) &
SAMPLER=$!

GOOD=0; BAD=0; REQUESTS=0; ERRORS=0; SEGMENTS=0; P99S=""
while [ $(( $(date +%s) - START )) -lt "$SOAK_SECONDS" ]; do
  left=$(( SOAK_SECONDS - ($(date +%s) - START) ))
  d=$(( left < SEGMENT ? left : SEGMENT )); [ "$d" -ge 1 ] || break
  wrk -t2 -c"$CONNS" -d"${d}s" --timeout 10s --latency -s "$WORK/check.lua" "http://127.0.0.1:$P_PK/" > "$WORK/wrk.out"
  read -r g b < <(awk '/^answers good/ {print $3, $5}' "$WORK/wrk.out")
  n=$(awk '/ requests in / {print $1}' "$WORK/wrk.out")
  e=$(awk '/Socket errors/ {gsub(/[^0-9 ]/, " "); s = 0; split($0, v, " +"); for (i in v) s += v[i]; print s} END {if (!NR) print 0}' "$WORK/wrk.out" | tail -1)
  p99=$(awk '/^ +99%/ {print $2}' "$WORK/wrk.out")
  GOOD=$((GOOD + g)); BAD=$((BAD + b)); REQUESTS=$((REQUESTS + n)); ERRORS=$((ERRORS + ${e:-0})); SEGMENTS=$((SEGMENTS + 1)); P99S="$P99S $p99"
  echo "# segment $SEGMENTS (${d}s): $n requests, good $g bad $b, socket errors ${e:-0}, p99 $p99, proxy RSS $(( $(rss_kib) / 1024 )) MiB, load $(cut -d' ' -f1 /proc/loadavg)" >&2
done
sleep 12   # the slow clone's drain timeout is longer; what matters is that production's side is done
kill "$SAMPLER" 2>/dev/null || true; wait "$SAMPLER" 2>/dev/null || true

PROD=$(metric parikshan_proxy_to_production_bytes_total)
FAST_SENT=$(metric 'parikshan_proxy_to_clone_bytes_total{clone="fast"}')
FAST_DESYNC=$(metric 'parikshan_clone_desynced_connections_total{clone="fast"}')
FAST_DROPPED=$(metric 'parikshan_proxy_to_clone_dropped_bytes_total{clone="fast"}')
SLOW_SENT=$(metric 'parikshan_proxy_to_clone_bytes_total{clone="slow"}')
SLOW_DESYNC=$(metric 'parikshan_clone_desynced_connections_total{clone="slow"}')
SLOW_DROPPED=$(metric 'parikshan_proxy_to_clone_dropped_bytes_total{clone="slow"}')
SLOW_OPENED=$(metric 'parikshan_clone_connections_total{clone="slow"}')
MALFORMED=$(grep -c 'malformed request' "$WORK/logs/slow.log" || true)
# RSS after the warm-up: first sample past WARMUP, and the highest and last after it
read -r RSS_WARM RSS_MAX RSS_LAST < <(awk -F, -v w="$WARMUP" 'NR > 1 && $1 >= w {if (!first) first = $2; if ($2 > max) max = $2; last = $2} END {print first + 0, max + 0, last + 0}' "$WORK/rss.csv")

verdict() { if eval "$2"; then echo "| $1 | ok |"; else echo "| $1 | FAILED |"; fi; }
{
  echo "Soak: ${SOAK_SECONDS}s of wrk -t2 -c$CONNS in $SEGMENTS pieces of up to ${SEGMENT}s, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ); slow clone delay ${SLOW_DELAY_MS} ms/request; budgets $CONNECTION_BUDGET per connection, $GLOBAL_BUDGET in all; load average at the end$(cut -d' ' -f1-3 /proc/loadavg | sed 's/^/ /')"
  echo
  echo "Requests $REQUESTS, answers good $GOOD bad $BAD, socket errors $ERRORS; p99 per piece:$P99S"
  echo "Proxy RSS (KiB): after warm-up ($WARMUP s) $RSS_WARM, highest after it $RSS_MAX, at the end $RSS_LAST (samples every 10 s below)"
  echo "Production bytes $PROD; fast clone: sent $FAST_SENT, dropped $FAST_DROPPED, desynced connections $FAST_DESYNC"
  echo "Slow clone: connections $SLOW_OPENED, sent $SLOW_SENT, dropped $SLOW_DROPPED bytes, desynced connections $SLOW_DESYNC; malformed requests it saw: $MALFORMED"
  echo
  echo "| check | result |"
  echo "|---|---|"
  verdict "every answer a 200 with the backend's body, no socket errors" '[ "$BAD" -eq 0 ] && [ "$ERRORS" -eq 0 ] && [ "$GOOD" -eq "$REQUESTS" ] && [ "$REQUESTS" -gt 0 ]'
  verdict "RSS after warm-up grew less than 10%" '[ "$RSS_MAX" -le $((RSS_WARM + RSS_WARM / 10)) ]'
  verdict "slow clone dropped and counted" '[ "$SLOW_DESYNC" -gt 0 ] && [ "$SLOW_DROPPED" -gt 0 ]'
  verdict "fast clone got every production byte, never dropped" '[ "$FAST_SENT" -eq "$PROD" ] && [ "$FAST_DESYNC" -eq 0 ]'
  verdict "no request with a hole reached the slow clone" '[ "$MALFORMED" -eq 0 ]'
  echo
  echo '```'
  cat "$WORK/rss.csv"
  echo '```'
} > "$WORK/report.md"
cat "$WORK/report.md"
[ -z "$OUT" ] || cp "$WORK/report.md" "$OUT"
! grep -q '| FAILED |' "$WORK/report.md"
