#!/usr/bin/env bash
# Puts this host back to its first-run state, "packages installed, nothing ever run", so that a
# run after it (CI) cannot pass on state an earlier run left behind. It removes everything made
# at run time by deploy/host/setup.sh, engine.sh, prometheus.sh, the tests and Parikshan itself:
#   - Parikshan's sessions and takeover guards, Prometheus started by prometheus.sh
#   - dockerd (any engine: pid file, then by name) and its containerd, shims, docker-proxy,
#     runc and criu processes; runc containers left in any state root; processes left in
#     clones' cgroups (/parikshan/<clone>) and those cgroups
#   - mounts under the engines' run state and data roots (overlays, netns binds), then
#     /run/docker, /var/run/docker.sock, /run/containerd (when dockerd's), /var/lib/docker,
#     /var/lib/docker-*; /var/lib/parikshan, /run/parikshan, /tmp/parikshan*, /var/log/parikshan
#   - /etc/criu/runc.conf; /etc/docker/daemon.json when it holds only what setup.sh wrote
#   - iptables/ip6tables: Docker's chains and rules, every rule whose comment starts with
#     parikshan (sandbox DROP rules, the session's nat REDIRECT rules): iptables-clean.sh
#   - bridges docker0, br-*, pk*; test hosts the tests made (network namespaces pk-th*, their sshd)
# Kept: Debian packages, the downloaded engines (/var/cache/parikshan/engines), CRIU's build
# (/var/cache/parikshan/criu) and /usr/local/sbin/criu; --all removes those three too.
# Prints what it removes; idempotent; exits 0 when there was nothing to do.
# Usage (as root): deploy/host/reset.sh [--dry-run] [--all]
#   --dry-run  prints what it would do and changes nothing
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dry=0 all=0
for a in "$@"; do
  case "$a" in
    --dry-run) dry=1 ;;
    --all) all=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) printf 'reset.sh: unknown option %s: use --dry-run and/or --all\n' "$a" >&2; exit 2 ;;
  esac
done

step() { printf '[reset %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf 'reset.sh: %s\n' "$*" >&2; exit 1; }
done_any=0
act() { # act "what" command...: does it (or says it would) and reports it
  local what=$1; shift
  done_any=1
  if ((dry)); then step "would $what"; return 0; fi
  step "$what"
  "$@" || step "  could not $what ($*: exit $?)"
}

[[ $(id -u) -eq 0 ]] || die "must run as root (it stops dockerd and removes its state); rerun as root"

alive() { local p; for p in "$@"; do kill -0 "$p" 2>/dev/null && return 0; done; return 1; }
wait_gone() { # wait_gone SECONDS PID...
  local t=$(($1 * 5)); shift
  while ((t-- > 0)) && alive "$@"; do sleep 0.2; done
  ! alive "$@"
}
pids_cmd() { pgrep -f -- "$1" 2>/dev/null | grep -vx "$$" | paste -sd' ' || true; } # by command line
pids_name() { pgrep -x -- "$1" 2>/dev/null | paste -sd' ' || true; }                 # by process name
except() { local skip=" $1 " p; shift; for p in "$@"; do [[ $skip == *" $p "* ]] || printf '%s ' "$p"; done; }
terminate() { # terminate "what" PID...: TERM, 10 s, then KILL
  local what=$1; shift
  (($#)) || return 0
  act "stop $what (pid $*)" kill_wait "$@"
}
stop_dockerd() { # dockerd stops its containers and then its containerd: give it 30 s
  kill -TERM "$1" 2>/dev/null || true
  wait_gone 30 "$@" || kill_wait "$@"
}
kill_wait() { kill -TERM "$@" 2>/dev/null || true; wait_gone 10 "$@" || { kill -KILL "$@" 2>/dev/null || true; wait_gone 5 "$@"; }; }

# ---------------------------------------------------------------- Parikshan and Prometheus
# shellcheck disable=SC2046
terminate "Parikshan sessions and tools" $(pids_cmd 'parikshan(-probe-agent)?\.jar')
terminate "Parikshan's takeover guards" $(pids_cmd 'tail --pid=.*parikshan-takeover:')
prom_pid="$(cat /var/lib/parikshan/prometheus/prometheus.pid 2>/dev/null || true)"
if [[ $prom_pid =~ ^[0-9]+$ && "$(cat "/proc/$prom_pid/comm" 2>/dev/null)" == prometheus ]]; then
  act "stop Prometheus (pid $prom_pid, deploy/host/prometheus.sh stop)" bash "$here/prometheus.sh" stop
fi
terminate "Prometheus started by prometheus.sh" $(except "$prom_pid" $(pids_cmd '^prometheus .*--storage\.tsdb\.path=/var/lib/parikshan/'))

# ---------------------------------------------------------------- the engine
dockerd_pid="$(cat /var/run/docker.pid 2>/dev/null || true)"
[[ $dockerd_pid =~ ^[0-9]+$ && "$(cat "/proc/$dockerd_pid/comm" 2>/dev/null)" == dockerd ]] || dockerd_pid=
own_containerd="$(pids_cmd '^containerd .*--config /var/run/docker/containerd/containerd\.toml')"
if [[ -n $dockerd_pid ]]; then
  act "stop dockerd (pid $dockerd_pid, from /var/run/docker.pid${own_containerd:+; its containerd $own_containerd})" \
    stop_dockerd "$dockerd_pid" $own_containerd
fi
terminate "dockerd found by name" $(except "$dockerd_pid" $(pids_name dockerd))
terminate "dockerd's containerd" $(except "$own_containerd" $(pids_cmd '^containerd .*--config /var/run/docker/containerd/containerd\.toml'))
# runc containers left in any state root (clones Parikshan restored itself, shims' orphans)
for root in /run/docker/runtime-runc/* /run/parikshan/runc /run/containerd/runc/*; do
  [[ -d $root ]] || continue
  for id in $(runc --root "$root" list -q 2>/dev/null || true); do
    act "delete runc container $id (state root $root)" runc --root "$root" delete -f "$id"
  done
done
# processes left in clones' cgroups (/parikshan/<clone>) that no state root names any more, e.g. a
# clone on a test host whose namespace was deleted under it; then the empty cgroups themselves
clone_pids=$(cat /sys/fs/cgroup/*/parikshan/*/cgroup.procs /sys/fs/cgroup/parikshan/*/cgroup.procs 2>/dev/null | sort -un | paste -sd' ' || true)
[[ -z $clone_pids ]] || act "kill processes left in clones' cgroups ($clone_pids)" kill -KILL $clone_pids
if [[ -n $clone_pids ]]; then sleep 0.5; fi
for cg in /sys/fs/cgroup/*/parikshan/* /sys/fs/cgroup/parikshan/*; do
  [[ -d $cg ]] || continue
  act "remove clone cgroup $cg" rmdir "$cg"
done
terminate "containerd shims" $(pgrep -f '^(/[^ ]*/)?containerd-shim' | paste -sd' ' || true)
for name in docker-proxy runc criu; do
  terminate "leftover $name" $(pids_name "$name")
done

# ---------------------------------------------------------------- mounts and files
unmount_under() { # every mount strictly below $1 (deepest first); with --self, $1 too
  local top=$1 self=${2:-} m
  while read -r m; do
    [[ $m == "$top" && $self != --self ]] || act "unmount $m" umount_one "$m"
  done < <(findmnt -rn -o TARGET | awk -v t="$top" 'index($0, t "/") == 1 || $0 == t' | sort -r)
}
umount_one() { umount "$1" 2>/dev/null || umount -l "$1"; }
self_bind() { # $1 is a directory bound onto itself (dockerd does that to its data root while it runs)
  local p=$1 dev root ptarget pdev proot
  mountpoint -q "$p" || return 1
  read -r dev root < <(findmnt -rn -o MAJ:MIN,FSROOT --mountpoint "$p" | tail -1)
  read -r ptarget pdev proot < <(findmnt -rn -o TARGET,MAJ:MIN,FSROOT -T "$(dirname "$p")" | tail -1)
  [[ $dev == "$pdev" && $root == "$(realpath -m "$proot/${p#"$ptarget"}")" ]]
}
remove() { # remove PATH: its mounts first; a path that is itself a mount point (a disk) is emptied
  local p=$1
  [[ -e $p || -L $p ]] || return 0
  local bound=0
  if [[ -d $p && ! -L $p ]]; then
    unmount_under "$p"
    # dockerd binds its data root onto itself while it runs; a crashed one leaves that behind
    if self_bind "$p"; then act "unmount $p (dockerd's bind of it onto itself)" umount_one "$p"; bound=1; fi
  fi
  if ((bound == 0)) && [[ -d $p && ! -L $p ]] && mountpoint -q "$p"; then
    if [[ -n "$(ls -A "$p")" ]]; then
      act "empty $p (a mount point of its own, kept)" find "$p" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
    fi
  else
    act "remove $p" rm -rf "$p"
  fi
}

# /run/containerd is dockerd's unless a containerd of its own (containerd.service) serves there.
own_run_containerd=1
[[ -S /run/containerd/containerd.sock ]] && own_run_containerd=0
for p in /run/docker /var/run/docker.sock /var/run/docker.pid /var/lib/docker /var/lib/docker-* \
         /var/lib/parikshan /run/parikshan /tmp/parikshan* /var/log/parikshan /etc/criu/runc.conf \
         /etc/apt/sources.list.d/parikshan-sid-src.sources; do
  remove "$p"
done
if ((own_run_containerd)); then remove /run/containerd; fi
((dry)) || rmdir /etc/criu 2>/dev/null || true
daemon_json=/etc/docker/daemon.json
if [[ -f $daemon_json ]] && python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1])) == {"experimental": True} else 1)' "$daemon_json" 2>/dev/null; then
  act "remove $daemon_json (setup.sh's {\"experimental\": true})" rm -f "$daemon_json"
fi
if ((all)); then
  for p in /var/cache/parikshan/engines /var/cache/parikshan/criu /usr/local/sbin/criu; do remove "$p"; done
  if [[ -d /var/cache/parikshan && -z "$(ls -A /var/cache/parikshan)" ]]; then act "remove /var/cache/parikshan" rmdir /var/cache/parikshan; fi
fi

# ---------------------------------------------------------------- firewall and bridges
ipt_args=(); ((dry)) && ipt_args+=(--dry-run)
ipt_out="$(bash "$here/iptables-clean.sh" "${ipt_args[@]}")"
if [[ -n $ipt_out ]]; then printf '%s\n' "$ipt_out"; done_any=1; fi
for link in $(ip -o link show type bridge 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
  if [[ $link == docker0 || $link == br-* || $link == pk* ]]; then act "delete bridge $link" ip link delete "$link"; fi
done
# test hosts the tests make as network namespaces (pk-th*): their sshd, then the namespace and its veth
terminate "test hosts' sshd" $(pids_cmd '^(/usr/sbin/)?sshd -D -e -f /tmp/pk-th')
for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
  if [[ $ns == pk-th* ]]; then act "delete test host namespace $ns" ip netns delete "$ns"; fi
done
for link in $(ip -o link show type veth 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
  if [[ $link == pk-th* ]]; then act "delete test host link $link" ip link delete "$link"; fi
done
for d in /tmp/pk-th*; do [[ -e $d ]] && remove "$d"; done

if ((done_any)); then
  if ((dry)); then step "dry run: nothing was changed"
  else step "host reset: Debian packages kept; downloaded engines and CRIU build $( ((all)) && echo removed || echo kept)"; fi
else
  step "nothing to do: the host is in its first-run state"
fi
