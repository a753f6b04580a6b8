"""Corpus run of hybridize: crash-freedom and write-safety on real code.

Called by run.sh as `python3 run.py HYBRIDIZE_BIN PARSE_ONLY_BIN CORPUS_DIR`.

Steps, on a temporary copy of the corpus (the pristine copy is kept to compare):
  1. `check DIR`                                   - runs sanely
  2. `check --output-format json --unsafe-fixes DIR` - valid JSON; fixes per code;
     the same bytes as with HYBRIDIZE_SECOND_LOOK=all (every file checked again
     with the whole run's facts: the shortcut that skips that loses nothing),
     and the same bytes again with HYBRIDIZE_ARENA_CHECK=1 (every parse tree's
     memory made inaccessible once the tree is gone: nothing outlives it)
  3. `fix --unsafe-fixes DIR` (dry run)            - writes nothing; a diff
  4. `fix --write --unsafe-fixes DIR`              - the files it changes are
     exactly those of the dry-run diff, the diff applied with `git apply` to a
     pristine copy gives the same bytes, every changed file has a fix in the
     JSON report and still parses (ruff via parse_only, and CPython ast.parse),
     no file is added or removed, all other files are byte-identical
  5. `fix DIR` and `fix --unsafe-fixes DIR`       - propose nothing (no diff)
  6. fix == check, with and without --unsafe-fixes: `fix` applies exactly the
     fixes `check` reports: its "Would apply N fixes" is check's count of
     applicable fixes, and its result is the original with the edits of
     check's JSON applied (fixes in order of position, one that overlaps an
     earlier one left out)
  7. the cache: `check`, `check --output-format json --unsafe-fixes` and
     `fix --unsafe-fixes` print the same bytes (stdout, stderr, exit code)
     with no cache, with an empty one (cold) and with a full one (warm);
     and again after one file is edited (a line inserted at its top)

Every run's cache is in the temporary folder (HYBRIDIZE_CACHE_DIR), never
in the copies; the runs that check the second-look shortcut and the parse
arena run without it (`--no-cache`: they must parse every file).

"Runs sanely": no panic (exit 101 or "panicked" on stderr), no "internal error"
on stderr, exit code 0 or 1, or 2 when every `error: PATH:LINE:COL: ...` line
is about a file that CPython could not parse in the original; any `error:` line
about another file fails. Ends with `corpus: N passed, N failed`; exits 1 on
any failure.
"""

from __future__ import annotations

import ast
import collections
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import warnings

TIMEOUT = int(os.environ.get("HYBRIDIZE_CORPUS_TIMEOUT", "900"))
SHOW = 15  # problem lines shown per assertion

ERROR_LINE = re.compile(r"^error: (?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<msg>.*)$")

passed = 0
failed = 0


def report(name: str, ok: bool, details: list[str] | None = None, note: str = "") -> bool:
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
    print(f"{'PASS' if ok else 'FAIL'}  {name}{'  (' + note + ')' if note else ''}", flush=True)
    if details:
        for line in details[:SHOW]:
            print(f"        {line}")
        if len(details) > SHOW:
            print(f"        ... and {len(details) - SHOW} more")
    return ok


def py_files(root: str) -> dict[str, str]:
    """Relative path -> absolute path of every file under root (all files,
    not only .py: a tool must not touch anything else either)."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for fn in filenames:
            full = os.path.join(dirpath, fn)
            out[os.path.relpath(full, root)] = full
    return out


def cpython_parses(data: bytes, name: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(data, name)
        return True
    except (SyntaxError, ValueError):
        return False


def norm(path: str, root: str) -> str:
    """A path printed by the tool (run with cwd=root), relative to root."""
    return os.path.normpath(os.path.relpath(os.path.join(root, path), root))


class Run:
    def __init__(self, argv: list[str], cwd: str, env: dict[str, str] | None = None):
        self.argv = argv
        t0 = time.monotonic()
        try:
            p = subprocess.run(argv, cwd=cwd, capture_output=True, timeout=TIMEOUT, env=env)
            self.code, self.stdout, self.stderr = p.returncode, p.stdout, p.stderr
        except subprocess.TimeoutExpired as e:
            self.code = None
            self.stdout, self.stderr = e.stdout or b"", e.stderr or b""
        self.seconds = time.monotonic() - t0
        self.out = self.stdout.decode("utf-8", "replace")
        self.err = self.stderr.decode("utf-8", "replace")

    @property
    def label(self) -> str:
        return "hybridize " + " ".join(self.argv[1:])


def check_sane(run: Run, root: str, orig_bad: set[str]) -> bool:
    """No panic, no internal error, acceptable exit code and error lines."""
    problems = []
    err_lines = run.err.splitlines()
    if run.code is None:
        problems.append(f"timed out after {TIMEOUT}s")
    if run.code == 101 or "panicked" in run.err:
        problems.append(f"panic (exit {run.code})")
        sites = collections.Counter()
        for i, l in enumerate(err_lines):
            if "panicked at" in l:
                site = l.split("panicked at", 1)[1].strip()
                msg = err_lines[i + 1].strip() if i + 1 < len(err_lines) else ""
                sites[f"panicked at {site} {msg}"] += 1
        problems += [f"{n}x {site}" for site, n in sites.most_common()]
    internal = [l for l in err_lines if "internal error" in l.lower()]
    if internal:
        problems.append(f"{len(internal)} internal error line(s) on stderr")
        problems += internal
    parse_errors = 0
    other_errors = []
    for l in err_lines:
        if not l.startswith("error:"):
            continue
        m = ERROR_LINE.match(l)
        if m and norm(m["path"], root) in orig_bad:
            parse_errors += 1
        else:
            other_errors.append(l)
    if other_errors:
        problems.append(f"{len(other_errors)} error line(s) not about an originally unparsable file")
        problems += other_errors
    if run.code not in (0, 1, None, 101):
        if run.code == 2 and parse_errors and not other_errors:
            pass  # only the corpus's own unparsable files
        else:
            problems.append(f"exit code {run.code}")
            problems += err_lines[-5:]
    note = f"exit {run.code}, {run.seconds:.2f}s"
    if parse_errors:
        note += f", {parse_errors} parse error(s) of unparsable originals"
    return report(f"{run.label}: runs sanely", not problems, problems, note)


def diff_files(diff: str) -> tuple[set[str], list[str]]:
    """Files named by `+++ b/PATH` headers; and malformed header complaints."""
    files, bad = set(), []
    lines = diff.splitlines()
    for i, l in enumerate(lines):
        if l.startswith("+++ "):
            path = l[4:].split("\t")[0]
            prev = lines[i - 1] if i else ""
            if not path.startswith("b/") or not prev.startswith("--- a/"):
                bad.append(f"bad header: {prev!r} / {l!r}")
                continue
            files.add(path[2:])
    return files, bad


def ruff_parse_failures(parse_only: str, paths: list[str]) -> list[str]:
    failures = []
    for i in range(0, len(paths), 500):
        chunk = paths[i:i + 500]
        p = subprocess.run([parse_only, *chunk], capture_output=True, text=True)
        if p.returncode not in (0, 1):
            failures.append(f"parse_only exit {p.returncode}: {p.stderr.strip()}")
        failures += p.stdout.splitlines()
    return failures


LINE_END = re.compile(r"\r\n|\r|\n")


def offset(text: str, starts: list[int], location: dict) -> int:
    """The character offset of a 1-based (row, column) location."""
    row, column = location["row"], location["column"]
    if row - 1 >= len(starts):
        return len(text)
    return starts[row - 1] + column - 1


def apply_json_fixes(text: str, fixes: list[dict]) -> str:
    """The text with the fixes' edits applied as the tool applies them: in
    order of their first edit, a fix whose edits overlap one already taken
    (or each other) left out; two insertions at one point overlap, unless
    they are the same edit, made once."""
    starts = [0] + [m.end() for m in LINE_END.finditer(text)]
    spans = []
    for order, fix in enumerate(fixes):
        edits = [(offset(text, starts, e["location"]), offset(text, starts, e["end_location"]),
                  e["content"]) for e in fix["edits"]]
        if edits:
            spans.append((min(e[0] for e in edits), order, edits))
    spans.sort()

    def overlaps(a, b):
        return a[0] == b[0] or (a[0] < b[1] and b[0] < a[1])

    taken = []
    for _, _, edits in spans:
        # An edit the same as one taken (an import two fixes need) is shared.
        if any(e != t and overlaps(e, t) for e in edits for t in taken) or any(
                overlaps(a, b) for a, b in zip(edits, edits[1:])):
            continue
        taken.extend(e for e in edits if e not in taken)
    out, cursor = [], 0
    for start, end, content in sorted(taken, key=lambda e: (e[0], e[1])):
        out.append(text[cursor:start])
        out.append(content)
        cursor = end
    out.append(text[cursor:])
    return "".join(out)


APPLY_COUNT = re.compile(r"^(?:Would apply|Applied) (\d+) fix(?:es)? to ", re.M)


def fix_equals_check(label: str, findings: list, fix_run: Run, root: str, fixed: dict[str, bytes],
                     orig_bytes: dict[str, bytes], unsafe: bool) -> None:
    """`fix` applies what `check` reported: at least the same count, and it
    changes only files where check reported a fix (`fixed`: relative path
    -> bytes after the fix; files not in it are unchanged). Where an applied
    fix makes another possible (HY001 then HY020 on its callee), `fix`
    applies that one too in a later pass, so that a second run proposes
    nothing: those files are listed, as chained, and do not fail."""
    kinds = ("safe", "unsafe") if unsafe else ("safe",)
    applicable: dict[str, list] = collections.defaultdict(list)
    for f in findings:
        fix = f.get("fix")
        if fix and fix.get("applicability") in kinds:
            applicable[norm(f["filename"], root)].append(fix)
    reported = sum(len(v) for v in applicable.values())
    m = APPLY_COUNT.search(fix_run.err)
    applied = int(m[1]) if m else 0
    report(f"{label}: fix applies at least the fixes check reports", applied >= reported,
           [f"check reports {reported} applicable fixes; fix applies {applied}"])
    unannounced, chained = [], []
    for rel in sorted(set(applicable) | set(fixed)):
        original = orig_bytes[rel].decode("utf-8")
        expected = apply_json_fixes(original, applicable.get(rel, []))
        got = fixed[rel].decode("utf-8") if rel in fixed else original
        if got != expected:
            first = next((i for i, (a, b) in enumerate(zip(got.splitlines(), expected.splitlines()))
                          if a != b), None)
            where = f"{rel}: fix's result differs from check's edits" + (
                f" (first at line {first + 1})" if first is not None else "")
            (chained if rel in applicable else unannounced).append(where)
    report(f"{label}: fix changes only files check reported fixes for, with its edits"
           + (f" ({len(chained)} with chained fixes)" if chained else ""),
           not unannounced, unannounced + [f"chained: {c}" for c in chained])


def main() -> int:
    bin_, parse_only, corpus = sys.argv[1:4]
    tmp = tempfile.mkdtemp(prefix="hybridize-corpus-")
    os.environ["HYBRIDIZE_CACHE_DIR"] = os.path.join(tmp, "cache")
    try:
        return run_all(bin_, parse_only, corpus, tmp)
    finally:
        if os.environ.get("KEEP_TMP"):
            print(f"corpus: kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def run_all(bin_: str, parse_only: str, corpus: str, tmp: str) -> int:
    pristine = os.path.join(tmp, "pristine")
    work = os.path.join(tmp, "work")
    applied = os.path.join(tmp, "applied")
    ignore = shutil.ignore_patterns(".stamp")
    for d in (pristine, work, applied):
        shutil.copytree(corpus, d, symlinks=True, ignore=ignore)
    files = py_files(pristine)
    py = [r for r in files if r.endswith(".py")]
    orig_bytes = {r: open(files[r], "rb").read() for r in files}
    orig_bad = {r for r in py if not cpython_parses(orig_bytes[r], r)}
    n_lines = sum(orig_bytes[r].count(b"\n") for r in py)
    print(f"corpus: {corpus}: {len(py)} .py files, {n_lines} lines, "
          f"{len(orig_bad)} not parsable by CPython {sys.version.split()[0]}", flush=True)

    def hy(*args: str) -> Run:
        return Run([bin_, *args, "."], cwd=work)

    # 1. plain check
    check_sane(hy("check"), work, orig_bad)

    # 2. JSON findings and fixes per code
    js = hy("check", "--output-format", "json", "--unsafe-fixes")
    check_sane(js, work, orig_bad)
    findings = None
    try:
        findings = json.loads(js.out)
        ok = isinstance(findings, list) and all(
            isinstance(f, dict) and "code" in f and "fix" in f for f in findings)
        report("json output is an array of findings with code and fix", ok,
               [] if ok else [js.out[:300]])
    except json.JSONDecodeError as e:
        report("json output is an array of findings with code and fix", False,
               [f"{e}", js.out[:300]])
        findings = None
    def same_json(name: str, base: Run, env: dict[str, str], labels: tuple[str, str]) -> Run:
        """The JSON check again with `env`: the same bytes as `base`."""
        again = Run([bin_, "check", "--no-cache", "--output-format", "json", "--unsafe-fixes", "."],
                    cwd=work,
                    env={**os.environ, **env})
        check_sane(again, work, orig_bad)
        same = again.stdout == base.stdout
        report(name, same, [] if same else [l for l in difflib.unified_diff(
            base.out.splitlines(), again.out.splitlines(), *labels, lineterm="")])
        return again

    every = same_json("checking every file a second time reports the same findings", js,
                      {"HYBRIDIZE_SECOND_LOOK": "all"}, ("shortcut", "all"))
    # The parse arena retires each tree's memory instead of reusing it
    # (a later use of anything shared with a tree faults): same findings.
    same_json("nothing outlives its parse tree (arena memory retired, not reused)", every,
              {"HYBRIDIZE_SECOND_LOOK": "all", "HYBRIDIZE_ARENA_CHECK": "1"},
              ("reused", "retired"))
    fixed_files: set[str] = set()
    if isinstance(findings, list):
        per_code: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        for f in findings:
            if not isinstance(f, dict):
                continue
            c = per_code[str(f.get("code"))]
            c["findings"] += 1
            fix = f.get("fix")
            if fix:
                appl = str(fix.get("applicability", "?")).lower().replace("-", "").replace("_", "")
                c[f"fix:{appl}"] += 1
                if appl != "displayonly" and f.get("filename"):
                    fixed_files.add(norm(f["filename"], work))
        print(f"  {'code':<8}{'findings':>9}{'safe':>7}{'unsafe':>8}{'display':>9}")
        tot = collections.Counter()
        for code in sorted(per_code):
            c = per_code[code]
            tot.update(c)
            print(f"  {code:<8}{c['findings']:>9}{c['fix:safe']:>7}{c['fix:unsafe']:>8}"
                  f"{c['fix:displayonly']:>9}")
        print(f"  {'total':<8}{tot['findings']:>9}{tot['fix:safe']:>7}{tot['fix:unsafe']:>8}"
              f"{tot['fix:displayonly']:>9}   ({len(fixed_files)} files with applicable fixes)")

    # 3. dry run: writes nothing, prints a diff
    dry = hy("fix", "--unsafe-fixes")
    check_sane(dry, work, orig_bad)
    touched = [r for r in files if open(os.path.join(work, r), "rb").read() != orig_bytes[r]]
    report("fix without --write modifies no file", not touched, touched)
    diff_set, bad_headers = diff_files(dry.out)
    diff_set = {norm(p, work) for p in diff_set}
    report("dry-run diff headers are --- a/PATH +++ b/PATH", not bad_headers, bad_headers,
           f"{len(diff_set)} files in the diff")

    # 4. write
    wr = hy("fix", "--write", "--unsafe-fixes")
    check_sane(wr, work, orig_bad)
    after = py_files(work)
    added = sorted(set(after) - set(files))
    removed = sorted(set(files) - set(after))
    report("no file added or removed", not added and not removed,
           [f"added {p}" for p in added] + [f"removed {p}" for p in removed])
    changed = sorted(r for r in files if r in after
                     and open(after[r], "rb").read() != orig_bytes[r])
    print(f"corpus: --write changed {len(changed)} files", flush=True)
    report("changed files are exactly the dry-run diff's files", set(changed) == diff_set,
           [f"changed, not in diff: {p}" for p in sorted(set(changed) - diff_set)]
           + [f"in diff, not changed: {p}" for p in sorted(diff_set - set(changed))])
    if findings is not None:
        extra = sorted(set(changed) - fixed_files)
        report("every changed file has an applicable fix in the json report", not extra, extra)
        unapplied = sorted(fixed_files - set(changed))
        if unapplied:
            print(f"note: {len(unapplied)} files with applicable fixes were not changed: "
                  + ", ".join(unapplied[:5]))
    non_py = [p for p in changed if not p.endswith(".py")]
    report("only .py files changed", not non_py, non_py)

    # the dry-run diff applies with git apply and gives the written bytes
    if shutil.which("git") and dry.out.strip():
        patch = os.path.join(tmp, "dry.diff")
        with open(patch, "wb") as fh:
            fh.write(dry.stdout)
        p = subprocess.run(["git", "apply", "--whitespace=nowarn", patch],
                           cwd=applied, capture_output=True, text=True)
        if p.returncode != 0:
            report("dry-run diff applies with git apply", False, p.stderr.splitlines())
        else:
            differ = [r for r in changed
                      if open(os.path.join(applied, r), "rb").read() != open(after[r], "rb").read()]
            differ += [r for r in files if r not in changed and r in after
                       and open(os.path.join(applied, r), "rb").read() != orig_bytes[r]]
            report("git apply of the dry-run diff == --write result", not differ, differ)
    elif not shutil.which("git"):
        print("note: git not found, diff application not checked")

    # rewritten files still parse
    changed_py = [after[r] for r in changed if r.endswith(".py")]
    ruff_fail = ruff_parse_failures(parse_only, changed_py) if changed_py else []
    report("rewritten files parse with ruff's parser", not ruff_fail,
           [os.path.relpath(l, work) if l.startswith(work) else l for l in ruff_fail],
           f"{len(changed_py)} files")
    cpy_fail = [r for r in changed if r.endswith(".py") and r not in orig_bad
                and not cpython_parses(open(after[r], "rb").read(), r)]
    report("rewritten files parse with CPython ast.parse", not cpy_fail, cpy_fail)

    # 5. second run proposes nothing
    for args in (("fix",), ("fix", "--unsafe-fixes")):
        again = hy(*args)
        check_sane(again, work, orig_bad)
        again_files, _ = diff_files(again.out)
        report(f"second `hybridize {' '.join(args)}` proposes nothing", not again.out.strip(),
               sorted(again_files) or again.out.splitlines()[:SHOW])

    # 6. fix == check: the unsafe setting against the --write result, the
    # safe setting against its dry-run diff applied to a pristine copy.
    if isinstance(findings, list):
        fixed_unsafe = {r: open(after[r], "rb").read() for r in changed}
        fix_equals_check("--unsafe-fixes", findings, dry, work, fixed_unsafe, orig_bytes,
                         unsafe=True)
    safe_check = Run([bin_, "check", "--output-format", "json", "."], cwd=pristine)
    check_sane(safe_check, pristine, orig_bad)
    safe_fix = Run([bin_, "fix", "."], cwd=pristine)
    check_sane(safe_fix, pristine, orig_bad)
    safe_copy = os.path.join(tmp, "safe")
    shutil.copytree(pristine, safe_copy, symlinks=True)
    fixed_safe: dict[str, bytes] = {}
    if safe_fix.out.strip():
        patch = os.path.join(tmp, "safe.diff")
        with open(patch, "wb") as fh:
            fh.write(safe_fix.stdout)
        p = subprocess.run(["git", "apply", "--whitespace=nowarn", patch],
                           cwd=safe_copy, capture_output=True, text=True)
        if p.returncode != 0:
            report("safe dry-run diff applies with git apply", False, p.stderr.splitlines())
        for r in files:
            data = open(os.path.join(safe_copy, r), "rb").read()
            if data != orig_bytes[r]:
                fixed_safe[r] = data
    try:
        safe_findings = json.loads(safe_check.out)
        fix_equals_check("safe fixes only", safe_findings, safe_fix, pristine, fixed_safe,
                         orig_bytes, unsafe=False)
    except json.JSONDecodeError as e:
        report("safe check's json output parses", False, [str(e)])

    # 7. the cache: cold and warm runs print what a run without it prints.
    cached = os.path.join(tmp, "cached")
    shutil.copytree(pristine, cached, symlinks=True)
    cache_env = {**os.environ, "HYBRIDIZE_CACHE_DIR": os.path.join(tmp, "cache-fresh")}
    cache_commands = [("check",), ("check", "--output-format", "json", "--unsafe-fixes"),
                      ("fix", "--unsafe-fixes")]

    def same_with_cache(when: str) -> None:
        for args in cache_commands:
            plain = Run([bin_, *args, "--no-cache", "."], cwd=cached)
            for label in ("cold", "warm") if when == "unchanged" else ("warm",):
                got = Run([bin_, *args, "."], cwd=cached, env=cache_env)
                check_sane(got, cached, orig_bad)
                same = (got.stdout, got.stderr, got.code) == (plain.stdout, plain.stderr, plain.code)
                details = [] if same else [l for l in difflib.unified_diff(
                    (plain.out + plain.err).splitlines(), (got.out + got.err).splitlines(),
                    "no cache", label, lineterm="")] or [f"exit {plain.code} vs {got.code}"]
                report(f"`hybridize {' '.join(args)}` {label} ({when}) == without cache", same,
                       details, f"{got.seconds:.2f}s vs {plain.seconds:.2f}s")

    same_with_cache("unchanged")
    # One file edited: the TensorFlow module with functions that most
    # other files import (by the last two parts of its dotted name), a line
    # inserted at its top: every line of it moves, and so do the lines the
    # findings of the files that call it quote from it.
    imported = collections.Counter()
    import_line = re.compile(rb"^\s*(?:from\s+([\w.]+)\s+import|import\s+([\w.]+))", re.M)
    for r in py:
        names = set()
        for m in import_line.finditer(orig_bytes[r]):
            parts = (m[1] or m[2]).decode("ascii", "replace").strip(".").split(".")
            names.update(".".join(parts[i:i + 2]) for i in range(max(len(parts) - 1, 1)))
        imported.update(names)
    candidates = [r for r in sorted(py) if r not in orig_bad and not r.endswith("__init__.py")
                  and b"import tensorflow" in orig_bytes[r] and b"\ndef " in orig_bytes[r]]
    edited = max(candidates, key=lambda r: imported[".".join(r[:-3].split("/")[-2:])], default=None)
    if edited:
        with open(os.path.join(cached, edited), "wb") as fh:
            fh.write(b"# edited by the corpus test\n" + orig_bytes[edited])
        same_with_cache(f"{edited} edited")

    print(f"corpus: {passed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
