//! What the cache keeps of one file's first and second looks, and their
//! keys: a hash of exactly what each look reads. The first look reads the
//! file's path and text, whether it gives call sites only, and what its
//! star imports of the run's files bind; the second look reads the same
//! and the facts the run propagated to the file's functions and classes.
//! The tool and the settings are in every key ([`Cache::key`]).

use std::hash::Hash;
use std::path::{Path, PathBuf};

use ruff_diagnostics::Fix;
use ruff_text_size::TextRange;
use serde::{Deserialize, Serialize};

use super::first_pass::{FirstPass, LocalFacts};
use crate::cache::{content_hash, intern::intern, Cache, Key, KeyHasher};
use crate::diagnostic::Diagnostic;
use crate::names::StarImport;
use crate::propagate::summary::package_parts;
use crate::propagate::ModuleSummary;
use crate::report::FileReport;
use crate::semantic::facts::FunctionFacts;

/// The kinds of entries, so that two never share a key.
#[derive(Hash)]
enum Look {
    First,
    Demand,
    Second,
}

/// The file: its path, its text, and how many of the folders above it are
/// packages (the module's names and some findings depend on which folders
/// have an `__init__.py`, a file that may be outside the run).
fn feed_file(hasher: &mut KeyHasher, look: Look, path: &Path, content: u128) {
    look.hash(hasher);
    path.hash(hasher);
    package_parts(path).hash(hasher);
    hasher.write_u128(content);
}

use std::hash::Hasher as _;

fn feed_stars(hasher: &mut KeyHasher, stars: &[StarImport]) {
    stars.len().hash(hasher);
    for star in stars {
        star.level.hash(hasher);
        star.module.hash(hasher);
        star.bindings.hash(hasher);
    }
}

/// The key of a file's first look.
/// (`content`: the [`content_hash`] of the file's text.)
pub(super) fn first_key(
    cache: &Cache,
    path: &Path,
    content: u128,
    call_sites_only: bool,
    stars: &[StarImport],
) -> Key {
    cache.key(|hasher| {
        feed_file(hasher, Look::First, path, content);
        call_sites_only.hash(hasher);
        feed_stars(hasher, stars);
    })
}

/// The key of the summary of a file the demand search needed.
pub(super) fn demand_key(cache: &Cache, path: &Path, text: &str, stars: &[StarImport]) -> Key {
    cache.key(|hasher| {
        feed_file(hasher, Look::Demand, path, content_hash(text));
        feed_stars(hasher, stars);
    })
}

/// The key of a file's second look in a checking run.
pub(super) fn second_key(
    cache: &Cache,
    path: &Path,
    text: &str,
    project: &[(String, FunctionFacts)],
    tf_classes: &[String],
    stars: &[StarImport],
) -> Key {
    cache.key(|hasher| {
        feed_file(hasher, Look::Second, path, content_hash(text));
        project.hash(hasher);
        tf_classes.hash(hasher);
        feed_stars(hasher, stars);
    })
}

/// A finding as stored (codes and names are read back as the same
/// `&'static str` text).
#[derive(Serialize, Deserialize)]
pub(super) struct StoredDiagnostic {
    code: String,
    name: String,
    message: String,
    range: TextRange,
    function: Option<String>,
    fix: Option<Fix>,
    fix_title: Option<String>,
    note: Option<String>,
    on_request: bool,
}

impl StoredDiagnostic {
    pub(super) fn of(diagnostic: &Diagnostic) -> Self {
        StoredDiagnostic {
            code: diagnostic.code.to_string(),
            name: diagnostic.name.to_string(),
            message: diagnostic.message.clone(),
            range: diagnostic.range,
            function: diagnostic.function.clone(),
            fix: diagnostic.fix.clone(),
            fix_title: diagnostic.fix_title.clone(),
            note: diagnostic.note.clone(),
            on_request: diagnostic.on_request,
        }
    }

    pub(super) fn into_diagnostic(self) -> Diagnostic {
        Diagnostic {
            code: intern(&self.code),
            name: intern(&self.name),
            message: self.message,
            range: self.range,
            function: self.function,
            fix: self.fix,
            fix_title: self.fix_title,
            note: self.note,
            on_request: self.on_request,
        }
    }
}

/// What a file's first look found, as stored.
#[derive(Serialize, Deserialize)]
pub(super) struct FirstEntry {
    summary: Option<ModuleSummary>,
    /// Per function: facts hash, under graph, reported.
    local_facts: Vec<(u64, bool, bool)>,
    diagnostics: Vec<StoredDiagnostic>,
    functions_left_quietly: usize,
}

/// [`FirstEntry`] as written, borrowing the summary (the same encoding).
#[derive(Serialize)]
pub(super) struct FirstEntryOut<'a> {
    summary: Option<&'a ModuleSummary>,
    local_facts: Vec<(u64, bool, bool)>,
    diagnostics: Vec<StoredDiagnostic>,
    functions_left_quietly: usize,
}

impl<'a> FirstEntryOut<'a> {
    /// The entry for a first look that found `first` (its report not
    /// filtered by a sink yet).
    pub(super) fn of(first: &'a FirstPass) -> Self {
        FirstEntryOut {
            summary: first.summary.as_ref(),
            local_facts: first
                .local_facts
                .iter()
                .map(|local| (local.hash, local.under_graph, local.reported))
                .collect(),
            diagnostics: first
                .report
                .diagnostics
                .iter()
                .map(StoredDiagnostic::of)
                .collect(),
            functions_left_quietly: first.report.functions_left_quietly,
        }
    }
}

impl FirstEntry {
    /// The first look at `path` that found this, on `text`.
    pub(super) fn into_first_pass(self, path: &Path, text: &str) -> FirstPass {
        let diagnostics: Vec<Diagnostic> = self
            .diagnostics
            .into_iter()
            .map(StoredDiagnostic::into_diagnostic)
            .collect();
        let text_hash = if diagnostics.is_empty() {
            0
        } else {
            super::first_pass::text_hash(text)
        };
        FirstPass {
            path: path.to_path_buf(),
            report: FileReport {
                path: path.to_path_buf(),
                diagnostics,
                functions_left_quietly: self.functions_left_quietly,
                ..FileReport::default()
            },
            summary: self.summary,
            local_facts: self
                .local_facts
                .into_iter()
                .map(|(hash, under_graph, reported)| LocalFacts {
                    hash,
                    under_graph,
                    reported,
                })
                .collect(),
            text_hash,
            star_imports: Vec::new(),
            key: 0,
        }
    }
}

/// The summary a first look stored under `key`, if the cache holds it
/// (`Some(None)`: the first look made none).
pub(super) fn first_summary(cache: &Cache, key: Key) -> Option<Option<ModuleSummary>> {
    cache.get::<FirstEntry>(key).map(|entry| entry.summary)
}

/// A file's report after its second look in a checking run, as stored.
#[derive(Serialize, Deserialize)]
pub(super) struct SecondEntry {
    diagnostics: Vec<StoredDiagnostic>,
    functions_left_quietly: usize,
}

impl SecondEntry {
    /// The entry for a report, when it can be stored: a report of a file
    /// that could be read and parsed, with no internal error.
    pub(super) fn of(report: &FileReport) -> Option<Self> {
        (report.error.is_none() && report.internal_errors.is_empty() && report.fixed.is_none())
            .then(|| SecondEntry {
                diagnostics: report
                    .diagnostics
                    .iter()
                    .map(StoredDiagnostic::of)
                    .collect(),
                functions_left_quietly: report.functions_left_quietly,
            })
    }

    /// The report this entry holds, for the file at `path` with `text`.
    pub(super) fn into_report(self, path: PathBuf, text: String) -> FileReport {
        let diagnostics: Vec<Diagnostic> = self
            .diagnostics
            .into_iter()
            .map(StoredDiagnostic::into_diagnostic)
            .collect();
        FileReport {
            path,
            // As a check keeps it: only when there is something to show.
            source: (!diagnostics.is_empty()).then_some(text),
            diagnostics,
            functions_left_quietly: self.functions_left_quietly,
            ..FileReport::default()
        }
    }
}
