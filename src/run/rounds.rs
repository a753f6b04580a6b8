//! The whole run, repeated while fixes change files and reported fixes
//! are left: a reported fix that had to wait for another (in the same file)
//! is applied in a later round, on the fixed texts, with what the other
//! files' fixes tell about it. Nothing the first round did not report is
//! applied.

use std::path::PathBuf;

use super::after_edit::after_edit;
use super::inputs::{Budgets, Overlay, RoundInputs};
use super::phases::run_round;
use super::replay::{replay, Recorder};
use super::Mode;
use crate::cache::Cache;
use crate::report::{FileReport, KeepReports, ReportSink};
use crate::settings::Settings;

/// Checks (and, in [`Mode::Fix`], fixes) every file, in parallel, in one
/// round of three phases ([`run_round`]); when fixing, rounds repeat on the
/// fixed texts while a file changes and reported fixes are left to apply.
/// `call_sites_only` (per path, or empty): files analysed for the call
/// sites they hold, with no findings (tests).
///
/// Each file's report goes to `sink` as soon as it is final: in
/// [`Mode::Check`] as the last phase finishes the file, so that the sink
/// can drop its text early; in [`Mode::Fix`] once no round changes any
/// file.
pub fn run(
    paths: &[PathBuf],
    call_sites_only: &[bool],
    settings: &Settings,
    mode: Mode,
    progress: &indicatif::ProgressBar,
    sink: &dyn ReportSink,
) -> Vec<FileReport> {
    run_cached(paths, call_sites_only, settings, mode, progress, sink, None)
}

/// [`run`], with `texts` standing in for the files they name (an editor's
/// unsaved buffers): the same run, as if the texts had been saved. No
/// cache: what is on disk is not what is checked.
pub fn run_with_texts(
    paths: &[PathBuf],
    call_sites_only: &[bool],
    texts: &Overlay,
    settings: &Settings,
    mode: Mode,
    progress: &indicatif::ProgressBar,
    sink: &dyn ReportSink,
) -> Vec<FileReport> {
    run_rounds(
        paths,
        call_sites_only,
        texts,
        settings,
        mode,
        progress,
        sink,
        None,
    )
}

/// [`run`], with a persistent cache of what each file's looks found: the
/// first round reads what it holds for files whose inputs did not change
/// and stores what it computes. Later rounds of a fixing run (on fixed
/// texts nobody will see again) neither read nor write it. A checking run
/// over files none of which changed since the last such run replays its
/// reports ([`replay`]).
pub fn run_cached(
    paths: &[PathBuf],
    call_sites_only: &[bool],
    settings: &Settings,
    mode: Mode,
    progress: &indicatif::ProgressBar,
    sink: &dyn ReportSink,
    cache: Option<&Cache>,
) -> Vec<FileReport> {
    run_rounds(
        paths,
        call_sites_only,
        &Overlay::default(),
        settings,
        mode,
        progress,
        sink,
        cache,
    )
}

#[allow(clippy::too_many_arguments)]
fn run_rounds(
    paths: &[PathBuf],
    call_sites_only: &[bool],
    texts: &Overlay,
    settings: &Settings,
    mode: Mode,
    progress: &indicatif::ProgressBar,
    sink: &dyn ReportSink,
    cache: Option<&Cache>,
) -> Vec<FileReport> {
    let first = RoundInputs {
        paths,
        call_sites_only,
        overlay: texts,
        budgets: None,
        cache,
        contents: None,
        links: None,
    };
    if mode == Mode::Check {
        let Some(cache) = cache else {
            return run_round(&first, settings, mode, progress, sink);
        };
        // No file changed since a run over the same files: its reports.
        let mut missed = None;
        let timer = super::timing::PhaseTimer::from_env();
        if let Some(reports) = replay(paths, call_sites_only, cache, sink, progress, &mut missed) {
            return reports;
        }
        timer.lap("the last run's record read, files looked at", paths.len());
        // One file changed: what the edit reaches is looked at again.
        if let Some(missed) = missed {
            let recorder = Recorder::with_states(paths, sink, missed.start, missed.now.clone());
            if let Some((reports, end)) = after_edit(
                paths,
                call_sites_only,
                settings,
                cache,
                missed,
                &recorder,
                progress,
            ) {
                recorder.finish_with(paths, call_sites_only, cache, &end);
                return reports;
            }
        }
        let recorder = Recorder::new(paths, sink);
        let first = RoundInputs {
            contents: Some(recorder.contents()),
            links: Some(recorder.links()),
            ..first
        };
        let reports = run_round(&first, settings, mode, progress, &recorder);
        recorder.finish(paths, call_sites_only, cache);
        return reports;
    }
    let mut reports = run_round(&first, settings, mode, progress, &KeepReports);
    // The run is repeated on the fixed texts while some file changes: a
    // fix in one file can make one possible in another (a caller now a
    // graph function), and a reported fix left unapplied (it overlapped
    // another) may come back once the other files' fixes are known. A
    // second run must propose nothing.
    for round in 1..=MAX_PROJECT_ROUNDS {
        let fixed: Overlay = reports
            .iter()
            .filter_map(|r| r.fixed.clone().map(|fixed| (r.path.clone(), fixed)))
            .collect();
        let budgets: Budgets = reports
            .iter()
            .filter(|r| !r.unapplied.is_empty())
            .map(|r| (r.path.clone(), r.unapplied.clone()))
            .collect();
        if fixed.is_empty() {
            break;
        }
        let mut overlay = texts.clone();
        overlay.extend(fixed);
        let hidden = indicatif::ProgressBar::hidden();
        let inputs = RoundInputs {
            paths,
            call_sites_only,
            overlay: &overlay,
            budgets: Some(&budgets),
            cache: None,
            contents: None,
            links: None,
        };
        let next = run_round(&inputs, settings, mode, &hidden, &KeepReports);
        let mut changed = false;
        for (report, next) in reports.iter_mut().zip(next) {
            report.internal_errors.extend(next.internal_errors);
            if budgets.contains_key(&report.path) {
                report.unapplied = next.unapplied;
            }
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
