//! A checking run after an edit: when one file changed since the last run
//! over the same files, and the edit left everything other modules can see
//! of it by name as it was, only the modules that calls link to it
//! (directly or through other modules) are propagated and looked at again;
//! every other file's report is the last run's.
//!
//! Why that is the report of a whole run: the facts of a function depend
//! only on the summaries of the modules its calls link it to, in either
//! direction and transitively (its callees' effects, its callers' arguments
//! and loops), and on the names of every module (which function a call
//! means). The last run recorded which modules calls link
//! ([`RunLinks::component`]: the groups of modules linked to each other)
//! and each module's names ([`ModuleStub`]). After the edit, the edited
//! module's names are compared with the recorded ones: the same names mean
//! that every call outside its group means what it meant (no call of
//! another group can come to mean one of its functions), and that the
//! files the demand search adds are the same. The edited module's group is
//! then propagated with its modules' full summaries, the modules the
//! group's names can meet (by a dotted prefix of a string of the group's
//! summaries, and so on through those modules' bases, class imports and
//! star imports: see [`nameable`]) standing in by their names only (so
//! that names resolve as in a whole run), and every other module by
//! nothing (it keeps its number; no look-up of the propagation can meet
//! it); if a call of the group now means a function outside it, the run
//! is made whole. Anything else, or any
//! doubt (more than one file changed, a file another one star-imports, a
//! summary missing from the cache, a group too large to gain from it),
//! and the run is a whole one.

use std::path::PathBuf;

use rayon::prelude::*;

use super::cached::first_summary;
use super::first_look::first_pass;
use super::first_pass::FirstPass;
use super::inputs::{read, Overlay, Round};
use super::links::{links_key, ModuleStub, RunLinks};
use super::propagation::Modules;
use super::replay::{self, stored_report, unchanged, FileState, Missed, Recorder, StoredReport};
use super::second_look::{look_again, OnceDecoratedFiles};
use super::star::StarImports;
use super::timing::PhaseTimer;
use super::{in_worker_pool, Mode};
use crate::cache::{Cache, Key};
use crate::codemod::Dependencies;
use crate::names::StarImport;
use crate::propagate::{resolve_inherited_calls_and_tf_classes, ModuleSummary, Propagation};
use crate::report::{FileReport, ReportSink};
use crate::settings::Settings;

/// A group larger than this share of the modules (and than
/// [`SMALL_GROUP`]) is propagated with the whole run: the run would read
/// most summaries anyway.
const MAX_GROUP_SHARE: usize = 2;
/// A group this small is always propagated alone.
const SMALL_GROUP: usize = 32;

/// The reports of a checking run after one file changed since the last run
/// over the same files (see the module's documentation), each handed to
/// `recorder`; `None`: run as usual.
pub(super) fn after_edit(
    paths: &[PathBuf],
    call_sites_only: &[bool],
    settings: &Settings,
    cache: &Cache,
    missed: Missed,
    recorder: &Recorder,
    progress: &indicatif::ProgressBar,
) -> Option<(Vec<FileReport>, Vec<Option<FileState>>)> {
    let timer = PhaseTimer::from_env();
    let record = replay::key(cache, paths, call_sites_only);
    let Missed { mut entry, now, .. } = missed;
    // `HYBRIDIZE_SECOND_LOOK=all` (what the corpus test compares with):
    // every file is looked at again, in a whole run.
    if std::env::var_os("HYBRIDIZE_SECOND_LOOK").is_some_and(|v| v == "all") {
        return None;
    }
    let changed: Vec<usize> = (0..paths.len())
        .into_par_iter()
        .filter(|&i| {
            !unchanged(
                &paths[i],
                now[i].as_ref(),
                &entry.states[i],
                entry.contents[i],
            )
        })
        .collect();
    let [edited] = changed[..] else {
        return whole(&format!("{} files changed", changed.len()));
    };
    let overlay = Overlay::default();
    let stored = std::mem::take(&mut entry.reports);
    let reports = in_worker_pool(|| {
        let timer = PhaseTimer::from_env();
        let stars = StarImports::new(paths, &overlay);
        let round = Round {
            settings,
            mode: Mode::Check,
            overlay: &overlay,
            depends: Dependencies::of(crate::codemods::selected(settings)),
            stars: &stars,
            call_sites_only,
            budgets: None,
            cache: Some(cache),
            contents: Some(recorder.contents()),
        };
        // The last run's links read while the edited file gets its first
        // look (neither needs the other; on two cores this halves the
        // wait). The first look is wasted only when the run is a whole one.
        let (links, (first, _)) = rayon::join(
            || cache.get_file::<RunLinks>(links_key(cache, record)),
            || {
                first_pass(
                    edited,
                    &paths[edited],
                    round.call_sites_only(edited),
                    &round,
                )
            },
        );
        let Some(mut links) = links else {
            return whole("no links of the last run");
        };
        let modules = links.files.len();
        if links.fingerprint != entry.fingerprint(cache).value()
            || links.firsts as usize > modules
            || links.stubs.len() != modules
            || links.keys.len() != links.firsts as usize
            || links.files.iter().any(|&i| i as usize >= paths.len())
        {
            return None;
        }
        let Some(me) = links.files[..links.firsts as usize]
            .iter()
            .position(|&i| i as usize == edited)
        else {
            return whole("the changed file was no TensorFlow module");
        };
        if links.star_targets.contains(&(edited as u32)) {
            return whole("another file star-imports the changed one");
        }
        let (_, in_group) = reach(modules, me, links.links.iter());
        let size = in_group.iter().filter(|&&g| g).count();
        if size > SMALL_GROUP && size * MAX_GROUP_SHARE > modules {
            return whole(&format!("the edit may reach {size} of {modules} modules"));
        }
        timer.lap(
            "after an edit: the last run's links read, the edited file looked at",
            1,
        );
        // The edited module's names as they were.
        let summary = first.summary.as_ref()?;
        if first.report.error.is_some() || !ModuleStub::of(summary).same(&links.stubs[me]) {
            return whole("the edit changed names other modules see");
        }
        let key = first.key;
        let reports = propagate_group(paths, &mut links, &in_group, edited, first, &round, stored);
        let targets = stars.targets();
        let (reports, calls, stubs) = reports?;
        links.stubs = stubs;
        Some((reports, targets, key, calls, links, me, size))
    });
    let (mut reports, targets, key, calls, links, me, size) = reports?;
    let modules = links.files.len();
    // Read while nothing changed: a file written meanwhile makes it a run.
    let end = replay::states(paths);
    if end != now {
        return None;
    }
    for (i, report) in reports.iter_mut().enumerate() {
        if let Some(slot) = recorder.contents().get(i) {
            let _ = slot.set(entry.contents[i]);
        }
        recorder.file_done(report);
        progress.inc(1);
    }
    let mut star_targets = links.star_targets;
    star_targets.extend(targets);
    star_targets.sort_unstable();
    star_targets.dedup();
    // The edited file's first look is another entry now; the calls of
    // its group are those before the edit and after it (more links only
    // make a later run look at more).
    let mut keys = links.keys;
    keys[me] = key;
    let mut calls = [links.links, calls].concat();
    calls.sort_unstable();
    calls.dedup();
    let _ = recorder.links().set(RunLinks {
        star_targets,
        keys,
        links: calls,
        ..links
    });
    // The records of the modules no edit reached stay in the cache.
    cache.keep_unused();
    timer.lap("after an edit: all of it", size);
    if std::env::var_os("HYBRIDIZE_CACHE_STATS").is_some() {
        eprintln!(
            "cache: after an edit of {}: {size} of {modules} modules propagated again",
            crate::source::display(&paths[edited])
        );
    }
    Some((reports, end))
}

/// Pairs of modules (caller, callee) that calls link.
type Links = Vec<(u32, u32)>;

/// `None`, saying why with `HYBRIDIZE_CACHE_STATS` (for tests and
/// profiling; not an interface).
fn whole<T>(why: &str) -> Option<T> {
    if std::env::var_os("HYBRIDIZE_CACHE_STATS").is_some() {
        eprintln!("cache: a whole run after an edit: {why}");
    }
    None
}

/// The group of the edited module propagated, the files of the modules
/// whose facts the edit can change looked at again, every other file's
/// report as recorded (in file order). The stubs of `links` stand in for
/// the modules outside the group while it runs (moved, not copied: there
/// are thousands), and are back in place when it returns `Some`.
fn propagate_group(
    paths: &[PathBuf],
    links: &mut RunLinks,
    in_group: &[bool],
    edited: usize,
    mut edited_first: FirstPass,
    round: &Round,
    stored: Vec<Option<StoredReport>>,
) -> Option<(Vec<FileReport>, Links, Vec<ModuleStub>)> {
    let firsts = links.firsts as usize;
    let cache = round.cache?;
    let me = links.files[..firsts]
        .iter()
        .position(|&i| i as usize == edited)?;
    let me_summary = edited_first.summary.take()?;
    let timer = PhaseTimer::from_env();
    // The group's summaries: the first looks' (read from the cache by the
    // keys the last run recorded: their files did not change) and the
    // demand search's; every other module by its names only.
    let stubs = std::mem::take(&mut links.stubs);
    let links = &*links;
    let modules_count = stubs.len();
    let mut group: Vec<Option<ModuleSummary>> = (0..modules_count)
        .into_par_iter()
        .map(|m| -> Option<Option<ModuleSummary>> {
            if !in_group[m] || m == me {
                return Some(None);
            }
            if m >= firsts {
                return Some(Some(demand_summary(
                    &paths[links.files[m] as usize],
                    round,
                )?));
            }
            let key = links.keys[m];
            if key == 0 {
                return None;
            }
            Some(Some(first_summary(cache, Key::from_value(key))??))
        })
        .collect::<Option<_>>()?;
    group[me] = Some(me_summary);
    let named = nameable(&stubs, &group);
    // Per module: its summary, and its stub when it is in the group or no
    // look-up can name it (else the hash of its calls, to make the stub
    // again).
    let (summaries, kept): (Vec<ModuleSummary>, Vec<Result<ModuleStub, u128>>) = stubs
        .into_par_iter()
        .zip(group)
        .enumerate()
        .map(|(m, (stub, summary))| match summary {
            Some(summary) => (summary, Ok(stub)),
            None if named[m] => {
                let (summary, calls) = stub.into_summary();
                (summary, Err(calls))
            }
            None => (stub.unnamed(), Ok(stub)),
        })
        .unzip();
    let mut summaries = summaries;
    // The one question the propagation asks of every module (has any class
    // a base named through a module: `tf_classes_with`) gets the answer of
    // the whole run: a stand-in named by nothing that has such a class
    // keeps its classes (named by nothing, they change nothing else).
    let dotted = |classes: &[crate::propagate::summary::ClassSummary]| {
        classes
            .iter()
            .any(|c| !c.tf && c.bases.iter().any(|b| b.contains('.')))
    };
    if !summaries.iter().any(|summary| dotted(&summary.classes)) {
        let unnamed = kept.iter().enumerate().find_map(|(m, kept)| {
            kept.as_ref()
                .ok()
                .filter(|stub| !named[m] && dotted(&stub.classes))
                .map(|stub| (m, stub))
        });
        if let Some((m, stub)) = unnamed {
            summaries[m].classes = stub.classes.clone();
        }
    }
    timer.lap(
        "after an edit: the group's summaries read, the modules it can name found",
        named.iter().filter(|&&n| n).count(),
    );
    let found = resolve_inherited_calls_and_tf_classes(&mut summaries);
    let mut module_of: Vec<Option<usize>> = vec![None; paths.len()];
    let mut tf_classes: Vec<Vec<String>> = vec![Vec::new(); paths.len()];
    for (m, classes) in found.into_iter().enumerate().take(firsts) {
        let i = links.files[m] as usize;
        module_of[i] = Some(m);
        tf_classes[i] = classes;
    }
    let modules = Modules {
        summaries,
        module_of,
        tf_classes,
    };
    let propagation = Propagation::new(&modules.summaries);
    timer.lap("after an edit: the group propagated", in_group.len());
    // What the edit reaches, over the calls before it and after it: if
    // that needs a module the group lacks, the group was too small.
    let (reached, needed) = reach(
        links.files.len(),
        me,
        links.links.iter().chain(propagation.links()),
    );
    if needed.iter().zip(in_group).any(|(&n, &g)| n && !g) {
        return whole("a call now links the edited module to more modules");
    }
    let mut first_of: Vec<Option<FirstPass>> = (0..paths.len()).map(|_| None).collect();
    let again: Vec<(usize, FirstPass)> = (0..firsts)
        .into_par_iter()
        .filter(|&m| reached[m] && m != me)
        .map(|m| {
            let i = links.files[m] as usize;
            let (mut first, _) = first_pass(i, &paths[i], round.call_sites_only(i), round);
            if first.report.error.is_some() || first.summary.take().is_none() {
                return None;
            }
            Some((i, first))
        })
        .collect::<Option<_>>()?;
    for (i, first) in again {
        first_of[i] = Some(first);
    }
    first_of[edited] = Some(edited_first);
    // A graph function whose decorator its callers' findings may make
    // redundant is decided on the callers' reports: its file is looked at
    // again in the group, or the whole run decides.
    let once = OnceDecoratedFiles::of(&modules, &propagation, round);
    let held: Vec<(usize, Vec<StarImport>)> = (0..paths.len())
        .filter(|&i| once.holds(i))
        .map(|i| Some((i, first_of[i].as_ref()?.star_imports.clone())))
        .collect::<Option<_>>()?;
    let reports = first_of
        .into_par_iter()
        .zip(stored)
        .enumerate()
        .map(|(i, (first, stored))| match first {
            Some(first) => Some(look_again(i, first, &modules, &propagation, round, false).0),
            None => stored_report(&paths[i], stored),
        })
        .collect::<Option<Vec<FileReport>>>()
        .map(|mut reports| {
            let decorated: Vec<Vec<String>> =
                reports.iter().map(|r| once.decorated_in(r)).collect();
            for (i, stars) in held {
                let path = reports[i].path.clone();
                if let Some(report) =
                    once.look_again(i, &path, &stars, &decorated, &modules, &propagation, round)
                {
                    reports[i] = report;
                }
            }
            reports
        });
    let calls = propagation.links().to_vec();
    drop(propagation);
    let mut modules = modules;
    let stubs = kept
        .into_iter()
        .enumerate()
        .map(|(m, kept)| {
            kept.unwrap_or_else(|calls| {
                let summary = std::mem::take(&mut modules.summaries[m]);
                ModuleStub::from_summary(summary, calls)
            })
        })
        .collect();
    modules.drop_in_parallel();
    timer.lap(
        "after an edit: the files it can change looked at again",
        reached.iter().filter(|&&r| r).count(),
    );
    Some((reports?, calls, stubs))
}

/// Per module (of `n`), over `links` (caller, callee): whether the facts
/// of its functions can change when module `start` changes, and whether
/// its summary is needed to compute those facts again.
///
/// The facts that can change are those of `start`, of its callees
/// (transitively: their callers, arguments, loops and graph callers
/// changed) and of the callers of any of those (transitively: their
/// callees' effects and returns changed). Computing them needs the
/// summaries of those modules (a caller's facts come from its callees, a
/// callee's from its callers' calls and their callers'), of their callees
/// (transitively: effects and returns come up from them), and of the
/// direct callers of those callees (whose arguments decide the callees'
/// effects): those callers' own facts are not read.
fn reach<'l>(
    n: usize,
    start: usize,
    links: impl Iterator<Item = &'l (u32, u32)>,
) -> (Vec<bool>, Vec<bool>) {
    let mut callees: Vec<Vec<u32>> = vec![Vec::new(); n];
    let mut callers: Vec<Vec<u32>> = vec![Vec::new(); n];
    for &(a, b) in links {
        callees[a as usize].push(b);
        callers[b as usize].push(a);
    }
    let closure = |from: Vec<u32>, next: &[Vec<u32>]| -> Vec<bool> {
        let mut seen = vec![false; n];
        let mut stack = from;
        while let Some(m) = stack.pop() {
            if !std::mem::replace(&mut seen[m as usize], true) {
                stack.extend(&next[m as usize]);
            }
        }
        seen
    };
    let members =
        |set: &[bool]| -> Vec<u32> { (0..n as u32).filter(|&m| set[m as usize]).collect() };
    let down = closure(vec![start as u32], &callees);
    let reached = closure(members(&down), &callers);
    let below = closure(members(&reached), &callees);
    let mut needed = below.clone();
    for m in members(&below) {
        for &caller in &callers[m as usize] {
            needed[caller as usize] = true;
        }
    }
    for m in members(&reached) {
        needed[m as usize] = true;
    }
    (reached, needed)
}

/// Per module: whether it is in the group (`group` has its summary) or a
/// name look-up of the group's propagation can meet it: a module whose
/// name is a dotted prefix of (or is) a string of a module met, starting
/// from the group's. Of a group's module, every string counts (calls,
/// bases, imports, star imports, the classes of argument kinds, whatever
/// its summary holds but its own names and path); of a stand-in met, what
/// resolves a name through it (its classes' bases, its imports of
/// classes, its star imports); of both, the longest of their names (the
/// start of the names written for calls of inherited methods). The
/// propagation looks names up only by prefixes of those strings, so a
/// module none names is never a candidate, and standing in for it by
/// nothing changes no look-up. When a summary cannot be read as strings:
/// every module.
fn nameable(stubs: &[ModuleStub], group: &[Option<ModuleSummary>]) -> Vec<bool> {
    fn strings<'v>(value: &'v serde_json::Value, out: &mut Vec<&'v str>) {
        match value {
            serde_json::Value::String(text) => out.push(text),
            serde_json::Value::Array(items) => items.iter().for_each(|item| strings(item, out)),
            serde_json::Value::Object(fields) => {
                fields.values().for_each(|item| strings(item, out))
            }
            _ => {}
        }
    }
    let n = stubs.len();
    let mut by_name: rustc_hash::FxHashMap<&str, Vec<usize>> = Default::default();
    for (m, stub) in stubs.iter().enumerate() {
        for name in &stub.names {
            by_name.entry(name.as_str()).or_default().push(m);
        }
    }
    let mut named: Vec<bool> = group.iter().map(Option::is_some).collect();
    let mut queue: Vec<usize> = (0..n).filter(|&m| named[m]).collect();
    while let Some(m) = queue.pop() {
        let value = match &group[m] {
            Some(summary) => serde_json::to_value(summary),
            // A stand-in looks nothing up for itself: only what resolves a
            // name through it (its classes' bases, its imports of classes,
            // its star imports).
            None => {
                let stub = &stubs[m];
                let bases: Vec<&Vec<String>> = stub.classes.iter().map(|c| &c.bases).collect();
                serde_json::to_value((&bases, &stub.class_imports, &stub.star_imports))
            }
        };
        let Ok(mut value) = value else {
            return vec![true; n];
        };
        // Its own names and path are no look-ups.
        if let Some(fields) = value.as_object_mut() {
            fields.remove("names");
            fields.remove("path");
        }
        let mut found = Vec::new();
        strings(&value, &mut found);
        // Its longest name begins the names the propagation writes for
        // calls of inherited methods (`pkg.mod.Base.method`): looked up by
        // their prefixes too.
        found.extend(stubs[m].names.last().map(String::as_str));
        for text in &found {
            let ends = text.match_indices('.').map(|(i, _)| i).chain([text.len()]);
            for end in ends {
                for &k in by_name.get(&text[..end]).into_iter().flatten() {
                    if !std::mem::replace(&mut named[k], true) {
                        queue.push(k);
                    }
                }
            }
        }
    }
    named
}

/// The summary the demand search makes of the file at `path` (read from
/// the cache, or made again); `None` when it does not parse.
fn demand_summary(path: &std::path::Path, round: &Round) -> Option<ModuleSummary> {
    let file = read(path, round.overlay).ok()?;
    let star_imports: Vec<StarImport> = round.stars.resolve(&file.path, &file.text);
    let cache = round.cache?;
    let key = super::cached::demand_key(cache, &file.path, &file.text, &star_imports);
    if let Some(summary) = cache.get::<Option<ModuleSummary>>(key) {
        return summary;
    }
    let summary = super::demand::summarise_file(&file, &star_imports);
    cache.put(key, &summary);
    summary
}
