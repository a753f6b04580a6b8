//! The safety preconditions for converting one function to a graph
//! function, as plain facts: every codemod that turns eager code into graph
//! code (decorating a function, moving a nested `tf.function` outwards)
//! asks the same question and gets the same answers.

use ruff_python_ast::Expr;
use ruff_text_size::Ranged;

use crate::semantic::effects::Effect;
use crate::semantic::facts::FunctionFacts;
use crate::semantic::{FunctionId, SemanticModel};

/// One precondition of graph conversion that a function fails. A codemod
/// reports each under a code of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precondition {
    PythonSideEffect,
    EagerOnlyCall,
    Recursive,
    Generator,
    NoTensorComputation,
    PythonScalarParameter,
    IteratesTensorParameter,
    VariableCreatedPerCall,
    CallersAlreadyGraph,
    UnknownCallee,
}

/// Every precondition function `id` fails as a graph function, with a phrase
/// completing "`f` ..." that says why. Empty when it can be converted.
pub fn failed_preconditions(
    source: &str,
    semantic: &SemanticModel,
    id: FunctionId,
) -> Vec<(Precondition, String)> {
    let mut out: Vec<(Precondition, String)> = Vec::new();
    let function = &semantic.functions[id];
    let facts = &semantic.facts[id];
    if let Some(caller) = &facts.graph_callers_only {
        out.push((
            Precondition::CallersAlreadyGraph,
            format!("already runs as part of a graph: every call site is in graph code (e.g. `{caller}`)"),
        ));
        return out;
    }
    if let Some(decorator) = function.def.decorator_list.iter().find(|d| {
        !matches!(&d.expression, Expr::Name(n) if matches!(n.id.as_str(), "staticmethod" | "classmethod"))
    }) {
        let line = semantic.line_number(source, decorator.start());
        out.push((
            Precondition::UnknownCallee,
            format!("has a decorator at line {line} whose effect the analysis cannot see"),
        ));
    }
    if let Some(why) = &facts.generator {
        out.push((Precondition::Generator, why.clone()));
    }
    if let Some(why) = &facts.recursion {
        out.push((Precondition::Recursive, format!("is recursive: it {why}")));
    }
    for effect in [
        Effect::SideEffect,
        Effect::StateWrite,
        Effect::Print,
        Effect::Logging,
    ] {
        if let Some(why) = facts.effect(effect) {
            out.push((Precondition::PythonSideEffect, why.to_string()));
            break;
        }
    }
    if let Some(why) = facts.effect(Effect::EagerOnly) {
        out.push((
            Precondition::EagerOnlyCall,
            format!("{why}; that works only eagerly"),
        ));
    }
    if let Some(why) = facts.effect(Effect::VariableCreation) {
        out.push((
            Precondition::VariableCreatedPerCall,
            format!("{why} on every call; a graph function may create variables only once"),
        ));
    }
    if let Some(why) = facts.effect(Effect::UnknownCallee) {
        out.push((
            Precondition::UnknownCallee,
            format!("{why}; the analysis cannot see into it, and an unknown callee is never assumed pure"),
        ));
    }
    // Computing with a parameter whose kind is unknown is tensor work when a
    // tensor is passed: the doubt is the fix's (HY001 makes it unsafe).
    if facts.effect(Effect::TensorComputation).is_none()
        && facts.effect(Effect::UnknownCallee).is_none()
        && !facts.param_tensor_work
    {
        out.push((
            Precondition::NoTensorComputation,
            "does no tensor computation; as a graph function it would only add tracing".to_string(),
        ));
    }
    if let Some((param, line)) = facts.varying_python_value() {
        let at = if line == 0 {
            "different constants at different call sites".to_string()
        } else {
            format!("a value that changes between calls at line {line}")
        };
        out.push((
            Precondition::PythonScalarParameter,
            format!(
                "receives a Python value for `{param}` ({at}); each new value would retrace it"
            ),
        ));
    }
    if let Some(why) = &facts.iterates_tensor {
        out.push((Precondition::IteratesTensorParameter, why.clone()));
    }
    out
}

/// Why a graph function should be eager again, if it should: its
/// `tf.function` can only hurt, so it is to be removed rather than kept or
/// moved. Each reason is a fact about the function itself: it is on a cycle
/// of calls (calling a recursive helper, which runs in Python while tracing,
/// is no reason), it has a Python side effect no codemod repairs, or it
/// does no tensor computation at all. Whether removing it is possible (a
/// graph-only call, a loop AutoGraph converts, its `tf.function` object in
/// use) is for the codemod to check.
pub fn reason_to_remove(facts: &FunctionFacts) -> Option<String> {
    if let Some(why) = facts.recursion.as_ref().filter(|_| facts.recursive_cycle) {
        return Some(format!("is recursive: it {why}"));
    }
    if let Some(why) = facts.effect(Effect::SideEffect) {
        return Some(format!(
            "{why}, a Python side effect that runs only while tracing"
        ));
    }
    // Without tensor computation, but only when nothing could be one: a
    // callee the analysis cannot see, a `print` that `tf.print` can replace,
    // or a parameter that may be a tensor.
    let computes = facts.effect(Effect::TensorComputation).is_some()
        || facts.effect(Effect::UnknownCallee).is_some()
        || facts.effect(Effect::Print).is_some()
        || facts.param_tensor_work
        || facts.generator.is_some()
        || facts.params.iter().any(|(_, kind)| kind.may_be_tensor());
    (!computes).then(|| "does no tensor computation".to_string())
}

/// Why a graph function needs its graph, if it does: a call that works
/// only while tracing (or that a graph answers differently), or a loop
/// AutoGraph converts, in its body or in a function it calls. A phrase
/// completing "`f` ...", with the culprit's line.
pub fn needs_graph(facts: &FunctionFacts) -> Option<String> {
    facts
        .effect(Effect::GraphOnly)
        .or_else(|| facts.effect(Effect::GraphLoop))
        .map(ToString::to_string)
}
