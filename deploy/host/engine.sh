#!/usr/bin/env bash
# Runs another Docker engine on this Debian 12 host without installing it: Debian trixie's
# docker.io 26 + containerd 1.7, or sid's docker.io 28 + containerd 2.1, unpacked under
# /var/cache/parikshan/engines/<N>/ and started in place of Debian 12's dockerd 20.10.
#   fetch 26|28      downloads the two packages with a private apt configuration (its own sources
#                    list, lists and cache under /var/cache/parikshan/engines/apt/; the Debian
#                    mirror is the one this host's apt uses) and unpacks them; idempotent.
#   use 20.10|26|28  stops the running dockerd (pid file) and its containerd, then starts the chosen
#                    one detached; 26 and 28 keep their images in /var/lib/docker-<N>, 20.10 (the
#                    default engine, as setup.sh starts it) in /var/lib/docker. Debian 12's runc
#                    (/usr/sbin/runc) and /etc/docker/daemon.json are used by all of them.
#   current          prints the running engine's version, its containerd and its data root.
# Usage (as root): deploy/host/engine.sh fetch 26|28 | use 20.10|26|28 | current
# Log of every engine: /var/log/parikshan/dockerd.log
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache=/var/cache/parikshan/engines
log=/var/log/parikshan/dockerd.log
pidfile=/var/run/docker.pid
host_runc=/usr/sbin/runc

step() { printf '[engine %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf 'engine.sh: %s\n' "$*" >&2; exit 1; }

suite_of() { # engine -> Debian suite that ships it
  case "$1" in
    26) echo trixie ;;
    28) echo sid ;;
    *) die "unknown engine '$1': use 26 (trixie's docker.io) or 28 (sid's)" ;;
  esac
}

# The host's Debian mirror (never -security), from its deb822 sources or its sources.list.
debian_mirror() {
  local uri
  uri="$( { cat /etc/apt/sources.list.d/*.sources 2>/dev/null | sed -n 's/^URIs:[[:space:]]*//p' | tr ' ' '\n'
            sed -n 's/^[[:space:]]*deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]\+\).*/\2/p' /etc/apt/sources.list 2>/dev/null
          } | grep -v -- '-security' | grep -E '/debian/?$' | head -1)" || true
  [[ -n $uri ]] || die "no Debian mirror found in /etc/apt/sources.list.d/*.sources (URIs:) or /etc/apt/sources.list (deb lines); add the host's Debian mirror there"
  echo "${uri%/}"
}

fetch() { # $1 = 26|28
  local n=$1 suite dir apt_dir list lists pkgcache tmp deb v
  suite="$(suite_of "$n")"
  dir="$cache/$n"
  if [[ -x $dir/usr/sbin/dockerd && -f $dir/VERSIONS ]]; then
    step "engine $n already fetched: $(paste -sd, "$dir/VERSIONS") in $dir"
    return 0
  fi
  command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null || die "needs apt-get and dpkg-deb (a Debian host)"
  apt_dir="$cache/apt"; list="$apt_dir/sources-$suite.list"; lists="$apt_dir/lists-$suite"; pkgcache="$apt_dir/cache-$suite"
  mkdir -p "$lists/partial" "$pkgcache/archives/partial"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(debian_mirror) $suite main" >"$list"
  local apt_opts=(-o "Dir::Etc::SourceList=$list" -o Dir::Etc::SourceParts=/nonexistent
                  -o "Dir::State::Lists=$lists" -o "Dir::Cache=$pkgcache" -o APT::Get::List-Cleanup=0 -o APT::Sandbox::User=root)
  step "apt-get update for $suite (private lists in $lists)"
  apt-get -qq "${apt_opts[@]}" update \
    || die "apt-get update of $suite failed with $list; check the network and that line"
  tmp="$(mktemp -d "$cache/.fetch-$n.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  step "downloading docker.io/$suite and containerd/$suite"
  (cd "$tmp" && apt-get -qq "${apt_opts[@]}" download "docker.io/$suite" "containerd/$suite") \
    || die "apt-get download docker.io/$suite containerd/$suite failed; check the network or whether $suite still has them"
  v="$(dpkg-deb -f "$tmp"/docker.io_*.deb Version)"
  [[ ${v%%.*} == "$n" ]] || die "$suite now ships docker.io $v, not $n.x; this script's table (suite_of) needs a new entry"
  mkdir -p "$tmp/root"
  for deb in "$tmp"/*.deb; do dpkg-deb -x "$deb" "$tmp/root"; done
  # Debian 12's runc must be the one used: sid's needs a newer glibc than Debian 12 has.
  # and links into packages not unpacked here (docker-init -> tini-static) would shadow the host's.
  find "$tmp/root" \( -name runc -o -xtype l \) -delete
  [[ -x $tmp/root/usr/sbin/dockerd && -x $tmp/root/usr/bin/containerd ]] \
    || die "the packages unpacked in $tmp/root hold no usr/sbin/dockerd or usr/bin/containerd; Debian changed their layout"
  for deb in "$tmp"/*.deb; do dpkg-deb -f "$deb" Package Version | paste -sd' ' | sed 's/^Package: //; s/ Version: / /'; done >"$tmp/root/VERSIONS"
  rm -rf "$dir" && mv "$tmp/root" "$dir"
  rm -rf "$tmp"; trap - EXIT
  step "engine $n fetched: $(paste -sd, "$dir/VERSIONS") in $dir"
}

dockerd_pid() { # the running dockerd, from its pid file
  local pid
  pid="$(cat "$pidfile" 2>/dev/null || true)"
  [[ $pid =~ ^[0-9]+$ ]] && [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == dockerd ]] && echo "$pid"
}

engine_line() { # "engine <version> (containerd <version>) running, data root <dir>"
  docker version -f '{{.Server.Version}} {{range .Server.Components}}{{if eq .Name "containerd"}}{{.Version}}{{end}}{{end}}' 2>/dev/null \
    | { read -r ev cv; printf 'engine %s (containerd %s) running, data root %s\n' "$ev" "$cv" "$(docker info -f '{{.DockerRootDir}}')"; }
}

stop_engine() {
  local pid children n
  pid="$(dockerd_pid || true)"
  if [[ -z $pid ]]; then
    pgrep -x dockerd >/dev/null && die "a dockerd runs ($(pgrep -x dockerd | paste -sd,)) but $pidfile does not name it; stop it by hand and rerun"
    return 0
  fi
  children="$(pgrep -P "$pid" -x containerd || true)"
  step "stopping dockerd (pid $pid${children:+, containerd $children}); its containers stop too"
  kill -TERM "$pid"
  for _ in $(seq 1 150); do
    kill -0 "$pid" 2>/dev/null || { [[ -n $children ]] && kill -0 $children 2>/dev/null; } || break
    sleep 0.2
  done
  kill -0 "$pid" 2>/dev/null && die "dockerd (pid $pid) did not exit within 30 s; see $log, then kill it by hand and rerun"
  [[ -n $children ]] && kill -0 $children 2>/dev/null && die "containerd (pid $children) outlived dockerd by 30 s; kill it by hand and rerun"
  # Each engine makes its own chains and rules and none removes them when it stops.
  n="$(bash "$here/iptables-clean.sh" --docker-only | wc -l)"
  ((n == 0)) || step "removed $n iptables rules and chains the stopped engine left (iptables-clean.sh)"
}

use() { # $1 = 20.10|26|28
  local n=$1 dir= path args=() want pid bin=/usr/sbin/dockerd
  case "$n" in
    20.10) path="$(printf '%s' "$PATH" | tr ':' '\n' | grep -v "^$cache/" | paste -sd:)"; want=/var/lib/docker ;;
    26|28)
      dir="$cache/$n"; bin="$dir/usr/sbin/dockerd"
      [[ -x $bin ]] || die "engine $n is not fetched ($dir/usr/sbin/dockerd missing); run: $0 fetch $n"
      [[ -x $host_runc ]] || die "$host_runc (Debian 12's runc) is missing; run deploy/host/setup.sh"
      path="$dir/usr/sbin:$dir/usr/bin:$(printf '%s' "$PATH" | tr ':' '\n' | grep -v "^$cache/" | paste -sd:)"
      want="/var/lib/docker-$n"; args=(--data-root "$want") ;;
    *) die "unknown engine '$n': use 20.10 (Debian 12's, the default), 26 or 28" ;;
  esac
  [[ "$(PATH=$path command -v runc)" -ef $host_runc ]] \
    || die "runc on the engine's PATH is $(PATH=$path command -v runc || echo none), not Debian 12's $host_runc; remove the other runc"
  [[ "$(PATH=$path command -v dockerd)" -ef $bin ]] \
    || die "dockerd on the engine's PATH is $(PATH=$path command -v dockerd || echo none), not $bin; install docker.io (deploy/host/setup.sh)"
  pid="$(dockerd_pid || true)"
  if [[ -n $pid ]] && docker info >/dev/null 2>&1 \
      && [[ "/proc/$pid/exe" -ef $bin ]] \
      && [[ "$(docker info -f '{{.DockerRootDir}}')" == "$want" ]]; then
    engine_line
    return 0
  fi
  stop_engine
  mkdir -p "$(dirname "$log")"
  step "starting dockerd $n${args[*]:+ ${args[*]}} (log $log)"
  PATH="$path" setsid nohup dockerd "${args[@]}" >>"$log" 2>&1 </dev/null &
  local started=$!
  for _ in $(seq 1 120); do
    kill -0 "$started" 2>/dev/null \
      || die "dockerd $n exited at start: $(tail -1 "$log"); see $log, and '$0 use 20.10' brings the default engine back"
    if docker info >/dev/null 2>&1 && pid="$(dockerd_pid)"; then
      [[ "$(docker info -f '{{.DockerRootDir}}')" == "$want" ]] \
        || die "a dockerd answers but its data root is $(docker info -f '{{.DockerRootDir}}'), not $want; see $log"
      engine_line
      return 0
    fi
    sleep 0.5
  done
  die "dockerd $n did not answer 'docker info' within 60 s: $(tail -1 "$log"); see $log, and '$0 use 20.10' brings the default engine back"
}

current() {
  docker info >/dev/null 2>&1 || die "no Docker engine answers 'docker info'; start one: $0 use 20.10 (or deploy/host/setup.sh)"
  engine_line
}

[[ $(id -u) -eq 0 ]] || die "must run as root (it starts and stops dockerd); rerun as root"
case "${1:-}" in
  fetch) [[ $# -eq 2 ]] || die "usage: $0 fetch 26|28"; fetch "$2" ;;
  use) [[ $# -eq 2 ]] || die "usage: $0 use 20.10|26|28"; use "$2" ;;
  current) current ;;
  *) die "unknown action '${1:-}': use fetch 26|28, use 20.10|26|28 or current" ;;
esac
