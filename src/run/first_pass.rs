//! What a file's first look leaves for the rest of the run: its report as
//! checked alone, its summary, and what the facts it was checked with were
//! (hashes, to tell later phases and the cache whether they changed).

use std::path::{Path, PathBuf};

use crate::names::StarImport;
use crate::propagate::ModuleSummary;
use crate::report::FileReport;
use crate::semantic::facts::FunctionFacts;

/// A file after the first phase: its report as checked alone, its summary
/// for propagation, and the facts the report was computed with.
pub(super) struct FirstPass {
    pub(super) path: PathBuf,
    pub(super) report: FileReport,
    pub(super) summary: Option<ModuleSummary>,
    /// Per function (in summary order): what the first phase knew of it.
    pub(super) local_facts: Vec<LocalFacts>,
    /// A hash of the text the report was computed on.
    pub(super) text_hash: u64,
    /// What its star imports of other files of the run bind.
    pub(super) star_imports: Vec<StarImport>,
    /// The key of its first look in the cache (0: none).
    pub(super) key: u128,
}

impl FirstPass {
    /// Nothing known yet of the file at `path`.
    pub(super) fn empty(path: &Path) -> Self {
        FirstPass {
            path: path.to_path_buf(),
            report: FileReport {
                path: path.to_path_buf(),
                ..FileReport::default()
            },
            summary: None,
            local_facts: Vec::new(),
            text_hash: 0,
            star_imports: Vec::new(),
            key: 0,
        }
    }
}

/// What the first phase knew of a function (cheaper to keep than its facts).
pub(super) struct LocalFacts {
    /// A hash of the facts the first report was computed with.
    pub(super) hash: u64,
    /// Whether it ran under graph.
    pub(super) under_graph: bool,
    /// Whether a codemod that ran reported something about it, under any
    /// of its codes (before `--select`, `--ignore` and `# noqa` filter the
    /// codes: a codemod's informational codes count), or about a function
    /// nested in it when a codemod declares that such findings depend on
    /// the functions around them.
    pub(super) reported: bool,
}

/// A hash of a file's text, to notice that it changed during the run (not
/// against an adversary: FxHash, eight bytes a step).
pub(super) fn text_hash(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = rustc_hash::FxHasher::default();
    text.hash(&mut hasher);
    hasher.finish()
}

impl FirstPass {
    /// A file known only by its summary (kept from an earlier run).
    pub(super) fn summarised(path: &Path, summary: Option<ModuleSummary>) -> Self {
        FirstPass {
            path: path.to_path_buf(),
            report: FileReport {
                path: path.to_path_buf(),
                ..FileReport::default()
            },
            summary,
            local_facts: Vec::new(),
            text_hash: 0,
            star_imports: Vec::new(),
            key: 0,
        }
    }
}

/// A hash of the facts a function was checked with.
pub(super) fn facts_hash(facts: &FunctionFacts) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = rustc_hash::FxHasher::default();
    facts.hash(&mut hasher);
    hasher.finish()
}
