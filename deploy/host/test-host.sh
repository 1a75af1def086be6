#!/usr/bin/env bash
# A test host made on this machine, for tests and benchmarks of clones on another host: a network
# namespace joined to this one by a veth pair with a real address each (10.251.N.1 here,
# 10.251.N.2 there), and Debian's sshd running in it in a mount and a pid namespace of its own
# (its processes, the clones among them, have other pids there than here, and its /proc shows
# only them), where the runc state (/run/parikshan) and Parikshan's state (/var/lib/parikshan)
# are empty tmpfs and the engine's socket and image store are hidden: no engine, none of
# production's layers. Root's home there is an empty tmpfs too: sshd runs each command through
# root's shell, and this host's /root/.bashrc (pyenv's rehash, say, which waits up to a minute
# for a lock that a test host taken down mid-command leaves behind) must not run there. Taking it down ends every process in it, as a host that goes away. Root logs
# in with a key made for it. This host routes 10.213.0.0/16 (the test host's sandbox subnets)
# to it, as a network where it is reachable both ways would, so only the sandbox's rules keep a
# clone's packets in.
#
#   deploy/host/test-host.sh up NAME N DIR    makes it; prints "ready NAME 10.251.N.1 10.251.N.2"
#   deploy/host/test-host.sh down NAME DIR    removes it (idempotent)
#
# NAME is pk-th*, at most 12 characters (links NAMEa and NAMEb); N is 1-250; DIR is an empty
# directory for its keys and ssh configs, which name it 'pk-testhost':
#   DIR/ssh_config               the test's key, its host key known
#   DIR/ssh_config_unknown_host  no host key known
#   DIR/ssh_config_other_key     a key it does not accept
# Needs root, ip, nsenter, unshare, ssh-keygen and /usr/sbin/sshd (openssh-server).
set -euo pipefail

die() { printf 'test-host.sh: %s\n' "$*" >&2; exit 2; }
[[ $(id -u) -eq 0 ]] || die "must run as root (it makes network namespaces); rerun as root"
cmd=${1:-}; name=${2:-}
[[ $name =~ ^pk-th[a-z0-9]{1,7}$ ]] || die "NAME '$name' must be pk-th followed by 1-7 lower-case letters or digits"

down() {
  local dir=$1
  # unshare ignores SIGTERM while it waits; its child, the namespace's init, dies with it (--kill-child)
  if [[ -f $dir/namespace.pid ]]; then kill -KILL "$(cat "$dir/namespace.pid")" 2>/dev/null || true; fi
  ip netns delete "$name" 2>/dev/null || true
  ip link delete "${name}a" 2>/dev/null || true
  ip route delete 10.213.0.0/16 via "$(cat "$dir/address" 2>/dev/null || echo 0.0.0.0)" 2>/dev/null || true
  rm -rf "$dir"
}

case $cmd in
  down)
    dir=${3:?DIR}
    down "$dir"
    ;;
  up)
    n=${3:-}; dir=${4:-}
    [[ $n =~ ^[0-9]+$ ]] && ((n >= 1 && n <= 250)) || die "N '$n' must be from 1 to 250"
    [[ -n $dir && -d $dir ]] || die "DIR '$dir' must be an existing directory"
    [[ -x /usr/sbin/sshd ]] || die "/usr/sbin/sshd is missing; install openssh-server (deploy/host/setup.sh)"
    host=10.251.$n.1 test=10.251.$n.2
    trap 'down "$dir"; exit 1' ERR
    for k in host_key client_key other_key; do ssh-keygen -q -t ed25519 -N '' -f "$dir/$k" -C "$name-$k"; done
    cp "$dir/client_key.pub" "$dir/authorized_keys"
    cat >"$dir/sshd_config" <<EOF
ListenAddress $test
Port 22
HostKey $dir/host_key
AuthorizedKeysFile $dir/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile none
EOF
    echo "$test $(cut -d' ' -f1,2 "$dir/host_key.pub")" >"$dir/known_hosts"
    config() { printf 'Host pk-testhost\n  HostName %s\n  IdentityFile %s\n  IdentitiesOnly yes\n  UserKnownHostsFile %s\n  GlobalKnownHostsFile /dev/null\n' "$test" "$1" "$2"; }
    config "$dir/client_key" "$dir/known_hosts" >"$dir/ssh_config"
    config "$dir/client_key" "$dir/no_known_hosts" >"$dir/ssh_config_unknown_host"
    config "$dir/other_key" "$dir/known_hosts" >"$dir/ssh_config_other_key"
    echo "$test" >"$dir/address"
    ip netns add "$name"
    ip link add "${name}a" type veth peer name "${name}b"
    ip link set "${name}b" netns "$name"
    ip addr add "$host/30" dev "${name}a"; ip link set "${name}a" up
    ip -n "$name" addr add "$test/30" dev "${name}b"; ip -n "$name" link set "${name}b" up; ip -n "$name" link set lo up
    ip route replace 10.213.0.0/16 via "$test" dev "${name}a"
    mkdir -p /run/sshd
    # nsenter, not 'ip netns exec', which mounts a fresh /sys without the cgroup hierarchies runc needs
    nsenter --net="/run/netns/$name" unshare -m -p --fork --kill-child --mount-proc --propagation private sh -c "
      mkdir -p /run/parikshan /var/lib/parikshan /var/lib/docker &&
      mount -t tmpfs $name-runc /run/parikshan && mount -t tmpfs $name-state /var/lib/parikshan &&
      mount -t tmpfs $name-nodocker /var/lib/docker &&
      mount -t tmpfs -o mode=700 $name-home /root &&
      if [ -S /run/docker.sock ]; then mount --bind /dev/null /run/docker.sock; fi &&
      exec /usr/sbin/sshd -D -e -f $dir/sshd_config" >"$dir/sshd.log" 2>&1 </dev/null &
    echo $! >"$dir/namespace.pid"
    for ((t = 0; t < 200; t++)); do
      grep -q 'Server listening' "$dir/sshd.log" 2>/dev/null && { echo "ready $name $host $test"; exit 0; }
      sleep 0.1
    done
    cat "$dir/sshd.log" >&2
    down "$dir"
    die "the test host's sshd did not start"
    ;;
  *) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
