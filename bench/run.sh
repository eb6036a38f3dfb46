#!/usr/bin/env bash
# Builds dialerd in Release with the benchmarks and runs them; paste the output into docs/PERFORMANCE.md.
#   bench/run.sh            full size (1M contacts)
#   N=100000 bench/run.sh   smaller
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
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
./build-bench/bin/dispatch_bench --calls "${DISPATCH:-200000}"
