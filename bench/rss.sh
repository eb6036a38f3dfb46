#!/usr/bin/env bash
# The daemon's resident memory with N calls queued: idle (a campaign scheduled far ahead) and while
# dispatching them to the simulator. Usage: bench/rss.sh [N]  (after bench/run.sh built build-bench/)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
BIN=build-bench/bin
work=$(mktemp -d /tmp/dialerd-rss-XXXXXX)
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT

measure() {  # $1 = label, $2 = campaign status
  rm -rf "$work/state" && mkdir -p "$work/state"
  $BIN/store_bench --populate "$work/state/dialerd.db" --contacts "$N" --status "$2" --provider simulator >/dev/null
  cat > "$work/dialerd.json" <<JSON
{ "listen": {"address": "127.0.0.1", "port": 0}, "state_dir": "$work/state", "log": {"level": "warn"},
  "providers": {"simulator": {"kind": "simulator", "simulator": {"delay_ms": 200, "seed": 1}}} }
JSON
  $BIN/dialerd --config "$work/dialerd.json" 2>"$work/log" &
  pid=$!
  local peak=0
  for _ in $(seq 1 50); do  # 10 s
    sleep 0.2
    rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
    [ "$rss" -gt "$peak" ] && peak=$rss
  done
  hwm=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
  kill -TERM $pid; wait $pid || true
  awk -v l="$1" -v p="$peak" -v h="$hwm" \
    'BEGIN { printf "  %-34s peak RSS %6.1f MiB (VmHWM %6.1f MiB)   target <= 64 MiB\n", l, p / 1024, h / 1024 }'
}
echo "rss: $N queued calls, sampled every 0.2 s for 10 s"
measure "idle, $N queued" scheduled
measure "dispatching $N (simulator)" running
