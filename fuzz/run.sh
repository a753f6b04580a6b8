#!/usr/bin/env bash
# Runs the coverage-guided fuzzer (libFuzzer through cargo-fuzz) for
# SECONDS (default 600), seeded with every fixture, example and oracle
# program. Stable rustc is told to accept the sanitizer flags with
# RUSTC_BOOTSTRAP=1. Crashes land in fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-600}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
mkdir -p corpus/fix_roundtrip
find ../codemods ../examples ../tests/programs ../tests/fuzz/regressions -name '*.py' -exec cp {} corpus/fix_roundtrip/ \;
RUSTC_BOOTSTRAP=1 cargo fuzz run fix_roundtrip corpus/fix_roundtrip -- \
  -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=4096
