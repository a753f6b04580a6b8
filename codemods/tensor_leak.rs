//! HY015 tensor-leak: a tensor computed in graph code and stored in an
//! attribute or global that other code reads is a symbolic tensor from the
//! trace, not a value of any call.

use ruff_python_ast::statement_visitor::{walk_stmt as walk_body, StatementVisitor};
use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
use ruff_python_ast::{Expr, ExprContext, Stmt};
use ruff_text_size::Ranged;

use crate::analyze::state::{creates_variable, literal_kind, python_states};
use crate::checker::Checker;
use crate::codemod::{Codemod, DependsOn, FixSafety};
use crate::semantic::{ClassId, FunctionId, SemanticModel};
use rustc_hash::{FxHashMap, FxHashSet};

pub const CODEMOD: Codemod = Codemod {
    code: "HY015",
    name: "tensor-leak",
    summary: "Report tensors that graph code stores in attributes or globals read elsewhere",
    safety: FixSafety::NoFix,
    doc: include_str!("tensor_leak.md"),
    informational: &[],
    // It looks at the tensors that code running under graph stores.
    depends_on: &[DependsOn::GraphCode],
    run,
};

fn run(checker: &mut Checker) {
    let semantic = checker.semantic;
    // Numbers and booleans are HY010's: it reports (and repairs) them.
    let states: Vec<String> = python_states(semantic)
        .iter()
        .map(|state| state.target.name().to_string())
        .collect();
    // Built at the first question, for every stored name at once.
    let reads = std::cell::OnceCell::new();
    for id in semantic.graph_code() {
        let function = &semantic.functions[id];
        let mut stores = Stores::default();
        stores.visit_body(&function.def.body);
        for (stmt, target, value) in stores.found {
            let (name, shown) = match target {
                Expr::Attribute(a) if a.value.is_name_expr() => (
                    a.attr.id.to_string(),
                    format!("{}.{}", &checker.source[a.value.range()], a.attr.id),
                ),
                Expr::Name(n) if stores.globals.iter().any(|g| g == n.id.as_str()) => {
                    (n.id.to_string(), n.id.to_string())
                }
                _ => continue,
            };
            // Literals, containers and variables are not tensors computed by the trace.
            if is_not_a_tensor(semantic, value)
                || is_own_method(semantic, id, value)
                || states.contains(&name)
            {
                continue;
            }
            // `self.name` in a method belongs to its class: only that class
            // (and its bases and subclasses here) reads it through `self`.
            let class = match target {
                Expr::Attribute(a) => function.class.filter(|_| on_own_instance(function, a)),
                _ => None,
            };
            let index = reads.get_or_init(|| ReadIndex::new(semantic));
            if target.is_attribute_expr() && index.called.contains(name.as_str()) {
                continue;
            }
            let Some(reader) =
                read_outside_graph(semantic, index, &name, target.is_name_expr(), class, id)
            else {
                continue;
            };
            // A parameter is a tensor only when a caller passes one: a
            // Python object passed to a graph function stays that object.
            let what = match value {
                Expr::Name(n) if function.def.parameters.includes(n.id.as_str()) => {
                    format!(
                        "the parameter `{}` (a tensor, when a caller passes one)",
                        n.id
                    )
                }
                _ => "a tensor".to_string(),
            };
            checker.report(
                CODEMOD.diagnostic(format!(
                        "`{shown}` is set to {what} in graph code of `{}` and read in {reader}: it holds a symbolic tensor from the trace, not the value of any call",
                        function.qualified_name
                    ),
                    stmt.range(),
                )
                .with_function(function.qualified_name.clone())
                .with_note("no fix offered: return the tensor from the graph function, or keep it in a `tf.Variable` created once and `assign` it"),
            );
        }
    }
}

/// Whether `value` is `self.<method>` in a method of a class that has that
/// method: a bound method, no tensor.
fn is_own_method(model: &SemanticModel, id: FunctionId, value: &Expr) -> bool {
    let function = &model.functions[id];
    let (Some(class), Expr::Attribute(attribute)) = (function.class, value) else {
        return false;
    };
    on_own_instance(function, attribute)
        && model.method(class, attribute.attr.id.as_str()).is_some()
}

/// Whether `attribute` is `self.<name>` in method `function`.
fn on_own_instance(
    function: &crate::semantic::Function,
    attribute: &ruff_python_ast::ExprAttribute,
) -> bool {
    function.self_name().is_some_and(|me| {
        attribute
            .value
            .as_name_expr()
            .is_some_and(|n| n.id.as_str() == me)
    })
}

fn is_not_a_tensor(model: &SemanticModel, value: &Expr) -> bool {
    literal_kind(value).is_some()
        || value.is_literal_expr()
        || value.is_none_literal_expr()
        || matches!(
            value,
            Expr::List(_) | Expr::Dict(_) | Expr::Set(_) | Expr::Tuple(_) | Expr::Lambda(_)
        )
        || creates_variable(model, value)
        || matches!(value, Expr::Call(call) if !model.imports.is_tensorflow(&call.func))
}

/// Where `name` (an attribute name, or a global when `global`) is read
/// outside graph code: "eager function `f`" or "module-level code"; or,
/// for an attribute of `self`, in another method of the class that is
/// traced on its own (`storer` stores it). An
/// attribute of `self` stored in a method of `class` is read through
/// `self` only in methods of that class, its bases or its subclasses here;
/// through any other name (`model.name`), anywhere.
fn read_outside_graph(
    model: &SemanticModel,
    reads: &ReadIndex,
    name: &str,
    global: bool,
    class: Option<ClassId>,
    storer: FunctionId,
) -> Option<String> {
    let (first, module_level) = if global {
        (&reads.first_name, &reads.module_names)
    } else {
        (&reads.first_attribute, &reads.module_attributes)
    };
    let through_self = || {
        reads
            .self_attributes
            .get(name)?
            .iter()
            .copied()
            .find(|&(reader, _)| class.is_none_or(|class| related(model, class, reader)))
            .map(|(_, id)| id)
    };
    if let Some(id) = first
        .get(name)
        .copied()
        .into_iter()
        .chain(through_self())
        .min()
    {
        return Some(format!(
            "eager function `{}`",
            model.functions[id].qualified_name
        ));
    }
    if module_level.contains(name) {
        return Some("module-level code".to_string());
    }
    // Another graph method that reads it through `self` is traced on its
    // own: the tensor is out of its trace's scope, and tracing it fails
    // (unless the storing function calls it, inside its own trace).
    let class = class?;
    let reader = reads
        .graph_self_attributes
        .get(name)?
        .iter()
        .find(|&&(reader_class, reader)| {
            reader != storer
                && related(model, class, reader_class)
                && !model
                    .calls_with_callers(reader)
                    .any(|(caller, _)| caller == Some(storer))
        })?
        .1;
    Some(format!(
        "graph function `{}`, traced on its own (where it is out of scope: tracing it fails)",
        model.functions[reader].qualified_name
    ))
}

/// Whether two classes of the module are one, or one names the other as a
/// base (directly).
fn related(model: &SemanticModel, a: ClassId, b: ClassId) -> bool {
    let names = |c: ClassId| {
        let class = &model.classes[c];
        (class.def.name.id.as_str(), class.qualified_name.as_str())
    };
    let bases = |c: ClassId, of: ClassId| {
        let (name, qualified) = names(of);
        model.classes[c]
            .bases
            .iter()
            .any(|base| base == name || base == qualified)
    };
    a == b || bases(a, b) || bases(b, a)
}

/// The names read outside graph code, gathered in one walk of the module:
/// per stored name, a walk of every eager function made checking a module
/// of N graph functions quadratic in N.
#[derive(Default)]
struct ReadIndex<'a> {
    /// Per attribute name read (`x.name`) through anything but a method's
    /// own instance, the first eager function (in the model's order) whose
    /// own body reads it.
    first_attribute: FxHashMap<&'a str, FunctionId>,
    /// Per attribute name read through a method's own instance
    /// (`self.name`), the first eager method of each class that reads it.
    self_attributes: FxHashMap<&'a str, Vec<(ClassId, FunctionId)>>,
    /// The same, for the methods decorated with `tf.function` (each traced
    /// on its own).
    graph_self_attributes: FxHashMap<&'a str, Vec<(ClassId, FunctionId)>>,
    /// Per name read, the first eager function whose own body reads it.
    first_name: FxHashMap<&'a str, FunctionId>,
    /// The attribute names and names read by module-level code.
    module_attributes: FxHashSet<&'a str>,
    module_names: FxHashSet<&'a str>,
    /// The attribute names some code calls (`x.name(...)`): a callable
    /// (a function, a layer) is kept there, no tensor.
    called: FxHashSet<&'a str>,
}

impl<'a> ReadIndex<'a> {
    fn new(model: &SemanticModel<'a>) -> Self {
        let mut index = ReadIndex::default();
        for (id, function) in model.functions.iter().enumerate() {
            if model.runs_under_graph(id) {
                // A method traced on its own reads `self`'s attributes in
                // a trace of its own.
                if let (Some(class), Some(_)) = (function.class, &function.graph) {
                    let mut reads = Reads {
                        me: function.self_name(),
                        ..Reads::default()
                    };
                    reads.visit_body(&function.def.body);
                    index.called.extend(reads.called);
                    for attribute in reads.self_attributes {
                        index
                            .graph_self_attributes
                            .entry(attribute)
                            .or_default()
                            .push((class, id));
                    }
                }
                continue;
            }
            let mut reads = Reads {
                me: function.self_name(),
                ..Reads::default()
            };
            reads.visit_body(&function.def.body);
            index.called.extend(reads.called);
            for attribute in reads.attributes {
                index.first_attribute.entry(attribute).or_insert(id);
            }
            if let Some(class) = function.class {
                for attribute in reads.self_attributes {
                    let readers = index.self_attributes.entry(attribute).or_default();
                    if !readers.iter().any(|&(c, _)| c == class) {
                        readers.push((class, id));
                    }
                }
            }
            for name in reads.names {
                index.first_name.entry(name).or_insert(id);
            }
        }
        let mut reads = Reads::default();
        reads.visit_body(model.module_body());
        index.module_attributes = reads.attributes.into_iter().collect();
        index.module_names = reads.names.into_iter().collect();
        index.called.extend(reads.called);
        index
    }
}

/// The attribute names and names one body reads, outside the functions
/// and classes it defines.
#[derive(Default)]
struct Reads<'a> {
    /// The method's own instance (`self`), whose attributes are kept apart.
    me: Option<&'a str>,
    attributes: Vec<&'a str>,
    self_attributes: Vec<&'a str>,
    names: Vec<&'a str>,
    /// The attribute names it calls.
    called: Vec<&'a str>,
}

impl<'a> Visitor<'a> for Reads<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if !matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
            walk_stmt(self, stmt);
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Attribute(a) if a.ctx == ExprContext::Load => {
                let on_self = self
                    .me
                    .is_some_and(|me| a.value.as_name_expr().is_some_and(|n| n.id.as_str() == me));
                if on_self {
                    self.self_attributes.push(a.attr.id.as_str());
                } else {
                    self.attributes.push(a.attr.id.as_str());
                }
            }
            Expr::Name(n) if n.ctx == ExprContext::Load => {
                self.names.push(n.id.as_str());
            }
            Expr::Call(call) => {
                if let Expr::Attribute(a) = call.func.as_ref() {
                    self.called.push(a.attr.id.as_str());
                }
            }
            _ => {}
        }
        walk_expr(self, expr);
    }
}

/// `x.attr = value` and `name = value` statements of one body, and its
/// `global` names.
#[derive(Default)]
struct Stores<'a> {
    found: Vec<(&'a Stmt, &'a Expr, &'a Expr)>,
    globals: Vec<String>,
}

impl<'a> StatementVisitor<'a> for Stores<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
            Stmt::Global(global) => self
                .globals
                .extend(global.names.iter().map(|n| n.id.to_string())),
            Stmt::Assign(assign) if assign.targets.len() == 1 => {
                self.found.push((stmt, &assign.targets[0], &assign.value));
            }
            _ => walk_body(self, stmt),
        }
    }
}
