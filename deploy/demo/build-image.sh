#!/usr/bin/env bash
# Builds the demo's production service image, parikshan-demo/sample-service:1 (SampleService.java
# compiled, FROM parikshan-test/hostusr:2). Idempotent: rebuilds only when the source (or the JVM
# flags chosen for this host) changed; the image carries the source's sha256 as a label.
#
# The image holds no JDK: like its base, run it with the host's /usr mounted read-only:
#   docker run -d --name NAME -v /usr:/usr:ro -p 127.0.0.1:PORT:8080 parikshan-demo/sample-service:1
#
# Usage: deploy/demo/build-image.sh [IMAGE]      prints the image name; needs docker, javac, bash
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
image=${1:-parikshan-demo/sample-service:1}
base=parikshan-test/hostusr:2
src="$here/SampleService.java"
die() { printf 'build-image: %s\n' "$*" >&2; exit 1; }

command -v docker >/dev/null || die "docker CLI not found; run deploy/host/setup.sh first"
docker info >/dev/null 2>&1 || die "Docker engine unreachable; run deploy/host/setup.sh (as root) to start it"
[[ -f $src ]] || die "missing $src"

# The container runs the host's java (through /usr). JDK 21+ warn when an agent is loaded
# dynamically unless started with -XX:+EnableDynamicAgentLoading; Java 17 rejects that flag.
flags=(-Xmx128m)
if java -XX:+EnableDynamicAgentLoading -version >/dev/null 2>&1; then
  flags=(-XX:+EnableDynamicAgentLoading "${flags[@]}")
fi
digest="$( { sha256sum <"$src"; echo "${flags[*]}"; } | sha256sum | cut -d' ' -f1)"

current="$(docker image inspect -f '{{ index .Config.Labels "io.parikshan.demo.source-sha256" }}' "$image" 2>/dev/null || true)"
if [[ $current == "$digest" ]]; then
  echo "$image"
  exit 0
fi

if ! docker image inspect "$base" >/dev/null 2>&1; then
  bash "$here/../host/test-image.sh" "$base" >&2
fi

ctx="$(mktemp -d /tmp/pk-demo-image.XXXXXX)"
trap 'rm -rf "$ctx" "$ctx.log"' EXIT
mkdir "$ctx/app"
javac --release 17 -d "$ctx/app" "$src" || die "javac failed on $src"
cmd="$(printf '"%s", ' java "${flags[@]}" -cp /app SampleService 8080)"
cat >"$ctx/Dockerfile" <<EOF
FROM $base
COPY app/ /app/
LABEL io.parikshan.demo.source-sha256="$digest"
EXPOSE 8080
# Needs -v /usr:/usr:ro at run time (the JDK comes from the host).
CMD [${cmd%, }]
EOF
# (the legacy builder's deprecation notice is noise here; shown only when the build fails)
docker build -q -t "$image" "$ctx" >/dev/null 2>"$ctx.log" \
  || die "docker build of $image failed: $(grep -v '^ *$' "$ctx.log" | tail -3 | tr '\n' ' ')"
echo "$image"
