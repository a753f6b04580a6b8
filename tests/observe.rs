//! Observe, then decide: `hybridize trace` on a small project under real
//! TensorFlow (a training script and a pytest suite, in
//! `tests/observe/project/`), `--profile` on check and fix, and the
//! profile's bad inputs.
//!
//! The TensorFlow tests need the virtualenv `scripts/tf-venv.sh` builds,
//! with pytest: `HYBRIDIZE_TF_PYTHON` names its python (`scripts/test`
//! sets it, and then a missing one fails the tests); without it the
//! default place is tried, and the tests are skipped, saying why, when
//! nothing is there.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use assert_cmd::Command;

/// The TensorFlow tests share the machine with one another; the one that
/// compares running times has it alone, so that their runs are not in
/// its measurements.
static MACHINE: RwLock<()> = RwLock::new(());

fn sharing() -> RwLockReadGuard<'static, ()> {
    MACHINE.read().unwrap_or_else(PoisonError::into_inner)
}

fn alone() -> RwLockWriteGuard<'static, ()> {
    MACHINE.write().unwrap_or_else(PoisonError::into_inner)
}

fn hybridize(dir: &Path) -> Command {
    let mut command = Command::cargo_bin("hybridize").unwrap();
    command.current_dir(dir).env("NO_COLOR", "1");
    command
}

/// The TF virtualenv's `bin` directory, or `None` (with the reason
/// printed) when the tests may be skipped.
fn tf_bin() -> Option<PathBuf> {
    let required = std::env::var_os("HYBRIDIZE_TF_PYTHON");
    let python = required.clone().map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
            .join(".cache/hybridize/tf-venv/bin/python")
    });
    let bin = python.parent().unwrap().to_path_buf();
    let missing = if !python.exists() {
        Some(format!("{} does not exist", python.display()))
    } else if !bin.join("pytest").exists() {
        Some(format!("pytest is not installed in {}", bin.display()))
    } else {
        None
    };
    match (missing, required) {
        (None, _) => Some(bin),
        (Some(why), Some(_)) => panic!("HYBRIDIZE_TF_PYTHON is set but {why}"),
        (Some(why), None) => {
            eprintln!("skipped: {why} (scripts/tf-venv.sh builds it; `scripts/test` requires it)");
            None
        }
    }
}

/// A fresh copy of the observed project.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/observe/project");
    copy_dir(&source, dir.path());
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            if entry.file_name() == "__pycache__" || entry.file_name() == ".pytest_cache" {
                continue;
            }
            fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn with_path(command: &mut Command, bin: &Path) {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![bin.to_path_buf()];
    paths.extend(std::env::split_paths(&path));
    command
        .env("PATH", std::env::join_paths(paths).unwrap())
        .env("TF_CPP_MIN_LOG_LEVEL", "3");
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Traces `python train.py` in `dir` and returns the profile as JSON.
fn trace_training(dir: &Path, bin: &Path) -> serde_json::Value {
    let mut command = hybridize(dir);
    with_path(&mut command, bin);
    let output = command
        .args(["trace", "--", "python", "train.py"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(
        text(&output.stdout).contains("RESULT"),
        "{}",
        text(&output.stdout)
    );
    let profile = fs::read_to_string(dir.join("hybridize-profile.json")).unwrap();
    serde_json::from_str(&profile).unwrap()
}

fn entry<'p>(profile: &'p serde_json::Value, function: &str) -> &'p serde_json::Value {
    profile["functions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["function"] == function)
        .unwrap_or_else(|| panic!("no entry for {function} in {profile:#}"))
}

#[test]
fn the_profile_records_calls_shapes_and_traces_of_project_functions() {
    let Some(bin) = tf_bin() else { return };
    let _turn = sharing();
    let dir = project();
    let profile = trace_training(dir.path(), &bin);
    assert_eq!(profile["format"], "hybridize-profile");
    assert_eq!(profile["version"], 1);
    assert_eq!(profile["exit_status"], 0);
    // Three epochs of four batches; the batch dimension varies (32, then 4).
    let normalize = entry(&profile, "normalize");
    assert_eq!(normalize["file"], "model.py");
    assert_eq!(normalize["calls"], 12);
    assert_eq!(
        normalize["params"][0]["kinds"][0],
        serde_json::json!({"kind": "tensor", "dtype": "float32", "shape": [null, 4]})
    );
    // A graph function: its traces, and the signatures of its traces.
    let predict = entry(&profile, "predict");
    assert_eq!(predict["traces"], 2);
    assert_eq!(
        predict["params"][1]["kinds"][0]["shape"],
        serde_json::json!([null, 4])
    );
    // Scalars: the distinct values seen.
    let batches = entry(&profile, "batches");
    assert_eq!(
        batches["params"][1]["kinds"][0],
        serde_json::json!({"kind": "scalar", "type": "int", "values": ["32"]})
    );
    // Nothing of TensorFlow's own code, nor of the standard library.
    assert!(profile["functions"].as_array().unwrap().iter().all(|e| [
        "model.py",
        "train.py",
        "scale.py",
        "schedule.py"
    ]
    .contains(&e["file"].as_str().unwrap())));
}

#[test]
fn the_profile_makes_a_callback_helper_hot_and_gives_exact_signatures() {
    let Some(bin) = tf_bin() else { return };
    let _turn = sharing();
    let dir = project();
    trace_training(dir.path(), &bin);
    // Without the profile, `normalize` (called only through a callback) is
    // no candidate, and `predict`'s varying batch is not seen.
    let output = hybridize(dir.path()).args(["check", "."]).output().unwrap();
    let plain = text(&output.stdout);
    assert!(!plain.contains("`normalize`"), "{plain}");
    assert!(!plain.contains("HY003"), "{plain}");

    let output = hybridize(dir.path())
        .args(["check", "--profile", "hybridize-profile.json", "."])
        .output()
        .unwrap();
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    assert!(
        stdout.contains("HY001 `normalize` was called 12 times in the profiled run"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "HY003 graph function `predict` is traced again for every new shape of `x`: traced 2 times in the profiled run"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("HY112 `summary` is called once (in the profiled run)"),
        "{stdout}"
    );
    // Hot, but a new Python float at every call: left eager.
    assert!(
        stdout.contains("HY106 `decayed` received 16 or more different Python numbers for `rate` in the profiled run; each new value would retrace it"),
        "{stdout}"
    );
    // Every entry matches its source: the hashes of both sides agree.
    assert!(
        !text(&output.stderr).contains("note:"),
        "{}",
        text(&output.stderr)
    );

    let output = hybridize(dir.path())
        .args([
            "fix",
            "--unsafe-fixes",
            "--profile",
            "hybridize-profile.json",
            ".",
        ])
        .output()
        .unwrap();
    let diff = text(&output.stdout);
    assert!(
        diff.contains(
            "+@tf.function(input_signature=[tf.TensorSpec(shape=[None, 4], dtype=tf.float32)])\n def normalize(x):"
        ),
        "{diff}"
    );
    assert!(
        diff.contains(
            "+@tf.function(input_signature=[tf.TensorSpec(shape=[4, 1], dtype=tf.float32), tf.TensorSpec(shape=[None, 4], dtype=tf.float32)])\n def predict(w, x):"
        ),
        "{diff}"
    );
}

#[test]
fn a_stale_entry_is_ignored_with_a_note() {
    let Some(bin) = tf_bin() else { return };
    let _turn = sharing();
    let dir = project();
    trace_training(dir.path(), &bin);
    let model = dir.path().join("model.py");
    let changed = fs::read_to_string(&model)
        .unwrap()
        .replace("(std + 1e-6)", "(std + 1e-3)");
    fs::write(&model, changed).unwrap();
    let output = hybridize(dir.path())
        .args(["check", "--profile", "hybridize-profile.json", "."])
        .output()
        .unwrap();
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("note: the profile's entry for `normalize` (model.py:6) was ignored: the function changed since hybridize-profile.json was made"),
        "{stderr}"
    );
    assert_eq!(stderr.matches("note:").count(), 1, "{stderr}");
    // Its observations are gone; the others still count.
    let stdout = text(&output.stdout);
    assert!(!stdout.contains("`normalize`"), "{stdout}");
    assert!(
        stdout.contains("traced 2 times in the profiled run"),
        "{stdout}"
    );
}

#[test]
fn trace_passes_the_exit_status_through_and_runs_pytest() {
    let Some(bin) = tf_bin() else { return };
    let _turn = sharing();
    let dir = project();
    let mut command = hybridize(dir.path());
    with_path(&mut command, &bin);
    command
        .args(["trace", "--output", "exit.json", "--"])
        .args(["python", "-c", "import sys; sys.exit(3)"])
        .assert()
        .code(3);
    let profile: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.path().join("exit.json")).unwrap()).unwrap();
    assert_eq!(profile["exit_status"], 3);

    let mut command = hybridize(dir.path());
    with_path(&mut command, &bin);
    let output = command
        .args(["trace", "--output", "tests.json", "--"])
        .args(["pytest", "-q", "tests/test_model.py"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stdout));
    assert!(
        text(&output.stdout).contains("2 passed"),
        "{}",
        text(&output.stdout)
    );
    let profile: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.path().join("tests.json")).unwrap()).unwrap();
    assert_eq!(entry(&profile, "test_normalize_centres")["calls"], 1);
    assert_eq!(
        entry(&profile, "test_normalize_centres")["file"],
        "tests/test_model.py"
    );
    assert_eq!(entry(&profile, "normalize")["calls"], 1);
    // A failing test fails the trace the same way.
    fs::write(
        dir.path().join("tests/test_fails.py"),
        "def test_fails():\n    assert False\n",
    )
    .unwrap();
    let mut command = hybridize(dir.path());
    with_path(&mut command, &bin);
    command
        .args(["trace", "--output", "tests.json", "--"])
        .args(["pytest", "-q", "tests/test_model.py", "tests/test_fails.py"])
        .assert()
        .code(1);
}

#[test]
fn trace_says_when_another_tool_replaced_its_trace_function() {
    let Some(bin) = tf_bin() else { return };
    let _turn = sharing();
    let dir = tempfile::tempdir().unwrap();
    // As coverage or a debugger would: a trace function of its own.
    fs::write(
        dir.path().join("a.py"),
        "import sys\n\n\ndef f():\n    pass\n\n\nf()\nsys.settrace(lambda *a: None)\nf()\nf()\n",
    )
    .unwrap();
    let mut command = hybridize(dir.path());
    with_path(&mut command, &bin);
    let output = command
        .args(["trace", "--", "python", "a.py"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(
        text(&output.stderr).contains("hybridize trace: another tool (coverage, a debugger) replaced the trace function in this process; calls after that were not observed"),
        "{}",
        text(&output.stderr)
    );
    let profile: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(dir.path().join("hybridize-profile.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(entry(&profile, "f")["calls"], 1);
}

#[test]
fn a_command_that_is_not_found_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let output = hybridize(dir.path())
        .args(["trace", "--", "no-such-command-hybridize"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("`no-such-command-hybridize` not found"),
        "{}",
        text(&output.stderr)
    );
    assert!(!dir.path().join("hybridize-profile.json").exists());
}

#[test]
fn a_profile_that_cannot_be_read_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("a.py"),
        "import tensorflow as tf\n\n\ndef f(x):\n    return tf.exp(x)\n",
    )
    .unwrap();
    fs::write(dir.path().join("broken.json"), "{\"format\": ").unwrap();
    fs::write(
        dir.path().join("future.json"),
        r#"{"format": "hybridize-profile", "version": 2, "functions": []}"#,
    )
    .unwrap();
    fs::write(
        dir.path().join("other.json"),
        r#"{"format": "something-else", "version": 1}"#,
    )
    .unwrap();
    for (file, message) in [
        (
            "broken.json",
            "broken.json is not a profile: it is not valid JSON",
        ),
        (
            "future.json",
            "future.json is a profile of format version 2; this hybridize reads version 1",
        ),
        (
            "other.json",
            "other.json is not a profile: its `format` is not",
        ),
        ("missing.json", "cannot read the profile missing.json"),
    ] {
        for command in ["check", "fix"] {
            let output = hybridize(dir.path())
                .args([command, "--profile", file, "a.py"])
                .output()
                .unwrap();
            assert_eq!(output.status.code(), Some(2), "{command} {file}");
            assert!(
                text(&output.stderr).contains(message),
                "{command} {file}: {}",
                text(&output.stderr)
            );
        }
    }
}

#[test]
fn verify_keeps_what_passes_and_pays_off_and_drops_the_rest() {
    let Some(bin) = tf_bin() else { return };
    let _turn = alone();
    let dir = project();
    let mut command = hybridize(dir.path());
    with_path(&mut command, &bin);
    let output = command
        .args([
            "verify",
            "--unsafe-fixes",
            "--runs",
            "3",
            "--",
            "pytest",
            "-q",
            "tests",
        ])
        .output()
        .unwrap();
    let report = text(&output.stderr);
    let diff = text(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{report}");
    assert!(
        report.contains("Baseline: `pytest -q tests` passes"),
        "{report}"
    );
    // The good change: `loss_of` as a graph function.
    assert!(
        report.contains("  kept     model.py: HY001 `loss_of`: passes"),
        "{report}"
    );
    // The unsafe change the test catches (a global frozen at trace time).
    assert!(
        report.contains("  dropped  scale.py: HY001 `scaled`: the command fails with it:"),
        "{report}"
    );
    assert!(
        report.contains("| E           assert 3.0 == 5.0"),
        "{report}"
    );
    // The change that retraces on every new Python float.
    assert!(
        report.contains("  dropped  schedule.py: HY001 `decayed`: slower, "),
        "{report}"
    );
    assert!(report.contains("Kept 1 of 3 changed files: "), "{report}");
    assert!(report.contains(", speedup x"), "{report}");
    // The diff holds the kept change only; the tree is as it was.
    assert!(diff.contains("--- a/model.py\n+++ b/model.py"), "{diff}");
    assert!(
        diff.contains("+@tf.function\n def loss_of(w, x, y):"),
        "{diff}"
    );
    assert!(
        !diff.contains("scale.py") && !diff.contains("schedule.py"),
        "{diff}"
    );
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/observe/project");
    for file in ["model.py", "scale.py", "schedule.py"] {
        assert_eq!(
            fs::read_to_string(dir.path().join(file)).unwrap(),
            fs::read_to_string(source.join(file)).unwrap()
        );
    }
}

const GRAPH_PRINT: &str =
    "import tensorflow as tf\n\n\n@tf.function\ndef step(x):\n    print(\"x\", x)\n    return x\n";

#[test]
fn verify_writes_only_the_changes_with_which_the_command_passes() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.py"), GRAPH_PRINT).unwrap();
    fs::write(dir.path().join("b.py"), GRAPH_PRINT).unwrap();
    // The "test suite": fails once b.py is changed.
    let output = hybridize(dir.path())
        .args([
            "verify",
            "--unsafe-fixes",
            "--runs",
            "1",
            "--write",
            "--",
            "sh",
            "-c",
        ])
        .arg("! grep -q tf.print b.py")
        .output()
        .unwrap();
    let report = text(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{report}");
    assert!(
        report.contains("  kept     a.py: HY011 `step`: passes"),
        "{report}"
    );
    assert!(
        report.contains("  dropped  b.py: HY011 `step`: the command fails with it:"),
        "{report}"
    );
    assert!(fs::read_to_string(dir.path().join("a.py"))
        .unwrap()
        .contains("tf.print(\"x\", x)"));
    assert_eq!(
        fs::read_to_string(dir.path().join("b.py")).unwrap(),
        GRAPH_PRINT
    );
    let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 2, "{leftovers:?}");
}

#[test]
fn verify_changes_nothing_when_the_baseline_fails() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.py"), GRAPH_PRINT).unwrap();
    let output = hybridize(dir.path())
        .args([
            "verify",
            "--unsafe-fixes",
            "--write",
            "--",
            "sh",
            "-c",
            "echo no; exit 4",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let report = text(&output.stderr);
    assert!(
        report.contains("error: the baseline fails: `sh -c echo no; exit 4` fails on the project as it is, before any fix is applied; nothing was changed\nno\n(exit status 4)"),
        "{report}"
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("a.py")).unwrap(),
        GRAPH_PRINT
    );
    let output = hybridize(dir.path())
        .args([
            "verify",
            "--unsafe-fixes",
            "--",
            "no-such-command-hybridize",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("`no-such-command-hybridize` not found"),
        "{}",
        text(&output.stderr)
    );
}

const TWO_PRINTS: &str = "import tensorflow as tf\n\n\n@tf.function\ndef good(x):\n    print(\"good\", x)\n    return x\n\n\n@tf.function\ndef bad(x):\n    print(\"bad\", x)\n    return x\n";

#[test]
fn verify_splits_a_file_and_keeps_the_fixes_with_which_the_command_passes() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.py"), TWO_PRINTS).unwrap();
    // The "test suite": fails once `bad` prints with tf.print.
    let output = hybridize(dir.path())
        .args([
            "verify",
            "--unsafe-fixes",
            "--runs",
            "1",
            "--write",
            "--",
            "sh",
            "-c",
        ])
        .arg("! grep -q 'tf.print(\"bad\"' a.py || { echo 'bad prints in the graph'; exit 1; }")
        .output()
        .unwrap();
    let report = text(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{report}");
    assert!(
        report.contains("  split    a.py: HY011 `good`, HY011 `bad`: the command fails with them all; by fix (1 of 2 kept):\n    kept     HY011 `good`: passes, "),
        "{report}"
    );
    assert!(
        report.contains("    dropped  HY011 `bad`: the command fails with it:\n             | bad prints in the graph\n             | (exit status 1)\n"),
        "{report}"
    );
    assert!(
        report.contains("Kept 1 of 1 changed files (1 of 2 fixes): "),
        "{report}"
    );
    // Written: `good`'s fix, not `bad`'s.
    let written = fs::read_to_string(dir.path().join("a.py")).unwrap();
    assert_eq!(
        written,
        TWO_PRINTS.replace("print(\"good\"", "tf.print(\"good\"")
    );
}

#[test]
fn verify_compare_output_drops_a_change_that_alters_a_printed_number_beyond_rtol() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("near.py"), GRAPH_PRINT).unwrap();
    fs::write(dir.path().join("far.py"), GRAPH_PRINT).unwrap();
    // The "program": its printed loss moves a little with near.py's
    // change, a lot with far.py's; it passes either way.
    let script = "echo epoch 1; \
        if grep -q tf.print near.py; then echo loss 2.5000001e-01; else echo loss 0.25; fi; \
        if grep -q tf.print far.py; then echo acc 0.91; else echo acc 0.9; fi";
    let run = |extra: &[&str]| {
        let output = hybridize(dir.path())
            .args([
                "verify",
                "--unsafe-fixes",
                "--runs",
                "2",
                "--compare-output",
            ])
            .args(extra)
            .args(["--", "sh", "-c", script])
            .output()
            .unwrap();
        (
            output.status.code(),
            text(&output.stderr),
            text(&output.stdout),
        )
    };
    let (status, report, diff) = run(&[]);
    assert_eq!(status, Some(1), "{report}");
    assert!(
        report.contains("  kept     near.py: HY011 `step`: passes, "),
        "{report}"
    );
    assert!(
        report.contains("  dropped  far.py: HY011 `step`: the output differs with it, at line 3:\n           | baseline: acc 0.9\n           | with it:  acc 0.91\n"),
        "{report}"
    );
    assert!(
        diff.contains("+++ b/near.py") && !diff.contains("far.py"),
        "{diff}"
    );
    // A tighter tolerance drops the small difference too.
    let (status, report, _) = run(&["--rtol", "1e-9"]);
    assert_eq!(status, Some(0), "{report}");
    assert!(
        report.contains("  dropped  near.py: HY011 `step`: the output differs with it, at line 2:\n           | baseline: loss 0.25\n           | with it:  loss 2.5000001e-01\n"),
        "{report}"
    );
    // Without --compare-output, both pass.
    let output = hybridize(dir.path())
        .args([
            "verify",
            "--unsafe-fixes",
            "--runs",
            "1",
            "--",
            "sh",
            "-c",
            script,
        ])
        .output()
        .unwrap();
    assert!(
        text(&output.stderr).contains("Kept 2 of 2 changed files: "),
        "{}",
        text(&output.stderr)
    );
    // --rtol needs --compare-output.
    hybridize(dir.path())
        .args(["verify", "--rtol", "0.1", "--", "true"])
        .assert()
        .code(2);
}

#[test]
fn verify_compare_output_finds_the_fix_that_changes_a_printed_loss() {
    let Some(bin) = tf_bin() else { return };
    let _turn = alone();
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/observe/split"),
        dir.path(),
    );
    let mut command = hybridize(dir.path());
    with_path(&mut command, &bin);
    let output = command
        .args([
            "verify",
            "--unsafe-fixes",
            "--compare-output",
            "--runs",
            "2",
            "--",
            "python",
            "train.py",
        ])
        .output()
        .unwrap();
    let report = text(&output.stderr);
    let diff = text(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{report}");
    // Both fixes of ops.py at once change the output; by fix, the loss as
    // a graph function passes and pays off, and the shift, which freezes
    // the offset of its first trace, is the culprit.
    assert!(
        report.contains("  split    ops.py: HY001 `loss_of`, HY001 `shifted`: the output differs with them all, at line 2; by fix (1 of 2 kept):\n    kept     HY001 `loss_of`: passes, "),
        "{report}"
    );
    assert!(
        report.contains("    dropped  HY001 `shifted`: the output differs with it, at line 2:\n             | baseline: epoch 1 loss 0.631965\n             | with it:  epoch 1 loss 0.081932\n"),
        "{report}"
    );
    assert!(
        report.contains("Kept 1 of 1 changed files (1 of 2 fixes): "),
        "{report}"
    );
    assert!(
        diff.contains("+@tf.function\n def loss_of(x, y):") && !diff.contains("def shifted"),
        "{diff}"
    );
}
