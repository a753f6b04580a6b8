#!/usr/bin/env bash
# Two versions of the tracer side by side: the loop of train_eager.py
# plain, under the tracer of REV (`git show REV:src/observe/tracer.py`)
# and under the working tree's, interleaved, N runs each; medians of the
# wall time and of the process's CPU time (steadier on a loaded machine).
# The tracer is injected as `hybridize trace` does it: as sitecustomize,
# first on PYTHONPATH, with HYBRIDIZE_TRACE_PATH and HYBRIDIZE_TRACE_ROOT.
# Usage: bench/trace_overhead/compare.sh [REV] [N] [PYTHON]
set -euo pipefail
cd "$(dirname "$0")"
rev="${1:-HEAD}" n="${2:-5}"
python="${3:-$HOME/.cache/hybridize/tf-venv/bin/python}"
export TF_CPP_MIN_LOG_LEVEL=3
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
mkdir "$work/before" "$work/after"
git show "$rev:src/observe/tracer.py" > "$work/before/sitecustomize.py"
cp ../../src/observe/tracer.py "$work/after/sitecustomize.py"
declare -A wall cpu
for _ in $(seq "$n"); do
  for v in plain before after; do
    if [ "$v" = plain ]; then
      line="$("$python" train_eager.py)"
    else
      line="$(PYTHONPATH="$work/$v" HYBRIDIZE_TRACE_PATH="$work/$v.json" \
        HYBRIDIZE_TRACE_ROOT="$PWD" "$python" train_eager.py)"
    fi
    wall[$v]+="$(sed -n 's/^LOOP_MS \([0-9.]*\).*/\1/p' <<<"$line") "
    cpu[$v]+="$(sed -n 's/.*CPU_MS \([0-9.]*\).*/\1/p' <<<"$line") "
  done
done
median() { printf '%s\n' $1 | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
for v in plain before after; do
  w="$(median "${wall[$v]}")" c="$(median "${cpu[$v]}")"
  label="$v"; [ "$v" = before ] && label="before ($rev)"
  printf '%-16s wall %s ms (median %s)   cpu %s ms (median %s)\n' "$label:" "${wall[$v]% }" "$w" "${cpu[$v]% }" "$c"
  eval "w_$v=$w c_$v=$c"
done
python3 -c "print('slowdown: before x%.2f wall, x%.2f cpu; after x%.2f wall, x%.2f cpu' % ($w_before / $w_plain, $c_before / $c_plain, $w_after / $w_plain, $c_after / $c_plain))"
