//! The whole run, repeated while fixes change files: a fix in one file can
//! change what is known about another, so that a second run would propose
//! more.

use std::path::PathBuf;

use super::inputs::Overlay;
use super::phases::run_round;
use super::Mode;
use crate::report::{FileReport, KeepReports, ReportSink};
use crate::settings::Settings;

/// Checks (and, in [`Mode::Fix`], fixes) every file, in parallel, in one
/// round of three phases ([`run_round`]); when fixing, rounds repeat on the
/// fixed texts until no file changes.
///
/// Each file's report goes to `sink` as soon as it is final: in
/// [`Mode::Check`] as the last phase finishes the file, so that the sink
/// can drop its text early; in [`Mode::Fix`] once no round changes any
/// file.
pub fn run(
    paths: &[PathBuf],
    settings: &Settings,
    mode: Mode,
    progress: &indicatif::ProgressBar,
    sink: &dyn ReportSink,
) -> Vec<FileReport> {
    if mode == Mode::Check {
        return run_round(paths, settings, mode, progress, &Overlay::default(), sink);
    }
    let mut reports = run_round(
        paths,
        settings,
        mode,
        progress,
        &Overlay::default(),
        &KeepReports,
    );
    // A fix in one file can change what is known about another (a function
    // that became a graph function, or moved): the whole run is repeated on
    // the fixed texts until no file changes, so that a second run proposes
    // nothing.
    for round in 1..=MAX_PROJECT_ROUNDS {
        let overlay: Overlay = reports
            .iter()
            .filter_map(|r| r.fixed.clone().map(|fixed| (r.path.clone(), fixed)))
            .collect();
        if overlay.is_empty() {
            break;
        }
        let hidden = indicatif::ProgressBar::hidden();
        let next = run_round(paths, settings, mode, &hidden, &overlay, &KeepReports);
        let mut changed = false;
        for (report, next) in reports.iter_mut().zip(next) {
            report.internal_errors.extend(next.internal_errors);
            if let Some(fixed) = next.fixed {
                changed = true;
                // A file first changed in this round was read from disk in it.
                if report.source.is_none() {
                    report.source = next.source;
                }
                report.applied.extend(next.applied);
                report.fixed = Some(fixed);
                if round == MAX_PROJECT_ROUNDS {
                    report.internal_errors.push(format!(
                        "internal error: fixes across files did not converge after {} rounds in {}; the fixed text so far is kept. Please report this.",
                        MAX_PROJECT_ROUNDS + 1,
                        crate::source::shown(&report.path)
                    ));
                }
            }
        }
        if !changed {
            break;
        }
    }
    for report in &mut reports {
        sink.file_done(report);
    }
    reports
}

/// Whole-run repetitions after the first, at most, in fix mode.
pub const MAX_PROJECT_ROUNDS: usize = 3;
