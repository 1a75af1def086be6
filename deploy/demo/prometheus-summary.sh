#!/usr/bin/env bash
# Prints what the real Prometheus (deploy/host/prometheus.sh, 127.0.0.1:9090) has scraped from the
# Parikshan session: clones, lag, desyncs, probe runs by outcome, clone and frozen-window times,
# re-syncs, firing alerts, and where to look. Read-only (query API only).
# Usage: deploy/demo/prometheus-summary.sh [PROMETHEUS_URL]      default http://127.0.0.1:9090
set -euo pipefail
url=${1:-http://127.0.0.1:9090}
die() { printf 'prometheus-summary: %s\n' "$*" >&2; exit 2; }
[[ $url =~ ^http://(127\.[0-9.]+|localhost)(:[0-9]+)?$ ]] || die "Prometheus URL '$url' must be a loopback http://127.x.x.x:PORT"
curl -fsS --max-time 5 "$url/-/ready" >/dev/null 2>&1 \
  || die "no Prometheus answers at $url; start it as root with: deploy/host/prometheus.sh"

python3 - "$url" <<'PY'
import json, sys, urllib.parse, urllib.request
url = sys.argv[1]

def query(expr):
    with urllib.request.urlopen(url + "/api/v1/query?query=" + urllib.parse.quote(expr), timeout=10) as r:
        body = json.load(r)
    if body.get("status") != "success":
        raise SystemExit("prometheus-summary: query failed: " + expr + ": " + str(body.get("error")))
    return body["data"]["result"]

def show(title, expr, label_keys=(), fmt="{:.0f}"):
    rows = query(expr)
    if not rows:
        print(f"  {title:<34} (no data)")
    for r in rows:
        labels = " ".join(f"{k}={r['metric'].get(k, '')}" for k in label_keys)
        value = float(r["value"][1])
        print(f"  {title:<34} {fmt.format(value):>12}  {labels}")

up = query('up{job="parikshan"}')
print(f"Prometheus {url}: session endpoint " + (", ".join(
    f"{r['metric']['instance']} {'up' if r['value'][1] == '1' else 'DOWN'}" for r in up) or "not scraped yet"))
show("clones", "parikshan_session_clones")
show("clone age (s)", "parikshan_clone_age_seconds", ["clone"])
show("lag (bytes)", "parikshan_buffer_lag_bytes", ["clone"])
show("lag (s)", "parikshan_buffer_lag_seconds", ["clone"], "{:.3f}")
show("max lag over 10m (bytes)", "max_over_time(parikshan_buffer_lag_bytes[10m]) and on (clone) parikshan_buffer_lag_bytes", ["clone"])
show("bytes duplicated to clone", "parikshan_proxy_to_clone_bytes_total", ["clone"])
show("bytes dropped for clone", "parikshan_proxy_to_clone_dropped_bytes_total", ["clone"])
show("desynced clone connections", "parikshan_clone_desynced_connections_total", ["clone"])
show("probe runs", "sum by (suite, probe, outcome) (parikshan_probe_invocations_total)", ["suite", "probe", "outcome"])
show("time to clone, mean (s)", "sum(parikshan_clone_duration_seconds_sum) / sum(parikshan_clone_duration_seconds_count)", (), "{:.3f}")
show("production frozen, mean (s)", "sum(parikshan_clone_frozen_seconds_sum) / sum(parikshan_clone_frozen_seconds_count)", (), "{:.3f}")
show("re-syncs", "sum by (reason) (parikshan_resyncs_total)", ["reason"])
firing = [r for r in query('ALERTS{alertstate="firing"}')]
print("  alerts firing: " + (", ".join(sorted({r["metric"]["alertname"] + (
    "(" + r["metric"]["clone"] + ")" if "clone" in r["metric"] else "") for r in firing})) or "none"))
print(f"Look: {url}/alerts  |  {url}/graph?g0.expr=parikshan_buffer_lag_bytes  |  "
      f"{url}/graph?g0.expr=sum%20by%20(probe%2C%20outcome)%20(parikshan_probe_invocations_total)")
print("Grafana: import deploy/prometheus/grafana-dashboard.json")
PY
