#!/usr/bin/env python3
"""Speed-up of hybridize's rewrites on the oracle's program suite. Not a test.

For every program in tests/programs/programs.toml that prints `TIME_MS` and
whose rewrite (`hybridize fix --write --unsafe-fixes`) changes it, run the
original and the rewritten program --runs times each (alternating), take the
median TIME_MS of each, and print a table with the speed-up (before / after)
and the geometric mean over all rewritten programs.

Usage:
    python bench/speedup.py --hybridize target/release/hybridize \
        [--python ~/.cache/hybridize/tf-venv/bin/python] [--runs 3] [--only NAME]...

Runs are sequential (one program at a time) so timings do not compete for
cores; each run pays the TensorFlow import (~5 s), so budget about
2 x runs x 6 s per rewritten program.
"""
from __future__ import annotations

import argparse
import math
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "oracle"))
import oracle  # noqa: E402  (tests/oracle/oracle.py)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hybridize", required=True, help="path to the hybridize binary")
    ap.add_argument("--python", default=oracle.default_python(), help="Python with TensorFlow")
    ap.add_argument("--runs", type=int, default=3, help="runs per version (median taken; default 3)")
    ap.add_argument("--only", action="append", metavar="NAME", help="only this program (repeatable)")
    args = ap.parse_args(argv)

    binary = oracle.resolve_binary(args.hybridize)
    programs = oracle.select(oracle.load_programs(), args.only)
    rows = []
    skipped = []
    for program in programs:
        if "TIME_MS" not in program.path.read_text():
            skipped.append((program.name, "no TIME_MS"))
            continue
        with tempfile.TemporaryDirectory(prefix=f"hy-bench-{program.name}-") as tmp:
            tmp = Path(tmp)
            (tmp / "original").mkdir()
            (tmp / "rewritten").mkdir()
            orig_copy = tmp / "original" / program.file
            shutil.copyfile(program.path, orig_copy)
            rw = oracle.rewrite(binary, program, tmp / "rewritten")
            if rw.error:
                skipped.append((program.name, rw.error))
                continue
            if not rw.changed:
                skipped.append((program.name, "rewrite changes nothing"))
                continue
            before, after, problem = [], [], None
            for _ in range(max(1, args.runs)):
                for path, sink in ((orig_copy, before), (rw.copy, after)):
                    run = oracle.run_program(args.python, path)
                    if run.returncode != 0 or run.time_ms is None:
                        problem = f"{path.parent.name} run exited {run.returncode} without TIME_MS"
                        break
                    sink.append(run.time_ms)
                if problem:
                    break
            if problem:
                skipped.append((program.name, problem))
                continue
            b, a = statistics.median(before), statistics.median(after)
            speedup = b / a if a > 0 else math.inf
            rows.append((program.name, b, a, speedup))
            print(f"  {program.name}: {b:.1f} ms -> {a:.1f} ms ({speedup:.2f}x)", file=sys.stderr, flush=True)

    width = max([len("program")] + [len(r[0]) for r in rows])
    print(f"{'program':<{width}}  {'before ms':>10}  {'after ms':>10}  {'speedup':>8}")
    print(f"{'-' * width}  {'-' * 10}  {'-' * 10}  {'-' * 8}")
    for name, b, a, s in rows:
        print(f"{name:<{width}}  {b:>10.1f}  {a:>10.1f}  {s:>7.2f}x")
    finite = [s for _, _, _, s in rows if 0 < s < math.inf]
    if finite:
        geo = math.exp(sum(math.log(s) for s in finite) / len(finite))
        print(f"{'-' * width}  {'-' * 10}  {'-' * 10}  {'-' * 8}")
        print(f"{'geometric mean':<{width}}  {'':>10}  {'':>10}  {geo:>7.2f}x")
    else:
        print("(no program was changed by the rewrite)")
    for name, why in skipped:
        print(f"skipped {name}: {why}")
    print(f"median of {args.runs} run(s) each; TIME_MS covers each program's hot loop only")
    return 0


if __name__ == "__main__":
    sys.exit(main())
