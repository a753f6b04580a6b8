//! `hybridize verify -- CMD`: runs the user's command on a copy of the
//! project, first as it is (the baseline), then with the proposed changes
//! added one file at a time; a change is kept when every run passes (and,
//! with `--compare-output`, prints what the baseline printed) and the
//! command is not slower beyond the baseline's noise. A file's change
//! that is not kept is split by bisection over its fixes: the fixes with
//! which the command passes and is not slower are kept, the culprits
//! dropped. The user's tree is never touched here: every run happens in
//! the copy, which is removed on every way out (an interrupt included).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};

use ruff_diagnostics::Fix;

use super::output::{first_difference, Difference};
use super::trace::ForwardedInterrupts;
use crate::apply::apply_fixes;

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
    /// The file's fixes one by one, each against `original` and none
    /// overlapping another: when the whole change is not kept and there
    /// are two or more, subsets of them are tried (each subset's text is
    /// `original` with just its fixes' edits).
    pub parts: Vec<Part>,
}

/// One fix of a file, for bisection.
#[derive(Debug, Clone)]
pub struct Part {
    /// `HY001 \`loss_of\``.
    pub label: String,
    pub fix: Fix,
}

impl Change {
    /// `original` with the edits of the parts in `chosen` only.
    fn with_parts(&self, chosen: &[usize]) -> String {
        let fixes: Vec<&Fix> = chosen.iter().map(|&i| &self.parts[i].fix).collect();
        apply_fixes(&self.original, &fixes).0
    }
}

/// What became of a change.
#[derive(Debug, Clone)]
pub enum Verdict {
    Kept {
        median: f64,
    },
    Failed {
        tail: String,
    },
    Slower {
        before: f64,
        after: f64,
    },
    /// With `--compare-output`: the command passes but prints otherwise.
    Differs(Difference),
}

/// What became of one changed file.
#[derive(Debug)]
pub struct FileVerdict {
    pub change: Change,
    /// The verdict on the whole change (all its fixes at once).
    pub verdict: Verdict,
    /// When the whole change was not kept and was split: each fix's label
    /// and verdict, in the order of `change.parts`.
    pub by_fix: Vec<(String, Verdict)>,
    /// The text kept (`change.fixed`, or the original with the fixes
    /// kept), `None` when nothing of the change is kept.
    pub kept: Option<String>,
}

impl FileVerdict {
    /// How many of the file's fixes are kept, of how many.
    pub fn fixes_kept(&self) -> (usize, usize) {
        if self.by_fix.is_empty() {
            let all = self.change.fixes.len().max(1);
            (if self.kept.is_some() { all } else { 0 }, all)
        } else {
            let kept = self
                .by_fix
                .iter()
                .filter(|(_, v)| matches!(v, Verdict::Kept { .. }))
                .count();
            (kept, self.by_fix.len())
        }
    }
}

/// The outcome of a verification.
#[derive(Debug)]
pub struct Verified {
    pub baseline: f64,
    pub noise: f64,
    pub runs: usize,
    pub verdicts: Vec<FileVerdict>,
    /// The median time with every kept change.
    pub last: f64,
}

/// How to run the command.
pub struct Runner<'a> {
    pub command: &'a [String],
    pub runs: usize,
    pub timeout: Option<Duration>,
    /// With `--compare-output`: the relative tolerance for numbers; a run
    /// passes only when its stdout matches the baseline's.
    pub compare_output: Option<f64>,
}

/// Why a verification stopped without a verdict.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("the baseline fails: `{command}` fails on the project as it is, before any fix is applied; nothing was changed\n{tail}")]
    BaselineFails { command: String, tail: String },
    #[error("the baseline's output varies: `{command}` printed different output in two runs on the project as it is, at line {line} (`{first}`, then `{second}`), so `--compare-output` cannot tell a change's effect from that; nothing was changed (keep only the lines that should repeat, e.g. `sh -c 'python train.py | grep loss'`)")]
    BaselineVaries {
        command: String,
        line: usize,
        first: String,
        second: String,
    },
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
    let (baseline, expected) = match measure(&copy, &log, runner, None)? {
        Measured::Passed(seconds, output) => (seconds, output),
        Measured::Failed(tail) => {
            return Err(VerifyError::BaselineFails {
                command: runner.command.join(" "),
                tail,
            }
            .into())
        }
        Measured::Differs(difference) => {
            return Err(VerifyError::BaselineVaries {
                command: runner.command.join(" "),
                line: difference.line,
                first: difference.baseline.unwrap_or_default(),
                second: difference.with.unwrap_or_default(),
            }
            .into())
        }
    };
    let mut state = State {
        copy,
        log,
        runner,
        expected,
        noise: spread(&baseline).max(MIN_NOISE),
        current: median(&baseline),
    };
    let baseline = state.current;
    let mut verdicts = Vec::new();
    for change in changes {
        progress(&format!("with the changes to {}", change.path.display()));
        let target = state.copy.join(&change.path);
        let verdict = state.try_text(&target, &change.fixed)?;
        if let Verdict::Kept { .. } = verdict {
            let kept = Some(change.fixed.clone());
            verdicts.push(FileVerdict {
                change,
                verdict,
                by_fix: Vec::new(),
                kept,
            });
            continue;
        }
        if change.parts.len() < 2 {
            fs::write(&target, &change.original)?;
            verdicts.push(FileVerdict {
                change,
                verdict,
                by_fix: Vec::new(),
                kept: None,
            });
            continue;
        }
        // Bisection by fix: the whole change is known not to be kept, so
        // its halves are tried, each on top of what is kept so far, and a
        // half that is not kept is split again, down to single fixes.
        progress(&format!(
            "bisecting the {} fixes of {}",
            change.parts.len(),
            change.path.display()
        ));
        let mut kept: Vec<usize> = Vec::new();
        let mut by_fix: Vec<Option<Verdict>> = vec![None; change.parts.len()];
        let all: Vec<usize> = (0..change.parts.len()).collect();
        let (first, second) = all.split_at(all.len() / 2);
        for half in [first, second] {
            state.bisect(&change, &target, half, &mut kept, &mut by_fix, progress)?;
        }
        kept.sort_unstable();
        let text = (!kept.is_empty()).then(|| change.with_parts(&kept));
        fs::write(&target, text.as_deref().unwrap_or(&change.original))?;
        let by_fix = change
            .parts
            .iter()
            .zip(by_fix)
            .map(|(part, verdict)| (part.label.clone(), verdict.expect("every fix is tried")))
            .collect();
        verdicts.push(FileVerdict {
            change,
            verdict,
            by_fix,
            kept: text,
        });
    }
    Ok(Verified {
        baseline,
        noise: state.noise,
        runs: runner.runs,
        verdicts,
        last: state.current,
    })
}

/// The copy, and where the verification stands.
struct State<'a> {
    copy: PathBuf,
    log: PathBuf,
    runner: &'a Runner<'a>,
    /// The baseline's stdout, with `--compare-output`.
    expected: Option<String>,
    noise: f64,
    /// The median time with every change kept so far.
    current: f64,
}

impl State<'_> {
    /// Runs the command with `text` in `target`: the verdict, and the
    /// current time moved on when it is kept. The text stays in the copy.
    fn try_text(&mut self, target: &Path, text: &str) -> Result<Verdict> {
        fs::write(target, text)?;
        let verdict = match measure(&self.copy, &self.log, self.runner, self.expected.as_deref())? {
            Measured::Failed(tail) => Verdict::Failed { tail },
            Measured::Differs(difference) => Verdict::Differs(difference),
            Measured::Passed(seconds, _) => {
                let after = median(&seconds);
                let before = self.current;
                if after - before > (before * self.noise).max(MIN_NOISE_SECONDS) {
                    Verdict::Slower { before, after }
                } else {
                    Verdict::Kept { median: after }
                }
            }
        };
        if let Verdict::Kept { median } = verdict {
            self.current = median;
        }
        Ok(verdict)
    }

    /// Tries the fixes `group` of `change` on top of those `kept`: when
    /// kept, they join `kept`; else a single fix gets the verdict and a
    /// larger group is split in two, each half tried in turn.
    fn bisect(
        &mut self,
        change: &Change,
        target: &Path,
        group: &[usize],
        kept: &mut Vec<usize>,
        by_fix: &mut [Option<Verdict>],
        progress: &mut dyn FnMut(&str),
    ) -> Result<()> {
        if group.is_empty() {
            return Ok(());
        }
        let labels: Vec<&str> = group
            .iter()
            .map(|&i| change.parts[i].label.as_str())
            .collect();
        progress(&format!(
            "with {} of {}",
            labels.join(", "),
            change.path.display()
        ));
        let mut chosen = kept.clone();
        chosen.extend_from_slice(group);
        chosen.sort_unstable();
        let verdict = self.try_text(target, &change.with_parts(&chosen))?;
        if let Verdict::Kept { .. } = verdict {
            kept.extend_from_slice(group);
            for &i in group {
                by_fix[i] = Some(verdict.clone());
            }
            return Ok(());
        }
        if let [only] = group {
            by_fix[*only] = Some(verdict);
            return Ok(());
        }
        let (first, second) = group.split_at(group.len() / 2);
        for half in [first, second] {
            self.bisect(change, target, half, kept, by_fix, progress)?;
        }
        Ok(())
    }
}

enum Measured {
    /// The times, and with `--compare-output` the output every run printed.
    Passed(Vec<f64>, Option<String>),
    /// The last lines of the output of the first run that failed.
    Failed(String),
    /// With `--compare-output`: the first run whose stdout differs from the
    /// one expected (or, for the baseline, from its own first run).
    Differs(Difference),
}

/// Runs the command `runner.runs` times in `dir`, stopping at the first
/// failure. With `--compare-output`, each run's stdout is compared with
/// `expected` (or, without, with the first run's).
fn measure(dir: &Path, log: &Path, runner: &Runner, expected: Option<&str>) -> Result<Measured> {
    let mut seconds = Vec::new();
    let mut reference = expected.map(str::to_string);
    let stdout_log = log.with_extension("stdout");
    for _ in 0..runner.runs.max(1) {
        let (program, args) = runner
            .command
            .split_first()
            .ok_or_else(|| anyhow!("no command to verify with: give one after `--`"))?;
        let output = fs::File::create(log)?;
        // Kept apart only when it is compared: else the two interleave as
        // the command wrote them, for the tail of a failure.
        let stdout = if runner.compare_output.is_some() {
            fs::File::create(&stdout_log)?
        } else {
            output.try_clone()?
        };
        let start = Instant::now();
        let mut child = Command::new(program)
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(stdout)
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
        let printed = runner.compare_output.map(|_| {
            String::from_utf8_lossy(&fs::read(&stdout_log).unwrap_or_default()).into_owned()
        });
        let mut text = printed.clone().unwrap_or_default();
        text.push_str(&String::from_utf8_lossy(&fs::read(log).unwrap_or_default()));
        let tail = tail(&text, 12);
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
        if let (Some(rtol), Some(printed)) = (runner.compare_output, printed) {
            match &reference {
                None => reference = Some(printed),
                Some(expected) => {
                    if let Some(difference) = first_difference(expected, &printed, rtol) {
                        return Ok(Measured::Differs(difference));
                    }
                }
            }
        }
        seconds.push(elapsed);
    }
    Ok(Measured::Passed(seconds, reference))
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
            parts: vec![],
        };
        let command = ["sh".to_string(), "-c".into(), "echo broken; exit 3".into()];
        let runner = Runner {
            command: &command,
            runs: 2,
            timeout: None,
            compare_output: None,
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
            parts: vec![],
        };
        // Fails when bad.txt holds 1.
        let command = ["sh".to_string(), "-c".into(), "grep -q 0 bad.txt".into()];
        let runner = Runner {
            command: &command,
            runs: 1,
            timeout: None,
            compare_output: None,
        };
        let verified = verify(
            root.path(),
            vec![change("ok.txt"), change("bad.txt")],
            &runner,
            &mut |_| {},
        )
        .unwrap();
        assert!(matches!(verified.verdicts[0].verdict, Verdict::Kept { .. }));
        assert!(matches!(
            verified.verdicts[1].verdict,
            Verdict::Failed { .. }
        ));
        assert_eq!(verified.verdicts[1].kept, None);
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
            compare_output: None,
        };
        let error = verify(root.path(), vec![], &runner, &mut |_| {}).unwrap_err();
        assert!(format!("{error:#}").contains("timeout"), "{error:#}");
    }

    /// A change of `a.txt` from `original` with one fix per word: each
    /// replaces a `.` with the word.
    fn split_change(original: &str, words: &[&str]) -> Change {
        use ruff_diagnostics::Edit;
        use ruff_text_size::TextSize;
        let dots: Vec<usize> = original.match_indices('.').map(|(i, _)| i).collect();
        let parts: Vec<Part> = words
            .iter()
            .zip(dots)
            .map(|(word, at)| Part {
                label: format!("fix {word}"),
                fix: Fix::safe_edit(Edit::replacement(
                    word.to_string(),
                    TextSize::new(at as u32),
                    TextSize::new(at as u32 + 1),
                )),
            })
            .collect();
        let mut change = Change {
            path: PathBuf::from("a.txt"),
            original: original.into(),
            fixed: String::new(),
            fixes: words.iter().map(|w| format!("fix {w}")).collect(),
            parts,
        };
        change.fixed = change.with_parts(&(0..words.len()).collect::<Vec<_>>());
        change
    }

    #[test]
    fn a_file_whose_change_fails_keeps_the_fixes_that_pass() {
        let root = tempfile::tempdir().unwrap();
        fs::write(root.path().join("a.txt"), ". . . . .\n").unwrap();
        let change = split_change(". . . . .\n", &["a", "b", "BAD", "d", "WORSE"]);
        let command = [
            "sh".to_string(),
            "-c".into(),
            "! grep -q -e BAD -e WORSE a.txt".into(),
        ];
        let runner = Runner {
            command: &command,
            runs: 1,
            timeout: None,
            compare_output: None,
        };
        let mut steps = Vec::new();
        let verified = verify(root.path(), vec![change], &runner, &mut |s| {
            steps.push(s.to_string())
        })
        .unwrap();
        let file = &verified.verdicts[0];
        assert!(matches!(file.verdict, Verdict::Failed { .. }));
        let kept: Vec<&str> = file
            .by_fix
            .iter()
            .filter(|(_, v)| matches!(v, Verdict::Kept { .. }))
            .map(|(label, _)| label.as_str())
            .collect();
        assert_eq!(kept, ["fix a", "fix b", "fix d"]);
        assert!(matches!(file.by_fix[2].1, Verdict::Failed { .. }));
        assert!(matches!(file.by_fix[4].1, Verdict::Failed { .. }));
        assert_eq!(file.kept.as_deref(), Some("a b . d .\n"));
        assert_eq!(file.fixes_kept(), (3, 5));
        // The whole, then [a b] kept, [BAD d WORSE], [BAD], [d WORSE], [d], [WORSE].
        assert_eq!(steps.len(), 1 + 1 + 1 + 6, "{steps:#?}");
        assert_eq!(steps[3], "with fix a, fix b of a.txt");
    }

    #[test]
    fn with_compare_output_a_change_must_print_what_the_baseline_printed() {
        let root = tempfile::tempdir().unwrap();
        for name in ["near.txt", "far.txt"] {
            fs::write(root.path().join(name), "1.0\n").unwrap();
        }
        let change = |name: &str, fixed: &str| Change {
            path: PathBuf::from(name),
            original: "1.0\n".into(),
            fixed: fixed.into(),
            fixes: vec![],
            parts: vec![],
        };
        let command = [
            "sh".to_string(),
            "-c".into(),
            "echo start; echo loss $(cat near.txt) $(cat far.txt); echo end".into(),
        ];
        let runner = Runner {
            command: &command,
            runs: 2,
            timeout: None,
            compare_output: Some(1e-5),
        };
        let verified = verify(
            root.path(),
            vec![
                change("near.txt", "1.000001\n"),
                change("far.txt", "1.01\n"),
            ],
            &runner,
            &mut |_| {},
        )
        .unwrap();
        assert!(matches!(verified.verdicts[0].verdict, Verdict::Kept { .. }));
        match &verified.verdicts[1].verdict {
            Verdict::Differs(difference) => {
                assert_eq!(difference.line, 2);
                assert_eq!(difference.baseline.as_deref(), Some("loss 1.0 1.0"));
                assert_eq!(difference.with.as_deref(), Some("loss 1.000001 1.01"));
            }
            other => panic!("{other:?}"),
        }
        // Output that varies from run to run is refused.
        let command = [
            "sh".to_string(),
            "-c".into(),
            "if [ -e seen ]; then echo second; else touch seen; echo first; fi".into(),
        ];
        let runner = Runner {
            command: &command,
            runs: 2,
            timeout: None,
            compare_output: Some(1e-5),
        };
        let error = verify(root.path(), vec![], &runner, &mut |_| {}).unwrap_err();
        assert!(
            format!("{error:#}").starts_with("the baseline's output varies"),
            "{error:#}"
        );
    }
}
