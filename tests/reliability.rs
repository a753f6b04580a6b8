//! Hostile but realistic input (issue 23), on real files: links, signals,
//! special files, typos in selectors, files that do not parse, file names
//! no one expects. Each test holds one promise of docs/reliability.md.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const RELAX: &str = "import tensorflow as tf\n\n\n@tf.function(experimental_relax_shapes=True)\ndef f(x):\n    return x\n";
const FIXED: &str =
    "import tensorflow as tf\n\n\n@tf.function(reduce_retracing=True)\ndef f(x):\n    return x\n";
const BROKEN: &str = "import tensorflow as tf\n\ndef f(:\n    pass\n";

fn hybridize(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hybridize"))
        .current_dir(dir)
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, text).unwrap();
    path
}

/// Temporary files this tool left in `dir` (recursively).
fn leftovers(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(leftovers(&path));
        } else if path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with(".hybridize-") && n.ends_with(".tmp"))
        {
            found.push(path);
        }
    }
    found
}

// ---------------------------------------------------------------- data

#[test]
fn write_follows_a_symbolic_link_to_its_target_and_keeps_the_link() {
    let dir = tempfile::tempdir().unwrap();
    let target = write(dir.path(), "real/target.py", RELAX);
    std::os::unix::fs::symlink("real/target.py", dir.path().join("link.py")).unwrap();
    let output = hybridize(dir.path(), &["fix", "--write", "link.py"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let link = fs::symlink_metadata(dir.path().join("link.py")).unwrap();
    assert!(link.file_type().is_symlink(), "the link was replaced");
    assert_eq!(
        fs::read_link(dir.path().join("link.py")).unwrap(),
        Path::new("real/target.py")
    );
    assert_eq!(fs::read_to_string(&target).unwrap(), FIXED);
    assert!(leftovers(dir.path()).is_empty());
}

#[test]
fn write_keeps_every_hard_link_of_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.py", RELAX);
    fs::create_dir(dir.path().join("other")).unwrap();
    let b = dir.path().join("other/b.py");
    fs::hard_link(&a, &b).unwrap();
    fs::set_permissions(&a, fs::Permissions::from_mode(0o640)).unwrap();
    let inode = fs::metadata(&a).unwrap().ino();
    let output = hybridize(dir.path(), &["fix", "--write", "a.py"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let (meta_a, meta_b) = (fs::metadata(&a).unwrap(), fs::metadata(&b).unwrap());
    assert_eq!(meta_a.ino(), inode, "a.py got a new inode");
    assert_eq!(meta_b.ino(), inode);
    assert_eq!(meta_a.nlink(), 2);
    assert_eq!(meta_a.permissions().mode() & 0o777, 0o640);
    assert_eq!(fs::read_to_string(&a).unwrap(), FIXED);
    assert_eq!(fs::read_to_string(&b).unwrap(), FIXED);
    assert!(leftovers(dir.path()).is_empty());
}

/// A tree whose write phase takes a while: every file has a fix and a
/// large comment, and each write ends with an `fsync`.
fn tree_to_interrupt(dir: &Path, files: usize) -> String {
    let padding = format!("# {}\n", "x".repeat(78)).repeat(2_500);
    let text = format!("{RELAX}{padding}");
    for i in 0..files {
        write(dir, &format!("pkg{}/m{i:03}.py", i % 3), &text);
    }
    text
}

#[test]
fn an_interrupted_write_leaves_no_temporary_file_and_no_half_written_file() {
    let files = 30;
    // Runs interrupted while a temporary file existed, per signal.
    let mut interrupted = [0usize; 2];
    let signals = [libc::SIGINT, libc::SIGTERM];
    for attempt in 0..12 {
        if interrupted.iter().all(|&n| n >= 1) && attempt >= 4 {
            break;
        }
        let which = attempt % 2;
        let signal = signals[which];
        let dir = tempfile::tempdir().unwrap();
        let original = tree_to_interrupt(dir.path(), files);
        let fixed = original.replace("experimental_relax_shapes", "reduce_retracing");
        let mut child = Command::new(env!("CARGO_BIN_EXE_hybridize"))
            .current_dir(dir.path())
            .args(["fix", "--write", "."])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Waits for a temporary file to appear: a write in progress.
        let start = Instant::now();
        let mut seen = false;
        while start.elapsed() < Duration::from_secs(60) {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            if !leftovers(dir.path()).is_empty() {
                seen = true;
                break;
            }
        }
        // SAFETY: sends a signal to the child this test spawned.
        unsafe { libc::kill(child.id() as libc::pid_t, signal) };
        let status = child.wait().unwrap();
        if seen {
            interrupted[which] += 1;
            assert_eq!(status.signal(), Some(signal), "{status:?}");
        }
        assert!(
            leftovers(dir.path()).is_empty(),
            "left behind: {:?}",
            leftovers(dir.path())
        );
        let mut written = 0;
        for i in 0..files {
            let text =
                fs::read_to_string(dir.path().join(format!("pkg{}/m{i:03}.py", i % 3))).unwrap();
            assert!(
                text == original || text == fixed,
                "file {i} is half-written"
            );
            written += usize::from(text == fixed);
        }
        if seen {
            assert!(written < files, "the signal came after every write");
        }
    }
    assert!(
        interrupted.iter().all(|&n| n >= 1),
        "no run was interrupted while writing: {interrupted:?}"
    );
}

// ------------------------------------------------------- truthful results

#[test]
fn an_unknown_code_or_prefix_in_a_selector_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.py", RELAX);
    for args in [
        &["--select", "HY999"][..],
        &["--select", "HY0211"],
        &["--select", "HY021,HY0211"],
        &["--ignore", "HY999"],
        &["--extend-select", "HY3"],
        &["--select", "hy021"],
        &["--select", "X"],
    ] {
        let mut all = vec!["check"];
        all.extend_from_slice(args);
        all.push("a.py");
        let output = hybridize(dir.path(), &all);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {output:?}");
        let unknown = args[1].rsplit(',').next().unwrap();
        assert!(
            stderr(&output).contains(&format!(
                "error: {}: unknown code or prefix `{unknown}`",
                args[0]
            )),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(stdout(&output).is_empty());
    }
    // A prefix of a codemod's code or of an informational code is valid.
    for select in ["ALL", "HY", "HY0", "HY02", "HY021", "HY1", "HY10"] {
        let output = hybridize(dir.path(), &["check", "--select", select, "a.py"]);
        assert_ne!(output.status.code(), Some(2), "{select}: {output:?}");
    }
    for key in ["select", "ignore", "extend-select"] {
        write(
            dir.path(),
            "pyproject.toml",
            &format!("[tool.hybridize]\n{key} = [\"HY\", \"HY999\"]\n"),
        );
        let output = hybridize(dir.path(), &["check", "a.py"]);
        assert_eq!(output.status.code(), Some(2), "{key}: {output:?}");
        assert!(
            stderr(&output).contains(&format!(
                "pyproject.toml: invalid configuration: [tool.hybridize] {key}: unknown code or prefix `HY999`"
            )),
            "{}",
            stderr(&output)
        );
    }
    write(
        dir.path(),
        "pyproject.toml",
        "[tool.hybridize]\nselect = [\"HY1\"]\nextend-select = [\"HY021\"]\n",
    );
    let output = hybridize(dir.path(), &["check", "a.py"]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(stdout(&output).contains("HY021"), "{}", stdout(&output));
}

#[test]
fn a_pipe_or_device_named_explicitly_is_not_a_regular_file() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.py", RELAX);
    let fifo = std::ffi::CString::new(dir.path().join("pipe.py").to_str().unwrap()).unwrap();
    // SAFETY: creates a FIFO at a path this test owns.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
    for (path, kind) in [
        ("pipe.py", "a named pipe"),
        ("/dev/urandom", "a character device"),
    ] {
        let output = hybridize(dir.path(), &["check", path]);
        assert_eq!(output.status.code(), Some(2), "{path}: {output:?}");
        assert!(
            stderr(&output).contains(&format!("{path}: not a regular file ({kind})")),
            "{}",
            stderr(&output)
        );
    }
    // In a directory walk, special files are skipped as before.
    let output = hybridize(dir.path(), &["check", "--output-format", "concise", "."]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(stdout(&output).starts_with("a.py:4:14: HY021"));
}

/// Checks `broken.py` (a syntax error) beside `a.py` (a finding) in one
/// output format.
fn check_with_a_syntax_error(format: &str, extra: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.py", RELAX);
    write(dir.path(), "broken.py", BROKEN);
    let mut args = vec!["check", "--output-format", format];
    args.extend_from_slice(extra);
    args.push(".");
    hybridize(dir.path(), &args)
}

#[test]
fn a_syntax_error_is_a_finding_in_every_format_and_exits_2() {
    let message = "SyntaxError: Expected a parameter or the end of the parameter list";
    // ruff's JSON shape for a syntax error: no code, name or noqa row.
    for format in ["json", "json-lines"] {
        let output = check_with_a_syntax_error(format, &["--exit-zero"]);
        assert_eq!(output.status.code(), Some(2), "{format}: {output:?}");
        let text = stdout(&output);
        let findings: Vec<serde_json::Value> = if format == "json" {
            serde_json::from_str(&text).unwrap()
        } else {
            text.lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect()
        };
        let syntax = findings
            .iter()
            .find(|f| f["filename"] == "broken.py")
            .unwrap_or_else(|| panic!("{format}: {text}"));
        assert_eq!(syntax["code"], serde_json::Value::Null);
        assert_eq!(syntax["name"], serde_json::Value::Null);
        assert_eq!(syntax["noqa_row"], serde_json::Value::Null);
        assert_eq!(syntax["fix"], serde_json::Value::Null);
        assert_eq!(syntax["message"], message);
        assert_eq!(
            syntax["location"],
            serde_json::json!({"row": 3, "column": 7})
        );
        assert!(findings.iter().any(|f| f["code"] == "HY021"));
        let err = stderr(&output);
        assert!(err.contains("Found 2 findings"), "{err}");
        assert!(err.contains("1 file could not be parsed"), "{err}");
        assert!(!err.contains("All checked"), "{err}");
    }
    let output = check_with_a_syntax_error("sarif", &[]);
    assert_eq!(output.status.code(), Some(2));
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let syntax = results
        .iter()
        .find(|r| r["message"]["text"] == message)
        .unwrap();
    assert_eq!(syntax["level"], "error");
    assert!(syntax.get("ruleId").is_none(), "{syntax}");
    assert_eq!(
        syntax["locations"][0]["physicalLocation"]["region"]["startLine"],
        3
    );
    for format in ["rdjson", "rdjsonl"] {
        let output = check_with_a_syntax_error(format, &[]);
        assert_eq!(output.status.code(), Some(2));
        let text = stdout(&output);
        let diagnostics: Vec<serde_json::Value> = if format == "rdjson" {
            serde_json::from_str::<serde_json::Value>(&text).unwrap()["diagnostics"]
                .as_array()
                .unwrap()
                .clone()
        } else {
            text.lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect()
        };
        let syntax = diagnostics
            .iter()
            .find(|d| d["message"] == message)
            .unwrap_or_else(|| panic!("{text}"));
        assert_eq!(syntax["severity"], "ERROR");
        assert_eq!(syntax["code"]["value"], serde_json::Value::Null);
        assert_eq!(syntax["location"]["path"], "broken.py");
    }
    let output = check_with_a_syntax_error("github", &[]);
    assert!(
        stdout(&output).contains(&format!(
            "::error file=broken.py,line=3,col=7,endLine=3,endColumn=8,title=SyntaxError::{message}\n"
        )),
        "{}",
        stdout(&output)
    );
    let output = check_with_a_syntax_error("concise", &[]);
    assert!(
        stdout(&output).contains(&format!("broken.py:3:7: {message}\n")),
        "{}",
        stdout(&output)
    );
    // `full` shows the line, with carets and no code, as ruff does.
    let output = check_with_a_syntax_error("full", &[]);
    assert!(
        stdout(&output).contains(&format!(
            "broken.py:3:7: {message}\n  |\n3 | def f(:\n  |       ^\n  |\n"
        )),
        "{}",
        stdout(&output)
    );
    // The syntax error is not printed a second time on stderr.
    assert!(!stderr(&output).contains("error: broken.py"));
}

#[test]
fn summaries_say_what_happened() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "broken.py", BROKEN);
    let output = hybridize(dir.path(), &["check", "broken.py"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(!stderr(&output).contains("nothing to do"), "{output:?}");
    let output = hybridize(dir.path(), &["fix", "--write", "--exit-zero", "broken.py"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.contains("error: broken.py:3:7: syntax error: "),
        "{err}"
    );
    assert!(
        err.contains("No changes in the files that could be checked."),
        "{err}"
    );
    assert!(err.contains("1 file could not be parsed"), "{err}");
    // A file whose changes could not be written is not "No changes".
    let read_only = write(dir.path(), "ro/a.py", RELAX);
    fs::set_permissions(&read_only, fs::Permissions::from_mode(0o444)).unwrap();
    let output = hybridize(dir.path(), &["fix", "--write", "ro/a.py"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(!err.contains("No changes"), "{err}");
    assert!(err.contains("Nothing written."), "{err}");
    assert!(
        err.contains("1 file with changes could not be written"),
        "{err}"
    );
}

/// File names git quotes in diff headers, and a plain one.
const ODD_NAMES: [&str; 6] = [
    "tab\there.py",
    "new\nline.py",
    "naïve, v2.py",
    "sp ace.py",
    "q\"b\\c.py",
    "plain.py",
];

fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(output.status.success(), "git {args:?}: {output:?}");
    String::from_utf8(output.stdout).unwrap()
}

fn header_lines(diff: &str) -> Vec<&str> {
    let mut headers: Vec<&str> = diff
        .lines()
        .filter(|l| l.starts_with("--- ") || l.starts_with("+++ "))
        .collect();
    headers.sort_unstable();
    headers
}

#[test]
fn file_names_are_quoted_in_diff_headers_as_git_diff_quotes_them() {
    let dir = tempfile::tempdir().unwrap();
    for name in ODD_NAMES {
        write(dir.path(), name, RELAX);
    }
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(
        dir.path(),
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "commit",
            "-qm",
            "x",
        ],
    );
    let output = hybridize(dir.path(), &["fix", "."]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let diff = stdout(&output);
    assert!(diff.contains("--- \"a/tab\\there.py\"\n"), "{diff}");
    // `git apply` takes the diff, and `git diff` then names every file
    // exactly as the diff did.
    let patch = dir.path().join("../fix.patch");
    fs::write(&patch, &diff).unwrap();
    git(dir.path(), &["apply", patch.to_str().unwrap()]);
    let by_git = git(dir.path(), &["diff"]);
    assert_eq!(header_lines(&diff), header_lines(&by_git));
    for name in ODD_NAMES {
        assert_eq!(fs::read_to_string(dir.path().join(name)).unwrap(), FIXED);
    }
    fs::remove_file(patch).unwrap();
}

#[test]
fn text_formats_escape_control_characters_in_file_names() {
    let dir = tempfile::tempdir().unwrap();
    for name in ODD_NAMES {
        write(dir.path(), name, RELAX);
    }
    let output = hybridize(dir.path(), &["check", "--output-format", "concise", "."]);
    let text = stdout(&output);
    assert_eq!(text.lines().count(), ODD_NAMES.len(), "{text}");
    assert!(text.contains("new\\nline.py:4:14: HY021"), "{text}");
    assert!(text.contains("tab\\there.py:4:14: HY021"), "{text}");
    // JSON carries the real name.
    let output = hybridize(dir.path(), &["check", "--output-format", "json", "."]);
    let findings: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert!(findings.iter().any(|f| f["filename"] == "new\nline.py"));
    // Errors name the file on one line too.
    write(dir.path(), "bad\nname.py", BROKEN);
    let output = hybridize(dir.path(), &["fix", "bad\nname.py"]);
    assert!(
        stderr(&output).contains("error: bad\\nname.py:3:7: syntax error"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn odd_bytes_in_messages_are_escaped_and_bad_values_refused() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "nul.py", "import tensorflow as tf\nx = 1\0\n");
    let output = hybridize(dir.path(), &["fix", "nul.py"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(!output.stderr.contains(&0), "{output:?}");
    assert!(
        stderr(&output).contains("unexpected token \\0"),
        "{}",
        stderr(&output)
    );
    let output = hybridize(dir.path(), &["check", "nul.py"]);
    assert!(!output.stdout.contains(&0), "{output:?}");
    // The TOML error keeps its snippet: the line, then the caret under it.
    write(
        dir.path(),
        "pyproject.toml",
        "[tool.hybridize]\nselect = [HY]\n",
    );
    write(dir.path(), "a.py", RELAX);
    let output = hybridize(dir.path(), &["check", "a.py"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("\n2 | select = [HY]\n  |           ^\n"),
        "{}",
        stderr(&output)
    );
    fs::remove_file(dir.path().join("pyproject.toml")).unwrap();
    for version in ["2.999999999999999999999", "2.x", "two"] {
        let output = hybridize(
            dir.path(),
            &["check", "--tensorflow-version", version, "a.py"],
        );
        assert_eq!(output.status.code(), Some(2), "{version}: {output:?}");
        assert!(
            stderr(&output).contains(&format!("`{version}` is not a version like `2.9`")),
            "{}",
            stderr(&output)
        );
    }
}

// ------------------------------------------------------------------ docs

/// Every test docs/reliability.md names exists: a promise keeps its test.
#[test]
fn every_test_the_reliability_doc_names_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = fs::read_to_string(root.join("docs/reliability.md")).unwrap();
    let mut sources = String::new();
    for folder in ["src", "tests"] {
        let mut stack = vec![root.join(folder)];
        while let Some(path) = stack.pop() {
            if path.is_dir() {
                stack.extend(fs::read_dir(&path).unwrap().flatten().map(|e| e.path()));
            } else if path.extension().is_some_and(|e| e == "rs") {
                sources.push_str(&fs::read_to_string(&path).unwrap());
            }
        }
    }
    let names: Vec<&str> = doc
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|name| {
            name.len() > 12
                && name.contains('_')
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit())
        })
        .collect();
    assert!(names.len() > 20, "{names:?}");
    for name in names {
        assert!(
            sources.contains(&format!("fn {name}(")),
            "docs/reliability.md names `{name}`, which is no test"
        );
    }
}

/// A module nested 500,000 levels deep overflowed the 512 MiB worker stack
/// of a debug build in the semantic model's walk (`hybridize check /tmp`
/// met one). Deeper than `MAX_NESTING` (100,000), a module is refused like
/// one that does not parse, at the first node too deep; at the limit, it is
/// analysed.
#[test]
fn code_nested_deeper_than_the_limit_is_refused_not_a_stack_overflow() {
    let dir = tempfile::tempdir().unwrap();
    let nested = |depth: usize| {
        format!(
            "import tensorflow as tf\nx = tf.constant(1.0)\ny = {}x{}\n",
            "[".repeat(depth),
            "]".repeat(depth)
        )
    };
    // `y = ` (the assignment), then the lists: the list at depth 100,000 is
    // the first node too deep.
    write(dir.path(), "deep/module.py", &nested(500_000));
    let output = hybridize(dir.path(), &["check", "deep"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let text = stdout(&output) + &stderr(&output);
    assert!(
        text.contains("deep/module.py:3:")
            && text.contains("code nested more than 100000 levels deep"),
        "{text}"
    );
    assert!(!text.contains("overflow"), "{text}");

    write(dir.path(), "limit/module.py", &nested(99_990));
    let output = hybridize(dir.path(), &["check", "--exit-zero", "limit"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(!stdout(&output).contains("nested more than"));
}

/// A panic while one file is analysed (in either look) is that file's
/// internal error: the other files are checked and fixed, the file is left
/// as it is, and the run exits 2.
#[test]
fn a_panic_on_one_file_leaves_it_alone_and_the_run_goes_on() {
    let step = "import tensorflow as tf\n\nw = tf.Variable(tf.ones([4, 1]))\n\n\ndef train_step(x):\n    return tf.reduce_sum(tf.matmul(x, w))\n\n\nfor _ in range(3):\n    train_step(tf.ones([2, 4]))\n";
    for phase in ["first-look", "second-look"] {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "good.py", step);
        let bad = format!("{step}# hybridize-test-panic\n");
        write(dir.path(), "bad.py", &bad);
        let output = Command::new(env!("CARGO_BIN_EXE_hybridize"))
            .current_dir(dir.path())
            .args(["fix", "--write", "--no-cache", "."])
            .env("HYBRIDIZE_TEST_PANIC", phase)
            .output()
            .unwrap();
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{phase}: {err}");
        assert!(
            err.contains("error: internal error: hybridize panicked while analysing bad.py: `HYBRIDIZE_TEST_PANIC` asked for a panic; the file is left as it is."),
            "{phase}: {err}"
        );
        assert_eq!(
            fs::read_to_string(dir.path().join("bad.py")).unwrap(),
            bad,
            "{phase}"
        );
        let good = fs::read_to_string(dir.path().join("good.py")).unwrap();
        assert!(
            good.contains("@tf.function\ndef train_step"),
            "{phase}: {good}"
        );
    }
}
