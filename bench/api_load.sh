#!/usr/bin/env bash
# API requests/s under load: wrk against the real daemon on loopback. GET /healthz (the HTTP stack alone)
# is the reference printed next to GET /v1/campaigns/{id} (a campaign with its counts, read from SQLite).
#   bench/api_load.sh [dialerd binary]    CONTACTS=100000 DURATION=10 CONNECTIONS=32 to change the load
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build-bench/bin/dialerd}
contacts=${CONTACTS:-100000}
duration=${DURATION:-10}
connections=${CONNECTIONS:-32}
command -v wrk >/dev/null || bash scripts/deps.sh scripts/packages-bench.txt

work=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

cat >"$work/dialerd.json" <<EOF
{"listen": {"port": 0}, "state_dir": "$work/state", "log": {"level": "warn"},
 "providers": {"sim": {"kind": "simulator"}}}
EOF
"$bin" --config "$work/dialerd.json" >"$work/log" 2>&1 &
pid=$!
for _ in $(seq 1 200); do [ -s "$work/state/dialerd.port" ] && break; sleep 0.05; done
base="http://127.0.0.1:$(cat "$work/state/dialerd.port")"

# A draft campaign (nothing dispatches, so the load is the API's alone) with $contacts queued calls.
id=$(python3 - "$base" "$contacts" <<'PY'
import json, sys, urllib.request
base, n = sys.argv[1], int(sys.argv[2])
def post(path, body):
    req = urllib.request.Request(base + path, json.dumps(body).encode(), {"Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req))
c = post("/v1/campaigns", {"name": "api load", "agent_id": "a", "provider": "sim", "from_number": "+14157774444",
                           "status": "draft"})
cid = c["data"]["id"]
for start in range(0, n, 1000):
    post(f"/v1/campaigns/{cid}/contacts",
         {"contacts": [{"phone_number": "+1415%07d" % (2000000 + i)} for i in range(start, min(n, start + 1000))]})
print(cid)
PY
)

run() {
  local path=$1 out rps p50 p99 errors
  out=$(wrk -t2 -c"$connections" -d"${duration}s" --latency "$base$path")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx|Socket errors/' <<<"$out")
  printf '%-24s %10s req/s   p50 %-9s p99 %-9s %s\n' "GET $path" "$rps" "$p50" "$p99" "$errors"
}
echo "api load: wrk -t2 -c$connections -d${duration}s; campaign $id with $contacts calls; $(nproc) cores shared by wrk and dialerd"
run /healthz
run "/v1/campaigns/$id"
