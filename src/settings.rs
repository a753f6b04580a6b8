//! The settings one run uses: configuration merged with command-line flags.

use crate::version::TfVersion;

#[derive(Debug, Clone)]
pub struct Settings {
    /// Code prefixes to enable (`HY`, `HY01`, `HY011`).
    pub select: Vec<String>,
    /// Code prefixes to disable; a longer matching prefix wins over a shorter one.
    pub ignore: Vec<String>,
    pub unsafe_fixes: bool,
    /// Glob patterns of paths to leave out of directory walks.
    pub exclude: Vec<String>,
    /// The TensorFlow version the code must keep running on.
    pub tensorflow_version: TfVersion,
    /// Where the target version came from, for messages.
    pub tensorflow_version_origin: String,
    /// Which functions HY001 judges: the hot ones, or every one.
    pub candidates: Candidates,
    /// Print every refusal, also those about functions that are no
    /// candidate under the policy (no tensor work).
    pub show_refusals: bool,
    /// Check files that look like tests too (they are always analysed for
    /// the call sites they hold).
    pub include_tests: bool,
    /// Glob patterns of files that look like tests.
    pub test_files: Vec<String>,
    /// Where the run's cache is (`None`: no cache). The command line sets
    /// it; a run through the library has none.
    pub cache_dir: Option<std::path::PathBuf>,
    /// Observations of a profiled run (`--profile`).
    pub profile: Option<std::sync::Arc<crate::observe::Profile>>,
}

/// Which functions HY001 judges as candidates for `@tf.function`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Candidates {
    /// Functions worth converting: called in a loop, or a training or
    /// evaluation step by name; each is judged on safety and on benefit.
    #[default]
    Hot,
    /// Every function and method of the files, judged on safety alone: what
    /// a library's author asks ("which of my functions may run as a
    /// graph?").
    All,
}

impl Candidates {
    pub fn as_str(self) -> &'static str {
        match self {
            Candidates::Hot => "hot",
            Candidates::All => "all",
        }
    }
}

impl std::str::FromStr for Candidates {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "hot" => Ok(Candidates::Hot),
            "all" => Ok(Candidates::All),
            _ => Err(format!(
                "`{text}` is not a candidate policy (`hot` or `all`)"
            )),
        }
    }
}

/// Files that look like tests: they get no findings unless asked for, but
/// their calls still count as call sites.
pub const DEFAULT_TEST_FILES: &[&str] = &["test_*.py", "*_test.py", "conftest.py", "tests", "test"];

impl Default for Settings {
    fn default() -> Self {
        Self {
            select: vec!["HY".to_string()],
            ignore: Vec::new(),
            unsafe_fixes: false,
            exclude: Vec::new(),
            tensorflow_version: TfVersion::NEWEST,
            tensorflow_version_origin: "the default target".to_string(),
            candidates: Candidates::Hot,
            show_refusals: false,
            include_tests: false,
            test_files: DEFAULT_TEST_FILES.iter().map(|g| g.to_string()).collect(),
            cache_dir: None,
            profile: None,
        }
    }
}

impl Settings {
    /// Whether findings with `code` are reported. The longest matching
    /// prefix decides, as in ruff: `--select HY --ignore HY01 --select HY011`
    /// style combinations do what they say; on a tie, `ignore` wins.
    pub fn is_selected(&self, code: &str) -> bool {
        let longest = |prefixes: &[String]| {
            prefixes
                .iter()
                .filter(|prefix| prefix.as_str() == "ALL" || code.starts_with(prefix.as_str()))
                .map(|prefix| if prefix == "ALL" { 0 } else { prefix.len() })
                .max()
        };
        match (longest(&self.select), longest(&self.ignore)) {
            (Some(selected), Some(ignored)) => selected > ignored,
            (Some(_), None) => true,
            (None, _) => false,
        }
    }

    /// Whether a fix of this applicability is applied by `fix`.
    pub fn applies(&self, applicability: ruff_diagnostics::Applicability) -> bool {
        match applicability {
            ruff_diagnostics::Applicability::Safe => true,
            ruff_diagnostics::Applicability::Unsafe => self.unsafe_fixes,
            ruff_diagnostics::Applicability::DisplayOnly => false,
        }
    }
}

/// Whether a selector (`--select`, `ignore`, ...) names something, as in
/// ruff: `ALL`, or a prefix of a code that some codemod reports, its own or
/// an informational one (`HY`, `HY01`, `HY011`, `HY1`).
pub fn is_known_selector(selector: &str) -> bool {
    selector == "ALL"
        || (!selector.is_empty() && known_codes().any(|code| code.starts_with(selector)))
}

/// The message for a selector that names nothing.
pub fn unknown_selector(selector: &str) -> String {
    format!(
        "unknown code or prefix `{}`: no code starts with it (codes look like `HY011`; `hybridize codemods` lists them)",
        crate::source::escape_control(selector)
    )
}

/// Every code a finding can have.
fn known_codes() -> impl Iterator<Item = &'static str> {
    crate::codemods::CODEMODS.iter().flat_map(|codemod| {
        std::iter::once(codemod.code).chain(codemod.informational.iter().map(|i| i.code))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_prefix_decides() {
        let settings = Settings {
            select: vec!["HY".into(), "HY011".into()],
            ignore: vec!["HY01".into()],
            ..Settings::default()
        };
        assert!(settings.is_selected("HY001"));
        assert!(!settings.is_selected("HY010"));
        assert!(settings.is_selected("HY011"));
        assert!(!Settings {
            select: vec!["HY02".into()],
            ..Settings::default()
        }
        .is_selected("HY011"));
    }

    #[test]
    fn a_selector_must_name_some_code() {
        for known in ["ALL", "HY", "HY0", "HY01", "HY011", "HY1", "HY101", "HY112"] {
            assert!(is_known_selector(known), "{known}");
        }
        for unknown in ["", "X", "hy021", "HY999", "HY0211", "HY2", "HY119", "all"] {
            assert!(!is_known_selector(unknown), "{unknown}");
        }
    }
}
