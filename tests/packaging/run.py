#!/usr/bin/env python3
"""The wheel, the pre-commit hooks and the GitHub Action, as a user meets them.

    python="$(scripts/packaging-venv.sh)"
    "$python" tests/packaging/run.py [--keep] [--only wheel,pre-commit,action]

Run by scripts/test. Needs git, python3 with venv, cargo, and PyPI and
crates.io (pip fetches maturin, cargo the crates); `pre-commit` and PyYAML
come from the packaging venv. A missing tool is a failure, never a skip.

1. A clean checkout: the files git tracks, as they are in the working tree,
   plus new files that are not ignored, copied into a new git repository
   with one commit tagged `v<version>` (`<version>` is Cargo.toml's).
2. pre-commit: a new project whose `.pre-commit-config.yaml` is the one in
   docs/python.md with `repo:` the clean repository; `pre-commit install`,
   then `git commit` of a copy of examples/eager_loop.py is refused with the
   finding, `hybridize-fix` writes `@tf.function`, and the next commit passes.
3. The wheel: `pip wheel` of the clean repository, installed into a new
   venv: `hybridize --version`, `python -m hybridize check` and `fix
   --write`, and `pip install --target`.
4. The Action: action.yml's inputs against the docs and the CLI; its
   install step run with bash as the runner would, for the action's own
   checkout and for a tag (pip clones it); its review step's command line
   for given inputs (a stand-in `hybridize` records it).

Every build (pip, maturin, cargo's `wheel` profile, as for a user) shares one
cargo target folder in the cache, so the crates compile once per machine;
when the pre-commit test runs (first), the clean repository's files get an
old timestamp so that a build from it reuses what the pre-commit build of
the same commit compiled. Prints `N passed, N failed` last.
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("HYBRIDIZE_CACHE", Path.home() / ".cache" / "hybridize"))
EXAMPLE = ROOT / "examples" / "eager_loop.py"
FINDING = (
    "{path}:8:5: HY001 [*] `train_step` is called in a loop (at line 22); "
    "it can run as a graph function"
)
# The inputs action.yml had when it was first published: never renamed.
ACTION_INPUTS = ["version", "paths", "args", "fail-on-changes", "token"]
# How the runner runs a step with `shell: bash`.
BASH = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c"]
OLD = 946684800  # 2000-01-01: the clean tree's mtime, older than any build

passed: list[str] = []
failed: list[str] = []


class Failure(Exception):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise Failure(message)


def run(
    args: list[str | Path],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    expect: int | None = 0,
) -> subprocess.CompletedProcess[str]:
    """Runs a command, capturing its output; `expect` is the exit status it must have."""
    shown = " ".join(str(a) if "\n" not in str(a) else repr(str(a).split("\n")[0] + " ...") for a in args)
    print(f"  $ {shown}", file=sys.stderr, flush=True)
    started = time.monotonic()
    done = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    took = time.monotonic() - started
    if took > 5:
        print(f"    ({took:.0f} s)", file=sys.stderr, flush=True)
    if expect is not None and done.returncode != expect:
        raise Failure(
            f"`{shown}` exited {done.returncode}, expected {expect}\n"
            f"--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
        )
    return done


def cargo_version() -> str:
    text = (ROOT / "Cargo.toml").read_text()
    package = text.split("[package]", 1)[1].split("\n[", 1)[0]
    found = re.search(r'^version\s*=\s*"([^"]+)"', package, re.M)
    check(found is not None, "Cargo.toml: no [package] version")
    return found.group(1)


def build_env(work: Path) -> dict[str, str]:
    """The environment for everything that may build the wheel."""
    env = dict(os.environ)
    env.update(
        CARGO_TARGET_DIR=str(CACHE / "wheel-target"),
        PRE_COMMIT_HOME=str(work / "pre-commit-home"),
        GIT_CONFIG_GLOBAL=str(work / "gitconfig"),
        GIT_CONFIG_NOSYSTEM="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    (work / "gitconfig").write_text(
        "[user]\n\tname = packaging test\n\temail = test@example.invalid\n"
        "[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n"
    )
    return env


def clean_repository(work: Path, env: dict[str, str], version: str, backdate: bool) -> Path:
    """The working tree's files as git sees them, in a new repository.

    `backdate`: give the files an old timestamp, so that cargo takes what the
    shared target folder holds as fresh. Only when the pre-commit test runs
    first: its build, from pre-commit's own clone of this commit, is what
    the later builds then reuse; otherwise they could take another commit's
    build as fresh (cargo compares timestamps, not contents)."""
    listed = run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT
    ).stdout
    repo = work / "hybridize"
    for name in sorted(set(filter(None, listed.split("\0")))):
        source = ROOT / name
        if not source.is_file():  # deleted in the working tree
            continue
        target = repo / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    run(["git", "init", "-q"], cwd=repo, env=env)
    run(["git", "add", "-A"], cwd=repo, env=env)
    run(["git", "commit", "-q", "-m", "clean checkout"], cwd=repo, env=env)
    run(["git", "tag", f"v{version}"], cwd=repo, env=env)
    if backdate:
        for path in repo.rglob("*"):
            if ".git" not in path.relative_to(repo).parts:
                os.utime(path, (OLD, OLD))
    return repo


def documented_config() -> str:
    """The `.pre-commit-config.yaml` docs/python.md shows."""
    text = (ROOT / "docs" / "python.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
    configs = [b for b in blocks if "hybridize-check" in b]
    check(len(configs) == 1, "docs/python.md: expected one yaml block with the hooks")
    readme = re.findall(r"```yaml\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    check(readme == configs, "README.md's pre-commit config differs from docs/python.md's")
    return configs[0]


def test_pre_commit(work: Path, env: dict[str, str], repo: Path, version: str) -> None:
    pre_commit = Path(sys.executable).parent / "pre-commit"
    check(pre_commit.is_file(), f"{pre_commit} not found: run under scripts/packaging-venv.sh's python")
    config = documented_config()
    check("https://github.com/OWNER/hybridize" in config, "docs config: repo URL changed")
    check(f"rev: v{version}" in config, f"docs config: rev is not v{version} (Cargo.toml)")
    project = work / "project"
    project.mkdir()
    (project / ".pre-commit-config.yaml").write_text(
        config.replace("https://github.com/OWNER/hybridize", str(repo))
    )
    shutil.copy(EXAMPLE, project / "train.py")
    run(["git", "init", "-q"], cwd=project, env=env)
    run([pre_commit, "install"], cwd=project, env=env)
    # Installing the hooks' environment builds the wheel (pip, maturin, cargo).
    run([pre_commit, "install-hooks"], cwd=project, env=env)
    run(["git", "add", "-A"], cwd=project, env=env)

    refused = run(["git", "commit", "-m", "train loop"], cwd=project, env=env, expect=1)
    out = refused.stdout + refused.stderr
    for expected in [
        "hybridize check..",
        "- hook id: hybridize-check\n- exit code: 1\n",
        FINDING.format(path="train.py"),
        "- hook id: hybridize-fix\n- exit code: 1\n- files were modified by this hook",
        "Found 1 finding (1 fixable with `hybridize fix`).",
        "Applied 1 fix to 1 file.",
    ]:
        check(expected in out, f"first commit: {expected!r} not in the output:\n{out}")
    check(
        re.search(r"^hybridize check\.+Failed$", out, re.M) is not None
        and re.search(r"^hybridize fix\.+Failed$", out, re.M) is not None,
        f"first commit: both hooks should fail:\n{out}",
    )
    count = run(["git", "rev-list", "--all", "--count"], cwd=project, env=env, expect=None)
    check(count.stdout.strip() in ("", "0"), "the refused commit was made")
    fixed = (project / "train.py").read_text()
    check("\n@tf.function\ndef train_step(x, y):\n" in fixed, f"train.py not fixed:\n{fixed}")
    ast.parse(fixed, "train.py")
    diff = run(["git", "diff", "--stat"], cwd=project, env=env).stdout
    check("train.py | 1 +" in diff, f"the fix should add one line: {diff}")

    run(["git", "add", "-A"], cwd=project, env=env)
    passed_commit = run(["git", "commit", "-m", "train loop"], cwd=project, env=env)
    out = passed_commit.stdout + passed_commit.stderr
    check(
        re.search(r"^hybridize check\.+Passed$", out, re.M) is not None
        and re.search(r"^hybridize fix\.+Passed$", out, re.M) is not None,
        f"second commit: both hooks should pass:\n{out}",
    )
    again = run([pre_commit, "run", "--all-files"], cwd=project, env=env)
    check("Failed" not in again.stdout, f"a rerun should pass:\n{again.stdout}")


def test_wheel(work: Path, env: dict[str, str], repo: Path, version: str) -> None:
    dist = work / "dist"
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", dist, repo], env=env)
    wheels = sorted(dist.glob("*.whl"))
    check(len(wheels) == 1, f"expected one wheel in {dist}: {wheels}")
    wheel = wheels[0]
    check(
        wheel.name.startswith(f"hybridize-{version}-py3-none-"),
        f"wheel name {wheel.name}: not hybridize-{version}-py3-none-*",
    )

    venv = work / "venv"
    run([sys.executable, "-m", "venv", venv])
    python = venv / "bin" / "python"
    run([python, "-m", "pip", "install", "--no-index", wheel], env=env)
    shown = run([venv / "bin" / "hybridize", "--version"]).stdout
    check(shown == f"hybridize {version}\n", f"hybridize --version: {shown!r}")
    metadata = run(
        [python, "-c", "import importlib.metadata as m; print(m.version('hybridize'))"]
    ).stdout
    check(metadata == f"{version}\n", f"the package's version: {metadata!r}")

    # `python -m hybridize` with the venv's scripts folder off PATH.
    folder = work / "example"
    folder.mkdir()
    shutil.copy(EXAMPLE, folder / "eager_loop.py")
    bare = dict(env, PATH="/usr/bin:/bin")
    checked = run([python, "-m", "hybridize", "check", "eager_loop.py"], cwd=folder, env=bare, expect=1)
    check(
        checked.stdout.startswith(FINDING.format(path="eager_loop.py") + "\n"),
        f"python -m hybridize check:\n{checked.stdout}",
    )
    check(
        "Found 1 finding (1 fixable with `hybridize fix`)." in checked.stderr,
        f"python -m hybridize check, stderr:\n{checked.stderr}",
    )
    run([python, "-m", "hybridize", "fix", "--write", "eager_loop.py"], cwd=folder, env=bare, expect=1)
    fixed = (folder / "eager_loop.py").read_text()
    check("\n@tf.function\ndef train_step(x, y):\n" in fixed, f"not fixed:\n{fixed}")
    ast.parse(fixed)
    run([python, "-m", "hybridize", "check", "eager_loop.py"], cwd=folder, env=bare, expect=0)
    usage = run([python, "-m", "hybridize", "check", "--no-such-flag"], env=bare, expect=2)
    check("--no-such-flag" in usage.stderr, f"usage error: {usage.stderr}")

    # `pip install --target DIR`: the executable is in DIR/bin.
    target = work / "target-install"
    run([sys.executable, "-m", "pip", "install", "--no-index", "--target", target, wheel], env=env)
    base_python = getattr(sys, "_base_executable", None) or shutil.which("python3")
    by_target = run(
        [base_python, "-m", "hybridize", "--version"], env=dict(bare, PYTHONPATH=str(target))
    ).stdout
    check(by_target == f"hybridize {version}\n", f"--target: {by_target!r}")


def substitute(text: str, context: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        check(name in context, f"action.yml: the test does not know `${{{{ {name} }}}}`")
        return context[name]

    return re.sub(r"\$\{\{\s*([\w.-]+)\s*\}\}", value, text)


def test_action(work: Path, env: dict[str, str], repo: Path, version: str) -> None:
    import yaml

    action = yaml.safe_load((ROOT / "action.yml").read_text())
    inputs = action["inputs"]
    for name in ACTION_INPUTS:
        check(name in inputs, f"action.yml: input `{name}` is gone (inputs are never renamed)")
    steps = action["runs"]["steps"]
    text = yaml.safe_dump(steps)
    used = set(re.findall(r"inputs\.([\w-]+)", text))
    check(used <= set(inputs), f"action.yml uses undeclared inputs: {used - set(inputs)}")
    check(set(inputs) <= used, f"action.yml declares unused inputs: {set(inputs) - used}")
    documented = (ROOT / "docs" / "review-and-interactive.md").read_text()
    for name in inputs:
        check(f"`{name}`" in documented, f"input `{name}` is not in docs/review-and-interactive.md")

    # The install step, run with bash as the runner runs it, in a runner
    # folder of its own (RUNNER_TEMP, GITHUB_PATH).
    install = next(s for s in steps if s.get("name") == "Install hybridize")
    check(install.get("shell") == "bash", "the install step's shell")

    def install_step(context: dict[str, str]) -> tuple[Path, subprocess.CompletedProcess[str]]:
        runner = work / f"runner-{context['inputs.version'] or 'path'}"
        runner.mkdir()
        step_env = dict(env)
        step_env.update({k: substitute(str(v), context) for k, v in install.get("env", {}).items()})
        step_env.update(
            GITHUB_ACTION_PATH=str(repo),
            RUNNER_TEMP=str(runner),
            GITHUB_PATH=str(runner / "github_path"),
        )
        done = run([*BASH, substitute(install["run"], context)], cwd=runner, env=step_env)
        return runner, done

    # `version` empty: the action's own checkout. `version` a tag: pip
    # clones `git+SERVER/REPOSITORY@TAG` and builds it (the crate compiles
    # again: a fresh clone's files are newer than the shared build).
    installed = None
    for context in [
        {"inputs.version": "", "github.action_repository": "OWNER/hybridize",
         "github.server_url": "https://github.invalid"},
        {"inputs.version": f"v{version}", "github.action_repository": repo.name,
         "github.server_url": repo.parent.as_uri()},
    ]:
        runner, done = install_step(context)
        branch = f"version={context['inputs.version']!r}"
        if context["inputs.version"]:
            check(
                f"Cloning {repo.as_uri()} (to revision v{version})" in done.stdout,
                f"{branch}: pip did not clone the tag:\n{done.stdout}",
            )
        lines = (runner / "github_path").read_text().splitlines()
        check(len(lines) == 1, f"{branch}: GITHUB_PATH should get one folder: {lines}")
        installed = Path(lines[0]) / "hybridize"
        shown = run([installed, "--version"]).stdout
        check(shown == f"hybridize {version}\n", f"{branch}: {installed} --version: {shown!r}")

    # The flags its steps pass and its descriptions suggest exist.
    help_text = run([installed, "review", "--help"])
    options = set(re.findall(r"(--[a-z][a-z-]*)", help_text.stdout))
    review = next(s for s in steps if "hybridize review" in s.get("run", ""))
    review_flags = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", review["run"]))
    check(
        {"--repo", "--pr", "--api-url", "--exit-zero"} <= review_flags,
        f"the review step's flags: {review_flags}",
    )
    described = set(re.findall(r"`(--[a-z][a-z-]*)", inputs["args"]["description"]))
    check(described, "the `args` input's description names no flag")
    for flag in review_flags | described:
        check(flag in options, f"action.yml: `{flag}` is not a `hybridize review` option")

    # The review step's command line, from the inputs: a `hybridize` first on
    # PATH records its arguments.
    stub = work / "stub"
    stub.mkdir()
    (stub / "hybridize").write_text(
        '#!/usr/bin/env bash\nprintf "%s\\n" "$@" > "$ARGV_FILE"\n'
    )
    (stub / "hybridize").chmod(0o755)
    for fail_on_changes, exit_zero in [("false", ["--exit-zero"]), ("true", [])]:
        context = {
            "inputs.token": "TOKEN",
            "github.event.pull_request.number": "42",
            "inputs.paths": "src lib",
            "inputs.args": "--unsafe-fixes --max-comments 20",
            "github.api_url": "https://api.github.invalid",
            "inputs.fail-on-changes": fail_on_changes,
        }
        step_env = dict(env, PATH=f"{stub}:{env['PATH']}", ARGV_FILE=str(stub / "argv"))
        step_env.update({k: substitute(str(v), context) for k, v in review.get("env", {}).items()})
        step_env["GITHUB_REPOSITORY"] = "OWNER/NAME"
        run([*BASH, substitute(review["run"], context)], env=step_env)
        argv = (stub / "argv").read_text().splitlines()
        expected = (
            ["review", "--repo", "OWNER/NAME", "--pr", "42", "--api-url", "https://api.github.invalid"]
            + exit_zero
            + ["--unsafe-fixes", "--max-comments", "20", "src", "lib"]
        )
        check(argv == expected, f"fail-on-changes={fail_on_changes}: hybridize {argv}")
        check(step_env.get("GITHUB_TOKEN") == "TOKEN", "the token input is not GITHUB_TOKEN")


TESTS = {"pre-commit": test_pre_commit, "wheel": test_wheel, "action": test_action}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--only", default=",".join(TESTS), help="comma-separated: " + ", ".join(TESTS))
    options = parser.parse_args()
    unknown = set(options.only.split(",")) - set(TESTS)
    if unknown:
        parser.error(f"unknown tests: {', '.join(sorted(unknown))}")
    missing = [tool for tool in ["git", "cargo", "bash"] if shutil.which(tool) is None]
    if missing:
        print(f"FAILED: not on PATH: {', '.join(missing)}\n0 passed, 1 failed")
        return 1
    version = cargo_version()
    work = Path(tempfile.mkdtemp(prefix="hybridize-packaging-"))
    print(f"work folder: {work}", file=sys.stderr)
    try:
        env = build_env(work)
        selected = [name for name in TESTS if name in options.only.split(",")]
        repo = clean_repository(work, env, version, backdate=selected[:1] == ["pre-commit"])
        for name in selected:
            print(f"\n-- {name}", file=sys.stderr, flush=True)
            started = time.monotonic()
            try:
                TESTS[name](work, env, repo, version)
            except Failure as err:
                failed.append(name)
                print(f"FAILED {name}: {err}", file=sys.stderr)
            else:
                passed.append(name)
                print(f"ok {name} ({time.monotonic() - started:.0f} s)", file=sys.stderr)
    finally:
        if options.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"{len(passed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
