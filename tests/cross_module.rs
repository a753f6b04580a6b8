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
    // `step_clean` does no tensor work the analysis can see: its refusal is
    // printed on request.
    let (out, code) = check(
        dir.path(),
        &["--output-format", "concise", "--show-refusals", "train.py"],
    );
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

/// A package whose modules import each other relatively: `from . import m`,
/// `from .m import f`, `from ..m import f`, and from an `__init__.py`.
fn relative_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "pkg/utils.py",
        "counter = 0\n\n\ndef bump(x):\n    global counter\n    counter += 1\n    return x\n\n\ndef scale(x):\n    return x * 2.0\n",
    );
    write(
        dir.path(),
        "pkg/train.py",
        "import tensorflow as tf\nfrom . import utils\nfrom .utils import scale\n\n\ndef step_logged(x):\n    y = tf.square(x)\n    return utils.bump(y)\n\n\ndef step_clean(x):\n    return scale(tf.square(x))\n\n\nx = tf.ones([2])\nfor _ in range(3):\n    step_logged(x)\n    step_clean(x)\n",
    );
    write(
        dir.path(),
        "pkg/sub/deep.py",
        "import tensorflow as tf\nfrom ..utils import bump, scale\n\n\ndef deep_clean(x):\n    return scale(tf.square(x))\n\n\ndef deep_logged(x):\n    return bump(tf.square(x))\n\n\nfor _ in range(3):\n    deep_clean(tf.ones([2]))\n    deep_logged(tf.ones([2]))\n",
    );
    write(
        dir.path(),
        "pkg/__init__.py",
        "import tensorflow as tf\nfrom .utils import scale\n\n\ndef init_step(x):\n    return scale(tf.square(x))\n\n\nfor _ in range(3):\n    init_step(tf.ones([2]))\n",
    );
    dir
}

#[test]
fn effects_propagate_through_relative_imports() {
    let dir = relative_project();
    let (out, _) = check(
        dir.path(),
        &["--output-format", "concise", "--show-refusals", "."],
    );
    // A helper in a sibling module that writes a global refuses its caller,
    // with the culprit's line in the other file.
    assert!(
        out.contains("pkg/train.py:6:5: HY101 `step_logged` calls `bump` at line 8, which writes to the global `counter` at line 6 of pkg/utils.py"),
        "{out}"
    );
    assert!(
        out.contains("pkg/sub/deep.py:9:5: HY101 `deep_logged` calls `bump` at line 10, which writes to the global `counter` at line 6 of pkg/utils.py"),
        "{out}"
    );
    // A pure helper lets the caller convert, from a module, a subpackage
    // (`..`) and an `__init__.py`.
    assert!(out.contains("pkg/train.py:11:5: HY001"), "{out}");
    assert!(out.contains("pkg/sub/deep.py:5:5: HY001"), "{out}");
    assert!(out.contains("pkg/__init__.py:5:5: HY001"), "{out}");
    assert!(!out.contains("HY110"), "{out}");
}

#[test]
fn a_relative_import_outside_the_run_is_unknown() {
    let dir = relative_project();
    let (out, _) = check(
        dir.path(),
        &[
            "--output-format",
            "concise",
            "--show-refusals",
            "pkg/train.py",
        ],
    );
    assert!(
        out.contains("HY110 `step_clean` calls `pkg.utils.scale` at line 12"),
        "{out}"
    );
    assert!(!out.contains("HY001"), "{out}");
}

/// Classes whose bases are project classes of another module.
fn inheritance_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "pkg/__init__.py", "");
    write(
        dir.path(),
        "pkg/layers.py",
        "import tensorflow as tf\nfrom tensorflow.keras.layers import Layer\n\n\nclass Base(tf.keras.layers.Layer):\n    def project(self, x):\n        return tf.nn.relu(x)\n\n    def logged(self, x):\n        self.calls += 1\n        return x\n\n\nclass Plain:\n    def scale(self, x):\n        return x * 2.0\n\n\nclass Mid(Plain):\n    pass\n\n\nclass Extra:\n    pass\n\n\nclass Two(Plain, Extra):\n    pass\n\n\nclass Core(tf.Module):\n    pass\n",
    );
    write(
        dir.path(),
        "pkg/model.py",
        "import tensorflow as tf\nfrom .layers import Base, Core, Layer, Mid, Plain, Two\n\n\nclass Block(Base):\n    def __init__(self):\n        super().__init__()\n        self.dense = tf.keras.layers.Dense(4)\n\n    def call(self, x):\n        return self.project(self.dense(x))\n\n\nclass Noisy(Base):\n    def call(self, x):\n        return self.logged(tf.square(x))\n\n\nclass Direct(Layer):\n    def __init__(self):\n        super().__init__()\n        self.dense = tf.keras.layers.Dense(4)\n\n    def call(self, x):\n        return self.dense(x)\n\n\nclass Helper(Plain):\n    def step(self, x):\n        return self.scale(tf.square(x))\n\n\nclass Inherits(Mid):\n    def step(self, x):\n        return self.scale(tf.square(x))\n\n\nclass Ambiguous(Two):\n    def step(self, x):\n        return self.scale(tf.square(x))\n\n\nh = Helper()\ni = Inherits()\na = Ambiguous()\nfor _ in range(3):\n    h.step(tf.ones([2]))\n    i.step(tf.ones([2]))\n    a.step(tf.ones([2]))\n\n\nclass Noisier(Base):\n    def step(self, x):\n        return self.logged(tf.square(x))\n\n\nclass Net(Core):\n    def __call__(self, x):\n        return tf.nn.relu(tf.matmul(x, x)) * 2.0\n\n\nn = Noisier()\nfor _ in range(3):\n    n.step(tf.ones([2]))\n",
    );
    dir
}

#[test]
fn tf_bases_in_other_modules_make_tf_classes() {
    let dir = inheritance_project();
    let (out, _) = check(
        dir.path(),
        &["--output-format", "concise", "--show-refusals", "."],
    );
    // The forward pass of a `tf.Module` is a candidate through a project
    // base class ...
    assert!(
        out.contains(
            "pkg/model.py:58:9: HY001 `Net.__call__` is the forward pass of a `tf.Module` class"
        ),
        "{out}"
    );
    // ... while Keras traces the `call` of a layer (through a project base
    // class, or a Keras class imported by way of another module) itself.
    assert!(!out.contains(".call`"), "{out}");
    // A method inherited from the base is found, with its effects.
    assert!(
        out.contains("pkg/model.py:53:9: HY101 `Noisier.step` calls `Base.logged` at line 54, which writes to `self.calls` at line 10 of pkg/layers.py"),
        "{out}"
    );
    assert!(
        // Safe: tensors in and out, and no Python state of `self` read.
        out.contains("pkg/model.py:29:9: HY001 [*] `Helper.step` is called in a loop"),
        "{out}"
    );
    // Through a chain of single bases in the other module, too ...
    assert!(
        out.contains("pkg/model.py:34:9: HY001 [*] `Inherits.step` is called in a loop"),
        "{out}"
    );
    // ... but not past a class with two bases: either may define it.
    assert!(
        out.contains(
            "pkg/model.py:39:9: HY110 `Ambiguous.step` calls `pkg.layers.Two.scale` at line 40"
        ),
        "{out}"
    );
    assert_eq!(out.matches("HY110").count(), 1, "{out}");
}

#[test]
fn bases_outside_the_run_stay_unknown() {
    let dir = inheritance_project();
    let (out, _) = check(
        dir.path(),
        &[
            "--output-format",
            "concise",
            "--show-refusals",
            "pkg/model.py",
        ],
    );
    // Without the base's module, `Block` is not known to be a Keras class
    // and the inherited method is an unknown callee.
    assert!(!out.contains("HY001"), "{out}");
    assert!(
        out.contains("HY110 `Helper.step` calls `pkg.layers.Plain.scale` at line 30"),
        "{out}"
    );
}

/// Modules that never import TensorFlow are not parsed for findings, but
/// are read when a module that does uses what they define.
fn plain_modules_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    // A package that re-exports a `tf.Module` without importing TensorFlow.
    write(dir.path(), "pkg/__init__.py", "from .base import Base\n");
    write(
        dir.path(),
        "pkg/base.py",
        "import tensorflow as tf\n\n\nclass Base(tf.Module):\n    pass\n",
    );
    // A chain of helpers without TensorFlow; mentions of other names that
    // contain it do not make a module a TensorFlow module.
    write(
        dir.path(),
        "pkg/chain.py",
        "# pylint: disable=g-direct-tensorflow-import\nimport tensorflow_probability as tfp\nfrom .deep import bump\n\n\ndef relay(x):\n    return bump(x)\n",
    );
    write(
        dir.path(),
        "pkg/deep.py",
        "counter = 0\n\n\ndef bump(x):\n    global counter\n    counter += 1\n    return x\n",
    );
    write(
        dir.path(),
        "train.py",
        "import tensorflow as tf\nimport pkg\nfrom pkg.chain import relay\n\n\nclass Block(pkg.Base):\n    def __call__(self, x):\n        return tf.nn.relu(x) * 2.0 + 1.0\n\n\ndef step(x):\n    return relay(tf.square(x))\n\n\nfor _ in range(3):\n    step(tf.ones([2]))\n",
    );
    dir
}

#[test]
fn modules_without_tensorflow_are_read_when_their_names_are_used() {
    let dir = plain_modules_project();
    let (out, _) = check(
        dir.path(),
        &["--output-format", "concise", "--show-refusals", "."],
    );
    // The base class is found through a package that only re-exports it ...
    assert!(
        out.contains("train.py:7:9: HY001 `Block.__call__` is the forward pass"),
        "{out}"
    );
    // ... and the effect through two modules that never import TensorFlow.
    assert!(
        out.contains("train.py:11:5: HY101 `step` calls `relay` at line 12, which (through `bump`) writes to the global `counter` at line 6 of pkg/deep.py"),
        "{out}"
    );
    // Nothing is reported in the modules without TensorFlow themselves.
    assert!(!out.contains("pkg/chain.py:"), "{out}");
    assert!(!out.contains("pkg/deep.py:"), "{out}");
}

#[test]
fn selecting_one_code_reports_what_the_whole_run_reports_for_it() {
    // `step` is refused on its own (its callee is in another file) and
    // converted once the run sees the callee is pure: `--select HY001`
    // must not hide that, although the refusal it starts from is not
    // selected.
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "helpers.py",
        "def scale(x):\n    return x * 2.0\n",
    );
    write(
        dir.path(),
        "model.py",
        "import tensorflow as tf\nfrom helpers import scale\n\n\ndef step(x):\n    return scale(tf.square(x))\n\n\nfor _ in range(3):\n    step(tf.ones([2]))\n",
    );
    let expected = "model.py:5:5: HY001 [*] `step` is called in a loop";
    let (all, _) = check(
        dir.path(),
        &["--output-format", "concise", "--show-refusals", "."],
    );
    assert!(all.contains(expected), "{all}");
    let (selected, _) = check(
        dir.path(),
        &[
            "--output-format",
            "concise",
            "--show-refusals",
            "--select",
            "HY001",
            ".",
        ],
    );
    assert!(selected.contains(expected), "{selected}");
    let (alone, _) = check(
        dir.path(),
        &["--output-format", "concise", "--show-refusals", "model.py"],
    );
    assert!(
        alone.contains("HY110 `step` calls `helpers.scale`"),
        "{alone}"
    );
}

#[test]
fn a_project_module_does_not_stand_for_an_installed_package_of_the_same_name() {
    // `pkg/h5py.py` is `pkg.h5py`: in `app/train.py`, `import h5py` is the
    // installed h5py, whose `save` writes a file, not the project's pure
    // `save`. Taking one for the other would offer a safe fix that drops
    // the writes after the first trace.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "pkg/__init__.py", "");
    write(dir.path(), "pkg/h5py.py", "def save(x):\n    return x\n");
    let train = "import tensorflow as tf\nimport h5py\n\n\ndef step(x):\n    y = tf.square(x)\n    h5py.save(y)\n    return y\n\n\nfor _ in range(3):\n    step(tf.ones([2]))\n";
    write(dir.path(), "app/train.py", train);
    let (out, _) = check(
        dir.path(),
        &["--output-format", "concise", "--show-refusals", "."],
    );
    assert!(
        out.contains("app/train.py:5:5: HY110 `step` calls `h5py.save` at line 7"),
        "{out}"
    );
    assert!(!out.contains("HY001"), "{out}");
    // A script next to it does import it by that name.
    write(dir.path(), "pkg/run.py", train);
    let (out, _) = check(
        dir.path(),
        &["--output-format", "concise", "--show-refusals", "."],
    );
    assert!(out.contains("pkg/run.py:5:5: HY001"), "{out}");
    assert!(out.contains("app/train.py:5:5: HY110"), "{out}");
}

#[test]
fn a_package_module_answers_to_its_full_name_from_anywhere() {
    // `lib/pkg/ops.py` is `pkg.ops` wherever it is imported from (its
    // package is installed or on the path), even in `app/`, which is not
    // under `lib/`.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "lib/pkg/__init__.py", "");
    write(
        dir.path(),
        "lib/pkg/ops.py",
        "import tensorflow as tf\n\n\ndef dense(x, w):\n    return tf.matmul(x, w)\n",
    );
    write(
        dir.path(),
        "app/train.py",
        "import tensorflow as tf\nimport pkg.ops\n\nw = tf.ones([4, 4])\n\n\ndef step(x):\n    return pkg.ops.dense(x, w)\n\n\nfor _ in range(3):\n    step(tf.ones([2, 4]))\n",
    );
    let (out, _) = check(dir.path(), &["--output-format", "concise", "."]);
    assert!(out.contains("app/train.py:7:5: HY001"), "{out}");
    assert!(!out.contains("HY110"), "{out}");
}

/// `compute`, called once: from the top level of another module.
fn called_once_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "pkg/__init__.py", "");
    write(
        dir.path(),
        "pkg/ops.py",
        "import tensorflow as tf\n\n\ndef compute(x):\n    return tf.reduce_sum(x * 2)\n",
    );
    write(
        dir.path(),
        "app.py",
        "import tensorflow as tf\nfrom pkg.ops import compute\n\nx = tf.constant([1.0])\nprint(compute(x))\n",
    );
    dir
}

#[test]
fn a_function_called_once_from_another_modules_top_level_is_explained() {
    // `compute` is no candidate in its own module (nothing calls it there);
    // the run shows its one call, at the top level of another module. The
    // same code in one file gets HY112; so must the project.
    let dir = called_once_project();
    let (out, _) = check(dir.path(), &["--output-format", "concise", "."]);
    assert!(
        out.contains(
            "pkg/ops.py:4:5: HY112 `compute` is called once (line 5 of app.py): tracing would cost more than it saves"
        ),
        "{out}"
    );
}

#[test]
fn looking_again_only_where_other_modules_matter_loses_nothing() {
    // The run checks a file a second time only when facts from other
    // modules can change its report; checking every file again must report
    // exactly the same, on each project above.
    let projects = [
        project(),
        relative_project(),
        inheritance_project(),
        plain_modules_project(),
        called_once_project(),
    ];
    for dir in &projects {
        let run = |all: bool| {
            let mut command = Command::cargo_bin("hybridize").unwrap();
            command
                .current_dir(dir.path())
                .args(["check", "--output-format", "json", "."]);
            if all {
                command.env("HYBRIDIZE_SECOND_LOOK", "all");
            }
            String::from_utf8(command.output().unwrap().stdout).unwrap()
        };
        let (shortcut, every) = (run(false), run(true));
        assert!(shortcut.contains("\"code\""), "{shortcut}");
        assert_eq!(shortcut, every, "in {}", dir.path().display());
    }
}

/// A package whose graph step calls a public and a private graph function
/// of another module.
fn redundant_decorators_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "pkg/__init__.py", "");
    write(
        dir.path(),
        "pkg/ops.py",
        "import tensorflow as tf\n\n\n@tf.function\ndef dense(x, w):\n    return tf.matmul(x, w)\n\n\n@tf.function\ndef _bias(x):\n    return x + 1.0\n",
    );
    write(
        dir.path(),
        "pkg/train.py",
        "import tensorflow as tf\nfrom pkg.ops import dense, _bias\n\nw = tf.ones([4, 4])\n\n\n@tf.function\ndef step(x):\n    return _bias(dense(x, w))\n\n\nfor _ in range(3):\n    step(tf.ones([2, 4]))\n",
    );
    dir
}

#[test]
fn a_public_library_function_keeps_its_decorator_when_only_graphs_call_it() {
    let dir = redundant_decorators_project();
    let (out, _) = check(
        dir.path(),
        &["--select", "HY020", "--output-format", "concise", "."],
    );
    // Every caller in the run is a graph function: the private helper's
    // decorator only adds a trace; the public `dense` may be called
    // eagerly by code outside the run.
    assert!(
        out.contains("pkg/ops.py:10:5: HY020 `_bias` runs only where graph functions call it (such as `step`)"),
        "{out}"
    );
    assert!(!out.contains("`dense`"), "{out}");
    // Outside a package, every caller of a public function is in the run.
    fs::remove_file(dir.path().join("pkg/__init__.py")).unwrap();
    let (out, _) = check(
        dir.path(),
        &["--select", "HY020", "--output-format", "concise", "."],
    );
    assert!(
        out.contains("`dense` runs only where graph functions call it"),
        "{out}"
    );
}

/// A trainer class in one module keeps what its constructor is given;
/// scripts in another module construct it with functions of a third.
fn constructor_project(loss: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "pkg/__init__.py", "");
    write(
        dir.path(),
        "pkg/trainer.py",
        "import tensorflow as tf\n\n\nclass Trainer:\n    def __init__(self, model, loss_fn):\n        self.model = model\n        self.loss = loss_fn\n\n    def step(self, x, y):\n        return self.loss(y, self.model(x)) + tf.reduce_sum(x) * 0.0\n",
    );
    write(dir.path(), "pkg/losses.py", loss);
    write(
        dir.path(),
        "train.py",
        "import tensorflow as tf\nfrom pkg.losses import mse\nfrom pkg.trainer import Trainer\n\nmodel = tf.keras.Sequential([tf.keras.layers.Dense(1)])\ntrainer = Trainer(model, loss_fn=mse)\nfor _ in range(10):\n    trainer.step(tf.ones([2, 3]), tf.ones([2, 1]))\n",
    );
    dir
}

#[test]
fn an_attribute_holds_what_constructions_in_other_modules_pass() {
    let pure = "import tensorflow as tf\n\n\ndef mse(y, p):\n    return tf.reduce_mean(tf.square(y - p))\n";
    let dir = constructor_project(pure);
    let (out, _) = check(dir.path(), &["--output-format", "concise", "."]);
    assert!(
        out.contains("pkg/trainer.py:9:9: HY001 `Trainer.step` is called in a loop"),
        "{out}"
    );
    // What the function passed does is what calling the attribute does.
    let logged = "import tensorflow as tf\n\nhistory = []\n\n\ndef mse(y, p):\n    history.append(y)\n    return tf.reduce_mean(tf.square(y - p))\n";
    let dir = constructor_project(logged);
    let (out, _) = check(
        dir.path(),
        &["--output-format", "concise", "--show-refusals", "."],
    );
    assert!(
        out.contains("HY101 `Trainer.step` calls `mse` at line 10, which mutates the global `history` (`.append`) at line 7 of pkg/losses.py"),
        "{out}"
    );
    assert!(!out.contains("HY001"), "{out}");
}

#[test]
fn an_attribute_no_construction_in_the_run_tells_stays_unknown() {
    let dir = constructor_project("");
    fs::remove_file(dir.path().join("train.py")).unwrap();
    write(
        dir.path(),
        "run.py",
        "import tensorflow as tf\n\n\ndef run(trainer):\n    for _ in range(10):\n        trainer.step(tf.ones([2, 3]), tf.ones([2, 1]))\n",
    );
    let (out, _) = check(
        dir.path(),
        &["--output-format", "concise", "--candidates", "all", "."],
    );
    assert!(
        out.contains(
            "HY110 `Trainer.step` calls `self.loss` at line 10; the analysis cannot see into it"
        ),
        "{out}"
    );
}

/// A private graph function of one module, called only by an eager step
/// of another that HY001 decorates.
fn once_decorated_project(step_body: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "pkg/__init__.py", "");
    write(
        dir.path(),
        "pkg/ops.py",
        "import tensorflow as tf\n\n\n@tf.function\ndef _bias(x):\n    return x + 1.0\n",
    );
    write(
        dir.path(),
        "pkg/train.py",
        &format!("import tensorflow as tf\nfrom pkg.ops import _bias\n\n\ndef step(x):\n{step_body}    return tf.reduce_sum(_bias(x))\n\n\nfor _ in range(3):\n    step(tf.ones([2, 4]))\n"),
    );
    dir
}

fn fix(dir: &Path, args: &[&str]) -> String {
    let output = Command::cargo_bin("hybridize")
        .unwrap()
        .current_dir(dir)
        .arg("fix")
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    String::from_utf8(output.stdout).unwrap() + &String::from_utf8(output.stderr).unwrap()
}

#[test]
fn a_decorator_that_hy001_makes_redundant_goes_in_the_same_run() {
    let dir = once_decorated_project("");
    let (out, _) = check(dir.path(), &["--output-format", "concise", "."]);
    assert!(
        out.contains("pkg/ops.py:5:5: HY020 `_bias` will run only where graph functions call it once `step` is decorated (HY001)"),
        "{out}"
    );
    assert!(out.contains("pkg/train.py:5:5: HY001"), "{out}");
    // `fix` applies what `check` reported, and a second run has nothing.
    let written = fix(dir.path(), &["--unsafe-fixes", "--write", "."]);
    assert!(written.contains("Applied 2 fixes to 2 files."), "{written}");
    let ops = fs::read_to_string(dir.path().join("pkg/ops.py")).unwrap();
    assert!(!ops.contains("@tf.function"), "{ops}");
    let again = fix(dir.path(), &["--unsafe-fixes", "."]);
    assert!(again.contains("No changes."), "{again}");
    // Without the unsafe fixes, HY001 alone is applied and HY020 waits for
    // `--unsafe-fixes`: still nothing new on a second run.
    let dir = once_decorated_project("");
    fix(dir.path(), &["--write", "."]);
    let again = fix(dir.path(), &["."]);
    assert!(again.contains("No changes."), "{again}");
    // In one file, as across files.
    let dir = tempfile::tempdir().unwrap();
    let ops = "import tensorflow as tf\n\n\n@tf.function\ndef _bias(x):\n    return x + 1.0\n";
    let train = fs::read_to_string(once_decorated_project("").path().join("pkg/train.py")).unwrap();
    let one = format!(
        "{ops}{}",
        train.replace("import tensorflow as tf\nfrom pkg.ops import _bias\n", "")
    );
    write(dir.path(), "train.py", &one);
    let (out, _) = check(dir.path(), &["--output-format", "concise", "train.py"]);
    assert!(
        out.contains("train.py:5:5: HY020 `_bias` will run only"),
        "{out}"
    );
    fix(dir.path(), &["--unsafe-fixes", "--write", "train.py"]);
    let fixed = fs::read_to_string(dir.path().join("train.py")).unwrap();
    assert_eq!(fixed.matches("@tf.function").count(), 1, "{fixed}");
    assert!(fixed.contains("@tf.function\ndef step(x):"), "{fixed}");
    let again = fix(dir.path(), &["--unsafe-fixes", "train.py"]);
    assert!(again.contains("No changes."), "{again}");
}

#[test]
fn a_caller_left_eager_keeps_the_decorator_cold_and_warm() {
    // A step HY001 does not decorate (its noqa, or a side effect): the
    // graph function keeps its decorator.
    let dir = once_decorated_project("");
    let train = dir.path().join("pkg/train.py");
    let text = fs::read_to_string(&train).unwrap();
    fs::write(
        &train,
        text.replace("def step(x):", "def step(x):  # noqa: HY001"),
    )
    .unwrap();
    let (out, _) = check(dir.path(), &["--output-format", "concise", "."]);
    assert!(!out.contains("HY020"), "{out}");
    // The cache: after an edit that makes the step print, a warm run says
    // what a cold one says.
    let dir = once_decorated_project("");
    let (cold_before, _) = check(dir.path(), &["--output-format", "concise", "."]);
    assert!(cold_before.contains("HY020"), "{cold_before}");
    let text = fs::read_to_string(dir.path().join("pkg/train.py")).unwrap();
    let edited = text.replace("def step(x):\n", "def step(x):\n    print(\"step\")\n");
    fs::write(dir.path().join("pkg/train.py"), &edited).unwrap();
    let (warm, _) = check(dir.path(), &["--output-format", "concise", "."]);
    let (cold, _) = check(
        dir.path(),
        &["--no-cache", "--output-format", "concise", "."],
    );
    assert_eq!(warm, cold);
    assert!(!cold.contains("HY020"), "{cold}");
}
