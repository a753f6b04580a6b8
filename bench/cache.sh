#!/usr/bin/env bash
# How fast is `hybridize check` with its cache, compared with only parsing?
#
#   bench/cache.sh HYBRIDIZE_BIN PARSE_ONLY_BIN [RUNS=5] [BEFORE_BIN]
#
# On a temporary copy of the corpus of tests/corpus/fetch.sh (or
# HYBRIDIZE_CORPUS=DIR), with the cache in a temporary folder, runs in turn,
# RUNS times each after one untimed warm-up of each:
#   parse_only DIR                      the baseline: parse every file
#   check --no-cache DIR                cold, the cache off
#   check DIR, cache emptied first      cold, writing the cache
#   check DIR, nothing changed          warm: the last run's reports replayed
#   check DIR, one file touched         warm, one file written again with the
#                                       same text: no replay, nothing parsed
#                                       (every look read from the cache), the
#                                       facts propagated again
#   check DIR, one file edited          warm after an edit: before each run a
#                                       line is inserted at the top of the
#                                       TensorFlow module most files import
#                                       (every line of it moves)
# and prints the medians of wall time, CPU time and peak RSS side by side,
# with the wall-time ratios to parse_only.
# With BEFORE_BIN (another build of hybridize, e.g. the one before a
# change), every hybridize command runs with it too, in the same rounds
# (its own cache folder; every other round runs it second), and its rows
# are printed beside: figures of one run, under the same load.
# Targets: warm <= 0.15x parse-only, one file edited <= 0.2x, cold with the
# cache within a few percent of cold without it. Not a test: it prints
# figures and exits 0 unless a command fails to run.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if [[ $# -lt 2 || $# -gt 4 ]]; then
  echo "usage: $0 HYBRIDIZE_BIN PARSE_ONLY_BIN [RUNS=5] [BEFORE_BIN]" >&2
  exit 2
fi
hy="$(realpath "$1")"
po="$(realpath "$2")"
runs="${3:-5}"
before_bin=""
if [[ $# -eq 4 ]]; then
  before_bin="$(realpath "$4")"
fi
for b in "$hy" "$po" ${before_bin:+"$before_bin"}; do
  [[ -x "$b" ]] || { echo "cache bench: not an executable: $b" >&2; exit 2; }
done
if [[ -n "${HYBRIDIZE_CORPUS:-}" ]]; then
  corpus="$(realpath "$HYBRIDIZE_CORPUS")"
else
  corpus="$("$here/../tests/corpus/fetch.sh")"
fi

exec python3 - "$hy" "$po" "$runs" "$corpus" "$before_bin" <<'EOF'
import collections, os, re, shutil, statistics, subprocess, sys, tempfile, time

hy, po, runs, corpus = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
before_bin = sys.argv[5]
tmp = tempfile.mkdtemp(prefix="hybridize-cache-bench-")
try:
    src = os.path.join(tmp, "src")
    shutil.copytree(corpus, src, symlinks=True, ignore=shutil.ignore_patterns(".stamp"))
    cache = os.path.join(tmp, "cache")
    before_cache = os.path.join(tmp, "cache-before")
    env = {**os.environ, "HYBRIDIZE_CACHE_DIR": cache}
    before_env = {**os.environ, "HYBRIDIZE_CACHE_DIR": before_cache}

    py = sorted(os.path.join(d, f) for d, _, fs in os.walk(src) for f in fs if f.endswith(".py"))
    # The edited file: the TensorFlow module with functions that most other
    # files import (by the last two parts of its dotted name), as in the
    # corpus test. (Texts are not kept: a forked child's peak RSS counts
    # this process's memory until it execs.)
    imported = collections.Counter()
    import_line = re.compile(rb"^\s*(?:from\s+([\w.]+)\s+import|import\s+([\w.]+))", re.M)
    nlines = 0
    candidates = []
    for path in py:
        data = open(path, "rb").read()
        nlines += data.count(b"\n")
        names = set()
        for m in import_line.finditer(data):
            parts = (m[1] or m[2]).decode("ascii", "replace").strip(".").split(".")
            names.update(".".join(parts[i:i + 2]) for i in range(max(len(parts) - 1, 1)))
        imported.update(names)
        if not path.endswith("__init__.py") and b"import tensorflow" in data and b"\ndef " in data:
            candidates.append(path)
    edited = max(candidates, key=lambda p: imported[".".join(p[:-3].split("/")[-2:])])
    original = open(edited, "rb").read()
    del imported, candidates
    edits = 0

    def edit_one():
        global edits
        edits += 1
        with open(edited, "wb") as fh:
            fh.write(f"# edit {edits}\n".encode() + original)

    def touch_one():
        with open(edited, "rb") as fh:
            data = fh.read()
        with open(edited, "wb") as fh:
            fh.write(data)

    def empty_cache(folder):
        def empty():
            shutil.rmtree(folder, ignore_errors=True)
            # A file written within a second of a run's start makes its
            # record unsafe to keep (the last edit may be that recent).
            time.sleep(1.1)
        return empty

    # name -> (argv, what to do before, environment)
    def hybridize(binary, suffix, folder, environment):
        check = [binary, "check", "--exit-zero", src]
        return {
            "cold, no cache" + suffix: ([binary, "check", "--exit-zero", "--no-cache", src], None, environment),
            "cold, writing" + suffix: (check, empty_cache(folder), environment),
            "warm" + suffix: (check, None, environment),
            "warm, 1 touched" + suffix: (check, touch_one, environment),
            "warm, 1 edited" + suffix: (check, edit_one, environment),
        }

    commands = {"parse_only": ([po, src], None, env)}
    if before_bin:
        commands.update(hybridize(before_bin, " (before)", before_cache, before_env))
    commands.update(hybridize(hy, "", cache, env))
    # With two builds, every other round runs the second one first: a
    # load that changes within a round weighs on both alike.
    groups = [["parse_only"]]
    if before_bin:
        groups.append([name for name in commands if name.endswith(" (before)")])
    groups.append([name for name in commands if name != "parse_only" and not name.endswith(" (before)")])

    def measure(argv, environment):
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=environment)
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        err = proc.stderr.read().decode("utf-8", "replace")
        code = os.waitstatus_to_exitcode(status)
        if code != 0 and not (argv[0] == po and code == 1):
            print(f"cache bench: `{' '.join(argv)}` exited {code}: {err.strip()[-300:]}",
                  file=sys.stderr)
        return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss

    results = {name: [] for name in commands}
    for i in range(runs + 1):
        order = groups[:1] + (groups[1:] if i % 2 == 0 else groups[:0:-1])
        for name in (name for group in order for name in group):
            argv, before, environment = commands[name]
            if before:
                before()
            figures = measure(argv, environment)
            if i > 0:  # the first round warms the page cache, untimed
                results[name].append(figures)

    def med(name, k):
        return statistics.median(r[k] for r in results[name])

    base = med("parse_only", 0)
    print(f"cache bench: {corpus}: {len(py)} files, {nlines} lines; median of {runs} runs; "
          f"{os.cpu_count()} CPUs; edited file: {os.path.relpath(edited, src)}")
    load = os.getloadavg()[0]
    if load > (os.cpu_count() or 1) / 2:
        print(f"  warning: load average {load:.1f} on {os.cpu_count()} CPUs: figures are noisy")
    width = max(len(name) for name in commands) + 2
    print(f"  {'':<{width}}{'wall s':>9}{'cpu s':>9}{'peak MiB':>10}{'x parse':>9}")
    for name in commands:
        wall = med(name, 0)
        print(f"  {name:<{width}}{wall:>9.3f}{med(name, 1):>9.3f}{med(name, 2) / 1024:>10.1f}"
              f"{wall / base:>9.2f}")
    for suffix in ([" (before)"] if before_bin else []) + [""]:
        warm = med("warm" + suffix, 0) / base
        one = med("warm, 1 edited" + suffix, 0) / base
        touched = med("warm, 1 touched" + suffix, 0) / base
        cold = med("cold, writing" + suffix, 0) / med("cold, no cache" + suffix, 0)
        if before_bin:
            print(f"  {'before' if suffix else 'after'}:")
        print(f"  warm / parse-only:           {warm:.3f}  (target <= 0.15: {'met' if warm <= 0.15 else 'MISSED'})")
        print(f"  1 touched / parse-only:      {touched:.3f}  (target <= 0.2: {'met' if touched <= 0.2 else 'MISSED'})")
        print(f"  1 edited / parse-only:       {one:.3f}  (target <= 0.2: {'met' if one <= 0.2 else 'MISSED'})")
        print(f"  cold writing / cold no cache: {cold:.3f}")
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(cache) for f in fs)
    count = sum(len(fs) for _, _, fs in os.walk(cache))
    print(f"  cache: {count} files, {size / 2**20:.1f} MiB")
finally:
    shutil.rmtree(tmp, ignore_errors=True)
EOF
