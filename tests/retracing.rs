//! HY002–HY004 across the modules of one run: call sites in another module
//! count when joining argument shapes (HY003) and keep a call-site fix from
//! being offered when it cannot reach them (HY004).

use std::fs;
use std::path::Path;

use assert_cmd::Command;

fn write(dir: &Path, path: &str, text: &str) {
    let path = dir.join(path);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn check(dir: &Path, select: &str) -> String {
    let output = Command::cargo_bin("hybridize")
        .unwrap()
        .current_dir(dir)
        .args([
            "check",
            "--output-format",
            "concise",
            "--select",
            select,
            ".",
        ])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    String::from_utf8(output.stdout).unwrap()
}

fn fix(dir: &Path, select: &str) -> String {
    let output = Command::cargo_bin("hybridize")
        .unwrap()
        .current_dir(dir)
        .args(["fix", "--unsafe-fixes", "--select", select, "."])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    String::from_utf8(output.stdout).unwrap()
}

const MODEL: &str = "import tensorflow as tf\n\nw = tf.ones([4, 3])\n\n\n@tf.function\ndef forward(x):\n    return tf.matmul(x, w)\n\n\n@tf.function\ndef decay(step, x):\n    return x * tf.cast(step, tf.float32)\n\n\nfor _ in range(3):\n    forward(tf.ones([2, 4]))\n    forward(tf.ones([3, 4]))\n";

#[test]
fn a_call_site_in_another_module_gets_reduce_retracing_not_a_guessed_signature() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "model.py", MODEL);
    write(
        dir.path(),
        "train.py",
        "import tensorflow as tf\nfrom model import forward\n\nfor _ in range(3):\n    forward(tf.zeros([8, 4]))\n",
    );
    // The two modules pass different batch sizes: evidence of retracing.
    // `forward` may be called from code the run does not see, so no
    // signature guesses its shapes.
    let diff = fix(dir.path(), "HY003");
    assert!(
        diff.contains("-@tf.function\n+@tf.function(reduce_retracing=True)\n def forward(x):"),
        "{diff}"
    );
    assert!(!diff.contains("input_signature"), "{diff}");
}

#[test]
fn without_other_modules_nothing_varies_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "model.py",
        &MODEL.replace("    forward(tf.ones([3, 4]))\n", ""),
    );
    // `forward` is called with one shape only: it is never traced again.
    let out = check(dir.path(), "HY003");
    assert!(!out.contains("HY003"), "{out}");
}

#[test]
fn sizes_that_vary_within_one_module_keep_the_fixed_dimensions() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "model.py",
        &MODEL.replace(
            "for _ in range(3):\n    forward(tf.ones([2, 4]))\n",
            "for n in range(1, 4):\n    forward(tf.ones([n, 4]))\n",
        ),
    );
    let diff = fix(dir.path(), "HY003");
    assert!(
        diff.contains(
            "+@tf.function(input_signature=[tf.TensorSpec(shape=[None, 4], dtype=tf.float32)])"
        ),
        "{diff}"
    );
}

#[test]
fn a_python_counter_from_another_module_is_reported_without_a_fix() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "model.py", MODEL);
    write(
        dir.path(),
        "train.py",
        "import tensorflow as tf\nfrom model import decay\n\nx = tf.ones([2, 4])\nfor step in range(10):\n    x = decay(step, x)\n",
    );
    let out = check(dir.path(), "HY004");
    assert!(
        out.contains(
            "model.py:12:5: HY004 graph function `decay` receives a Python value for `step`"
        ),
        "{out}"
    );
    assert!(!out.contains("[*]"), "{out}");
}

#[test]
fn a_nested_graph_function_is_hoisted_once() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "step.py",
        "import tensorflow as tf\n\n\ndef step(x):\n    @tf.function\n    def inner(v):\n        return tf.tanh(v)\n\n    return inner(x)\n\n\nfor _ in range(3):\n    step(tf.ones([2]))\n",
    );
    let diff = fix(dir.path(), "HY002");
    assert!(
        diff.contains("+@tf.function\n def step(x):\n-    @tf.function\n"),
        "{diff}"
    );
}
