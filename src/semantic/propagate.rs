//! Effects through the call graph: the summaries of one run (one module, or
//! every module of a project) are joined into one graph; calls between
//! modules are resolved by qualified name; parameter kinds are joined over
//! call sites; effects flow from callees to callers, component by component
//! (recursion is a component with a cycle). The result is a
//! [`FunctionFacts`] per function — what codemods decide on.

use rustc_hash::FxHashMap as HashMap;
use std::sync::Arc;

use super::callgraph::strongly_connected_components;
use super::effects::{Callee, Effect, ParamRule};
use super::kinds::ParamKind;
use super::summary::{CallSummary, LineCulprit, ModuleSummary};
use crate::names::concat;

/// What is known about one function after propagation. Descriptions are
/// phrases completing "`f` ...", with line numbers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct FunctionFacts {
    /// The first culprit of each effect, own or through callees.
    pub effects: Vec<(Effect, EffectWhy)>,
    pub generator: Option<String>,
    pub recursion: Option<String>,
    pub iterates_tensor: Option<String>,
    /// Every parameter (`self` excluded) and its kind joined over call sites.
    pub params: Vec<(String, ParamKind)>,
    /// How many call sites in the run call it.
    pub call_sites: usize,
    /// Where it is called inside a loop ("line 40", "line 3 of train.py").
    pub loop_call: Option<String>,
    /// Its first call site at module level: the line, and the file when it
    /// is not the function's own.
    pub module_call: Option<(u32, Option<Arc<str>>)>,
    /// Whether it runs under `tf.function` itself or through a caller.
    pub under_graph: bool,
    /// When every call site is in a graph function: one of them.
    pub graph_callers_only: Option<String>,
    /// Whether it computes with (or calls methods of) a parameter whose kind
    /// is unknown: tensor work, if a tensor is passed.
    pub param_tensor_work: bool,
}

impl FunctionFacts {
    pub fn effect(&self, effect: Effect) -> Option<&EffectWhy> {
        self.effects
            .iter()
            .find(|(e, _)| *e == effect)
            .map(|(_, why)| why)
    }
}

/// Why a function has an effect: the culprit, where it is, and the first
/// call on the way to it. It is put into words only when displayed, so the
/// facts of every function in a large run hold no formatted text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EffectWhy {
    culprit: Arc<LineCulprit>,
    /// The culprit's file, when it is not the function's own.
    path: Option<Arc<str>>,
    /// The call that leads to the culprit: callee, line, and the function
    /// whose body has the culprit when that is not the callee.
    hop: Option<(Arc<str>, u32, Option<Arc<str>>)>,
}

impl std::fmt::Display for EffectWhy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let culprit = &self.culprit;
        if let Some((callee, line, through)) = &self.hop {
            write!(f, "calls `{callee}` at line {line}, which ")?;
            if let Some(origin) = through {
                write!(f, "(through `{origin}`) ")?;
            }
        }
        write!(f, "{} at line {}", culprit.what, culprit.line)?;
        if let Some(path) = &self.path {
            write!(f, " of {path}")?;
        }
        Ok(())
    }
}

/// A culprit as it travels up the call graph.
#[derive(Debug, Clone)]
struct Trace {
    effect: Effect,
    /// The node whose own body has the culprit.
    origin: usize,
    culprit: Arc<LineCulprit>,
    /// The first call on the way: (callee node, line of the call).
    hop: Option<(usize, u32)>,
}

struct Node<'s> {
    module: usize,
    summary: &'s super::summary::FunctionSummary,
}

/// Propagates effects over `modules`; returns facts per module, per function
/// (in summary order).
pub fn propagate(modules: &[ModuleSummary]) -> Vec<Vec<FunctionFacts>> {
    let propagation = Propagation::new(modules);
    (0..modules.len())
        .map(|m| propagation.module_facts(m))
        .collect()
}

/// Effects propagated over the modules of a run, from which each module's
/// [`FunctionFacts`] are put together on demand: a large run never holds
/// the facts of every function at once.
pub struct Propagation<'s> {
    modules: &'s [ModuleSummary],
    nodes: Vec<Node<'s>>,
    first_node: Vec<usize>,
    traces: Vec<Vec<Trace>>,
    recursion: Vec<Option<String>>,
    iterates_tensor: Vec<Option<String>>,
    param_tensor_work: Vec<bool>,
    params: Vec<Vec<ParamKind>>,
    call_sites: Vec<usize>,
    module_sites: Vec<usize>,
    loop_call: Vec<Option<(usize, u32)>>,
    module_call: Vec<Option<(usize, u32)>>,
    callers: Vec<Vec<usize>>,
    under_graph: Vec<bool>,
    /// Each function's name, shared by the words of every `EffectWhy`;
    /// made when first needed.
    names: Vec<std::sync::OnceLock<Arc<str>>>,
    paths: Vec<Arc<str>>,
}

impl<'s> Propagation<'s> {
    pub fn new(modules: &'s [ModuleSummary]) -> Self {
        propagate_effects(modules)
    }

    /// The facts of module `m`'s functions, in summary order.
    pub fn module_facts(&self, m: usize) -> Vec<FunctionFacts> {
        let count = self.modules[m].functions.len();
        (self.first_node[m]..self.first_node[m] + count)
            .map(|v| self.facts(v))
            .collect()
    }

    fn name(&self, v: usize) -> Arc<str> {
        self.names[v]
            .get_or_init(|| Arc::from(self.nodes[v].summary.qualified_name.as_str()))
            .clone()
    }

    fn facts(&self, v: usize) -> FunctionFacts {
        let node = &self.nodes[v];
        let mut effects: Vec<(Effect, EffectWhy)> = self.traces[v]
            .iter()
            .map(|trace| {
                (
                    trace.effect,
                    describe(trace, v, &self.nodes, &|w| self.name(w), &self.paths),
                )
            })
            .collect();
        effects.sort_by_key(|(effect, _)| *effect);
        let callers = &self.callers[v];
        let graph_callers_only = (self.module_sites[v] == 0
            && !callers.is_empty()
            && callers.iter().all(|&c| self.under_graph[c]))
        .then(|| self.nodes[callers[0]].summary.qualified_name.clone());
        FunctionFacts {
            effects,
            generator: node
                .summary
                .generator
                .map(|line| format!("is a generator (`yield` at line {line})")),
            recursion: self.recursion[v].clone(),
            iterates_tensor: self.iterates_tensor[v].clone(),
            params: node
                .summary
                .params
                .iter()
                .cloned()
                .zip(self.params[v].iter().cloned())
                .collect(),
            call_sites: self.call_sites[v],
            loop_call: self.loop_call[v].map(|(module, line)| {
                if module == node.module {
                    format!("line {line}")
                } else {
                    format!("line {line} of {}", self.modules[module].path)
                }
            }),
            module_call: self.module_call[v].map(|(module, line)| {
                (
                    line,
                    (module != node.module).then(|| self.paths[module].clone()),
                )
            }),
            under_graph: self.under_graph[v],
            graph_callers_only,
            param_tensor_work: self.param_tensor_work[v],
        }
    }
}

fn propagate_effects<'s>(modules: &'s [ModuleSummary]) -> Propagation<'s> {
    let mut nodes = Vec::new();
    let mut first_node = Vec::with_capacity(modules.len());
    for (m, module) in modules.iter().enumerate() {
        first_node.push(nodes.len());
        nodes.extend(
            module
                .functions
                .iter()
                .map(|summary| Node { module: m, summary }),
        );
    }
    let by_name = NameTable::new(modules, &first_node);
    // Every call's target, module by module (in parallel over a run); the
    // same external name is called from many places: looked up once per
    // module.
    // Per module: the targets of each function's calls, and of its
    // module-level calls.
    type Targets = (Vec<Vec<Option<usize>>>, Vec<Option<usize>>);
    let resolve_module = |m: usize| -> Targets {
        let mut external: HashMap<&'s str, Option<usize>> = HashMap::default();
        let mut resolve = |call: &'s CallSummary| -> Option<usize> {
            match &call.callee {
                Callee::Local(id) => Some(first_node[m] + id),
                // A module alone (its summary not yet named) resolves no name.
                Callee::External(_) if by_name.modules.is_empty() => None,
                Callee::External(name) => *external
                    .entry(name.as_str())
                    .or_insert_with(|| by_name.get(name, &modules[m].path)),
            }
        };
        let functions = modules[m]
            .functions
            .iter()
            .map(|f| f.calls.iter().map(&mut resolve).collect())
            .collect();
        let module_calls = modules[m].module_calls.iter().map(&mut resolve).collect();
        (functions, module_calls)
    };
    let targets: Vec<Targets> = if modules.len() > 1 {
        use rayon::prelude::*;
        (0..modules.len())
            .into_par_iter()
            .map(resolve_module)
            .collect()
    } else {
        (0..modules.len()).map(resolve_module).collect()
    };

    // Edges, unresolved calls, and parameter kinds from every call site.
    let n = nodes.len();
    let mut edges: Vec<Vec<(usize, u32)>> = nodes
        .iter()
        .map(|node| Vec::with_capacity(node.summary.calls.len()))
        .collect();
    // The first call that resolves to no function: its line and callee.
    let mut unresolved: Vec<Option<(u32, &str)>> = vec![None; n];
    let mut params: Vec<Vec<Option<ParamKind>>> = nodes
        .iter()
        .map(|node| vec![None; node.summary.params.len()])
        .collect();
    let mut call_sites = vec![0usize; n];
    let mut module_sites = vec![0usize; n];
    let mut loop_call: Vec<Option<(usize, u32)>> = vec![None; n];
    let mut module_call: Vec<Option<(usize, u32)>> = vec![None; n];
    let mut callers: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut record_site = |caller: Option<usize>,
                           module: usize,
                           target: usize,
                           call: &CallSummary,
                           params: &mut Vec<Vec<Option<ParamKind>>>| {
        call_sites[target] += 1;
        match caller {
            Some(caller) => callers[target].push(caller),
            None => {
                module_sites[target] += 1;
                module_call[target].get_or_insert((module, call.line));
            }
        }
        if call.in_loop && loop_call[target].is_none() {
            loop_call[target] = Some((module, call.line));
        }
        join_arguments(&nodes[target], call, &mut params[target]);
    };
    for (v, node) in nodes.iter().enumerate() {
        let resolved = &targets[node.module].0[v - first_node[node.module]];
        for (call, &target) in node.summary.calls.iter().zip(resolved) {
            match target {
                Some(target) => {
                    edges[v].push((target, call.line));
                    record_site(Some(v), node.module, target, call, &mut params);
                }
                None => {
                    if unresolved[v].is_none() {
                        if let Callee::External(name) = &call.callee {
                            unresolved[v] = Some((call.line, name.as_str()));
                        }
                    }
                }
            }
        }
    }
    for (m, module) in modules.iter().enumerate() {
        for (call, &target) in module.module_calls.iter().zip(&targets[m].1) {
            if let Some(target) = target {
                record_site(None, m, target, call, &mut params);
            }
        }
    }
    drop(targets);
    let params: Vec<Vec<ParamKind>> = params
        .into_iter()
        .map(|kinds| {
            kinds
                .into_iter()
                .map(|k| k.unwrap_or(ParamKind::Unknown))
                .collect()
        })
        .collect();

    // Direct effects, with the conditional ones decided by parameter kinds.
    let mut traces: Vec<Vec<Trace>> = vec![Vec::new(); n];
    let mut iterates_tensor: Vec<Option<String>> = vec![None; n];
    let mut param_tensor_work = vec![false; n];
    let mut scratch: Vec<Trace> = Vec::new();
    for (v, node) in nodes.iter().enumerate() {
        // The first culprit of each effect is kept: own culprits, then the
        // first unresolved call, then conditionals; the words of the others
        // are never written.
        let own = &mut scratch;
        own.clear();
        let mut keep = |effect: Effect, culprit: &dyn Fn() -> LineCulprit| {
            if own.iter().all(|t| t.effect != effect) {
                own.push(Trace {
                    effect,
                    origin: v,
                    culprit: Arc::new(culprit()),
                    hop: None,
                });
            }
        };
        for culprit in &node.summary.culprits {
            keep(culprit.effect, &|| culprit.clone());
        }
        if let Some((line, name)) = unresolved[v] {
            keep(Effect::UnknownCallee, &|| LineCulprit {
                effect: Effect::UnknownCallee,
                line,
                what: concat(&["calls `", name, "`"]),
            });
        }
        for conditional in &node.summary.conditionals {
            let Some(kind) = params[v].get(conditional.param) else {
                continue;
            };
            if matches!(kind, ParamKind::Unknown)
                && matches!(
                    conditional.rule,
                    ParamRule::TensorIfTensor | ParamRule::MethodCall
                )
            {
                param_tensor_work[v] = true;
            }
            let effect = match conditional.rule {
                ParamRule::TensorIfTensor => kind.is_tensor().then_some(Effect::TensorComputation),
                ParamRule::EagerIfMaybeTensor => kind.may_be_tensor().then_some(Effect::EagerOnly),
                ParamRule::MethodCall => match kind {
                    ParamKind::Tensor(_) => Some(Effect::TensorComputation),
                    ParamKind::Primitive { .. } => None,
                    ParamKind::Other(_) | ParamKind::Unknown => Some(Effect::UnknownCallee),
                },
                ParamRule::IteratesIfTensor => {
                    if kind.is_tensor() && iterates_tensor[v].is_none() {
                        iterates_tensor[v] =
                            Some(format!("{} at line {}", conditional.what, conditional.line));
                    }
                    None
                }
            };
            let Some(effect) = effect else { continue };
            keep(effect, &|| {
                let what = match conditional.rule {
                    ParamRule::MethodCall => concat(&["calls `", &conditional.what, "`"]),
                    _ => conditional.what.clone(),
                };
                LineCulprit {
                    effect,
                    line: conditional.line,
                    what,
                }
            });
        }
        // Most functions have one or two effects: no room for four.
        let mut kept = Vec::with_capacity(scratch.len());
        kept.append(&mut scratch);
        traces[v] = kept;
    }

    // Effects flow from callees to callers, one component at a time.
    let plain_edges: Vec<Vec<usize>> = edges
        .iter()
        .map(|e| e.iter().map(|&(w, _)| w).collect())
        .collect();
    let components = strongly_connected_components(&plain_edges);
    drop(plain_edges);
    let mut recursion: Vec<Option<String>> = vec![None; n];
    let mut component_of = vec![0usize; n];
    for (c, component) in components.iter().enumerate() {
        for &v in component {
            component_of[v] = c;
        }
    }
    let name = |w: usize| -> &str { &nodes[w].summary.qualified_name };
    for (c, component) in components.iter().enumerate() {
        for &v in component {
            for &(w, line) in &edges[v] {
                if component_of[w] == c && recursion[v].is_none() {
                    recursion[v] = Some(if w == v {
                        format!("calls itself at line {line}")
                    } else {
                        format!(
                            "calls `{}` at line {line}, which calls back into it",
                            name(w)
                        )
                    });
                }
            }
        }
        for &v in component {
            if recursion[v].is_some() {
                continue;
            }
            if let Some(&(w, line)) = edges[v].iter().find(|&&(w, _)| recursion[w].is_some()) {
                recursion[v] = Some(format!("calls the recursive `{}` at line {line}", name(w)));
            }
        }
        // Within a component, repeat until nothing new arrives.
        for _ in 0..=component.len() {
            let mut changed = false;
            for &v in component {
                for &(w, line) in &edges[v] {
                    if w == v {
                        continue;
                    }
                    let incoming: Vec<Trace> = traces[w]
                        .iter()
                        .filter(|t| traces[v].iter().all(|own| own.effect != t.effect))
                        .map(|t| Trace {
                            hop: Some((w, line)),
                            ..t.clone()
                        })
                        .collect();
                    if !incoming.is_empty() {
                        changed = true;
                        traces[v].reserve_exact(incoming.len());
                        traces[v].extend(incoming);
                    }
                }
            }
            if !changed {
                break;
            }
        }
    }

    // Which functions run under a graph function.
    let mut under_graph = vec![false; n];
    let mut stack: Vec<usize> = (0..n).filter(|&v| nodes[v].summary.graph).collect();
    while let Some(v) = stack.pop() {
        if std::mem::replace(&mut under_graph[v], true) {
            continue;
        }
        stack.extend(edges[v].iter().map(|&(w, _)| w));
    }

    // Shared names for the words of every `EffectWhy`.
    let names = (0..n).map(|_| std::sync::OnceLock::new()).collect();
    let paths: Vec<Arc<str>> = modules.iter().map(|m| Arc::from(m.path.as_str())).collect();
    drop(by_name);
    Propagation {
        modules,
        nodes,
        first_node,
        traces,
        recursion,
        iterates_tensor,
        param_tensor_work,
        params,
        call_sites,
        module_sites,
        loop_call,
        module_call,
        callers,
        under_graph,
        names,
        paths,
    }
}

/// Qualified name (`pkg.mod.f`, `mod.Model.call`) → node, for every name a
/// module could be imported as; `None` when two modules claim the name.
/// Project functions by the dotted names calls use (`pkg.mod.f`,
/// `mod.Class.method`), borrowing the summaries' own strings. A name that
/// could mean more than one function resolves to none.
struct NameTable<'s> {
    summaries: &'s [ModuleSummary],
    /// Every name a module can be imported as → the modules it may be.
    modules: HashMap<&'s str, Vec<usize>>,
    /// Per module: qualified name → node (`None` when defined twice).
    functions: Vec<HashMap<&'s str, Option<usize>>>,
}

impl<'s> NameTable<'s> {
    fn new(modules: &'s [ModuleSummary], first_node: &[usize]) -> Self {
        let mut by_module: HashMap<&'s str, Vec<usize>> = HashMap::default();
        for (m, module) in modules.iter().enumerate() {
            for name in &module.names {
                by_module.entry(name.as_str()).or_default().push(m);
            }
        }
        if by_module.is_empty() {
            // No name leads to a module: the functions are never looked up.
            return Self {
                summaries: modules,
                modules: by_module,
                functions: Vec::new(),
            };
        }
        let mut functions = Vec::with_capacity(modules.len());
        for (m, module) in modules.iter().enumerate() {
            let mut table: HashMap<&'s str, Option<usize>> = HashMap::default();
            for (f, function) in module.functions.iter().enumerate() {
                table
                    .entry(function.qualified_name.as_str())
                    .and_modify(|slot| *slot = None)
                    .or_insert(Some(first_node[m] + f));
            }
            functions.push(table);
        }
        Self {
            summaries: modules,
            modules: by_module,
            functions,
        }
    }

    /// The function `name` means in `importer` (a path), if exactly one.
    fn get(&self, name: &str, importer: &str) -> Option<usize> {
        let mut found = None;
        let mut matches = 0;
        for (parts, (dot, _)) in name.match_indices('.').enumerate() {
            let Some(candidates) = self.modules.get(&name[..dot]) else {
                continue;
            };
            for &module in candidates {
                if !self.summaries[module].importable_as(parts + 1, importer) {
                    continue;
                }
                match self.functions[module].get(&name[dot + 1..]) {
                    Some(Some(node)) => {
                        matches += 1;
                        found = Some(*node);
                    }
                    Some(None) => matches += 2,
                    None => {}
                }
            }
        }
        if matches == 1 {
            found
        } else {
            None
        }
    }
}

fn join_arguments(target: &Node, call: &CallSummary, params: &mut [Option<ParamKind>]) {
    let join = |slot: &mut Option<ParamKind>, kind: &ParamKind| {
        *slot = Some(match slot.take() {
            Some(previous) => previous.join(kind),
            None => kind.clone(),
        });
    };
    // An unbound call of a method passes `self` first.
    let skip = usize::from(target.summary.has_self && !call.bound);
    if call.args.iter().any(Option::is_none) {
        for slot in params.iter_mut() {
            join(slot, &ParamKind::Unknown);
        }
        return;
    }
    for (i, arg) in call.args.iter().enumerate().skip(skip) {
        if let (Some(slot), Some(kind)) = (params.get_mut(i - skip), arg) {
            join(slot, kind);
        }
    }
    for (keyword, kind) in &call.keywords {
        if let Some(i) = target.summary.params.iter().position(|p| p == keyword) {
            join(&mut params[i], kind);
        }
    }
}

fn describe(
    trace: &Trace,
    v: usize,
    nodes: &[Node],
    name: &dyn Fn(usize) -> Arc<str>,
    paths: &[Arc<str>],
) -> EffectWhy {
    let origin = &nodes[trace.origin];
    EffectWhy {
        culprit: trace.culprit.clone(),
        path: (origin.module != nodes[v].module).then(|| paths[origin.module].clone()),
        hop: trace.hop.map(|(callee, line)| {
            let through = (callee != trace.origin).then(|| name(trace.origin));
            (name(callee), line, through)
        }),
    }
}
