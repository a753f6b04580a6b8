//! The command line as users and scripts meet it: exit codes, diffs that
//! `git apply` accepts, `--write`, files that must survive byte for byte,
//! and files that cannot be checked among good ones.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use assert_cmd::Command;

const GRAPH_PRINT: &str =
    "import tensorflow as tf\n\n\n@tf.function\ndef step(x):\n    print(\"x\", x)\n    return x\n";
const FIXED_GRAPH_PRINT: &str =
    "import tensorflow as tf\n\n\n@tf.function\ndef step(x):\n    tf.print(\"x\", x)\n    return x\n";
const RELAX: &str = "import tensorflow as tf\n\n\n@tf.function(experimental_relax_shapes=True)\ndef f(x):\n    return x\n";
const CLEAN: &str =
    "import tensorflow as tf\n\n\n@tf.function(reduce_retracing=True)\ndef f(x):\n    return x\n";

fn hybridize(dir: &Path) -> Command {
    let mut command = Command::cargo_bin("hybridize").unwrap();
    command.current_dir(dir).env_remove("NO_COLOR");
    command
}

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    dir
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

#[test]
fn exit_codes_say_nothing_to_do_findings_or_error() {
    let dir = project(&[("clean.py", CLEAN), ("relax.py", RELAX)]);
    hybridize(dir.path())
        .args(["check", "clean.py"])
        .assert()
        .code(0);
    hybridize(dir.path())
        .args(["check", "relax.py"])
        .assert()
        .code(1);
    hybridize(dir.path())
        .args(["check", "--exit-zero", "relax.py"])
        .assert()
        .code(0);
    hybridize(dir.path())
        .args(["fix", "clean.py"])
        .assert()
        .code(0);
    hybridize(dir.path())
        .args(["fix", "relax.py"])
        .assert()
        .code(1);
    hybridize(dir.path())
        .args(["check", "--no-such-flag"])
        .assert()
        .code(2);
    hybridize(dir.path())
        .args(["check", "missing.py"])
        .assert()
        .code(2);
    hybridize(dir.path())
        .args(["check", "--select", "XY1"])
        .assert()
        .code(2);
    hybridize(dir.path())
        .args(["explain", "HY999"])
        .assert()
        .code(2);
}

#[test]
fn the_printed_diff_applies_with_git_apply_and_equals_write() {
    let files = [
        ("pkg/train.py", GRAPH_PRINT),
        ("relax.py", RELAX),
        ("clean.py", CLEAN),
    ];
    let diffed = project(&files);
    let written = project(&files);
    let git = |args: &[&str]| {
        let status = std::process::Command::new("git")
            .args(args)
            .current_dir(diffed.path())
            .output()
            .unwrap();
        assert!(
            status.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&status.stderr)
        );
    };
    git(&["init", "-q"]);
    let output = hybridize(diffed.path())
        .args(["fix", "--unsafe-fixes", "."])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let diff = stdout(&output);
    assert!(
        diff.contains("--- a/pkg/train.py\n+++ b/pkg/train.py\n"),
        "{diff}"
    );
    assert!(
        stderr(&output).contains("Would apply 2 fixes to 2 files."),
        "{}",
        stderr(&output)
    );
    fs::write(diffed.path().join("change.diff"), &diff).unwrap();
    git(&["apply", "change.diff"]);

    hybridize(written.path())
        .args(["fix", "--unsafe-fixes", "--write", "."])
        .assert()
        .code(1);
    for (name, _) in files {
        assert_eq!(
            fs::read_to_string(diffed.path().join(name)).unwrap(),
            fs::read_to_string(written.path().join(name)).unwrap(),
            "{name}"
        );
    }
    assert_eq!(
        fs::read_to_string(written.path().join("pkg/train.py")).unwrap(),
        FIXED_GRAPH_PRINT
    );
    // A second run has nothing left to do.
    hybridize(written.path())
        .args(["fix", "--unsafe-fixes", "."])
        .assert()
        .code(0)
        .stdout("");
}

#[test]
fn unsafe_fixes_need_the_flag() {
    let dir = project(&[("train.py", GRAPH_PRINT)]);
    let output = hybridize(dir.path())
        .args(["fix", "--write", "train.py"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stderr(&output).contains("`--unsafe-fixes` applies more"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("train.py")).unwrap(),
        GRAPH_PRINT
    );
}

#[test]
fn the_summary_names_the_command_that_applies_the_fixes_counted() {
    let dir = project(&[("train.py", GRAPH_PRINT)]);
    for (args, command) in [
        (
            &["check", "train.py"][..],
            "fixable with `hybridize fix --unsafe-fixes`",
        ),
        (
            &["check", "--unsafe-fixes", "train.py"][..],
            "fixable with `hybridize fix --unsafe-fixes`",
        ),
        (
            &[
                "check",
                "--unsafe-fixes",
                "--output-format",
                "json",
                "train.py",
            ][..],
            "fixable with `hybridize fix --unsafe-fixes`",
        ),
    ] {
        let output = hybridize(dir.path()).args(args).output().unwrap();
        let stderr = stderr(&output);
        assert!(stderr.contains(command), "{args:?}: {stderr}");
        assert!(!stderr.contains("`hybridize fix`"), "{args:?}: {stderr}");
    }
}

#[test]
fn write_keeps_permissions_and_every_byte_outside_the_edit() {
    let crlf = "\u{feff}import tensorflow as tf\r\n\r\n# comment\tkept\x0c\r\n@tf.function\r\ndef step(x):\r\n\tprint('x', x)\r\n\treturn x\r\n";
    let dir = project(&[("crlf.py", crlf)]);
    let path = dir.path().join("crlf.py");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o754)).unwrap();
    hybridize(dir.path())
        .args(["fix", "--unsafe-fixes", "--write", "crlf.py"])
        .assert()
        .code(1);
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        crlf.replace("\tprint(", "\ttf.print(")
    );
    assert_eq!(
        fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o754
    );
    // No temporary file is left behind (the cache has a folder of its own).
    let names: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .filter(|name| name != ".hybridize_cache")
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
}

#[test]
fn added_imports_follow_the_file_line_endings() {
    let source = "from tensorflow import function\r\n\r\n\r\n@function\r\ndef step(x):\r\n    print(x)\r\n    return x\r\n";
    let dir = project(&[("step.py", source)]);
    hybridize(dir.path())
        .args(["fix", "--unsafe-fixes", "--write", "step.py"])
        .assert()
        .code(1);
    let fixed = fs::read_to_string(dir.path().join("step.py")).unwrap();
    assert_eq!(
        fixed,
        "from tensorflow import function\r\nimport tensorflow as tf\r\n\r\n\r\n@function\r\ndef step(x):\r\n    tf.print(x)\r\n    return x\r\n"
    );
}

#[test]
fn lines_named_in_messages_count_every_python_line_ending() {
    // The same module with `\n`, `\r\n` and old Mac `\r` line endings: the
    // line a message names is the line the finding's position names.
    let lines = [
        "import tensorflow as tf",
        "",
        "def deco(f):",
        "    return f",
        "",
        "@deco",
        "def step(x):",
        "    return tf.reduce_sum(tf.nn.relu(x) * 2.0)",
        "",
        "for _ in range(3):",
        "    step(tf.constant([1.0]))",
        "",
    ];
    for ending in ["\n", "\r\n", "\r"] {
        let dir = project(&[("step.py", &lines.join(ending))]);
        let output = hybridize(dir.path())
            .args([
                "check",
                "--exit-zero",
                "--output-format",
                "concise",
                "step.py",
            ])
            .output()
            .unwrap();
        assert!(
            stdout(&output)
                .contains("step.py:7:5: HY110 `step` has a decorator at line 6 whose effect"),
            "with {ending:?} line endings:\n{}",
            stdout(&output)
        );
    }
}
#[test]
fn bad_files_are_reported_left_alone_and_the_run_goes_on() {
    let mut not_utf8 = b"import tensorflow as tf\nx = '".to_vec();
    not_utf8.extend([0xff, 0xfe]);
    not_utf8.extend(b"'\n");
    let dir = project(&[
        ("good.py", RELAX),
        (
            "syntax.py",
            "import tensorflow as tf\n\ndef f(:\n    pass\n",
        ),
    ]);
    fs::write(dir.path().join("latin1.py"), &not_utf8).unwrap();
    let output = hybridize(dir.path())
        .args(["fix", "--write", "."])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.contains("error: latin1.py:2:6: not valid UTF-8 (byte 0xff); file left unchanged"),
        "{err}"
    );
    assert!(
        err.contains("error: syntax.py:3:7: syntax error: "),
        "{err}"
    );
    assert!(err.contains("1 file could not be parsed"), "{err}");
    assert!(err.contains("1 file could not be fixed"), "{err}");
    assert_eq!(fs::read(dir.path().join("latin1.py")).unwrap(), not_utf8);
    assert_eq!(
        fs::read_to_string(dir.path().join("syntax.py")).unwrap(),
        "import tensorflow as tf\n\ndef f(:\n    pass\n"
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("good.py")).unwrap(),
        RELAX.replace("experimental_relax_shapes", "reduce_retracing")
    );
}

#[test]
fn read_only_files_are_not_written() {
    let dir = project(&[("locked.py", RELAX), ("open.py", RELAX)]);
    let locked = dir.path().join("locked.py");
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o444)).unwrap();
    let output = hybridize(dir.path())
        .args(["fix", "--write", "."])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("error: locked.py: file is read-only; not written"),
        "{}",
        stderr(&output)
    );
    assert_eq!(fs::read_to_string(&locked).unwrap(), RELAX);
    assert_ne!(
        fs::read_to_string(dir.path().join("open.py")).unwrap(),
        RELAX
    );
}

#[test]
fn a_file_changed_since_it_was_read_is_not_overwritten() {
    let dir = project(&[("f.py", "new text\n")]);
    let path = dir.path().join("f.py");
    let err = hybridize::write::write_atomic(&path, "old text\n", "fixed text\n").unwrap_err();
    assert!(
        err.to_string()
            .contains("changed on disk since it was read"),
        "{err}"
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), "new text\n");
    hybridize::write::write_atomic(&path, "new text\n", "fixed text\n").unwrap();
    assert_eq!(fs::read_to_string(&path).unwrap(), "fixed text\n");
}

#[test]
fn stdin_gives_a_diff_or_the_fixed_source() {
    let dir = project(&[]);
    let output = hybridize(dir.path())
        .args(["fix", "--stdin-filename", "src/model.py", "-"])
        .write_stdin(RELAX)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout(&output).starts_with("--- a/src/model.py\n+++ b/src/model.py\n"),
        "{}",
        stdout(&output)
    );
    let output = hybridize(dir.path())
        .args(["fix", "--write", "--stdin-filename", "src/model.py", "-"])
        .write_stdin(RELAX)
        .output()
        .unwrap();
    assert_eq!(
        stdout(&output),
        RELAX.replace("experimental_relax_shapes", "reduce_retracing")
    );
    // Unchanged input comes back unchanged, so editors can always use the output.
    let output = hybridize(dir.path())
        .args(["fix", "--write", "-"])
        .write_stdin(CLEAN)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), CLEAN);
    let output = hybridize(dir.path())
        .args(["fix", "--write", "-"])
        .write_stdin("x = 1\n")
        .output()
        .unwrap();
    assert_eq!(stdout(&output), "x = 1\n");
}

#[test]
fn noqa_comments_suppress_findings() {
    let source = "import tensorflow as tf\n\n\n@tf.function(experimental_relax_shapes=True)  # noqa: HY021\ndef f(x):\n    return x\n\n\n@tf.function(experimental_compile=True)  # noqa\ndef g(x):\n    return x\n\n\n@tf.function(experimental_compile=True)  # noqa: HY011\ndef h(x):\n    return x\n";
    let dir = project(&[("f.py", source)]);
    let output = hybridize(dir.path())
        .args(["check", "--output-format", "concise", "f.py"])
        .output()
        .unwrap();
    assert_eq!(
        stdout(&output),
        "f.py:14:14: HY021 [*] `experimental_compile` is deprecated; use `jit_compile`\n"
    );
    let exempt = format!("# hybridize: noqa\n{source}");
    let dir = project(&[("f.py", &exempt)]);
    hybridize(dir.path())
        .args(["check", "f.py"])
        .assert()
        .code(0);
}

#[test]
fn configuration_selects_and_flags_override_it() {
    let pyproject = "[project]\nname = \"x\"\n\n[tool.hybridize]\nselect = [\"HY011\"]\nexclude = [\"generated\"]\n";
    let dir = project(&[
        ("pyproject.toml", pyproject),
        ("a.py", RELAX),
        ("generated/b.py", GRAPH_PRINT),
    ]);
    // Only HY011 is selected, and `generated/` is excluded from the walk.
    hybridize(dir.path()).args(["check", "."]).assert().code(0);
    hybridize(dir.path())
        .args(["check", "--select", "HY021", "."])
        .assert()
        .code(1);
    hybridize(dir.path())
        .args(["check", "--exclude", "nothing", "."])
        .assert()
        .code(1);
    // A file named explicitly is checked even when excluded.
    hybridize(dir.path())
        .args(["check", "generated/b.py"])
        .assert()
        .code(1);
}

#[test]
fn a_malformed_configuration_is_an_error() {
    let dir = project(&[
        ("pyproject.toml", "[tool.hybridize]\nselct = [\"HY011\"]\n"),
        ("a.py", RELAX),
    ]);
    let output = hybridize(dir.path()).args(["check", "."]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains(
            "pyproject.toml: invalid configuration: [tool.hybridize]: unknown field `selct`"
        ),
        "{}",
        stderr(&output)
    );
    let dir = project(&[("pyproject.toml", "[tool.hybridize\n"), ("a.py", RELAX)]);
    hybridize(dir.path()).args(["check", "."]).assert().code(2);
}

#[test]
fn the_target_tensorflow_version_gates_fixes() {
    let dir = project(&[
        ("requirements.txt", "numpy\ntensorflow>=2.6,<2.9\n"),
        ("a.py", RELAX),
    ]);
    let output = hybridize(dir.path())
        .args(["check", "a.py"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let out = stdout(&output);
    assert!(
        out.contains("note: no fix offered: `reduce_retracing` needs TensorFlow 2.9, and the target is 2.6 (`tensorflow>=2.6,<2.9` in requirements.txt)"),
        "{out}"
    );
    hybridize(dir.path())
        .args(["fix", "a.py"])
        .assert()
        .code(0)
        .stdout("");
    // The flag (or `tensorflow-version` in the configuration) overrides the requirement.
    hybridize(dir.path())
        .args(["fix", "--tensorflow-version", "2.21", "a.py"])
        .assert()
        .code(1);
    let dir = project(&[
        (
            "pyproject.toml",
            "[tool.hybridize]\ntensorflow-version = \"2.4\"\n",
        ),
        ("a.py", RELAX),
    ]);
    hybridize(dir.path()).args(["fix", "a.py"]).assert().code(0);
}

#[test]
fn gitignored_and_non_python_files_are_not_walked() {
    let dir = project(&[
        (".gitignore", "ignored/\n"),
        ("ignored/a.py", RELAX),
        ("notes.txt", RELAX),
        ("b.pyi", RELAX),
    ]);
    hybridize(dir.path()).args(["check", "."]).assert().code(0);
}

#[test]
fn color_follows_the_flag_and_no_color() {
    let dir = project(&[("a.py", RELAX)]);
    let colored = hybridize(dir.path())
        .args(["check", "--color", "always", "a.py"])
        .output()
        .unwrap();
    assert!(stdout(&colored).contains("\x1b["));
    let plain = hybridize(dir.path())
        .args(["check", "--color", "auto", "a.py"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!stdout(&plain).contains("\x1b["));
    let never = hybridize(dir.path())
        .args(["fix", "--color", "never", "a.py"])
        .output()
        .unwrap();
    assert!(!stdout(&never).contains("\x1b["));
}

#[test]
fn json_output_has_ruffs_shape_plus_function() {
    let dir = project(&[("a.py", RELAX)]);
    let output = hybridize(dir.path())
        .args(["check", "--output-format", "json", "a.py"])
        .output()
        .unwrap();
    let findings: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let finding = &findings[0];
    assert_eq!(finding["code"], "HY021");
    assert_eq!(finding["filename"], "a.py");
    assert_eq!(finding["function"], "f");
    assert_eq!(
        finding["location"],
        serde_json::json!({"row": 4, "column": 14})
    );
    assert_eq!(finding["fix"]["applicability"], "safe");
    assert_eq!(finding["fix"]["edits"][0]["content"], "reduce_retracing");
    assert_eq!(
        finding["fix"]["edits"][0]["end_location"],
        serde_json::json!({"row": 4, "column": 39})
    );
}

#[test]
fn explain_and_codemods_document_every_codemod() {
    let dir = project(&[]);
    let table = hybridize(dir.path()).arg("codemods").output().unwrap();
    for codemod in hybridize::codemods::CODEMODS {
        assert!(stdout(&table).contains(codemod.code) && stdout(&table).contains(codemod.name));
        let doc = hybridize(dir.path())
            .args(["explain", codemod.code])
            .output()
            .unwrap();
        assert_eq!(stdout(&doc), codemod.doc);
        for section in [
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "## Use instead",
            "## Fix safety",
        ] {
            assert!(
                codemod.doc.contains(section),
                "{} lacks {section}",
                codemod.code
            );
        }
    }
    let by_name = hybridize(dir.path())
        .args(["explain", "print-to-tf-print"])
        .output()
        .unwrap();
    assert!(stdout(&by_name).starts_with("# HY011 print-to-tf-print"));
}

/// The README's codemods table has one row per codemod, in list order, with
/// the fix safety and summary that `hybridize codemods` prints.
#[test]
fn the_readme_codemods_table_is_what_hybridize_codemods_prints() {
    let dir = project(&[]);
    let table = hybridize(dir.path()).arg("codemods").output().unwrap();
    let printed: Vec<String> = stdout(&table)
        .lines()
        .skip(1)
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    let listed: Vec<String> = hybridize::codemods::CODEMODS
        .iter()
        .map(|c| format!("{} {} {} {}", c.code, c.name, c.safety, c.summary))
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(printed, listed, "`hybridize codemods` is not the list");

    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = &readme[readme
        .find("\n## Codemods\n")
        .expect("a `## Codemods` section")..];
    let section = &section[..section[1..]
        .find("\n## ")
        .map_or(section.len(), |end| end + 1)];
    let rows: Vec<&str> = section
        .lines()
        .filter(|line| line.starts_with("| HY") && line.contains("](codemods/"))
        .collect();
    let expected: Vec<String> = hybridize::codemods::CODEMODS
        .iter()
        .map(|c| {
            format!(
                "| {} | [{}](codemods/{}.md) | {} | {} |",
                c.code,
                c.name,
                c.name.replace('-', "_"),
                c.safety,
                c.summary
            )
        })
        .collect();
    assert_eq!(
        rows, expected,
        "README.md's codemods table differs from the list"
    );
}

#[test]
fn deeply_nested_code_does_not_overflow_the_stack() {
    let depth = 10_000;
    let nested = format!(
        "import tensorflow as tf\nx = {}1{}\n",
        "(".repeat(depth),
        ")".repeat(depth)
    );
    let mut blocks = String::from("import tensorflow as tf\n");
    for level in 0..1_000 {
        blocks.push_str(&" ".repeat(level));
        blocks.push_str("if x:\n");
    }
    blocks.push_str(&" ".repeat(1_000));
    blocks.push_str("print(x)\n");
    let dir = project(&[("parens.py", &nested), ("blocks.py", &blocks)]);
    let output = hybridize(dir.path()).args(["check", "."]).output().unwrap();
    assert!(
        matches!(output.status.code(), Some(0 | 2)),
        "{}",
        stderr(&output)
    );
    assert!(!stderr(&output).contains("overflow"), "{}", stderr(&output));
}

#[test]
fn fixes_that_change_what_other_files_know_still_reach_a_fixed_point() {
    // The facts from b.py show that `tf.function` can only hurt `compiled`
    // (it calls `transpose`, which mutates its argument): HY020 removes it,
    // and HY002 does not lift it first (which used to take a second round
    // and a rename). The run repeats over the fixed texts until nothing
    // changes, and a second run proposes nothing.
    let a = "import tensorflow as tf\n\nfrom b import transpose\n\n\ndef check(a):\n    @tf.function\n    def compiled():\n        return transpose(a, [-1, -2])\n\n    return compiled()\n";
    let b = "import tensorflow as tf\n\n\ndef transpose(a, perm):\n    perm[0] = len(perm) - 1\n    return tf.transpose(a, perm)\n";
    let dir = project(&[("a.py", a), ("b.py", b)]);
    hybridize(dir.path())
        .args(["fix", "--unsafe-fixes", "--write", "."])
        .assert()
        .code(1);
    assert_eq!(
        fs::read_to_string(dir.path().join("a.py")).unwrap(),
        "import tensorflow as tf\n\nfrom b import transpose\n\n\ndef check(a):\n    def compiled():\n        return transpose(a, [-1, -2])\n\n    return compiled()\n"
    );
    hybridize(dir.path())
        .args(["fix", "--unsafe-fixes", "."])
        .assert()
        .code(0)
        .stdout("");
}

#[test]
fn a_scalar_signature_is_not_added_when_another_module_calls_the_function() {
    // lib.py alone would get `input_signature=[TensorSpec([], int32), ...]`
    // (three calls, all `int`s); but main.py passes a `float`, which an
    // `int32` signature would reject: no signature, and no call-site fix
    // either, since main.py's calls cannot all be changed.
    let lib = "import tensorflow as tf\n\nx = tf.ones([2, 4])\n\n\n@tf.function\ndef decay(step, x):\n    return x * tf.cast(step, tf.float32)\n\n\nfor step in range(10):\n    decay(step, x)\ndecay(1, x)\ndecay(2, x)\n";
    let main = "import tensorflow as tf\n\nfrom lib import decay\n\nfor i in range(5):\n    decay(i * 0.5, tf.ones([2, 4]))\n";
    let alone = project(&[("lib.py", lib)]);
    let output = hybridize(alone.path())
        .args(["fix", "--unsafe-fixes", "--select", "HY004", "."])
        .output()
        .unwrap();
    assert!(
        stdout(&output).contains("+@tf.function(input_signature=[tf.TensorSpec(shape=[], dtype=tf.int32), tf.TensorSpec(shape=[2, 4], dtype=tf.float32)])"),
        "{}",
        stdout(&output)
    );
    let dir = project(&[("lib.py", lib), ("main.py", main)]);
    let output = hybridize(dir.path())
        .args(["check", "--select", "HY004", "."])
        .output()
        .unwrap();
    let text = stdout(&output);
    assert!(
        text.contains("no fix offered: it is also called from other modules")
            && text.contains("no scalar `TensorSpec` either"),
        "{text}"
    );
    hybridize(dir.path())
        .args(["fix", "--unsafe-fixes", "--select", "HY004", "."])
        .assert()
        .stdout("");
}

const HOT_STEP: &str =
    "import tensorflow as tf\n\n\ndef step(x):\n    return tf.reduce_sum(tf.matmul(x, x))\n";
const TEST_LOOP: &str = "import tensorflow as tf\n\nfrom model import step\n\n\ndef helper(x):\n    return tf.nn.relu(tf.matmul(x, x))\n\n\nfor _ in range(3):\n    step(tf.ones([2, 2]))\n    helper(tf.ones([2, 2]))\n";

#[test]
fn loops_in_test_files_make_nothing_hot() {
    let dir = project(&[("model.py", HOT_STEP), ("tests/loop.py", TEST_LOOP)]);
    let output = hybridize(dir.path())
        .args(["check", "--output-format", "concise", "."])
        .output()
        .unwrap();
    assert!(!stdout(&output).contains("HY001"), "{}", stdout(&output));
    // Checked as a program of its own, the loop is the program's.
    let output = hybridize(dir.path())
        .args([
            "check",
            "--output-format",
            "concise",
            "--include-tests",
            ".",
        ])
        .output()
        .unwrap();
    assert!(
        stdout(&output).contains("model.py:4:5: HY001"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn files_that_look_like_tests_give_call_sites_only() {
    let dir = project(&[
        ("model.py", HOT_STEP),
        ("tests/loop.py", TEST_LOOP),
        ("test_model.py", TEST_LOOP),
        ("model_spec.py", TEST_LOOP),
    ]);
    let output = hybridize(dir.path())
        .args(["check", "--output-format", "concise", "."])
        .output()
        .unwrap();
    let out = stdout(&output);
    // The loop of a file that is no test makes `step` hot; the tests'
    // loops make nothing hot, and the tests themselves get nothing.
    assert!(
        out.contains(
            "model.py:4:5: HY001 [*] `step` is called in a loop (at line 11 of model_spec.py)"
        ),
        "{out}"
    );
    assert!(!out.contains("tests/loop.py:"), "{out}");
    assert!(!out.contains("test_model.py:"), "{out}");
    assert!(out.contains("model_spec.py:6:5: HY001"), "{out}");
    assert!(
        stderr(&output)
            .contains("2 test files analysed for call sites only; `--include-tests` checks them."),
        "{}",
        stderr(&output)
    );
    // Nor are they changed.
    let output = hybridize(dir.path())
        .args(["fix", "--unsafe-fixes", "."])
        .output()
        .unwrap();
    assert!(
        !stdout(&output).contains("test_model.py"),
        "{}",
        stdout(&output)
    );
    assert!(
        !stdout(&output).contains("tests/loop.py"),
        "{}",
        stdout(&output)
    );
    // `--include-tests` checks them ...
    let out = stdout(
        &hybridize(dir.path())
            .args([
                "check",
                "--output-format",
                "concise",
                "--include-tests",
                ".",
            ])
            .output()
            .unwrap(),
    );
    assert!(out.contains("tests/loop.py:6:5: HY001"), "{out}");
    assert!(out.contains("test_model.py:6:5: HY001"), "{out}");
    // ... as does naming one on the command line.
    let output = hybridize(dir.path())
        .args(["check", "--output-format", "concise", "test_model.py"])
        .output()
        .unwrap();
    assert!(
        stdout(&output).contains("test_model.py:6:5: HY001"),
        "{}",
        stdout(&output)
    );
    assert!(
        !stderr(&output).contains("test file"),
        "{}",
        stderr(&output)
    );
    // The patterns are configurable.
    fs::write(
        dir.path().join("pyproject.toml"),
        "[tool.hybridize]\ntest-files = [\"*_spec.py\"]\n",
    )
    .unwrap();
    let output = hybridize(dir.path())
        .args(["check", "--output-format", "concise", "."])
        .output()
        .unwrap();
    let out = stdout(&output);
    assert!(!out.contains("model_spec.py:"), "{out}");
    assert!(out.contains("test_model.py:6:5: HY001"), "{out}");
    assert!(
        stderr(&output)
            .contains("1 test file analysed for call sites only; `--include-tests` checks it."),
        "{}",
        stderr(&output)
    );
}

#[test]
fn refusals_of_functions_with_little_tensor_work_are_counted_unless_asked_for() {
    let a = "import tensorflow as tf\n\nhistory = []\n\n\ndef log(value):\n    history.append(value)\n\n\ndef record(x):\n    history.append(tf.reduce_sum(x))\n\n\ndef step(x):\n    history.append(tf.reduce_sum(tf.nn.relu(x) * x))\n\n\nfor i in range(3):\n    log(i)\n    record(tf.ones([2]))\n    step(tf.ones([2]))\n";
    let dir = project(&[("a.py", a)]);
    let output = hybridize(dir.path())
        .args(["check", "--output-format", "concise", "."])
        .output()
        .unwrap();
    assert_eq!(
        stdout(&output),
        "a.py:14:5: HY101 `step` mutates the global `history` (`.append`) at line 15\n"
    );
    assert!(
        stderr(&output).contains(
            "2 more functions were judged and left eager: too little tensor work, a closure, model-building or output code (plots, files), or code Keras or a graph caller already traces (`--show-refusals` lists why)."
        ),
        "{}",
        stderr(&output)
    );
    // Every output format leaves them out ...
    let json = stdout(
        &hybridize(dir.path())
            .args(["check", "--output-format", "json", "."])
            .output()
            .unwrap(),
    );
    let findings: serde_json::Value = serde_json::from_str(&json).unwrap();
    let functions: Vec<&str> = findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["function"].as_str().unwrap())
        .collect();
    assert_eq!(functions, ["step"]);
    // ... unless `--show-refusals` asks for them.
    let output = hybridize(dir.path())
        .args(["check", "--output-format", "json", "--show-refusals", "."])
        .output()
        .unwrap();
    let findings: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let codes: Vec<(&str, &str)> = findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["function"].as_str().unwrap(), f["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        codes,
        [
            ("log", "HY101"),
            ("log", "HY105"),
            ("log", "HY106"),
            ("record", "HY101"),
            ("step", "HY101")
        ]
    );
    assert!(!stderr(&output).contains("judged"), "{}", stderr(&output));
}

#[test]
fn candidates_all_judges_every_function_from_the_flag_or_the_configuration() {
    let a = "import tensorflow as tf\n\n\ndef normalize(x):\n    return x - tf.reduce_mean(x)\n";
    let dir = project(&[("a.py", a)]);
    let hot = hybridize(dir.path())
        .args(["check", "--output-format", "concise", "."])
        .output()
        .unwrap();
    assert_eq!(stdout(&hot), "");
    let expected = "a.py:4:5: HY001 `normalize` passes every precondition (`--candidates all`); it can run as a graph function\n";
    let all = hybridize(dir.path())
        .args([
            "check",
            "--output-format",
            "concise",
            "--candidates",
            "all",
            ".",
        ])
        .output()
        .unwrap();
    assert_eq!(stdout(&all), expected);
    fs::write(
        dir.path().join("pyproject.toml"),
        "[tool.hybridize]\ncandidates = \"all\"\n",
    )
    .unwrap();
    let configured = hybridize(dir.path())
        .args(["check", "--output-format", "concise", "."])
        .output()
        .unwrap();
    assert_eq!(stdout(&configured), expected);
    let overridden = hybridize(dir.path())
        .args([
            "check",
            "--output-format",
            "concise",
            "--candidates",
            "hot",
            ".",
        ])
        .output()
        .unwrap();
    assert_eq!(stdout(&overridden), "");
    fs::write(
        dir.path().join("pyproject.toml"),
        "[tool.hybridize]\ncandidates = \"some\"\n",
    )
    .unwrap();
    let output = hybridize(dir.path()).args(["check", "."]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("candidates: `some` is not a candidate policy (`hot` or `all`)"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn fix_applies_the_fixes_check_reports_and_no_more() {
    // `step` is called with tensors whose sizes vary: HY001's decorator
    // carries HY003's signature itself (it used to be plain, and a second
    // pass added what HY003 then asked for, unannounced).
    let a = "import tensorflow as tf\n\n\ndef step(x):\n    return tf.nn.relu(tf.matmul(x, x))\n\n\nfor n in range(1, 4):\n    step(tf.ones([n, n]))\n";
    let dir = project(&[("a.py", a)]);
    let check = hybridize(dir.path())
        .args(["check", "--unsafe-fixes", "--output-format", "json", "."])
        .output()
        .unwrap();
    let findings: serde_json::Value = serde_json::from_str(&stdout(&check)).unwrap();
    let fixes: Vec<&str> = findings
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| !f["fix"].is_null())
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(fixes, ["HY001"]);
    let fix = hybridize(dir.path())
        .args(["fix", "--unsafe-fixes", "."])
        .output()
        .unwrap();
    assert!(
        stdout(&fix).contains(
            "+@tf.function(input_signature=[tf.TensorSpec(shape=[None, None], dtype=tf.float32)])\n def step(x):"
        ),
        "{}",
        stdout(&fix)
    );
    assert!(
        stderr(&fix).contains("Would apply 1 fix to 1 file."),
        "{}",
        stderr(&fix)
    );
    hybridize(dir.path())
        .args(["fix", "--unsafe-fixes", "--write", "."])
        .assert()
        .code(1);
    hybridize(dir.path())
        .args(["fix", "--unsafe-fixes", "."])
        .assert()
        .code(0)
        .stdout("");
}

#[test]
fn fix_says_unsafe_fixes_apply_more_only_when_they_do() {
    // A refusal has no fix: `--unsafe-fixes` would apply nothing more.
    let refused = "import tensorflow as tf\n\nhistory = []\n\n\ndef step(x):\n    history.append(tf.reduce_sum(tf.nn.relu(x) * x))\n\n\nfor _ in range(3):\n    step(tf.ones([2]))\n";
    let dir = project(&[("a.py", refused)]);
    let output = hybridize(dir.path()).args(["fix", "."]).output().unwrap();
    assert_eq!(
        stderr(&output),
        "No changes.\n1 finding without an applied fix (`hybridize check` shows why).\n"
    );
    let dir = project(&[("a.py", GRAPH_PRINT)]);
    let output = hybridize(dir.path()).args(["fix", "."]).output().unwrap();
    assert!(
        stderr(&output).contains("`--unsafe-fixes` applies more"),
        "{}",
        stderr(&output)
    );
}
