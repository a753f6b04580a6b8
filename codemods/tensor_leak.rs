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
use crate::semantic::{FunctionId, SemanticModel};
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
            if is_not_a_tensor(semantic, value) || states.contains(&name) {
                continue;
            }
            let Some(reader) = read_outside_graph(
                semantic,
                reads.get_or_init(|| ReadIndex::new(semantic)),
                &name,
                target.is_name_expr(),
            ) else {
                continue;
            };
            checker.report(
                CODEMOD.diagnostic(format!(
                        "`{shown}` is set to a tensor in graph code of `{}` and read in {reader}: it holds a symbolic tensor from the trace, not the value of any call",
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
/// outside graph code: "eager function `f`" or "module-level code".
fn read_outside_graph(
    model: &SemanticModel,
    reads: &ReadIndex,
    name: &str,
    global: bool,
) -> Option<String> {
    let (first, module_level) = if global {
        (&reads.first_name, &reads.module_names)
    } else {
        (&reads.first_attribute, &reads.module_attributes)
    };
    if let Some(&id) = first.get(name) {
        return Some(format!(
            "eager function `{}`",
            model.functions[id].qualified_name
        ));
    }
    module_level
        .contains(name)
        .then(|| "module-level code".to_string())
}

/// The names read outside graph code, gathered in one walk of the module:
/// per stored name, a walk of every eager function made checking a module
/// of N graph functions quadratic in N.
#[derive(Default)]
struct ReadIndex<'a> {
    /// Per attribute name read (`x.name`), the first eager function (in
    /// the model's order) whose own body reads it.
    first_attribute: FxHashMap<&'a str, FunctionId>,
    /// Per name read, the first eager function whose own body reads it.
    first_name: FxHashMap<&'a str, FunctionId>,
    /// The attribute names and names read by module-level code.
    module_attributes: FxHashSet<&'a str>,
    module_names: FxHashSet<&'a str>,
}

impl<'a> ReadIndex<'a> {
    fn new(model: &SemanticModel<'a>) -> Self {
        let mut index = ReadIndex::default();
        for (id, function) in model.functions.iter().enumerate() {
            if model.runs_under_graph(id) {
                continue;
            }
            let mut reads = Reads::default();
            reads.visit_body(&function.def.body);
            for attribute in reads.attributes {
                index.first_attribute.entry(attribute).or_insert(id);
            }
            for name in reads.names {
                index.first_name.entry(name).or_insert(id);
            }
        }
        let mut reads = Reads::default();
        reads.visit_body(model.module_body());
        index.module_attributes = reads.attributes.into_iter().collect();
        index.module_names = reads.names.into_iter().collect();
        index
    }
}

/// The attribute names and names one body reads, outside the functions
/// and classes it defines.
#[derive(Default)]
struct Reads<'a> {
    attributes: Vec<&'a str>,
    names: Vec<&'a str>,
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
                self.attributes.push(a.attr.id.as_str());
            }
            Expr::Name(n) if n.ctx == ExprContext::Load => {
                self.names.push(n.id.as_str());
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
