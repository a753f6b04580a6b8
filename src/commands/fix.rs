//! `hybridize fix`: the unified diff of every change, `--write` to apply
//! them, `-i` to decide each one.

use std::collections::HashMap;
use std::io::{self, IsTerminal, Write};
use std::path::Path;

use anyhow::{bail, Result};

use super::{plural, quiet_lines, reads_stdin, report_errors, reports, run_files, settings, walk};
use crate::cli::FixArgs;
use crate::diagnostic::Applicability;
use crate::diff::colorize;
use crate::exit_status::ExitStatus;
use crate::interactive::Outcome;
use crate::report::{FileReport, KeepReports};
use crate::run::Mode;
use crate::settings::Settings;
use crate::walk::Walked;

pub(super) fn fix(args: FixArgs) -> Result<ExitStatus> {
    let settings = settings(&args.common)?;
    if args.interactive {
        return fix_interactively(&args, &settings);
    }
    let (reports, tests) = reports(&args.common, &settings, Mode::Fix, &KeepReports)?;
    let errors = report_errors(&reports, true);
    let mut not_written = 0;
    let color = args.common.color.enabled(io::stdout().is_terminal());
    let stdin_mode = reads_stdin(&args.common);
    let mut stdout = io::stdout().lock();
    let mut changed_files = 0;
    let mut applied = 0;
    for report in &reports {
        let (Some(source), Some(fixed)) = (&report.source, &report.fixed) else {
            if stdin_mode && args.write && report.error.is_none() {
                // An editor expects the text back even when nothing changed.
                let text = match crate::notebook::get(&report.path) {
                    Some(notebook) => notebook.file.clone(),
                    None => report.source.clone().unwrap_or_default(),
                };
                stdout.write_all(text.as_bytes())?;
            }
            continue;
        };
        changed_files += 1;
        applied += report.applied.len();
        if args.write && stdin_mode {
            match crate::notebook::file_texts(&report.path, source, fixed) {
                Ok((_, fixed)) => stdout.write_all(fixed.as_bytes())?,
                Err(err) => {
                    eprintln!("error: {err}");
                    not_written += 1;
                }
            }
        } else if args.write {
            // A notebook's text is its JSON with the changed cells spliced in.
            let written = crate::notebook::file_texts(&report.path, source, fixed).and_then(
                |(source, fixed)| crate::write::write_atomic(&report.path, &source, &fixed),
            );
            if let Err(err) = written {
                eprintln!("error: {err}");
                not_written += 1;
                changed_files -= 1;
                applied -= report.applied.len();
            }
        } else {
            let diff = crate::notebook::unified_diff(&report.path, source, fixed);
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
    // Only when one of them has a fix that `--unsafe-fixes` would apply.
    let unsafe_more = reports
        .iter()
        .flat_map(|r| &r.diagnostics)
        .any(|d| !d.fix_applies(&settings) && d.applicability() == Some(Applicability::Unsafe));
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
    } else if not_written > 0 {
        writeln!(stderr, "Nothing written.")
    } else if errors.any() {
        writeln!(stderr, "No changes in the files that could be checked.")
    } else {
        writeln!(stderr, "No changes.")
    };
    if not_written > 0 {
        let _ = writeln!(
            stderr,
            "{} with changes could not be written (see errors above).",
            plural(not_written, "file")
        );
    }
    if unfixed > 0 {
        let _ = writeln!(
            stderr,
            "{} without an applied fix (`hybridize check` shows why{}).",
            plural(unfixed, "finding"),
            if unsafe_more {
                "; `--unsafe-fixes` applies more"
            } else {
                ""
            }
        );
    }
    for line in quiet_lines(&reports, tests, &settings) {
        let _ = writeln!(stderr, "{line}");
    }
    errors.summarize(&mut stderr, "fixed");
    Ok(if errors.any() || not_written > 0 {
        ExitStatus::Error
    } else if changed_files > 0 && !args.exit_zero {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

/// `fix --interactive`: questions on stdout, answers from the terminal. The
/// changes offered are those of the same whole-project run as `fix`'s.
fn fix_interactively(args: &FixArgs, settings: &Settings) -> Result<ExitStatus> {
    if reads_stdin(&args.common) {
        bail!("`--interactive` cannot read the source from stdin (`-`): stdin is where the answers come from");
    }
    if !io::stdin().is_terminal() {
        bail!("`--interactive` needs a terminal on stdin to ask its questions; use `hybridize fix` to see the diff or `hybridize fix --write` to apply every fix");
    }
    let files = walk(&args.common.paths, settings)?;
    let reports = run_files(&files, settings, Mode::Check, &KeepReports);
    let errors = report_errors(&reports, true);
    let color = args.common.color.enabled(io::stdout().is_terminal());
    let mut outcome = crate::interactive::review(
        &reports,
        settings,
        color,
        &mut io::stdin().lock(),
        &mut io::stdout().lock(),
    )?;
    drop(reports);
    count_follow_ups(&mut outcome, &files, settings);
    let mut stderr = io::stderr().lock();
    let _ = if outcome.offered == 0 && errors.any() {
        writeln!(stderr, "No changes in the files that could be checked.")
    } else if outcome.offered == 0 {
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
    errors.summarize(&mut stderr, "checked");
    Ok(if errors.any() || outcome.errors > 0 {
        ExitStatus::Error
    } else if outcome.files_written > 0 && !args.exit_zero {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

/// Counts the changes that became possible only through the accepted ones:
/// the project is run again on the written texts (as `fix` would see them
/// next), and in each written file, the applicable changes beyond those
/// declined or skipped in the session are follow-ups.
fn count_follow_ups(outcome: &mut Outcome, files: &Walked, settings: &Settings) {
    if outcome.written.is_empty() {
        return;
    }
    let not_accepted: HashMap<&Path, usize> = outcome
        .written
        .iter()
        .map(|(path, count)| (path.as_path(), *count))
        .collect();
    // Only the findings are counted: no text is kept.
    let drop_text = |report: &mut FileReport| report.source = None;
    let reports = run_files(files, settings, Mode::Check, &drop_text);
    for report in &reports {
        let Some(&not_accepted) = not_accepted.get(report.path.as_path()) else {
            continue;
        };
        let still_applicable = report
            .diagnostics
            .iter()
            .filter(|d| d.fix_applies(settings))
            .count();
        outcome.follow_ups += still_applicable.saturating_sub(not_accepted);
    }
}
