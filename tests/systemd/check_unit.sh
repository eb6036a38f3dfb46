#!/usr/bin/env bash
# Checks systemd/dialerd.service with systemd-analyze: `verify` reports nothing about it (also with the
# credentials variant its comments describe), and the offline security assessment rates its exposure at
# most 2.0. Exits 77, which ctest reports as skipped, where systemd-analyze is not installed.
# Usage: check_unit.sh UNIT_FILE DIALERD_BINARY
set -euo pipefail
unit=$1 dialerd=$(realpath "$2")  # ExecStart= needs an absolute path
installed=/usr/local/bin/dialerd
max_exposure=20  # systemd-analyze's --threshold scale is tenths: 20 = 2.0

if ! command -v systemd-analyze >/dev/null; then
  echo "SKIPPED: systemd-analyze is not installed (Debian package systemd)"
  exit 77
fi
export SYSTEMD_COLORS=0 SYSTEMD_LOG_COLOR=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# verify needs ExecStart's binary to exist: check a copy that runs the one just built.
sed "s#^ExecStart=$installed #ExecStart=$dialerd #; s%^#ExecStart=$installed %#ExecStart=$dialerd %" "$unit" \
  >"$work/dialerd.service"
grep -q "^ExecStart=$dialerd " "$work/dialerd.service" || { echo "FAIL: $unit has no 'ExecStart=$installed ' line"; exit 1; }

status=0
verify() {  # $1: what is checked. Lines about other units (network-online.target, ...) are the host's business.
  local out ours
  out=$(cd "$work" && systemd-analyze verify ./dialerd.service 2>&1) || { echo "FAIL: verify ($1) exited non-zero"; status=1; }
  ours=$(grep -E 'dialerd' <<<"$out" || true)
  [ -n "$out" ] && { echo "systemd-analyze verify ($1) said:"; echo "$out"; }
  if [ -n "$ours" ]; then echo "FAIL: verify ($1) is not clean"; status=1; else echo "ok: verify ($1) is clean"; fi
}
verify "the unit as installed"

# The commented LoadCredential variant, as a drop-in (docs/OPERATIONS.md shows the same lines).
mkdir "$work/dialerd.service.d"
{ echo "[Service]"; sed -n 's/^#\(LoadCredential=.*\|ExecStart=.*\)$/\1/p' "$work/dialerd.service"; } \
  >"$work/dialerd.service.d/credentials.conf"
if grep -q '^LoadCredential=' "$work/dialerd.service.d/credentials.conf"; then
  verify "with the credentials drop-in"
else
  echo "FAIL: the unit no longer shows the commented LoadCredential= variant"; status=1
fi
rm -r "$work/dialerd.service.d"

out=$(systemd-analyze security --offline=yes --threshold=$max_exposure "$work/dialerd.service" 2>&1) || rc=$?
level=$(grep -o 'Overall exposure level for dialerd.service: [0-9.]*' <<<"$out" | awk '{print $NF}')
grep '✗' <<<"$out" || true  # what is left exposed, and by how much
if [ "${rc:-0}" -ne 0 ] || [ -z "$level" ]; then
  [ -n "$level" ] || echo "$out"
  echo "FAIL: exposure level ${level:-unknown} is above 2.0"
  status=1
else
  echo "ok: exposure level $level (at most 2.0)"
fi
exit $status
