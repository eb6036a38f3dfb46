#!/usr/bin/env bash
# Fails when a C++ file under src/ include/ tests/ bench/ deviates from the repo's .clang-format, naming
# each deviation (clang-format --dry-run -Werror). Fix with: clang-format -i FILE... (clang-format comes
# from scripts/packages.txt; Debian 12 ships version 14, the version the tree is formatted with).
# Usage: check_format.sh SOURCE_DIR
set -euo pipefail
cd "$1"
command -v clang-format >/dev/null || { echo "FAIL: clang-format is not installed (scripts/packages.txt lists it)"; exit 1; }
mapfile -t files < <(find src include tests bench -type f \( -name '*.cpp' -o -name '*.hpp' -o -name '*.h' \) | sort)
echo "checking ${#files[@]} files with $(clang-format --version)"
if clang-format --style=file --dry-run -Werror "${files[@]}"; then
  echo "ok: every file is formatted"
else
  echo "FAIL: the files above deviate from .clang-format; run: clang-format -i <file>"
  exit 1
fi
