//! Jupyter notebooks end to end, through the binary: each fixture of
//! `tests/notebooks/` is checked (full, github and json formats), fixed
//! (the diff of its cells) and written, in a copy. The snapshot
//! `snapshots/notebook_<name>.snap` is what a user sees, ending with the
//! diff of the notebook file itself after `fix --write`. For every fixture
//! the harness also asserts that the write changed nothing but code cells'
//! `source` (same JSON otherwise, and no line of the file outside a source
//! changed), that a second run proposes nothing, and that the written
//! notebook validates with `nbformat`.
//!
//! `nbformat` runs under `HYBRIDIZE_NOTEBOOK_PYTHON` (default: the TF
//! virtualenv's python); without it the validation is skipped with a
//! message, unless `HYBRIDIZE_REQUIRE_NOTEBOOK_TOOLS=1` (set by
//! `scripts/test`) makes that a failure.

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/notebooks")
        .join(name)
}

/// Runs the binary in `dir`: exit code, stdout, stderr.
fn hybridize(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_hybridize"))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({
        snapshot_path => Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots"),
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!(name, text);
    });
}

/// A copy of fixture `name` in a fresh folder.
fn copy_of(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::copy(fixture(name), &path).unwrap();
    (dir, path)
}

/// The python that has `nbformat` (and `IPython`), if any.
fn notebook_python() -> Option<PathBuf> {
    let python = std::env::var_os("HYBRIDIZE_NOTEBOOK_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let cache = std::env::var_os("HYBRIDIZE_CACHE")
                .map(PathBuf::from)
                .unwrap_or_else(|| {
                    PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
                        .join(".cache/hybridize")
                });
            cache.join("tf-venv/bin/python")
        });
    let has_nbformat = Command::new(&python)
        .args(["-c", "import nbformat"])
        .output()
        .is_ok_and(|output| output.status.success());
    if has_nbformat {
        return Some(python);
    }
    assert!(
        std::env::var("HYBRIDIZE_REQUIRE_NOTEBOOK_TOOLS").as_deref() != Ok("1"),
        "{} has no nbformat (HYBRIDIZE_REQUIRE_NOTEBOOK_TOOLS=1)",
        python.display()
    );
    eprintln!(
        "skipping nbformat validation: {} has no nbformat",
        python.display()
    );
    None
}

/// Validates the notebook at `path` with `nbformat` when it is installed.
fn assert_valid_notebook(path: &Path) {
    let Some(python) = notebook_python() else {
        return;
    };
    let output = Command::new(python)
        .args([
            "-c",
            "import nbformat, sys; nbformat.validate(nbformat.read(sys.argv[1], as_version=4))",
        ])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{} does not validate: {}",
        path.display(),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The notebook's JSON with each cell's `source` joined into one string,
/// and the sources of the code cells taken out.
fn without_code_sources(text: &str) -> (serde_json::Value, Vec<String>) {
    let mut value: serde_json::Value = serde_json::from_str(text).unwrap();
    let mut sources = Vec::new();
    for cell in value["cells"].as_array_mut().unwrap() {
        let source = match &cell["source"] {
            serde_json::Value::Array(lines) => lines
                .iter()
                .map(|l| l.as_str().unwrap())
                .collect::<String>(),
            other => other.as_str().unwrap().to_string(),
        };
        if cell["cell_type"] == "code" {
            cell["source"] = serde_json::Value::Null;
            sources.push(source);
        }
    }
    (value, sources)
}

/// Asserts that `after` is `before` with only code cells' sources changed:
/// the same JSON otherwise, and every changed line of the file a line of a
/// `source` value (one string of a list, or a `"source": "..."` line).
fn assert_only_sources_changed(before: &str, after: &str) {
    assert_eq!(
        without_code_sources(before).0,
        without_code_sources(after).0,
        "something other than a code cell's source changed"
    );
    let diff = similar::TextDiff::from_lines(before, after);
    for change in diff.iter_all_changes() {
        if change.tag() == similar::ChangeTag::Equal {
            continue;
        }
        let line = change.value().trim();
        let string_item = line.starts_with('"') && !line.contains("\": ");
        let source_line = line.starts_with("\"source\": \"");
        assert!(
            string_item || source_line,
            "a line outside a source changed: {line:?}"
        );
    }
}

/// What a user sees for fixture `name`, with the assertions every fixture
/// must meet; `changes` says whether `fix --write` must change it.
fn transcript(name: &str, changes: bool) -> String {
    let (dir, path) = copy_of(name);
    let before = std::fs::read_to_string(&path).unwrap();
    let mut out = String::new();
    for args in [
        vec!["check", name],
        vec!["check", "--output-format", "github", name],
        vec!["check", "--output-format", "json", name],
        vec!["fix", name],
    ] {
        let (code, stdout, stderr) = hybridize(dir.path(), &args);
        out.push_str(&format!(
            "$ hybridize {}\n{stdout}{stderr}[exit {code}]\n\n",
            args.join(" ")
        ));
    }
    let (code, _, stderr) = hybridize(dir.path(), &["fix", "--write", name]);
    let after = std::fs::read_to_string(&path).unwrap();
    out.push_str(&format!(
        "$ hybridize fix --write {name}\n{stderr}[exit {code}]\n"
    ));
    out.push_str("--- the notebook file, before and after\n");
    out.push_str(
        &similar::TextDiff::from_lines(&before, &after)
            .unified_diff()
            .context_radius(2)
            .to_string(),
    );
    if changes {
        assert_ne!(before, after, "{name}: expected a change");
        assert_only_sources_changed(&before, &after);
        assert_valid_notebook(&path);
    } else {
        assert_eq!(before, after, "{name}: not byte-identical");
    }
    let (code, stdout, stderr) = hybridize(dir.path(), &["fix", name]);
    assert_eq!(stdout, "", "{name}: a second run proposes changes");
    assert!(stderr.contains("No changes."), "{stderr}");
    assert_eq!(code, 0, "{stderr}");
    out
}

#[test]
fn a_training_loop_split_across_cells_gets_its_step_converted() {
    let text = transcript("training_loop.ipynb", true);
    assert!(
        text.contains("training_loop.ipynb:cell 4:1:5: HY001"),
        "{text}"
    );
    // The loop that calls the step is named by its cell, not by a row of
    // the module the cells make.
    assert!(text.contains("at cell 6, line 4"), "{text}");
    assert!(
        text.contains("+++ b/training_loop.ipynb (cell 4)"),
        "{text}"
    );
    snapshot("notebook_training_loop", &text);
}

#[test]
fn magics_and_shell_escapes_are_kept_exactly() {
    let (dir, path) = copy_of("magics.ipynb");
    let before = std::fs::read_to_string(&path).unwrap();
    let text = transcript("magics.ipynb", true);
    assert!(text.contains("magics.ipynb:cell 3:2:5: HY001"), "{text}");
    hybridize(dir.path(), &["fix", "--write", "magics.ipynb"]);
    let after = std::fs::read_to_string(&path).unwrap();
    let (_, old_sources) = without_code_sources(&before);
    let (_, new_sources) = without_code_sources(&after);
    // Every IPython line is still there, byte for byte.
    for (old, new) in old_sources.iter().zip(&new_sources) {
        for line in old.lines().filter(|l| {
            let l = l.trim_start();
            l.starts_with(['%', '!', '?']) || l.ends_with('?') || l.contains("= !")
        }) {
            assert!(new.lines().any(|n| n == line), "lost {line:?}");
        }
    }
    // A function with a magic in its body is never converted: the magic
    // would run once, while tracing.
    let (_, stdout, _) = hybridize(
        dir.path(),
        &[
            "check",
            "--show-refusals",
            "--select",
            "HY1",
            "magics.ipynb",
        ],
    );
    assert!(
        stdout.contains(
            "`timed_step` runs the IPython line `%time loss = train_step(x, y)` at cell 4, line 2"
        ),
        "{stdout}"
    );
    snapshot("notebook_magics", &text);
}

#[test]
fn a_cell_that_does_not_parse_is_reported_and_left_alone() {
    let text = transcript("syntax_error.ipynb", true);
    assert!(
        text.contains("syntax_error.ipynb:cell 2:1:12: SyntaxError:"),
        "{text}"
    );
    assert!(text.contains("warning: syntax_error.ipynb:cell 2:1:12: syntax error"));
    // The other cells are still checked and fixed.
    assert!(
        text.contains("syntax_error.ipynb:cell 3:1:5: HY001"),
        "{text}"
    );
    snapshot("notebook_syntax_error", &text);
}

#[test]
fn outputs_attachments_and_metadata_keep_their_bytes() {
    let text = transcript("outputs_attachments.ipynb", true);
    snapshot("notebook_outputs_attachments", &text);
}

#[test]
fn crlf_files_without_a_final_newline_keep_their_layout() {
    let (dir, path) = copy_of("crlf_no_newline.ipynb");
    let text = transcript("crlf_no_newline.ipynb", true);
    hybridize(dir.path(), &["fix", "--write", "crlf_no_newline.ipynb"]);
    let after = std::fs::read(&path).unwrap();
    assert!(!after.ends_with(b"\n"), "a final newline was added");
    assert!(
        !after.windows(2).any(|w| w[1] == b'\n' && w[0] != b'\r'),
        "a bare LF line ending in a CRLF file"
    );
    // The source stays one string, with the cell's own CRLF endings and
    // the non-ASCII escapes of the file as they were.
    let after = String::from_utf8(after).unwrap();
    assert!(
        after.contains(r#""source": "@tf.function\r\ndef train_step(x, y):\r\n"#),
        "{after}"
    );
    assert!(after.contains(r"\u03b7"), "{after}");
    snapshot("notebook_crlf_no_newline", &text);
}

#[test]
fn a_notebook_with_nothing_to_change_stays_byte_identical() {
    let text = transcript("unchanged.ipynb", false);
    snapshot("notebook_unchanged", &text);
}

#[test]
fn machine_formats_name_the_cell_and_the_file_line() {
    let (dir, _) = copy_of("training_loop.ipynb");
    let json = hybridize(dir.path(), &["check", "--output-format", "json", "."]).1;
    let findings: serde_json::Value = serde_json::from_str(&json).unwrap();
    let finding = &findings[0];
    assert_eq!(finding["filename"], "training_loop.ipynb");
    assert_eq!(finding["cell"], 4);
    assert_eq!(finding["location"]["row"], 1);
    assert_eq!(finding["location"]["column"], 5);
    assert_eq!(finding["fix"]["edits"][0]["cell"], 4);
    // The annotation formats point at the notebook file's own line: the
    // string that holds `def train_step`.
    let file = std::fs::read_to_string(fixture("training_loop.ipynb")).unwrap();
    let def_line = file
        .lines()
        .position(|l| l.contains("\"def train_step(x, y):\\n\""))
        .unwrap()
        + 1;
    let column = file
        .lines()
        .nth(def_line - 1)
        .unwrap()
        .find("train_step")
        .unwrap()
        + 1;
    let github = hybridize(dir.path(), &["check", "--output-format", "github", "."]).1;
    assert!(
        github.contains(&format!("line={def_line},col={column},")),
        "{github}"
    );
    assert!(github.contains("::cell 4:1:5: "), "{github}");
    let sarif: serde_json::Value =
        serde_json::from_str(&hybridize(dir.path(), &["check", "--output-format", "sarif", "."]).1)
            .unwrap();
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"],
        def_line
    );
    assert_eq!(result["properties"]["cell"], 4);
    assert!(result.get("fixes").is_none());
    let rdjson: serde_json::Value = serde_json::from_str(
        &hybridize(dir.path(), &["check", "--output-format", "rdjson", "."]).1,
    )
    .unwrap();
    let diagnostic = &rdjson["diagnostics"][0];
    assert_eq!(diagnostic["location"]["range"]["start"]["line"], def_line);
    assert!(diagnostic.get("suggestions").is_none());
    snapshot(
        "notebook_formats",
        &format!("{json}\n{github}\n{sarif:#}\n{rdjson:#}\n"),
    );
}

#[test]
fn the_walk_finds_notebooks_and_exclude_applies() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("nb/scratch")).unwrap();
    std::fs::copy(
        fixture("training_loop.ipynb"),
        dir.path().join("nb/train.ipynb"),
    )
    .unwrap();
    std::fs::copy(
        fixture("training_loop.ipynb"),
        dir.path().join("nb/scratch/copy.ipynb"),
    )
    .unwrap();
    let (_, stdout, _) = hybridize(dir.path(), &["check", "--output-format", "concise", "."]);
    assert!(
        stdout.contains("nb/train.ipynb:cell 4:1:5: HY001"),
        "{stdout}"
    );
    assert!(stdout.contains("nb/scratch/copy.ipynb:cell 4"), "{stdout}");
    let (_, stdout, _) = hybridize(
        dir.path(),
        &[
            "check",
            "--output-format",
            "concise",
            "--exclude",
            "scratch",
            ".",
        ],
    );
    assert!(stdout.contains("nb/train.ipynb"), "{stdout}");
    assert!(!stdout.contains("copy.ipynb"), "{stdout}");
}

#[test]
fn stdin_gives_back_the_notebook_file() {
    let file = std::fs::read_to_string(fixture("training_loop.ipynb")).unwrap();
    let run = |name: &str, input: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_hybridize"))
            .args(["fix", "--write", "--stdin-filename", name, "-"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        String::from_utf8(child.wait_with_output().unwrap().stdout).unwrap()
    };
    let fixed = run("nb.ipynb", &file);
    assert_only_sources_changed(&file, &fixed);
    assert!(fixed.contains("\"@tf.function\\n\""), "{fixed}");
    // Nothing to change: the same bytes back.
    assert_eq!(run("nb.ipynb", &fixed), fixed);
}

#[test]
fn a_file_that_is_not_a_notebook_is_an_error_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.ipynb"), "{\"cells\": [").unwrap();
    std::fs::write(
        dir.path().join("old.ipynb"),
        r#"{"nbformat": 3, "worksheets": []}"#,
    )
    .unwrap();
    let (code, _, stderr) = hybridize(dir.path(), &["check", "."]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("bad.ipynb: cannot read: not a Jupyter notebook"),
        "{stderr}"
    );
    assert!(
        stderr.contains("old.ipynb: cannot read: nbformat 3 notebooks are not supported"),
        "{stderr}"
    );
}

/// A notebook with two functions called in a loop, in two cells.
const TWO_STEPS: &str = r#"{
 "cells": [
  {
   "cell_type": "code",
   "execution_count": null,
   "metadata": {},
   "outputs": [],
   "source": [
    "import tensorflow as tf\n",
    "w = tf.Variable(1.0)"
   ]
  },
  {
   "cell_type": "code",
   "execution_count": null,
   "metadata": {},
   "outputs": [],
   "source": [
    "%time\n",
    "def first(x):\n",
    "    return tf.reduce_sum(x * w)"
   ]
  },
  {
   "cell_type": "code",
   "execution_count": null,
   "metadata": {},
   "outputs": [],
   "source": [
    "def second(x):\n",
    "    return tf.reduce_sum(x + w)"
   ]
  },
  {
   "cell_type": "code",
   "execution_count": null,
   "metadata": {},
   "outputs": [],
   "source": [
    "for i in range(10):\n",
    "    first(tf.ones([3]))\n",
    "    second(tf.ones([3]))"
   ]
  }
 ],
 "metadata": {},
 "nbformat": 4,
 "nbformat_minor": 5
}
"#;

#[test]
fn interactive_fixes_offer_each_change_in_its_cell() {
    use expectrl::{Eof, Expect};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("steps.ipynb");
    std::fs::write(&path, TWO_STEPS).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_hybridize"));
    command
        .current_dir(dir.path())
        .args(["fix", "-i", "--color", "never", "steps.ipynb"]);
    let mut session = expectrl::Session::spawn(command).unwrap();
    session.set_expect_timeout(Some(std::time::Duration::from_secs(20)));
    let mut transcript = String::new();
    for (number, answer) in [(1, "y"), (2, "n")] {
        let prompt = format!("({number}/2) Apply this change [y,n,a,d,q,?]? ");
        let found = session.expect(prompt.as_str()).unwrap();
        transcript.push_str(&String::from_utf8_lossy(found.before()));
        session.send_line(answer).unwrap();
    }
    let rest = session.expect(Eof).unwrap();
    transcript.push_str(&String::from_utf8_lossy(rest.as_bytes()));
    assert!(
        transcript.contains("steps.ipynb:cell 2:2:5: HY001"),
        "{transcript}"
    );
    assert!(transcript.contains("(at cell 4, line 2)"), "{transcript}");
    assert!(transcript.contains("+@tf.function"), "{transcript}");
    assert!(
        transcript.contains("steps.ipynb:cell 3:1:5: HY001"),
        "{transcript}"
    );
    let after = std::fs::read_to_string(&path).unwrap();
    assert_only_sources_changed(TWO_STEPS, &after);
    assert!(
        after.contains("    \"%time\\n\",\n    \"@tf.function\\n\",\n    \"def first(x):\\n\","),
        "{after}"
    );
    assert!(
        !after.contains("\"@tf.function\\n\",\n    \"def second"),
        "{after}"
    );
    assert_valid_notebook(&path);
}

fn git(dir: &Path, args: &[&str]) {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(output.status.success(), "git {args:?}: {output:?}");
}

#[test]
fn review_suggests_on_json_lines_and_lists_one_string_sources() {
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    git(dir, &["init", "-q", "-b", "main"]);
    git(dir, &["config", "user.email", "test@example.com"]);
    git(dir, &["config", "user.name", "Test"]);
    std::fs::write(dir.join("README.md"), "notebooks\n").unwrap();
    git(dir, &["add", "."]);
    git(dir, &["commit", "-qm", "base"]);
    git(dir, &["checkout", "-qb", "feature"]);
    for name in ["training_loop.ipynb", "crlf_no_newline.ipynb"] {
        std::fs::copy(fixture(name), dir.join(name)).unwrap();
    }
    git(dir, &["add", "."]);
    git(dir, &["commit", "-qm", "head"]);
    let output = Command::new(env!("CARGO_BIN_EXE_hybridize"))
        .current_dir(dir)
        .args(["review", "--base", "main", "--dry-run"])
        .env("GITHUB_TOKEN", "t0ken")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let review: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let comments = review["comments"].as_array().unwrap();
    assert_eq!(comments.len(), 1, "{review:#}");
    let comment = &comments[0];
    assert_eq!(comment["path"], "training_loop.ipynb");
    let body = comment["body"].as_str().unwrap();
    assert!(body.contains("at cell 6, line 4"), "{body}");
    // The suggestion, applied as GitHub applies it, gives `fix --write`.
    let content = body
        .split_once("suggestion\n")
        .and_then(|(_, rest)| rest.split_once("\n```"))
        .unwrap()
        .0;
    let file = std::fs::read_to_string(fixture("training_loop.ipynb")).unwrap();
    let lines: Vec<&str> = file.lines().collect();
    let last = comment["line"].as_u64().unwrap() as usize;
    let first = comment["start_line"].as_u64().map_or(last, |l| l as usize);
    let mut applied: Vec<&str> = lines[..first - 1].to_vec();
    applied.extend(content.lines());
    applied.extend(&lines[last..]);
    let applied = format!("{}\n", applied.join("\n"));
    let (copy, path) = copy_of("training_loop.ipynb");
    hybridize(copy.path(), &["fix", "--write", "training_loop.ipynb"]);
    assert_eq!(applied, std::fs::read_to_string(path).unwrap());
    // A source written as one JSON string is listed, not suggested.
    let summary = review["body"].as_str().unwrap();
    assert!(
        summary.contains("`crlf_no_newline.ipynb:cell 2:1` **HY001**"),
        "{summary}"
    );
    assert!(
        stderr.contains("1 in notebooks listed in the review"),
        "{stderr}"
    );
}

/// Seeded mutations of the fixtures' code cells (lines repeated, dropped,
/// swapped, IPython lines and markers of the tool's own module inserted):
/// no crash, no internal error, and a write changes only code cells'
/// sources and leaves nothing for a second run.
#[test]
fn mutated_notebooks_never_crash_nor_leak_the_module() {
    let mut seed: u64 = 25;
    let mut next = move |n: usize| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((seed >> 33) as usize) % n.max(1)
    };
    let inserts = [
        "%time train_step(x, y)",
        "!ls",
        "    %timeit f()",
        "files = !ls \\",
        "train_step?",
        "%%time",
        "# <hybridize cell 2>",
        "get_ipython()  # <hybridize magic 0>",
        "def broken(:",
        "print(",
    ];
    let names = [
        "training_loop.ipynb",
        "magics.ipynb",
        "syntax_error.ipynb",
        "outputs_attachments.ipynb",
        "crlf_no_newline.ipynb",
    ];
    let dir = tempfile::tempdir().unwrap();
    for case in 0..96 {
        let name = names[case % names.len()];
        let text = std::fs::read_to_string(fixture(name)).unwrap();
        let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let cells = value["cells"].as_array_mut().unwrap();
        let count = cells.len();
        let cell = &mut cells[next(count)];
        let as_string = cell["source"].is_string();
        let source: String = match &cell["source"] {
            serde_json::Value::Array(lines) => lines.iter().map(|l| l.as_str().unwrap()).collect(),
            other => other.as_str().unwrap().to_string(),
        };
        let mut lines: Vec<String> = source.lines().map(str::to_string).collect();
        for _ in 0..=next(3) {
            let at = next(lines.len() + 1);
            match next(4) {
                0 => lines.insert(at, inserts[next(inserts.len())].to_string()),
                1 if !lines.is_empty() => {
                    lines.remove(at.min(lines.len() - 1));
                }
                2 if !lines.is_empty() => {
                    let line = lines[at.min(lines.len() - 1)].clone();
                    lines.insert(at, line);
                }
                _ if lines.len() > 1 => {
                    let other = next(lines.len());
                    let at = at.min(lines.len() - 1);
                    lines.swap(at, other);
                }
                _ => {}
            }
        }
        let joined = lines.join("\n");
        cell["source"] = if as_string {
            serde_json::json!(joined)
        } else {
            serde_json::json!(joined
                .split_inclusive('\n')
                .map(str::to_string)
                .collect::<Vec<_>>())
        };
        let before = serde_json::to_string_pretty(&value).unwrap() + "\n";
        let path = dir.path().join(format!("case{case}.ipynb"));
        std::fs::write(&path, &before).unwrap();
        let file = path.file_name().unwrap().to_str().unwrap();
        for args in [
            vec!["check", "--unsafe-fixes", file],
            vec!["fix", "--write", "--unsafe-fixes", file],
        ] {
            let (code, stdout, stderr) = hybridize(dir.path(), &args);
            assert!(
                (0..=1).contains(&code)
                    && !stderr.contains("internal error")
                    && !stderr.contains("panicked"),
                "case {case} ({name}), {args:?}: exit {code}\n{stdout}{stderr}\n{before}"
            );
            // The module's markers never show (unless the cell has them).
            if !before.contains("<hybridize") {
                assert!(!stdout.contains("<hybridize"), "case {case}: {stdout}");
            }
        }
        let after = std::fs::read_to_string(&path).unwrap();
        if after != before {
            assert_only_sources_changed(&before, &after);
        }
        let (_, stdout, _) = hybridize(dir.path(), &["fix", "--unsafe-fixes", file]);
        assert_eq!(stdout, "", "case {case}: a second run proposes changes");
    }
}
