#!/usr/bin/env python3
"""Semantic oracle: proves on real TensorFlow that hybridize's rewrites keep meaning.

For every program recorded in tests/programs/programs.toml:

1. copy it to a fresh temporary directory;
2. run `hybridize fix --write --unsafe-fixes <copy>` (exit 0: nothing changed,
   1: changes/findings, anything else: failure), then run it once more and
   require that the second run changes nothing (fixed point);
3. run the original and (if it differs) the rewritten program under the
   TensorFlow virtualenv's Python and parse their `RESULT` / `TRACES` lines;
4. check the recorded outcome ("same", "unchanged" or "fixed"; see the header
   of programs.toml).

Prints one line per program, `PASS|FAIL|PENDING name (details)`, details of
each failure (both outputs and the unified diff of the rewrite), and a closing
line `oracle: N passed, N failed, N pending`. Exits 1 if anything failed,
2 on a usage error.

Usage:
    python tests/oracle/oracle.py --hybridize target/release/hybridize \
        [--python ~/.cache/hybridize/tf-venv/bin/python] [--only NAME]... [--jobs 2]

Requires Python >= 3.11 (tomllib) for the runner itself; the programs run
under --python.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import dataclasses
import difflib
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROGRAMS_DIR = ROOT / "tests" / "programs"
RECORDS = PROGRAMS_DIR / "programs.toml"
DEFAULT_PYTHON = Path.home() / ".cache" / "hybridize" / "tf-venv" / "bin" / "python"
DEFAULT_REL_TOL = 1e-5
DEFAULT_ABS_TOL = 1e-6
OUTCOMES = ("same", "unchanged", "fixed")
PROGRAM_TIMEOUT_S = 180
TOOL_TIMEOUT_S = 120

# Fast and reproducible on a small CPU-only machine. TF honours the two
# thread-count variables (checked: CPU time == wall time with them set).
PROGRAM_ENV = {
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "CUDA_VISIBLE_DEVICES": "-1",
    "PYTHONHASHSEED": "0",
    "TF_NUM_INTEROP_THREADS": "1",
    "TF_NUM_INTRAOP_THREADS": "1",
    "PYTHONDONTWRITEBYTECODE": "1",
}


# --------------------------------------------------------------------------
# records


@dataclasses.dataclass
class Program:
    name: str
    file: str
    outcome: str
    description: str = ""
    original: str | None = None
    expected: str | None = None
    rel_tol: float = DEFAULT_REL_TOL
    abs_tol: float = DEFAULT_ABS_TOL
    max_traces: int | None = None
    pending: str | None = None
    codes: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()

    @property
    def path(self) -> Path:
        return PROGRAMS_DIR / self.file


def load_programs(records: Path = RECORDS) -> list[Program]:
    with open(records, "rb") as fh:
        data = tomllib.load(fh)
    programs = []
    seen = set()
    for entry in data.get("program", []):
        tol = entry.get("tolerance", {})
        p = Program(
            name=entry["name"],
            file=entry["file"],
            outcome=entry["outcome"],
            description=entry.get("description", ""),
            original=entry.get("original"),
            expected=entry.get("expected"),
            rel_tol=float(tol.get("rel", DEFAULT_REL_TOL)),
            abs_tol=float(tol.get("abs", DEFAULT_ABS_TOL)),
            max_traces=entry.get("max_traces"),
            pending=entry.get("pending"),
            codes=tuple(entry.get("codes", ())),
            flags=tuple(entry.get("flags", ())),
        )
        problems = []
        if p.name in seen:
            problems.append("duplicate name")
        if p.outcome not in OUTCOMES:
            problems.append(f"outcome must be one of {OUTCOMES}")
        if p.outcome == "fixed" and not p.expected:
            problems.append('outcome "fixed" needs `expected`')
        if not p.path.is_file():
            problems.append(f"no file {p.path}")
        if problems:
            raise SystemExit(f"{records}: program {p.name!r}: " + "; ".join(problems))
        seen.add(p.name)
        programs.append(p)
    return programs


# --------------------------------------------------------------------------
# running


@dataclasses.dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    def line(self, key: str) -> str | None:
        """The last stdout line starting with `KEY ` (or equal to KEY)."""
        found = None
        for line in self.stdout.splitlines():
            if line == key or line.startswith(key + " "):
                found = line.rstrip()
        return found

    @property
    def result(self) -> str | None:
        return self.line("RESULT")

    @property
    def traces(self) -> int | None:
        line = self.line("TRACES")
        try:
            return int(line.split()[1]) if line else None
        except (IndexError, ValueError):
            return None

    @property
    def time_ms(self) -> float | None:
        line = self.line("TIME_MS")
        try:
            return float(line.split()[1]) if line else None
        except (IndexError, ValueError):
            return None

    def tail(self, n: int = 25) -> str:
        out = self.stdout.splitlines()[-n:]
        err = self.stderr.splitlines()[-n:]
        return (
            f"    exit {self.returncode} after {self.seconds:.1f}s\n"
            + "    --- stdout (tail)\n"
            + "".join(f"    | {l}\n" for l in out)
            + "    --- stderr (tail)\n"
            + "".join(f"    | {l}\n" for l in err)
        )


def run_cmd(cmd: list[str], cwd: Path, timeout: float, env: dict | None = None) -> Run:
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            cmd, cwd=cwd, env=env, capture_output=True, text=True,
            errors="replace", timeout=timeout,
        )
        rc, out, err = proc.returncode, proc.stdout, proc.stderr
    except subprocess.TimeoutExpired as exc:
        rc = -9
        out = exc.stdout.decode(errors="replace") if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        err = (exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else (exc.stderr or ""))
        err += f"\n[oracle] timed out after {timeout}s"
    except OSError as exc:
        rc, out, err = -1, "", f"[oracle] cannot run {cmd[0]}: {exc}"
    return Run(rc, out, err, time.perf_counter() - start)


def program_env() -> dict:
    env = dict(os.environ)
    env.update(PROGRAM_ENV)
    return env


NOTEBOOK_RUNNER = Path(__file__).resolve().parent / "run_notebook.py"


def run_program(python: str, path: Path) -> Run:
    # A notebook's code cells run in order in one IPython shell (needs
    # nbformat and ipython in the virtualenv).
    cmd = [python, str(NOTEBOOK_RUNNER), path.name] if path.suffix == ".ipynb" else [python, path.name]
    return run_cmd(cmd, path.parent, PROGRAM_TIMEOUT_S, program_env())


@dataclasses.dataclass
class Rewrite:
    """The outcome of running hybridize on a copy of one program."""

    workdir: Path
    copy: Path
    before: bytes
    after: bytes
    tool: Run
    second: Run | None  # the fixed-point re-run
    error: str | None = None

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def diff(self) -> str:
        a = self.before.decode("utf-8", "replace").splitlines(keepends=True)
        b = self.after.decode("utf-8", "replace").splitlines(keepends=True)
        name = self.copy.name
        return "".join(difflib.unified_diff(a, b, f"a/{name}", f"b/{name}"))


def hybridize_cmd(binary: str, target: Path, flags: tuple[str, ...] = ()) -> list[str]:
    return [binary, "fix", "--write", "--unsafe-fixes", *flags, target.name]


def rewrite(binary: str, program: Program, workdir: Path) -> Rewrite:
    copy = workdir / program.file
    shutil.copyfile(program.path, copy)
    before = copy.read_bytes()
    tool = run_cmd(hybridize_cmd(binary, copy, program.flags), workdir, TOOL_TIMEOUT_S)
    after = copy.read_bytes()
    rw = Rewrite(workdir, copy, before, after, tool, None)
    if tool.returncode not in (0, 1):
        rw.error = f"hybridize exited {tool.returncode}"
        return rw
    if tool.returncode == 0 and rw.changed:
        rw.error = "hybridize exited 0 (nothing changed) but the file changed"
        return rw
    rw.second = run_cmd(hybridize_cmd(binary, copy, program.flags), workdir, TOOL_TIMEOUT_S)
    again = copy.read_bytes()
    if rw.second.returncode not in (0, 1):
        rw.error = f"second hybridize run exited {rw.second.returncode}"
    elif again != after:
        rw.error = "not a fixed point: a second `fix --write` changed the file again"
        # keep the diff of the first run in rw.after; show the second in details
        rw.second.stdout += "\n[oracle] second-run diff:\n" + "".join(
            difflib.unified_diff(
                after.decode("utf-8", "replace").splitlines(keepends=True),
                again.decode("utf-8", "replace").splitlines(keepends=True),
                f"a/{copy.name}", f"b/{copy.name}",
            )
        )
    return rw


# --------------------------------------------------------------------------
# comparing


def _number(token: str) -> float | None:
    try:
        return float(token)
    except ValueError:
        return None


def results_match(got: str | None, want: str | None, rel: float, abs_: float) -> tuple[bool, str]:
    """Compare two RESULT lines token by token; numbers within tolerance."""
    if got is None:
        return False, "no RESULT line"
    if want is None:
        return False, "nothing to compare with"
    g, w = got.split(), want.split()
    if len(g) != len(w):
        return False, f"{len(g) - 1} values, expected {len(w) - 1}"
    for i, (a, b) in enumerate(zip(g, w)):
        if a == b:
            continue
        x, y = _number(a), _number(b)
        if x is None or y is None:
            return False, f"value {i}: {a!r} != {b!r}"
        if math.isnan(x) and math.isnan(y):
            continue
        if not math.isclose(x, y, rel_tol=rel, abs_tol=abs_):
            return False, f"value {i}: {a} != {b} (rel {rel:g}, abs {abs_:g})"
    return True, ""


@dataclasses.dataclass
class Verdict:
    status: str  # PASS | FAIL | PENDING
    name: str
    details: str
    report: str = ""  # multi-line failure report
    seconds: float = 0.0

    def line(self) -> str:
        return f"{self.status} {self.name} ({self.details})"


def check(program: Program, binary: str, python: str) -> Verdict:
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=f"hy-oracle-{program.name}-") as tmp:
        verdict = _check(program, binary, python, Path(tmp))
    verdict.seconds = time.perf_counter() - start
    return verdict


def _check(program: Program, binary: str, python: str, tmp: Path) -> Verdict:
    (tmp / "original").mkdir()
    (tmp / "rewritten").mkdir()
    orig_copy = tmp / "original" / program.file
    shutil.copyfile(program.path, orig_copy)

    rw = rewrite(binary, program, tmp / "rewritten")
    # A tool error fails the program at once; no need to spend TF start-ups.
    orig = run_program(python, orig_copy) if rw.error is None else None
    new = run_program(python, rw.copy) if (rw.changed and rw.error is None) else None

    def report(*parts: str) -> str:
        out = []
        out.append(f"  == hybridize: exit {rw.tool.returncode}")
        out.append("".join(f"    | {l}\n" for l in (rw.tool.stdout + rw.tool.stderr).splitlines()[-40:]).rstrip("\n"))
        if rw.second is not None and rw.error:
            out.append(f"  == hybridize (second run): exit {rw.second.returncode}")
            out.append("".join(f"    | {l}\n" for l in (rw.second.stdout + rw.second.stderr).splitlines()[-40:]).rstrip("\n"))
        if orig is not None:
            out.append("  == original program")
            out.append(orig.tail().rstrip("\n"))
        if new is not None:
            out.append("  == rewritten program")
            out.append(new.tail().rstrip("\n"))
        out.append("  == rewrite diff" + ("" if rw.changed else " (none: file unchanged)"))
        out.append("".join(f"    {l}\n" for l in rw.diff().splitlines()).rstrip("\n"))
        out.extend(parts)
        return "\n".join(p for p in out if p) + "\n"

    def fail(details: str) -> Verdict:
        return Verdict("FAIL", program.name, details, report())

    # 1. The tool itself must behave, pending or not.
    if rw.error:
        return fail(rw.error)

    # 2. The original program must still do what its record says.
    if orig.returncode != 0:
        return fail(f"original program exited {orig.returncode}")
    if program.original is not None:
        ok, why = results_match(orig.result, program.original, program.rel_tol, program.abs_tol)
        if not ok:
            return fail(f"original program drifted from its record: {why}; got {orig.result!r}")
    elif orig.result is None:
        return fail("original program printed no RESULT line")

    # 3. The outcome.
    met, why, meaning_kept = _outcome(program, rw, orig, new)

    if program.pending:
        if rw.changed and not meaning_kept:
            return fail(f"pending {program.pending}, but the rewrite changed the program's meaning: {why}")
        if met:
            return Verdict("PENDING", program.name,
                           "now meets its outcome — remove the pending mark")
        return Verdict("PENDING", program.name, f"{program.pending}: {why}")

    if met:
        return Verdict("PASS", program.name, _pass_details(program, rw, orig, new))
    return fail(why)


def _outcome(program: Program, rw: Rewrite, orig: Run, new: Run | None) -> tuple[bool, str, bool]:
    """(outcome met, why not, meaning kept-or-improved by whatever change was made)."""
    tol = (program.rel_tol, program.abs_tol)
    if rw.changed:
        assert new is not None
        if new.returncode != 0:
            return False, f"rewritten program exited {new.returncode}", False
        same, why_same = results_match(new.result, orig.result, *tol)
    else:
        same, why_same = True, ""

    if program.outcome == "unchanged":
        if rw.changed:
            return False, "rewrite changed a file that must stay byte-identical", same
        return True, "", True

    if program.outcome == "same":
        if not rw.changed:
            return False, "rewrite left the file unchanged", True
        if not same:
            return False, f"RESULT differs: {why_same}; original {orig.result!r}, rewritten {new.result!r}", False
        if program.max_traces is not None:
            traces = new.traces
            if traces is None or traces > program.max_traces:
                return False, f"rewritten program traced {traces} times, max {program.max_traces}", True
        return True, "", True

    # fixed
    if not rw.changed:
        return False, "rewrite left the file unchanged", True
    fixed, why_fixed = results_match(new.result, program.expected, *tol)
    if fixed:
        return True, "", True
    # A partial rewrite that keeps the original behaviour is harmless.
    return False, f"expected {program.expected!r}: {why_fixed}; rewritten printed {new.result!r}", same


def _pass_details(program: Program, rw: Rewrite, orig: Run, new: Run | None) -> str:
    if program.outcome == "unchanged":
        return "unchanged"
    parts = [program.outcome, new.result if new else ""]
    if orig.traces is not None and new is not None and new.traces is not None:
        parts.append(f"traces {orig.traces} -> {new.traces}")
    if orig.time_ms and new is not None and new.time_ms:
        parts.append(f"{orig.time_ms:.0f} -> {new.time_ms:.0f} ms")
    return ", ".join(p for p in parts if p)


# --------------------------------------------------------------------------
# command line


def resolve_binary(value: str) -> str:
    path = Path(value)
    if path.exists():
        return str(path.resolve())
    found = shutil.which(value)
    if found:
        return found
    raise SystemExit(f"oracle: no hybridize binary at {value}")


def default_python() -> str:
    return str(DEFAULT_PYTHON) if DEFAULT_PYTHON.exists() else sys.executable


def select(programs: list[Program], only: list[str] | None) -> list[Program]:
    if not only:
        return programs
    names = {n for item in only for n in item.split(",") if n}
    unknown = names - {p.name for p in programs}
    if unknown:
        raise SystemExit(f"oracle: unknown program(s): {', '.join(sorted(unknown))}")
    return [p for p in programs if p.name in names]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hybridize", required=True, help="path to the hybridize binary")
    ap.add_argument("--python", default=default_python(),
                    help=f"Python with TensorFlow (default: {DEFAULT_PYTHON} if present)")
    ap.add_argument("--only", action="append", metavar="NAME",
                    help="run only this program (repeatable, or comma-separated)")
    ap.add_argument("--jobs", "-j", type=int, default=2, help="programs run in parallel (default 2)")
    args = ap.parse_args(argv)

    binary = resolve_binary(args.hybridize)
    programs = select(load_programs(), args.only)
    start = time.perf_counter()
    counts = {"PASS": 0, "FAIL": 0, "PENDING": 0}
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(check, p, binary, args.python) for p in programs]
        for future in futures:  # report in record order
            verdict = future.result()
            counts[verdict.status] += 1
            print(verdict.line(), flush=True)
            if verdict.report:
                print(verdict.report, end="", flush=True)
    elapsed = time.perf_counter() - start
    print(f"[oracle] {len(programs)} programs in {elapsed:.1f}s with {args.python}")
    print(f"oracle: {counts['PASS']} passed, {counts['FAIL']} failed, {counts['PENDING']} pending")
    return 1 if counts["FAIL"] else 0


if __name__ == "__main__":
    sys.exit(main())
