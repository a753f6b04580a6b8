//! Effects and call sites across the modules of one run: a callee's side
//! effect in another file refuses its caller; a clean callee in another
//! file lets it convert; a callee outside the run is an unknown callee.

use std::fs;
use std::path::Path;

use assert_cmd::Command;

fn write(dir: &Path, path: &str, text: &str) {
    let path = dir.join(path);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "pkg/__init__.py", "");
    write(
        dir.path(),
        "pkg/helpers.py",
        "history = []\n\n\ndef record(value):\n    history.append(value)\n",
    );
    write(
        dir.path(),
        "pkg/ops.py",
        "import tensorflow as tf\n\n\ndef dense(x, w):\n    return tf.matmul(x, w)\n",
    );
    write(
        dir.path(),
        "train.py",
        "import tensorflow as tf\nfrom pkg.helpers import record\nimport pkg.ops as ops\n\nw = tf.ones([4, 4])\n\n\ndef step_logged(x):\n    y = ops.dense(x, w)\n    record(y)\n    return y\n\n\ndef step_clean(x):\n    return ops.dense(x, w)\n\n\nx = tf.ones([2, 4])\nfor _ in range(10):\n    step_logged(x)\n    step_clean(x)\n",
    );
    dir
}

fn check(dir: &Path, args: &[&str]) -> (String, i32) {
    let output = Command::cargo_bin("hybridize")
        .unwrap()
        .current_dir(dir)
        .arg("check")
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        String::from_utf8(output.stdout).unwrap(),
        output.status.code().unwrap(),
    )
}

#[test]
fn a_side_effect_in_another_module_refuses_the_caller() {
    let dir = project();
    let (out, code) = check(dir.path(), &["--output-format", "concise", "."]);
    assert!(
        out.contains("train.py:8:5: HY101 `step_logged` calls `record` at line 10, which mutates the global `history` (`.append`) at line 5 of pkg/helpers.py"),
        "{out}"
    );
    assert!(out.contains("train.py:14:5: HY001"), "{out}");
    assert_eq!(code, 1, "{out}");
}

#[test]
fn a_callee_outside_the_run_is_unknown() {
    let dir = project();
    let (out, code) = check(dir.path(), &["--output-format", "concise", "train.py"]);
    assert!(
        out.contains("HY110 `step_clean` calls `pkg.ops.dense` at line 15"),
        "{out}"
    );
    assert!(!out.contains("HY001"), "{out}");
    // Refusals are informational: they alone do not fail `check`.
    assert_eq!(code, 0, "{out}");
}

#[test]
fn refusals_are_in_json_with_their_function_and_no_fix() {
    let dir = project();
    let (out, _) = check(dir.path(), &["--output-format", "json", "."]);
    let findings: serde_json::Value = serde_json::from_str(&out).unwrap();
    let refusal = findings
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "HY101")
        .expect("a HY101 finding");
    assert_eq!(refusal["function"], "step_logged");
    assert!(refusal["fix"].is_null());
}

#[test]
fn the_fix_decorates_only_the_clean_step_and_explain_knows_refusals() {
    let dir = project();
    let output = Command::cargo_bin("hybridize")
        .unwrap()
        .current_dir(dir.path())
        .args(["fix", "."])
        .output()
        .unwrap();
    let diff = String::from_utf8(output.stdout).unwrap();
    assert!(
        diff.contains("+@tf.function\n def step_clean(x):"),
        "{diff}"
    );
    assert_eq!(diff.matches("+@tf.function").count(), 1, "{diff}");
    let explain = Command::cargo_bin("hybridize")
        .unwrap()
        .args(["explain", "HY101"])
        .output()
        .unwrap();
    assert!(String::from_utf8(explain.stdout)
        .unwrap()
        .starts_with("# HY101 python-side-effect"));
}
