//! The commands: gather settings and files, run, hand the reports to the
//! command's output, and decide the exit status. Findings and diffs go to
//! stdout; errors, progress and the summary go to stderr.

mod check;
mod explain;
mod fix;
mod review;

use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::cli::{CandidatesArg, Cli, Command, CommonArgs};
use crate::exit_status::ExitStatus;
use crate::report::{FileReport, ReportSink};
use crate::run::{self, Mode};
use crate::settings::{Candidates, Settings};
use crate::source::SourceFile;
use crate::walk::Walked;

pub fn run(cli: Cli) -> Result<ExitStatus> {
    match cli.command {
        Command::Check(args) => check::check(args),
        Command::Fix(args) => fix::fix(args),
        Command::Review(args) => review::review(args),
        Command::Explain { code } => explain::explain(&code),
        Command::Codemods => explain::codemods(),
    }
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
    if let Some(candidates) = common.candidates {
        settings.candidates = match candidates {
            CandidatesArg::Hot => Candidates::Hot,
            CandidatesArg::All => Candidates::All,
        };
    }
    settings.show_refusals |= common.show_refusals;
    settings.include_tests |= common.include_tests;
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

/// Reports for the files the arguments name (or for stdin), each handed to
/// `sink` as soon as it is final, and how many files that look like tests
/// gave only their call sites.
fn reports(
    common: &CommonArgs,
    settings: &Settings,
    mode: Mode,
    sink: &dyn ReportSink,
) -> Result<(Vec<FileReport>, usize)> {
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
        let mut report = run::in_worker_pool(|| match SourceFile::from_bytes(&path, bytes) {
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
        sink.file_done(&mut report);
        return Ok((vec![report], 0));
    }
    let walked = walk(&common.paths, settings)?;
    let tests = walked.test_count();
    Ok((run_files(&walked, settings, mode, sink), tests))
}

/// The Python files under `paths`, and which of them give only their call
/// sites (they look like tests, and `--include-tests` is not given).
fn walk(paths: &[PathBuf], settings: &Settings) -> Result<Walked> {
    let tests: &[String] = if settings.include_tests {
        &[]
    } else {
        &settings.test_files
    };
    Ok(crate::walk::python_files_and_tests(
        paths,
        &settings.exclude,
        tests,
    )?)
}

/// Runs the project made of `files`, with a progress bar for long runs.
fn run_files(
    files: &Walked,
    settings: &Settings,
    mode: Mode,
    sink: &dyn ReportSink,
) -> Vec<FileReport> {
    let progress = progress_bar(files.files.len());
    let reports = run::run(&files.files, &files.tests, settings, mode, &progress, sink);
    progress.finish_and_clear();
    reports
}

/// The summary's lines about what was judged and not printed, and about
/// test files: "12 more functions were judged and left eager ...".
fn quiet_lines(reports: &[FileReport], tests: usize, settings: &Settings) -> Vec<String> {
    let mut lines = Vec::new();
    let quiet: usize = reports.iter().map(|r| r.functions_left_quietly).sum();
    if quiet > 0 {
        lines.push(format!(
            "{} judged and left eager: no tensor work the analysis can see (`--show-refusals` lists why).",
            if quiet == 1 {
                "1 more function was".to_string()
            } else {
                format!("{quiet} more functions were")
            }
        ));
    }
    if tests > 0 && !settings.include_tests {
        lines.push(format!(
            "{} analysed for call sites only; `--include-tests` checks {}.",
            plural(tests, "test file"),
            if tests == 1 { "it" } else { "them" }
        ));
    }
    lines
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
