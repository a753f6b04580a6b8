//! Input signatures of graph functions, and the Python numbers a signature
//! would turn into tensors: which `tf.TensorSpec` a parameter gets, whether
//! every call of a function is one the analysis has seen, how a function
//! uses a parameter that would become a scalar tensor, and when a scalar
//! `TensorSpec` is the better way to stop a varying number from retracing.
//! Codemods that add signatures and codemods that convert arguments ask the
//! same questions here, so that they agree on which of them acts.

use std::collections::HashMap;
use std::collections::HashSet;

use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
use ruff_python_ast::{Decorator, Expr, ExprCall, ExprContext, Number, Stmt, UnaryOp};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::diagnostic::Edit;
use crate::semantic::effects::Call;
use crate::semantic::kinds::{Dim, ParamKind, TensorInfo};
use crate::semantic::scopes::FunctionNames;
use crate::semantic::{FunctionId, GraphOrigin, SemanticModel};

pub use crate::semantic::kinds::DTYPES;

/// From how many call sites on a scalar `TensorSpec` is preferred to
/// converting the number at each call site.
pub const MANY_CALL_SITES: usize = 3;

/// Parameter names that conventionally select structure, not data: their
/// values are meant to pick a graph each.
pub const STRUCTURAL_NAMES: &[&str] = &["training", "is_training", "mode", "reuse"];

/// TensorFlow functions through which a scalar parameter means the same
/// whether it is a Python number or a scalar tensor.
const TENSOR_SAFE_USES: &[&str] = &["tensorflow.cast", "tensorflow.print"];

/// The `(shape, dtype)` of a tensor parameter's spec, as source text, when
/// its dtype and rank are known; dimensions are kept only when `closed`.
pub fn tensor_spec(kind: &ParamKind, closed: bool) -> Option<(String, &'static str)> {
    let ParamKind::Tensor(info) = kind else {
        return None;
    };
    let TensorInfo {
        dtype: Some(dtype),
        shape: Some(shape),
        ..
    } = &**info
    else {
        return None;
    };
    let dtype = DTYPES.iter().copied().find(|d| d == dtype)?;
    let dims: Vec<String> = shape
        .iter()
        .map(|dim| match dim {
            Some(Dim::Size(size)) if closed => size.to_string(),
            _ => "None".to_string(),
        })
        .collect();
    Some((format!("[{}]", dims.join(", ")), dtype))
}

/// The calls of `id` in this module, from functions and module level.
pub fn local_calls<'m>(semantic: &'m SemanticModel, id: FunctionId) -> Vec<&'m Call> {
    semantic.calls_of(id).collect()
}

/// Whether every call of the function is one the analysis has seen: all are
/// in this module, the function is never used as a value, and it is private
/// (`_name`) or the module calls it at top level (a script, not a library).
pub fn call_sites_closed(semantic: &SemanticModel, id: FunctionId) -> bool {
    let function = &semantic.functions[id];
    let name = function.def.name.id.as_str();
    if semantic.facts[id].call_sites != semantic.calls_of(id).count() || function.class.is_some() {
        return false;
    }
    if semantic.names_used_as_values().contains(name) {
        return false;
    }
    let script = semantic
        .calls_with_callers(id)
        .any(|(caller, _)| caller.is_none());
    name.starts_with('_') || script
}

/// `@tf.function` → `@tf.function(keyword)`; `@tf.function(...)` gains
/// `keyword` as its last argument.
pub fn add_keyword(source: &str, decorator: &Decorator, keyword: &str) -> Edit {
    match &decorator.expression {
        Expr::Call(call) => append_arguments(source, call, keyword),
        other => Edit::insertion(format!("({keyword})"), other.end()),
    }
}

/// Appends `arguments` to a call's argument list (after a trailing comma,
/// or with one).
pub fn append_arguments(source: &str, call: &ExprCall, arguments: &str) -> Edit {
    let close = call.arguments.end() - TextSize::from(1);
    let inside = &source[TextRange::new(call.arguments.start() + TextSize::from(1), close)];
    let content = if inside.trim().is_empty() {
        arguments.to_string()
    } else if inside.trim_end().ends_with(',') {
        format!(" {arguments}")
    } else {
        format!(", {arguments}")
    };
    Edit::insertion(content, close)
}

/// The decorator that makes `id` a graph function, when it is one.
pub fn graph_decorator<'a>(semantic: &SemanticModel<'a>, id: FunctionId) -> Option<&'a Decorator> {
    let function = &semantic.functions[id];
    let Some(GraphOrigin::Decorator(range)) = function.graph else {
        return None;
    };
    function
        .def
        .decorator_list
        .iter()
        .find(|d| d.range() == range)
}

/// Whether the graph decorator of `id` already says how to trace:
/// `input_signature`, `reduce_retracing` or `experimental_relax_shapes`.
pub fn tracing_keyword(semantic: &SemanticModel, id: FunctionId) -> Option<&'static str> {
    let Expr::Call(call) = &graph_decorator(semantic, id)?.expression else {
        return None;
    };
    [
        "input_signature",
        "reduce_retracing",
        "experimental_relax_shapes",
    ]
    .into_iter()
    .find(|keyword| call.arguments.find_keyword(keyword).is_some())
}

/// Every call expression of the module, by its start offset (the offset the
/// semantic model records for a call).
pub fn expression_calls(body: &[Stmt]) -> HashMap<TextSize, &ExprCall> {
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
    calls.visit_body(body);
    calls.by_offset
}

/// How the function uses `param` other than through `tf.cast` or
/// `tf.print` (which read a Python number and a scalar tensor alike), if it
/// does: a phrase completing "`param` ...".
pub fn python_only_use(
    semantic: &SemanticModel,
    source: &str,
    id: FunctionId,
    param: &str,
) -> Option<String> {
    let def = semantic.functions[id].def;
    let names = FunctionNames::of(def);
    if let Some(binding) = names.bindings.iter().find(|b| b.name == param) {
        return Some(format!(
            "is reassigned at line {}",
            semantic.line_number(source, binding.offset)
        ));
    }
    let mut safe = SafeUses {
        semantic,
        param,
        offsets: HashSet::new(),
    };
    safe.visit_body(&def.body);
    let unsafe_use = names
        .uses
        .iter()
        .find(|u| u.name == param && !safe.offsets.contains(&u.offset))?;
    let line = semantic.line_number(source, unsafe_use.offset);
    Some(format!(
        "is used at line {line} other than through `tf.cast` or `tf.print` (in Python control flow, `range()`, indexing or arithmetic, a tensor behaves differently)"
    ))
}

/// Reads of `param` that are arguments of [`TENSOR_SAFE_USES`].
struct SafeUses<'c, 'a> {
    semantic: &'c SemanticModel<'a>,
    param: &'c str,
    offsets: HashSet<TextSize>,
}

impl<'a> Visitor<'a> for SafeUses<'_, '_> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(call) = expr {
            let safe = self
                .semantic
                .imports
                .with_resolved(&call.func, |q| TENSOR_SAFE_USES.contains(&q))
                .unwrap_or(false);
            if safe {
                for arg in &call.arguments.args {
                    if matches!(arg, Expr::Name(n) if n.id.as_str() == self.param) {
                        self.offsets.insert(arg.start());
                    }
                }
            }
        }
        walk_expr(self, expr);
    }
}

/// The `input_signature` (one `(shape, dtype)` per parameter) that would
/// stop the varying Python numbers passed to `id` from retracing it, when
/// a signature is clearly the better fix than converting the numbers at
/// each call site; otherwise why not, as a phrase completing "no scalar
/// `TensorSpec`: ...".
///
/// A signature converts the arguments of every call, seen or not, to one
/// dtype and shape, so it is chosen only when: every call is in this module
/// and the function is never used as a value (see [`call_sites_closed`]);
/// there are at least [`MANY_CALL_SITES`] of them; the function is a plain
/// module-level function without defaults or variadic parameters whose
/// decorator says nothing yet about tracing; every other parameter is a
/// tensor of known dtype and rank; each varying number is used only through
/// `tf.cast`/`tf.print`; and every call passes it an `int` literal or a
/// `range()` loop counter with literal bounds (all within `int32`), or
/// every call a `float` literal.
pub fn scalar_signature(
    semantic: &SemanticModel,
    source: &str,
    id: FunctionId,
) -> Result<Vec<(String, &'static str)>, String> {
    let function = &semantic.functions[id];
    let facts = &semantic.facts[id];
    if graph_decorator(semantic, id).is_none() {
        return Err("it is not decorated with `@tf.function`".to_string());
    }
    if let Some(keyword) = tracing_keyword(semantic, id) {
        return Err(format!("its decorator already has `{keyword}`"));
    }
    if function.class.is_some() || function.parent.is_some() {
        return Err("it is a method or a nested function".to_string());
    }
    let parameters = &function.def.parameters;
    if parameters.vararg.is_some()
        || parameters.kwarg.is_some()
        || !parameters.kwonlyargs.is_empty()
        || !parameters.posonlyargs.is_empty()
        || parameters.args.iter().any(|p| p.default.is_some())
    {
        return Err("its parameters have defaults or are variadic".to_string());
    }
    if !call_sites_closed(semantic, id) {
        return Err("it may be called from code the analysis cannot see, whose Python numbers a signature would convert too".to_string());
    }
    let calls = local_calls(semantic, id);
    if calls.len() < MANY_CALL_SITES {
        return Err(format!(
            "with {} call site{} converting at the call sites is the smaller change",
            calls.len(),
            if calls.len() == 1 { "" } else { "s" }
        ));
    }
    let expressions = expression_calls(semantic.module_body());
    let mut specs = Vec::new();
    for (index, (param, kind)) in facts.params.iter().enumerate() {
        match kind {
            ParamKind::Tensor(_) => specs.push(tensor_spec(kind, true).ok_or_else(|| {
                format!("the dtype or rank of `{param}` is not known at every call")
            })?),
            ParamKind::Primitive {
                varies_at: Some(_), ..
            } => {
                if STRUCTURAL_NAMES.contains(&param.as_str()) {
                    return Err(format!(
                        "`{param}` selects which graph to build, and a signature would make it a tensor"
                    ));
                }
                if let Some(why) = python_only_use(semantic, source, id, param) {
                    return Err(format!("`{param}` {why}"));
                }
                let mut dtype = None;
                for call in &calls {
                    let line = semantic.line_number(source, call.offset);
                    let argument = expressions
                        .get(&call.offset)
                        .and_then(|expr_call| argument(expr_call, index, param))
                        .ok_or_else(|| {
                            format!("the analysis cannot tell what the call at line {line} passes for `{param}`")
                        })?;
                    let this = number_dtype(semantic.module_body(), argument, call.offset)
                        .ok_or_else(|| format!("the call at line {line} passes `{param}` a number the analysis cannot prove an `int32` or a `float`"))?;
                    if dtype.is_some_and(|d| d != this) {
                        return Err(format!(
                            "`{param}` is an `int` at some calls and a `float` at others, each its own dtype"
                        ));
                    }
                    dtype = Some(this);
                }
                specs.push(("[]".to_string(), dtype.unwrap_or("int32")));
            }
            ParamKind::Unknown => {
                return Err(format!(
                    "the analysis cannot tell what every call passes for `{param}`"
                ))
            }
            _ => {
                return Err(format!(
                    "`{param}` receives a Python value a signature would turn into a tensor"
                ))
            }
        }
    }
    Ok(specs)
}

/// The argument a call of a plain function passes for parameter `index`
/// (named `param`), unless it is hidden behind `*args` or `**kwargs`.
fn argument<'c>(call: &'c ExprCall, index: usize, param: &str) -> Option<&'c Expr> {
    if let Some(keyword) = call.arguments.find_keyword(param) {
        return Some(&keyword.value);
    }
    let args = &call.arguments.args;
    if args
        .iter()
        .take(index + 1)
        .any(|a| matches!(a, Expr::Starred(_)))
    {
        return None;
    }
    args.get(index)
}

/// `int32` for an `int` literal or a loop counter of `range()` with literal
/// bounds, all within `int32`; `float32` for a `float` literal.
fn number_dtype(body: &[Stmt], expr: &Expr, at: TextSize) -> Option<&'static str> {
    match expr {
        Expr::NumberLiteral(_) | Expr::UnaryOp(_) => literal(expr),
        Expr::Name(name) => {
            let mut finder = LoopOf {
                name: name.id.as_str(),
                at,
                found: None,
            };
            finder.visit_body(body);
            let (iter, loop_body) = finder.found?;
            let Expr::Call(range) = iter else {
                return None;
            };
            if !matches!(range.func.as_ref(), Expr::Name(f) if f.id.as_str() == "range")
                || !range.arguments.keywords.is_empty()
                || range.arguments.args.is_empty()
                || !range
                    .arguments
                    .args
                    .iter()
                    .all(|bound| literal(bound) == Some("int32"))
            {
                return None;
            }
            // The counter must keep the value `range` gave it.
            let mut stores = Stores {
                name: name.id.as_str(),
                found: false,
            };
            stores.visit_body(loop_body);
            (!stores.found).then_some("int32")
        }
        _ => None,
    }
}

/// The dtype of a number literal (possibly negated): `int32` for an `int`
/// that fits, `float32` for a `float`.
fn literal(expr: &Expr) -> Option<&'static str> {
    match expr {
        Expr::NumberLiteral(number) => match &number.value {
            Number::Int(int) => i32::try_from(int.as_i64()?).ok().map(|_| "int32"),
            Number::Float(_) => Some("float32"),
            Number::Complex { .. } => None,
        },
        Expr::UnaryOp(unary) if unary.op == UnaryOp::USub => literal(&unary.operand),
        _ => None,
    }
}

/// The innermost `for name in ITER:` whose body contains offset `at`: its
/// iterable and body.
struct LoopOf<'n, 'a> {
    name: &'n str,
    at: TextSize,
    found: Option<(&'a Expr, &'a [Stmt])>,
}

impl<'a> Visitor<'a> for LoopOf<'_, 'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if let Stmt::For(for_stmt) = stmt {
            let inside =
                for_stmt
                    .body
                    .first()
                    .zip(for_stmt.body.last())
                    .is_some_and(|(first, last)| {
                        TextRange::new(first.start(), last.end()).contains(self.at)
                    });
            if inside && matches!(&*for_stmt.target, Expr::Name(n) if n.id.as_str() == self.name) {
                self.found = Some((&for_stmt.iter, &for_stmt.body));
            }
        }
        walk_stmt(self, stmt);
    }
}

/// Whether `name` is assigned (or deleted) anywhere in a body.
struct Stores<'n> {
    name: &'n str,
    found: bool,
}

impl<'a> Visitor<'a> for Stores<'_> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Name(name) = expr {
            if name.id.as_str() == self.name && !matches!(name.ctx, ExprContext::Load) {
                self.found = true;
            }
        }
        walk_expr(self, expr);
    }
}
