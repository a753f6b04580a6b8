//! `hybridize verify -- CMD`: runs the user's command on a copy of the
//! project, first as it is (the baseline), then with the proposed changes
//! added one file at a time; a change is kept when every run passes and
//! the command is not slower beyond the baseline's noise. The user's tree
//! is never touched here: every run happens in the copy, which is removed
//! on every way out (an interrupt included).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};

use super::trace::ForwardedInterrupts;

/// The least slowdown that counts as one, whatever the baseline's spread.
pub const MIN_NOISE: f64 = 0.10;

/// The least slowdown, in seconds, that counts as one: a process's start
/// varies by more than this on a busy machine.
pub const MIN_NOISE_SECONDS: f64 = 0.1;

/// One unit of change: a file's fixed text.
#[derive(Debug, Clone)]
pub struct Change {
    /// Relative to the project's root.
    pub path: PathBuf,
    pub original: String,
    pub fixed: String,
    /// What the change does, for the report (`HY001 \`loss_of\``).
    pub fixes: Vec<String>,
}

/// What became of a change.
#[derive(Debug, Clone)]
pub enum Verdict {
    Kept { median: f64 },
    Failed { tail: String },
    Slower { before: f64, after: f64 },
}

/// The outcome of a verification.
#[derive(Debug)]
pub struct Verified {
    pub baseline: f64,
    pub noise: f64,
    pub runs: usize,
    pub verdicts: Vec<(Change, Verdict)>,
    /// The median time with every kept change.
    pub last: f64,
}

/// How to run the command.
pub struct Runner<'a> {
    pub command: &'a [String],
    pub runs: usize,
    pub timeout: Option<Duration>,
}

/// Why a verification stopped without a verdict.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("the baseline fails: `{command}` fails on the project as it is, before any fix is applied; nothing was changed\n{tail}")]
    BaselineFails { command: String, tail: String },
    #[error("interrupted: nothing was changed")]
    Interrupted,
}

/// Verifies `changes` to the project at `root` with `runner`; `progress`
/// hears of each step.
pub fn verify(
    root: &Path,
    changes: Vec<Change>,
    runner: &Runner,
    progress: &mut dyn FnMut(&str),
) -> Result<Verified> {
    let scratch = tempfile::Builder::new()
        .prefix("hybridize-verify-")
        .tempdir()
        .context("cannot create a temporary directory for the copy")?;
    let copy = scratch.path().join("project");
    copy_tree(root, &copy).context("cannot copy the project")?;
    let log = scratch.path().join("output.log");
    let _interrupts = ForwardedInterrupts::install();
    progress(&format!(
        "running `{}` {} on the project as it is",
        runner.command.join(" "),
        times(runner.runs)
    ));
    let baseline = match measure(&copy, &log, runner)? {
        Measured::Passed(seconds) => seconds,
        Measured::Failed(tail) => {
            return Err(VerifyError::BaselineFails {
                command: runner.command.join(" "),
                tail,
            }
            .into())
        }
    };
    let noise = spread(&baseline).max(MIN_NOISE);
    let baseline = median(&baseline);
    let mut current = baseline;
    let mut verdicts = Vec::new();
    for change in changes {
        progress(&format!("with the changes to {}", change.path.display()));
        let target = copy.join(&change.path);
        fs::write(&target, &change.fixed)?;
        let verdict = match measure(&copy, &log, runner)? {
            Measured::Failed(tail) => Verdict::Failed { tail },
            Measured::Passed(seconds) => {
                let after = median(&seconds);
                if after - current > (current * noise).max(MIN_NOISE_SECONDS) {
                    Verdict::Slower {
                        before: current,
                        after,
                    }
                } else {
                    Verdict::Kept { median: after }
                }
            }
        };
        match verdict {
            Verdict::Kept { median } => current = median,
            _ => fs::write(&target, &change.original)?,
        }
        verdicts.push((change, verdict));
    }
    Ok(Verified {
        baseline,
        noise,
        runs: runner.runs,
        verdicts,
        last: current,
    })
}

enum Measured {
    Passed(Vec<f64>),
    /// The last lines of the output of the first run that failed.
    Failed(String),
}

/// Runs the command `runner.runs` times in `dir`, stopping at the first
/// failure.
fn measure(dir: &Path, log: &Path, runner: &Runner) -> Result<Measured> {
    let mut seconds = Vec::new();
    for _ in 0..runner.runs.max(1) {
        let (program, args) = runner
            .command
            .split_first()
            .ok_or_else(|| anyhow!("no command to verify with: give one after `--`"))?;
        let output = fs::File::create(log)?;
        let start = Instant::now();
        let mut child = Command::new(program)
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(output.try_clone()?)
            .stderr(output)
            .spawn()
            .map_err(|error| {
                if error.kind() == std::io::ErrorKind::NotFound {
                    anyhow::Error::new(super::trace::TraceError::NotFound(program.clone()))
                } else {
                    anyhow::Error::new(super::trace::TraceError::Spawn(program.clone(), error))
                }
            })?;
        let status = loop {
            if let Some(status) = child.try_wait()? {
                break Some(status);
            }
            if runner.timeout.is_some_and(|limit| start.elapsed() > limit) {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let elapsed = start.elapsed().as_secs_f64();
        let tail = tail(&fs::read_to_string(log).unwrap_or_default(), 12);
        match status {
            None => {
                let limit = runner.timeout.unwrap_or_default().as_secs_f64();
                return Ok(Measured::Failed(format!(
                    "{tail}\n(stopped after the timeout of {limit} s)"
                )));
            }
            Some(status) => {
                use std::os::unix::process::ExitStatusExt;
                if status.signal() == Some(libc::SIGINT) || status.code() == Some(130) {
                    bail!(VerifyError::Interrupted);
                }
                if !status.success() {
                    let code = status.code().map_or_else(
                        || format!("signal {}", status.signal().unwrap_or(0)),
                        |c| format!("status {c}"),
                    );
                    return Ok(Measured::Failed(format!("{tail}\n(exit {code})")));
                }
            }
        }
        seconds.push(elapsed);
    }
    Ok(Measured::Passed(seconds))
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// The noise of `values` relative to their median: twice their median
/// absolute deviation (one run slowed by a busy machine does not make
/// every change look like noise, as the range would).
fn spread(values: &[f64]) -> f64 {
    let median = median(values);
    let deviations: Vec<f64> = values.iter().map(|v| (v - median).abs()).collect();
    if median > 0.0 {
        2.0 * self::median(&deviations) / median
    } else {
        0.0
    }
}

fn times(runs: usize) -> String {
    if runs == 1 {
        "once".to_string()
    } else {
        format!("{runs} times")
    }
}

/// Copies the project at `from` to `to`, without version control, caches
/// and virtualenvs (symbolic links are copied as links).
fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        let target = to.join(&name);
        let kind = entry.file_type()?;
        if kind.is_symlink() {
            std::os::unix::fs::symlink(fs::read_link(entry.path())?, &target)?;
        } else if kind.is_dir() {
            let skip = matches!(
                name.to_str(),
                Some(".git" | "__pycache__" | ".pytest_cache" | ".hybridize_cache" | ".mypy_cache")
            ) || entry.path().join("pyvenv.cfg").exists();
            if !skip {
                copy_tree(&entry.path(), &target)?;
            }
        } else if kind.is_file() {
            fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_and_spread_of_runs() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0]), 2.5);
        assert!((spread(&[9.0, 10.0, 11.0]) - 0.2).abs() < 1e-9);
        // One slow run does not widen it.
        assert!((spread(&[9.5, 10.0, 30.0]) - 0.1).abs() < 1e-9);
    }

    #[test]
    fn a_failing_baseline_changes_nothing() {
        let root = tempfile::tempdir().unwrap();
        fs::write(root.path().join("a.py"), "x = 1\n").unwrap();
        let change = Change {
            path: PathBuf::from("a.py"),
            original: "x = 1\n".into(),
            fixed: "x = 2\n".into(),
            fixes: vec![],
        };
        let command = ["sh".to_string(), "-c".into(), "echo broken; exit 3".into()];
        let runner = Runner {
            command: &command,
            runs: 2,
            timeout: None,
        };
        let error = verify(root.path(), vec![change], &runner, &mut |_| {}).unwrap_err();
        let message = format!("{error:#}");
        assert!(message.starts_with("the baseline fails"), "{message}");
        assert!(message.contains("broken\n(exit status 3)"), "{message}");
        assert_eq!(
            fs::read_to_string(root.path().join("a.py")).unwrap(),
            "x = 1\n"
        );
    }

    #[test]
    fn a_change_that_fails_the_command_is_dropped_and_one_that_passes_kept() {
        let root = tempfile::tempdir().unwrap();
        fs::write(root.path().join("ok.txt"), "0\n").unwrap();
        fs::write(root.path().join("bad.txt"), "0\n").unwrap();
        let change = |name: &str| Change {
            path: PathBuf::from(name),
            original: "0\n".into(),
            fixed: "1\n".into(),
            fixes: vec![],
        };
        // Fails when bad.txt holds 1.
        let command = ["sh".to_string(), "-c".into(), "grep -q 0 bad.txt".into()];
        let runner = Runner {
            command: &command,
            runs: 1,
            timeout: None,
        };
        let verified = verify(
            root.path(),
            vec![change("ok.txt"), change("bad.txt")],
            &runner,
            &mut |_| {},
        )
        .unwrap();
        assert!(matches!(verified.verdicts[0].1, Verdict::Kept { .. }));
        assert!(matches!(verified.verdicts[1].1, Verdict::Failed { .. }));
        // The tree itself is as it was.
        assert_eq!(
            fs::read_to_string(root.path().join("ok.txt")).unwrap(),
            "0\n"
        );
    }

    #[test]
    fn a_run_past_the_timeout_fails() {
        let root = tempfile::tempdir().unwrap();
        let command = ["sleep".to_string(), "5".into()];
        let runner = Runner {
            command: &command,
            runs: 1,
            timeout: Some(Duration::from_millis(200)),
        };
        let error = verify(root.path(), vec![], &runner, &mut |_| {}).unwrap_err();
        assert!(format!("{error:#}").contains("timeout"), "{error:#}");
    }
}
