//! How one piece of state is judged: where it is initialised (a literal in
//! `__init__` or at module level, once), whether something outside the
//! analysis can reach it by name, and each of its uses in turn (see
//! [`super::uses`]).

use rustc_hash::FxHashSet as HashSet;

use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};

use super::{
    is_self_attribute, is_super_init, literal_kind, PythonState, Refusal, StateKind, StateTarget,
    StateUse,
};
use crate::semantic::builtins::is_tf_base;
use crate::semantic::state_index::{Index, Occurrence};
use crate::semantic::{ClassId, FunctionId, SemanticModel};

pub(super) struct Analysis<'m, 'a> {
    pub(super) model: &'m SemanticModel<'a>,
    /// The module's tables, built once and shared by every analysis of it.
    pub(super) index: &'m Index<'a>,
    /// Functions supposed to run under `tf.function` in this analysis,
    /// besides those that do.
    pub(super) also_in_graph: HashSet<FunctionId>,
    /// A function supposed to be decorated with `@tf.function` in this
    /// analysis, besides those that are.
    pub(super) also_decorated: Option<FunctionId>,
}

impl<'m, 'a> Analysis<'m, 'a> {
    pub(super) fn new(model: &'m SemanticModel<'a>, also_in_graph: HashSet<FunctionId>) -> Self {
        let index = model.state_index();
        Self {
            model,
            index,
            also_in_graph,
            also_decorated: None,
        }
    }

    /// Whether function `id` is decorated with `@tf.function` in this
    /// analysis: what it returns reaches its callers as tensors.
    pub(super) fn decorated(&self, id: FunctionId) -> bool {
        matches!(
            self.model.functions[id].graph,
            Some(crate::semantic::GraphOrigin::Decorator(_))
        ) || self.also_decorated == Some(id)
    }

    /// Whether function `id` runs under `tf.function` in this analysis.
    pub(super) fn in_graph(&self, id: FunctionId) -> bool {
        self.model.runs_under_graph(id) || self.also_in_graph.contains(&id)
    }

    /// The states of `candidates`, each with its first write in graph code
    /// (function, position among its writes, statement), in the order of
    /// those writes; a candidate that is not numeric state is left out.
    pub(super) fn states<'t>(
        &self,
        candidates: impl IntoIterator<Item = (&'t StateTarget, (FunctionId, usize, TextRange))>,
    ) -> Vec<PythonState<'a>> {
        let mut candidates: Vec<_> = candidates.into_iter().collect();
        candidates.sort_by_key(|&(_, (function, at, _))| (function, at));
        candidates
            .into_iter()
            .filter_map(|(target, (function, _, range))| {
                self.state(target.clone(), function, range)
            })
            .collect()
    }

    pub(super) fn state(
        &self,
        target: StateTarget,
        function: FunctionId,
        range: TextRange,
    ) -> Option<PythonState<'a>> {
        let mut state = PythonState {
            target,
            kind: None,
            graph_write: (function, range),
            uses: Vec::new(),
            refusal: None,
        };
        let init = match &state.target {
            StateTarget::Attribute { family, name } => self.attribute_init(family, name),
            StateTarget::Global { name } => self.global_init(name),
        };
        let init = match init {
            Ok(init) => init,
            Err(refusal) => {
                // State that is not a number (a list, a tensor, `None`) is
                // not numeric state: nothing to report.
                let refusal = refusal?;
                state.refusal = Some(refusal);
                return Some(state);
            }
        };
        let (init_stmt, init_value, kind) = init;
        state.kind = Some(kind);
        state.uses.push(StateUse::Init { value: init_value });
        if let Some(refusal) = self.escapes_by_name(&state.target) {
            state.refusal = Some(refusal);
            return Some(state);
        }
        let (model, index) = (self.model, self.index);
        let occurrences: Vec<(&Occurrence<'a>, Option<String>)> = match &state.target {
            StateTarget::Attribute { family, name } => {
                index.attribute_occurrences(model, family, name)
            }
            StateTarget::Global { name } => index
                .global_occurrences(model, name)
                .into_iter()
                .map(|occurrence| (occurrence, None))
                .collect(),
        };
        for (occurrence, foreign) in occurrences {
            let classified = self.classify(
                occurrence,
                foreign,
                &state.target,
                kind,
                init_stmt,
                &mut state.uses,
            );
            if let Err(refusal) = classified {
                state.refusal = Some(refusal);
                return Some(state);
            }
        }
        if let StateTarget::Global { name } = &state.target {
            for (stmt, function) in index.global_decls(model, name) {
                if index.function_binds(model, *function, name, false) {
                    // Something other than a rewritten write still binds it.
                    state.refusal = Some(Refusal {
                        offset: stmt.start(),
                        reason: format!(
                            "is bound in `{}` in a way the analysis does not rewrite",
                            self.model.functions[*function].qualified_name
                        ),
                    });
                    return Some(state);
                }
                state.uses.push(StateUse::GlobalDecl { stmt });
            }
        }
        Some(state)
    }

    /// The single `self.<name> = <literal>` in an `__init__` of the family.
    /// `Err(None)`: not numeric state at all; `Err(Some(_))`: numeric state
    /// that cannot be rewritten.
    #[allow(clippy::type_complexity)]
    pub(super) fn attribute_init(
        &self,
        family: &[ClassId],
        name: &str,
    ) -> Result<(&'a Stmt, &'a Expr, StateKind), Option<Refusal>> {
        let mut literal_init = None;
        let mut other_init: Option<TextSize> = None;
        let mut numeric_anywhere = false;
        for &class in family {
            for (method_name, &method) in &self.model.classes[class].methods {
                let def = self.model.functions[method].def;
                let Some((self_name, _)) = self.index.self_binding(method) else {
                    continue;
                };
                for &(target, stmt) in self.index.own_writes(self.model, method) {
                    if !is_self_attribute(target, self_name, name) {
                        continue;
                    }
                    let value = match stmt {
                        Stmt::Assign(assign) => Some(assign.value.as_ref()),
                        _ => None,
                    };
                    let kind = value.and_then(literal_kind);
                    numeric_anywhere |= kind.is_some();
                    if method_name != "__init__" {
                        continue;
                    }
                    let top_level = def.body.iter().any(|s| std::ptr::eq(s, stmt));
                    match (kind, top_level, literal_init) {
                        (Some(kind), true, None) => {
                            literal_init = Some((stmt, value.unwrap_or(target), kind, method));
                        }
                        _ => {
                            other_init.get_or_insert(stmt.start());
                        }
                    }
                }
            }
        }
        if !numeric_anywhere {
            return Err(None);
        }
        for &class in family {
            for base in &self.model.classes[class].bases {
                let in_module = self.index.defines_class(self.model, base);
                if !in_module && base != "object" && !is_tf_base(base) {
                    return Err(Some(Refusal {
                        offset: self.model.classes[class].def.start(),
                        reason: format!(
                            "may also be used by `{base}`, a base class defined elsewhere"
                        ),
                    }));
                }
            }
        }
        match (literal_init, other_init) {
            (Some((stmt, value, kind, method)), None) => {
                self.check_after_super_init(stmt, method)?;
                Ok((stmt, value, kind))
            }
            (_, Some(offset)) => Err(Some(Refusal {
                offset,
                reason: "is set more than once, or conditionally, in `__init__`".to_string(),
            })),
            (None, None) => Err(Some(Refusal {
                offset: TextSize::default(),
                reason: "is not initialised with a number or boolean in `__init__`".to_string(),
            })),
        }
    }

    /// Keras layers track variables only after `super().__init__()`; a
    /// variable created before it (in `method`) would raise.
    pub(super) fn check_after_super_init(
        &self,
        init: &'a Stmt,
        method: FunctionId,
    ) -> Result<(), Option<Refusal>> {
        let body = &self.model.functions[method].def.body;
        let later_super = body
            .iter()
            .filter(|s| s.start() > init.start())
            .any(|s| matches!(s, Stmt::Expr(e) if is_super_init(&e.value)));
        if later_super {
            return Err(Some(Refusal {
                offset: init.start(),
                reason: "is initialised before `super().__init__()`, where a variable cannot be created yet".to_string(),
            }));
        }
        Ok(())
    }

    /// The module-level `<name> = <literal>`, the only module-level binding
    /// of the name.
    #[allow(clippy::type_complexity)]
    pub(super) fn global_init(
        &self,
        name: &str,
    ) -> Result<(&'a Stmt, &'a Expr, StateKind), Option<Refusal>> {
        let (model, index) = (self.model, self.index);
        let Some((stmt, value)) = index.module_init(model, name) else {
            return Err(None);
        };
        let Some(kind) = literal_kind(value) else {
            return Err(None);
        };
        if let Some(other) = index
            .module_bindings(model, name)
            .iter()
            .find(|&&offset| offset != stmt.start())
        {
            return Err(Some(Refusal {
                offset: *other,
                reason: "is bound again at module level".to_string(),
            }));
        }
        if let Some((offset, class)) = index.class_binding(model, name) {
            return Err(Some(Refusal {
                offset,
                reason: format!(
                    "is also a class attribute of `{}`",
                    model.classes[class].qualified_name
                ),
            }));
        }
        Ok((stmt, value, kind))
    }

    /// State named in a string (`getattr(self, "count")`, `globals()["step"]`)
    /// or in a module that pickles or copies objects escapes the analysis.
    pub(super) fn escapes_by_name(&self, target: &StateTarget) -> Option<Refusal> {
        if let Some(offset) = self.index.named_in_string(self.model, target.name()) {
            return Some(Refusal {
                offset,
                reason: "is named in a string (`getattr`, `setattr`, `globals()`), which the analysis cannot follow".to_string(),
            });
        }
        let copies = ["pickle", "copy", "dill", "cloudpickle", "joblib", "shelve"]
            .iter()
            .find(|module| self.model.imports.is_bound(module));
        copies.map(|module| Refusal {
            offset: TextSize::default(),
            reason: format!(
                "may be pickled or copied (the module imports `{module}`); a `tf.Variable` does not pickle like a number"
            ),
        })
    }
}
