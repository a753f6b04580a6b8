//! One run: read and parse each file, build its semantic model, run the
//! selected codemods, and (when fixing) apply fixes to a fixed point with a
//! re-parse after every pass. Files are independent and run in parallel.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;
use ruff_diagnostics::Fix;
use ruff_python_ast::ModModule;
use ruff_python_codegen::Stylist;
use ruff_python_parser::Parsed;
use ruff_source_file::LineIndex;
use ruff_text_size::Ranged;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::apply::apply_fixes;
use crate::checker::Checker;
use crate::codemods::CODEMODS;
use crate::diagnostic::Diagnostic;
use crate::noqa::NoqaMap;
use crate::prescan;
use crate::propagate::{
    add_local_facts, module_names, resolve_inherited_calls_and_tf_classes, ModuleSummary,
    Propagation,
};
use crate::semantic::effects::Callee;
use crate::semantic::facts::FunctionFacts;
use crate::semantic::{ModelInputs, SemanticModel};
use crate::settings::Settings;
use crate::source::{SourceError, SourceFile};

/// Fix passes are repeated until nothing changes, at most this many times.
pub const MAX_FIX_PASSES: usize = 10;

/// Worker threads get a large stack so that deeply nested code (thousands of
/// levels of parentheses or blocks) cannot overflow it while parsing,
/// walking or dropping the tree.
pub const WORKER_STACK_SIZE: usize = 512 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Report findings only.
    Check,
    /// As [`Mode::Check`], with each file's findings rendered
    /// ([`FileReport::findings`]) as soon as they are final, and its text
    /// then dropped: a large run does not hold the text of every file with
    /// a finding until the end.
    Report,
    /// Report findings and compute the fixed text.
    Fix,
}

/// What happened to one file.
#[derive(Debug, Default)]
pub struct FileReport {
    pub path: PathBuf,
    /// The text as read, kept only when there is something to show.
    pub source: Option<String>,
    /// Findings against the text as read.
    pub diagnostics: Vec<Diagnostic>,
    /// The text after all applicable fixes, when it differs from the source.
    pub fixed: Option<String>,
    /// The code of every fix applied, over all passes.
    pub applied: Vec<&'static str>,
    /// Why the file could not be checked.
    pub error: Option<SourceError>,
    /// Bugs in this tool met while fixing the file (a fix that broke the code).
    pub internal_errors: Vec<String>,
    /// In [`Mode::Report`]: the findings, rendered (`source` is then not
    /// kept, and `diagnostics` are emptied).
    pub findings: Vec<crate::render::Finding>,
}

/// Checks (and, in [`Mode::Fix`], fixes) every file, in parallel.
///
/// Three phases keep whole-project analysis linear: (1) every file that
/// may import TensorFlow ([`prescan::names_tensorflow`]) is parsed,
/// summarised and checked on its own, and its tree dropped; other files are
/// summarised only when a function or class they bind is used, directly or
/// through other such files, by one that was; (2) the summaries are joined and effects
/// propagated across modules; (3) only files whose facts changed through
/// other modules (or that have fixes to apply) are parsed again.
pub fn run(
    paths: &[PathBuf],
    settings: &Settings,
    mode: Mode,
    progress: &indicatif::ProgressBar,
) -> Vec<FileReport> {
    let mut reports = run_round(paths, settings, mode, progress, &Overlay::default());
    if mode != Mode::Fix {
        return reports;
    }
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
        let next = run_round(paths, settings, mode, &hidden, &overlay);
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
                        crate::source::display(&report.path)
                    ));
                }
            }
        }
        if !changed {
            break;
        }
    }
    reports
}

/// Whole-run repetitions after the first, at most, in fix mode.
pub const MAX_PROJECT_ROUNDS: usize = 3;

/// Fixed texts that stand in for files on disk in later rounds.
type Overlay = std::collections::HashMap<PathBuf, String>;

/// Reads `path`, or its fixed text from an earlier round.
fn read(path: &Path, overlay: &Overlay) -> Result<SourceFile, SourceError> {
    match overlay.get(path) {
        Some(text) => Ok(SourceFile {
            path: path.to_path_buf(),
            text: text.clone(),
        }),
        None => SourceFile::read(path),
    }
}

fn run_round(
    paths: &[PathBuf],
    settings: &Settings,
    mode: Mode,
    progress: &indicatif::ProgressBar,
    overlay: &Overlay,
) -> Vec<FileReport> {
    in_worker_pool(|| {
        let timer = PhaseTimer::from_env();
        let (mut firsts, callees) = first_phase(paths, settings, overlay);
        timer.lap(
            "phase 1: parse, summarise, check alone (and summarise needed non-TF files)",
            firsts.len() + callees.len(),
        );
        let owners: Vec<usize> = (0..firsts.len())
            .filter(|&i| firsts[i].summary.is_some())
            .collect();
        let mut summaries: Vec<ModuleSummary> = owners
            .iter()
            .filter_map(|&i| firsts[i].summary.take())
            .collect();
        summaries.extend(callees);
        // Classes that are Keras/`tf.Module` classes through a base in
        // another module: their files are checked again knowing it. Their
        // summaries are not rebuilt: effects computed without it are only
        // more conservative (unknown attributes, unknown callees). Found
        // while calls of inherited methods are resolved.
        let tf_classes = resolve_inherited_calls_and_tf_classes(&mut summaries);
        let propagation = Propagation::new(&summaries);
        let mut project_classes: Vec<Vec<String>> = vec![Vec::new(); firsts.len()];
        for (k, classes) in tf_classes.into_iter().enumerate().take(owners.len()) {
            project_classes[owners[k]] = classes;
        }
        timer.lap("phase 2: propagate across modules", summaries.len());
        // Each file's facts are put together and compared, and the file is
        // checked again if they can change its report; the facts are then
        // dropped: never all at once.
        let mut owner_of: Vec<Option<usize>> = vec![None; firsts.len()];
        for (m, &i) in owners.iter().enumerate() {
            owner_of[i] = Some(m);
        }
        let second_looks = std::sync::atomic::AtomicUsize::new(0);
        // `HYBRIDIZE_SECOND_LOOK=all` checks every file again with the
        // run's facts: what the shortcut below must never differ from (the
        // corpus test compares the two; not an interface).
        let look_at_all = std::env::var_os("HYBRIDIZE_SECOND_LOOK").is_some_and(|v| v == "all");
        let reports = firsts
            .into_par_iter()
            .zip(project_classes)
            .zip(owner_of)
            .map(|((first, classes), owner)| {
                let project = owner.and_then(|m| {
                    (look_at_all
                        || has_applicable_fix(&first, settings, mode)
                        || !classes.is_empty()
                        || needs_second_look(&first, &propagation, m))
                    // Put together only when the file is looked at again.
                    .then(|| {
                        summaries[m]
                            .functions
                            .iter()
                            .map(|f| f.qualified_name.clone())
                            .zip(propagation.module_facts(m))
                            .collect::<ProjectFacts>()
                    })
                });
                if project.is_some() {
                    second_looks.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
                let mut report = second_pass(first, project, classes, settings, mode, overlay);
                if mode == Mode::Report {
                    report.findings = crate::render::file_findings(&report, settings);
                    report.diagnostics = Vec::new();
                    report.source = None;
                }
                progress.inc(1);
                report
            })
            .collect();
        drop(propagation);
        // Hundreds of thousands of allocations: freed on every thread
        // (~16 ms on one thread on the corpus).
        summaries.into_par_iter().for_each(drop);
        let second_looks = second_looks.into_inner();
        timer.lap("phase 3: second look", second_looks);
        reports
    })
}

/// With `HYBRIDIZE_PHASE_TIMES` set, each phase's wall time, CPU time (of
/// every thread) and item count go to stderr (for profiling the tool
/// itself; not an interface). CPU time far below twice the wall time on two
/// cores means a thread waited.
struct PhaseTimer(Option<std::cell::Cell<(std::time::Instant, f64)>>);

impl PhaseTimer {
    fn from_env() -> Self {
        Self(
            std::env::var_os("HYBRIDIZE_PHASE_TIMES")
                .map(|_| std::cell::Cell::new((std::time::Instant::now(), cpu_ms()))),
        )
    }

    fn lap(&self, what: &str, items: usize) {
        if let Some(start) = &self.0 {
            let (then, then_cpu) = start.get();
            let (now, now_cpu) = (std::time::Instant::now(), cpu_ms());
            // Resident memory now, from Linux's /proc (0 elsewhere).
            let rss_mib = std::fs::read_to_string("/proc/self/statm")
                .ok()
                .and_then(|statm| statm.split_whitespace().nth(1)?.parse::<u64>().ok())
                .map_or(0, |pages| pages * 4096 / (1024 * 1024));
            eprintln!(
                "hybridize: {:>7.1} ms wall {:>6.0} ms CPU {rss_mib:>5} MiB  {what} ({items})",
                (now - then).as_secs_f64() * 1e3,
                now_cpu - then_cpu,
            );
            start.set((now, now_cpu));
        }
    }
}

/// User and system CPU time of the process so far, in milliseconds, from
/// Linux's /proc (in clock ticks, assumed 100 per second; 0 elsewhere).
fn cpu_ms() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|stat| {
            // Fields after the command name (which may hold blanks).
            let rest = &stat[stat.rfind(')')? + 2..];
            let mut fields = rest.split_whitespace().skip(11);
            let user: f64 = fields.next()?.parse().ok()?;
            let system: f64 = fields.next()?.parse().ok()?;
            Some((user + system) * 10.0)
        })
        .unwrap_or(0.0)
}

/// Facts of one file's functions, by qualified name, from the whole run.
type ProjectFacts = Vec<(String, FunctionFacts)>;

/// A file after the first phase: its report as checked alone, its summary
/// for propagation, and the facts the report was computed with.
struct FirstPass {
    path: PathBuf,
    report: FileReport,
    summary: Option<ModuleSummary>,
    /// Per function (in summary order): what the first phase knew of it.
    local_facts: Vec<LocalFacts>,
    /// A hash of the text the report was computed on.
    text_hash: u64,
}

/// What the first phase knew of a function (cheaper to keep than its facts).
struct LocalFacts {
    /// A hash of the facts the first report was computed with.
    hash: u64,
    /// Whether it ran under graph.
    under_graph: bool,
    /// Whether a codemod that ran reported something about it, under any
    /// of its codes (before `--select`, `--ignore` and `# noqa` filter the
    /// codes: HY001 also reports its HY1xx refusals).
    reported: bool,
}

/// A hash of a file's text, to notice that it changed during the run (not
/// against an adversary: FxHash, eight bytes a step).
fn text_hash(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = rustc_hash::FxHasher::default();
    text.hash(&mut hasher);
    hasher.finish()
}

/// The first pass over one file, and its text when it is skipped.
fn first_pass(path: &Path, settings: &Settings, overlay: &Overlay) -> (FirstPass, Option<String>) {
    let mut first = FirstPass {
        path: path.to_path_buf(),
        report: FileReport {
            path: path.to_path_buf(),
            ..FileReport::default()
        },
        summary: None,
        local_facts: Vec::new(),
        text_hash: 0,
    };
    let file = match read(path, overlay) {
        Ok(file) => file,
        Err(error) => {
            first.report.error = Some(error);
            return (first, None);
        }
    };
    if !prescan::names_tensorflow(&file.text) {
        return (first, Some(file.text));
    }
    let parsed = match file.parse() {
        Ok(parsed) => parsed,
        Err(error) => {
            first.report.error = Some(error);
            return (first, None);
        }
    };
    let mut semantic = SemanticModel::new(parsed.syntax(), &file.text, ModelInputs::default());
    first.summary =
        add_local_facts(&mut semantic, &file.text).map(|summary| summary.named_after(&file.path));
    let all = run_codemods(&file.path, &file.text, &parsed, &semantic, settings);
    // A finding about a nested function can depend on the functions it is
    // nested in (HY002 moves a decoration there): they count as reported.
    let named: FxHashSet<&str> = all.iter().filter_map(|d| d.function.as_deref()).collect();
    let mut reported = vec![false; semantic.functions.len()];
    for (id, function) in semantic.functions.iter().enumerate() {
        if named.contains(function.qualified_name.as_str()) {
            let mut next = Some(id);
            while let Some(id) = next {
                reported[id] = true;
                next = semantic.functions[id].parent;
            }
        }
    }
    drop(named);
    first.local_facts = semantic
        .facts
        .iter()
        .zip(reported)
        .map(|(facts, reported)| LocalFacts {
            hash: facts_hash(facts),
            under_graph: facts.under_graph,
            reported,
        })
        .collect();
    first.report.diagnostics = keep_selected(all, &file.text, &parsed, settings);
    // The text is not held while the whole run is analysed: the last phase
    // reads it again to show the findings, and checks it is the same.
    if !first.report.diagnostics.is_empty() {
        first.text_hash = text_hash(&file.text);
    }
    (first, None)
}

/// The first phase: every file that may import TensorFlow is parsed,
/// summarised and checked on its own; the others are summarised when the
/// run needs them: when a function they define, or a class they bind, is
/// used by a summarised module (transitively, and through re-exports).
/// Module names are matched as the propagation matches them (every dotted
/// suffix of a path). The search runs while the files are read, on the same
/// threads, so that no phase waits for it. Returns the first passes, in
/// `paths` order, and the other summaries, by file.
fn first_phase(
    paths: &[PathBuf],
    settings: &Settings,
    overlay: &Overlay,
) -> (Vec<FirstPass>, Vec<ModuleSummary>) {
    // Names are spelled out on every thread (thousands of paths, several
    // names each); only the table is filled on this one.
    let names: Vec<Vec<String>> = paths.par_iter().map(|path| module_names(path)).collect();
    let mut by_name: FxHashMap<String, Vec<usize>> = FxHashMap::default();
    by_name.reserve(names.iter().map(Vec::len).sum());
    for (i, names) in names.into_iter().enumerate() {
        for name in names {
            by_name.entry(name).or_default().push(i);
        }
    }
    let demand = Demand {
        state: Mutex::new(DemandState {
            by_name,
            files: (0..paths.len())
                .map(|_| FileDemand::Unread(Vec::new()))
                .collect(),
            seen: Default::default(),
            ready: Vec::new(),
        }),
        summaries: Mutex::new(Vec::new()),
        paths,
        overlay,
    };
    let firsts = rayon::scope(|scope| {
        paths
            .par_iter()
            .enumerate()
            .map(|(i, path)| {
                let (first, skipped_text) = first_pass(path, settings, overlay);
                if let Some(summary) = &first.summary {
                    demand.follow(scope, |state| state.follow(summary, &[]));
                } else if let Some(text) = skipped_text {
                    let bound = prescan::bound_names(&text)
                        .into_iter()
                        .map(Box::from)
                        .collect();
                    let wanted = demand.state.lock().expect("demand").skipped(i, bound);
                    if wanted {
                        demand.summarise(scope, i, Some(text));
                    }
                } else {
                    demand.state.lock().expect("demand").files[i] = FileDemand::Parsed;
                }
                first
            })
            .collect()
    });
    let mut summaries = demand.summaries.into_inner().expect("summaries");
    summaries.sort_unstable_by_key(|(i, _)| *i);
    (firsts, summaries.into_iter().map(|(_, s)| s).collect())
}

/// The search for the skipped files a run needs (see [`first_phase`]).
struct Demand<'a> {
    state: Mutex<DemandState>,
    summaries: Mutex<Vec<(usize, ModuleSummary)>>,
    paths: &'a [PathBuf],
    overlay: &'a Overlay,
}

impl<'a> Demand<'a> {
    /// Runs `look` on the state, then summarises the files it made ready.
    fn follow<'s>(&'s self, scope: &rayon::Scope<'s>, look: impl FnOnce(&mut DemandState))
    where
        'a: 's,
    {
        let ready = {
            let mut state = self.state.lock().expect("demand");
            look(&mut state);
            std::mem::take(&mut state.ready)
        };
        for i in ready {
            scope.spawn(move |scope| self.summarise(scope, i, None));
        }
    }

    /// Summarises skipped file `i` (its text when at hand) and looks for
    /// what it refers to.
    fn summarise<'s>(&'s self, scope: &rayon::Scope<'s>, i: usize, text: Option<String>)
    where
        'a: 's,
    {
        let text = match text {
            Some(text) => Some(text),
            None => read(&self.paths[i], self.overlay)
                .ok()
                .map(|file| file.text),
        };
        let summary = text.and_then(|text| {
            let file = SourceFile {
                path: self.paths[i].clone(),
                text,
            };
            let parsed = file.parse().ok()?;
            let semantic = SemanticModel::new(parsed.syntax(), &file.text, ModelInputs::default());
            Some(ModuleSummary::of_file(&semantic, &file.text, &file.path))
        });
        self.follow(scope, |state| state.summarised(i, summary.as_ref()));
        if let Some(summary) = summary {
            self.summaries.lock().expect("summaries").push((i, summary));
        }
    }
}

/// What the search knows of each file, and what it has looked for.
struct DemandState {
    /// Every dotted name of every file → the files.
    by_name: FxHashMap<String, Vec<usize>>,
    files: Vec<FileDemand>,
    /// The names looked for so far, as functions and as classes.
    seen: [FxHashSet<Box<str>>; 2],
    /// Skipped files found needed, to summarise.
    ready: Vec<usize>,
}

enum FileDemand {
    /// Not read yet: the names looked for in it so far (and whether as a
    /// class).
    Unread(Vec<(Box<str>, bool)>),
    /// Parsed in the first phase (or unreadable).
    Parsed,
    /// Skipped: the names it may bind (`def`, `class`, `import`), sorted,
    /// and whether it is needed.
    Skipped {
        bound: Vec<Box<str>>,
        wanted: Wanted,
    },
}

/// Whether a skipped file is needed: not (yet); yes, with the classes
/// looked for in it; or summarised, with the classes it imports.
enum Wanted {
    No,
    Pending(Vec<String>),
    Done(Vec<(String, String)>),
}

impl DemandState {
    /// Records that file `i` was skipped; whether the names looked for in it
    /// before it was read make it needed now.
    fn skipped(&mut self, i: usize, bound: Vec<Box<str>>) -> bool {
        let FileDemand::Unread(looked_for) =
            std::mem::replace(&mut self.files[i], FileDemand::Parsed)
        else {
            return false;
        };
        let binds = |name: &str| bound.binary_search_by(|b| (**b).cmp(name)).is_ok();
        let mut needed = false;
        let mut classes = Vec::new();
        for (name, class) in looked_for {
            if binds(&name) {
                needed = true;
                if class && !classes.iter().any(|c: &String| **c == *name) {
                    classes.push(name.into());
                }
            }
        }
        let wanted = if needed {
            Wanted::Pending(classes)
        } else {
            Wanted::No
        };
        self.files[i] = FileDemand::Skipped { bound, wanted };
        needed
    }

    /// Records that skipped file `i` is summarised (`None`: it does not
    /// parse), and looks for what it refers to, with the classes looked
    /// for in it so far.
    fn summarised(&mut self, i: usize, summary: Option<&ModuleSummary>) {
        let imports = summary.map(|s| s.class_imports.clone()).unwrap_or_default();
        let FileDemand::Skipped { wanted, .. } = &mut self.files[i] else {
            return;
        };
        let Wanted::Pending(classes) = std::mem::replace(wanted, Wanted::Done(imports)) else {
            return;
        };
        if let Some(summary) = summary {
            self.follow(summary, &classes);
        }
    }

    /// Looks for what `summary` refers to in other modules: every function
    /// it calls and every class it derives from (bases are resolved through
    /// the module's own imports), and, of the classes it imports, those
    /// looked for in it (`classes`: it re-exports them).
    fn follow(&mut self, summary: &ModuleSummary, classes: &[String]) {
        for name in imported_calls(summary) {
            self.look_for(name, false);
        }
        for base in summary.classes.iter().flat_map(|class| &class.bases) {
            self.look_for(base, true);
        }
        for (local, qualified) in &summary.class_imports {
            if classes.contains(local) {
                self.look_for(qualified, true);
            }
        }
    }

    /// `a.b.f` may be `f` in module `a.b`, or `b.f` in package `a`: every
    /// skipped module named by a prefix that binds the next name is needed.
    fn look_for(&mut self, name: &str, class: bool) {
        // Looking for the same name again finds nothing new.
        let seen = &mut self.seen[usize::from(class)];
        if seen.contains(name) {
            return;
        }
        seen.insert(name.into());
        let mut later: Vec<(String, String)> = Vec::new();
        let mut prefix = name;
        while let Some((head, _)) = prefix.rsplit_once('.') {
            prefix = head;
            let Some(files) = self.by_name.get(head) else {
                continue;
            };
            let rest = &name[head.len() + 1..];
            let first = rest.split('.').next().unwrap_or(rest);
            for &i in files {
                match &mut self.files[i] {
                    FileDemand::Parsed => {}
                    FileDemand::Unread(looked_for) => {
                        if !looked_for.iter().any(|(n, c)| **n == *first && *c == class) {
                            looked_for.push((first.into(), class));
                        }
                    }
                    FileDemand::Skipped { bound, wanted } => {
                        if bound.binary_search_by(|b| (**b).cmp(first)).is_err() {
                            continue;
                        }
                        match wanted {
                            Wanted::No => {
                                let classes = if class {
                                    vec![first.to_string()]
                                } else {
                                    Vec::new()
                                };
                                *wanted = Wanted::Pending(classes);
                                self.ready.push(i);
                            }
                            Wanted::Pending(classes) => {
                                if class && !classes.iter().any(|c| c == first) {
                                    classes.push(first.to_string());
                                }
                            }
                            // Summarised already: follow its import of the
                            // class.
                            Wanted::Done(imports) => {
                                if class {
                                    later.extend(
                                        imports.iter().filter(|(local, _)| local == first).cloned(),
                                    );
                                }
                            }
                        }
                    }
                }
            }
        }
        for (_, qualified) in later {
            self.look_for(&qualified, true);
        }
    }
}

/// The names of the functions in other modules that this summary calls.
fn imported_calls(summary: &ModuleSummary) -> impl Iterator<Item = &str> {
    summary
        .functions
        .iter()
        .flat_map(|f| &f.calls)
        .chain(&summary.module_calls)
        .filter_map(|call| match &call.callee {
            Callee::External(name) => Some(name.as_str()),
            _ => None,
        })
}

fn facts_hash(facts: &FunctionFacts) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = rustc_hash::FxHasher::default();
    facts.hash(&mut hasher);
    hasher.finish()
}

/// Whether facts from other modules can change what this file reports:
/// whether some function's facts changed, and it is one that the first
/// report said something about, or that runs under graph (here or now), or
/// that is called in a loop elsewhere, or exactly once and at the top level
/// of a module (HY112's shape). A function that is none of these could not
/// gain a finding: it is no candidate of HY001 (which would have reported
/// it, as a finding or a refusal), HY112 needs that one call, and the
/// codemods that look at graph code do not look at it. Findings about a
/// function are computed from its own facts (which hold its callees'
/// effects), so a change elsewhere in the file does not reach them.
/// `m` is the file's module in `propagation`; a function's facts are put
/// together (to compare them) only when it is one of those.
fn needs_second_look(first: &FirstPass, propagation: &Propagation, m: usize) -> bool {
    if propagation.function_count(m) != first.local_facts.len() {
        return true;
    }
    first.local_facts.iter().enumerate().any(|(f, local)| {
        (local.reported || local.under_graph || propagation.runs_or_is_called_hot(m, f))
            && facts_hash(&propagation.function_facts(m, f)) != local.hash
    })
}

fn has_applicable_fix(first: &FirstPass, settings: &Settings, mode: Mode) -> bool {
    mode == Mode::Fix
        && first
            .report
            .diagnostics
            .iter()
            .any(|d| is_applicable(d, settings))
}

/// Checks a file again with the whole run's facts (`project` is `None` when
/// the first phase's report stands).
fn second_pass(
    first: FirstPass,
    project: Option<ProjectFacts>,
    tf_classes: Vec<String>,
    settings: &Settings,
    mode: Mode,
    overlay: &Overlay,
) -> FileReport {
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
            Ok(file) => check_source_with(file, settings, mode, None, &tf_classes),
            Err(error) => FileReport {
                path: first.path,
                error: Some(error),
                ..FileReport::default()
            },
        };
    };
    match read(&first.path, overlay) {
        Ok(file) => check_source_with(file, settings, mode, Some(&project), &tf_classes),
        Err(error) => FileReport {
            path: first.path,
            error: Some(error),
            ..FileReport::default()
        },
    }
}

/// Runs `work` on a thread pool whose threads have [`WORKER_STACK_SIZE`].
/// The pool is built once and lives as long as the process: its threads
/// are not torn down (and their heaps not freed) after every round.
pub fn in_worker_pool<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    static POOL: std::sync::OnceLock<Option<rayon::ThreadPool>> = std::sync::OnceLock::new();
    let pool = POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .stack_size(WORKER_STACK_SIZE)
            .build()
            .ok()
    });
    match pool {
        Some(pool) => pool.install(work),
        None => work(),
    }
}

pub fn check_path(path: &Path, settings: &Settings, mode: Mode) -> FileReport {
    match SourceFile::read(path) {
        Ok(file) => check_source(file, settings, mode),
        Err(error) => FileReport {
            path: path.to_path_buf(),
            error: Some(error),
            ..FileReport::default()
        },
    }
}

/// Checks one file's text, on its own.
pub fn check_source(file: SourceFile, settings: &Settings, mode: Mode) -> FileReport {
    check_source_with(file, settings, mode, None, &[])
}

/// Checks one file's text, with facts from the whole run when given.
fn check_source_with(
    file: SourceFile,
    settings: &Settings,
    mode: Mode,
    project: Option<&[(String, FunctionFacts)]>,
    tf_classes: &[String],
) -> FileReport {
    let mut report = FileReport {
        path: file.path.clone(),
        ..FileReport::default()
    };
    // A file that never names TensorFlow or Keras cannot concern this tool;
    // skipping it before parsing keeps large trees cheap.
    if !prescan::names_tensorflow(&file.text) {
        return report;
    }
    let parsed = match file.parse() {
        Ok(parsed) => parsed,
        Err(error) => {
            report.error = Some(error);
            return report;
        }
    };
    report.diagnostics = diagnose_with(
        &file.path, &file.text, &parsed, settings, project, tf_classes,
    );
    drop(parsed);
    if mode == Mode::Fix
        && report
            .diagnostics
            .iter()
            .any(|d| is_applicable(d, settings))
    {
        let outcome = fix_to_fixed_point(&file, settings, |text, parsed| {
            diagnose_with(&file.path, text, parsed, settings, project, tf_classes)
        });
        report.applied = outcome.applied;
        report.internal_errors = outcome.internal_errors;
        if outcome.text != file.text {
            report.fixed = Some(outcome.text);
        }
    }
    if !report.diagnostics.is_empty() || report.fixed.is_some() {
        report.source = Some(file.text);
    }
    report
}

fn is_applicable(diagnostic: &Diagnostic, settings: &Settings) -> bool {
    diagnostic
        .fix
        .as_ref()
        .is_some_and(|fix| settings.applies(fix.applicability()))
}

/// Runs every selected codemod on a parsed file and drops suppressed findings.
pub fn diagnose(
    path: &Path,
    text: &str,
    parsed: &Parsed<ModModule>,
    settings: &Settings,
) -> Vec<Diagnostic> {
    diagnose_with(path, text, parsed, settings, None, &[])
}

/// [`diagnose`] with facts from the whole run, when given.
fn diagnose_with(
    path: &Path,
    text: &str,
    parsed: &Parsed<ModModule>,
    settings: &Settings,
    project: Option<&[(String, FunctionFacts)]>,
    tf_classes: &[String],
) -> Vec<Diagnostic> {
    let inputs = ModelInputs {
        project_tf_classes: tf_classes,
        project_facts: project,
    };
    let mut semantic = SemanticModel::new(parsed.syntax(), text, inputs);
    add_local_facts(&mut semantic, text);
    diagnose_model(path, text, parsed, &semantic, settings)
}

fn diagnose_model(
    path: &Path,
    text: &str,
    parsed: &Parsed<ModModule>,
    semantic: &SemanticModel,
    settings: &Settings,
) -> Vec<Diagnostic> {
    let diagnostics = run_codemods(path, text, parsed, semantic, settings);
    keep_selected(diagnostics, text, parsed, settings)
}

/// Every finding of the codemods that may report a selected code, before
/// selection and `# noqa`.
fn run_codemods(
    path: &Path,
    text: &str,
    parsed: &Parsed<ModModule>,
    semantic: &SemanticModel,
    settings: &Settings,
) -> Vec<Diagnostic> {
    let module = semantic.module();
    if !semantic.imports.mentions_tensorflow() {
        return Vec::new();
    }
    let stylist = Stylist::from_tokens(parsed.tokens(), text);
    let mut checker = Checker::new(
        path,
        text,
        module,
        parsed.tokens(),
        semantic,
        &stylist,
        settings,
    );
    for codemod in CODEMODS
        .iter()
        .filter(|codemod| codemod.may_report(settings))
    {
        (codemod.run)(&mut checker);
    }
    checker.into_diagnostics()
}

/// The selected findings that no `# noqa` suppresses, in order.
fn keep_selected(
    mut diagnostics: Vec<Diagnostic>,
    text: &str,
    parsed: &Parsed<ModModule>,
    settings: &Settings,
) -> Vec<Diagnostic> {
    diagnostics.retain(|d| settings.is_selected(d.code));
    if !diagnostics.is_empty() && crate::noqa::may_suppress(text) {
        let index = LineIndex::from_source_text(text);
        let noqa = NoqaMap::from_tokens(parsed.tokens(), text, &index);
        diagnostics.retain(|d| !noqa.suppresses(index.line_index(d.start()).get(), d.code));
    }
    diagnostics.sort_by_key(|d| (d.start(), d.code));
    diagnostics
}

/// The result of fixing one file.
#[derive(Debug)]
pub struct FixOutcome {
    pub text: String,
    pub applied: Vec<&'static str>,
    pub internal_errors: Vec<String>,
}

/// Applies applicable fixes pass after pass until no fix applies or the pass
/// limit is reached. After each pass the text is re-parsed; a fix whose
/// result does not parse is dropped and reported as an internal error naming
/// its codemod, and the others are applied without it.
pub fn fix_to_fixed_point(
    file: &SourceFile,
    settings: &Settings,
    mut diagnose: impl FnMut(&str, &Parsed<ModModule>) -> Vec<Diagnostic>,
) -> FixOutcome {
    let mut text = file.text.clone();
    let mut applied = Vec::new();
    let mut internal_errors: Vec<String> = Vec::new();
    let mut parsed = match ruff_python_parser::parse_module(&text) {
        Ok(parsed) => parsed,
        Err(_) => {
            return FixOutcome {
                text,
                applied,
                internal_errors,
            };
        }
    };
    for pass in 0..=MAX_FIX_PASSES {
        let diagnostics = diagnose(&text, &parsed);
        let fixable: Vec<&Diagnostic> = diagnostics
            .iter()
            .filter(|d| is_applicable(d, settings))
            .collect();
        if fixable.is_empty() {
            break;
        }
        if pass == MAX_FIX_PASSES {
            let codes: Vec<&str> = fixable.iter().map(|d| d.code).collect();
            internal_errors.push(format!(
                "internal error: fixes for {} did not converge after {MAX_FIX_PASSES} passes in {}; the fixed text so far is kept. Please report this.",
                codes.join(", "),
                file.display_path()
            ));
            break;
        }
        let fixes: Vec<&Fix> = fixable.iter().filter_map(|d| d.fix.as_ref()).collect();
        let (mut candidate, mut chosen) = apply_fixes(&text, &fixes);
        let mut reparsed = ruff_python_parser::parse_module(&candidate);
        if reparsed.is_err() {
            // Find the fixes that break the file on their own, report them, and
            // apply the rest.
            let broken: Vec<usize> = chosen
                .iter()
                .copied()
                .filter(|&i| {
                    ruff_python_parser::parse_module(&apply_fixes(&text, &[fixes[i]]).0).is_err()
                })
                .collect();
            let keep: Vec<usize> = if broken.is_empty() {
                Vec::new()
            } else {
                chosen
                    .iter()
                    .copied()
                    .filter(|i| !broken.contains(i))
                    .collect()
            };
            let culprits = if broken.is_empty() {
                chosen.clone()
            } else {
                broken
            };
            for &i in &culprits {
                let diagnostic = fixable[i];
                let location = crate::source::location(
                    &LineIndex::from_source_text(&text),
                    &text,
                    diagnostic.start(),
                );
                let message = format!(
                    "internal error: {} ({}) produced invalid Python at {}:{}:{}; its fix was dropped. Please report this.",
                    diagnostic.code,
                    diagnostic.name,
                    file.display_path(),
                    location.row,
                    location.column
                );
                if !internal_errors.contains(&message) {
                    internal_errors.push(message);
                }
            }
            let kept: Vec<&Fix> = keep.iter().map(|&i| fixes[i]).collect();
            let (retry, retry_chosen) = apply_fixes(&text, &kept);
            chosen = retry_chosen.into_iter().map(|j| keep[j]).collect();
            candidate = retry;
            reparsed = ruff_python_parser::parse_module(&candidate);
            if chosen.is_empty() || reparsed.is_err() {
                break;
            }
        }
        applied.extend(chosen.iter().map(|&i| fixable[i].code));
        text = candidate;
        parsed = reparsed.expect("checked above");
    }
    FixOutcome {
        text,
        applied,
        internal_errors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ruff_diagnostics::Edit;
    use ruff_text_size::{TextRange, TextSize};

    fn file(text: &str) -> SourceFile {
        SourceFile {
            path: PathBuf::from("t.py"),
            text: text.to_string(),
        }
    }

    #[test]
    fn a_fix_that_breaks_parsing_is_dropped_and_named() {
        let source = file("x = 1\ny = 2\n");
        let outcome = fix_to_fixed_point(&source, &Settings::default(), |text, _| {
            let mut out = Vec::new();
            // A good fix: `x` → `z`, once.
            if text.starts_with('x') {
                let edit = Edit::replacement("z".into(), TextSize::new(0), TextSize::new(1));
                out.push(
                    Diagnostic::new("HY900", "good", "m", TextRange::default())
                        .with_fix("t", Fix::safe_edit(edit)),
                );
            }
            // A bad fix that always breaks the second line.
            let edit = Edit::replacement("y = (".into(), TextSize::new(6), TextSize::new(9));
            out.push(
                Diagnostic::new("HY901", "breaker", "m", TextRange::default())
                    .with_fix("t", Fix::safe_edit(edit)),
            );
            out
        });
        assert_eq!(outcome.text, "z = 1\ny = 2\n");
        assert_eq!(outcome.applied, vec!["HY900"]);
        assert_eq!(outcome.internal_errors.len(), 1);
        assert!(
            outcome.internal_errors[0].contains("HY901 (breaker)"),
            "{:?}",
            outcome.internal_errors
        );
        assert!(
            outcome.internal_errors[0].contains("t.py:1:1"),
            "{:?}",
            outcome.internal_errors
        );
    }

    #[test]
    fn fixes_repeat_until_nothing_changes_and_stop_at_the_bound() {
        let source = file("a\n");
        let outcome = fix_to_fixed_point(&source, &Settings::default(), |text, _| {
            // Each pass appends one more `a` — a codemod that never converges.
            let end = TextSize::try_from(text.len() - 1).unwrap();
            vec![Diagnostic::new("HY900", "grow", "m", TextRange::default())
                .with_fix("t", Fix::safe_edit(Edit::insertion("a".into(), end)))]
        });
        assert_eq!(outcome.applied.len(), MAX_FIX_PASSES);
        assert_eq!(
            outcome.text,
            format!("{}\n", "a".repeat(MAX_FIX_PASSES + 1))
        );
        assert!(
            outcome.internal_errors[0].contains("did not converge"),
            "{:?}",
            outcome.internal_errors
        );
    }
}
