//! Phase 1, the first look: every file that may import TensorFlow is
//! parsed, summarised and checked on its own, and its tree dropped; the
//! others are summarised when the demand search finds them needed.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use rustc_hash::FxHashSet;

use super::cached::{first_key, FirstEntry, FirstEntryOut};
use super::contain::contained;
use super::demand::Demand;
use super::file::hold_back_refusals;
pub(super) use super::first_pass::{facts_hash, text_hash, FirstPass, LocalFacts};
use super::inputs::read;
use super::inputs::Round;
use crate::names::StarImport;
use crate::noqa::keep_selected;
use crate::prescan;
use crate::propagate::{add_local_facts, ModuleSummary};
use crate::semantic::{ModelInputs, SemanticModel};

/// The first pass over one file, and its text when it is skipped.
pub(super) fn first_pass(
    i: usize,
    path: &Path,
    call_sites_only: bool,
    round: &Round,
) -> (FirstPass, Option<String>) {
    contained(path, || first_pass_of(i, path, call_sites_only, round)).unwrap_or_else(|message| {
        let mut first = FirstPass::empty(path);
        first.report.internal_errors.push(message);
        (first, None)
    })
}

fn first_pass_of(
    i: usize,
    path: &Path,
    call_sites_only: bool,
    round: &Round,
) -> (FirstPass, Option<String>) {
    let settings = round.settings;
    let mut first = FirstPass::empty(path);
    let file = match read(path, round.overlay) {
        Ok(file) => file,
        Err(error) => {
            first.report.error = Some(error);
            return (first, None);
        }
    };
    // Hashed once, for the cache's keys and the record of the run.
    let content = round
        .cache
        .map_or(0, |_| crate::cache::content_hash(&file.text));
    if let Some(slot) = round.contents.and_then(|contents| contents.get(i)) {
        let _ = slot.set(content);
    }
    // A star import of a module of the run that imports TensorFlow makes
    // this TensorFlow code too (`from common import *` bringing `tf`).
    let star_imports = if prescan::names_tensorflow(&file.text) {
        round.stars.resolve(path, &file.text)
    } else {
        let star_imports = round.stars.resolve_tensorflow(path, &file.text);
        if !star_imports.iter().any(StarImport::binds_tensorflow) {
            return (first, Some(file.text));
        }
        star_imports
    };
    // What an earlier run's first look found with the same inputs.
    let key = round
        .cache
        .map(|cache| first_key(cache, path, content, call_sites_only, &star_imports));
    if let Some((cache, key)) = round.cache.zip(key) {
        if let Some(entry) = cache.get::<FirstEntry>(key) {
            let mut first = entry.into_first_pass(path, &file.text);
            first.key = key.value();
            if !call_sites_only {
                first.star_imports = star_imports;
            }
            return (first, None);
        }
    }
    super::contain::test_panic("first-look", &file.text);
    let parsed = match file.parse() {
        Ok(parsed) => parsed,
        Err(error) => {
            // The text is kept to show the syntax error as a finding.
            first.report.error = Some(error);
            first.report.source = Some(file.text);
            return (first, None);
        }
    };
    let inputs = ModelInputs {
        star_imports: &star_imports,
        ..ModelInputs::default()
    };
    first.key = key.map_or(0, |key| key.value());
    let mut semantic = SemanticModel::new(parsed.syntax(), &file.text, inputs);
    first.summary =
        add_local_facts(&mut semantic, &file.text).map(|summary| summary.named_after(&file.path));
    // A test file gives the run its call sites, and is not looked at
    // again. Its loops (over cases, dtypes, a few optimisation steps)
    // exercise the code under test: they make nothing hot.
    if call_sites_only {
        if let Some(summary) = &mut first.summary {
            summary.forget_loops();
        }
        if let Some((cache, key)) = round.cache.zip(key) {
            cache.put(key, &FirstEntryOut::of(&first));
        }
        return (first, None);
    }
    let all =
        crate::codemods::run_selected(&file.path, &file.text, parsed.tokens(), &semantic, settings);
    // When a finding about a nested function can depend on the functions
    // it is nested in (a codemod moves a decoration there), they count as
    // reported too.
    let named: FxHashSet<&str> = all.iter().filter_map(|d| d.function.as_deref()).collect();
    let mut reported = vec![false; semantic.functions.len()];
    for (id, function) in semantic.functions.iter().enumerate() {
        if named.contains(function.qualified_name.as_str()) {
            let mut next = Some(id);
            while let Some(id) = next {
                reported[id] = true;
                next = semantic.functions[id]
                    .parent
                    .filter(|_| round.depends.enclosing_functions);
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
    let (diagnostics, left_quietly) = hold_back_refusals(
        keep_selected(all, &file.text, parsed.tokens(), settings),
        settings,
    );
    first.report.diagnostics = diagnostics;
    first.report.functions_left_quietly = left_quietly;
    // The text is not held while the whole run is analysed: the last phase
    // reads it again to show the findings, and checks it is the same.
    if !first.report.diagnostics.is_empty() {
        first.text_hash = text_hash(&file.text);
    }
    drop(semantic);
    if let Some((cache, key)) = round.cache.zip(key) {
        cache.put(key, &FirstEntryOut::of(&first));
    }
    first.star_imports = star_imports;
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
pub(super) fn first_phase(
    paths: &[PathBuf],
    round: &Round,
) -> (Vec<FirstPass>, Vec<ModuleSummary>) {
    let demand = Demand::new(paths, round.overlay, round.stars, round.cache);
    let firsts = rayon::scope(|scope| {
        paths
            .par_iter()
            .enumerate()
            .map(|(i, path)| {
                let (first, skipped_text) = first_pass(i, path, round.call_sites_only(i), round);
                if let Some(summary) = &first.summary {
                    demand.summarised_first(scope, summary);
                } else if let Some(text) = skipped_text {
                    demand.skipped(scope, i, text);
                } else {
                    demand.unreadable(i);
                }
                first
            })
            .collect()
    });
    (firsts, demand.into_summaries())
}
