#!/usr/bin/env bash
# Removes the iptables and ip6tables rules a Docker engine and Parikshan leave behind, so the next
# engine (or a reset host) starts from clean tables, as after a boot:
#   - Docker's DOCKER* chains (every engine's: 28 adds DOCKER-FORWARD, DOCKER-CT, DOCKER-BRIDGE,
#     raw-table rules, ...), the jumps into them, and the rules it puts in the built-in chains for
#     its bridges (docker0, br-*, Parikshan's pk*: FORWARD accepts, POSTROUTING masquerades) and
#     published ports;
#   - unless --docker-only: every rule whose comment starts with parikshan (the sandbox DROP rules,
#     "parikshan:<clone>", and the session's nat REDIRECT rules, "parikshan-takeover:<name>").
# No engine stops or removes these rules itself. Run it only while no dockerd runs.
# Usage (as root): deploy/host/iptables-clean.sh [--dry-run] [--docker-only]   (prints each rule)
set -euo pipefail
dry=0 docker_only=0
for a in "$@"; do
  case "$a" in
    --dry-run) dry=1 ;;
    --docker-only) docker_only=1 ;;
    *) printf 'iptables-clean.sh: unknown option %s: use --dry-run and/or --docker-only\n' "$a" >&2; exit 2 ;;
  esac
done
step() { printf '[iptables %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
run() { # run "what" command...
  if ((dry)); then step "would $1"; return 0; fi
  step "$1"; shift
  "$@" || step "  failed ($*)"
}

docker_rule='-j DOCKER|-[io] (docker0|br-[0-9a-f]+|pk[0-9a-f]{11})( |$)|^-A POSTROUTING -s ([0-9.]+)/32 -d \3/32 .*-j MASQUERADE'
parikshan_rule='--comment "?parikshan(:|-takeover:)'
pattern=$docker_rule
((docker_only)) || pattern="$docker_rule|$parikshan_rule"
for ipt in iptables ip6tables; do
  command -v "$ipt" >/dev/null || continue
  for table in filter nat raw mangle; do
    rules="$("$ipt" -w -t "$table" -S 2>/dev/null)" || continue
    while read -r rule; do
      [[ -n $rule ]] || continue
      run "delete $ipt -t $table rule: $rule" eval "\"$ipt\" -w -t $table -D ${rule#-A }"
    done < <(grep -E '^-A ' <<<"$rules" | grep -vE '^-A DOCKER' | grep -E -- "$pattern" || true)
    chains="$(sed -n 's/^-N \(DOCKER[^ ]*\)$/\1/p' <<<"$rules")"
    for chain in $chains; do run "flush $ipt -t $table chain $chain" "$ipt" -w -t "$table" -F "$chain"; done
    for chain in $chains; do run "delete $ipt -t $table chain $chain" "$ipt" -w -t "$table" -X "$chain"; done
  done
done
