#!/usr/bin/env bash
# Builds parikshan-test/hostusr:1, a few-KiB image that runs any program of the host when
# started with `-v /usr:/usr:ro` (there is no registry to pull from). Idempotent.
set -euo pipefail
image=${1:-parikshan-test/hostusr:1}
if docker image inspect "$image" >/dev/null 2>&1; then exit 0; fi
root="$(mktemp -d)"; trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{usr,proc,sys,dev,tmp,data,app,etc,root,run,var/tmp}
chmod 1777 "$root/tmp" "$root/var/tmp"
ln -s usr/bin "$root/bin"; ln -s usr/sbin "$root/sbin"; ln -s usr/lib "$root/lib"; ln -s usr/lib64 "$root/lib64"
# /usr/bin/java and the JDK's conf/ link into /etc; name lookups want passwd/group/hosts.
cp -a /etc/java-17-openjdk /etc/alternatives "$root/etc/" 2>/dev/null || true
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\nredis:x:100:101::/data:/usr/sbin/nologin\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\nredis:x:101:\n' >"$root/etc/group"
printf '127.0.0.1 localhost\n' >"$root/etc/hosts"
tar -C "$root" -c . | docker import -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - "$image" >/dev/null
echo "built $image"
