//! HY001 add-tf-function: decorate hot eager functions with `@tf.function`
//! when every safety precondition holds; otherwise explain, with an
//! informational `HY1xx` finding per failed precondition.

use ruff_text_size::{Ranged, TextSize};

use crate::checker::Checker;
use crate::codemods::Codemod;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::semantic::preconditions::{failed_preconditions, Precondition};
use crate::semantic::{FunctionId, SemanticModel};

#[path = "add_tf_function/refusals.rs"]
pub mod refusals;

use refusals::Refusal;

pub const CODEMOD: Codemod = Codemod {
    code: "HY001",
    name: "add-tf-function",
    summary: "Decorate hot eager functions with `@tf.function` when it is provably safe",
    safety: "safe",
    doc: include_str!("add_tf_function.md"),
    also_reports: refusals::CODES,
    run,
};

/// Names of functions that are training or evaluation steps by convention.
const STEP_NAMES: &[&str] = &[
    "train_step",
    "test_step",
    "eval_step",
    "predict_step",
    "val_step",
];

fn run(checker: &mut Checker) {
    let semantic = checker.semantic;
    for id in 0..semantic.functions.len() {
        let Some(reason) = candidate_reason(semantic, id) else {
            continue;
        };
        let function = &semantic.functions[id];
        let name = function.qualified_name.clone();
        let range = function.def.name.range();
        let refusals = refusals_of(checker.source, semantic, id);
        if !refusals.is_empty() {
            for (refusal, why) in refusals {
                checker.report(
                    Diagnostic::new(refusal.code, refusal.name, format!("`{name}` {why}"), range)
                        .with_function(name.clone()),
                );
            }
            continue;
        }
        let Some((decorator, import)) = checker.importer.tensorflow_attribute("function") else {
            checker.report(
                Diagnostic::new(
                    CODEMOD.code,
                    CODEMOD.name,
                    format!("`{name}` {reason}; it can run as a graph function"),
                    range,
                )
                .with_function(name)
                .with_note("no fix offered: the names `tf` and `tensorflow` are both taken"),
            );
            continue;
        };
        let (line_start, indent) = line_start_and_indent(checker.source, function.def.name.start());
        let line_ending = checker.stylist.line_ending().as_str();
        let edit = Edit::insertion(format!("{indent}@{decorator}{line_ending}"), line_start);
        checker.report(
            Diagnostic::new(
                CODEMOD.code,
                CODEMOD.name,
                format!("`{name}` {reason}; it can run as a graph function"),
                range,
            )
            .with_function(name)
            .with_fix(
                format!("Decorate with `@{decorator}`"),
                Fix::safe_edits(edit, import),
            ),
        );
    }
}

/// Why the function is worth converting, or `None` when it is not a
/// candidate at all (then nothing is reported).
fn candidate_reason(semantic: &SemanticModel, id: FunctionId) -> Option<String> {
    let function = &semantic.functions[id];
    let facts = &semantic.facts[id];
    let def = function.def;
    let name = def.name.id.as_str();
    // Already a graph function: HY020 and the repair codemods take over.
    if function.graph.is_some() || def.is_async {
        return None;
    }
    // A function defined inside another would be re-created (and re-traced)
    // on every call of its parent: that is HY002's business.
    if function.parent.is_some() {
        return None;
    }
    // A graph function defined inside it is re-created on every call:
    // HY002 hoists it first.
    if semantic
        .functions
        .iter()
        .any(|inner| inner.parent == Some(id) && inner.graph.is_some())
    {
        return None;
    }
    let tf_class = function.class.is_some_and(|c| semantic.is_tf_class(c));
    // Keras compiles `train_step` & co. of a `Model` itself under `fit`.
    if tf_class && STEP_NAMES.contains(&name) {
        return None;
    }
    if tf_class && matches!(name, "call" | "__call__") {
        // Prefer the training or inference step that calls the model: the
        // step is converted (or refused) and the model runs inside it.
        if facts.call_sites > 0 {
            return None;
        }
        return Some("is the forward pass of a Keras/`tf.Module` class".to_string());
    }
    if name.starts_with("__") && name.ends_with("__") {
        return None;
    }
    if let Some(line) = &facts.loop_call {
        return Some(format!("is called in a loop (at {line})"));
    }
    if STEP_NAMES.contains(&name) {
        return Some("is a training or evaluation step".to_string());
    }
    None
}

/// Every failed precondition, with its reason (shared with HY002 through
/// [`failed_preconditions`]).
fn refusals_of(
    source: &str,
    semantic: &SemanticModel,
    id: FunctionId,
) -> Vec<(&'static Refusal, String)> {
    failed_preconditions(source, semantic, id)
        .into_iter()
        .map(|(precondition, why)| (refusal_of(precondition), why))
        .collect()
}

fn refusal_of(precondition: Precondition) -> &'static Refusal {
    match precondition {
        Precondition::PythonSideEffect => &refusals::PYTHON_SIDE_EFFECT,
        Precondition::EagerOnlyCall => &refusals::EAGER_ONLY_CALL,
        Precondition::Recursive => &refusals::RECURSIVE,
        Precondition::Generator => &refusals::GENERATOR,
        Precondition::NoTensorComputation => &refusals::NO_TENSOR_COMPUTATION,
        Precondition::PythonScalarParameter => &refusals::PYTHON_SCALAR_PARAMETER,
        Precondition::IteratesTensorParameter => &refusals::ITERATES_TENSOR_PARAMETER,
        Precondition::VariableCreatedPerCall => &refusals::VARIABLE_CREATED_PER_CALL,
        Precondition::CallersAlreadyGraph => &refusals::CALLERS_ALREADY_GRAPH,
        Precondition::UnknownCallee => &refusals::UNKNOWN_CALLEE,
    }
}

/// The start of the line containing `offset`, and that line's indentation.
fn line_start_and_indent(source: &str, offset: TextSize) -> (TextSize, &str) {
    let before = &source[..offset.to_usize()];
    let start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let line = &source[start..];
    let indent_len = line.len() - line.trim_start_matches([' ', '\t']).len();
    (
        TextSize::try_from(start).unwrap_or_default(),
        &source[start..start + indent_len],
    )
}
