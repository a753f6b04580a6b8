//! What a checking run records of how its modules were linked, beside its
//! record ([`super::replay`]): each module's names (a stub that stands in
//! for it when it is not propagated again), which modules calls link, and
//! the keys of the first looks. Read after an edit of one file
//! ([`super::after_edit`]).

use std::path::PathBuf;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::first_pass::FirstPass;
use super::propagation::Modules;
use super::star::StarImports;
use crate::cache::{Cache, Key};
use crate::propagate::summary::{ClassSummary, FunctionSummary, LineReturns};
use crate::propagate::{ModuleSummary, Propagation};
use crate::semantic::effects::Callee;

/// What other modules see of a module by name: what decides which
/// function a call means anywhere in the run, which classes are Keras
/// classes through bases in other modules, and which files the demand
/// search adds (the names its calls use).
#[derive(Serialize, Deserialize)]
pub(super) struct ModuleStub {
    pub(super) path: String,
    pub(super) names: Vec<String>,
    pub(super) package_parts: usize,
    pub(super) star_imports: Vec<String>,
    pub(super) classes: Vec<ClassSummary>,
    pub(super) class_imports: Vec<(String, String)>,
    pub(super) functions: Vec<String>,
    /// A hash of the names its calls use, as written (before calls of
    /// inherited methods are resolved), in order.
    pub(super) calls: u128,
}

impl ModuleStub {
    /// The names of a summary as the first look made it.
    pub(super) fn of(summary: &ModuleSummary) -> Self {
        ModuleStub {
            path: summary.path.clone(),
            names: summary.names.clone(),
            package_parts: summary.package_parts,
            star_imports: summary.star_imports.clone(),
            classes: summary.classes.clone(),
            class_imports: summary.class_imports.clone(),
            functions: summary
                .functions
                .iter()
                .map(|f| f.qualified_name.clone())
                .collect(),
            calls: {
                let mut hasher = xxhash_rust::xxh3::Xxh3::new();
                let calls = summary.functions.iter().flat_map(|f| &f.calls);
                for call in calls.chain(&summary.module_calls) {
                    if let Callee::External(name) = &call.callee {
                        hasher.update(name.as_bytes());
                        hasher.update(&[0]);
                    }
                }
                hasher.digest128()
            },
        }
    }

    /// The stubs of a run's modules, in the order phase 2 gathers them
    /// (the first looks' summaries, then the demand search's), and the
    /// keys of the first looks in the cache.
    pub(super) fn of_run(
        firsts: &[FirstPass],
        callees: &[ModuleSummary],
    ) -> (Vec<Self>, Vec<u128>) {
        let keys = firsts
            .iter()
            .filter(|first| first.summary.is_some())
            .map(|first| first.key)
            .collect();
        let summaries: Vec<&ModuleSummary> = firsts
            .iter()
            .filter_map(|first| first.summary.as_ref())
            .chain(callees)
            .collect();
        (
            summaries.into_par_iter().map(ModuleStub::of).collect(),
            keys,
        )
    }

    /// Whether two stubs are the same (compared as stored).
    pub(super) fn same(&self, other: &ModuleStub) -> bool {
        postcard::to_allocvec(self).ok() == postcard::to_allocvec(other).ok()
    }

    /// A summary with these names and functions that call nothing and do
    /// nothing: a module no call of the propagated group reaches; and the
    /// hash of its calls, to make the stub again ([`ModuleStub::from_summary`]).
    pub(super) fn into_summary(self) -> (ModuleSummary, u128) {
        let summary = ModuleSummary {
            path: self.path,
            names: self.names,
            functions: self
                .functions
                .into_iter()
                .map(|qualified_name| FunctionSummary {
                    qualified_name,
                    graph: false,
                    has_self: false,
                    setup_or_traced: false,
                    params: Vec::new(),
                    culprits: Vec::new(),
                    conditionals: Vec::new(),
                    generator: None,
                    returns: LineReturns::default(),
                    defaults: Box::new([]),
                    calls: Vec::new(),
                })
                .collect(),
            module_calls: Vec::new(),
            classes: self.classes,
            class_imports: self.class_imports,
            star_imports: self.star_imports,
            package_parts: self.package_parts,
        };
        (summary, self.calls)
    }

    /// A summary with no names and nothing in it: a module no look-up of
    /// the propagated group can name (it keeps its number).
    pub(super) fn unnamed(&self) -> ModuleSummary {
        ModuleSummary {
            path: self.path.clone(),
            package_parts: self.package_parts,
            ..ModuleSummary::default()
        }
    }

    /// The stub a summary of [`ModuleStub::into_summary`] was made from
    /// (propagating does not change what a stub holds: it rewrites calls
    /// and marks functions).
    pub(super) fn from_summary(summary: ModuleSummary, calls: u128) -> Self {
        ModuleStub {
            path: summary.path,
            names: summary.names,
            package_parts: summary.package_parts,
            star_imports: summary.star_imports,
            classes: summary.classes,
            class_imports: summary.class_imports,
            functions: summary
                .functions
                .into_iter()
                .map(|f| f.qualified_name)
                .collect(),
            calls,
        }
    }
}

/// How the modules of a checking run were linked, stored beside its
/// record ([`replay`]).
#[derive(Serialize, Deserialize)]
pub(super) struct RunLinks {
    /// The fingerprint of the record it goes with.
    pub(super) fingerprint: u128,
    /// Per module, in the propagation's order: its file (by index).
    pub(super) files: Vec<u32>,
    /// How many of the modules are first looks' (the others, after them,
    /// are files the demand search summarised).
    pub(super) firsts: u32,
    /// Per module: its names.
    pub(super) stubs: Vec<ModuleStub>,
    /// Per first look's module: the key of the first look in the cache.
    pub(super) keys: Vec<u128>,
    /// The pairs of modules (caller, callee) calls link.
    pub(super) links: Vec<(u32, u32)>,
    /// The files a star import of another file means (their exports are
    /// part of the other file's first look).
    pub(super) star_targets: Vec<u32>,
}

impl RunLinks {
    /// The links of a whole run: its modules as phase 2 gathered them
    /// (`stubs` made before calls of inherited methods were resolved),
    /// linked as `propagation` found.
    pub(super) fn of_run(
        paths: &[PathBuf],
        modules: &Modules,
        (stubs, keys): (Vec<ModuleStub>, Vec<u128>),
        propagation: &Propagation,
        stars: &StarImports,
    ) -> Option<Self> {
        let mut files: Vec<Option<u32>> = vec![None; modules.summaries.len()];
        let mut firsts = 0;
        for (i, m) in modules.module_of.iter().enumerate() {
            if let Some(m) = *m {
                files[m] = Some(i as u32);
                firsts += 1;
            }
        }
        // The demand search's summaries, after the first looks', by path.
        let by_path: rustc_hash::FxHashMap<String, u32> = paths
            .iter()
            .enumerate()
            .map(|(i, path)| (crate::source::display(path), i as u32))
            .collect();
        for (m, file) in files.iter_mut().enumerate().skip(firsts) {
            *file = by_path.get(&modules.summaries[m].path).copied();
        }
        let files: Vec<u32> = files.into_iter().collect::<Option<_>>()?;
        Some(RunLinks {
            fingerprint: 0,
            firsts: firsts as u32,
            files,
            stubs,
            keys,
            links: propagation.links().to_vec(),
            star_targets: stars.targets(),
        })
    }
}

/// The key of the links stored beside the record under `record`.
pub(super) fn links_key(cache: &Cache, record: Key) -> Key {
    use std::hash::Hash;
    cache.key(|hasher| {
        "run links".hash(hasher);
        record.value().hash(hasher);
    })
}
