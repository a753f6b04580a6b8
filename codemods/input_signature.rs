//! HY003 input-signature: a graph function called with tensors of changing
//! shapes traces once per shape. An `input_signature` inferred from its call
//! sites (or `reduce_retracing=True` where shapes cannot be inferred) makes
//! one trace serve them all.

use ruff_python_ast::visitor::{walk_expr, walk_pattern, walk_stmt, Visitor};
use ruff_python_ast::{
    Alias, ExceptHandler, Expr, ExprCall, ExprContext, Number, Parameter, Pattern, Stmt, TypeParam,
};
use ruff_text_size::{Ranged, TextRange, TextSize};
use rustc_hash::FxHashMap as HashMap;

use crate::analyze::signature::{add_keyword, call_sites_closed, scalar_signature, DTYPES};
use crate::checker::Checker;
use crate::codemod::{Codemod, DependsOn, FixSafety};
use crate::diagnostic::Fix;
use crate::semantic::kinds::{Dim, ParamKind, Structure, TensorInfo};
use crate::semantic::{FunctionId, GraphOrigin};
use crate::version::TfVersion;

pub const CODEMOD: Codemod = Codemod {
    code: "HY003",
    name: "input-signature",
    summary: "Give retracing graph functions an `input_signature` (or `reduce_retracing=True`)",
    safety: FixSafety::Unsafe,
    doc: include_str!("input_signature.md"),
    informational: &[],
    // It gives graph functions a signature from their call sites, here and
    // in other modules.
    depends_on: &[DependsOn::GraphCode],
    run,
};

/// `reduce_retracing` replaced `experimental_relax_shapes` in TensorFlow 2.9.
const REDUCE_RETRACING: TfVersion = TfVersion::new(2, 9);

fn run(checker: &mut Checker) {
    let semantic = checker.semantic;
    let mut constants = None;
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
            .any(|(_, kind)| matches!(kind, ParamKind::Primitive { .. } | ParamKind::Other(None)));
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
        let Some((spec, import)) = checker.importer.tensorflow_attribute("TensorSpec") else {
            continue;
        };
        let mut render = Render {
            checker,
            spec,
            closed,
            anchor: top_level_start(semantic.module_body(), def.range()),
            constants: &mut constants,
            named: false,
        };
        let inferred = if python_values {
            None
        } else {
            facts
                .params
                .iter()
                .map(|(_, kind)| match kind {
                    ParamKind::Tensor(info) => render.tensor(info),
                    ParamKind::Other(Some(structure)) => render.structure(structure),
                    _ => None,
                })
                .collect::<Option<Vec<_>>>()
        };
        let named = render.named;
        match inferred {
            Some(specs) => {
                let mut note = if closed {
                    "every call site is in this module, so the dimensions that never vary stay fixed".to_string()
                } else {
                    "the function may be called from code the analysis cannot see, so every dimension is left open (`None`)".to_string()
                };
                if named {
                    note.push_str("; a dimension every call site spells with the same module-level constant keeps its name");
                }
                let text = format!("input_signature=[{}]", specs.join(", "));
                let edit = add_keyword(checker.source, decorator, &text);
                checker.report(
                    CODEMOD.diagnostic(format!("graph function `{name}` is traced again for every new argument shape or dtype; its call sites determine a signature"),
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
                    ParamKind::Other(Some(structure)) => may_vary(structure),
                    _ => false,
                }) {
                    continue;
                }
                let diagnostic = CODEMOD.diagnostic(format!("graph function `{name}` is traced again for every new argument shape; the call sites do not determine a signature"),
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

/// Writes specs as source text: a `TensorSpec` for a tensor whose dtype and
/// rank are known, the same structure for a tuple, list or dict of them.
struct Render<'r, 'c, 'a, 's> {
    checker: &'c Checker<'a, 's>,
    /// How `tf.TensorSpec` is spelled here.
    spec: String,
    /// Whether every call site is known (else every dimension is `None`).
    closed: bool,
    /// Where the module-level statement that holds the function starts: a
    /// named dimension must be bound before it.
    anchor: TextSize,
    /// Computed once per module, when a dimension has a name.
    constants: &'r mut Option<Constants<'s>>,
    /// Whether a dimension was written by name.
    named: bool,
}

impl Render<'_, '_, '_, '_> {
    fn tensor(&mut self, info: &TensorInfo) -> Option<String> {
        let dtype = DTYPES
            .iter()
            .copied()
            .find(|d| Some(*d) == info.dtype.as_deref())?;
        let dims: Vec<String> = info
            .shape
            .as_ref()?
            .iter()
            .map(|dim| match dim {
                Some(Dim::Size(size)) if self.closed => size.to_string(),
                Some(Dim::Named(name)) if self.closed && self.is_constant(name) => {
                    self.named = true;
                    name.to_string()
                }
                _ => "None".to_string(),
            })
            .collect();
        let dtype = self
            .checker
            .importer
            .tensorflow_attribute(dtype)
            .map_or_else(|| dtype.to_string(), |(d, _)| d);
        Some(format!(
            "{}(shape=[{}], dtype={dtype})",
            self.spec,
            dims.join(", ")
        ))
    }

    fn structure(&mut self, structure: &Structure) -> Option<String> {
        match structure {
            Structure::Leaf(info) => self.tensor(info),
            Structure::Tuple(items) => {
                let items = self.all(items)?;
                Some(if items.len() == 1 {
                    format!("({},)", items[0])
                } else {
                    format!("({})", items.join(", "))
                })
            }
            Structure::List(items) => Some(format!("[{}]", self.all(items)?.join(", "))),
            Structure::Dict(items) => {
                let quote = self.checker.stylist.quote().as_char();
                let items = items
                    .iter()
                    .map(|(key, value)| {
                        // Keys are written back only when they need no escape.
                        if key
                            .chars()
                            .any(|c| c == '\\' || c == quote || c.is_control())
                        {
                            return None;
                        }
                        Some(format!("{quote}{key}{quote}: {}", self.structure(value)?))
                    })
                    .collect::<Option<Vec<_>>>()?;
                Some(format!("{{{}}}", items.join(", ")))
            }
        }
    }

    fn all(&mut self, items: &[Structure]) -> Option<Vec<String>> {
        items.iter().map(|item| self.structure(item)).collect()
    }

    fn is_constant(&mut self, name: &str) -> bool {
        let body = self.checker.semantic.module_body();
        self.constants
            .get_or_insert_with(|| Constants::of(body))
            .is_constant_before(name, self.anchor)
    }
}

/// Whether a leaf of the structure has a shape that is unknown or varies.
fn may_vary(structure: &Structure) -> bool {
    match structure {
        Structure::Leaf(info) => info
            .shape
            .as_ref()
            .is_none_or(|shape| shape.iter().any(Option::is_none)),
        Structure::Tuple(items) | Structure::List(items) => items.iter().any(may_vary),
        Structure::Dict(items) => items.iter().any(|(_, item)| may_vary(item)),
    }
}

/// Where the module-level statement that contains `range` starts.
fn top_level_start(body: &[Stmt], range: TextRange) -> TextSize {
    // Statements are in order and do not overlap: one that contains
    // `range` is among the first two that do not end before it starts.
    let at = body.partition_point(|stmt| stmt.end() < range.start());
    body[at..]
        .iter()
        .take(2)
        .find(|stmt| stmt.range().contains_range(range))
        .map_or(range.start(), Ranged::start)
}

/// The module's integer constants: names bound exactly once in the whole
/// file (any scope, any kind of binding), by a module-level statement
/// `NAME = <int literal>`. Such a name means the same number wherever it is
/// read after that statement, in a signature as at a call site.
struct Constants<'a> {
    bindings: HashMap<&'a str, usize>,
    /// Per name, where its module-level assignment of an int literal ends.
    assigned: HashMap<&'a str, TextSize>,
    /// `from m import *` binds names nobody can see.
    star_import: bool,
}

impl<'a> Constants<'a> {
    fn of(body: &'a [Stmt]) -> Self {
        let mut constants = Self {
            bindings: HashMap::default(),
            assigned: HashMap::default(),
            star_import: false,
        };
        for stmt in body {
            let (target, value) = match stmt {
                Stmt::Assign(assign) if assign.targets.len() == 1 => {
                    (&assign.targets[0], Some(assign.value.as_ref()))
                }
                Stmt::AnnAssign(assign) => (assign.target.as_ref(), assign.value.as_deref()),
                _ => continue,
            };
            if let (
                Expr::Name(name),
                Some(Expr::NumberLiteral(ruff_python_ast::ExprNumberLiteral {
                    value: Number::Int(_),
                    ..
                })),
            ) = (target, value)
            {
                constants.assigned.insert(name.id.as_str(), stmt.end());
            }
        }
        constants.visit_body(body);
        constants
    }

    fn is_constant_before(&self, name: &str, offset: TextSize) -> bool {
        !self.star_import
            && self.bindings.get(name) == Some(&1)
            && self.assigned.get(name).is_some_and(|end| *end <= offset)
    }

    fn bind(&mut self, name: &'a str) {
        *self.bindings.entry(name).or_default() += 1;
    }
}

impl<'a> Visitor<'a> for Constants<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(def) => self.bind(def.name.id.as_str()),
            Stmt::ClassDef(def) => self.bind(def.name.id.as_str()),
            Stmt::Global(global) => global.names.iter().for_each(|n| self.bind(n.id.as_str())),
            Stmt::Nonlocal(nonlocal) => {
                nonlocal.names.iter().for_each(|n| self.bind(n.id.as_str()));
            }
            Stmt::ImportFrom(import) if import.names.iter().any(|a| a.name.id.as_str() == "*") => {
                self.star_import = true;
            }
            _ => {}
        }
        walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Name(name) = expr {
            if matches!(name.ctx, ExprContext::Store | ExprContext::Del) {
                self.bind(name.id.as_str());
            }
        }
        walk_expr(self, expr);
    }

    fn visit_parameter(&mut self, parameter: &'a Parameter) {
        self.bind(parameter.name.id.as_str());
    }

    fn visit_alias(&mut self, alias: &'a Alias) {
        let name = alias.asname.as_ref().unwrap_or(&alias.name).id.as_str();
        self.bind(name.split('.').next().unwrap_or(name));
    }

    fn visit_except_handler(&mut self, handler: &'a ExceptHandler) {
        let ExceptHandler::ExceptHandler(handler) = handler;
        if let Some(name) = &handler.name {
            self.bind(name.id.as_str());
        }
        for stmt in &handler.body {
            self.visit_stmt(stmt);
        }
        if let Some(type_) = &handler.type_ {
            self.visit_expr(type_);
        }
    }

    fn visit_pattern(&mut self, pattern: &'a Pattern) {
        match pattern {
            Pattern::MatchAs(p) => p.name.iter().for_each(|n| self.bind(n.id.as_str())),
            Pattern::MatchStar(p) => p.name.iter().for_each(|n| self.bind(n.id.as_str())),
            Pattern::MatchMapping(p) => p.rest.iter().for_each(|n| self.bind(n.id.as_str())),
            _ => {}
        }
        walk_pattern(self, pattern);
    }

    fn visit_type_param(&mut self, type_param: &'a TypeParam) {
        let name = match type_param {
            TypeParam::TypeVar(p) => &p.name,
            TypeParam::ParamSpec(p) => &p.name,
            TypeParam::TypeVarTuple(p) => &p.name,
        };
        self.bind(name.id.as_str());
    }
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
            CODEMOD.diagnostic(format!(
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
