//! HY020 remove-tf-function: a `tf.function` that can only hurt is made
//! eager again: one with no tensor computation, a recursive one, one whose
//! Python side effects no codemod can repair, and one whose every caller
//! already runs under `tf.function` (where it only adds a trace). Never
//! one that needs its graph.

use std::path::Path;

use ruff_python_ast::visitor::{walk_expr, Visitor};
use ruff_python_ast::{Expr, ExprContext, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};
use rustc_hash::FxHashMap;

use crate::analyze::preconditions::{needs_graph, reason_to_remove};
use crate::checker::Checker;
use crate::codemod::{Codemod, DependsOn, FixSafety};
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::semantic::effects::Effect;
use crate::semantic::{FunctionId, GraphOrigin, SemanticModel};

pub const CODEMOD: Codemod = Codemod {
    code: "HY020",
    name: "remove-tf-function",
    summary: "Remove `tf.function` where it can only hurt",
    safety: FixSafety::Unsafe,
    doc: include_str!("remove_tf_function.md"),
    informational: &[],
    // It looks at graph functions and their effects, which callees in other
    // modules can add, and at their callers, which HY001 may decorate.
    depends_on: &[DependsOn::GraphCode, DependsOn::DecoratedCallers],
    run,
};

/// Attributes of a `tf.function` object that a plain function lacks.
const FUNCTION_ATTRIBUTES: &[&str] = &[
    "get_concrete_function",
    "experimental_get_tracing_count",
    "python_function",
    "function_spec",
    "input_signature",
    "pretty_printed_concrete_signatures",
    "experimental_get_compiler_ir",
];

/// Keywords of `tf.function` that only say how to trace: under a caller's
/// trace, they no longer matter.
const TRACING_ONLY: &[&str] = &["reduce_retracing", "experimental_relax_shapes"];

/// Methods that frameworks call by name (Keras, `tf.Module`): callers the
/// analysis does not see.
const FRAMEWORK_METHODS: &[&str] = &[
    "call",
    "train_step",
    "test_step",
    "predict_step",
    "compute_loss",
    "update_state",
    "result",
    "build",
];

fn run(checker: &mut Checker) {
    let semantic = checker.semantic;
    // Built at the first question, for every function at once.
    let uses = std::cell::OnceCell::new();
    for (id, function) in semantic.functions.iter().enumerate() {
        let Some(origin) = function.graph else {
            continue;
        };
        let facts = &semantic.facts[id];
        let name = &function.qualified_name;
        // Another decorator the analysis cannot see into may add the tensor
        // work, or expect the `tf.function` object it wraps
        // (`@convert_type` over `@tf.function`): the decorator stays.
        if has_other_decorator(function.def, origin) {
            continue;
        }
        // A method that only says subclasses implement it (`raise
        // NotImplementedError`): what `tf.function(self.step)` runs is
        // their override.
        if function.class.is_some() && is_placeholder(function.def) {
            continue;
        }
        let Some(reason) = reason_to_remove(facts) else {
            if let Some((caller, decorator)) = redundant_decorator(checker, id, &uses) {
                let (message, note) = match caller {
                    Callers::Graph(caller) => (
                        format!("`{name}` runs only where graph functions call it (such as `{caller}`), which trace it into their own graphs; its own `tf.function` only adds a trace"),
                        "every call site in the analysed files is in code that runs under `tf.function`; without its decorator, the function is traced as part of each caller",
                    ),
                    Callers::OnceDecorated(caller) => (
                        format!("`{name}` will run only where graph functions call it once `{caller}` is decorated (HY001); its own `tf.function` will only add a trace"),
                        "every other call site in the analysed files is in code that runs under `tf.function`; apply this fix together with HY001's, or the function is called eagerly",
                    ),
                };
                checker.report(
                    CODEMOD
                        .diagnostic(message, function.def.name.range())
                        .with_function(name.clone())
                        .with_note(note)
                        .with_fix(
                            "Remove `tf.function`",
                            Fix::applicable_edit(decorator, Applicability::Unsafe),
                        ),
                );
            }
            continue;
        };
        // Removing the decorator would break what needs the graph: the
        // reason is reported, without the fix.
        let blocked = match needs_graph(facts) {
            Some(why) => Some(format!("no fix offered: `{name}` needs its graph: it {why}")),
            None => function_object_use(semantic, &uses, id, true).map(|(offset, use_)| {
                let line = checker.line_number(offset);
                format!("no fix offered: its `tf.function` object is used at line {line} ({use_}), which a plain function cannot do")
            }),
        }
        .or_else(|| {
            sets_own_layer_attributes(semantic, id).then(|| {
                "no fix offered: a Keras layer or `tf.Module` sets attributes of its own objects while tracing on purpose as often as by mistake (a setting swapped for one call and put back, a cached weight); without the decorator they are set on every call, which is slower and may not be what the author meant: check by hand".to_string()
            })
        });
        if let Some(note) = blocked {
            checker.report(
                CODEMOD
                    .diagnostic(format!("`{name}` {reason}"), function.def.name.range())
                    .with_function(name.clone())
                    .with_note(note),
            );
            continue;
        }
        let diagnostic = CODEMOD
            .diagnostic(
                format!("`{name}` {reason}; `tf.function` can only hurt here"),
                function.def.name.range(),
            )
            .with_function(name.clone());
        match removal(checker.source, origin) {
            Some(edit) => checker.report(diagnostic.with_fix(
                "Remove `tf.function`",
                Fix::applicable_edit(edit, Applicability::Unsafe),
            )),
            None => checker.report(diagnostic.with_note(
                "no fix offered: the `tf.function` wrapping cannot be removed on its own",
            )),
        }
    }
}

/// Whether the body of `def` (after its docstring) only raises
/// `NotImplementedError` or does nothing (`pass`, `...`).
fn is_placeholder(def: &ruff_python_ast::StmtFunctionDef) -> bool {
    let body = match def.body.split_first() {
        Some((Stmt::Expr(first), rest)) if first.value.is_string_literal_expr() => rest,
        _ => &def.body[..],
    };
    !body.is_empty()
        && body.iter().all(|stmt| match stmt {
            Stmt::Pass(_) => true,
            Stmt::Expr(expr) => expr.value.is_ellipsis_literal_expr(),
            Stmt::Raise(raise) => raise.exc.as_deref().is_some_and(|exc| {
                let name = match exc {
                    Expr::Call(call) => call.func.as_ref(),
                    other => other,
                };
                matches!(name, Expr::Name(n) if n.id.as_str() == "NotImplementedError")
            }),
            _ => false,
        })
}

/// Whether function `id` is a method of a Keras layer or model or a
/// `tf.Module` whose reason to lose its `tf.function` is a write to an
/// attribute of an object it owns (`self.layer.activation = None`).
fn sets_own_layer_attributes(semantic: &SemanticModel, id: FunctionId) -> bool {
    let tf_class = semantic.functions[id]
        .class
        .is_some_and(|class| semantic.values.tf_classes.get(class) == Some(&true));
    tf_class
        && semantic.facts[id]
            .effect(Effect::SideEffect)
            .is_some_and(|why| {
                let what = why.what();
                what.starts_with("writes to `self.") || what.starts_with("mutates `self.")
            })
}

/// Whether `def` has a decorator other than its `tf.function` and the
/// built-in method decorators.
fn has_other_decorator(def: &ruff_python_ast::StmtFunctionDef, origin: GraphOrigin) -> bool {
    let own = match origin {
        GraphOrigin::Decorator(range) => Some(range),
        GraphOrigin::Wrapped(_) => None,
    };
    def.decorator_list
        .iter()
        .filter(|decorator| Some(decorator.range()) != own)
        .any(|decorator| {
            !matches!(&decorator.expression, Expr::Name(name) if matches!(name.id.as_str(), "staticmethod" | "classmethod"))
        })
}

/// When the `@tf.function` of `id` is redundant, one of its graph callers
/// and the edit that removes the decorator. It is redundant when every call
/// site in the analysed files is in a function decorated with (or wrapped
/// by) `tf.function` itself (a helper that some graph calls may also run
/// eagerly through another caller), unless (each a
/// refusal, silent): the function is a public function of a library, which
/// code the analysis does not see may call eagerly; a framework calls it by
/// name; it needs its graph (a graph-only call, a loop AutoGraph converts:
/// a caller traced without AutoGraph would fail); its decorator says more
/// than how to trace (`input_signature`, `jit_compile`, `autograph`, ...:
/// it changes what the function does, not only when it is traced); its
/// `tf.function` object is used as a value; or a caller is itself about to
/// lose its `tf.function`.
/// Who makes a decorator redundant.
enum Callers {
    /// Every caller is a graph function: one of them.
    Graph(String),
    /// Every caller is, or will be once HY001's fixes are applied: one of
    /// those HY001 decorates.
    OnceDecorated(String),
}

fn redundant_decorator<'s>(
    checker: &Checker<'_, 's>,
    id: FunctionId,
    uses: &std::cell::OnceCell<ObjectUses<'s>>,
) -> Option<(Callers, Edit)> {
    let semantic = checker.semantic;
    let function = &semantic.functions[id];
    let facts = &semantic.facts[id];
    let Some(GraphOrigin::Decorator(range)) = function.graph else {
        return None;
    };
    let caller = match (
        &facts.graph_function_callers_only,
        &facts.graph_callers_once_decorated,
    ) {
        (Some(caller), _) => Callers::Graph(caller.clone()),
        (None, Some(caller)) => Callers::OnceDecorated(caller.clone()),
        (None, None) => return None,
    };
    // TODO(`--candidates all`): the public-function refusal is where that
    // setting may let a library's own decorators be proposed for removal.
    if is_public_library_function(semantic, id, checker.path) {
        return None;
    }
    let method = function.def.name.id.as_str();
    if function.class.is_some()
        && (FRAMEWORK_METHODS.contains(&method)
            || (method.starts_with("__") && method.ends_with("__")))
    {
        return None;
    }
    if needs_graph(facts).is_some() {
        return None;
    }
    let decorator = function
        .def
        .decorator_list
        .iter()
        .find(|d| d.range() == range)?;
    if let Expr::Call(call) = &decorator.expression {
        if !call.arguments.args.is_empty()
            || call.arguments.keywords.iter().any(|keyword| {
                keyword
                    .arg
                    .as_ref()
                    .is_none_or(|arg| !TRACING_ONLY.contains(&arg.as_str()))
            })
        {
            return None;
        }
    }
    if function_object_use(semantic, uses, id, false).is_some() {
        return None;
    }
    // A caller here that loses its own `tf.function` would leave this one
    // called eagerly.
    if semantic.calls_with_callers(id).any(|(caller, _)| {
        caller.is_some_and(|caller| {
            semantic.functions[caller].graph.is_some()
                && reason_to_remove(&semantic.facts[caller]).is_some()
        })
    }) {
        return None;
    }
    let edit = removal(checker.source, GraphOrigin::Decorator(range))?;
    Some((caller, edit))
}

/// Whether code the analysis does not see may call `id`: a public name
/// (no part of its qualified name starts with `_`, dunder methods aside;
/// not nested in a function) in a module of a package (a folder with an
/// `__init__.py`).
fn is_public_library_function(semantic: &SemanticModel, id: FunctionId, path: &Path) -> bool {
    let function = &semantic.functions[id];
    if function.parent.is_some() {
        return false;
    }
    let private = function
        .qualified_name
        .split('.')
        .any(|part| part.starts_with('_') && !(part.starts_with("__") && part.ends_with("__")));
    if private {
        return false;
    }
    path.parent()
        .is_some_and(|folder| folder.join("__init__.py").is_file())
}

/// Where the module uses the `tf.function` object of `id` other than by
/// calling it, and how: an attribute only a `tf.function` has
/// (`f.get_concrete_function()`), or, unless `attributes_only`, the
/// function passed, returned or stored as a value. The first such use in
/// the module's walk order, from `uses` (one walk for every function).
fn function_object_use<'s>(
    semantic: &SemanticModel<'s>,
    uses: &std::cell::OnceCell<ObjectUses<'s>>,
    id: FunctionId,
    attributes_only: bool,
) -> Option<(TextSize, String)> {
    let function = &semantic.functions[id];
    let first = uses
        .get_or_init(|| ObjectUses::new(semantic.module_body()))
        .first
        .get(&(function.def.name.id.as_str(), function.class.is_some()))?;
    if attributes_only {
        first.attribute.clone()
    } else {
        first.any.clone()
    }
}

/// The first uses of each name a function goes by (`f`, or `obj.f` for a
/// method: the key's `bool`) other than by calling it, found in one walk of
/// the module: per function, a walk of its own made checking a module of N
/// graph functions quadratic in N.
#[derive(Default)]
struct ObjectUses<'a> {
    first: FxHashMap<(&'a str, bool), FirstUses>,
    /// The names whose call's callee is being walked: calling a function
    /// is no use of its object (but its arguments may be).
    called: FxHashMap<(&'a str, bool), usize>,
}

#[derive(Default)]
struct FirstUses {
    /// The first use by an attribute only a `tf.function` has.
    attribute: Option<(TextSize, String)>,
    /// The first use of either kind: such an attribute, or as a value.
    any: Option<(TextSize, String)>,
}

impl<'a> ObjectUses<'a> {
    fn new(body: &'a [Stmt]) -> Self {
        let mut uses = ObjectUses::default();
        uses.visit_body(body);
        uses
    }

    fn record(&mut self, key: (&'a str, bool), offset: TextSize, attribute: Option<&str>) {
        if self.called.contains_key(&key) {
            return;
        }
        let first = self.first.entry(key).or_default();
        match attribute {
            Some(attribute) => {
                if first.attribute.is_none() {
                    first.attribute = Some((offset, format!("`.{attribute}`")));
                }
                if first.any.is_none() {
                    first.any = Some((offset, format!("`.{attribute}`")));
                }
            }
            None => {
                if first.any.is_none() {
                    first.any = Some((offset, "as a value".to_string()));
                }
            }
        }
    }
}

/// The name `expr` calls a function by: `f` (a function), or `obj.f` (a
/// method).
fn named(expr: &Expr) -> Option<(&str, bool)> {
    match expr {
        Expr::Name(name) => Some((name.id.as_str(), false)),
        Expr::Attribute(attribute) => Some((attribute.attr.id.as_str(), true)),
        _ => None,
    }
}

impl<'a> Visitor<'a> for ObjectUses<'a> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Call(call) => {
                if let Some(key) = named(&call.func) {
                    // Called: its arguments may still use it.
                    *self.called.entry(key).or_default() += 1;
                    self.visit_expr(&call.func);
                    if let Some(count) = self.called.get_mut(&key) {
                        *count -= 1;
                        if *count == 0 {
                            self.called.remove(&key);
                        }
                    }
                    for argument in &*call.arguments.args {
                        self.visit_expr(argument);
                    }
                    for keyword in &*call.arguments.keywords {
                        self.visit_keyword(keyword);
                    }
                    return;
                }
            }
            Expr::Attribute(attribute) => {
                let attr = attribute.attr.id.as_str();
                let of = named(&attribute.value);
                let tf_attribute = FUNCTION_ATTRIBUTES.contains(&attr);
                if tf_attribute {
                    if let Some(key) = of {
                        self.record(key, expr.start(), Some(attr));
                    }
                }
                // `obj.f` read: method `f` as a value, unless that same
                // method was just used by a `tf.function` attribute.
                let method = (attr, true);
                if attribute.ctx == ExprContext::Load && !(tf_attribute && of == Some(method)) {
                    self.record(method, expr.start(), None);
                }
            }
            Expr::Name(name) if name.ctx == ExprContext::Load => {
                self.record((name.id.as_str(), false), expr.start(), None);
            }
            _ => {}
        }
        walk_expr(self, expr);
    }
}

/// The edit that removes the decoration: the whole decorator line, or the
/// `tf.function(f)` call replaced by `f`.
fn removal(source: &str, origin: GraphOrigin) -> Option<Edit> {
    match origin {
        GraphOrigin::Decorator(range) => {
            let start = range.start().to_usize();
            let line_start = source[..start].rfind(['\n', '\r']).map_or(0, |i| i + 1);
            if !source[line_start..start].trim().is_empty() {
                return None;
            }
            let end = range.end().to_usize();
            let rest = &source[end..];
            let line_end = rest.find(['\n', '\r']).map_or(source.len(), |i| end + i);
            let after = &source[end..line_end];
            if !after.trim().is_empty() && !after.trim_start().starts_with('#') {
                return None;
            }
            let line_end = if source[line_end..].starts_with("\r\n") {
                line_end + 2
            } else if line_end < source.len() {
                line_end + 1
            } else {
                line_end
            };
            Some(Edit::range_deletion(TextRange::new(
                TextSize::try_from(line_start).ok()?,
                TextSize::try_from(line_end).ok()?,
            )))
        }
        GraphOrigin::Wrapped(range) => {
            let text = &source[range.start().to_usize()..range.end().to_usize()];
            let parsed = ruff_python_parser::parse_expression(text).ok()?;
            let Expr::Call(call) = parsed.expr() else {
                return None;
            };
            if call.arguments.args.len() != 1 || !call.arguments.keywords.is_empty() {
                return None;
            }
            let argument = &call.arguments.args[0];
            let argument = &text[argument.start().to_usize()..argument.end().to_usize()];
            Some(Edit::range_replacement(argument.to_string(), range))
        }
    }
}
