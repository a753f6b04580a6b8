//! The one walk over a module's tree that finds its functions, classes and
//! call sites, resolves each call to the function of the module it means
//! (if any), marks what runs under `tf.function`, and then has the walker of
//! effects read every body.

use rustc_hash::FxHashMap as HashMap;

use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
use ruff_python_ast::{Expr, ModModule, Stmt};
use ruff_text_size::{Ranged, TextRange};

use super::effects::{self, ModuleValues};
use super::{
    CallSite, Class, ClassId, Function, FunctionId, GraphOrigin, Memo, MissingFacts, SemanticModel,
};
use crate::names::ImportMap;

impl<'a> SemanticModel<'a> {
    /// Everything but the facts (which are left empty).
    pub(super) fn build_without_facts(
        module: &'a ModModule,
        source: &str,
        project_tf_classes: Vec<String>,
        star_imports: &'a [crate::names::StarImport],
    ) -> Self {
        let imports = ImportMap::from_module_with(module, star_imports);
        let mut builder = Builder {
            imports: &imports,
            functions: Vec::new(),
            classes: Vec::new(),
            scopes: Vec::new(),
            pending_calls: Vec::new(),
            wrapped: Vec::new(),
            tf_function_calls: 0,
            loop_depth: 0,
            keras_inputs: false,
        };
        builder.visit_body(&module.body);
        let Builder {
            functions,
            classes,
            pending_calls,
            wrapped,
            tf_function_calls,
            keras_inputs,
            ..
        } = builder;
        let mut model = SemanticModel {
            imports: ImportMap::default(),
            functions,
            classes,
            module_calls: Vec::new(),
            under_graph: Vec::new(),
            module,
            effects: Vec::new(),
            module_call_effects: Vec::new(),
            values: ModuleValues {
                globals: HashMap::default(),
                class_attributes: Vec::new(),
                ctor_params: Vec::new(),
                tf_classes: Vec::new(),
            },
            facts: Vec::new(),
            missing_facts: MissingFacts::None,
            tf_function_calls,
            keras_inputs,
            has_walrus: source.contains(":="),
            project_tf_classes,
            memo: Memo::default(),
        };
        // The function each name means where it is defined: directly in a
        // function (or at module level), not in a class; the last
        // definition wins.
        let mut children: ChildFunctions = HashMap::default();
        for (id, function) in model.functions.iter().enumerate() {
            if function.class.is_none() {
                children.insert((function.parent, function.def.name.id.as_str()), id);
            }
        }
        for (reference, range) in wrapped {
            if let Some(id) = model.resolve(&children, &reference) {
                model.functions[id]
                    .graph
                    .get_or_insert(GraphOrigin::Wrapped(range));
            }
        }
        for pending in pending_calls {
            let site = CallSite {
                range: pending.range,
                callee: model.resolve(&children, &pending.reference),
                in_loop: pending.in_loop,
            };
            match pending.caller {
                Some(caller) => model.functions[caller].calls.push(site),
                None => model.module_calls.push(site),
            }
        }
        model.imports = imports;
        model.under_graph = model.propagate_graph();
        let (effects, module_call_effects, values) = effects::analyse(&model);
        model.effects = effects;
        model.module_call_effects = module_call_effects;
        model.values = values;
        model
    }

    /// For each function, the graph function from which it is reached
    /// through calls (itself, for a graph function), if any.
    fn propagate_graph(&self) -> Vec<Option<FunctionId>> {
        let mut root = vec![None; self.functions.len()];
        for start in (0..self.functions.len()).filter(|&id| self.functions[id].graph.is_some()) {
            let mut stack = vec![start];
            while let Some(id) = stack.pop() {
                if root[id].is_some() {
                    continue;
                }
                root[id] = Some(start);
                stack.extend(
                    self.functions[id]
                        .calls
                        .iter()
                        .filter_map(|call| call.callee),
                );
            }
        }
        root
    }

    fn resolve(&self, children: &ChildFunctions, reference: &Reference) -> Option<FunctionId> {
        match reference {
            Reference::Name { name, scope } => {
                // A function nested in an enclosing function shadows a module-level one.
                let mut current = *scope;
                while let Some(parent) = current {
                    if let Some(&id) = children.get(&(Some(parent), name)) {
                        return Some(id);
                    }
                    current = self.functions[parent].parent;
                }
                children.get(&(None, name)).copied()
            }
            Reference::Method { class, name } => self.method(*class, name),
        }
    }
}

/// Functions by where they are defined (a function, or module level) and
/// name.
type ChildFunctions<'a> = HashMap<(Option<FunctionId>, &'a str), FunctionId>;

/// A call target as written, resolved once every definition is known.
#[derive(Debug)]
enum Reference<'a> {
    /// `name(...)`, looked up from the calling function outwards.
    Name {
        name: &'a str,
        scope: Option<FunctionId>,
    },
    /// `self.name(...)` inside a method of `class`.
    Method { class: ClassId, name: &'a str },
}

struct PendingCall<'a> {
    caller: Option<FunctionId>,
    reference: Reference<'a>,
    range: TextRange,
    in_loop: bool,
}

#[derive(Clone, Copy)]
enum Scope {
    Function(FunctionId),
    Class(ClassId),
}

struct Builder<'a, 'm> {
    imports: &'m ImportMap<'a>,
    functions: Vec<Function<'a>>,
    classes: Vec<Class<'a>>,
    scopes: Vec<Scope>,
    pending_calls: Vec<PendingCall<'a>>,
    wrapped: Vec<(Reference<'a>, TextRange)>,
    tf_function_calls: usize,
    loop_depth: usize,
    /// Whether the module calls Keras's `Input`.
    keras_inputs: bool,
}

impl<'a> Builder<'a, '_> {
    fn current_function(&self) -> Option<FunctionId> {
        self.scopes.iter().rev().find_map(|scope| match scope {
            Scope::Function(id) => Some(*id),
            Scope::Class(_) => None,
        })
    }

    /// `name` qualified by the enclosing function or class (`Model.call`).
    fn qualified(&self, name: &str) -> String {
        let prefix = match self.scopes.last() {
            Some(Scope::Function(id)) => self.functions[*id].qualified_name.as_str(),
            Some(Scope::Class(id)) => self.classes[*id].qualified_name.as_str(),
            None => return name.to_string(),
        };
        let mut qualified = String::with_capacity(prefix.len() + 1 + name.len());
        qualified.push_str(prefix);
        qualified.push('.');
        qualified.push_str(name);
        qualified
    }

    /// The class whose method we are directly in (`self.x` refers to it).
    fn enclosing_method_class(&self) -> Option<ClassId> {
        let function = self.current_function()?;
        self.functions[function].class
    }

    /// What a callee expression refers to, if it can name a project function.
    fn reference(&self, expr: &'a Expr) -> Option<Reference<'a>> {
        match expr {
            Expr::Name(name) => Some(Reference::Name {
                name: name.id.as_str(),
                scope: self.current_function(),
            }),
            Expr::Attribute(attribute) => {
                let Expr::Name(receiver) = attribute.value.as_ref() else {
                    return None;
                };
                if receiver.id.as_str() != "self" {
                    return None;
                }
                Some(Reference::Method {
                    class: self.enclosing_method_class()?,
                    name: attribute.attr.id.as_str(),
                })
            }
            _ => None,
        }
    }
}

impl<'a> Visitor<'a> for Builder<'a, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(def) => {
                for decorator in &def.decorator_list {
                    self.visit_expr(&decorator.expression);
                }
                let graph = def.decorator_list.iter().find_map(|decorator| {
                    let expression = &decorator.expression;
                    let target = match expression {
                        Expr::Call(call) => &call.func,
                        other => other,
                    };
                    self.imports
                        .is_tf_function(target)
                        .then(|| GraphOrigin::Decorator(decorator.range()))
                });
                let class = match self.scopes.last() {
                    Some(Scope::Class(id)) => Some(*id),
                    _ => None,
                };
                let id = self.functions.len();
                self.functions.push(Function {
                    def,
                    qualified_name: self.qualified(def.name.id.as_str()),
                    class,
                    parent: self.current_function(),
                    graph,
                    calls: Vec::new(),
                });
                if let Some(class) = class {
                    self.classes[class]
                        .methods
                        .insert(def.name.id.to_string(), id);
                }
                for parameter in def.parameters.iter_non_variadic_params() {
                    if let Some(default) = &parameter.default {
                        self.visit_expr(default);
                    }
                }
                self.scopes.push(Scope::Function(id));
                let loop_depth = std::mem::take(&mut self.loop_depth);
                self.visit_body(&def.body);
                self.loop_depth = loop_depth;
                self.scopes.pop();
            }
            Stmt::ClassDef(def) => {
                for decorator in &def.decorator_list {
                    self.visit_expr(&decorator.expression);
                }
                let bases = def
                    .bases()
                    .iter()
                    .map(|base| {
                        self.imports.resolve(base).unwrap_or_else(|| match base {
                            Expr::Name(name) => name.id.to_string(),
                            _ => String::new(),
                        })
                    })
                    .collect();
                let id = self.classes.len();
                self.classes.push(Class {
                    def,
                    qualified_name: self.qualified(def.name.id.as_str()),
                    bases,
                    methods: HashMap::default(),
                });
                self.scopes.push(Scope::Class(id));
                self.visit_body(&def.body);
                self.scopes.pop();
            }
            Stmt::For(_) | Stmt::While(_) => {
                self.loop_depth += 1;
                walk_stmt(self, stmt);
                self.loop_depth -= 1;
            }
            _ => walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(call) = expr {
            if self.imports.is_tf_function(&call.func) {
                self.tf_function_calls += 1;
                let wrapped = call
                    .arguments
                    .args
                    .first()
                    .or_else(|| call.arguments.find_keyword("func").map(|k| &k.value));
                if let Some(reference) = wrapped.and_then(|arg| self.reference(arg)) {
                    self.wrapped.push((reference, call.range()));
                }
            }
            let last = match call.func.as_ref() {
                Expr::Name(name) => Some(name.id.as_str()),
                Expr::Attribute(attribute) => Some(attribute.attr.id.as_str()),
                _ => None,
            };
            if last == Some("Input") && !self.keras_inputs {
                self.keras_inputs = self
                    .imports
                    .with_resolved(&call.func, crate::names::is_keras)
                    .unwrap_or(false);
            }
            if let Some(reference) = self.reference(&call.func) {
                self.pending_calls.push(PendingCall {
                    caller: self.current_function(),
                    reference,
                    range: call.range(),
                    in_loop: self.loop_depth > 0,
                });
            }
        }
        walk_expr(self, expr);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::semantic::ModelInputs;

    fn with_model(source: &str, check: impl FnOnce(&SemanticModel)) {
        let parsed = ruff_python_parser::parse_module(source).unwrap();
        let model = SemanticModel::new(parsed.syntax(), source, ModelInputs::default());
        check(&model);
    }

    fn under_graph(model: &SemanticModel, name: &str) -> bool {
        let id = model
            .functions
            .iter()
            .position(|f| f.qualified_name == name)
            .unwrap_or_else(|| panic!("no function {name}"));
        model.runs_under_graph(id)
    }

    #[test]
    fn decorated_functions_and_their_callees_run_under_graph() {
        let source = r"
import tensorflow as tf

def helper(x):
    return deeper(x)

def deeper(x):
    return x

def eager(x):
    return x

@tf.function(reduce_retracing=True)
def step(x):
    return helper(x)
";
        with_model(source, |model| {
            assert!(under_graph(model, "step"));
            assert!(under_graph(model, "helper"));
            assert!(under_graph(model, "deeper"));
            assert!(!under_graph(model, "eager"));
        });
    }

    #[test]
    fn wrapping_calls_make_graph_functions() {
        let source = r"
from tensorflow import function

def f(x):
    return x

g = function(f)

class Model:
    def __init__(self):
        self.call = function(self.call)

    def call(self, x):
        return self.helper(x)

    def helper(self, x):
        return x

    def other(self):
        return 1
";
        with_model(source, |model| {
            assert!(under_graph(model, "f"));
            assert!(under_graph(model, "Model.call"));
            assert!(under_graph(model, "Model.helper"));
            assert!(!under_graph(model, "Model.other"));
            assert!(!under_graph(model, "Model.__init__"));
        });
    }

    #[test]
    fn calls_in_loops_are_marked() {
        let source = "def f(x):\n    return x\n\ndef main():\n    f(1)\n    for i in range(3):\n        f(i)\n";
        with_model(source, |model| {
            let main = model
                .functions
                .iter()
                .find(|f| f.qualified_name == "main")
                .unwrap();
            let loops: Vec<bool> = main
                .calls
                .iter()
                .filter(|c| c.callee.is_some())
                .map(|c| c.in_loop)
                .collect();
            assert_eq!(loops, vec![false, true]);
        });
    }
}
