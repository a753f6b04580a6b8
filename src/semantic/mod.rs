//! The semantic model of one module: its functions and classes, the calls
//! between them, and which functions run under `tf.function`.
//!
//! It is built in one walk over the AST and shared by every codemod. It is
//! deliberately conservative: a call it cannot resolve has no callee, and
//! nothing is ever assumed about an unresolved callee.

pub mod builtins;
pub mod effects;
pub mod facts;
pub mod kinds;
pub mod scopes;
pub mod state_index;

use rustc_hash::FxHashMap as HashMap;

use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
use ruff_python_ast::{Expr, ModModule, Stmt, StmtClassDef, StmtFunctionDef};
use ruff_text_size::{Ranged, TextRange};

use crate::names::ImportMap;
use effects::{Call, DirectEffects, ModuleValues};
use facts::FunctionFacts;

pub type FunctionId = usize;
pub type ClassId = usize;

/// How a function came to run as a graph function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphOrigin {
    /// `@tf.function` or `@tf.function(...)` on the definition.
    Decorator(TextRange),
    /// `tf.function(f)` or `self.f = tf.function(self.f)` somewhere.
    Wrapped(TextRange),
}

#[derive(Debug)]
pub struct Function<'a> {
    pub def: &'a StmtFunctionDef,
    /// `f`, `Model.__call__`, `outer.inner`.
    pub qualified_name: String,
    /// The class this function is a method of, if it is defined directly in
    /// a class body.
    pub class: Option<ClassId>,
    /// The function this one is nested in.
    pub parent: Option<FunctionId>,
    pub graph: Option<GraphOrigin>,
    pub calls: Vec<CallSite>,
}

#[derive(Debug)]
pub struct Class<'a> {
    pub def: &'a StmtClassDef,
    pub qualified_name: String,
    /// Base classes as qualified names where they resolve through imports,
    /// otherwise as written (`Base`).
    pub bases: Vec<String>,
    pub methods: HashMap<String, FunctionId>,
}

/// A call expression found in a function body (or at module level).
#[derive(Debug, Clone)]
pub struct CallSite {
    pub range: TextRange,
    /// The project function called, when the call resolves to one.
    pub callee: Option<FunctionId>,
    /// Whether the call sits inside a `for` or `while` loop of its function.
    pub in_loop: bool,
}

/// Everything codemods need to know about one module.
#[derive(Debug)]
pub struct SemanticModel<'a> {
    pub imports: ImportMap<'a>,
    pub functions: Vec<Function<'a>>,
    pub classes: Vec<Class<'a>>,
    /// Calls made at module level, outside any function.
    pub module_calls: Vec<CallSite>,
    /// For each function, whether it runs under `tf.function`: it is a graph
    /// function itself, or a graph function calls it (transitively); the
    /// value is that graph function.
    under_graph: Vec<Option<FunctionId>>,
    module: &'a ModModule,
    /// Each function's own effects and calls, by [`FunctionId`].
    pub effects: Vec<DirectEffects>,
    /// Calls at module level, with their arguments' values.
    pub module_call_effects: Vec<Call>,
    /// How many `tf.function(...)` calls the module has (decorators with
    /// arguments included): codemods that look only at such calls skip
    /// walking modules that have none.
    pub tf_function_calls: usize,
    /// Whether the text has `:=` anywhere (assignment expressions bind
    /// names; without one, bindings are found without walking expressions).
    pub has_walrus: bool,
    pub values: ModuleValues,
    /// Each function's effects through its callees, parameter kinds and
    /// callers, by [`FunctionId`]: from the whole run where
    /// [`ModelInputs::project_facts`] has them, otherwise from this module
    /// alone once [`SemanticModel::give_local_facts`] has given them.
    pub facts: Vec<FunctionFacts>,
    /// The functions whose facts are still to be given.
    missing_facts: MissingFacts,
    /// Qualified names of this module's classes that derive from a Keras
    /// `Model`/`Layer` or `tf.Module` through another module of the run
    /// (see [`ModelInputs::project_tf_classes`]).
    pub project_tf_classes: Vec<String>,
    /// What codemods ask of the module more than once, found on first use
    /// (once per module, so that asking per function stays linear).
    memo: Memo<'a>,
}

/// Where a call is: the function it is in (`None` at module level) and its
/// index among that function's calls.
type CallAt = (Option<FunctionId>, u32);

/// Indexes over one module, each built the first time it is asked for.
#[derive(Default)]
struct Memo<'a> {
    /// For each function, where it is called: the calling function (`None`
    /// at module level) and the call's index in its list, in the order of
    /// [`SemanticModel::calls_of`].
    calls_by_callee: std::cell::OnceCell<Vec<Vec<CallAt>>>,
    /// Names module-level code reads other than to call them.
    names_used_as_values: std::cell::OnceCell<rustc_hash::FxHashSet<Box<str>>>,
    /// Where the module's long-lived Python state is bound, written and
    /// read.
    state_index: std::cell::OnceCell<state_index::Index<'a>>,
    /// Where the module's lines start, for line numbers in messages.
    lines: std::cell::OnceCell<ruff_source_file::LineIndex>,
}

impl std::fmt::Debug for Memo<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Memo")
    }
}

/// What a model is built from besides the module itself: what the other
/// modules of the run tell about it. The default is a module on its own.
#[derive(Debug, Default, Clone, Copy)]
pub struct ModelInputs<'i> {
    /// Qualified names of this module's classes that derive from a Keras
    /// `Model`/`Layer` or `tf.Module` through another module of the run.
    pub project_tf_classes: &'i [String],
    /// Facts computed over the whole run, keyed by qualified name (with
    /// repeats in order), so that they still apply after fixes have changed
    /// the text. A function they do not name is given the facts of this
    /// module alone (see [`SemanticModel::give_local_facts`]).
    pub project_facts: Option<&'i [(String, FunctionFacts)]>,
}

/// Which functions have no facts yet.
#[derive(Debug)]
enum MissingFacts {
    None,
    Every,
    Some(Vec<FunctionId>),
}

impl<'a> SemanticModel<'a> {
    /// Builds the model of one module; `source` is its text (for line
    /// numbers in messages). Functions that `inputs` have no facts for get
    /// theirs from [`SemanticModel::give_local_facts`], computed by the
    /// propagation over this module alone.
    pub fn new(module: &'a ModModule, source: &str, inputs: ModelInputs) -> Self {
        let mut model =
            Self::build_without_facts(module, source, inputs.project_tf_classes.to_vec());
        if let Some(project) = inputs.project_facts {
            let (facts, missing) = facts::project_facts_by_function(&model.functions, project);
            model.facts = facts;
            if !missing.is_empty() {
                model.missing_facts = MissingFacts::Some(missing);
            }
        } else {
            model.missing_facts = MissingFacts::Every;
        }
        model
    }

    /// Whether some function has no facts yet: the run gave none for it.
    pub fn needs_local_facts(&self) -> bool {
        !matches!(self.missing_facts, MissingFacts::None)
    }

    /// Gives every function that has no facts yet its facts from `local`
    /// (by [`FunctionId`]): those the propagation found over this module
    /// alone.
    pub fn give_local_facts(&mut self, mut local: Vec<FunctionFacts>) {
        match std::mem::replace(&mut self.missing_facts, MissingFacts::None) {
            MissingFacts::None => {}
            MissingFacts::Every => self.facts = local,
            MissingFacts::Some(missing) => {
                for id in missing {
                    self.facts[id] = std::mem::take(&mut local[id]);
                }
            }
        }
    }

    /// Everything but the facts (which are left empty).
    fn build_without_facts(
        module: &'a ModModule,
        source: &str,
        project_tf_classes: Vec<String>,
    ) -> Self {
        let imports = ImportMap::from_module(module);
        let mut builder = Builder {
            imports: &imports,
            functions: Vec::new(),
            classes: Vec::new(),
            scopes: Vec::new(),
            pending_calls: Vec::new(),
            wrapped: Vec::new(),
            tf_function_calls: 0,
            loop_depth: 0,
        };
        builder.visit_body(&module.body);
        let Builder {
            functions,
            classes,
            pending_calls,
            wrapped,
            tf_function_calls,
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
                tf_classes: Vec::new(),
            },
            facts: Vec::new(),
            missing_facts: MissingFacts::None,
            tf_function_calls,
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

    /// The 1-based line of `offset` in `source`, the module's text (lines
    /// end as Python ends them: `\n`, `\r\n` or `\r`).
    pub fn line_number(&self, source: &str, offset: ruff_text_size::TextSize) -> usize {
        self.memo
            .lines
            .get_or_init(|| ruff_source_file::LineIndex::from_source_text(source))
            .line_index(offset)
            .get()
    }

    /// The module the model is of.
    pub fn module(&self) -> &'a ModModule {
        self.module
    }

    /// The module's top-level statements.
    pub fn module_body(&self) -> &'a [Stmt] {
        &self.module.body
    }

    /// The names module-level code reads other than to call them (see
    /// [`scopes::names_used_as_values`]), found on first use.
    pub fn names_used_as_values(&self) -> &rustc_hash::FxHashSet<Box<str>> {
        self.memo
            .names_used_as_values
            .get_or_init(|| scopes::names_used_as_values(self.module_body()))
    }

    /// Where the module's long-lived Python state (attributes of `self`,
    /// globals) is bound, written and read, built on first use.
    pub fn state_index(&self) -> &state_index::Index<'a> {
        self.memo
            .state_index
            .get_or_init(|| state_index::Index::new(self))
    }

    /// Whether `class` derives from a Keras `Model`/`Layer` or `tf.Module`.
    pub fn is_tf_class(&self, class: ClassId) -> bool {
        self.values.tf_classes.get(class).copied().unwrap_or(false)
    }

    /// The functions that run under `tf.function` (directly or through a
    /// graph caller), by id: what the graph-safety codemods look at.
    pub fn graph_code(&self) -> impl Iterator<Item = FunctionId> + use<'_, 'a> {
        (0..self.functions.len()).filter(|&id| self.runs_under_graph(id))
    }

    /// The calls of function `id` in this module: from functions (in their
    /// order), then from module level.
    pub fn calls_of(&self, id: FunctionId) -> impl Iterator<Item = &Call> + use<'_, 'a> {
        self.calls_with_callers(id).map(|(_, call)| call)
    }

    /// [`SemanticModel::calls_of`], each with the function it is in (`None`
    /// at module level).
    pub fn calls_with_callers(
        &self,
        id: FunctionId,
    ) -> impl Iterator<Item = (Option<FunctionId>, &Call)> + use<'_, 'a> {
        let index = self.memo.calls_by_callee.get_or_init(|| {
            let mut index = vec![Vec::new(); self.functions.len()];
            let callers = self
                .effects
                .iter()
                .enumerate()
                .map(|(caller, effects)| (Some(caller), &effects.calls))
                .chain(std::iter::once((None, &self.module_call_effects)));
            for (caller, calls) in callers {
                for (at, call) in calls.iter().enumerate() {
                    if let effects::Callee::Local(callee) = call.callee {
                        index[callee].push((caller, at as u32));
                    }
                }
            }
            index
        });
        index[id].iter().map(move |&(caller, at)| {
            let calls = match caller {
                Some(caller) => &self.effects[caller].calls,
                None => &self.module_call_effects,
            };
            (caller, &calls[at as usize])
        })
    }

    /// Whether the function runs under `tf.function`, directly or because a
    /// graph function calls it.
    pub fn runs_under_graph(&self, id: FunctionId) -> bool {
        self.under_graph[id].is_some()
    }

    /// The graph function through which `id` runs under `tf.function`, for
    /// messages ("called from `train_step`").
    pub fn graph_caller(&self, id: FunctionId) -> Option<FunctionId> {
        self.under_graph[id]
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

    /// The method `name` of `class`, looking through base classes defined in
    /// this module.
    pub fn method(&self, class: ClassId, name: &str) -> Option<FunctionId> {
        if let Some(&id) = self.classes[class].methods.get(name) {
            return Some(id);
        }
        let mut seen = vec![class];
        let mut queue = vec![class];
        while let Some(current) = queue.pop() {
            if let Some(&id) = self.classes[current].methods.get(name) {
                return Some(id);
            }
            for base in &self.classes[current].bases {
                if let Some(base_id) = self
                    .classes
                    .iter()
                    .position(|c| c.def.name.id.as_str() == base)
                {
                    if !seen.contains(&base_id) {
                        seen.push(base_id);
                        queue.push(base_id);
                    }
                }
            }
        }
        None
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
