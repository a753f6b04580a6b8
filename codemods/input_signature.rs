//! HY003 input-signature: a graph function called with tensors of changing
//! shapes traces once per shape. An `input_signature` inferred from its call
//! sites (or `reduce_retracing=True` where shapes cannot be inferred) makes
//! one trace serve them all.

use ruff_python_ast::visitor::{walk_expr, walk_pattern, walk_stmt, Visitor};
use ruff_python_ast::{
    Alias, ExceptHandler, Expr, ExprCall, ExprContext, Keyword, Number, Parameter, Pattern, Stmt,
    StmtFunctionDef, TypeParam,
};
use ruff_text_size::{Ranged, TextRange, TextSize};
use rustc_hash::FxHashMap as HashMap;

use crate::analyze::preconditions::reason_to_remove;
use crate::analyze::signature::{
    add_keyword, call_sites_closed, graph_decorator, python_only_use, scalar_signature, DTYPES,
};
use crate::checker::Checker;
use crate::codemod::{Codemod, DependsOn, FixSafety};
use crate::diagnostic::{Edit, Fix};
use crate::observe::facts::observed_facts;
use crate::observe::Entry;
use crate::semantic::effects::Effect;
use crate::semantic::facts::FunctionFacts;
use crate::semantic::kinds::{Dim, ParamKind, Structure, TensorInfo};
use crate::semantic::{FunctionId, SemanticModel};
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
pub(crate) const REDUCE_RETRACING: TfVersion = TfVersion::new(2, 9);

fn run(checker: &mut Checker) {
    let semantic = checker.semantic;
    let mut constants = None;
    for id in 0..semantic.functions.len() {
        let Some(decorator) = graph_decorator(semantic, id) else {
            continue;
        };
        let facts = &semantic.facts[id];
        if facts.params.is_empty() || !called_enough(facts, checker.observed(id)) {
            continue;
        }
        if let Expr::Call(call) = &decorator.expression {
            if call.arguments.find_keyword("input_signature").is_some() {
                existing_signature(checker, id, call);
                continue;
            }
            if let Some(keyword) = ["reduce_retracing", "experimental_relax_shapes"]
                .into_iter()
                .find_map(|name| call.arguments.find_keyword(name))
            {
                relaxed(checker, id, keyword, &mut constants);
                continue;
            }
        }
        // HY020 removes the decoration, or HY002 moves it (a graph function
        // nested in an eager one is created anew on every call): a
        // signature would only conflict with their fixes.
        let function = &semantic.functions[id];
        if reason_to_remove(facts).is_some()
            || function
                .parent
                .is_some_and(|parent| !semantic.runs_under_graph(parent))
        {
            continue;
        }
        let Some(retracing) = varying_shapes(checker, id, &mut constants) else {
            continue;
        };
        let diagnostic = CODEMOD
            .diagnostic(retracing.message, function.def.name.range())
            .with_function(function.qualified_name.clone())
            .with_note(retracing.note);
        checker.report(match retracing.keyword {
            Some(keyword) => {
                let edit = add_keyword(checker.source, decorator, &keyword.text);
                diagnostic.with_fix(keyword.title, Fix::unsafe_edits(edit, keyword.import))
            }
            None => diagnostic,
        });
    }
}

/// Whether a function is called often enough, in a loop or from several
/// places, for its retracing to matter (a function without parameters
/// besides `self` is traced once).
fn called_enough(facts: &FunctionFacts, observed: Option<&Entry>) -> bool {
    if let Some(entry) = observed {
        // Traced (or, eager, called) more than once in the profiled run.
        if entry.traces.unwrap_or(0) >= 2 || entry.calls >= 2 {
            return true;
        }
    }
    facts.call_sites > 0 && (facts.loop_call.is_some() || facts.call_sites >= 2)
}

/// What HY003 says of function `id` as a graph function whose decorator
/// does not say how to trace yet: why it retraces, and the keyword that
/// stops it. HY001 and HY002 ask it of a function they decorate, so that
/// its decorator is final.
pub(crate) struct Retracing {
    pub message: String,
    pub note: String,
    /// The keyword the fix adds; `None` when no fix is offered (the note
    /// says why).
    pub keyword: Option<TracingKeyword>,
}

/// A keyword for the `tf.function` decorator, with the import it needs.
pub(crate) struct TracingKeyword {
    /// `reduce_retracing=True`, `input_signature=[...]`.
    pub text: String,
    pub import: Option<Edit>,
    /// What the fix does, in a few words.
    pub title: &'static str,
}

/// [`Retracing`] for function `id`, about to be decorated, when it would
/// retrace enough to matter.
pub(crate) fn retracing_of_new_graph_function(
    checker: &Checker,
    id: FunctionId,
) -> Option<Retracing> {
    let facts = &checker.semantic.facts[id];
    if facts.params.is_empty() || !called_enough(facts, checker.observed(id)) {
        return None;
    }
    varying_shapes(checker, id, &mut None)
}

/// A graph function whose call sites pass tensors of different sizes: a
/// signature with `None` where sizes vary, else `reduce_retracing`, unless
/// the function decides Python control flow on the static shapes that a
/// fix would leave open.
fn varying_shapes<'s>(
    checker: &Checker<'_, 's>,
    id: FunctionId,
    constants: &mut Option<Constants<'s>>,
) -> Option<Retracing> {
    let semantic = checker.semantic;
    let function = &semantic.functions[id];
    // What a profiled run saw the parameters receive replaces what the
    // call sites say: exact dtypes, `None` only where sizes differed.
    let observed = checker.observed(id);
    let observed_facts = observed.map(|entry| observed_facts(&semantic.facts[id], entry));
    let facts = observed_facts.as_ref().unwrap_or(&semantic.facts[id]);
    // The evidence: parameters whose shapes differ from call to call. A
    // shape that is only unknown is no reason to relax it.
    let varying: Vec<&str> = facts
        .params
        .iter()
        .enumerate()
        .filter(|(i, (_, kind))| {
            kind.shape_varies() || facts.shapes_vary.get(*i).copied().unwrap_or(false)
        })
        .map(|(_, (param, _))| param.as_str())
        .collect();
    if varying.is_empty() {
        return None;
    }
    // A signature would turn Python values into tensors: those are HY004's
    // (or deliberate), and only `reduce_retracing` remains.
    let python_values = facts
        .params
        .iter()
        .any(|(_, kind)| matches!(kind, ParamKind::Primitive { .. } | ParamKind::Other(None)));
    // HY004 gives varying numbers a scalar `TensorSpec` in a signature of
    // its own when that is the better fix.
    if python_values && scalar_signature(semantic, checker.source, id).is_ok() {
        return None;
    }
    let def = function.def;
    if def.parameters.vararg.is_some() || def.parameters.kwarg.is_some() {
        return None;
    }
    let name = function.qualified_name.clone();
    let shown = varying
        .iter()
        .map(|param| format!("`{param}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let evidence = match observed {
        Some(Entry {
            traces: Some(traces),
            ..
        }) if *traces >= 2 => format!("traced {traces} times in the profiled run"),
        Some(_) => "the profiled run passed different sizes".to_string(),
        None => "its call sites pass different sizes".to_string(),
    };
    let message = format!(
        "graph function `{name}` is traced again for every new shape of {shown}: {evidence}"
    );
    let no_fix = |note: String| {
        Some(Retracing {
            message: message.clone(),
            note,
            keyword: None,
        })
    };
    let static_shape = static_shape_read(semantic, id, Effect::StaticShape);
    let static_rank = static_shape_read(semantic, id, Effect::StaticRank);
    let closed = call_sites_closed(semantic, id);
    // Observed shapes are evidence for calls the analysis cannot see too
    // (the fix stays unsafe, and the note says which calls could differ).
    if !python_values && (closed || observed.is_some()) {
        let (spec, import) = checker.importer.tensorflow_attribute("TensorSpec")?;
        let mut render = Render {
            checker,
            spec,
            anchor: top_level_start(semantic.module_body(), def.range()),
            constants,
            named: false,
        };
        if let Some(specs) = render.params(&facts.params) {
            let named = render.named;
            if let Some(why) = static_shape {
                return no_fix(format!(
                    "no fix offered: `{name}` {why}; with `None` for a size that varies, one trace would decide it for every size: each shape needs its own trace"
                ));
            }
            let mut note = if observed.is_some() {
                let calls = if closed {
                    "every call site is in this module"
                } else {
                    "a call the profiled run did not make may pass other shapes, which the signature would reject"
                };
                format!("the signature is what the profiled run passed: its dtypes, and `None` only for the dimensions that took different sizes; {calls}")
            } else {
                "every call site is in this module: the dimensions that vary become `None`, the others stay fixed".to_string()
            };
            if named {
                note.push_str("; a dimension every call site spells with the same module-level constant keeps its name");
            }
            if static_rank.is_some() {
                note.push_str(
                    "; its checks of static ranks still hold: the signature keeps every rank",
                );
            }
            return Some(Retracing {
                message,
                note,
                keyword: Some(TracingKeyword {
                    text: format!("input_signature=[{}]", specs.join(", ")),
                    import,
                    title: "Add an `input_signature` inferred from the call sites",
                }),
            });
        }
    }
    if let Some(why) = static_shape.or(static_rank) {
        return no_fix(format!(
            "no fix offered: `{name}` {why}; a relaxed trace (`reduce_retracing`) has shapes of unknown size, or rank, and would decide it for all of them: each shape needs its own trace"
        ));
    }
    if let Some(why) = checker.missing_api("reduce_retracing", REDUCE_RETRACING) {
        return no_fix(why);
    }
    let why_not_signature = if python_values {
        "some arguments are Python values, which a signature would turn into tensors"
    } else if !closed {
        "it may be called from code the analysis cannot see, whose shapes a signature could reject"
    } else {
        "the dtype or a dimension of an argument is not known at every call site"
    };
    Some(Retracing {
        message,
        note: format!("no signature: {why_not_signature}; `reduce_retracing=True` relaxes only the dimensions that vary, after the first new shape"),
        keyword: Some(TracingKeyword {
            text: "reduce_retracing=True".to_string(),
            import: None,
            title: "Add `reduce_retracing=True`",
        }),
    })
}

/// A graph function already relaxed (`reduce_retracing=True` or
/// `experimental_relax_shapes=True`): the Python values that still retrace
/// it are reported, and where every call site is known and gives a
/// signature, the signature replaces the relaxation.
fn relaxed<'s>(
    checker: &mut Checker<'_, 's>,
    id: FunctionId,
    keyword: &Keyword,
    constants: &mut Option<Constants<'s>>,
) {
    let semantic = checker.semantic;
    let function = &semantic.functions[id];
    let facts = &semantic.facts[id];
    let name = function.qualified_name.clone();
    let Some(relaxation) = keyword.arg.as_ref().map(|arg| arg.id.as_str()) else {
        return;
    };
    if !matches!(keyword.value, Expr::BooleanLiteral(ref b) if b.value) {
        return;
    }
    let mut python_values = false;
    for (param, kind) in &facts.params {
        match kind {
            ParamKind::Primitive {
                varies_at: Some(line),
                ..
            } => {
                python_values = true;
                let at = if *line == 0 {
                    "different constants at different call sites".to_string()
                } else {
                    format!("a value that changes between calls, at line {line}")
                };
                let note = match python_only_use(semantic, checker.source, id, param) {
                    Some(why) => format!("no fix offered: `{param}` {why}; it must stay a Python value, and each of its values needs a trace of its own"),
                    None => format!("no fix offered here: HY004 passes `{param}` as a tensor, and one trace serves every value"),
                };
                checker.report(
                    CODEMOD
                        .diagnostic(
                            format!("`{relaxation}=True` does not stop graph function `{name}` from being traced again for every new value of `{param}`: it receives a Python value ({at})"),
                            function.def.name.range(),
                        )
                        .with_function(name.clone())
                        .with_note(note),
                );
            }
            ParamKind::Primitive { .. } | ParamKind::Other(None) => python_values = true,
            _ => {}
        }
    }
    // A signature would turn Python values into tensors, and could reject
    // what callers the analysis cannot see pass.
    if python_values || !call_sites_closed(semantic, id) {
        return;
    }
    let def = function.def;
    if def.parameters.vararg.is_some() || def.parameters.kwarg.is_some() {
        return;
    }
    let Some((spec, import)) = checker.importer.tensorflow_attribute("TensorSpec") else {
        return;
    };
    let mut render = Render {
        checker,
        spec,
        anchor: top_level_start(semantic.module_body(), def.range()),
        constants,
        named: false,
    };
    let Some(specs) = render.params(&facts.params) else {
        return;
    };
    // Nothing varies: the relaxation costs nothing. A function that reads
    // a static dimension would see `None` on every call under a signature,
    // not only once a relaxed trace is made: left as it is.
    if !facts.params.iter().any(|(_, kind)| kind.shape_varies())
        || static_shape_read(semantic, id, Effect::StaticShape).is_some()
    {
        return;
    }
    let text = format!("input_signature=[{}]", specs.join(", "));
    checker.report(
        CODEMOD
            .diagnostic(
                format!("graph function `{name}` relaxes its shapes with `{relaxation}=True`, but its call sites determine an `input_signature`, which never traces it again"),
                def.name.range(),
            )
            .with_function(name)
            .with_note("every call site is in this module: the dimensions that vary become `None`, the others stay fixed; a relaxed function is traced again for the first new shape, and again for every shape the relaxed trace does not cover")
            // The title does not name the keyword: when HY021 renames
            // `experimental_relax_shapes` first, the fix is still the one
            // `check` announced (its key is the same) and applies.
            .with_fix(
                "Replace the shape relaxation with an `input_signature` inferred from the call sites",
                Fix::unsafe_edits(Edit::range_replacement(text, keyword.range()), import),
            ),
    );
}

/// The spec of `structure` (a tensor, or a tuple, list or dict of them) as
/// one entry of `def`'s `input_signature`, and the import it needs; `None`
/// when a dtype or dimension is unknown. HY013 writes the signature of the
/// elements of a `tf.data` dataset it passes in with it.
pub(crate) fn structure_spec(
    checker: &Checker,
    def: &StmtFunctionDef,
    structure: &Structure,
) -> Option<(String, Option<Edit>)> {
    let (spec, import) = checker.importer.tensorflow_attribute("TensorSpec")?;
    let mut constants = None;
    let mut render = Render {
        checker,
        spec,
        anchor: top_level_start(checker.semantic.module_body(), def.range()),
        constants: &mut constants,
        named: false,
    };
    Some((render.structure(structure)?, import))
}

/// Writes specs as source text: a `TensorSpec` for a tensor whose dtype and
/// every dimension are known (a size, a module-level constant, or `None`
/// where sizes vary), the same structure for a tuple, list or dict of them.
struct Render<'r, 'c, 'a, 's> {
    checker: &'c Checker<'a, 's>,
    /// How `tf.TensorSpec` is spelled here.
    spec: String,
    /// Where the module-level statement that holds the function starts: a
    /// named dimension must be bound before it.
    anchor: TextSize,
    /// Computed once per module, when a dimension has a name.
    constants: &'r mut Option<Constants<'s>>,
    /// Whether a dimension was written by name.
    named: bool,
}

impl Render<'_, '_, '_, '_> {
    /// The spec of every parameter, when each is a tensor or a structure of
    /// them whose dtype and dimensions are all known.
    fn params(&mut self, params: &[(String, ParamKind)]) -> Option<Vec<String>> {
        params
            .iter()
            .map(|(_, kind)| match kind {
                ParamKind::Tensor(info) => self.tensor(info),
                ParamKind::Other(Some(structure)) => self.structure(structure),
                _ => None,
            })
            .collect()
    }

    fn tensor(&mut self, info: &TensorInfo) -> Option<String> {
        let dtype = DTYPES
            .iter()
            .copied()
            .find(|d| Some(*d) == info.dtype.as_deref())?;
        let dims = info
            .shape
            .as_ref()?
            .iter()
            .map(|dim| match dim {
                Some(Dim::Size(size)) => Some(size.to_string()),
                Some(Dim::Named(name)) if self.is_constant(name) => {
                    self.named = true;
                    Some(name.to_string())
                }
                Some(Dim::Varies) => Some("None".to_string()),
                // Unknown: a signature would have to guess it.
                _ => None,
            })
            .collect::<Option<Vec<String>>>()?;
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

/// Why `id` decides Python control flow on a static shape (`effect` is
/// [`Effect::StaticShape`] or [`Effect::StaticRank`]), as a phrase
/// completing "`f` ...": in its body, in a function it calls, or in a
/// function it defines (a closure it hands to `tf.map_fn` or a helper runs
/// while it is traced).
fn static_shape_read(semantic: &SemanticModel, id: FunctionId, effect: Effect) -> Option<String> {
    if let Some(why) = semantic.facts[id].effect(effect) {
        return Some(why.to_string());
    }
    semantic
        .functions
        .iter()
        .enumerate()
        .filter(|(_, nested)| nested.parent == Some(id))
        .find_map(|(nested, function)| {
            let why = static_shape_read(semantic, nested, effect)?;
            Some(format!("defines `{}`, which {why}", function.def.name.id))
        })
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
