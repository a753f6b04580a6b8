//! Phase 2's input: the summaries of every module of the run, joined, with
//! calls of inherited methods resolved and the classes that are Keras or
//! `tf.Module` classes through a base in another module found.

use rayon::prelude::*;

use super::first_pass::FirstPass;
use crate::propagate::{resolve_inherited_calls_and_tf_classes, ModuleSummary};

/// Every summary of the run: first those of the files the first look
/// checked (in file order), then those the demand search added.
pub(super) struct Modules {
    pub(super) summaries: Vec<ModuleSummary>,
    /// Per file (in `paths` order): its module in `summaries`, if it has one.
    pub(super) module_of: Vec<Option<usize>>,
    /// Per file: its classes that are Keras/`tf.Module` classes only through
    /// a base in another module.
    pub(super) tf_classes: Vec<Vec<String>>,
}

impl Modules {
    /// Takes the summaries out of the first looks and joins them with the
    /// others.
    pub(super) fn gather(firsts: &mut [FirstPass], callees: Vec<ModuleSummary>) -> Self {
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
        let found = resolve_inherited_calls_and_tf_classes(&mut summaries);
        let mut tf_classes: Vec<Vec<String>> = vec![Vec::new(); firsts.len()];
        for (k, classes) in found.into_iter().enumerate().take(owners.len()) {
            tf_classes[owners[k]] = classes;
        }
        let mut module_of: Vec<Option<usize>> = vec![None; firsts.len()];
        for (m, &i) in owners.iter().enumerate() {
            module_of[i] = Some(m);
        }
        Modules {
            summaries,
            module_of,
            tf_classes,
        }
    }

    /// Frees the summaries on every thread: they are hundreds of thousands
    /// of allocations, too many to free on one thread while the others wait.
    pub(super) fn drop_in_parallel(self) {
        self.summaries.into_par_iter().for_each(drop);
    }
}
