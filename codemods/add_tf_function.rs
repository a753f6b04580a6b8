//! HY001 add-tf-function: decorate hot eager functions with `@tf.function`
//! when every safety precondition holds; otherwise explain, with an
//! informational `HY1xx` finding per failed precondition.

use ruff_python_ast::statement_visitor::{walk_stmt, StatementVisitor};
use ruff_python_ast::visitor::Visitor as _;
use ruff_python_ast::{CmpOp, Expr, Stmt, StmtFunctionDef, UnaryOp};
use ruff_text_size::{Ranged, TextSize};

use crate::analyze::preconditions::{failed_preconditions, Precondition};
use crate::checker::Checker;
use crate::codemod::{Codemod, DependsOn, FixSafety};
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::semantic::kinds::ParamKind;
use crate::semantic::{FunctionId, SemanticModel};

pub mod refusals;

use refusals::Refusal;

pub const CODEMOD: Codemod = Codemod {
    code: "HY001",
    name: "add-tf-function",
    summary: "Decorate hot eager functions with `@tf.function` when it is provably safe",
    safety: FixSafety::Safe,
    doc: include_str!("add_tf_function.md"),
    informational: refusals::ALL,
    // A function becomes a candidate when a call in a loop elsewhere makes
    // it hot, and earns HY112 when its one call is at module level.
    depends_on: &[DependsOn::LoopCalls, DependsOn::SingleModuleLevelCall],
    run,
};

/// Names of functions that are training or evaluation steps by convention
/// (with `call` and `__call__`, `semantic::builtins::FORWARD_AND_STEP_METHODS`).
const STEP_NAMES: &[&str] = &[
    "train_step",
    "test_step",
    "eval_step",
    "predict_step",
    "val_step",
];

fn run(checker: &mut Checker) {
    let semantic = checker.semantic;
    // Computed once per module, on the first candidate that needs it.
    let mut changing_globals: Option<ChangingGlobals> = None;
    // Functions with a graph function defined directly inside them, found
    // in one pass (not one pass per function: modules have thousands).
    let mut defines_graph = vec![false; semantic.functions.len()];
    for inner in &semantic.functions {
        if let (Some(parent), Some(_)) = (inner.parent, &inner.graph) {
            defines_graph[parent] = true;
        }
    }
    for (id, &defines_graph) in defines_graph.iter().enumerate() {
        let Some(reason) = candidate_reason(semantic, id, defines_graph) else {
            if let Some(site) = called_once(semantic, id) {
                report_called_once(checker, id, &site);
            }
            continue;
        };
        let function = &semantic.functions[id];
        let name = function.qualified_name.clone();
        let range = function.def.name.range();
        let mut refusals = refusals_of(checker.source, semantic, id);
        let mut returns = PythonReturns::default();
        returns.visit_body(&function.def.body);
        if let Some((what, at)) = returns.first {
            let line = checker.line_number(at);
            refusals.push((
                &refusals::RETURNS_PYTHON_VALUE,
                format!(
                    "returns {what} at line {line}; a graph function would return it as a tensor"
                ),
            ));
        }
        // Writes to Python state that HY010 rewrites in the same change.
        let repair = state_repair(checker, id, &refusals);
        if repair.is_some() {
            refusals.retain(|(refusal, _)| refusal.code != refusals::PYTHON_SIDE_EFFECT.code);
        }
        if !refusals.is_empty() {
            for (refusal, why) in refusals {
                checker.report(
                    refusal
                        .diagnostic(format!("`{name}` {why}"), range)
                        .with_function(name.clone()),
                );
            }
            continue;
        }
        let Some((decorator, import)) = checker.importer.tensorflow_attribute("function") else {
            checker.report(
                CODEMOD
                    .diagnostic(
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
        let mut diagnostic = CODEMOD
            .diagnostic(
                format!("`{name}` {reason}; it can run as a graph function"),
                range,
            )
            .with_function(name);
        // Safe only when the analysis can see that the function takes and
        // returns tensors; otherwise the decoration may change what callers
        // get back (a Python value becomes a tensor) or retrace per value.
        let globals =
            changing_globals.get_or_insert_with(|| ChangingGlobals::of(semantic.module_body()));
        let doubt = doubt(semantic, id, globals);
        let mut applicability = match &doubt {
            Some(why) => {
                diagnostic = diagnostic.with_note(format!("unsafe fix: {why}"));
                Applicability::Unsafe
            }
            None => Applicability::Safe,
        };
        let mut title = format!("Decorate with `@{decorator}`");
        let mut repair_edits = Vec::new();
        if let Some((edits, names)) = repair {
            let names = names.join("`, `");
            title = format!("{title} and keep `{names}` in a `tf.Variable`");
            let also = doubt.map_or(String::new(), |why| format!("; also, {why}"));
            diagnostic = diagnostic.with_note(format!(
                "unsafe fix: `{names}` is kept in a `tf.Variable` in the same change (as HY010 state-to-variable does), so that its updates run on every call; eager reads of it are converted back to Python values{also}"
            ));
            applicability = Applicability::Unsafe;
            repair_edits = edits;
        }
        checker.report(diagnostic.with_fix(
            title,
            Fix::applicable_edits(edit, import.into_iter().chain(repair_edits), applicability),
        ));
    }
}

/// When the only Python side effects of candidate `id` are writes to
/// numbers or booleans that HY010 would keep in `tf.Variable`s once it runs
/// under `tf.function`: HY010's edits for them and their names, to apply
/// with the decorator as one change.
fn state_repair(
    checker: &Checker,
    id: FunctionId,
    refusals: &[(&'static Refusal, String)],
) -> Option<(Vec<Edit>, Vec<String>)> {
    use crate::semantic::effects::Effect;
    let semantic = checker.semantic;
    let facts = &semantic.facts[id];
    // Only when it is the one refusal: the analysis below walks the module.
    if !matches!(refusals, [(refusal, _)] if refusal.code == refusals::PYTHON_SIDE_EFFECT.code)
        || facts.effect(Effect::StateWrite).is_none()
        || facts.effect(Effect::SideEffect).is_some()
        || facts.effect(Effect::Print).is_some()
    {
        return None;
    }
    // The repair adds no import of its own: the decorator's alias serves.
    let (_, import) = checker.importer.tensorflow_attribute("function")?;
    if import.is_some() {
        return None;
    }
    let states = crate::analyze::state::states_repaired_with(semantic, id)?;
    if states.is_empty() {
        return None;
    }
    let mut edits = Vec::new();
    let mut names = Vec::new();
    for state in &states {
        edits.extend(super::state_to_variable::state_edits(checker, state)?);
        names.push(state.target.display());
    }
    Some((edits, names))
}

/// Why decorating the function could still change what it computes, as far
/// as the analysis can tell; `None` when it sees tensors in and tensors out.
fn doubt(semantic: &SemanticModel, id: FunctionId, globals: &ChangingGlobals) -> Option<String> {
    let facts = &semantic.facts[id];
    let function = &semantic.functions[id];
    // A method reads `self`, whose Python attributes a graph function sees
    // as they were while tracing; the analysis cannot prove them fixed.
    if function.class.is_some() {
        return Some("a method reads the Python state of `self` only while tracing".to_string());
    }
    if facts.params.is_empty() {
        return Some(
            "without tensor parameters, it is traced once and its result frozen".to_string(),
        );
    }
    if let Some(name) = globals.read_by(function.def) {
        return Some(format!(
            "it reads the global `{name}`, which is reassigned, and a graph function sees only the value it had while tracing"
        ));
    }
    for (param, kind) in &facts.params {
        match kind {
            ParamKind::Tensor(_) => {}
            // A Python constant that never changes is traced once.
            ParamKind::Primitive {
                varies_at: None, ..
            } => {}
            _ => {
                return Some(format!(
                    "the analysis cannot see that `{param}` always receives a tensor"
                ))
            }
        }
    }
    None
}

/// Module-level names bound more than once (or in a loop, or through
/// `global` in a function): a graph function would freeze their value.
#[derive(Default)]
struct ChangingGlobals {
    counts: rustc_hash::FxHashMap<String, usize>,
    in_loop: usize,
    in_function: usize,
}

impl ChangingGlobals {
    fn of(body: &[Stmt]) -> Self {
        let mut globals = ChangingGlobals::default();
        globals.visit_body(body);
        globals
    }

    fn bind(&mut self, target: &Expr) {
        match target {
            Expr::Name(name) if self.in_function == 0 => {
                let weight = if self.in_loop > 0 { 2 } else { 1 };
                *self.counts.entry(name.id.to_string()).or_default() += weight;
            }
            Expr::Tuple(tuple) => tuple.elts.iter().for_each(|e| self.bind(e)),
            Expr::List(list) => list.elts.iter().for_each(|e| self.bind(e)),
            _ => {}
        }
    }

    /// The first name `def` reads that is a changing global and not one of
    /// its own locals or parameters.
    fn read_by(&self, def: &StmtFunctionDef) -> Option<String> {
        let mut reads = NameReads::default();
        reads.visit_body(&def.body);
        let params: rustc_hash::FxHashSet<&str> = def
            .parameters
            .iter()
            .map(|p| p.name().id.as_str())
            .collect();
        reads
            .loads
            .iter()
            .find(|&&name| {
                !reads.stores.contains(name)
                    && !params.contains(name)
                    && self.counts.get(name).is_some_and(|&n| n > 1)
            })
            .map(|name| name.to_string())
    }
}

impl<'a> StatementVisitor<'a> for ChangingGlobals {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Assign(assign) => assign.targets.iter().for_each(|t| self.bind(t)),
            Stmt::AugAssign(assign) => {
                self.bind(&assign.target);
                self.bind(&assign.target);
            }
            Stmt::AnnAssign(assign) => self.bind(&assign.target),
            Stmt::For(for_stmt) => {
                self.bind(&for_stmt.target);
                self.bind(&for_stmt.target);
                self.in_loop += 1;
                walk_stmt(self, stmt);
                self.in_loop -= 1;
                return;
            }
            Stmt::While(_) => {
                self.in_loop += 1;
                walk_stmt(self, stmt);
                self.in_loop -= 1;
                return;
            }
            Stmt::Global(global) => {
                // Rebound from inside a function: it changes at run time.
                for name in &global.names {
                    *self.counts.entry(name.id.to_string()).or_default() += 2;
                }
            }
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {
                self.in_function += 1;
                walk_stmt(self, stmt);
                self.in_function -= 1;
                return;
            }
            _ => {}
        }
        walk_stmt(self, stmt);
    }
}

/// The names a function body loads and stores (nested scopes included,
/// which only makes the check stricter).
#[derive(Default)]
struct NameReads<'a> {
    /// In order.
    loads: Vec<&'a str>,
    stores: rustc_hash::FxHashSet<&'a str>,
}

impl<'a> ruff_python_ast::visitor::Visitor<'a> for NameReads<'a> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Name(name) = expr {
            match name.ctx {
                ruff_python_ast::ExprContext::Load => self.loads.push(name.id.as_str()),
                _ => {
                    self.stores.insert(name.id.as_str());
                }
            }
        }
        ruff_python_ast::visitor::walk_expr(self, expr);
    }
}

/// The first `return` of a function's own body whose value is plainly a
/// Python value (text, a truth value, a length, a static shape).
#[derive(Default)]
struct PythonReturns {
    first: Option<(&'static str, TextSize)>,
}

impl<'a> StatementVisitor<'a> for PythonReturns {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
            Stmt::Return(ret) if self.first.is_none() => {
                if let Some(what) = ret.value.as_deref().and_then(python_value) {
                    self.first = Some((what, ret.start()));
                }
            }
            _ => walk_stmt(self, stmt),
        }
    }
}

/// What kind of Python value `expr` plainly is, if it is one.
fn python_value(expr: &Expr) -> Option<&'static str> {
    match expr {
        Expr::StringLiteral(_) | Expr::BytesLiteral(_) | Expr::FString(_) => Some("text"),
        Expr::BooleanLiteral(_) | Expr::BoolOp(_) => Some("a Python truth value"),
        Expr::UnaryOp(op) if op.op == UnaryOp::Not => Some("a Python truth value"),
        Expr::Compare(compare)
            if compare
                .ops
                .iter()
                .any(|op| matches!(op, CmpOp::Is | CmpOp::IsNot | CmpOp::In | CmpOp::NotIn)) =>
        {
            Some("a Python truth value")
        }
        Expr::Call(call) => match call.func.as_ref() {
            Expr::Name(name) => match name.id.as_str() {
                "len" | "int" | "float" | "str" | "repr" | "bool" | "isinstance" | "callable"
                | "hasattr" | "type" | "format" | "tuple" | "list" | "dict" | "set" | "sorted" => {
                    Some("a Python value")
                }
                _ => None,
            },
            Expr::Attribute(attribute) => match attribute.attr.id.as_str() {
                "as_list" | "num_elements" | "format" | "join" | "item" | "tolist" => {
                    Some("a Python value")
                }
                _ => None,
            },
            _ => None,
        },
        Expr::Attribute(attribute) => match attribute.attr.id.as_str() {
            "shape" | "ndim" | "dtype" | "name" | "device" | "rank" => Some("static metadata"),
            _ => None,
        },
        Expr::Tuple(tuple) => tuple.elts.iter().find_map(python_value),
        Expr::List(list) => list.elts.iter().find_map(python_value),
        Expr::Dict(dict) => dict.items.iter().find_map(|item| python_value(&item.value)),
        _ => None,
    }
}

/// Why the function is worth converting, or `None` when it is not a
/// candidate at all (then nothing is reported). `defines_graph`: a graph
/// function is defined directly inside it.
fn candidate_reason(
    semantic: &SemanticModel,
    id: FunctionId,
    defines_graph: bool,
) -> Option<String> {
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
    if defines_graph {
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

/// Where a function that would otherwise be a candidate is called, when it
/// is called exactly once, at module level outside any loop, and is no known
/// hot step: a function doing tensor work on a tensor argument.
fn called_once(semantic: &SemanticModel, id: FunctionId) -> Option<String> {
    let function = &semantic.functions[id];
    let facts = &semantic.facts[id];
    let def = function.def;
    let name = def.name.id.as_str();
    if facts.call_sites != 1
        || facts.loop_call.is_some()
        || facts.under_graph
        || function.graph.is_some()
        || def.is_async
        || function.parent.is_some()
        || STEP_NAMES.contains(&name)
        || (name.starts_with("__") && name.ends_with("__"))
        || (function.class.is_some_and(|c| semantic.is_tf_class(c)) && name == "call")
    {
        return None;
    }
    if facts
        .effect(crate::semantic::effects::Effect::TensorComputation)
        .is_none()
        || !facts
            .params
            .iter()
            .any(|(_, kind)| matches!(kind, ParamKind::Tensor(_)))
    {
        return None;
    }
    // Only a call at module level is plainly run once: a call in a function
    // is as hot as that function.
    let (line, path) = facts.module_call.as_ref()?;
    Some(match path {
        Some(path) => format!("line {line} of {path}"),
        None => format!("line {line}"),
    })
}

/// HY112 for a function called once, when it would pass every precondition.
fn report_called_once(checker: &mut Checker, id: FunctionId, site: &str) {
    let semantic = checker.semantic;
    if !refusals_of(checker.source, semantic, id).is_empty() {
        return;
    }
    let function = &semantic.functions[id];
    let mut returns = PythonReturns::default();
    returns.visit_body(&function.def.body);
    if returns.first.is_some() {
        return;
    }
    let name = &function.qualified_name;
    checker.report(
        refusals::CALLED_ONCE
            .diagnostic(
                format!("`{name}` is called once ({site}): tracing would cost more than it saves"),
                function.def.name.range(),
            )
            .with_function(name.clone()),
    );
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
