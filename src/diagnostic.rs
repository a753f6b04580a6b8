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
