#!/usr/bin/env bash
# A real client (curl) for the demo service (SampleService.java), for the demo and its tests.
#   client.sh load    ADDRESS [ROUNDS] [ID]  correct traffic: PUT then GET keys k-ID-1..k-ID-ROUNDS (values
#                                            v-ID-n), a 404 and /count; checks every answer, exits 1 on a wrong one
#   client.sh trigger ADDRESS                the latent bug's trigger: PUT /kv/User42, GET /kv/User42,
#                                            GET /kv/user42 (never stored: should be 404, the cache serves
#                                            User42's value); prints what the client sees, exits 0
# ADDRESS is host:port, e.g. 127.0.0.1:28080 (the proxy's client-facing address, or production).
set -euo pipefail
die() { printf 'client.sh: %s\n' "$*" >&2; exit 2; }
usage="usage: client.sh load ADDRESS [ROUNDS] [ID] | client.sh trigger ADDRESS"
[[ $# -ge 2 ]] || die "$usage"
action=$1 address=$2
[[ $address =~ ^[A-Za-z0-9.:-]+:[0-9]+$ ]] || die "address '$address' is not host:port (e.g. 127.0.0.1:28080)"
command -v curl >/dev/null || die "curl is not installed (apt-get install curl)"
base="http://$address"

# One request; sets status and body. A transport error is a failed request (exit 1).
request() { # METHOD PATH [BODY]
  local out
  if [[ $1 == PUT ]]; then
    out="$(curl -sS --max-time 10 -X PUT --data-binary "$3" -w '\n%{http_code}' "$base$2")" \
      || { echo "FAILED: PUT $2: curl could not complete the request" >&2; exit 1; }
  else
    out="$(curl -sS --max-time 10 -w '\n%{http_code}' "$base$2")" \
      || { echo "FAILED: GET $2: curl could not complete the request" >&2; exit 1; }
  fi
  status="${out##*$'\n'}"
  body="${out%$'\n'*}"
  body="${body%$'\n'}"  # "no such key\n" compares as "no such key"
}
expect() { # METHOD PATH WANT_STATUS WANT_BODY [BODY]
  request "$1" "$2" "${5:-}"
  if [[ $status != "$3" || $body != "$4" ]]; then
    echo "WRONG ANSWER: $1 $2 -> $status '$body', expected $3 '$4'" >&2
    exit 1
  fi
}

case "$action" in
  load)
    rounds=${3:-20} id=${4:-1}
    [[ $rounds =~ ^[0-9]+$ && $rounds -ge 1 ]] || die "rounds '$rounds' is not a positive number"
    [[ $id =~ ^[0-9]+$ ]] || die "id '$id' is not a number"
    for n in $(seq 1 "$rounds"); do
      expect PUT "/kv/k-$id-$n" 204 "" "v-$id-$n"
      expect GET "/kv/k-$id-$n" 200 "v-$id-$n"
    done
    expect GET "/kv/k-$id-missing" 404 "no such key"
    request GET /count
    [[ $status == 200 && $body =~ ^[0-9]+$ ]] || { echo "WRONG ANSWER: GET /count -> $status '$body'" >&2; exit 1; }
    echo "load: $((2 * rounds + 2)) requests to $address, every answer right (request count now $body)"
    ;;
  trigger)
    expect PUT /kv/User42 204 "" "alice@example.org"
    expect GET /kv/User42 200 "alice@example.org"
    request GET /kv/user42
    echo "trigger: PUT /kv/User42 'alice@example.org'; GET /kv/User42 -> 200 'alice@example.org'"
    echo "trigger: GET /kv/user42 (never stored) -> $status '$body'   (right answer: 404 'no such key')"
    ;;
  *) die "unknown action '$action'; $usage" ;;
esac
