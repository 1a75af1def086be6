#!/usr/bin/env bash
# Runs the real Prometheus (Debian's package) for Parikshan on 127.0.0.1:9090, scraping the session's
# metrics endpoint 127.0.0.1:9464 with deploy/prometheus/{prometheus,alerts}.yml. Idempotent:
#   - not running: installs the config into /var/lib/parikshan/prometheus/ (data there too) and
#     starts it detached (no systemd needed), pid in /var/lib/parikshan/prometheus/prometheus.pid;
#   - running with an older config: installs the new one and reloads it (POST /-/reload);
#   - running with this config: does nothing.
# Debian's own prometheus service (its config, *:9090) is kept from starting: it would take the port.
# Usage (as root): deploy/host/prometheus.sh [start|stop|status]      log: /var/log/parikshan/prometheus.log
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="$(cd "$here/../prometheus" && pwd)"
state=${PARIKSHAN_PROMETHEUS_DIR:-/var/lib/parikshan/prometheus}
listen=127.0.0.1:9090
url="http://$listen"
pidfile="$state/prometheus.pid"
log=/var/log/parikshan/prometheus.log
config_files=(prometheus.yml alerts.yml)

say() { printf '[prometheus] %s\n' "$*"; }
die() { printf 'prometheus.sh: %s\n' "$*" >&2; exit 1; }

running_pid() { # our Prometheus: the pid in the pid file, alive, and a prometheus binary
  local pid
  pid="$(cat "$pidfile" 2>/dev/null || true)"
  [[ $pid =~ ^[0-9]+$ ]] && [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == prometheus ]] && echo "$pid"
}
ready() { curl -fsS --max-time 2 "$url/-/ready" >/dev/null 2>&1; }
config_current() {
  local f
  for f in "${config_files[@]}"; do cmp -s "$src/$f" "$state/conf/$f" || return 1; done
}
install_config() { # checked copy first, so a broken edit never replaces a working config
  local f staged="$state/conf.new"
  rm -rf "$staged" && mkdir -p "$staged"
  for f in "${config_files[@]}"; do cp "$src/$f" "$staged/$f"; done
  promtool check config "$staged/prometheus.yml" >/dev/null \
    || die "$src/prometheus.yml or alerts.yml is invalid: run 'promtool check config $src/prometheus.yml'"
  rm -rf "$state/conf" && mv "$staged" "$state/conf"
}
keep_debian_service_off() {
  if [[ -d /run/systemd/system ]] && systemctl is-enabled --quiet prometheus.service 2>/dev/null; then
    say "disabling Debian's prometheus service (it would take *:9090 with its own config)"
    systemctl disable --now prometheus.service >/dev/null 2>&1 || true
  fi
}

stop() {
  local pid
  pid="$(running_pid || true)"
  [[ -n $pid ]] || { say "not running"; return 0; }
  kill -TERM "$pid"
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  rm -f "$pidfile"
  say "stopped (pid $pid)"
}

start() {
  command -v prometheus >/dev/null && command -v promtool >/dev/null \
    || die "prometheus is not installed; run deploy/host/setup.sh (installs Debian's prometheus)"
  command -v curl >/dev/null || die "curl is not installed; run deploy/host/setup.sh"
  mkdir -p "$state/data" "$(dirname "$log")"
  keep_debian_service_off
  local pid
  pid="$(running_pid || true)"
  if [[ -n $pid ]]; then
    if config_current; then
      say "running (pid $pid) on $url with the current config"
      return 0
    fi
    install_config
    curl -fsS --max-time 10 -X POST "$url/-/reload" >/dev/null \
      || die "reload of pid $pid failed; see $log (or: $0 stop && $0 start)"
    say "reloaded the new config into pid $pid on $url"
    return 0
  fi
  if ready || ss -Htln "sport = :9090" 2>/dev/null | grep -q .; then
    die "127.0.0.1:9090 is taken by another process ($(ss -Htlnp 'sport = :9090' 2>/dev/null | grep -o 'users:.*' | head -1)); stop it (Debian's service: /etc/init.d/prometheus stop) and rerun"
  fi
  install_config
  setsid nohup prometheus \
    --config.file="$state/conf/prometheus.yml" \
    --storage.tsdb.path="$state/data" \
    --storage.tsdb.retention.time=7d \
    --web.listen-address="$listen" \
    --web.enable-lifecycle \
    >>"$log" 2>&1 </dev/null &
  echo $! >"$pidfile"
  for _ in $(seq 1 150); do
    if ready; then
      say "started (pid $(cat "$pidfile")) on $url, scraping 127.0.0.1:9464; config in $state/conf"
      return 0
    fi
    kill -0 "$(cat "$pidfile")" 2>/dev/null || die "prometheus exited at start; see the end of $log"
    sleep 0.2
  done
  die "prometheus did not become ready on $url within 30 s; see $log"
}

[[ $(id -u) -eq 0 ]] || die "must run as root (it writes $state and /var/log/parikshan); rerun as root"
case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status)
    pid="$(running_pid || true)"
    if [[ -n $pid ]] && ready; then say "running (pid $pid) on $url"; else say "not running"; exit 1; fi ;;
  *) die "unknown action '$1': use start, stop or status" ;;
esac
