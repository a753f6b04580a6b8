//! What a codemod is: its stable code and name, its documentation, and the
//! function that reports findings (with fixes) for one file. The codemods
//! themselves, and the list that registers them, are in `codemods/`.

use crate::checker::Checker;
use crate::settings::Settings;

/// A codemod: its stable code and name, its documentation, and the function
/// that reports findings (with fixes) for one file.
pub struct Codemod {
    pub code: &'static str,
    pub name: &'static str,
    /// One line, shown by `hybridize codemods`.
    pub summary: &'static str,
    /// The applicability of its fixes, as shown by `hybridize codemods`.
    pub safety: FixSafety,
    /// The full documentation (What it does / Why is this bad? / Example /
    /// Use instead / Fix safety), printed by `hybridize explain`.
    pub doc: &'static str,
    /// Informational codes this codemod reports besides its own (refusals).
    pub also_reports: &'static [&'static str],
    pub run: fn(&mut Checker),
}

impl Codemod {
    /// Whether the codemod can report anything the settings select.
    pub fn may_report(&self, settings: &Settings) -> bool {
        settings.is_selected(self.code)
            || self
                .also_reports
                .iter()
                .any(|code| settings.is_selected(code))
    }
}

/// The applicability of a codemod's fixes, in the words `hybridize
/// codemods`, SARIF and the README use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixSafety {
    /// Its fixes keep behaviour (`fix` applies them).
    Safe,
    /// Its fixes may change behaviour (`--unsafe-fixes`).
    Unsafe,
    /// Its fixes are unsafe, or display-only where a fix cannot keep the
    /// meaning.
    UnsafeOrDisplayOnly,
    /// It reports without a fix.
    NoFix,
}

impl FixSafety {
    pub fn as_str(self) -> &'static str {
        match self {
            FixSafety::Safe => "safe",
            FixSafety::Unsafe => "unsafe",
            FixSafety::UnsafeOrDisplayOnly => "unsafe / display-only",
            FixSafety::NoFix => "none",
        }
    }
}

impl std::fmt::Display for FixSafety {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // `pad`, so that widths (`{:<22}`) apply.
        f.pad(self.as_str())
    }
}
