//! Findings and the fixes they carry: plain data, shared by codemods and
//! renderers. Edits and applicability are ruff's own types.

pub use ruff_diagnostics::{Applicability, Edit, Fix};
use ruff_text_size::{Ranged, TextRange};

use crate::settings::Settings;

/// One finding of one codemod in one file.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub code: &'static str,
    pub name: &'static str,
    pub message: String,
    pub range: TextRange,
    /// The qualified name of the function the finding is about.
    pub function: Option<String>,
    /// The change that resolves the finding, if there is one.
    pub fix: Option<Fix>,
    /// What the fix does, in a few words ("Replace with `tf.print`").
    pub fix_title: Option<String>,
    /// Why no fix (or a weaker one) is offered, when that needs saying.
    pub note: Option<String>,
    /// A refusal about a function that is no candidate under the policy
    /// (it does no tensor work): printed only with `--show-refusals`, and
    /// otherwise only counted.
    pub on_request: bool,
}

impl Diagnostic {
    pub fn new(
        code: &'static str,
        name: &'static str,
        message: impl Into<String>,
        range: TextRange,
    ) -> Self {
        Self {
            code,
            name,
            message: message.into(),
            range,
            function: None,
            fix: None,
            fix_title: None,
            note: None,
            on_request: false,
        }
    }

    pub fn with_function(mut self, function: impl Into<String>) -> Self {
        self.function = Some(function.into());
        self
    }

    pub fn with_fix(mut self, title: impl Into<String>, fix: Fix) -> Self {
        self.fix_title = Some(title.into());
        self.fix = Some(fix);
        self
    }

    /// Marks the finding as printed only with `--show-refusals`.
    pub fn on_request(mut self) -> Self {
        self.on_request = true;
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    pub fn applicability(&self) -> Option<Applicability> {
        self.fix.as_ref().map(Fix::applicability)
    }

    /// Whether the finding has a fix that `fix` applies under `settings`.
    pub fn fix_applies(&self, settings: &Settings) -> bool {
        self.applicability()
            .is_some_and(|applicability| settings.applies(applicability))
    }
}

impl Ranged for Diagnostic {
    fn range(&self) -> TextRange {
        self.range
    }
}

/// What identifies a finding from one pass to the next, when fixes
/// elsewhere in the file have moved it: its code, its function, the text it
/// points at and what its fix does (not its message, whose line numbers
/// move).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FindingKey {
    code: &'static str,
    function: Option<String>,
    anchor: String,
    fix_title: Option<String>,
}

impl FindingKey {
    /// The key of `diagnostic`, a finding about `text`.
    pub fn of(diagnostic: &Diagnostic, text: &str) -> Self {
        Self {
            code: diagnostic.code,
            function: diagnostic.function.clone(),
            anchor: text
                .get(diagnostic.range.start().to_usize()..diagnostic.range.end().to_usize())
                .unwrap_or_default()
                .to_string(),
            fix_title: diagnostic.fix_title.clone(),
        }
    }
}

/// The fixes a file may still get: how many findings of each key the first
/// check reported with a fix that applies, less those applied since.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FixBudget(rustc_hash::FxHashMap<FindingKey, usize>);

impl FixBudget {
    /// The applicable fixes among `diagnostics`, findings about `text`.
    pub fn of(diagnostics: &[Diagnostic], text: &str, settings: &Settings) -> Self {
        let mut budget = FixBudget::default();
        for diagnostic in diagnostics.iter().filter(|d| d.fix_applies(settings)) {
            *budget
                .0
                .entry(FindingKey::of(diagnostic, text))
                .or_default() += 1;
        }
        budget
    }

    pub fn is_empty(&self) -> bool {
        self.0.values().all(|&count| count == 0)
    }

    /// Takes one fix with `key` from the budget, if one is left.
    pub fn take(&mut self, key: &FindingKey) -> bool {
        match self.0.get_mut(key) {
            Some(count) if *count > 0 => {
                *count -= 1;
                true
            }
            _ => false,
        }
    }

    /// Puts back a fix taken with [`FixBudget::take`] and not applied.
    pub fn give_back(&mut self, key: FindingKey) {
        *self.0.entry(key).or_default() += 1;
    }
}

/// The lowercase word used for an applicability in output and docs.
pub fn applicability_name(applicability: Applicability) -> &'static str {
    match applicability {
        Applicability::Safe => "safe",
        Applicability::Unsafe => "unsafe",
        Applicability::DisplayOnly => "display-only",
    }
}

/// Whether findings with this code are informational: the `HY1xx`
/// refusals, which explain why a candidate was left as it is. They are
/// listed but never make `check` fail by themselves.
pub fn is_informational(code: &str) -> bool {
    code.len() == 5 && code.starts_with("HY1")
}
