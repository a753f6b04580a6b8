//! HY003 input-signature: a graph function called with tensors of changing
//! shapes traces once per shape. An `input_signature` inferred from its call
//! sites (or `reduce_retracing=True` where shapes cannot be inferred) makes
//! one trace serve them all.

use ruff_python_ast::{Expr, ExprCall};
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::codemods::Codemod;
use crate::diagnostic::{Diagnostic, Fix};
use crate::semantic::kinds::ParamKind;
use crate::semantic::{FunctionId, GraphOrigin};
use crate::signature::{add_keyword, call_sites_closed, scalar_signature, tensor_spec};
use crate::version::TfVersion;

pub const CODEMOD: Codemod = Codemod {
    code: "HY003",
    name: "input-signature",
    summary: "Give retracing graph functions an `input_signature` (or `reduce_retracing=True`)",
    safety: "unsafe",
    doc: include_str!("input_signature.md"),
    also_reports: &[],
    run,
};

/// `reduce_retracing` replaced `experimental_relax_shapes` in TensorFlow 2.9.
const REDUCE_RETRACING: TfVersion = TfVersion::new(2, 9);

fn run(checker: &mut Checker) {
    let semantic = checker.semantic;
    for id in 0..semantic.functions.len() {
        let function = &semantic.functions[id];
        let Some(GraphOrigin::Decorator(range)) = function.graph else {
            continue;
        };
        let Some(decorator) = function
            .def
            .decorator_list
            .iter()
            .find(|d| d.range() == range)
        else {
            continue;
        };
        let facts = &semantic.facts[id];
        // A function without parameters (besides `self`) is traced once.
        if facts.params.is_empty() {
            continue;
        }
        // Only functions that are called (in a loop, or from several places)
        // retrace enough to matter.
        if facts.call_sites == 0 || (facts.loop_call.is_none() && facts.call_sites < 2) {
            continue;
        }
        let arguments = match &decorator.expression {
            Expr::Call(call) => Some(call),
            _ => None,
        };
        if arguments.is_some_and(|call| call.arguments.find_keyword("input_signature").is_some()) {
            existing_signature(checker, id, arguments.expect("checked"));
            continue;
        }
        if arguments.is_some_and(|call| {
            call.arguments.find_keyword("reduce_retracing").is_some()
                || call
                    .arguments
                    .find_keyword("experimental_relax_shapes")
                    .is_some()
        }) {
            continue;
        }
        // A signature would turn Python values into tensors: those are
        // HY004's (or deliberate), and only `reduce_retracing` remains.
        let python_values = facts
            .params
            .iter()
            .any(|(_, kind)| matches!(kind, ParamKind::Primitive { .. } | ParamKind::Other));
        // HY004 gives varying numbers a scalar `TensorSpec` in a signature
        // of its own when that is the better fix.
        if python_values && scalar_signature(semantic, checker.source, id).is_ok() {
            continue;
        }
        let def = function.def;
        if def.parameters.vararg.is_some() || def.parameters.kwarg.is_some() {
            continue;
        }
        let name = function.qualified_name.clone();
        let closed = call_sites_closed(semantic, id);
        let inferred = if python_values {
            None
        } else {
            signature(&facts.params, closed)
        };
        match inferred {
            Some(specs) => {
                let note = if closed {
                    "every call site is in this module, so the dimensions that never vary stay fixed".to_string()
                } else {
                    "the function may be called from code the analysis cannot see, so every dimension is left open (`None`)".to_string()
                };
                let Some((spec, import)) = checker.importer.tensorflow_attribute("TensorSpec")
                else {
                    continue;
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
                let edit = add_keyword(checker.source, decorator, &text);
                checker.report(
                    Diagnostic::new(
                        CODEMOD.code,
                        CODEMOD.name,
                        format!("graph function `{name}` is traced again for every new argument shape or dtype; its call sites determine a signature"),
                        def.name.range(),
                    )
                    .with_function(name)
                    .with_note(note)
                    .with_fix("Add an `input_signature` inferred from the call sites", Fix::unsafe_edits(edit, import)),
                );
            }
            None => {
                // Only a tensor whose shape is unknown or varies can retrace;
                // a varying Python number becomes such a tensor under HY004,
                // so it counts too (and the fixes agree in one pass).
                if !facts.params.iter().any(|(_, kind)| match kind {
                    ParamKind::Unknown
                    | ParamKind::Primitive {
                        varies_at: Some(_), ..
                    } => true,
                    ParamKind::Tensor(info) => info
                        .shape
                        .as_ref()
                        .is_none_or(|shape| shape.iter().any(Option::is_none)),
                    _ => false,
                }) {
                    continue;
                }
                let diagnostic = Diagnostic::new(
                    CODEMOD.code,
                    CODEMOD.name,
                    format!("graph function `{name}` is traced again for every new argument shape; the call sites do not determine a signature"),
                    def.name.range(),
                )
                .with_function(name);
                if let Some(why) = checker.missing_api("reduce_retracing", REDUCE_RETRACING) {
                    checker.report(diagnostic.with_note(why));
                    continue;
                }
                let edit = add_keyword(checker.source, decorator, "reduce_retracing=True");
                checker.report(
                    diagnostic
                        .with_note(if python_values {
                    "some arguments are Python values, which a signature would turn into tensors; `reduce_retracing=True` lets TensorFlow generalise the tensors' shapes after the first retrace"
                } else {
                    "the dtype or rank of an argument cannot be inferred; `reduce_retracing=True` lets TensorFlow generalise shapes after the first retrace instead"
                })
                        .with_fix("Add `reduce_retracing=True`", Fix::unsafe_edit(edit)),
                );
            }
        }
    }
}

/// One `(shape, dtype)` per parameter, as source text, when every
/// parameter is a tensor of known dtype and rank.
fn signature(params: &[(String, ParamKind)], closed: bool) -> Option<Vec<(String, &'static str)>> {
    params
        .iter()
        .map(|(_, kind)| tensor_spec(kind, closed))
        .collect()
}

/// An existing `input_signature` is never narrowed; one whose dtypes or
/// ranks contradict what the call sites pass is reported.
fn existing_signature(checker: &mut Checker, id: FunctionId, call: &ExprCall) {
    let semantic = checker.semantic;
    let Some(keyword) = call.arguments.find_keyword("input_signature") else {
        return;
    };
    let specs = match &keyword.value {
        Expr::List(list) => &list.elts,
        Expr::Tuple(tuple) => &tuple.elts,
        _ => return,
    };
    let function = &semantic.functions[id];
    for ((param, kind), spec) in semantic.facts[id].params.iter().zip(specs) {
        let ParamKind::Tensor(info) = kind else {
            continue;
        };
        let Expr::Call(spec_call) = spec else {
            continue;
        };
        let declared_dtype = spec_call
            .arguments
            .find_keyword("dtype")
            .map(|k| &k.value)
            .or_else(|| spec_call.arguments.args.get(1))
            .and_then(|d| semantic.imports.resolve(d))
            .and_then(|q| q.strip_prefix("tensorflow.").map(str::to_string));
        let declared_rank = spec_call
            .arguments
            .find_keyword("shape")
            .map(|k| &k.value)
            .or_else(|| spec_call.arguments.args.first())
            .and_then(|shape| match shape {
                Expr::List(list) => Some(list.elts.len()),
                Expr::Tuple(tuple) => Some(tuple.elts.len()),
                _ => None,
            });
        let mut declared = Vec::new();
        let mut passed = Vec::new();
        if let (Some(ours), Some(theirs)) = (&declared_dtype, &info.dtype) {
            if ours != theirs {
                declared.push(format!("dtype `{ours}`"));
                passed.push(format!("dtype `{theirs}`"));
            }
        }
        if let (Some(ours), Some(theirs)) = (declared_rank, info.shape.as_ref().map(Vec::len)) {
            if ours != theirs {
                declared.push(format!("rank {ours}"));
                passed.push(format!("rank {theirs}"));
            }
        }
        if declared.is_empty() {
            continue;
        }
        checker.report(
            Diagnostic::new(
                CODEMOD.code,
                CODEMOD.name,
                format!(
                    "the `input_signature` of `{}` declares `{param}` with {}, but its call sites pass {}: those calls fail",
                    function.qualified_name,
                    declared.join(" and "),
                    passed.join(" and ")
                ),
                spec.range(),
            )
            .with_function(function.qualified_name.clone())
            .with_note(
                "no fix offered: an existing signature is never changed; check which side is right",
            ),
        );
    }
}
