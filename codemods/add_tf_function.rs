//! HY001 add-tf-function: decorate hot eager functions with `@tf.function`
//! when every safety precondition holds; otherwise explain, with an
//! informational `HY1xx` finding per failed precondition.

use ruff_text_size::{Ranged, TextSize};

use crate::checker::Checker;
use crate::codemods::Codemod;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::semantic::effects::Effect;
use crate::semantic::kinds::ParamKind;
use crate::semantic::propagate::FunctionFacts;
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
        let facts = &semantic.facts[id];
        let name = function.qualified_name.clone();
        let range = function.def.name.range();
        let refusals = refusals_of(checker.source, semantic, id, facts);
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

/// Every failed precondition, with its reason.
fn refusals_of(
    source: &str,
    semantic: &SemanticModel,
    id: FunctionId,
    facts: &FunctionFacts,
) -> Vec<(&'static Refusal, String)> {
    let mut out: Vec<(&'static Refusal, String)> = Vec::new();
    let function = &semantic.functions[id];
    if let Some(caller) = &facts.graph_callers_only {
        out.push((
            &refusals::CALLERS_ALREADY_GRAPH,
            format!("already runs as part of a graph: every call site is in graph code (e.g. `{caller}`)"),
        ));
        return out;
    }
    if let Some(decorator) = function.def.decorator_list.iter().find(|d| {
        !matches!(&d.expression, ruff_python_ast::Expr::Name(n) if matches!(n.id.as_str(), "staticmethod" | "classmethod"))
    }) {
        let line = source[..decorator.start().to_usize()].matches('\n').count() + 1;
        out.push((
            &refusals::UNKNOWN_CALLEE,
            format!("has a decorator at line {line} whose effect the analysis cannot see"),
        ));
    }
    if let Some(why) = &facts.generator {
        out.push((&refusals::GENERATOR, why.clone()));
    }
    if let Some(why) = &facts.recursion {
        out.push((&refusals::RECURSIVE, format!("is recursive: it {why}")));
    }
    for effect in [Effect::SideEffect, Effect::StateWrite, Effect::Print] {
        if let Some(why) = facts.effect(effect) {
            out.push((&refusals::PYTHON_SIDE_EFFECT, why.to_string()));
            break;
        }
    }
    if let Some(why) = facts.effect(Effect::EagerOnly) {
        out.push((
            &refusals::EAGER_ONLY_CALL,
            format!("{why}; that needs an eager tensor value"),
        ));
    }
    if let Some(why) = facts.effect(Effect::VariableCreation) {
        out.push((
            &refusals::VARIABLE_CREATED_PER_CALL,
            format!("{why} on every call; a graph function may create variables only once"),
        ));
    }
    if let Some(why) = facts.effect(Effect::UnknownCallee) {
        out.push((
            &refusals::UNKNOWN_CALLEE,
            format!("{why}; the analysis cannot see into it, and an unknown callee is never assumed pure"),
        ));
    }
    if facts.effect(Effect::TensorComputation).is_none()
        && facts.effect(Effect::UnknownCallee).is_none()
    {
        out.push((
            &refusals::NO_TENSOR_COMPUTATION,
            "does no tensor computation; as a graph function it would only add tracing".to_string(),
        ));
    }
    for (param, kind) in &facts.params {
        if let ParamKind::Primitive {
            varies_at: Some(line),
            ..
        } = kind
        {
            let at = if *line == 0 {
                "different constants at different call sites".to_string()
            } else {
                format!("a value that changes between calls at line {line}")
            };
            out.push((
                &refusals::PYTHON_SCALAR_PARAMETER,
                format!(
                    "receives a Python value for `{param}` ({at}); each new value would retrace it"
                ),
            ));
            break;
        }
    }
    if let Some(why) = &facts.iterates_tensor {
        out.push((&refusals::ITERATES_TENSOR_PARAMETER, why.clone()));
    }
    out
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
