//! What every step of one round reads: the settings, the mode, the fixed
//! texts of earlier rounds (which stand in for the files), and what the
//! selected codemods' findings depend on.

use std::path::{Path, PathBuf};

pub(super) use super::overlay::{read, Overlay};
use super::star::StarImports;
use super::Mode;
use crate::cache::Cache;
use crate::codemod::Dependencies;
use crate::diagnostic::FixBudget;
use crate::settings::Settings;

/// What every step of one round reads.
pub(super) struct Round<'a> {
    pub(super) settings: &'a Settings,
    pub(super) mode: Mode,
    /// Fixed texts of earlier rounds, read instead of the files.
    pub(super) overlay: &'a Overlay,
    /// What the selected codemods' findings depend on, combined from their
    /// declarations: it decides which files get a second look.
    pub(super) depends: Dependencies,
    /// What star imports of the run's files bind.
    pub(super) stars: &'a StarImports<'a>,
    /// Per file (in `paths` order; empty for none): whether it is analysed
    /// for its call sites only, with no findings (a test file).
    pub(super) call_sites_only: &'a [bool],
    /// In a fixing round after the first: per file, the fixes it may still
    /// get (those its first check reported, less those applied).
    pub(super) budgets: Option<&'a Budgets>,
    /// The persistent cache, in the first round of a run that has one.
    pub(super) cache: Option<&'a Cache>,
    /// Per file, a hash of the text the round read (when recorded).
    pub(super) contents: Option<&'a [std::sync::OnceLock<u128>]>,
}

/// Per file, the reported fixes still to apply.
pub(super) type Budgets = std::collections::HashMap<PathBuf, FixBudget>;

impl Round<'_> {
    /// Whether file `i` is analysed for its call sites only.
    pub(super) fn call_sites_only(&self, i: usize) -> bool {
        self.call_sites_only.get(i).copied().unwrap_or(false)
    }

    /// The fixes `path` may still get, in a round after the first (none
    /// when the first check reported none); `None` in the first round.
    pub(super) fn budget(&self, path: &Path) -> Option<&FixBudget> {
        static NONE: std::sync::OnceLock<FixBudget> = std::sync::OnceLock::new();
        let budgets = self.budgets?;
        Some(
            budgets
                .get(path)
                .unwrap_or_else(|| NONE.get_or_init(FixBudget::default)),
        )
    }
}

/// What one round reads besides the settings: the files, the fixed texts
/// of earlier rounds and the fixes still to apply.
pub(super) struct RoundInputs<'a> {
    pub(super) paths: &'a [PathBuf],
    pub(super) call_sites_only: &'a [bool],
    pub(super) overlay: &'a Overlay,
    pub(super) budgets: Option<&'a Budgets>,
    pub(super) cache: Option<&'a Cache>,
    pub(super) contents: Option<&'a [std::sync::OnceLock<u128>]>,
    /// Where a recorded run puts how its modules are linked.
    pub(super) links: Option<&'a std::sync::OnceLock<super::links::RunLinks>>,
}
