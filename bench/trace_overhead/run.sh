#!/usr/bin/env bash
# The tracer's overhead on an eager training loop: the loop's time (TF's
# import excluded) plain and under `hybridize trace`, 5 runs each, medians.
# Usage: bench/trace_overhead/run.sh [HYBRIDIZE] [PYTHON]
set -euo pipefail
cd "$(dirname "$0")"
hybridize="$(realpath "${1:-../../target/release/hybridize}")"
python="${2:-$HOME/.cache/hybridize/tf-venv/bin/python}"
export TF_CPP_MIN_LOG_LEVEL=3
out="$(mktemp)"; trap 'rm -f "$out"' EXIT
plain=() traced=()
for _ in 1 2 3 4 5; do
  plain+=("$("$python" train_eager.py | sed -n 's/^LOOP_MS \([0-9.]*\).*/\1/p')")
  traced+=("$(PATH="$(dirname "$python"):$PATH" "$hybridize" trace --output "$out" -- python train_eager.py 2>/dev/null | sed -n 's/^LOOP_MS \([0-9.]*\).*/\1/p')")
done
median() { printf '%s\n' "$@" | sort -n | sed -n 3p; }
p="$(median "${plain[@]}")" t="$(median "${traced[@]}")"
echo "plain:  ${plain[*]} ms (median $p)"
echo "traced: ${traced[*]} ms (median $t)"
python3 -c "print('slowdown: x%.2f' % ($t / $p))"
