#!/usr/bin/env bash
# Fetch the real-world TensorFlow corpus used by tests/corpus/run.sh and
# bench/toolspeed.sh: pinned wheels from PyPI (no dependencies), of which only
# the .py files are kept, under a cache outside git.
#
#   tests/corpus/fetch.sh            # -> prints the corpus directory on stdout
#
# Layout: ${HYBRIDIZE_CACHE:-$HOME/.cache/hybridize}/corpus/
#           wheels/<wheel files>
#           src/<package>/...        (.py files only)
#           src/.stamp               (written last; its presence = done)
# Idempotent: if the stamp matches the pinned list, nothing is downloaded.
# Set HYBRIDIZE_CORPUS_REFETCH=1 to force a re-extraction.
set -euo pipefail

PINS=(
  "tf-models-official==2.20.0"
  "tf-agents==0.19.0"
  "tensorflow-probability==0.25.0"
  "dm-sonnet==2.0.2"
  "gpflow==2.11.2"
  "tensorflow-recommenders==0.7.7"
)

CACHE="${HYBRIDIZE_CACHE:-$HOME/.cache/hybridize}"
CORPUS="$CACHE/corpus"
WHEELS="$CORPUS/wheels"
SRC="$CORPUS/src"
STAMP="$SRC/.stamp"
PYTHON="${PYTHON:-python3}"

want_stamp="$(printf '%s\n' "${PINS[@]}")"

count() {
  # files and lines of the extracted corpus
  local files lines
  files=$(find "$SRC" -type f -name '*.py' | wc -l)
  lines=$(find "$SRC" -type f -name '*.py' -print0 | xargs -0 cat | wc -l)
  echo "corpus: $files files, $lines lines in $SRC" >&2
}

if [[ -z "${HYBRIDIZE_CORPUS_REFETCH:-}" && -f "$STAMP" ]] &&
   [[ "$(cat "$STAMP")" == "$want_stamp" ]]; then
  echo "corpus: already extracted (stamp $STAMP)" >&2
  count
  echo "$SRC"
  exit 0
fi

mkdir -p "$WHEELS"
for pin in "${PINS[@]}"; do
  name="${pin%%==*}"
  version="${pin##*==}"
  # wheel file names use underscores for dashes
  pattern="${name//-/_}-${version}-*.whl"
  if compgen -G "$WHEELS/$pattern" >/dev/null; then
    echo "corpus: have $pin" >&2
    continue
  fi
  echo "corpus: downloading $pin" >&2
  "$PYTHON" -m pip download --quiet --no-deps --only-binary=:all: \
    --dest "$WHEELS" "$pin" >&2
done

rm -rf "$SRC.tmp"
mkdir -p "$SRC.tmp"
"$PYTHON" - "$WHEELS" "$SRC.tmp" "${PINS[@]}" <<'EOF'
import os, sys, zipfile, glob

wheels, dest, pins = sys.argv[1], sys.argv[2], sys.argv[3:]
for pin in pins:
    name, version = pin.split("==")
    wheel_glob = os.path.join(wheels, f"{name.replace('-', '_')}-{version}-*.whl")
    found = sorted(glob.glob(wheel_glob))
    if not found:
        sys.exit(f"corpus: no wheel for {pin} ({wheel_glob})")
    pkg_dir = os.path.join(dest, name)
    n = 0
    with zipfile.ZipFile(found[0]) as zf:
        for info in zf.infolist():
            fn = info.filename
            if info.is_dir() or not fn.endswith(".py"):
                continue
            parts = fn.split("/")
            if any(p in ("", "..") or p.startswith("/") for p in parts):
                continue  # never write outside dest
            if parts[0].endswith((".dist-info", ".data")):
                continue
            out = os.path.join(pkg_dir, *parts)
            os.makedirs(os.path.dirname(out), exist_ok=True)
            with zf.open(info) as src, open(out, "wb") as dst:
                dst.write(src.read())
            n += 1
    print(f"corpus: {pin}: {n} .py files", file=sys.stderr)
EOF
rm -rf "$SRC"
mv "$SRC.tmp" "$SRC"
printf '%s\n' "${PINS[@]}" >"$STAMP"
count
echo "$SRC"
