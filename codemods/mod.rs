//! The codemods, and the one list that registers them. Adding a codemod
//! means adding its file(s) under `codemods/`, one `mod` line and one entry
//! in [`CODEMODS`] — nothing else. What a codemod is, and the machinery it
//! uses, live in the core ([`crate::codemod`], [`crate::checker`]).

use std::path::Path;

use ruff_python_ast::token::Tokens;
use ruff_python_codegen::Stylist;

use crate::checker::Checker;
use crate::codemod::Codemod;
use crate::diagnostic::Diagnostic;
use crate::semantic::SemanticModel;
use crate::settings::Settings;

mod add_tf_function;
mod deprecated_tf_function_args;
mod extract_train_step;
mod hoist_tf_function;
mod input_signature;
mod list_append_in_graph_loop;
mod print_to_tf_print;
mod python_iterator_in_graph;
mod remove_tf_function;
mod state_to_variable;
mod tensor_arguments;
mod tensor_leak;
mod variable_created_per_call;

/// Every codemod, in order of code.
pub static CODEMODS: &[&Codemod] = &[
    &add_tf_function::CODEMOD,
    &hoist_tf_function::CODEMOD,
    &input_signature::CODEMOD,
    &tensor_arguments::CODEMOD,
    &extract_train_step::CODEMOD,
    &state_to_variable::CODEMOD,
    &print_to_tf_print::CODEMOD,
    &variable_created_per_call::CODEMOD,
    &python_iterator_in_graph::CODEMOD,
    &list_append_in_graph_loop::CODEMOD,
    &tensor_leak::CODEMOD,
    &remove_tf_function::CODEMOD,
    &deprecated_tf_function_args::CODEMOD,
];

/// Whether `finding`'s fix puts `@tf.function` on the function it is
/// about (HY001's), as a fix `fix` may apply: a decorator that function's
/// graph callees have may then only add a trace (HY020).
pub fn decorates_its_function(finding: &Diagnostic) -> bool {
    finding.code == add_tf_function::CODEMOD.code
        && finding.function.is_some()
        && finding
            .applicability()
            .is_some_and(|a| a != crate::diagnostic::Applicability::DisplayOnly)
}

/// Every finding of the codemods that may report a selected code, on one
/// parsed file, before selection and `# noqa`
/// ([`crate::noqa::keep_selected`]).
pub fn run_selected(
    path: &Path,
    text: &str,
    tokens: &Tokens,
    semantic: &SemanticModel,
    settings: &Settings,
) -> Vec<Diagnostic> {
    if !semantic.imports.mentions_tensorflow() {
        return Vec::new();
    }
    let stylist = Stylist::from_tokens(tokens, text);
    let mut checker = Checker::new(
        path,
        text,
        semantic.module(),
        tokens,
        semantic,
        &stylist,
        settings,
    );
    for codemod in selected(settings) {
        (codemod.run)(&mut checker);
    }
    checker.into_diagnostics()
}

/// The codemods that may report a code the settings select, in list order.
pub fn selected(settings: &Settings) -> impl Iterator<Item = &'static Codemod> + '_ {
    CODEMODS
        .iter()
        .copied()
        .filter(|codemod| codemod.may_report(settings))
}

/// The documentation of an informational code that a codemod declares (a
/// HY001 refusal such as `HY101`), by code or name.
pub fn informational_doc(code_or_name: &str) -> Option<&'static str> {
    CODEMODS
        .iter()
        .flat_map(|codemod| codemod.informational)
        .find(|informational| {
            informational.code.eq_ignore_ascii_case(code_or_name)
                || informational.name == code_or_name
        })?
        .doc()
}

/// Looks a codemod up by code (`HY011`) or name (`print-to-tf-print`).
pub fn find(code_or_name: &str) -> Option<&'static Codemod> {
    CODEMODS.iter().copied().find(|codemod| {
        codemod.code.eq_ignore_ascii_case(code_or_name) || codemod.name == code_or_name
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codemod::Dependencies;

    /// With every codemod selected, the second look watches every kind of
    /// function it watched before codemods declared what they depend on.
    #[test]
    fn all_codemods_together_depend_on_every_kind_of_function() {
        assert_eq!(
            Dependencies::of(CODEMODS.iter().copied()),
            Dependencies {
                graph_code: true,
                loop_calls: true,
                single_module_level_call: true,
                enclosing_functions: true,
                decorated_callers: true,
            }
        );
    }
}
