//! The one list of codemods. Adding a codemod means adding its file(s)
//! under `codemods/` and one line to each list below — nothing else.

use std::path::Path;

use ruff_python_ast::token::Tokens;
use ruff_python_codegen::Stylist;

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::semantic::SemanticModel;
use crate::settings::Settings;

#[path = "../codemods/add_tf_function.rs"]
mod add_tf_function;
#[path = "../codemods/deprecated_tf_function_args.rs"]
mod deprecated_tf_function_args;
#[path = "../codemods/hoist_tf_function.rs"]
mod hoist_tf_function;
#[path = "../codemods/input_signature.rs"]
mod input_signature;
#[path = "../codemods/list_append_in_graph_loop.rs"]
mod list_append_in_graph_loop;
#[path = "../codemods/print_to_tf_print.rs"]
mod print_to_tf_print;
#[path = "../codemods/python_iterator_in_graph.rs"]
mod python_iterator_in_graph;
#[path = "../codemods/remove_tf_function.rs"]
mod remove_tf_function;
#[path = "../codemods/state_to_variable.rs"]
mod state_to_variable;
#[path = "../codemods/tensor_arguments.rs"]
mod tensor_arguments;
#[path = "../codemods/tensor_leak.rs"]
mod tensor_leak;
#[path = "../codemods/variable_created_per_call.rs"]
mod variable_created_per_call;

/// Every codemod, in order of code.
pub static CODEMODS: &[&Codemod] = &[
    &add_tf_function::CODEMOD,
    &hoist_tf_function::CODEMOD,
    &input_signature::CODEMOD,
    &tensor_arguments::CODEMOD,
    &state_to_variable::CODEMOD,
    &print_to_tf_print::CODEMOD,
    &variable_created_per_call::CODEMOD,
    &python_iterator_in_graph::CODEMOD,
    &list_append_in_graph_loop::CODEMOD,
    &tensor_leak::CODEMOD,
    &remove_tf_function::CODEMOD,
    &deprecated_tf_function_args::CODEMOD,
];

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
    for codemod in CODEMODS
        .iter()
        .filter(|codemod| codemod.may_report(settings))
    {
        (codemod.run)(&mut checker);
    }
    checker.into_diagnostics()
}

/// A codemod: its stable code and name, its documentation, and the function
/// that reports findings (with fixes) for one file.
pub struct Codemod {
    pub code: &'static str,
    pub name: &'static str,
    /// One line, shown by `hybridize codemods`.
    pub summary: &'static str,
    /// The applicability of its fixes, as shown by `hybridize codemods`.
    pub safety: &'static str,
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

/// The documentation of an informational code (a HY001 refusal such as
/// `HY101`), by code or name.
pub fn informational_doc(code_or_name: &str) -> Option<&'static str> {
    add_tf_function::refusals::doc(code_or_name)
}

/// Looks a codemod up by code (`HY011`) or name (`print-to-tf-print`).
pub fn find(code_or_name: &str) -> Option<&'static Codemod> {
    CODEMODS.iter().copied().find(|codemod| {
        codemod.code.eq_ignore_ascii_case(code_or_name) || codemod.name == code_or_name
    })
}
