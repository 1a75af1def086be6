#!/usr/bin/env bash
# Connection bursts and held connections through the traffic duplicator (not a test; loopback only).
#
# 1. Burst: BURST new connections opened at once (bench/ConnectionBurst.java), one GET each, against
#    HAProxy (mode tcp), parikshan with a fast clone, and (BASELINE_JAR=...) an older parikshan build,
#    ROUNDS times each. Per run: answers that were not a whole 200, connects that took >= 0.9 s (a SYN
#    dropped and retried), and the kernel's listen-queue overflow and SYN-retransmit counters.
# 2. Hold: HOLD duplicated connections (production + clone) held open at once through parikshan
#    proxies with a fast clone; the proxies' RSS and the kernel's TCP memory per held connection.
#    A duplicated connection holds three sockets in its proxy, so when HOLD needs more files than
#    one process may open (ulimit -Hn) the connections are spread over several proxies.
#
# Needs: nginx, haproxy, curl, Java 17, deploy/target/parikshan.jar. Usage: bench/burst.sh [results.md]
#   env: BURST=5000 ROUNDS=3 HOLD=10000 BASE_PORT=21340 BASELINE_JAR=
set -euo pipefail

# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"
OUT="${1:-}"
BURST="${BURST:-5000}"
ROUNDS="${ROUNDS:-3}"
HOLD="${HOLD:-10000}"
BASE="${BASE_PORT:-21340}"
BASELINE_JAR="${BASELINE_JAR:-}"
P_BACKEND=$BASE; P_FAST=$((BASE+1)); P_HAPROXY=$((BASE+2)); P_PK=$((BASE+3)); P_PK_BASE=$((BASE+4)); P_HOLD=$((BASE+10))

need_tools "haproxy nginx-light curl iproute2" haproxy nginx curl java nstat
need_jar
[ -z "$BASELINE_JAR" ] || [ -f "$BASELINE_JAR" ] || { echo "burst.sh: BASELINE_JAR $BASELINE_JAR not found; build the older tree's deploy/target/parikshan.jar or unset it" >&2; exit 2; }
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
FILES=$(ulimit -n)
[ "$FILES" = unlimited ] && FILES=1000000
[ "$FILES" -ge $((2 * BURST + 500)) ] || { echo "burst.sh: BURST=$BURST needs $((2 * BURST + 500)) open files per process, this shell allows $FILES; lower BURST" >&2; exit 2; }
PER_PROXY=$(( (FILES - 1000) / 3 ))          # duplicated connections one proxy can hold
HOLD_PROXIES=$(( (HOLD + PER_PROXY - 1) / PER_PROXY ))
ports_free "$BASE" $((BASE + 10 + HOLD_PROXIES))
SOMAXCONN=$(cat /proc/sys/net/core/somaxconn)

start_work pk-proxy-burst
CONNS_MAX=$(( HOLD > BURST ? HOLD : BURST ))
nginx_conf() { # name port
  cat > "$WORK/$1.conf" <<NGX
worker_processes 1;
worker_rlimit_nofile $FILES;
daemon off;
pid $WORK/$1.pid;
error_log $WORK/logs/$1.err warn;
events { worker_connections $((CONNS_MAX + 500)); }
http {
  access_log off;
  client_body_temp_path $WORK/tmp_$1; proxy_temp_path $WORK/ptmp_$1; fastcgi_temp_path $WORK/ftmp_$1;
  uwsgi_temp_path $WORK/utmp_$1; scgi_temp_path $WORK/stmp_$1;
  keepalive_requests 1000000; keepalive_timeout 300s;
  server { listen 127.0.0.1:$2 backlog=$SOMAXCONN; root $WORK/www; }
}
NGX
  nginx -p "$WORK" -c "$WORK/$1.conf" &
  PIDS+=($!)
}
nginx_conf backend "$P_BACKEND"; nginx_conf fastcopy "$P_FAST"
cat > "$WORK/haproxy.cfg" <<HAP
global
  maxconn $((BURST + 100))
defaults
  mode tcp
  maxconn $((BURST + 100))
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
PIDS+=($!)
pk_proxy() { # jar port log
  java -Xmx512m -jar "$1" proxy --listen "127.0.0.1:$2" --production "127.0.0.1:$P_BACKEND" \
    --clone "fast=127.0.0.1:$P_FAST" --metrics off > "$WORK/logs/$3.log" 2>&1 &
  PIDS+=($!)
}
pk_proxy "$JAR" "$P_PK" pk
[ -z "$BASELINE_JAR" ] || pk_proxy "$BASELINE_JAR" "$P_PK_BASE" pk-base
for p in "$P_BACKEND" "$P_FAST" "$P_HAPROXY" "$P_PK"; do wait_port "$p"; done
[ -z "$BASELINE_JAR" ] || wait_port "$P_PK_BASE" "$WORK/logs/pk-base.log"
# the client is compiled once, not in every measured run
mkdir -p "$WORK/classes"
javac -d "$WORK/classes" "$HERE/ConnectionBurst.java"
burst() { java -cp "$WORK/classes" ConnectionBurst "$@"; }

KERNEL_COUNTERS='TcpExtListenOverflows|TcpExtListenDrops|TcpExtTCPSynRetrans|TcpExtSyncookiesSent|TcpExtTCPReqQFullDrop'
declare -A PORT=([haproxy-tcp]=$P_HAPROXY [parikshan-fast]=$P_PK [parikshan-fast-baseline]=$P_PK_BASE)
ORDER=(haproxy-tcp parikshan-fast)
[ -z "$BASELINE_JAR" ] || ORDER+=(parikshan-fast-baseline)
for name in "${ORDER[@]}"; do burst "${PORT[$name]}" 200 0 > /dev/null; done   # warm: JIT, pools
ROWS=""
for round in $(seq 1 "$ROUNDS"); do
  for name in "${ORDER[@]}"; do
    sleep 2   # the previous burst's connections are closed
    nstat -n
    line=$(burst "${PORT[$name]}" "$BURST" 0)
    k=$(nstat 2>/dev/null | awk -v re="$KERNEL_COUNTERS" '$1 ~ re {sub("TcpExt", "", $1); printf "%s %d ", $1, $2}')
    echo "# round $round $name: $line; kernel: ${k:-no overflow counters moved}" >&2
    ROWS="$ROWS$(awk -v n="$name" -v r="$round" -v k="${k:-none}" '{for (i = 1; i < NF; i++) v[$i] = $(i + 1)}
      END {printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", r, n, v["connected"], v["failed"], v["syn-retried(connect>=0.9s)"], v["max"], v["all-answered-after-ms"], k}' <<< "$line")"$'\n'
  done
done

# hold: warm each proxy with a burst first, so what is measured is what the held connections add
PK_HOLD_PIDS=()
for i in $(seq 0 $((HOLD_PROXIES - 1))); do
  pk_proxy "$JAR" $((P_HOLD + i)) "hold-$i"; PK_HOLD_PIDS+=($!)
done
HOLD_PORTS=""
for i in $(seq 0 $((HOLD_PROXIES - 1))); do wait_port $((P_HOLD + i)) "$WORK/logs/hold-$i.log"; HOLD_PORTS="${HOLD_PORTS:+$HOLD_PORTS,}$((P_HOLD + i))"; done
for _ in 1 2; do burst "$HOLD_PORTS" 300 0 > /dev/null; sleep 3; done   # JIT and pools warm, heap not grown by a first hold
rss() { local t=0 p; for p in "${PK_HOLD_PIDS[@]}"; do t=$((t + $(awk '/VmRSS/ {print $2}' "/proc/$p/status"))); done; echo "$t"; }  # KiB
tcp_mem() { awk '/^TCP:/ {for (i = 1; i < NF; i++) if ($i == "mem") print $(i + 1) * 4}' /proc/net/sockstat; }  # KiB
RSS0=$(rss); MEM0=$(tcp_mem)
burst "$HOLD_PORTS" "$HOLD" 30 > "$WORK/hold.out" &
HOLDER=$!
for _ in $(seq 1 600); do grep -q '^holding' "$WORK/hold.out" 2>/dev/null && break; sleep 0.1; done
sleep 5
RSS1=$(rss); MEM1=$(tcp_mem)
CLONE_SOCKETS=$(ss -Htn state established "( dport = :$P_FAST )" | wc -l)
HELD_LINE=$(head -1 "$WORK/hold.out")
kill "$HOLDER" 2>/dev/null || true; wait "$HOLDER" 2>/dev/null || true

{
  echo "Burst: $BURST connections opened at once, one GET each, $ROUNDS rounds per path, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ);"
  echo "net.core.somaxconn = $SOMAXCONN, net.ipv4.tcp_max_syn_backlog = $(cat /proc/sys/net/ipv4/tcp_max_syn_backlog), tcp_syncookies = $(cat /proc/sys/net/ipv4/tcp_syncookies); load average$(cut -d' ' -f1-3 /proc/loadavg | sed 's/^/ /')"
  echo
  echo "| round | path | connected | failed (no whole 200) | connects >= 0.9 s (SYN retried) | slowest connect ms | all answered after ms | kernel counters (system-wide) |"
  echo "|---:|---|---:|---:|---:|---:|---:|---|"
  printf "%s" "$ROWS"
  echo
  echo "Hold: $HOLD duplicated connections through $HOLD_PROXIES parikshan proxies (fast clone; at most $PER_PROXY per proxy at $FILES open files)."
  echo "Client: $HELD_LINE"
  echo "Clone sockets established while holding: $CLONE_SOCKETS"
  awk -v r0="$RSS0" -v r1="$RSS1" -v m0="$MEM0" -v m1="$MEM1" -v n="$HOLD" 'BEGIN {
    printf "Proxy RSS: %.1f MiB before, %.1f MiB holding: %.1f KiB per held connection\n", r0/1024, r1/1024, (r1-r0)/n
    printf "Kernel TCP memory (all sockets of the host): %.1f MiB before, %.1f MiB holding: %.1f KiB per held connection (its 3 proxy sockets and their peers)\n", m0/1024, m1/1024, (m1-m0)/n }'
} | tee "${OUT:-/dev/null}"
