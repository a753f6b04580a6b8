//! One round of the run, in three phases that keep whole-project analysis
//! linear: the first look at every file, propagation across modules, and a
//! second look at the files whose facts changed.

use super::first_look::first_phase;
use super::inputs::{Round, RoundInputs};
use super::links::{ModuleStub, RunLinks};
use super::propagation::Modules;
use super::second_look::second_phase;
use super::star::StarImports;
use super::timing::PhaseTimer;
use super::{in_worker_pool, Mode};
use crate::codemod::Dependencies;
use crate::propagate::Propagation;
use crate::report::{FileReport, ReportSink};
use crate::settings::Settings;

/// Checks (and, in [`Mode::Fix`], fixes) every file once, in parallel:
/// (1) every file that may import TensorFlow
/// ([`crate::prescan::names_tensorflow`]) is parsed, summarised and checked
/// on its own, and its tree dropped; other files are summarised only when a
/// function or class they bind is used, directly or through other such
/// files, by one that was; (2) the summaries are joined and effects
/// propagated across modules; (3) only files whose facts changed through
/// other modules (or that have fixes to apply) are parsed again. Each
/// report goes to `sink` as soon as the third phase is done with its file.
pub(super) fn run_round(
    inputs: &RoundInputs,
    settings: &Settings,
    mode: Mode,
    progress: &indicatif::ProgressBar,
    sink: &dyn ReportSink,
) -> Vec<FileReport> {
    let paths = inputs.paths;
    in_worker_pool(|| {
        let stars = StarImports::new(paths, inputs.overlay);
        let round = Round {
            settings,
            mode,
            overlay: inputs.overlay,
            depends: Dependencies::of(crate::codemods::selected(settings)),
            stars: &stars,
            call_sites_only: inputs.call_sites_only,
            budgets: inputs.budgets,
            cache: inputs.cache,
            contents: inputs.contents,
        };
        let timer = PhaseTimer::from_env();
        let (mut firsts, callees) = first_phase(paths, &round);
        timer.lap(
            "phase 1: parse, summarise, check alone (and summarise needed non-TF files)",
            firsts.len() + callees.len(),
        );
        // A recorded run keeps the names of its modules as the first look
        // made them, for a run after an edit.
        let stubs = inputs.links.map(|_| ModuleStub::of_run(&firsts, &callees));
        let modules = Modules::gather(&mut firsts, callees);
        let propagation = Propagation::new(&modules.summaries);
        if let Some((slot, stubs)) = inputs.links.zip(stubs) {
            if let Some(links) = RunLinks::of_run(paths, &modules, stubs, &propagation, &stars) {
                let _ = slot.set(links);
            }
        }
        timer.lap("phase 2: propagate across modules", modules.summaries.len());
        let (reports, second_looks) =
            second_phase(firsts, &modules, &propagation, &round, sink, progress);
        drop(propagation);
        modules.drop_in_parallel();
        timer.lap("phase 3: second look", second_looks);
        reports
    })
}
