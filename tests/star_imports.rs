//! `from <module> import *` of a module of the run: `tf` it binds makes the
//! importer TensorFlow code, and functions it binds are project functions
//! (their effects reach their callers), also through a package that
//! re-exports a module with a star import. Only when exactly one file of
//! the run can be the module: two candidates, or none (a module outside
//! the run), bind nothing. Each snapshot is what a user sees: `check`, then
//! the diff of `fix --unsafe-fixes`.

use std::fs;
use std::path::Path;

use assert_cmd::Command;

fn write(dir: &Path, path: &str, text: &str) {
    let path = dir.join(path);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        write(dir.path(), path, text);
    }
    dir
}

fn run(dir: &Path, args: &[&str], second_look_all: bool) -> String {
    let mut command = Command::cargo_bin("hybridize").unwrap();
    command
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("HYBRIDIZE_SECOND_LOOK");
    if second_look_all {
        command.env("HYBRIDIZE_SECOND_LOOK", "all");
    }
    String::from_utf8(command.output().unwrap().stdout).unwrap()
}

/// What a user sees: the findings, then the diff. Also asserts that
/// looking at every file again with the whole run's facts changes nothing.
fn seen(dir: &Path) -> String {
    let check = ["check", "--output-format", "concise", "--exit-zero", "."];
    let findings = run(dir, &check, false);
    assert_eq!(findings, run(dir, &check, true), "second look");
    let diff = run(dir, &["fix", "--unsafe-fixes", "--exit-zero", "."], false);
    format!("{findings}----- hybridize fix --unsafe-fixes -----\n{diff}")
}

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false, omit_expression => true}, {
        insta::assert_snapshot!(name, text);
    });
}

const TRAIN: &str = "w = tf.Variable(tf.zeros([4, 1]))
optimizer = tf.keras.optimizers.SGD(learning_rate=0.1)


def train_step(x, y):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - y))
    grads = tape.gradient(loss, [w])
    optimizer.apply_gradients(zip(grads, [w]))
    return loss


x = tf.ones([8, 4])
y = tf.ones([8, 1])
for _ in range(10):
    train_step(x, y)
";

#[test]
fn tf_from_a_star_import_of_a_project_module_is_tensorflow() {
    let train = format!("from common import *\n\n{TRAIN}");
    let dir = project(&[
        ("common.py", "import tensorflow as tf\n"),
        ("train.py", &train),
    ]);
    let out = seen(dir.path());
    assert!(out.contains("train.py:7:5: HY001"), "{out}");
    snapshot("star_imports__tf_from_a_project_module", &out);
}

#[test]
fn a_star_import_two_modules_could_mean_binds_nothing() {
    // `common` is the package `a/common/` or `b/common/`: which one depends
    // on `sys.path`, which the analysis does not know.
    let train = format!("from common import *\n\n{TRAIN}");
    let dir = project(&[
        ("a/common/__init__.py", "import tensorflow as tf\n"),
        ("b/common/__init__.py", "import tensorflow as tf\n"),
        ("train.py", &train),
    ]);
    let out = seen(dir.path());
    assert!(!out.contains("train.py"), "{out}");
    snapshot("star_imports__two_modules_could_be_meant", &out);
}

#[test]
fn a_star_import_of_a_module_outside_the_run_binds_nothing() {
    let train = format!("from tf_setup import *\n\n{TRAIN}");
    let dir = project(&[("train.py", &train)]);
    let out = seen(dir.path());
    assert!(!out.contains("train.py"), "{out}");
    snapshot("star_imports__module_outside_the_run", &out);
}

#[test]
fn functions_from_a_relative_star_import_are_project_functions() {
    let dir = project(&[
        ("pkg/__init__.py", ""),
        (
            "pkg/helpers.py",
            "import tensorflow as tf\n\nhistory = []\n\n\ndef scale(x):\n    return x * 2.0\n\n\ndef record(x):\n    history.append(x)\n    return x\n",
        ),
        (
            "pkg/train.py",
            "import tensorflow as tf\nfrom .helpers import *\n\n\ndef clean_step(x):\n    return tf.nn.relu(scale(x))\n\n\ndef logged_step(x):\n    return record(tf.nn.relu(x) * x + 1.0)\n\n\nfor _ in range(10):\n    clean_step(tf.ones([2]))\n    logged_step(tf.ones([2]))\n",
        ),
    ]);
    let out = seen(dir.path());
    // Not unknown callees: `scale` is pure, `record`'s side effect is
    // reported with its line in the other file.
    assert!(!out.contains("HY110"), "{out}");
    assert!(out.contains("pkg/train.py:5:5: HY001"), "{out}");
    assert!(
        out.contains("HY101 `logged_step` calls `record` at line 10, which mutates the global `history` (`.append`) at line 11 of pkg/helpers.py"),
        "{out}"
    );
    snapshot("star_imports__relative_functions", &out);
}

#[test]
fn functions_a_package_re_exports_with_a_star_import_are_project_functions() {
    // `ops.modal_dot` is defined in `pkg/ops/matmul.py` and reached through
    // `from .matmul import *` in `pkg/ops/__init__.py`, which itself never
    // names TensorFlow.
    let dir = project(&[
        ("pkg/__init__.py", ""),
        ("pkg/ops/__init__.py", "from .matmul import *\n"),
        (
            "pkg/ops/matmul.py",
            "import tensorflow as tf\n\n\ndef modal_dot(a, b):\n    return tf.matmul(a, b)\n",
        ),
        (
            "app.py",
            "import tensorflow as tf\nfrom pkg import ops\n\n\ndef step(x, w):\n    return tf.nn.relu(ops.modal_dot(x, w))\n\n\nfor _ in range(10):\n    step(tf.ones([2, 2]), tf.ones([2, 2]))\n",
        ),
    ]);
    let out = seen(dir.path());
    assert!(!out.contains("HY110"), "{out}");
    assert!(out.contains("app.py:5:5: HY001"), "{out}");
    snapshot("star_imports__package_re_export", &out);
}
