//! The commands: gather settings and files, run, render, and decide the
//! exit status. Findings and diffs go to stdout; errors, progress and the
//! summary go to stderr.

use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::cli::{CheckArgs, Cli, Command, CommonArgs, FixArgs, OutputFormat};
use crate::codemods::CODEMODS;
use crate::diff::{colorize, unified_diff};
use crate::render::{self, Emitter, Finding};
use crate::run::{self, FileReport, Mode};
use crate::settings::Settings;
use crate::source::{display, SourceFile};

/// The process exit status: 0 nothing to do, 1 findings or changes, 2 usage,
/// configuration or internal error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    Success,
    Failure,
    Error,
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(status: ExitStatus) -> Self {
        std::process::ExitCode::from(match status {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Error => 2,
        })
    }
}

pub fn run(cli: Cli) -> Result<ExitStatus> {
    match cli.command {
        Command::Check(args) => check(args),
        Command::Fix(args) => fix(args),
        Command::Review(args) => {
            let settings = settings(&args.common)?;
            crate::review::run(&args, &settings)
        }
        Command::Explain { code } => explain(&code),
        Command::Codemods => codemods(),
    }
}

fn explain(code: &str) -> Result<ExitStatus> {
    if let Some(doc) = crate::codemods::informational_doc(code) {
        print!("{doc}");
        return Ok(ExitStatus::Success);
    }
    let Some(codemod) = crate::codemods::find(code) else {
        bail!("unknown codemod `{code}`; `hybridize codemods` lists them all");
    };
    print!("{}", codemod.doc);
    Ok(ExitStatus::Success)
}

fn codemods() -> Result<ExitStatus> {
    let mut out = io::stdout().lock();
    writeln!(out, "{:<7} {:<29} {:<22} SUMMARY", "CODE", "NAME", "FIX")?;
    for codemod in CODEMODS {
        writeln!(
            out,
            "{:<7} {:<29} {:<22} {}",
            codemod.code, codemod.name, codemod.safety, codemod.summary
        )?;
    }
    Ok(ExitStatus::Success)
}

/// Settings from the configuration nearest the first path, overridden by flags.
fn settings(common: &CommonArgs) -> Result<Settings> {
    let start = common
        .stdin_filename
        .as_deref()
        .or_else(|| {
            common
                .paths
                .iter()
                .map(PathBuf::as_path)
                .find(|p| *p != Path::new("-"))
        })
        .unwrap_or(Path::new("."));
    let (mut settings, _) = crate::config::load(start)?;
    if let Some(select) = &common.select {
        settings.select = select.clone();
    }
    if let Some(ignore) = &common.ignore {
        settings.ignore = ignore.clone();
    }
    if common.unsafe_fixes {
        settings.unsafe_fixes = true;
    }
    if common.no_unsafe_fixes {
        settings.unsafe_fixes = false;
    }
    if let Some(exclude) = &common.exclude {
        settings.exclude = exclude.clone();
    }
    if let Some(version) = &common.tensorflow_version {
        settings.tensorflow_version = version
            .parse()
            .map_err(|reason: String| anyhow::anyhow!("--tensorflow-version: {reason}"))?;
        settings.tensorflow_version_origin = "--tensorflow-version".to_string();
    }
    for code in settings.select.iter().chain(&settings.ignore) {
        if code != "ALL" && !code.starts_with("HY") {
            bail!("unknown code or prefix `{code}` (codes look like `HY011`; `hybridize codemods` lists them)");
        }
    }
    Ok(settings)
}

fn reads_stdin(common: &CommonArgs) -> bool {
    common.paths.iter().any(|p| p == Path::new("-"))
}

/// Reports for the files the arguments name (or for stdin).
fn reports(common: &CommonArgs, settings: &Settings, mode: Mode) -> Result<Vec<FileReport>> {
    if reads_stdin(common) {
        if common.paths.len() > 1 {
            bail!("`-` (stdin) cannot be combined with other paths");
        }
        let mut bytes = Vec::new();
        io::stdin()
            .read_to_end(&mut bytes)
            .context("cannot read stdin")?;
        let path = common
            .stdin_filename
            .clone()
            .unwrap_or_else(|| PathBuf::from("-"));
        let report = run::in_worker_pool(|| match SourceFile::from_bytes(&path, bytes) {
            Ok(file) => {
                // Keep the text even when there is nothing to do: `fix --write -`
                // echoes it back.
                let text = file.text.clone();
                let mut report = run::check_source(file, settings, mode);
                report.source.get_or_insert(text);
                report
            }
            Err(error) => FileReport {
                path: path.clone(),
                error: Some(error),
                ..FileReport::default()
            },
        });
        return Ok(vec![report]);
    }
    let files = crate::walk::python_files(&common.paths, &settings.exclude)?;
    let progress = progress_bar(files.len());
    let reports = run::run(&files, settings, mode, &progress);
    progress.finish_and_clear();
    Ok(reports)
}

/// A progress bar on stderr, only for long runs on a terminal.
fn progress_bar(files: usize) -> indicatif::ProgressBar {
    if files < 500 || !io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(files as u64),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} files {elapsed}")
    {
        bar.set_style(style);
    }
    bar
}

/// Prints file errors and internal errors; returns how many files had one.
fn report_errors(reports: &[FileReport]) -> usize {
    let mut stderr = io::stderr().lock();
    let mut failed = 0;
    for report in reports {
        if let Some(error) = &report.error {
            let _ = writeln!(stderr, "error: {error}");
        }
        for message in &report.internal_errors {
            let _ = writeln!(stderr, "error: {message}");
        }
        if report.error.is_some() || !report.internal_errors.is_empty() {
            failed += 1;
        }
    }
    failed
}

fn plural(count: usize, word: &str) -> String {
    if count == 1 {
        format!("{count} {word}")
    } else {
        format!("{count} {word}s")
    }
}

fn check(args: CheckArgs) -> Result<ExitStatus> {
    let settings = settings(&args.common)?;
    let mut reports = reports(&args.common, &settings, Mode::Report)?;
    let errors = report_errors(&reports);
    let findings = render::findings(&mut reports, &settings);
    let color = args.common.color.enabled(io::stdout().is_terminal());
    let emitter: Box<dyn Emitter> = match args.output_format {
        OutputFormat::Full => Box::new(render::Full { color }),
        OutputFormat::Concise => Box::new(render::Concise { color }),
        OutputFormat::Json => Box::new(render::Json),
        OutputFormat::JsonLines => Box::new(render::JsonLines),
        OutputFormat::Github => Box::new(render::Github),
        OutputFormat::Sarif => Box::new(render::Sarif),
        OutputFormat::Rdjson => Box::new(render::Rdjson),
        OutputFormat::Rdjsonl => Box::new(render::Rdjsonl),
    };
    // One write per buffer, not per line (stdout is line-buffered): a
    // large report is thousands of lines.
    let mut out = io::BufWriter::new(io::stdout().lock());
    emitter.emit(&mut out, &findings)?;
    out.flush()?;
    drop(out);
    summarize_check(&findings, errors, reports.len(), &settings);
    Ok(if errors > 0 {
        ExitStatus::Error
    } else if findings
        .iter()
        .any(|f| !crate::diagnostic::is_informational(f.code))
        && !args.exit_zero
    {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

fn summarize_check(findings: &[Finding], errors: usize, files: usize, settings: &Settings) {
    let mut stderr = io::stderr().lock();
    let applicable = findings.iter().filter(|f| f.fix_applies).count();
    let unsafe_only = findings
        .iter()
        .filter(|f| {
            !settings.unsafe_fixes
                && f.fix
                    .as_ref()
                    .is_some_and(|fix| fix.applicability == "unsafe")
        })
        .count();
    let _ = if findings.is_empty() {
        writeln!(
            stderr,
            "All checked: nothing to do in {}.",
            plural(files, "file")
        )
    } else {
        let mut line = format!("Found {}", plural(findings.len(), "finding"));
        if applicable > 0 {
            line.push_str(&format!(" ({applicable} fixable with `hybridize fix`"));
            if unsafe_only > 0 {
                line.push_str(&format!(", {unsafe_only} more with `--unsafe-fixes`"));
            }
            line.push(')');
        } else if unsafe_only > 0 {
            line.push_str(&format!(
                " ({unsafe_only} fixable with `hybridize fix --unsafe-fixes`)"
            ));
        }
        writeln!(stderr, "{line}.")
    };
    if errors > 0 {
        let _ = writeln!(
            stderr,
            "{} could not be checked (see errors above).",
            plural(errors, "file")
        );
    }
}

fn fix(args: FixArgs) -> Result<ExitStatus> {
    let settings = settings(&args.common)?;
    if args.interactive {
        return fix_interactively(&args, &settings);
    }
    let reports = reports(&args.common, &settings, Mode::Fix)?;
    let mut errors = report_errors(&reports);
    let color = args.common.color.enabled(io::stdout().is_terminal());
    let stdin_mode = reads_stdin(&args.common);
    let mut stdout = io::stdout().lock();
    let mut changed_files = 0;
    let mut applied = 0;
    for report in &reports {
        let (Some(source), Some(fixed)) = (&report.source, &report.fixed) else {
            if stdin_mode && args.write && report.error.is_none() {
                // An editor expects the text back even when nothing changed.
                stdout.write_all(report.source.as_deref().unwrap_or_default().as_bytes())?;
            }
            continue;
        };
        changed_files += 1;
        applied += report.applied.len();
        if args.write && stdin_mode {
            stdout.write_all(fixed.as_bytes())?;
        } else if args.write {
            if let Err(err) = crate::write::write_atomic(&report.path, source, fixed) {
                eprintln!("error: {err}");
                errors += 1;
                changed_files -= 1;
                applied -= report.applied.len();
            }
        } else {
            let diff = unified_diff(&display(&report.path), source, fixed);
            let diff = if color { colorize(&diff) } else { diff };
            stdout.write_all(diff.as_bytes())?;
        }
    }
    drop(stdout);
    let unfixed: usize = reports
        .iter()
        .flat_map(|r| &r.diagnostics)
        .filter(|d| !d.fix_applies(&settings))
        .count();
    let mut stderr = io::stderr().lock();
    let verb = if args.write { "Applied" } else { "Would apply" };
    let _ = if changed_files > 0 {
        writeln!(
            stderr,
            "{verb} {} to {}.",
            if applied == 1 {
                "1 fix".to_string()
            } else {
                format!("{applied} fixes")
            },
            plural(changed_files, "file")
        )
    } else {
        writeln!(stderr, "No changes.")
    };
    if unfixed > 0 {
        let _ = writeln!(
            stderr,
            "{} without an applied fix (`hybridize check` shows why{}).",
            plural(unfixed, "finding"),
            if settings.unsafe_fixes {
                ""
            } else {
                "; `--unsafe-fixes` applies more"
            }
        );
    }
    if errors > 0 {
        let _ = writeln!(
            stderr,
            "{} could not be fixed (see errors above).",
            plural(errors, "file")
        );
    }
    Ok(if errors > 0 {
        ExitStatus::Error
    } else if changed_files > 0 && !args.exit_zero {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

/// `fix --interactive`: questions on stdout, answers from the terminal.
fn fix_interactively(args: &FixArgs, settings: &Settings) -> Result<ExitStatus> {
    if reads_stdin(&args.common) {
        bail!("`--interactive` cannot read the source from stdin (`-`): stdin is where the answers come from");
    }
    if !io::stdin().is_terminal() {
        bail!("`--interactive` needs a terminal on stdin to ask its questions; use `hybridize fix` to see the diff or `hybridize fix --write` to apply every fix");
    }
    let reports = reports(&args.common, settings, Mode::Check)?;
    let errors = report_errors(&reports);
    let color = args.common.color.enabled(io::stdout().is_terminal());
    let outcome = crate::interactive::review(
        &reports,
        settings,
        color,
        &mut io::stdin().lock(),
        &mut io::stdout().lock(),
    )?;
    let mut stderr = io::stderr().lock();
    let _ = if outcome.offered == 0 {
        writeln!(stderr, "No changes.")
    } else {
        writeln!(
            stderr,
            "Applied {} of {} to {}.",
            outcome.applied,
            plural(outcome.offered, "change"),
            plural(outcome.files_written, "file")
        )
    };
    if outcome.overlapping > 0 || outcome.follow_ups > 0 {
        let _ = writeln!(
            stderr,
            "{} left for the next run (`hybridize fix -i` again).",
            plural(outcome.overlapping + outcome.follow_ups, "change")
        );
    }
    Ok(if errors + outcome.errors > 0 {
        ExitStatus::Error
    } else if outcome.files_written > 0 && !args.exit_zero {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}
