//! The fix loop of one file: apply the applicable fixes, re-parse, and
//! repeat until nothing changes; a fix that breaks the file is dropped and
//! named. Only fixes of findings the first check reported are applied:
//! `fix` changes exactly what `check` announced, and a later pass only
//! applies a reported fix that had to wait for another it overlapped.

use ruff_diagnostics::Fix;
use ruff_python_ast::ModModule;
use ruff_python_parser::Parsed;
use ruff_source_file::LineIndex;
use ruff_text_size::Ranged;

use crate::apply::apply_fixes;
use crate::diagnostic::{Diagnostic, FindingKey, FixBudget};
use crate::settings::Settings;
use crate::source::SourceFile;

/// Fix passes are repeated until nothing changes, at most this many times.
pub const MAX_FIX_PASSES: usize = 10;

/// The result of fixing one file.
#[derive(Debug)]
pub struct FixOutcome {
    pub text: String,
    pub applied: Vec<&'static str>,
    pub internal_errors: Vec<String>,
    /// The reported fixes not applied (yet).
    pub unapplied: FixBudget,
}

/// Applies applicable fixes pass after pass until no fix applies or the pass
/// limit is reached. After each pass the text is re-parsed; a fix whose
/// result does not parse is dropped and reported as an internal error naming
/// its codemod, and the others are applied without it.
///
/// `budget` counts the fixes the first check of the file reported, less
/// those applied in earlier rounds (without one, the first pass's findings
/// are the budget); what is left of it when the loop ends is `unapplied`,
/// which a later round of the run may still apply.
pub fn fix_to_fixed_point(
    file: &SourceFile,
    settings: &Settings,
    budget: Option<FixBudget>,
    mut diagnose: impl FnMut(&str, &Parsed<ModModule>) -> Vec<Diagnostic>,
) -> FixOutcome {
    let mut text = file.text.clone();
    let mut applied = Vec::new();
    let mut internal_errors: Vec<String> = Vec::new();
    let mut parsed = match ruff_python_parser::parse_module(&text) {
        Ok(parsed) => parsed,
        Err(_) => {
            return FixOutcome {
                text,
                applied,
                internal_errors,
                unapplied: budget.unwrap_or_default(),
            };
        }
    };
    let mut budget = budget;
    for pass in 0..=MAX_FIX_PASSES {
        let diagnostics = diagnose(&text, &parsed);
        let budget = budget.get_or_insert_with(|| FixBudget::of(&diagnostics, &text, settings));
        // Every applicable fix is applied: the ones the first check
        // reported, and one that appears only after an earlier fix (HY020
        // once HY001 has made every caller of a graph function a graph
        // function), in a later pass: a second run must propose nothing. A
        // codemod whose fix leaves work for another is to be fixed where it
        // is; the corpus test holds `fix` to what `check` reported.
        let mut fixable: Vec<&Diagnostic> = Vec::new();
        let mut keys: Vec<FindingKey> = Vec::new();
        for diagnostic in diagnostics.iter().filter(|d| d.fix_applies(settings)) {
            let key = FindingKey::of(diagnostic, &text);
            // Counted off the reported fixes: what is left is unapplied.
            budget.take(&key);
            fixable.push(diagnostic);
            keys.push(key);
        }
        if fixable.is_empty() {
            break;
        }
        if pass == MAX_FIX_PASSES {
            for key in keys {
                budget.give_back(key);
            }
            let codes: Vec<&str> = fixable.iter().map(|d| d.code).collect();
            internal_errors.push(format!(
                "internal error: fixes for {} did not converge after {MAX_FIX_PASSES} passes in {}; the fixed text so far is kept. Please report this.",
                codes.join(", "),
                file.display_path()
            ));
            break;
        }
        let fixes: Vec<&Fix> = fixable.iter().filter_map(|d| d.fix.as_ref()).collect();
        let (mut candidate, mut chosen) = apply_fixes(&text, &fixes);
        let mut reparsed = ruff_python_parser::parse_module(&candidate);
        // Fixes that break the file: dropped for good.
        let mut dropped: Vec<usize> = Vec::new();
        if reparsed.is_err() {
            // Find the fixes that break the file on their own, report them, and
            // apply the rest.
            let broken: Vec<usize> = chosen
                .iter()
                .copied()
                .filter(|&i| {
                    ruff_python_parser::parse_module(&apply_fixes(&text, &[fixes[i]]).0).is_err()
                })
                .collect();
            let keep: Vec<usize> = if broken.is_empty() {
                Vec::new()
            } else {
                chosen
                    .iter()
                    .copied()
                    .filter(|i| !broken.contains(i))
                    .collect()
            };
            dropped = if broken.is_empty() {
                chosen.clone()
            } else {
                broken
            };
            for &i in &dropped {
                let diagnostic = fixable[i];
                let location = crate::source::location(
                    &LineIndex::from_source_text(&text),
                    &text,
                    diagnostic.start(),
                );
                let message = format!(
                    "internal error: {} ({}) produced invalid Python at {}:{}:{}; its fix was dropped. Please report this.",
                    diagnostic.code,
                    diagnostic.name,
                    file.display_path(),
                    location.row,
                    location.column
                );
                if !internal_errors.contains(&message) {
                    internal_errors.push(message);
                }
            }
            let kept: Vec<&Fix> = keep.iter().map(|&i| fixes[i]).collect();
            let (retry, retry_chosen) = apply_fixes(&text, &kept);
            chosen = retry_chosen.into_iter().map(|j| keep[j]).collect();
            candidate = retry;
            reparsed = ruff_python_parser::parse_module(&candidate);
        }
        // What was not applied in this pass waits for the next.
        for (i, key) in keys.into_iter().enumerate() {
            if !chosen.contains(&i) && !dropped.contains(&i) {
                budget.give_back(key);
            }
        }
        if chosen.is_empty() || reparsed.is_err() {
            break;
        }
        applied.extend(chosen.iter().map(|&i| fixable[i].code));
        text = candidate;
        parsed = reparsed.expect("checked above");
    }
    FixOutcome {
        text,
        applied,
        internal_errors,
        unapplied: budget.unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use ruff_diagnostics::Edit;
    use ruff_text_size::{TextRange, TextSize};

    fn file(text: &str) -> SourceFile {
        SourceFile {
            path: PathBuf::from("t.py"),
            text: text.to_string(),
        }
    }

    #[test]
    fn a_fix_that_breaks_parsing_is_dropped_and_named() {
        let source = file("x = 1\ny = 2\n");
        let outcome = fix_to_fixed_point(&source, &Settings::default(), None, |text, _| {
            let mut out = Vec::new();
            // A good fix: `x` → `z`, once.
            if text.starts_with('x') {
                let edit = Edit::replacement("z".into(), TextSize::new(0), TextSize::new(1));
                out.push(
                    Diagnostic::new("HY900", "good", "m", TextRange::default())
                        .with_fix("t", Fix::safe_edit(edit)),
                );
            }
            // A bad fix that always breaks the second line.
            let edit = Edit::replacement("y = (".into(), TextSize::new(6), TextSize::new(9));
            out.push(
                Diagnostic::new("HY901", "breaker", "m", TextRange::default())
                    .with_fix("t", Fix::safe_edit(edit)),
            );
            out
        });
        assert_eq!(outcome.text, "z = 1\ny = 2\n");
        assert_eq!(outcome.applied, vec!["HY900"]);
        assert_eq!(outcome.internal_errors.len(), 1);
        assert!(
            outcome.internal_errors[0].contains("HY901 (breaker)"),
            "{:?}",
            outcome.internal_errors
        );
        assert!(
            outcome.internal_errors[0].contains("t.py:1:1"),
            "{:?}",
            outcome.internal_errors
        );
    }

    #[test]
    fn fixes_that_wait_for_each_other_repeat_until_the_bound() {
        let source = file("a\n");
        let outcome = fix_to_fixed_point(&source, &Settings::default(), None, |_, _| {
            // Twelve findings whose fixes all insert something else at the
            // start: one is applied per pass, the others wait for the next.
            (b'a'..b'm')
                .map(|i| {
                    Diagnostic::new("HY900", "grow", "m", TextRange::default())
                        .with_function(format!("f{i}"))
                        .with_fix(
                            "t",
                            Fix::safe_edit(Edit::insertion(char::from(i).into(), 0.into())),
                        )
                })
                .collect()
        });
        assert_eq!(outcome.applied.len(), MAX_FIX_PASSES);
        assert_eq!(outcome.text.len(), "a\n".len() + MAX_FIX_PASSES);
        assert!(
            outcome.internal_errors[0].contains("did not converge"),
            "{:?}",
            outcome.internal_errors
        );
    }

    #[test]
    fn a_finding_that_appears_after_a_fix_is_applied_in_a_later_pass() {
        let source = file("x = 1\n");
        let outcome = fix_to_fixed_point(&source, &Settings::default(), None, |text, _| {
            // `x` → `y`; then, on the fixed text, a finding nobody reported
            // first: `y` → `z`.
            let (code, to) = match text.as_bytes()[0] {
                b'x' => ("HY900", "y"),
                b'y' => ("HY901", "z"),
                _ => return Vec::new(),
            };
            let edit = Edit::replacement(to.into(), TextSize::new(0), TextSize::new(1));
            vec![Diagnostic::new(code, "rename", "m", TextRange::default())
                .with_fix("t", Fix::safe_edit(edit))]
        });
        // A second run must propose nothing.
        assert_eq!(outcome.text, "z = 1\n");
        assert_eq!(outcome.applied, vec!["HY900", "HY901"]);
        assert!(outcome.internal_errors.is_empty());
    }

    #[test]
    fn a_reported_fix_that_overlapped_another_is_applied_in_the_next_pass() {
        let source = file("x = 1\n");
        let outcome = fix_to_fixed_point(&source, &Settings::default(), None, |text, _| {
            // Two reported insertions at the same point: the second waits.
            ["a", "b"]
                .into_iter()
                .filter(|name| !text.contains(&format!("# {name}")))
                .map(|name| {
                    Diagnostic::new("HY900", "comment", "m", TextRange::default())
                        .with_function(name)
                        .with_fix(
                            "t",
                            Fix::safe_edit(Edit::insertion(format!("# {name}\n"), 0.into())),
                        )
                })
                .collect()
        });
        assert_eq!(outcome.text, "# b\n# a\nx = 1\n");
        assert_eq!(outcome.applied.len(), 2);
        assert!(outcome.unapplied.is_empty());
    }
}
