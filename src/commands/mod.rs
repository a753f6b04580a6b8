//! The commands: gather settings and files, run, hand the reports to the
//! command's output, and decide the exit status. Findings and diffs go to
//! stdout; errors, progress and the summary go to stderr.

mod check;
mod explain;
mod fix;
mod review;
mod trace;
mod verify;

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
        Command::Server => crate::server::serve(),
        Command::Clean { path } => clean(&path),
        Command::Trace(args) => trace::trace(args),
        Command::Verify(args) => verify::verify(args),
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
    for (flag, selectors) in [
        ("--select", &common.select),
        ("--extend-select", &common.extend_select),
        ("--ignore", &common.ignore),
    ] {
        check_selectors(flag, selectors.as_deref().unwrap_or_default())?;
    }
    if let Some(select) = &common.select {
        settings.select = select.clone();
    }
    if let Some(extend) = &common.extend_select {
        settings.select.extend(extend.iter().cloned());
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
    // The cache of the project of the first path, unless turned off; its
    // location is resolved here, once, for the whole run. A profiled run
    // has none: what it prints (the notes on stale entries) comes from
    // looking at every file.
    settings.cache_dir = (!common.no_cache && !reads_stdin(common) && common.profile.is_none())
        .then(|| crate::cache::location(start, settings.cache_dir.as_deref()));
    settings.show_refusals |= common.show_refusals;
    settings.include_tests |= common.include_tests;
    if let Some(version) = &common.tensorflow_version {
        settings.tensorflow_version = version
            .parse()
            .map_err(|reason: String| anyhow::anyhow!("--tensorflow-version: {reason}"))?;
        settings.tensorflow_version_origin = "--tensorflow-version".to_string();
    }
    if let Some(path) = &common.profile {
        settings.profile = Some(std::sync::Arc::new(crate::observe::Profile::load(path)?));
    }
    Ok(settings)
}

/// Checks, as ruff does, that each selector of `origin` (a flag) selects
/// something: `ALL`, or a prefix of a code that some codemod reports (its
/// own or an informational one). A typo must not turn every check off.
fn check_selectors(origin: &str, selectors: &[String]) -> Result<()> {
    if let Some(unknown) = selectors
        .iter()
        .find(|selector| !crate::settings::is_known_selector(selector))
    {
        bail!("{origin}: {}", crate::settings::unknown_selector(unknown));
    }
    Ok(())
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

/// The notes about the profile's entries a run ignored (stale ones).
fn print_profile_notes(settings: &Settings) {
    if let Some(profile) = &settings.profile {
        for note in profile.stale_notes() {
            eprintln!("{note}");
        }
    }
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
    let cache = settings
        .cache_dir
        .as_deref()
        .map(|dir| crate::cache::Cache::open(dir, settings));
    let reports = run::run_cached(
        &files.files,
        &files.tests,
        settings,
        mode,
        &progress,
        sink,
        cache.as_ref(),
    );
    progress.finish_and_clear();
    if let Some(cache) = &cache {
        cache.finish();
    }
    print_profile_notes(settings);
    reports
}

/// `hybridize clean`: removes the cache of the project at `path`.
fn clean(path: &Path) -> Result<ExitStatus> {
    let (settings, _) = crate::config::load(path)?;
    let dir = crate::cache::location(path, settings.cache_dir.as_deref());
    let removed = crate::cache::clean(&dir)
        .with_context(|| format!("cannot remove {}", crate::source::shown(&dir)))?;
    if removed {
        eprintln!("Removed {}.", crate::source::shown(&dir));
    } else {
        eprintln!("No cache at {}.", crate::source::shown(&dir));
    }
    Ok(ExitStatus::Success)
}

/// The summary's lines about what was judged and not printed, and about
/// test files: "12 more functions were judged and left eager ...".
fn quiet_lines(reports: &[FileReport], tests: usize, settings: &Settings) -> Vec<String> {
    let mut lines = Vec::new();
    let quiet: usize = reports.iter().map(|r| r.functions_left_quietly).sum();
    if quiet > 0 {
        lines.push(format!(
            "{} judged and left eager: too little tensor work, a closure, model-building or output code (plots, files), or code Keras or a graph caller already traces (`--show-refusals` lists why).",
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

/// The files of a run that could not be checked, by why.
#[derive(Debug, Default, Clone, Copy)]
struct FileErrors {
    /// Files that do not parse (each has a `SyntaxError` finding).
    unparsable: usize,
    /// Files that could not be read, or met a bug in this tool.
    failed: usize,
}

impl FileErrors {
    fn any(&self) -> bool {
        self.unparsable + self.failed > 0
    }

    /// The summary's lines about them; `verb` says what could not be done
    /// to the failed files ("checked", "fixed").
    fn summarize(&self, out: &mut dyn Write, verb: &str) {
        if self.unparsable > 0 {
            let _ = writeln!(
                out,
                "{} could not be parsed (see above).",
                plural(self.unparsable, "file"),
            );
        }
        if self.failed > 0 {
            let _ = writeln!(
                out,
                "{} could not be {verb} (see errors above).",
                plural(self.failed, "file")
            );
        }
    }
}

/// Prints file errors and internal errors (syntax errors only when
/// `print_syntax_errors`: `check` shows them as findings); counts the files
/// that had one.
fn report_errors(reports: &[FileReport], print_syntax_errors: bool) -> FileErrors {
    let mut stderr = io::stderr().lock();
    let mut errors = FileErrors::default();
    for report in reports {
        if let Some(error) = &report.error {
            if print_syntax_errors || !error.is_syntax() {
                let _ = writeln!(stderr, "error: {error}");
            }
        }
        for message in &report.internal_errors {
            let _ = writeln!(stderr, "error: {message}");
        }
        if print_syntax_errors {
            // A notebook's cell that does not parse is left as it is.
            for error in crate::notebook::get(&report.path)
                .iter()
                .flat_map(|notebook| notebook.syntax_errors())
            {
                let _ = writeln!(
                    stderr,
                    "warning: {}:cell {}:{}:{}: syntax error: {}; cell left unchanged",
                    crate::source::shown(&report.path),
                    error.cell + 1,
                    error.row,
                    error.column,
                    error.message
                );
            }
        }
        if report.error.as_ref().is_some_and(|e| e.is_syntax()) {
            errors.unparsable += 1;
        } else if report.error.is_some() || !report.internal_errors.is_empty() {
            errors.failed += 1;
        }
    }
    errors
}

fn plural(count: usize, word: &str) -> String {
    if count == 1 {
        format!("{count} {word}")
    } else {
        format!("{count} {word}s")
    }
}
