//! `hybridize fix -i`, driven through a real pseudo-terminal: the binary
//! asks, the test answers, and the files on disk are checked afterwards.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use expectrl::process::unix::WaitStatus;
use expectrl::session::OsSession as Session;
use expectrl::{ControlCode, Eof, Expect};

/// Three changes: HY021 (line 4), HY011 (line 6, unsafe), HY021 (line 10).
const A: &str = r#"import tensorflow as tf


@tf.function(experimental_relax_shapes=True)
def smooth(x, y):
    print("smoothing", x.shape)
    return 0.9 * x + 0.1 * y


@tf.function(experimental_compile=True)
def double(x):
    return x * 2
"#;

/// Two changes that both insert `import tensorflow as tf` at the same point,
/// so accepting the first makes the second overlap it.
const B: &str = r#"from tensorflow import function


@function
def step(x):
    print("x", x)
    print("y", x)
    return x
"#;

fn project() -> tempfile::TempDir {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("a.py"), A).unwrap();
    std::fs::write(folder.path().join("b.py"), B).unwrap();
    folder
}

fn spawn(folder: &Path) -> Session {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hybridize"));
    command
        .current_dir(folder)
        .args(["fix", "-i", "--unsafe-fixes", "--color", "never", "."]);
    let mut session = expectrl::Session::spawn(command).unwrap();
    session.set_expect_timeout(Some(Duration::from_secs(20)));
    session
}

fn prompt(number: usize) -> String {
    format!("({number}/5) Apply this change [y,n,a,d,q,?]? ")
}

/// Answers the prompts in order, then waits for the exit status.
fn answer(session: &mut Session, answers: &[(usize, &str)]) -> (String, i32) {
    let mut transcript = String::new();
    for (number, answer) in answers {
        let found = session.expect(prompt(*number)).unwrap();
        transcript.push_str(&String::from_utf8_lossy(found.before()));
        transcript.push_str(&prompt(*number));
        session.send_line(answer).unwrap();
    }
    let rest = session.expect(Eof).unwrap();
    transcript.push_str(&String::from_utf8_lossy(rest.as_bytes()));
    let status = match session.get_process().wait().unwrap() {
        WaitStatus::Exited(_, code) => code,
        other => panic!("unexpected status {other:?}\n{transcript}"),
    };
    (transcript, status)
}

fn read(folder: &Path, name: &str) -> String {
    std::fs::read_to_string(folder.join(name)).unwrap()
}

fn leftovers(folder: &Path) -> Vec<String> {
    std::fs::read_dir(folder)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".hybridize-"))
        .collect()
}

#[test]
fn no_then_all_applies_the_rest_of_the_file_and_quit_keeps_it() {
    let folder = project();
    let mut session = spawn(folder.path());
    let (transcript, status) = answer(&mut session, &[(1, "n"), (2, "a"), (4, "q")]);
    assert_eq!(status, 1, "{transcript}");
    // Change 1 was declined; 2 and 3 were accepted by `a` without a question.
    assert!(!transcript.contains(&prompt(3)), "{transcript}");
    assert_eq!(
        read(folder.path(), "a.py"),
        A.replace("    print(", "    tf.print(")
            .replace("experimental_compile", "jit_compile")
    );
    assert_eq!(read(folder.path(), "b.py"), B);
    assert!(transcript.contains("a.py:6:5: HY011 (print-to-tf-print) [unsafe fix]"));
    assert!(transcript.contains("-    print(\"smoothing\", x.shape)"));
    assert!(transcript.contains("+    tf.print(\"smoothing\", x.shape)"));
    assert!(
        transcript.contains("Applied 2 of 5 changes to 1 file."),
        "{transcript}"
    );
}

#[test]
fn help_then_skip_file_then_an_overlapping_change_is_skipped() {
    let folder = project();
    let mut session = spawn(folder.path());
    let (transcript, status) = answer(&mut session, &[(1, "?"), (1, "d"), (4, "y")]);
    assert_eq!(status, 1, "{transcript}");
    assert!(
        transcript.contains("d - do not apply this change nor any remaining change in this file")
    );
    assert_eq!(read(folder.path(), "a.py"), A);
    assert_eq!(
        read(folder.path(), "b.py"),
        B.replacen("    print(\"x\"", "    tf.print(\"x\"", 1)
            .replacen("function\n", "function\nimport tensorflow as tf\n", 1)
    );
    assert!(
        transcript.contains("(5/5) b.py:7:5: HY011 skipped: it overlaps a change you accepted"),
        "{transcript}"
    );
    assert!(
        transcript.contains("1 change left for the next run"),
        "{transcript}"
    );
}

#[test]
fn ctrl_c_leaves_each_file_untouched_or_fully_written() {
    let folder = project();
    let mut session = spawn(folder.path());
    for number in 1..=3 {
        session.expect(prompt(number)).unwrap();
        session.send_line("y").unwrap();
    }
    session.expect("Wrote a.py (3 changes applied).").unwrap();
    session.expect(prompt(4)).unwrap();
    session.send(ControlCode::EndOfText).unwrap();
    session.expect(Eof).unwrap();
    let status = session.get_process().wait().unwrap();
    assert!(
        matches!(status, WaitStatus::Signaled(_, _, _)),
        "{status:?}"
    );
    assert_eq!(
        read(folder.path(), "a.py"),
        A.replace("    print(", "    tf.print(")
            .replace("experimental_compile", "jit_compile")
            .replace("experimental_relax_shapes", "reduce_retracing")
    );
    assert_eq!(read(folder.path(), "b.py"), B);
    assert!(leftovers(folder.path()).is_empty());
}

#[test]
fn end_of_input_quits_keeping_nothing_unanswered() {
    let folder = project();
    let mut session = spawn(folder.path());
    session.expect(prompt(1)).unwrap();
    session.send(ControlCode::EndOfTransmission).unwrap();
    session.expect(Eof).unwrap();
    assert_eq!(read(folder.path(), "a.py"), A);
    assert_eq!(read(folder.path(), "b.py"), B);
}

#[test]
fn without_a_terminal_it_refuses_with_exit_2() {
    let folder = project();
    let output = Command::new(env!("CARGO_BIN_EXE_hybridize"))
        .current_dir(folder.path())
        .args(["fix", "-i", "."])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("needs a terminal on stdin"), "{stderr}");
    assert_eq!(read(folder.path(), "a.py"), A);
}

#[test]
fn a_helper_called_in_a_loop_from_another_file_is_offered_as_fix_offers_it() {
    let folder = tempfile::tempdir().unwrap();
    let helper = "import tensorflow as tf\n\n\ndef scale(x):\n    return tf.matmul(x, x)\n";
    std::fs::write(folder.path().join("helpers.py"), helper).unwrap();
    std::fs::write(
        folder.path().join("train.py"),
        "import tensorflow as tf\nfrom helpers import scale\n\nx = tf.ones([2, 2])\nfor _ in range(10):\n    scale(x)\n",
    )
    .unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_hybridize"));
    command
        .current_dir(folder.path())
        .args(["fix", "-i", "--select", "HY001", "--color", "never", "."]);
    let mut session = expectrl::Session::spawn(command).unwrap();
    session.set_expect_timeout(Some(Duration::from_secs(20)));
    let question = "(1/1) Apply this change [y,n,a,d,q,?]? ";
    let shown = session.expect(question).unwrap();
    let shown = String::from_utf8_lossy(shown.before()).into_owned();
    assert!(
        shown.contains("helpers.py:4:5: HY001 (add-tf-function) [safe fix]"),
        "{shown}"
    );
    assert!(
        shown.contains("`scale` is called in a loop (at line 6 of train.py)"),
        "{shown}"
    );
    session.send_line("y").unwrap();
    let rest = session.expect(Eof).unwrap();
    let rest = String::from_utf8_lossy(rest.as_bytes()).into_owned();
    assert!(rest.contains("Applied 1 of 1 change to 1 file."), "{rest}");
    assert!(!rest.contains("left for the next run"), "{rest}");
    assert_eq!(
        read(folder.path(), "helpers.py"),
        helper.replace("def scale", "@tf.function\ndef scale")
    );
}
