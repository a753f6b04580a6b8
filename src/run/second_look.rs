//! Phase 3, the second look: a file is checked again with the whole run's
//! facts when they can change its report; otherwise its first report
//! stands.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::cached::{second_key, SecondEntry};
use super::contain::contained;
use super::file::check_source_with;
use super::first_pass::{facts_hash, text_hash, FirstPass, LocalFacts};
use super::inputs::read;
use super::inputs::Round;
use super::propagation::Modules;
use super::Mode;
use crate::codemod::Dependencies;
use crate::names::StarImport;
use crate::propagate::{CallShape, OnceDecorated, Propagation};
use crate::report::{FileReport, ReportSink};
use crate::semantic::facts::FunctionFacts;

/// Facts of one file's functions, by qualified name, from the whole run.
type ProjectFacts = Vec<(String, FunctionFacts)>;

/// The third phase: each file's facts from the whole run are put together
/// and compared, and the file is checked again if they can change its
/// report; the facts are then dropped: never all at once. Each report goes
/// to `sink` when it is final. Returns the reports, in file order, and how
/// many files were looked at again.
pub(super) fn second_phase(
    firsts: Vec<FirstPass>,
    modules: &Modules,
    propagation: &Propagation,
    round: &Round,
    sink: &dyn ReportSink,
    progress: &indicatif::ProgressBar,
) -> (Vec<FileReport>, usize) {
    let second_looks = AtomicUsize::new(0);
    // `HYBRIDIZE_SECOND_LOOK=all` checks every file again with the run's
    // facts: what the shortcut below must never differ from (the corpus
    // test compares the two; not an interface).
    let look_at_all = std::env::var_os("HYBRIDIZE_SECOND_LOOK").is_some_and(|v| v == "all");
    let once = OnceDecoratedFiles::of(modules, propagation, round);
    let mut held: Vec<(usize, Vec<StarImport>)> = Vec::new();
    let looked: Vec<(FileReport, Vec<String>, Option<Vec<StarImport>>)> = firsts
        .into_par_iter()
        .enumerate()
        .map(|(i, first)| {
            // Its report waits for the callers' findings.
            let hold = once.holds(i).then(|| first.star_imports.clone());
            let (mut report, looked) =
                look_again(i, first, modules, propagation, round, look_at_all);
            if looked {
                second_looks.fetch_add(1, Ordering::Relaxed);
            }
            // Noted before the sink takes the findings.
            let decorated = once.decorated_in(&report);
            if hold.is_none() {
                sink.file_done(&mut report);
                progress.inc(1);
            }
            (report, decorated, hold)
        })
        .collect();
    let mut reports = Vec::with_capacity(looked.len());
    let mut decorated = Vec::with_capacity(looked.len());
    for (i, (report, decorates, hold)) in looked.into_iter().enumerate() {
        if let Some(stars) = hold {
            held.push((i, stars));
        }
        reports.push(report);
        decorated.push(decorates);
    }
    for (i, stars) in held {
        let path = reports[i].path.clone();
        if let Some(report) =
            once.look_again(i, &path, &stars, &decorated, modules, propagation, round)
        {
            second_looks.fetch_add(1, Ordering::Relaxed);
            reports[i] = report;
        }
        sink.file_done(&mut reports[i]);
        progress.inc(1);
    }
    (reports, second_looks.into_inner())
}

/// The files holding graph functions whose decorator their callers'
/// findings may make redundant ([`Propagation::redundant_once_decorated`]):
/// their reports wait until every other file's is known, and such a file
/// is checked again when every eager caller of one of its graph functions
/// got a finding that decorates it. `check` then reports what `fix`
/// applies in one run, and a second run proposes nothing.
pub(super) struct OnceDecoratedFiles {
    /// Per file holding some: the graph functions and their eager callers.
    held: FxHashMap<usize, Vec<OnceDecorated>>,
    /// The file of each module.
    file_of: FxHashMap<usize, usize>,
}

impl OnceDecoratedFiles {
    pub(super) fn of(modules: &Modules, propagation: &Propagation, round: &Round) -> Self {
        let file_of: FxHashMap<usize, usize> = modules
            .module_of
            .iter()
            .enumerate()
            .filter_map(|(i, m)| m.map(|m| (m, i)))
            .collect();
        let mut held: FxHashMap<usize, Vec<OnceDecorated>> = FxHashMap::default();
        if round.depends.decorated_callers {
            for once in propagation.redundant_once_decorated() {
                if let Some(&i) = file_of.get(&once.module) {
                    if !round.call_sites_only(i) {
                        held.entry(i).or_default().push(once);
                    }
                }
            }
        }
        Self { held, file_of }
    }

    pub(super) fn holds(&self, i: usize) -> bool {
        self.held.contains_key(&i)
    }

    /// The functions `report`'s findings decorate, when any file is held
    /// (noted before a sink takes the findings).
    pub(super) fn decorated_in(&self, report: &FileReport) -> Vec<String> {
        if self.held.is_empty() {
            return Vec::new();
        }
        report
            .diagnostics
            .iter()
            .filter(|finding| crate::codemods::decorates_its_function(finding))
            .filter_map(|finding| finding.function.clone())
            .collect()
    }

    /// File `i` (at `path`) checked again with the graph functions whose
    /// every eager caller the findings decorate (`decorated`, per file:
    /// [`Self::decorated_in`]) marked so; `None` when there are none (its
    /// report stands).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn look_again(
        &self,
        i: usize,
        path: &Path,
        star_imports: &[StarImport],
        decorated: &[Vec<String>],
        modules: &Modules,
        propagation: &Propagation,
        round: &Round,
    ) -> Option<FileReport> {
        let decorated = |(m, name): &(usize, String)| {
            self.file_of
                .get(m)
                .is_some_and(|&j| decorated[j].contains(name))
        };
        let mut facts: Option<Vec<FunctionFacts>> = None;
        let m = modules.module_of[i]?;
        for once in self.held.get(&i)? {
            if once.callers.iter().all(decorated) {
                let facts = facts.get_or_insert_with(|| propagation.module_facts(m));
                facts[once.function].graph_callers_once_decorated = Some(once.callers[0].1.clone());
            }
        }
        let project: ProjectFacts = modules.summaries[m]
            .functions
            .iter()
            .map(|f| f.qualified_name.clone())
            .zip(facts?)
            .collect();
        let file = read(path, round.overlay).ok()?;
        Some(
            contained(path, || {
                check_source_with(
                    file,
                    round.settings,
                    round.mode,
                    Some(&project),
                    &modules.tf_classes[i],
                    star_imports,
                    round.budget(path),
                )
            })
            .unwrap_or_else(|message| failed(path.to_path_buf(), message)),
        )
    }
}

/// File `i`'s report once the run's facts are known: its first report, or
/// (when the facts can change it) a second look; and whether it had one.
pub(super) fn look_again(
    i: usize,
    first: FirstPass,
    modules: &Modules,
    propagation: &Propagation,
    round: &Round,
    look_at_all: bool,
) -> (FileReport, bool) {
    let classes = &modules.tf_classes[i];
    // A test file has no findings to look at again.
    let project = modules.module_of[i]
        .filter(|_| !round.call_sites_only(i))
        .and_then(|m| {
            (look_at_all
                || has_applicable_fix(&first, round)
                || !classes.is_empty()
                || needs_second_look(&first, propagation, m, &round.depends))
            // Put together only when the file is looked at again.
            .then(|| {
                modules.summaries[m]
                    .functions
                    .iter()
                    .map(|f| f.qualified_name.clone())
                    .zip(propagation.module_facts(m))
                    .collect::<ProjectFacts>()
            })
        });
    let looked = project.is_some();
    let path = first.path.clone();
    let report = contained(&path, || second_pass(first, project, classes, round))
        .unwrap_or_else(|message| failed(path.clone(), message));
    (report, looked)
}

/// The report of a file whose analysis panicked.
fn failed(path: PathBuf, message: String) -> FileReport {
    FileReport {
        path,
        internal_errors: vec![message],
        ..FileReport::default()
    }
}

/// Whether facts from other modules can change what this file reports:
/// whether some function's facts changed, and it is one whose facts the
/// findings can depend on ([`can_matter`]). Findings about a function are
/// computed from its own facts (which hold its callees' effects), so a
/// change elsewhere in the file does not reach them. `m` is the file's
/// module in `propagation`; a function's facts are put together (to compare
/// them) only when they can matter.
pub(super) fn needs_second_look(
    first: &FirstPass,
    propagation: &Propagation,
    m: usize,
    depends: &Dependencies,
) -> bool {
    if propagation.function_count(m) != first.local_facts.len() {
        return true;
    }
    first.local_facts.iter().enumerate().any(|(f, local)| {
        can_matter(local, propagation.call_shape(m, f), depends)
            && facts_hash(&propagation.function_facts(m, f)) != local.hash
    })
}

/// Whether a change of a function's facts can change a finding of the
/// selected codemods: when one of them reported something about it, or it
/// is a function of a kind their findings depend on ([`Dependencies`]),
/// as it was when its file was checked alone or as it is in the whole run.
/// A function that is none of these could not gain a finding.
fn can_matter(local: &LocalFacts, shape: CallShape, depends: &Dependencies) -> bool {
    local.reported
        || (depends.graph_code && (local.under_graph || shape.under_graph))
        || (depends.loop_calls && shape.called_in_loop)
        || (depends.single_module_level_call && shape.called_once_at_module_level)
}

/// Whether the file has fixes to apply: in the first round, applicable
/// fixes; in a later one, reported fixes not applied yet.
fn has_applicable_fix(first: &FirstPass, round: &Round) -> bool {
    round.mode == Mode::Fix
        && match round.budget(&first.path) {
            Some(budget) => !budget.is_empty(),
            None => first
                .report
                .diagnostics
                .iter()
                .any(|d| d.fix_applies(round.settings)),
        }
}

/// Checks a file again with the whole run's facts (`project` is `None` when
/// the first phase's report stands).
fn second_pass(
    first: FirstPass,
    project: Option<ProjectFacts>,
    tf_classes: &[String],
    round: &Round,
) -> FileReport {
    let (settings, mode, overlay) = (round.settings, round.mode, round.overlay);
    let Some(project) = project else {
        let mut report = first.report;
        if report.diagnostics.is_empty() {
            return report;
        }
        return match read(&first.path, overlay) {
            Ok(file) if text_hash(&file.text) == first.text_hash => {
                report.source = Some(file.text);
                report
            }
            // Changed while the run went on: check what is there now.
            Ok(file) => check_source_with(
                file,
                settings,
                mode,
                None,
                tf_classes,
                &first.star_imports,
                round.budget(&first.path),
            ),
            Err(error) => FileReport {
                path: first.path,
                error: Some(error),
                ..FileReport::default()
            },
        };
    };
    let file = read(&first.path, overlay);
    if let Ok(file) = &file {
        super::contain::test_panic("second-look", &file.text);
    }
    match file {
        // In a checking run with a cache: what an earlier run's second look
        // found with the same inputs.
        Ok(file) if mode == Mode::Check && round.cache.is_some() => {
            let cache = round.cache.expect("checked above");
            let key = second_key(
                cache,
                &file.path,
                &file.text,
                &project,
                tf_classes,
                &first.star_imports,
            );
            if let Some(entry) = cache.get::<SecondEntry>(key) {
                return entry.into_report(file.path, file.text);
            }
            let report = check_source_with(
                file,
                settings,
                mode,
                Some(&project),
                tf_classes,
                &first.star_imports,
                round.budget(&first.path),
            );
            if let Some(entry) = SecondEntry::of(&report) {
                cache.put(key, &entry);
            }
            report
        }
        Ok(file) => check_source_with(
            file,
            settings,
            mode,
            Some(&project),
            tf_classes,
            &first.star_imports,
            round.budget(&first.path),
        ),
        Err(error) => FileReport {
            path: first.path,
            error: Some(error),
            ..FileReport::default()
        },
    }
}
