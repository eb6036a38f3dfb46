#!/usr/bin/env bash
# Builds dialerd in Release with the benchmarks and runs them all, each figure next to its reference; paste
# the output into docs/PERFORMANCE.md. Store insert/claim against raw SQLite, RSS and wake cost at 10k, 1M
# and 10M queued, trigger precision, ingest through the API, the phone-number check per number, a 10M-number
# DNC list's import and claim cost, dispatch to a loopback provider, end to end
# with outcome callbacks (and with a webhook receiver), API requests/s with wrk, and the loop's worst stall. The fault harness is bench/fault.sh; fuzzing is
# bench/fuzz.sh.
#   bench/run.sh            full size (1M contacts)
#   N=100000 SIZES="10000 100000" bench/run.sh   smaller
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh scripts/packages.txt scripts/packages-bench.txt
cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF -DDIALERD_BUILD_BENCH=ON >/dev/null
cmake --build build-bench -j "${JOBS:-2}"
N=${N:-1000000}
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem/ {print $2}') GiB, $(df -h /tmp | awk 'NR==2 {print $1}')"
echo "== commit: $(git rev-parse --short HEAD)"
./build-bench/bin/store_bench --contacts "$N" --repeat "${REPEAT:-3}"
SIZES=${SIZES:-10000 1000000 10000000}
for n in $SIZES; do bash bench/rss.sh "$n"; done
echo "scheduler wake cost:"
./build-bench/bin/scheduler_bench --sizes $SIZES
./build-bench/bin/trigger_bench --campaigns 200
./build-bench/bin/ingest_bench --contacts "${INGEST:-200000}"
./build-bench/bin/phone_bench --numbers "${PHONES:-200000}"
./build-bench/bin/dnc_bench --numbers "${DNC:-10000000}"
./build-bench/bin/dispatch_bench --calls "${DISPATCH:-200000}"
./build-bench/bin/dispatch_bench --calls "${E2E:-100000}" --outcomes
./build-bench/bin/dispatch_bench --calls "${E2E:-100000}" --webhooks
./build-bench/bin/report_bench --campaigns "${REPORT_CAMPAIGNS:-1000}" --calls "${REPORT_CALLS:-10000}"
bash bench/api_load.sh build-bench/bin/dialerd
echo "loop stalls (worst /healthz latency while something big runs):"
python3 bench/stall_bench.py --dialerd build-bench/bin/dialerd
