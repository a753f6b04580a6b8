#!/usr/bin/env bash
# Run hybridize over the real-world corpus and check that it neither crashes
# nor writes anything broken.
#
#   tests/corpus/run.sh HYBRIDIZE_BIN [PARSE_ONLY_BIN]
#
# PARSE_ONLY_BIN defaults to the parse_only binary next to HYBRIDIZE_BIN.
# HYBRIDIZE_CORPUS=DIR runs on DIR instead of the fetched corpus (fetch.sh).
# HYBRIDIZE_CORPUS_TIMEOUT=SECONDS bounds each hybridize run (default 900).
# KEEP_TMP=1 keeps the temporary copies for inspection.
# The assertions are in run.py; it ends with `corpus: N passed, N failed`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if [[ $# -lt 1 || $# -gt 2 ]]; then
  echo "usage: $0 HYBRIDIZE_BIN [PARSE_ONLY_BIN]" >&2
  exit 2
fi
bin="$(realpath "$1")"
parse_only="$(realpath "${2:-$(dirname "$bin")/parse_only}")"
for b in "$bin" "$parse_only"; do
  [[ -x "$b" ]] || { echo "corpus: not an executable: $b" >&2; exit 2; }
done

if [[ -n "${HYBRIDIZE_CORPUS:-}" ]]; then
  corpus="$(realpath "$HYBRIDIZE_CORPUS")"
else
  corpus="$("$here/fetch.sh")"
fi

exec python3 "$here/run.py" "$bin" "$parse_only" "$corpus"
