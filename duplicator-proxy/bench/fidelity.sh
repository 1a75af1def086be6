#!/usr/bin/env bash
# Cost of comparing clone answers with production's (fidelity), on the production path.
# Not a test; numbers vary by machine.
#
# One backend (nginx serving a small file) and a fast clone (a second nginx on the same files),
# measured with wrk through three `parikshan proxy` processes that differ only in --compare:
#   compare-off    answers of the clone read and thrown away (the default)
#   compare-auto   every answer parsed and compared with production's (HTTP detected)
#   compare-rules  as compare-auto, plus noise rules (an ignored header, a body regex, a JSON path)
# plus the backend directly, for context. Rounds are interleaved (the order rotates each round)
# and each comparing path is reported as a ratio to compare-off from the same round.
#
# Needs: wrk, nginx (Debian: wrk nginx-light), curl, Java 17, and deploy/target/parikshan.jar
# (mvn -B -q -DskipTests package). Loopback only.
# Usage: duplicator-proxy/bench/fidelity.sh [results.md]
#   env: DURATION=10 CONNS=50 THREADS=2 ROUNDS=5 WARMUP_JVM=20 BASE_PORT=21400 PK_JAVA_OPTS=
#        PARIKSHAN_CLASSPATH=  (run io.parikshan.cli.Parikshan from this class path instead of the jar)
set -euo pipefail

# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"
OUT="${1:-}"
DURATION="${DURATION:-10}"
CONNS="${CONNS:-50}"
THREADS="${THREADS:-2}"
ROUNDS="${ROUNDS:-5}"
BASE="${BASE_PORT:-21400}"
P_BACKEND=$BASE; P_CLONE=$((BASE+1)); P_OFF=$((BASE+2)); P_AUTO=$((BASE+3)); P_RULES=$((BASE+4))
M_OFF=$((BASE+5)); M_AUTO=$((BASE+6)); M_RULES=$((BASE+7))

need_tools "wrk nginx-light curl" wrk nginx curl java
[ -n "${PARIKSHAN_CLASSPATH:-}" ] || need_jar
ports_free "$BASE" $((BASE+7))
start_work pk-fid-bench

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
nginx_conf backend "server { listen 127.0.0.1:$P_BACKEND; root $WORK/www; }"
nginx_conf clone "server { listen 127.0.0.1:$P_CLONE; root $WORK/www; }"
wait_port "$P_BACKEND"; wait_port "$P_CLONE"

pk() { # name listen metrics [compare options...]
  local name=$1 listen=$2 metrics=$3; shift 3
  java -Xmx512m ${PK_JAVA_OPTS:-} $(if [ -n "${PARIKSHAN_CLASSPATH:-}" ]; then echo "-cp $PARIKSHAN_CLASSPATH io.parikshan.cli.Parikshan"; else echo "-jar $JAR"; fi) proxy --listen "127.0.0.1:$listen" --production "127.0.0.1:$P_BACKEND" \
    --clone "clone=127.0.0.1:$P_CLONE" --metrics "127.0.0.1:$metrics" "$@" > "$WORK/logs/$name.log" 2>&1 &
  PIDS+=($!)
  eval "PID_${name//-/_}=$!"
}
pk compare-off "$P_OFF" "$M_OFF"
pk compare-auto "$P_AUTO" "$M_AUTO" --compare auto
pk compare-rules "$P_RULES" "$M_RULES" --compare auto --ignore-header X-Request-Id --ignore-header Last-Modified \
  --ignore-body-regex '[0-9]{10}\.[0-9]{3}' --ignore-json 'meta.requestId'
wait_port "$P_OFF" "$WORK/logs/compare-off.log"; wait_port "$P_AUTO" "$WORK/logs/compare-auto.log"
wait_port "$P_RULES" "$WORK/logs/compare-rules.log"

measure() { # url -> "rps p50_ms p99_ms total"
  wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency "$1" > "$WORK/wrk.out"
  awk '
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    /Requests\/sec:/ { rps = $2 }
    / requests in / { total = $1 }
    /^ +50%/ { p50 = ms($2) }
    /^ +99%/ { p99 = ms($2) }
    END { printf "%.0f %.3f %.3f %d\n", rps, p50, p99, total }' "$WORK/wrk.out"
  grep -E "Socket errors|Non-2xx" "$WORK/wrk.out" >&2 || true
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }

declare -A URL=([direct]="http://127.0.0.1:$P_BACKEND/" [compare-off]="http://127.0.0.1:$P_OFF/"
  [compare-auto]="http://127.0.0.1:$P_AUTO/" [compare-rules]="http://127.0.0.1:$P_RULES/")
declare -A PID=([direct]="" [compare-off]="$PID_compare_off" [compare-auto]="$PID_compare_auto" [compare-rules]="$PID_compare_rules")
declare -A METRICS_PORT=([compare-off]=$M_OFF [compare-auto]=$M_AUTO [compare-rules]=$M_RULES)
PATHS=(compare-off compare-auto compare-rules)
for name in direct "${PATHS[@]}"; do
  curl -sf -o /dev/null "${URL[$name]}" || { echo "fidelity.sh: $name does not answer at ${URL[$name]}" >&2; exit 1; }
done
# the JIT compiler needs a while on two busy cores; measured runs start once it is done
for name in "${PATHS[@]}"; do wrk -t"$THREADS" -c"$CONNS" -d"${WARMUP_JVM:-20}s" "${URL[$name]}" > /dev/null; done

declare -A RPS P50 P99 CPU RPS_RATIO P99_RATIO
for round in $(seq 1 "$ROUNDS"); do
  # rotate the order so that no path always runs first (or right after the direct run)
  order=("${PATHS[@]:$(( (round - 1) % 3 ))}" "${PATHS[@]:0:$(( (round - 1) % 3 ))}")
  declare -A THIS_RPS=() THIS_P99=()
  for name in direct "${order[@]}"; do
    pid="${PID[$name]}"
    before=$([ -n "$pid" ] && cpu_ticks "$pid" || echo 0)
    read -r r p50 p99 total < <(measure "${URL[$name]}")
    after=$([ -n "$pid" ] && cpu_ticks "$pid" || echo 0)
    us=$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$total" 'BEGIN { printf "%.1f", (n > 0 ? t / hz * 1e6 / n : 0) }')
    echo "# round $round $name: $r rps p50 ${p50} ms p99 ${p99} ms, proxy CPU ${us} us/request" >&2
    RPS[$name]="${RPS[$name]:-} $r"; P50[$name]="${P50[$name]:-} $p50"; P99[$name]="${P99[$name]:-} $p99"; CPU[$name]="${CPU[$name]:-} $us"
    THIS_RPS[$name]=$r; THIS_P99[$name]=$p99
  done
  for name in "${PATHS[@]}"; do
    RPS_RATIO[$name]="${RPS_RATIO[$name]:-} $(awk -v a="${THIS_RPS[$name]}" -v b="${THIS_RPS[compare-off]}" 'BEGIN { printf "%.4f", a / b }')"
    P99_RATIO[$name]="${P99_RATIO[$name]:-} $(awk -v a="${THIS_P99[$name]}" -v b="${THIS_P99[compare-off]}" 'BEGIN { printf "%.4f", a / b }')"
  done
done

fidelity() { curl -s "http://127.0.0.1:$1/metrics" | grep -E '^parikshan_(fidelity_[a-z_]+|clone_desynced_connections_total|proxy_to_clone_dropped_bytes_total)\{' || true; }

{
  echo "wrk -t$THREADS -c$CONNS -d${DURATION}s --latency, $ROUNDS interleaved rounds (order rotating), $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ); load average at the end:$(cut -d' ' -f1-3 /proc/loadavg | sed 's/^/ /')"
  echo
  echo "| path | requests/s | p50 ms | p99 ms | proxy CPU us/req | rps / compare-off (median of per-round ratios) | p99 / compare-off (median of per-round ratios) |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  for name in direct "${PATHS[@]}"; do
    r=$(echo "${RPS[$name]}" | median); a=$(echo "${P50[$name]}" | median); b=$(echo "${P99[$name]}" | median)
    c=$(echo "${CPU[$name]}" | median)
    rr=$([ "$name" = direct ] && echo "-" || echo "${RPS_RATIO[$name]}" | median)
    pr=$([ "$name" = direct ] && echo "-" || echo "${P99_RATIO[$name]}" | median)
    awk -v n="$name" -v r="$r" -v a="$a" -v b="$b" -v c="$c" -v rr="$rr" -v pr="$pr" \
      'BEGIN { printf "| %s | %.0f | %.2f | %.2f | %s | %s | %s |\n", n, r, a, b, (n == "direct" ? "-" : sprintf("%.1f", c)), (rr == "-" ? "-" : sprintf("%.3f", rr)), (pr == "-" ? "-" : sprintf("%.3f", pr)) }'
  done
  echo
  echo "Per-round ratios to compare-off (rps; p99):"
  for name in compare-auto compare-rules; do
    echo "- $name: rps${RPS_RATIO[$name]}; p99${P99_RATIO[$name]}"
  done
  echo
  echo "Fidelity counters at the end (every exchange compared, none divergent, none dropped expected):"
  echo '```'
  fidelity "$M_AUTO" | sed 's/^/compare-auto  /'
  fidelity "$M_RULES" | sed 's/^/compare-rules /'
  echo '```'
} | tee "${OUT:-/dev/null}"
