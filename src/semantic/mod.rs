//! The semantic model of one module: its functions and classes, the calls
//! between them, which functions run under `tf.function`, what each body
//! does, and the abstract values of names and arguments.
//!
//! It is built once per module by [`SemanticModel::new`] (`build.rs`: one
//! walk over the AST, then the walker of [`effects`] over every body) and
//! shared by every codemod. What it knows of values is in [`kinds`], of
//! builtins in [`builtins`], of names in [`scopes`] and of long-lived
//! Python state in [`state_index`]; what the rest of the run tells about
//! the module comes in as plain data ([`ModelInputs`], [`facts`]). It is
//! deliberately conservative: a call it cannot resolve has no callee, and
//! nothing is ever assumed about an unresolved callee.

mod build;
pub mod builtins;
pub mod effects;
pub mod facts;
pub mod kinds;
pub mod scopes;
pub mod state_index;

use rustc_hash::FxHashMap as HashMap;

use ruff_python_ast::{ModModule, Stmt, StmtClassDef, StmtFunctionDef};
use ruff_text_size::TextRange;

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

impl<'a> Function<'a> {
    /// The name a method gives its instance (its first parameter), unless
    /// it is a static method or no method.
    pub fn self_name(&self) -> Option<&'a str> {
        self.class?;
        let def = self.def;
        let is_static = def.decorator_list.iter().any(
            |d| matches!(&d.expression, ruff_python_ast::Expr::Name(n) if n.id.as_str() == "staticmethod"),
        );
        if is_static {
            return None;
        }
        def.parameters
            .iter_non_variadic_params()
            .next()
            .map(|p| p.parameter.name.id.as_str())
    }
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
    /// Whether the module calls Keras's `Input` (builds a functional model
    /// from symbolic tensors).
    pub keras_inputs: bool,
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
    /// What the module's star imports of other modules of the run bind
    /// (`from common import *` bringing `tf`): see
    /// [`crate::names::ImportMap::from_module_with`].
    pub star_imports: &'i [crate::names::StarImport],
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
    pub fn new(module: &'a ModModule, source: &str, inputs: ModelInputs<'a>) -> Self {
        let mut model = Self::build_without_facts(
            module,
            source,
            inputs.project_tf_classes.to_vec(),
            inputs.star_imports,
        );
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
