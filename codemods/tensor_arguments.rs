//! HY004 tensor-arguments: a Python number that changes between calls of a
//! graph function is part of the trace key, so every new value traces the
//! function again. Passing it as a tensor traces once per dtype.

use std::collections::HashMap;

use ruff_python_ast::{Expr, ExprCall, UnaryOp};
use ruff_text_size::{Ranged, TextSize};

use crate::analyze::signature::{
    add_keyword, expression_calls, graph_decorator, local_calls, python_only_use, scalar_signature,
    tracing_keyword, STRUCTURAL_NAMES,
};
use crate::checker::Checker;
use crate::codemod::{Codemod, DependsOn, FixSafety};
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::observe::profile::Kind;
use crate::observe::Entry;
use crate::semantic::effects::Call;
use crate::semantic::kinds::{ParamKind, Value};
use crate::semantic::{FunctionId, SemanticModel};

pub const CODEMOD: Codemod = Codemod {
    code: "HY004",
    name: "tensor-arguments",
    summary: "Pass varying Python numbers to graph functions as tensors",
    safety: FixSafety::Unsafe,
    doc: include_str!("tensor_arguments.md"),
    informational: &[],
    // It looks at the call sites of graph functions.
    depends_on: &[DependsOn::GraphCode],
    run,
};

fn run(checker: &mut Checker) {
    let semantic = checker.semantic;
    // Every call is indexed only once a graph function has a varying
    // Python parameter (rare), not for every module.
    let mut calls_by_offset = None;
    for id in 0..semantic.functions.len() {
        if semantic.functions[id].graph.is_none() {
            continue;
        }
        // A signature turns every number passed into a tensor already.
        if tracing_keyword(semantic, id) == Some("input_signature") {
            continue;
        }
        let observed = checker.observed(id);
        for (index, (param, kind)) in semantic.facts[id].params.iter().enumerate() {
            let at = match (
                kind,
                observed.and_then(|entry| observed_values(entry, param)),
            ) {
                // What the profiled run passed replaces what the call
                // sites say.
                (_, Some((values, traces))) if values > 1 => {
                    let traces = traces.map_or(String::new(), |traces| {
                        format!(", and it was traced {traces} times")
                    });
                    let values = if values >= MAX_OBSERVED_VALUES {
                        format!("{values} or more")
                    } else {
                        values.to_string()
                    };
                    format!("{values} different values in the profiled run{traces}")
                }
                (_, Some(_)) => continue,
                (
                    ParamKind::Primitive {
                        varies_at: Some(0), ..
                    },
                    None,
                ) => "different constants at different call sites".to_string(),
                (
                    ParamKind::Primitive {
                        varies_at: Some(line),
                        ..
                    },
                    None,
                ) => format!("a value that changes between calls, at line {line}"),
                _ => continue,
            };
            let calls = calls_by_offset
                .get_or_insert_with(|| expression_calls(checker.module.body.as_slice()));
            check_parameter(checker, calls, id, index, param, at);
        }
    }
}

/// The tracer keeps at most this many distinct values of a parameter.
const MAX_OBSERVED_VALUES: usize = 16;

/// How many distinct Python scalars the profiled run passed for `param`
/// (when it passed only scalars), and how often the function was traced.
fn observed_values(entry: &Entry, param: &str) -> Option<(usize, Option<u64>)> {
    let observed = entry.params.iter().find(|p| p.name == param)?;
    let mut values = 0;
    for kind in &observed.kinds {
        // Only numbers become tensors that mean the same.
        let Kind::Scalar {
            values: seen,
            type_name,
        } = kind
        else {
            return None;
        };
        if !matches!(type_name.as_str(), "int" | "float") {
            return None;
        }
        values += seen.len();
    }
    Some((values, entry.traces))
}

fn check_parameter(
    checker: &mut Checker,
    calls_by_offset: &HashMap<TextSize, &ExprCall>,
    id: FunctionId,
    index: usize,
    param: &str,
    at: String,
) {
    let semantic = checker.semantic;
    let function = &semantic.functions[id];
    let name = function.qualified_name.clone();
    // A flag such as `training=True` selects a graph per value, on purpose.
    if STRUCTURAL_NAMES.contains(&param) {
        return;
    }
    let sites = local_calls(semantic, id);
    let arguments: Vec<(&Call, Option<(&Expr, Passed)>)> = sites
        .iter()
        .map(|call| {
            (
                *call,
                argument(calls_by_offset, semantic, id, call, index, param),
            )
        })
        .collect();
    if arguments
        .iter()
        .any(|(_, arg)| matches!(arg, Some((_, Passed::Bool))))
    {
        return;
    }
    let diagnostic = CODEMOD.diagnostic(format!(
            "graph function `{name}` receives a Python value for `{param}` ({at}); each new value traces it again"
        ),
        function.def.name.range(),
    )
    .with_function(name.clone());
    if let Some(why) = python_only_use(semantic, checker.source, id, param) {
        checker.report(diagnostic.with_note(format!(
            "no fix offered: `{param}` {why}; as a tensor it would mean something else"
        )));
        return;
    }
    // A scalar `TensorSpec` converts the number at every call, seen or not:
    // only when every call is known and there are many of them.
    let no_signature = match scalar_signature(semantic, checker.source, id) {
        Ok(specs) => {
            signature_fix(checker, diagnostic, id, param, &specs, sites.len());
            return;
        }
        Err(why) => why,
    };
    if semantic.facts[id].call_sites > sites.len() {
        checker.report(diagnostic.with_note(format!(
            "no fix offered: it is also called from other modules, whose calls this fix cannot change (and no scalar `TensorSpec` either: {no_signature})"
        )));
        return;
    }
    let mut wrapped = Vec::new();
    for (call, arg) in &arguments {
        match arg {
            Some((expr, Passed::Number)) => wrapped.push(*expr),
            Some((_, Passed::Tensor)) => {}
            _ => {
                let line = checker.line_number(call.offset);
                checker.report(diagnostic.with_note(format!(
                    "no fix offered: the analysis cannot tell what the call at line {line} passes for `{param}`"
                )));
                return;
            }
        }
    }
    let Some((constant, import)) = checker.importer.tensorflow_attribute("constant") else {
        checker.report(
            diagnostic.with_note("no fix offered: the names `tf` and `tensorflow` are both taken"),
        );
        return;
    };
    let mut edits: Vec<Edit> = Vec::new();
    for expr in wrapped {
        edits.push(Edit::insertion(format!("{constant}("), expr.start()));
        edits.push(Edit::insertion(")".to_string(), expr.end()));
    }
    edits.extend(import);
    edits.sort_by_key(|edit| (edit.start(), edit.end()));
    let mut edits = edits.into_iter();
    let Some(first) = edits.next() else {
        return;
    };
    checker.report(
        diagnostic
            .with_note(format!(
                "`{name}` uses `{param}` only through TensorFlow operations that read a scalar tensor the same way; converting at the call sites changes only these calls (no scalar `TensorSpec` in an `input_signature`: {no_signature})"
            ))
            .with_fix(
                format!("Pass `{param}` as `{constant}(...)` at every call site"),
                Fix::unsafe_edits(first, edits),
            ),
    );
}

/// What a call site passes for the parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Passed {
    Number,
    Bool,
    Tensor,
    Unknown,
}

impl Passed {
    fn of(value: &Value) -> Self {
        match value {
            Value::Primitive {
                literal: Some(literal),
                ..
            } if literal == "True" || literal == "False" => Passed::Bool,
            Value::Primitive { .. } => Passed::Number,
            Value::Tensor(_) => Passed::Tensor,
            _ => Passed::Unknown,
        }
    }
}

/// The argument a call passes for parameter `index` (named `param`), and
/// what it is.
fn argument<'c>(
    calls_by_offset: &HashMap<TextSize, &'c ExprCall>,
    semantic: &SemanticModel,
    id: FunctionId,
    call: &Call,
    index: usize,
    param: &str,
) -> Option<(&'c Expr, Passed)> {
    let expr_call = calls_by_offset.get(&call.offset)?;
    let has_self = semantic.effects[id].params.len()
        < semantic.functions[id]
            .def
            .parameters
            .iter_non_variadic_params()
            .count();
    let skip = usize::from(has_self && !call.bound);
    let (expr, value) = if let Some(keyword) = expr_call.arguments.find_keyword(param) {
        let (_, value) = call.keywords.iter().find(|(k, _)| k == param)?;
        (&keyword.value, value)
    } else {
        let expr = expr_call.arguments.args.get(index + skip)?;
        (expr, call.args.get(index + skip)?.as_ref()?)
    };
    // A comparison or a logical operation is a `bool` whatever it compares.
    let boolean = match expr {
        Expr::Compare(_) | Expr::BoolOp(_) | Expr::BooleanLiteral(_) => true,
        Expr::UnaryOp(unary) => unary.op == UnaryOp::Not,
        _ => false,
    };
    Some((
        expr,
        if boolean {
            Passed::Bool
        } else {
            Passed::of(value)
        },
    ))
}

/// Adds an `input_signature` to the decorator of `id` in which each varying
/// number is a scalar `tf.TensorSpec`.
fn signature_fix(
    checker: &mut Checker,
    diagnostic: Diagnostic,
    id: FunctionId,
    param: &str,
    specs: &[(String, &'static str)],
    sites: usize,
) {
    let semantic = checker.semantic;
    let name = semantic.functions[id].qualified_name.clone();
    let Some(decorator) = graph_decorator(semantic, id) else {
        return;
    };
    let Some((spec, import)) = checker.importer.tensorflow_attribute("TensorSpec") else {
        checker.report(
            diagnostic.with_note("no fix offered: the names `tf` and `tensorflow` are both taken"),
        );
        return;
    };
    let text = format!(
        "input_signature=[{}]",
        specs
            .iter()
            .map(|(shape, dtype)| {
                let dtype = checker
                    .importer
                    .tensorflow_attribute(dtype)
                    .map_or_else(|| dtype.to_string(), |(d, _)| d);
                format!("{spec}(shape={shape}, dtype={dtype})")
            })
            .collect::<Vec<_>>()
            .join(", ")
    );
    let index = semantic.facts[id]
        .params
        .iter()
        .position(|(p, _)| p == param)
        .unwrap_or_default();
    let dtype = specs.get(index).map_or("int32", |(_, dtype)| dtype);
    let edit = add_keyword(checker.source, decorator, &text);
    checker.report(
        diagnostic
            .with_note(format!(
                "`{name}` uses `{param}` only through TensorFlow operations that read a scalar tensor the same way, and its {sites} call sites, all in this module, pass it {} and the other arguments tensors of fixed dtype and shape: one `input_signature` with a scalar `{dtype}` spec converts it at every call, rather than `tf.constant(...)` at each",
                if dtype == "int32" { "an `int`" } else { "a `float`" }
            ))
            .with_fix(
                format!("Add an `input_signature` with `{param}` as a scalar `{dtype}` tensor"),
                Fix::unsafe_edits(edit, import),
            ),
    );
}
