//! What a codemod is: its stable code and name, its documentation, and the
//! function that reports findings (with fixes) for one file. The codemods
//! themselves, and the list that registers them, are in `codemods/`.

use ruff_text_size::TextRange;

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
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
    /// The informational codes it reports besides its own (why it left a
    /// candidate as it is), with their documentation.
    pub informational: &'static [&'static InformationalCode],
    /// The functions whose facts from the whole run its findings can depend
    /// on, besides those it reported something about when each file was
    /// checked alone: a file is looked at again when the facts of such a
    /// function changed through other modules.
    pub depends_on: &'static [DependsOn],
    pub run: fn(&mut Checker),
}

impl Codemod {
    /// A finding of this codemod: `message` about the code at `range`.
    pub fn diagnostic(&self, message: impl Into<String>, range: TextRange) -> Diagnostic {
        Diagnostic::new(self.code, self.name, message, range)
    }

    /// Whether the codemod can report anything the settings select.
    pub fn may_report(&self, settings: &Settings) -> bool {
        settings.is_selected(self.code)
            || self
                .informational
                .iter()
                .any(|informational| settings.is_selected(informational.code))
    }
}

/// A kind of function whose facts from the whole run a codemod's findings
/// can depend on although the codemod reported nothing about it when the
/// file was checked alone. (Findings about a function are computed from its
/// own facts, which hold its callees' effects; a function the codemod
/// reported is always looked at again when its facts changed.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DependsOn {
    /// Functions that run under graph, here or through a caller in another
    /// module: what codemods that repair graph code look at.
    GraphCode,
    /// Functions called in a loop, here or in another module: candidates
    /// for conversion.
    LoopCalls,
    /// Functions called exactly once, and that at module level.
    SingleModuleLevelCall,
    /// The functions enclosing one it reported: a finding about a nested
    /// function can move a decoration to them.
    EnclosingFunctions,
    /// Graph functions whose callers that are not graph functions get
    /// `@tf.function` from findings of the same run (in any file): a
    /// decorator that those decorations make redundant.
    DecoratedCallers,
}

/// What the findings of several codemods depend on, together: the run
/// combines the declarations of the selected codemods to decide which
/// files need a second look.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Dependencies {
    pub graph_code: bool,
    pub loop_calls: bool,
    pub single_module_level_call: bool,
    pub enclosing_functions: bool,
    pub decorated_callers: bool,
}

impl Dependencies {
    /// The union of what `codemods` declare.
    pub fn of<'a>(codemods: impl IntoIterator<Item = &'a Codemod>) -> Self {
        let mut all = Dependencies::default();
        for dependence in codemods.into_iter().flat_map(|codemod| codemod.depends_on) {
            match dependence {
                DependsOn::GraphCode => all.graph_code = true,
                DependsOn::LoopCalls => all.loop_calls = true,
                DependsOn::SingleModuleLevelCall => all.single_module_level_call = true,
                DependsOn::EnclosingFunctions => all.enclosing_functions = true,
                DependsOn::DecoratedCallers => all.decorated_callers = true,
            }
        }
        all
    }
}

/// An informational code (`HY1xx`) that a codemod reports besides its own:
/// a finding with `function` set and no fix, which never makes `check`
/// fail by itself.
#[derive(Debug)]
pub struct InformationalCode {
    pub code: &'static str,
    pub name: &'static str,
    /// The document that holds its section: from a `# CODE name` heading to
    /// the next `# HY` heading (several codes share one document).
    pub docs: &'static str,
}

impl InformationalCode {
    /// A finding with this code: `message` about the code at `range`.
    pub fn diagnostic(&self, message: impl Into<String>, range: TextRange) -> Diagnostic {
        Diagnostic::new(self.code, self.name, message, range)
    }

    /// Its section of [`InformationalCode::docs`], printed by `hybridize
    /// explain CODE`.
    pub fn doc(&self) -> Option<&'static str> {
        let start = self.docs.find(&format!("# {} ", self.code))?;
        let rest = &self.docs[start..];
        let end = rest[1..].find("\n# HY").map_or(rest.len(), |i| i + 2);
        Some(&rest[..end])
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
