//! One file's check, on its own or with facts from the whole run: parse,
//! build the semantic model, run the codemods, keep the selected findings,
//! and (when fixing) run the fix loop.

use std::path::Path;

use ruff_python_ast::ModModule;
use ruff_python_parser::Parsed;

use super::fix_loop::fix_to_fixed_point;
use super::Mode;
use crate::diagnostic::{Diagnostic, FixBudget};
use crate::names::StarImport;
use crate::noqa::keep_selected;
use crate::prescan;
use crate::propagate::add_local_facts;
use crate::report::FileReport;
use crate::semantic::facts::FunctionFacts;
use crate::semantic::{ModelInputs, SemanticModel};
use crate::settings::Settings;
use crate::source::SourceFile;

/// Checks one file's text, on its own.
pub fn check_source(file: SourceFile, settings: &Settings, mode: Mode) -> FileReport {
    check_source_with(file, settings, mode, None, &[], &[], None)
}

/// Checks one file's text, with facts from the whole run when given, and
/// what its star imports of the run's files bind. When
/// fixing, `budget` holds the fixes still to apply of those the file's
/// first check reported (in an earlier round); without one, this check is
/// the first, and its findings are the budget.
pub(super) fn check_source_with(
    file: SourceFile,
    settings: &Settings,
    mode: Mode,
    project: Option<&[(String, FunctionFacts)]>,
    tf_classes: &[String],
    star_imports: &[StarImport],
    budget: Option<&FixBudget>,
) -> FileReport {
    let mut report = FileReport {
        path: file.path.clone(),
        ..FileReport::default()
    };
    // A file that never names TensorFlow or Keras (nor gets them through a
    // star import) cannot concern this tool; skipping it before parsing
    // keeps large trees cheap.
    if !prescan::names_tensorflow(&file.text)
        && !star_imports.iter().any(StarImport::binds_tensorflow)
    {
        return report;
    }
    let parsed = match file.parse() {
        Ok(parsed) => parsed,
        Err(error) => {
            // The text is kept to show the syntax error as a finding.
            report.error = Some(error);
            report.source = Some(file.text);
            return report;
        }
    };
    let inputs = ModelInputs {
        project_tf_classes: tf_classes,
        project_facts: project,
        star_imports,
    };
    let (diagnostics, left_quietly) = hold_back_refusals(
        diagnose_with(&file.path, &file.text, &parsed, settings, inputs),
        settings,
    );
    report.diagnostics = diagnostics;
    report.functions_left_quietly = left_quietly;
    drop(parsed);
    let may_fix = match budget {
        Some(budget) => !budget.is_empty(),
        None => report.diagnostics.iter().any(|d| d.fix_applies(settings)),
    };
    if mode == Mode::Fix && may_fix {
        let outcome = fix_to_fixed_point(&file, settings, budget.cloned(), |text, parsed| {
            diagnose_with(&file.path, text, parsed, settings, inputs)
        });
        report.applied = outcome.applied;
        report.unapplied = outcome.unapplied;
        report.internal_errors = outcome.internal_errors;
        if outcome.text != file.text {
            report.fixed = Some(outcome.text);
        }
    }
    if !report.diagnostics.is_empty() || report.fixed.is_some() {
        report.source = Some(file.text);
    }
    report
}

/// The findings to show, without the refusals printed only on request
/// (unless `--show-refusals` asks for them), and how many functions those
/// were about.
pub(super) fn hold_back_refusals(
    mut diagnostics: Vec<Diagnostic>,
    settings: &Settings,
) -> (Vec<Diagnostic>, usize) {
    if settings.show_refusals || !diagnostics.iter().any(|d| d.on_request) {
        return (diagnostics, 0);
    }
    let mut functions: Vec<&str> = diagnostics
        .iter()
        .filter(|d| d.on_request)
        .filter_map(|d| d.function.as_deref())
        .collect();
    functions.sort_unstable();
    functions.dedup();
    let count = functions.len();
    diagnostics.retain(|d| !d.on_request);
    (diagnostics, count)
}

/// Runs every selected codemod on a parsed file, with facts from the
/// whole run when given, and keeps the selected, unsuppressed findings.
fn diagnose_with<'a>(
    path: &Path,
    text: &str,
    parsed: &'a Parsed<ModModule>,
    settings: &Settings,
    inputs: ModelInputs<'a>,
) -> Vec<Diagnostic> {
    let mut semantic = SemanticModel::new(parsed.syntax(), text, inputs);
    add_local_facts(&mut semantic, text);
    let diagnostics =
        crate::codemods::run_selected(path, text, parsed.tokens(), &semantic, settings);
    keep_selected(diagnostics, text, parsed.tokens(), settings)
}
