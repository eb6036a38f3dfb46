#!/usr/bin/env bash
# The fault harness at full size (CI runs the same test reduced): for each seed, kill -9 loops
# mid-dispatch against a provider failing 30 % of requests (500, 429, 503, dropped connections, answers
# after the timeout, 207), with malformed, huge and slow clients meanwhile; each run ends with
# integrity_check and the exactly-once ledger. Then the full-disk test (needs root for a tmpfs).
#   bench/fault.sh                 CONTACTS=20000 ROUNDS=30 SEEDS="1 2 3" RATE=30 to change
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build >/dev/null
export DIALERD_FAULT_CONTACTS=${CONTACTS:-20000}
export DIALERD_FAULT_ROUNDS=${ROUNDS:-30}
export DIALERD_FAULT_RATE_PERCENT=${RATE:-30}
echo "== fault harness: $DIALERD_FAULT_CONTACTS contacts, $DIALERD_FAULT_ROUNDS kill -9 rounds, ${DIALERD_FAULT_RATE_PERCENT} % provider faults; commit $(git rev-parse --short HEAD)"
status=0
for seed in ${SEEDS:-1 2 3}; do
  start=$(date +%s)
  if out=$(DIALERD_FAULT_SEED=$seed ./build/bin/integration_tests "fault harness*" 2>&1); then result=ok; else result=FAILED; status=1; fi
  summary=$(grep -E "faults injected|completed .* held" <<<"$out" | sed 's/^ *//' | paste -sd ';' -)
  echo "seed $seed: $result in $(( $(date +%s) - start )) s; $summary; $(grep -E '^(All tests passed|test cases)' <<<"$out")"
  [ "$result" = ok ] || echo "$out" | tail -60
done
if out=$(./build/bin/integration_tests "fault: a full disk*" 2>&1); then
  if grep -q "skipped:" <<<"$out"; then echo "full disk: skipped (mounting a tmpfs needs root)"; else echo "full disk: ok"; fi
else
  echo "full disk: FAILED"; echo "$out" | tail -40; status=1
fi
exit $status
