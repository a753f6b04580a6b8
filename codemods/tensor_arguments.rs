//! HY004 tensor-arguments: a Python number that changes between calls of a
//! graph function is part of the trace key, so every new value traces the
//! function again. Passing it as a tensor traces once per dtype.

use std::collections::{HashMap, HashSet};

use ruff_python_ast::visitor::{walk_expr, Visitor};
use ruff_python_ast::{Expr, ExprCall};
use ruff_text_size::{Ranged, TextSize};

use crate::checker::Checker;
use crate::codemods::Codemod;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::semantic::effects::{Call, Callee};
use crate::semantic::kinds::{ParamKind, Value};
use crate::semantic::scopes::FunctionNames;
use crate::semantic::{FunctionId, SemanticModel};

pub const CODEMOD: Codemod = Codemod {
    code: "HY004",
    name: "tensor-arguments",
    summary: "Pass varying Python numbers to graph functions as tensors",
    safety: "unsafe",
    doc: include_str!("tensor_arguments.md"),
    also_reports: &[],
    run,
};

/// Parameter names that conventionally select structure, not data.
const STRUCTURAL_NAMES: &[&str] = &["training", "is_training", "mode", "reuse"];

/// TensorFlow functions through which a scalar parameter means the same
/// whether it is a Python number or a scalar tensor.
const TENSOR_SAFE_USES: &[&str] = &["tensorflow.cast", "tensorflow.print"];

fn run(checker: &mut Checker) {
    let semantic = checker.semantic;
    // Every call is indexed only once a graph function has a varying
    // Python parameter (rare), not for every module.
    let mut calls_by_offset = None;
    for id in 0..semantic.functions.len() {
        if semantic.functions[id].graph.is_none() {
            continue;
        }
        for (index, (param, kind)) in semantic.facts[id].params.iter().enumerate() {
            let ParamKind::Primitive {
                varies_at: Some(line),
                ..
            } = kind
            else {
                continue;
            };
            let calls = calls_by_offset.get_or_insert_with(|| expression_calls(checker));
            check_parameter(checker, calls, id, index, param, *line);
        }
    }
}

fn check_parameter(
    checker: &mut Checker,
    calls_by_offset: &HashMap<TextSize, &ExprCall>,
    id: FunctionId,
    index: usize,
    param: &str,
    line: u32,
) {
    let semantic = checker.semantic;
    let function = &semantic.functions[id];
    let name = function.qualified_name.clone();
    // A flag such as `training=True` selects a graph per value, on purpose.
    if STRUCTURAL_NAMES.contains(&param) {
        return;
    }
    let sites = call_sites(semantic, id);
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
    let at = if line == 0 {
        "different constants at different call sites".to_string()
    } else {
        format!("a value that changes between calls, at line {line}")
    };
    let diagnostic = Diagnostic::new(
        CODEMOD.code,
        CODEMOD.name,
        format!(
            "graph function `{name}` receives a Python value for `{param}` ({at}); each new value traces it again"
        ),
        function.def.name.range(),
    )
    .with_function(name.clone());
    if let Some(why) = python_only_use(checker, id, param) {
        checker.report(diagnostic.with_note(format!(
            "no fix offered: `{param}` {why}; as a tensor it would mean something else"
        )));
        return;
    }
    if semantic.facts[id].call_sites > sites.len() {
        checker.report(diagnostic.with_note(
            "no fix offered: it is also called from other modules, whose calls this fix cannot change",
        ));
        return;
    }
    let mut wrapped = Vec::new();
    for (call, arg) in &arguments {
        match arg {
            Some((expr, Passed::Number)) => wrapped.push(*expr),
            Some((_, Passed::Tensor)) => {}
            _ => {
                let line = line_number(checker.source, call.offset);
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
                "`{name}` uses `{param}` only through TensorFlow operations that read a scalar tensor the same way"
            ))
            .with_fix(
                format!("Pass `{param}` as `{constant}(...)` at every call site"),
                Fix::unsafe_edits(first, edits),
            ),
    );
}

/// The calls of `id` in this module, from functions and module level.
fn call_sites<'m>(semantic: &'m SemanticModel, id: FunctionId) -> Vec<&'m Call> {
    semantic
        .effects
        .iter()
        .flat_map(|effects| &effects.calls)
        .chain(&semantic.module_call_effects)
        .filter(|call| call.callee == Callee::Local(id))
        .collect()
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
    if let Some(keyword) = expr_call.arguments.find_keyword(param) {
        let (_, value) = call.keywords.iter().find(|(k, _)| k == param)?;
        return Some((&keyword.value, Passed::of(value)));
    }
    let expr = expr_call.arguments.args.get(index + skip)?;
    let value = call.args.get(index + skip)?.as_ref()?;
    Some((expr, Passed::of(value)))
}

/// Every call expression of the module, by its start offset (the offset the
/// semantic model records for a call).
fn expression_calls<'a>(checker: &Checker<'a>) -> HashMap<TextSize, &'a ExprCall> {
    #[derive(Default)]
    struct Calls<'a> {
        by_offset: HashMap<TextSize, &'a ExprCall>,
    }
    impl<'a> Visitor<'a> for Calls<'a> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Call(call) = expr {
                // `f(a)(b)`: the inner call `f(a)` is the one a name resolves.
                if !matches!(call.func.as_ref(), Expr::Call(_)) {
                    self.by_offset.insert(call.start(), call);
                }
            }
            walk_expr(self, expr);
        }
    }
    let mut calls = Calls::default();
    calls.visit_body(checker.module.body.as_slice());
    calls.by_offset
}

/// How the function uses `param` other than through [`TENSOR_SAFE_USES`],
/// if it does: a phrase completing "`param` ...".
fn python_only_use(checker: &Checker, id: FunctionId, param: &str) -> Option<String> {
    let def = checker.semantic.functions[id].def;
    let names = FunctionNames::of(def);
    if let Some(binding) = names.bindings.iter().find(|b| b.name == param) {
        return Some(format!(
            "is reassigned at line {}",
            line_number(checker.source, binding.offset)
        ));
    }
    let mut safe = SafeUses {
        checker,
        param,
        offsets: HashSet::new(),
    };
    safe.visit_body(&def.body);
    let unsafe_use = names
        .uses
        .iter()
        .find(|u| u.name == param && !safe.offsets.contains(&u.offset))?;
    let line = line_number(checker.source, unsafe_use.offset);
    Some(format!(
        "is used at line {line} other than through `tf.cast` or `tf.print` (in Python control flow, `range()`, indexing or arithmetic, a tensor behaves differently)"
    ))
}

/// Reads of `param` that are arguments of [`TENSOR_SAFE_USES`].
struct SafeUses<'c, 'a> {
    checker: &'c Checker<'a>,
    param: &'c str,
    offsets: HashSet<TextSize>,
}

impl<'a> Visitor<'a> for SafeUses<'_, '_> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(call) = expr {
            let qualified = self.checker.semantic.imports.resolve(&call.func);
            if qualified.is_some_and(|q| TENSOR_SAFE_USES.contains(&q.as_str())) {
                let arguments = call.arguments.args.iter();
                for arg in arguments {
                    if matches!(arg, Expr::Name(n) if n.id.as_str() == self.param) {
                        self.offsets.insert(arg.start());
                    }
                }
            }
        }
        walk_expr(self, expr);
    }
}

fn line_number(source: &str, offset: TextSize) -> usize {
    source[..offset.to_usize()].matches('\n').count() + 1
}
