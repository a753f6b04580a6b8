//! One file's check, on its own or with facts from the whole run: parse,
//! build the semantic model, run the codemods, keep the selected findings,
//! and (when fixing) run the fix loop.

use std::path::Path;

use ruff_python_ast::ModModule;
use ruff_python_parser::Parsed;

use super::fix_loop::fix_to_fixed_point;
use super::Mode;
use crate::diagnostic::Diagnostic;
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
    check_source_with(file, settings, mode, None, &[])
}

/// Checks one file's text, with facts from the whole run when given.
pub(super) fn check_source_with(
    file: SourceFile,
    settings: &Settings,
    mode: Mode,
    project: Option<&[(String, FunctionFacts)]>,
    tf_classes: &[String],
) -> FileReport {
    let mut report = FileReport {
        path: file.path.clone(),
        ..FileReport::default()
    };
    // A file that never names TensorFlow or Keras cannot concern this tool;
    // skipping it before parsing keeps large trees cheap.
    if !prescan::names_tensorflow(&file.text) {
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
    report.diagnostics = diagnose_with(
        &file.path, &file.text, &parsed, settings, project, tf_classes,
    );
    drop(parsed);
    if mode == Mode::Fix && report.diagnostics.iter().any(|d| d.fix_applies(settings)) {
        let outcome = fix_to_fixed_point(&file, settings, |text, parsed| {
            diagnose_with(&file.path, text, parsed, settings, project, tf_classes)
        });
        report.applied = outcome.applied;
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

/// Runs every selected codemod on a parsed file, with facts from the
/// whole run when given, and keeps the selected, unsuppressed findings.
fn diagnose_with(
    path: &Path,
    text: &str,
    parsed: &Parsed<ModModule>,
    settings: &Settings,
    project: Option<&[(String, FunctionFacts)]>,
    tf_classes: &[String],
) -> Vec<Diagnostic> {
    let inputs = ModelInputs {
        project_tf_classes: tf_classes,
        project_facts: project,
    };
    let mut semantic = SemanticModel::new(parsed.syntax(), text, inputs);
    add_local_facts(&mut semantic, text);
    let diagnostics =
        crate::codemods::run_selected(path, text, parsed.tokens(), &semantic, settings);
    keep_selected(diagnostics, text, parsed.tokens(), settings)
}
