#!/usr/bin/env bash
# Builds parikshan-test/hostusr:2, a few-KiB image that runs any program of the host when
# started with `-v /usr:/usr:ro` (there is no registry to pull from). Idempotent.
set -euo pipefail
image=${1:-parikshan-test/hostusr:2}
if docker image inspect "$image" >/dev/null 2>&1; then exit 0; fi
root="$(mktemp -d)"; trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{usr,proc,sys,dev,tmp,data,app,etc,root,run,var/tmp}
chmod 1777 "$root/tmp" "$root/var/tmp"
ln -s usr/bin "$root/bin"; ln -s usr/sbin "$root/sbin"; ln -s usr/lib "$root/lib"; ln -s usr/lib64 "$root/lib64"
# /usr/bin/java and the JDK's conf/ link into /etc; name lookups want passwd/group/hosts.
cp -a /etc/java-17-openjdk /etc/alternatives "$root/etc/" 2>/dev/null || true
# Servers the tests run under their own users, with Debian's uids (mysql, memcache, www-data).
printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin' \
  'redis:x:100:101::/data:/usr/sbin/nologin' 'mysql:x:105:109::/nonexistent:/bin/false' \
  'memcache:x:106:110::/nonexistent:/bin/false' 'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin' >"$root/etc/passwd"
printf '%s\n' 'root:x:0:' 'www-data:x:33:' 'redis:x:101:' 'mysql:x:109:' 'memcache:x:110:' 'nogroup:x:65534:' >"$root/etc/group"
printf '127.0.0.1 localhost\n' >"$root/etc/hosts"
tar -C "$root" -c . | docker import -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - "$image" >/dev/null
echo "built $image"
