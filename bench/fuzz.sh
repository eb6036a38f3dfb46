#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang, ASan and UBSan into build-fuzz/, then runs each for
# a bounded time on a scratch copy of its seed corpus, with its dictionary. Prints runs, coverage and
# crashes per target; exits non-zero when a target crashed, naming the reproducer. docs/PERFORMANCE.md,
# "Fuzzing".
#   bench/fuzz.sh                          every target, 60 s each
#   FUZZ_SECONDS=600 bench/fuzz.sh fuzz_api  one target for 10 minutes
# Also: FUZZ_MAX_LEN (bytes per input, default 4096), FUZZ_KEEP=1 (keep the scratch corpus and logs),
# JOBS (build parallelism, default 1).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
max_len=${FUZZ_MAX_LEN:-4096}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_csv fuzz_config fuzz_api fuzz_provider fuzz_dnc_import)

bash scripts/deps.sh scripts/packages.txt scripts/packages-fuzz.txt
# -O1 with assertions on (a Debug build's NDEBUG-free flags); warnings are not errors here, clang's differ
# from the g++ build CI gates on.
cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" -DBUILD_TESTING=OFF -DDIALERD_WERROR=OFF -DDIALERD_BUILD_FUZZ=ON >/dev/null
cmake --build build-fuzz -j "${JOBS:-1}" --target "${targets[@]}"

# The scratch corpus and any reproducer go under build-fuzz/runs/ (ignored by git); fuzz_api's databases
# go to memory-backed /dev/shm when there is one.
run_dir=$PWD/build-fuzz/runs/$(date +%Y%m%d-%H%M%S)
mkdir -p "$run_dir"
db_base=/dev/shm
[ -w "$db_base" ] || db_base=${TMPDIR:-/tmp}
db_dir=$(mktemp -d "$db_base/dialerd-fuzz.XXXXXX")
trap 'rm -rf "$db_dir"' EXIT

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "== commit: $(git rev-parse --short HEAD), $seconds s per target, -max_len=$max_len"
failed=()
summary=()
for t in "${targets[@]}"; do
  dir=$run_dir/$t
  mkdir -p "$dir/corpus" "$dir/artifacts"
  cp tests/fuzz/corpus/"$t"/* "$dir/corpus/"
  seeds=$(ls "$dir/corpus" | wc -l)
  dict=()
  [ -f tests/fuzz/"$t".dict ] && dict=(-dict=tests/fuzz/"$t".dict)
  echo "== $t: ${seconds} s"
  status=0
  TMPDIR=$db_dir ./build-fuzz/bin/"$t" "${dict[@]}" -max_len="$max_len" -max_total_time="$seconds" -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$dir/artifacts/" "$dir/corpus" >"$dir/log" 2>&1 || status=$?
  stat() { awk -v k="stat::$1:" '$1 == k {print $2}' "$dir/log" | tail -1; }
  last=$(grep -E '^#[0-9]+' "$dir/log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corpus=$(ls "$dir/corpus" | wc -l)
  line="$t: $(stat number_of_executed_units) runs, $(stat average_exec_per_sec) exec/s, cov ${cov:-?}, ft ${ft:-?}, corpus $seeds -> $corpus, peak RSS $(stat peak_rss_mb) MB"
  if [ "$status" -ne 0 ]; then
    failed+=("$t")
    repro=$(ls "$dir"/artifacts/* 2>/dev/null | head -1 || true)
    line="$line, CRASHED (exit $status): reproducer ${repro:-(none written)}"
    echo "---- $t: last lines of $dir/log"
    tail -40 "$dir/log"
    [ -n "$repro" ] && echo "---- reproduce: build-fuzz/bin/$t $repro"
  else
    line="$line, crashes: none"
  fi
  echo "$line"
  summary+=("$line")
done

echo "== summary"
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "== FAILED: ${failed[*]}; logs and reproducers in $run_dir"
  exit 1
fi
if [ "${FUZZ_KEEP:-0}" = 1 ]; then
  echo "== kept: $run_dir"
else
  rm -rf "$run_dir"
fi
