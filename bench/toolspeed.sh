#!/usr/bin/env bash
# How fast is `hybridize check` compared with only parsing the same files?
#
#   bench/toolspeed.sh HYBRIDIZE_BIN PARSE_ONLY_BIN [RUNS=5]
#
# On the corpus of tests/corpus/fetch.sh (or HYBRIDIZE_CORPUS=DIR), runs
# `hybridize check --no-cache --exit-zero DIR` (cold: bench/cache.sh measures warm runs) and the `parse_only DIR` baseline
# alternately, RUNS times each after one untimed warm-up of each, and prints
# the medians of wall time, CPU time (user+sys) and peak RSS side by side, with
# the wall-time ratio hybridize/baseline.
# Targets: ratio <= 1.0, hybridize peak RSS <= 100 MiB. Not a test: it prints
# figures and exits 0 unless a command fails to run.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if [[ $# -lt 2 || $# -gt 3 ]]; then
  echo "usage: $0 HYBRIDIZE_BIN PARSE_ONLY_BIN [RUNS=5]" >&2
  exit 2
fi
hy="$(realpath "$1")"
po="$(realpath "$2")"
runs="${3:-5}"
for b in "$hy" "$po"; do
  [[ -x "$b" ]] || { echo "toolspeed: not an executable: $b" >&2; exit 2; }
done
if [[ -n "${HYBRIDIZE_CORPUS:-}" ]]; then
  corpus="$(realpath "$HYBRIDIZE_CORPUS")"
else
  corpus="$("$here/../tests/corpus/fetch.sh")"
fi

# GNU time if it is there (-f); otherwise os.wait4's rusage of the child
# (TOOLSPEED_NO_GNU_TIME=1 forces the latter; its peak RSS has a floor of
# ~15 MiB: the forked Python child's memory before exec counts).
timer=""
if [[ -z "${TOOLSPEED_NO_GNU_TIME:-}" && -x /usr/bin/time ]] && /usr/bin/time -f '%e' true 2>/dev/null; then
  timer=/usr/bin/time
fi

exec python3 - "$hy" "$po" "$runs" "$corpus" "$timer" <<'EOF'
import os, statistics, subprocess, sys, tempfile, time

hy, po, runs, corpus, timer = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]

def measure(argv):
    """(wall s, cpu s, peak RSS KiB, exit code, stderr tail, system s, minor
    page faults) of one run."""
    if timer:
        with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
            p = subprocess.run([timer, "-q", "-f", "%e %U %S %M %R", "-o", tf.name, *argv],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            wall, user, sys_, rss, faults = tf.read().split()[-5:]
            return (float(wall), float(user) + float(sys_), int(rss), p.returncode, p.stderr,
                    float(sys_), int(faults))
    err = tempfile.TemporaryFile()
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err)
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    err.seek(0)
    return (wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss, proc.returncode, err.read(),
            ru.ru_stime, ru.ru_minflt)

commands = {
    "parse_only": [po, corpus],
    "hybridize check": [hy, "check", "--no-cache", "--exit-zero", corpus],
}
results = {name: [] for name in commands}
failures = []
for name, argv in commands.items():  # warm-up (page cache), untimed
    _, _, _, code, err, _, _ = measure(argv)
    tail = err.decode("utf-8", "replace").strip().splitlines()[-1:]
    print(f"toolspeed: warm-up {name}: exit {code}" + (f" ({tail[0]})" if tail else ""),
          file=sys.stderr)
    if code != 0 and not (name == "parse_only" and code == 1):
        failures.append(f"`{' '.join(argv)}` exited {code}")
for i in range(runs):
    for name, argv in commands.items():
        wall, cpu, rss, _, _, sys_, faults = measure(argv)
        results[name].append((wall, cpu, rss, sys_, faults))

def med(name, k):
    return statistics.median(r[k] for r in results[name])

nfiles = nlines = 0
for d, dn, fn in os.walk(corpus):
    for f in fn:
        if f.endswith(".py"):
            nfiles += 1
            with open(os.path.join(d, f), "rb") as fh:
                nlines += fh.read().count(b"\n")
print(f"toolspeed: {corpus}: {nfiles} files, {nlines} lines; median of {runs} runs; "
      f"{os.cpu_count()} CPUs; timer: {timer or 'os.wait4'}")
for f in failures:
    print(f"  warning: {f}: its figures do not measure a complete run")
load = os.getloadavg()[0]
if load > (os.cpu_count() or 1) / 2:
    print(f"  warning: load average {load:.1f} on {os.cpu_count()} CPUs: figures are noisy")
# System time and minor page faults: memory a run touches for the first time
# costs a kernel page fault per 4 KiB page, counted in its CPU time.
print(f"  {'':<17}{'wall s':>9}{'cpu s':>9}{'sys s':>8}{'peak MiB':>10}{'faults':>9}{'klines/s':>10}")
for name in commands:
    wall, cpu, rss = med(name, 0), med(name, 1), med(name, 2) / 1024
    sys_, faults = med(name, 3), med(name, 4)
    print(f"  {name:<17}{wall:>9.3f}{cpu:>9.3f}{sys_:>8.2f}{rss:>10.1f}{faults:>9.0f}"
          f"{nlines / wall / 1000:>10.0f}")
ratio = med("hybridize check", 0) / max(med("parse_only", 0), 1e-9)
# Each round runs both one after the other: the median of the rounds' own
# ratios is steadier than the ratio of medians when the machine's load
# changes during the runs.
round_ratio = statistics.median(
    h[0] / max(p[0], 1e-9) for h, p in zip(results["hybridize check"], results["parse_only"]))
base_cpu = med("parse_only", 1)
cpu_ratio = f"{med('hybridize check', 1) / base_cpu:.2f}" if base_cpu >= 0.01 else "n/a"
rss = med("hybridize check", 2) / 1024
print(f"  wall ratio hybridize/baseline: {ratio:.2f}  (target <= 1.0: {'met' if ratio <= 1.0 else 'MISSED'})")
print(f"  median of the rounds' wall ratios: {round_ratio:.2f}")
print(f"  cpu ratio hybridize/baseline:  {cpu_ratio}")
print(f"  hybridize peak RSS: {rss:.1f} MiB  (target <= 100 MiB: {'met' if rss <= 100 else 'MISSED'})")
EOF
