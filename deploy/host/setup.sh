#!/usr/bin/env bash
# Makes a Debian 12 host ready for Parikshan; safe and quick to run again.
#   - Docker engine (Debian's docker.io) with experimental features, started if not running
#   - CRIU >= 4.2 on PATH, built from Debian's newest source package with the patches in
#     criu/ (rebuilt when they change), and /etc/criu/runc.conf with tcp-close
#   - the tools Parikshan, its tests and its demo use (JDK 17, Maven, rsync, iptables, curl,
#     redis, wrk, haproxy, nginx, prometheus, mariadb, memcached, sqlite3)
#   - the CLI built, then `parikshan doctor`
# Run as root. Set PARIKSHAN_SKIP_BUILD=1 to skip building the CLI.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
CRIU_MIN="4.2"
CRIU_PREFIX=/usr/local/sbin
cache=/var/cache/parikshan

step() { printf '[setup %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf 'setup: %s\n' "$*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "must run as root (it installs packages and starts dockerd); rerun as root"
command -v apt-get >/dev/null || die "needs a Debian host with apt-get; this is $(. /etc/os-release; echo "$PRETTY_NAME")"

# ---------------------------------------------------------------- packages
PACKAGES=(
  # engine and the clone manager's tools
  docker.io iptables rsync procps
  # build and run
  openjdk-17-jdk-headless maven
  # CRIU build dependencies (Debian 12)
  build-essential pkg-config libprotobuf-c-dev protobuf-c-compiler libprotobuf-dev
  protobuf-compiler python3-protobuf libnl-3-dev libnet1-dev libcap-dev libbsd-dev
  libnftables-dev libgnutls28-dev uuid-dev libaio-dev libdrm-dev xz-utils dpkg-dev patch
  # real servers and clients used by tests, benchmarks and the demo
  curl redis-server redis-tools wrk haproxy nginx-light busybox prometheus dnsmasq-base bind9-dnsutils
  mariadb-server mariadb-client memcached sqlite3
  # test hosts (network namespaces with an sshd of their own) for clones on another host
  openssh-server
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
apt_updated=0
apt_update() { [[ $apt_updated == 1 ]] || { step "apt-get update"; apt-get update -qq || true; apt_updated=1; }; }
if ((${#missing[@]})); then
  apt_update
  step "installing ${#missing[@]} packages: ${missing[*]}"
  # Packages' own services (redis, nginx, haproxy, prometheus, mariadb, memcached) must not grab ports at install.
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install failed for: ${missing[*]}; check 'apt-get update' and the network"
  rm -f /usr/sbin/policy-rc.d; trap - EXIT
else
  step "packages present"
fi

# ---------------------------------------------------------------- docker engine
daemon_json=/etc/docker/daemon.json
mkdir -p /etc/docker
config_changed=0
if ! { [[ -f $daemon_json ]] && python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1])).get("experimental") is True else 1)' "$daemon_json"; }; then
  step "enabling experimental features in $daemon_json (needed for checkpoint/restore)"
  python3 - "$daemon_json" <<'PY'
import json, os, sys
p = sys.argv[1]
cfg = json.load(open(p)) if os.path.exists(p) and os.path.getsize(p) else {}
cfg["experimental"] = True
json.dump(cfg, open(p, "w"), indent=2)
PY
  config_changed=1
fi

engine_up() { docker info >/dev/null 2>&1; }
experimental_on() { [[ "$(docker version -f '{{.Server.Experimental}}' 2>/dev/null)" == "true" ]]; }
start_engine() {
  if [[ -d /run/systemd/system ]]; then
    systemctl enable --now docker >/dev/null 2>&1 || true
    systemctl restart docker
  else
    mkdir -p /var/log/parikshan
    # No systemd (containers, CI sandboxes): run dockerd ourselves, detached from this shell.
    setsid nohup dockerd >>/var/log/parikshan/dockerd.log 2>&1 </dev/null &
  fi
  for _ in $(seq 1 60); do engine_up && return 0; sleep 0.5; done
  die "dockerd did not come up in 30 s; see /var/log/parikshan/dockerd.log or 'journalctl -u docker'"
}
if engine_up && experimental_on; then
  step "docker engine running ($(docker version -f '{{.Server.Version}}'), experimental on)"
else
  if engine_up; then
    step "restarting docker engine to turn experimental on"
    if [[ ! -d /run/systemd/system ]]; then
      pkill -TERM -x dockerd || true
      for _ in $(seq 1 40); do pgrep -x dockerd >/dev/null || break; sleep 0.5; done
    fi
  else
    step "starting docker engine"
  fi
  start_engine
  experimental_on || die "docker engine runs but experimental is off; check $daemon_json"
  step "docker engine running ($(docker version -f '{{.Server.Version}}'), experimental on)"
fi

# ---------------------------------------------------------------- CRIU
# CRIU is built from Debian's newest source package with the patches in criu/ applied (no
# packaged CRIU carries them). The build's GitID names a checksum of the patch set, so a CRIU
# built before the set changed (or an unpatched one) fails criu_patched and is rebuilt.
criu_ok() { # $1 = criu binary
  local v
  v="$("$1" --version 2>/dev/null | awk '/^Version:/{print $2}')" || return 1
  [[ -n $v ]] && dpkg --compare-versions "$v" ge "$CRIU_MIN" && "$1" check >/dev/null 2>&1
}
criu_patches=("$here"/criu/*.patch)
[[ -e ${criu_patches[0]} ]] || criu_patches=()
criu_gitid="parikshan-$(cat "${criu_patches[@]}" </dev/null | sha256sum | cut -c1-12)"
criu_patched() { "$1" --version 2>/dev/null | grep -qx "GitID: $criu_gitid"; }
criu_bin="$(command -v criu || true)"
if [[ -n $criu_bin ]] && criu_patched "$criu_bin" && criu_ok "$criu_bin"; then
  step "criu $("$criu_bin" --version | awk '/^Version:/{print $2}') ($criu_gitid) at $criu_bin passes 'criu check'"
else
  step "building CRIU >= $CRIU_MIN from Debian's newest source package with ${#criu_patches[@]} patches"
  mkdir -p "$cache/criu" && cd "$cache/criu"
  if ! ls criu_*.orig.tar.* >/dev/null 2>&1; then
    apt_update
    src=/etc/apt/sources.list.d/parikshan-sid-src.sources
    printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: sid\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' >"$src"
    apt-get update -qq -o Dir::Etc::sourcelist="$src" -o Dir::Etc::sourceparts=- -o APT::Get::List-Cleanup=0 || true
    # apt may report a 404 for the .debian.tar.xz part while the upstream tarball arrives.
    apt-get source --download-only -qq criu/sid >/dev/null 2>&1 || true
    rm -f "$src"
    ls criu_*.orig.tar.* >/dev/null 2>&1 || die "could not download CRIU's source from Debian (criu/sid); check apt's network access"
  fi
  tarball="$(ls criu_*.orig.tar.* | sort -V | tail -1)"
  srcdir="$cache/criu/build-${tarball%.orig.tar.*}"
  if [[ ! -x $srcdir/criu/criu ]] || ! criu_patched "$srcdir/criu/criu"; then
    rm -rf "$srcdir" && mkdir -p "$srcdir"
    tar -xf "$tarball" -C "$srcdir" --strip-components=1
    for p in "${criu_patches[@]}"; do
      patch -d "$srcdir" -p1 --batch --forward --quiet <"$p" || die "patch $p does not apply to $tarball"
    done
    step "compiling $tarball (about a minute)"
    make -C "$srcdir" -j"$(nproc)" GITID="$criu_gitid" criu >"$cache/criu/build.log" 2>&1 \
      || die "CRIU build failed; see $cache/criu/build.log"
  fi
  # Replace it atomically: running dumps and restores may be executing the old binary.
  install -m 0755 "$srcdir/criu/criu" "$CRIU_PREFIX/criu.new" && mv -f "$CRIU_PREFIX/criu.new" "$CRIU_PREFIX/criu"
  criu_bin="$CRIU_PREFIX/criu"
  hash -r
  criu_ok "$criu_bin" || die "built $criu_bin but 'criu check' fails: $("$criu_bin" check 2>&1 | tail -1)"
  [[ "$(command -v criu)" == "$criu_bin" ]] || die "installed $criu_bin but $(command -v criu) comes first on PATH; remove it"
  step "criu $("$criu_bin" --version | awk '/^Version:/{print $2}') ($criu_gitid) at $criu_bin passes 'criu check'"
fi

# runc asks CRIU to read /etc/criu/runc.conf. tcp-close lets a container with open TCP
# connections be dumped without touching them (production keeps them) and restored with
# them closed (the clone must never own production's connections).
mkdir -p /etc/criu
if ! grep -qx 'tcp-close' /etc/criu/runc.conf 2>/dev/null; then
  step "adding tcp-close to /etc/criu/runc.conf"
  echo 'tcp-close' >>/etc/criu/runc.conf
fi

step "prometheus on 127.0.0.1:9090"; bash "$here/prometheus.sh" start  # scrapes the session on 127.0.0.1:9464

# ---------------------------------------------------------------- CLI and doctor
jar="$repo/deploy/target/parikshan.jar"
if [[ ${PARIKSHAN_SKIP_BUILD:-0} != 1 ]]; then
  agent="$repo/probe-agent/target/parikshan-probe-agent.jar"
  suite="$repo/examples/sample-probe-suite/target/sample-probe-suite.jar"
  if [[ ! -f $jar || ! -f $agent || ! -f $suite ]] || [[ -n "$(find "$repo" -path '*/target' -prune -o \( -name '*.java' -o -name pom.xml \) -newer "$jar" -print -quit)" ]]; then
    step "building the parikshan CLI, the probe agent and the sample probe suite"
    (cd "$repo" && mvn -B -q -ntp -DskipTests -DskipITs -pl deploy,probe-agent,examples/sample-probe-suite -am install) || die "maven build failed; run 'mvn -B -DskipTests install' in $repo to see why"
  fi
  step "parikshan doctor"
  jsa="$repo/deploy/target/parikshan.jsa"
  if [[ ! -f $jsa || $jar -nt $jsa ]]; then
    PARIKSHAN_CDS_DUMP=1 "$repo/deploy/bin/parikshan" doctor  # also writes the class-data archive
  else
    "$repo/deploy/bin/parikshan" doctor
  fi
fi
