//! Effects through the call graph: the summaries of one run (one module, or
//! every module of a project) are joined into one graph; calls between
//! modules are resolved by qualified name; parameter kinds are joined over
//! call sites; effects flow from callees to callers, component by component
//! (recursion is a component with a cycle). The result is a
//! [`FunctionFacts`] per function — what codemods decide on.

use rustc_hash::FxHashMap as HashMap;
use std::sync::Arc;

use super::callgraph::strongly_connected_components;
use super::name_table::{param_call_target, NameTable};
use super::summary::{CallSummary, FunctionSummary, LineConditional, ModuleSummary};
use crate::names::{concat, last_segment};
use crate::semantic::effects::{Callee, Effect, ParamRule};
use crate::semantic::facts::{EffectWhy, FunctionFacts, LineCulprit};
use crate::semantic::kinds::{ObjectCall, ParamKind};
use rayon::prelude::*;

/// A call site that resolves to a function of the run.
#[derive(Clone, Copy)]
struct Site<'s> {
    /// The calling function's node; [`Site::MODULE_LEVEL`] at module level.
    /// (Node and module numbers are `u32` here: a large run holds every
    /// site at once, and narrower numbers keep each site small.)
    caller: u32,
    module: u32,
    call: &'s CallSummary,
}

impl Site<'_> {
    const MODULE_LEVEL: u32 = u32::MAX;
}

/// One module's calls, resolved: per function (in summary order) its edges
/// and its first unresolved call, and the sites of calls that resolve, by
/// callee, from functions and from module level.
#[derive(Default)]
struct ModuleSites<'s> {
    edges: Vec<Vec<(usize, u32)>>,
    /// Per function: the targets of the calls whose results it returns.
    returned_calls: Vec<Vec<(Option<usize>, u32)>>,
    unresolved: Vec<Option<(u32, &'s str)>>,
    function_sites: Vec<(u32, Site<'s>)>,
    module_sites: Vec<(u32, Site<'s>)>,
}

/// What the call sites of one function tell.
#[derive(Default)]
struct CalleeSites {
    call_sites: usize,
    module_sites: usize,
    callers: Vec<usize>,
    loop_call: Option<(usize, u32)>,
    /// The callers that run it once per step (in a loop), and whether
    /// module-level code does.
    loop_callers: Vec<usize>,
    module_loop: bool,
    module_call: Option<(usize, u32)>,
    params: Vec<ParamKind>,
    /// For a graph function, per parameter: whether the call sites that
    /// pass tensors of known shape pass different sizes.
    shapes_vary: Vec<bool>,
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
    summary: &'s FunctionSummary,
}

/// Propagates effects over `modules`; returns facts per module, per function
/// (in summary order).
pub fn propagate(modules: &[ModuleSummary]) -> Vec<Vec<FunctionFacts>> {
    let propagation = propagate_effects(modules);
    (0..modules.len())
        .map(|m| propagation.module_facts(m))
        .collect()
}

/// A graph function whose decorator only its eager callers keep from
/// being redundant ([`Propagation::redundant_once_decorated`]).
#[derive(Debug, Clone)]
pub struct OnceDecorated {
    /// The graph function: its module and index in the module's summary.
    pub module: usize,
    pub function: usize,
    /// Its callers that are not graph functions: module, qualified name.
    pub callers: Vec<(usize, String)>,
}

/// How a function runs and is called in the whole run (see
/// [`Propagation::call_shape`]).
#[derive(Debug, Clone, Copy)]
pub struct CallShape {
    /// It runs under `tf.function` itself or through a caller.
    pub under_graph: bool,
    /// It is called inside a loop.
    pub called_in_loop: bool,
    /// It is called exactly once, and that at module level.
    pub called_once_at_module_level: bool,
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
    /// Per function, whether it is on a cycle of calls itself.
    cycle: Vec<bool>,
    iterates_tensor: Vec<Option<String>>,
    param_tensor_work: Vec<bool>,
    sites: Vec<CalleeSites>,
    under_graph: Vec<bool>,
    /// Per function, a graph function it runs in a loop of its own (calls
    /// there, or a callee it calls there runs).
    loop_graph: Vec<Option<usize>>,
    /// What each function returns, through the calls whose results it
    /// returns.
    returns: Vec<Returns>,
    /// Each function's name, shared by the words of every `EffectWhy`;
    /// made when first needed.
    names: Vec<std::sync::OnceLock<Arc<str>>>,
    paths: Vec<Arc<str>>,
    /// Every pair of modules (caller, callee) that a resolved call, or a
    /// call through a parameter, links: what a run after an edit reads to
    /// tell which modules an edit can reach.
    links: Vec<(u32, u32)>,
}

impl<'s> Propagation<'s> {
    pub fn new(modules: &'s [ModuleSummary]) -> Self {
        propagate_effects(modules)
    }

    /// The pairs of distinct modules (caller, callee) that a resolved call
    /// or a call through a parameter links, sorted, each once.
    pub fn links(&self) -> &[(u32, u32)] {
        &self.links
    }

    /// Graph functions whose decorator becomes redundant (HY020) once some
    /// eager callers of theirs are decorated (HY001): every caller is a
    /// function, and every one that is not a graph function is one of
    /// those. Few in any run; the second look decides with the callers'
    /// findings.
    pub fn redundant_once_decorated(&self) -> Vec<OnceDecorated> {
        (0..self.nodes.len())
            .filter(|&v| self.nodes[v].summary.graph)
            .filter_map(|v| {
                let sites = &self.sites[v];
                if sites.module_sites != 0 || sites.callers.is_empty() {
                    return None;
                }
                let mut eager: Vec<(usize, String)> = sites
                    .callers
                    .iter()
                    .filter(|&&c| !self.nodes[c].summary.graph)
                    .map(|&c| {
                        let node = &self.nodes[c];
                        (node.module, node.summary.qualified_name.clone())
                    })
                    .collect();
                eager.sort();
                eager.dedup();
                let module = self.nodes[v].module;
                (!eager.is_empty()).then(|| OnceDecorated {
                    module,
                    function: v - self.first_node[module],
                    callers: eager,
                })
            })
            .collect()
    }

    /// How many functions module `m` has.
    pub fn function_count(&self, m: usize) -> usize {
        self.modules[m].functions.len()
    }

    /// The facts of module `m`'s functions, in summary order.
    pub fn module_facts(&self, m: usize) -> Vec<FunctionFacts> {
        (0..self.function_count(m))
            .map(|f| self.function_facts(m, f))
            .collect()
    }

    /// The facts of function `f` of module `m` (in summary order).
    pub fn function_facts(&self, m: usize, f: usize) -> FunctionFacts {
        self.facts(self.first_node[m] + f)
    }

    /// How function `f` of module `m` runs and is called, read without
    /// putting its facts together: what decides whether a change of its
    /// facts can matter to a second look.
    pub fn call_shape(&self, m: usize, f: usize) -> CallShape {
        let v = self.first_node[m] + f;
        let sites = &self.sites[v];
        CallShape {
            under_graph: self.under_graph[v],
            called_in_loop: sites.loop_call.is_some(),
            called_once_at_module_level: sites.call_sites == 1 && sites.module_call.is_some(),
        }
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
        let sites = &self.sites[v];
        let callers = &sites.callers;
        let graph_callers_only = (sites.module_sites == 0
            && !callers.is_empty()
            && callers.iter().all(|&c| self.under_graph[c]))
        .then(|| self.nodes[callers[0]].summary.qualified_name.clone());
        let (returns_python, returns_unknown) = match &self.returns[v] {
            Returns::Tensors => (None, None),
            Returns::Python(why) => (Some(why.clone()), None),
            Returns::Unknown(line) => (None, Some(*line)),
        };
        let graph_function_callers_only = (sites.module_sites == 0
            && !callers.is_empty()
            && callers.iter().all(|&c| self.nodes[c].summary.graph))
        .then(|| self.nodes[callers[0]].summary.qualified_name.clone());
        let beside_graph = if sites.module_loop || sites.loop_callers.is_empty() {
            None
        } else {
            let graphs: Option<Vec<usize>> = sites
                .loop_callers
                .iter()
                .map(|&c| self.loop_graph[c].filter(|&g| g != v))
                .collect();
            graphs.map(|graphs| self.nodes[graphs[0]].summary.qualified_name.clone())
        };
        FunctionFacts {
            effects,
            generator: node
                .summary
                .generator
                .map(|line| format!("is a generator (`yield` at line {line})")),
            recursion: self.recursion[v].clone(),
            recursive_cycle: self.cycle[v],
            iterates_tensor: self.iterates_tensor[v].clone(),
            params: node
                .summary
                .params
                .iter()
                .cloned()
                .zip(sites.params.iter().cloned())
                .collect(),
            call_sites: sites.call_sites,
            loop_call: sites.loop_call.map(|(module, line)| {
                if module == node.module {
                    format!("line {line}")
                } else {
                    format!("line {line} of {}", self.modules[module].path)
                }
            }),
            module_call: sites.module_call.map(|(module, line)| {
                (
                    line,
                    (module != node.module).then(|| self.paths[module].clone()),
                )
            }),
            under_graph: self.under_graph[v],
            graph_callers_only,
            graph_function_callers_only,
            graph_callers_once_decorated: None,
            beside_graph,
            param_tensor_work: self.param_tensor_work[v],
            returns_python,
            returns_unknown,
            shapes_vary: sites.shapes_vary.clone(),
        }
    }
}

/// What a function gives back to its callers.
#[derive(Debug, Clone)]
enum Returns {
    /// Tensors, nests of tensors, `None`.
    Tensors,
    /// A Python value or an object that is no tensor: a phrase completing
    /// "`f` ...".
    Python(String),
    /// Something of unknown kind, first at this line.
    Unknown(u32),
}

impl Returns {
    /// What a function returns when it returns `self` or `other`.
    fn join(self, other: Returns) -> Returns {
        match (self, other) {
            (python @ Returns::Python(_), _) | (_, python @ Returns::Python(_)) => python,
            (Returns::Unknown(a), Returns::Unknown(b)) => Returns::Unknown(a.min(b)),
            (unknown @ Returns::Unknown(_), _) | (_, unknown @ Returns::Unknown(_)) => unknown,
            _ => Returns::Tensors,
        }
    }
}

/// What a function's own `return` statements give back, given its
/// parameters' kinds: a value computed from parameters is a Python value
/// when every one of them receives Python values, a tensor when one of them
/// receives tensors.
fn returns_facts(summary: &FunctionSummary, params: &[ParamKind]) -> Returns {
    let returns = &summary.returns;
    if let Some((line, what)) = returns.python {
        return Returns::Python(format!("returns {what} at line {line}"));
    }
    let mut unknown = returns.unknown;
    if let Some(line) = returns.params_at {
        let kinds: Vec<(&str, &ParamKind)> = (0..64)
            .filter(|bit| returns.params & (1 << bit) != 0)
            .filter_map(|bit| Some((summary.params.get(bit)?.as_str(), params.get(bit)?)))
            .collect();
        if kinds.iter().any(|(_, kind)| kind.is_tensor_like()) {
            // A tensor: what a graph function returns.
        } else if !kinds.is_empty()
            && kinds
                .iter()
                .all(|(_, kind)| matches!(kind, ParamKind::Primitive { .. }))
        {
            let names: Vec<String> = kinds.iter().map(|(name, _)| format!("`{name}`")).collect();
            return Returns::Python(format!(
                "returns a value computed from {} at line {line}, and every caller passes Python values",
                names.join(", ")
            ));
        } else {
            unknown = Some(unknown.map_or(line, |other| other.min(line)));
        }
    }
    unknown.map_or(Returns::Tensors, Returns::Unknown)
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
    let parallel = modules.len() > 1;
    let resolve_module = |m: usize| -> ModuleSites<'s> {
        let mut external: HashMap<&'s str, Option<usize>> = HashMap::default();
        let mut resolve = |call: &'s CallSummary| -> Option<usize> {
            match &call.callee {
                Callee::Local(id) => Some(first_node[m] + id),
                // A module alone (its summary not yet named) resolves no name.
                Callee::External(_) if by_name.is_empty() => None,
                Callee::External(name) => *external
                    .entry(name.as_str())
                    .or_insert_with(|| by_name.get(name, &modules[m].path)),
            }
        };
        let constructor = |call: &CallSummary, m: usize| -> Option<usize> {
            let Callee::External(name) = &call.callee else {
                return None;
            };
            if by_name.is_empty() || !last_segment(name).starts_with(char::is_uppercase) {
                return None;
            }
            by_name.get(&concat(&[name, ".__init__"]), &modules[m].path)
        };
        let mut out = ModuleSites::default();
        // Built here, kept at their size (most calls resolve to nothing).
        let mut edges = Vec::new();
        for (f, function) in modules[m].functions.iter().enumerate() {
            let v = first_node[m] + f;
            edges.clear();
            let mut unresolved = None;
            for call in &function.calls {
                match resolve(call) {
                    Some(target) => {
                        edges.push((target, call.line));
                        out.function_sites.push((
                            target as u32,
                            Site {
                                caller: v as u32,
                                module: m as u32,
                                call,
                            },
                        ));
                    }
                    None => {
                        if let (None, Callee::External(name)) = (unresolved, &call.callee) {
                            unresolved = Some((call.line, name.as_str()));
                        }
                        // `Trainer(...)` of a class of another module: what
                        // its constructor's parameters receive (for the
                        // attributes that store them), not an edge: what
                        // constructing does stays unknown, as before.
                        if let Some(init) = constructor(call, m) {
                            out.function_sites.push((
                                init as u32,
                                Site {
                                    caller: v as u32,
                                    module: m as u32,
                                    call,
                                },
                            ));
                        }
                    }
                }
            }
            out.edges.push(edges.to_vec());
            out.returned_calls.push(
                function
                    .returns
                    .calls
                    .iter()
                    .map(|&(index, line)| {
                        let call = function.calls.get(index as usize);
                        (call.and_then(&mut resolve), line)
                    })
                    .collect(),
            );
            out.unresolved.push(unresolved);
        }
        for call in &modules[m].module_calls {
            if let Some(target) = resolve(call).or_else(|| constructor(call, m)) {
                out.module_sites.push((
                    target as u32,
                    Site {
                        caller: Site::MODULE_LEVEL,
                        module: m as u32,
                        call,
                    },
                ));
            }
        }
        out
    };
    let resolved: Vec<ModuleSites> = if parallel {
        (0..modules.len())
            .into_par_iter()
            .map(resolve_module)
            .collect()
    } else {
        (0..modules.len()).map(resolve_module).collect()
    };

    // Edges and unresolved calls by caller; every call site by callee, in
    // the order of the run (function calls by caller, then module-level
    // calls by module), so that "the first" site is the same whatever the
    // threads did.
    let n = nodes.len();
    let mut edges: Vec<Vec<(usize, u32)>> = Vec::with_capacity(n);
    let mut unresolved: Vec<Option<(u32, &str)>> = Vec::with_capacity(n);
    let mut returned_calls: Vec<Vec<(Option<usize>, u32)>> = Vec::with_capacity(n);
    let mut counts = vec![0usize; n + 1];
    for module in &resolved {
        for &(target, _) in module.function_sites.iter().chain(&module.module_sites) {
            counts[target as usize + 1] += 1;
        }
    }
    for v in 0..n {
        counts[v + 1] += counts[v];
    }
    let mut next = counts.clone();
    let mut sites: Vec<Option<Site>> = vec![None; counts[n]];
    let mut module_sites_of = Vec::with_capacity(resolved.len());
    for module in resolved {
        edges.extend(module.edges);
        returned_calls.extend(module.returned_calls);
        unresolved.extend(module.unresolved);
        for (target, site) in module.function_sites {
            let target = target as usize;
            sites[next[target]] = Some(site);
            next[target] += 1;
        }
        module_sites_of.push(module.module_sites);
    }
    for module_sites in module_sites_of {
        for (target, site) in module_sites {
            let target = target as usize;
            sites[next[target]] = Some(site);
            next[target] += 1;
        }
    }
    drop(next);
    let sites: Vec<Site> = sites
        .into_iter()
        .map(|s| s.expect("every slot filled"))
        .collect();

    // Functions that run only while objects are set up or code is traced:
    // their loops are no per-step loops either.
    let quiet: Vec<bool> = nodes
        .iter()
        .map(|node| node.summary.setup_or_traced || node.summary.graph)
        .collect();
    let site_callers: Vec<u32> = sites.iter().map(|site| site.caller).collect();
    let traced =
        super::traced::reached_only_from(&quiet, &counts, &site_callers, Site::MODULE_LEVEL);
    drop(site_callers);

    // What the call sites of each function tell: how many, which callers,
    // the first in a loop and at module level, and the parameter kinds
    // joined over them.
    //
    // `known`: what the call sites of each function gave its parameters in
    // the previous round, for the arguments that pass a caller's parameter
    // on (none in the first round: such an argument is unknown).
    let callee_facts = |v: usize, known: Option<&[CalleeSites]>| -> CalleeSites {
        let here = &sites[counts[v]..counts[v + 1]];
        let mut params: Vec<Option<ParamKind>> = vec![None; nodes[v].summary.params.len()];
        // Evidence of retracing, for graph functions: the sizes that the
        // call sites passing known shapes disagree on (a call site passing
        // something unknown hides them from `params`).
        let mut shapes = nodes[v].summary.graph.then(|| params.clone());
        let module_level = here
            .iter()
            .filter(|site| site.caller == Site::MODULE_LEVEL)
            .count();
        let mut facts = CalleeSites {
            call_sites: here.len(),
            callers: Vec::with_capacity(here.len() - module_level),
            ..CalleeSites::default()
        };
        for site in here {
            let module = site.module as usize;
            if site.caller == Site::MODULE_LEVEL {
                facts.module_sites += 1;
                facts.module_call.get_or_insert((module, site.call.line));
            } else {
                facts.callers.push(site.caller as usize);
            }
            let per_step = site.caller == Site::MODULE_LEVEL
                || !(nodes[site.caller as usize].summary.setup_or_traced
                    || traced[site.caller as usize]);
            if site.call.in_loop && per_step {
                if facts.loop_call.is_none() {
                    facts.loop_call = Some((module, site.call.line));
                }
                if site.caller == Site::MODULE_LEVEL {
                    facts.module_loop = true;
                } else {
                    facts.loop_callers.push(site.caller as usize);
                }
            }
            let forwarded = known
                .filter(|_| site.caller != Site::MODULE_LEVEL && !site.call.forwarded.is_empty())
                .map(|known| forward(site.call, &known[site.caller as usize].params));
            let call = forwarded.as_ref().unwrap_or(site.call);
            join_arguments(&nodes[v], call, site.module, &mut params, |_| true);
            if let Some(shapes) = &mut shapes {
                join_arguments(&nodes[v], call, site.module, shapes, ParamKind::knows_shape);
            }
        }
        if let Some(shapes) = shapes {
            facts.shapes_vary = shapes
                .iter()
                .map(|kind| kind.as_ref().is_some_and(ParamKind::shape_varies))
                .collect();
        }
        facts.params = params
            .into_iter()
            .map(|k| k.unwrap_or(ParamKind::Unknown))
            .collect();
        facts
    };
    let mut by_callee: Vec<CalleeSites> = if parallel {
        (0..n)
            .into_par_iter()
            .map(|v| callee_facts(v, None))
            .collect()
    } else {
        (0..n).map(|v| callee_facts(v, None)).collect()
    };
    // Parameters passed on from caller to callee take, round by round, the
    // kinds the caller's own call sites give them. Each round starts from a
    // sound answer (an unknown kind for what is passed on) and stays one,
    // so stopping after a few rounds (a long chain, a recursive cycle) only
    // leaves some kinds less precise.
    // Only a function a caller passes a parameter on to is looked at
    // again, and only when that caller's kinds changed in the last round
    // (in the first, when they say more than "unknown").
    let forwarding: Vec<usize> = (0..n)
        .filter(|&v| {
            sites[counts[v]..counts[v + 1]]
                .iter()
                .any(|site| site.caller != Site::MODULE_LEVEL && !site.call.forwarded.is_empty())
        })
        .collect();
    let mut changed: Vec<bool> = vec![true; n];
    for _ in 0..FORWARDING_ROUNDS {
        let again: Vec<usize> = forwarding
            .iter()
            .copied()
            .filter(|&v| {
                sites[counts[v]..counts[v + 1]].iter().any(|site| {
                    site.caller != Site::MODULE_LEVEL
                        && changed[site.caller as usize]
                        && site.call.forwarded.iter().any(|&(_, param)| {
                            by_callee[site.caller as usize]
                                .params
                                .get(usize::from(param))
                                .is_some_and(|kind| !matches!(kind, ParamKind::Unknown))
                        })
                })
            })
            .collect();
        if again.is_empty() {
            break;
        }
        let next: Vec<CalleeSites> = if parallel {
            again
                .par_iter()
                .map(|&v| callee_facts(v, Some(&by_callee)))
                .collect()
        } else {
            again
                .iter()
                .map(|&v| callee_facts(v, Some(&by_callee)))
                .collect()
        };
        changed.iter_mut().for_each(|c| *c = false);
        for (&v, facts) in again.iter().zip(next) {
            changed[v] = facts.params != by_callee[v].params;
            by_callee[v] = facts;
        }
    }
    // Modules linked by a call (a run over one module has none).
    let mut links: Vec<(u32, u32)> = Vec::new();
    if parallel {
        for (target, here) in counts.windows(2).enumerate() {
            let callee = nodes[target].module as u32;
            links.extend(
                sites[here[0]..here[1]]
                    .iter()
                    .filter(|site| site.module != callee)
                    .map(|site| (site.module, callee)),
            );
        }
    }
    // The calls made in a loop of a function, as (caller, callee): where a
    // step runs graph work.
    let loop_calls: Vec<(usize, usize)> = (0..n)
        .flat_map(|v| {
            sites[counts[v]..counts[v + 1]]
                .iter()
                .filter(|site| site.call.in_loop && site.caller != Site::MODULE_LEVEL)
                .map(move |site| (site.caller as usize, v))
        })
        .collect();
    drop(sites);

    // What a conditional's parameter receives: the function's own, or its
    // class constructor's when an attribute stores it (`self.loss =
    // loss_fn`); unknown when the constructor is not found.
    let unknown = ParamKind::Unknown;
    let conditional_kind = |v: usize, conditional: &LineConditional| -> Option<&ParamKind> {
        if !conditional.of_constructor {
            return by_callee[v].params.get(conditional.param);
        }
        let name = &nodes[v].summary.qualified_name;
        let init = name.rsplit_once('.').and_then(|(class, _)| {
            by_name.in_module(nodes[v].module, &concat(&[class, ".__init__"]))
        });
        Some(
            init.and_then(|init| by_callee[init].params.get(conditional.param))
                .unwrap_or(&unknown),
        )
    };
    // Calls through parameters that receive instances of project classes
    // (`model(x)` where every caller passes a `Model` of the project) lead
    // to that class's method: edges of the call graph like any other.
    let param_edges = |v: usize| -> Vec<(usize, u32)> {
        nodes[v]
            .summary
            .conditionals
            .iter()
            .filter_map(|conditional| {
                let kind = conditional_kind(v, conditional)?;
                let target = param_call_target(kind, conditional, &by_name, modules)?;
                Some((target, conditional.line))
            })
            .collect()
    };
    let extra: Vec<Vec<(usize, u32)>> = if parallel {
        (0..n).into_par_iter().map(param_edges).collect()
    } else {
        (0..n).map(param_edges).collect()
    };
    for (v, extra) in extra.into_iter().enumerate() {
        if !extra.is_empty() {
            let caller = nodes[v].module as u32;
            links.extend(
                extra
                    .iter()
                    .map(|&(w, _)| (caller, nodes[w].module as u32))
                    .filter(|&(a, b)| a != b),
            );
            edges[v].extend(extra);
        }
    }
    links.sort_unstable();
    links.dedup();

    // Two independent pieces of work, side by side over a run: the direct
    // effects (in parallel, function by function), and the shape of the
    // call graph (components, recursion, what runs under a graph function;
    // serial). The graph's serial work does not wait for the direct
    // effects, nor they for it.
    let direct_effects = || {
        // Direct effects, with the conditional ones decided by parameter kinds.
        // The first culprit of each effect is kept: own culprits, then the
        // first unresolved call, then conditionals; the words of the others
        // are never written.
        let direct = |own: &mut Vec<Trace>, v: usize| -> (Vec<Trace>, (Option<String>, bool)) {
            let node = &nodes[v];
            own.clear();
            let mut iterates_tensor = None;
            let mut param_tensor_work = false;
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
                let Some(kind) = conditional_kind(v, conditional) else {
                    continue;
                };
                // Computing with a part of a container of unknown content
                // (`pair[0] + pair[1]`) may be tensor work too.
                if !conditional.of_constructor
                    && match kind {
                        ParamKind::Unknown => matches!(
                            conditional.rule,
                            ParamRule::TensorIfTensor | ParamRule::MethodCall | ParamRule::Call
                        ),
                        ParamKind::Other(None) => conditional.rule == ParamRule::TensorIfTensor,
                        _ => false,
                    }
                {
                    param_tensor_work = true;
                }
                let mut why: Option<&'static str> = None;
                let mut output = false;
                let effect = match conditional.rule {
                    // A tuple or dict of tensors passed in computes as its
                    // tensors do.
                    ParamRule::TensorIfTensor => (kind.is_tensor_like()
                        || matches!(kind, ParamKind::Other(Some(_))))
                    .then_some(Effect::TensorComputation),
                    ParamRule::EagerIfMaybeTensor => {
                        kind.may_be_tensor().then_some(Effect::EagerOnly)
                    }
                    ParamRule::MethodCall | ParamRule::Call => match kind {
                        ParamKind::Tensor(_) => Some(Effect::TensorComputation),
                        ParamKind::Object(object) => {
                            let what = match conditional.method.as_deref() {
                                Some("numpy") => ObjectCall::EagerOnly,
                                Some(method) => object.method(method),
                                None => object.call(),
                            };
                            match what {
                                ObjectCall::Tensor => Some(Effect::TensorComputation),
                                ObjectCall::SideEffect(because) => {
                                    why = Some(because);
                                    Some(Effect::SideEffect)
                                }
                                ObjectCall::Output(because) => {
                                    why = Some(because);
                                    output = true;
                                    Some(Effect::SideEffect)
                                }
                                ObjectCall::EagerOnly => Some(Effect::EagerOnly),
                                ObjectCall::CreatesVariables => Some(Effect::VariableCreation),
                            }
                        }
                        // Resolved to the class's method, or the function
                        // passed: an edge.
                        ParamKind::Instance(_) | ParamKind::Function(_)
                            if param_call_target(kind, conditional, &by_name, modules)
                                .is_some() =>
                        {
                            None
                        }
                        ParamKind::Primitive { .. } => None,
                        // A method of a list, dict or NumPy array passed in:
                        // the ones that mutate it are the walker's argument
                        // mutations already; the others compute.
                        ParamKind::Other(_) if conditional.rule == ParamRule::MethodCall => None,
                        ParamKind::Instance(_)
                        | ParamKind::Function(_)
                        | ParamKind::Other(_)
                        | ParamKind::Unknown => Some(Effect::UnknownCallee),
                    },
                    ParamRule::ReadsAttribute => match kind {
                        ParamKind::Tensor(_) | ParamKind::Object(_) => None,
                        _ => Some(Effect::PythonStateRead),
                    },
                    ParamRule::IteratesIfTensor => {
                        if kind.is_tensor() && iterates_tensor.is_none() {
                            iterates_tensor =
                                Some(format!("{} at line {}", conditional.what, conditional.line));
                        }
                        None
                    }
                };
                let Some(effect) = effect else { continue };
                if output {
                    keep(Effect::Output, &|| LineCulprit {
                        effect: Effect::Output,
                        line: conditional.line,
                        what: concat(&["calls `", &conditional.what, "`"]),
                    });
                }
                keep(effect, &|| {
                    let what = match (conditional.rule, why) {
                        (ParamRule::MethodCall, Some(because)) => {
                            concat(&["calls `", &conditional.what, "`, which ", because])
                        }
                        (ParamRule::MethodCall, None) => {
                            concat(&["calls `", &conditional.what, "`"])
                        }
                        (_, Some(because)) => concat(&[&conditional.what, ", which ", because]),
                        _ => conditional.what.clone(),
                    };
                    LineCulprit {
                        effect,
                        line: conditional.line,
                        what,
                    }
                });
            }
            // Most functions have one or two effects: no room for four (the
            // list is built in a scratch buffer, then copied at its size).
            let mut kept = Vec::with_capacity(own.len());
            kept.append(own);
            (kept, (iterates_tensor, param_tensor_work))
        };
        type Split = (Vec<Vec<Trace>>, (Vec<Option<String>>, Vec<bool>));
        let (traces, (iterates_tensor, param_tensor_work)): Split = if parallel {
            (0..n).into_par_iter().map_init(Vec::new, direct).unzip()
        } else {
            let mut scratch = Vec::new();
            (0..n).map(|v| direct(&mut scratch, v)).unzip()
        };
        (traces, iterates_tensor, param_tensor_work)
    };
    let shape = || {
        // Shared names for the words of every `EffectWhy`.
        let names: Vec<std::sync::OnceLock<Arc<str>>> =
            (0..n).map(|_| std::sync::OnceLock::new()).collect();
        let paths: Vec<Arc<str>> = modules.iter().map(|m| Arc::from(m.path.as_str())).collect();
        (call_graph_shape(&nodes, &edges), names, paths)
    };
    let (
        (mut traces, iterates_tensor, param_tensor_work),
        ((components, (recursion, cycle), under_graph), names, paths),
    ) = if parallel {
        rayon::join(direct_effects, shape)
    } else {
        (direct_effects(), shape())
    };
    drop(by_name);

    // Effects flow from callees to callers, one component at a time.
    for component in &components {
        // Within a component, repeat until nothing new arrives (a single
        // function has all its callees' effects after one round: they are
        // in earlier components, or itself).
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
            if !changed || component.len() == 1 {
                break;
            }
        }
    }

    // What each function returns, callees first: a call whose result is
    // returned gives back what its callee returns (unknown within a cycle).
    let mut returns: Vec<Option<Returns>> = vec![None; n];
    for component in &components {
        for &v in component {
            let own = returns_facts(nodes[v].summary, &by_callee[v].params);
            let mut kind = own;
            for &(target, line) in &returned_calls[v] {
                let through = match target.and_then(|w| returns[w].as_ref()) {
                    Some(Returns::Tensors) => continue,
                    Some(Returns::Python(why)) => Returns::Python(format!(
                        "returns the result of `{}` (line {line}), which {why}",
                        nodes[target.unwrap_or(v)].summary.qualified_name
                    )),
                    Some(Returns::Unknown(_)) | None => Returns::Unknown(line),
                };
                kind = kind.join(through);
            }
            returns[v] = Some(kind);
        }
    }
    let returns: Vec<Returns> = returns
        .into_iter()
        .map(|r| r.unwrap_or(Returns::Tensors))
        .collect();

    // A graph function each function runs, callees first (components
    // come callees first): its own graph callee, or one a callee runs.
    let mut runs_graph: Vec<Option<usize>> = vec![None; n];
    let graph_of = |w: usize, runs_graph: &[Option<usize>]| {
        if nodes[w].summary.graph {
            Some(w)
        } else {
            runs_graph[w]
        }
    };
    for component in &components {
        for &v in component {
            if !nodes[v].summary.graph {
                runs_graph[v] = edges[v].iter().find_map(|&(w, _)| graph_of(w, &runs_graph));
            }
        }
    }
    // A graph function each function runs in a loop of its own.
    let mut loop_graph: Vec<Option<usize>> = vec![None; n];
    for &(caller, callee) in &loop_calls {
        if loop_graph[caller].is_none() {
            loop_graph[caller] = graph_of(callee, &runs_graph);
        }
    }

    Propagation {
        returns,
        modules,
        loop_graph,
        nodes,
        first_node,
        traces,
        recursion,
        cycle,
        iterates_tensor,
        param_tensor_work,
        sites: by_callee,
        under_graph,
        names,
        paths,
        links,
    }
}

/// The shape of the call graph: its strongly connected components (callees
/// first), why each function is recursive (and whether it is on a cycle
/// itself), and which functions run under a graph function. Needs the
/// edges only, not the effects.
#[allow(clippy::type_complexity)]
fn call_graph_shape(
    nodes: &[Node],
    edges: &[Vec<(usize, u32)>],
) -> (Vec<Vec<usize>>, (Vec<Option<String>>, Vec<bool>), Vec<bool>) {
    let n = nodes.len();
    let plain_edges: Vec<Vec<usize>> = edges
        .iter()
        .map(|e| e.iter().map(|&(w, _)| w).collect())
        .collect();
    let components = strongly_connected_components(&plain_edges);
    drop(plain_edges);
    let mut recursion: Vec<Option<String>> = vec![None; n];
    let mut cycle = vec![false; n];
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
                cycle[v] = true;
                continue;
            }
            if let Some(&(w, line)) = edges[v].iter().find(|&&(w, _)| recursion[w].is_some()) {
                recursion[v] = Some(format!("calls the recursive `{}` at line {line}", name(w)));
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
    (components, (recursion, cycle), under_graph)
}

/// Joins into `params` the kinds of the arguments one call site (in module
/// `module`) passes that `keep` accepts.
/// How many times kinds are passed on through parameters: a chain of
/// wrappers longer than this keeps unknown kinds at its end.
const FORWARDING_ROUNDS: usize = 4;

/// `call` with the arguments that pass a parameter of the caller on
/// replaced by what the caller's call sites give that parameter (`caller`).
/// An instance stays unknown (its class is named as the caller's module
/// names it), and a Python value that changes between calls is said to
/// change at this call.
fn forward(call: &CallSummary, caller: &[ParamKind]) -> CallSummary {
    let mut call = call.clone();
    let positions = call.args.len();
    for &(slot, param) in call.forwarded.iter() {
        let kind = match caller.get(usize::from(param)) {
            Some(ParamKind::Instance(_) | ParamKind::Function(_)) | None => continue,
            // Different constants at different call sites (line 0) stay
            // that; a value changing from call to call there changes here.
            Some(ParamKind::Primitive {
                literal,
                varies_at: Some(1..),
            }) => ParamKind::Primitive {
                literal: literal.clone(),
                varies_at: Some(call.line),
            },
            Some(kind) => kind.clone(),
        };
        let slot = usize::from(slot);
        if slot < positions {
            call.args[slot] = Some(kind);
        } else if let Some((_, keyword)) = call.keywords.get_mut(slot - positions) {
            *keyword = kind;
        }
    }
    call
}

fn join_arguments(
    target: &Node,
    call: &CallSummary,
    module: u32,
    params: &mut [Option<ParamKind>],
    keep: impl Fn(&ParamKind) -> bool,
) {
    let join = |slot: &mut Option<ParamKind>, kind: &ParamKind| {
        if !keep(kind) {
            return;
        }
        // An instance is named as its call site names it.
        let located;
        let kind = match kind {
            ParamKind::Instance(instance) => {
                let mut instance = instance.clone();
                instance.module = module;
                located = ParamKind::Instance(instance);
                &located
            }
            ParamKind::Function(function) => {
                let mut function = function.clone();
                function.module = module;
                located = ParamKind::Function(function);
                &located
            }
            kind => kind,
        };
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
    let positional = call.args.len().saturating_sub(skip);
    for (i, arg) in call.args.iter().enumerate().skip(skip) {
        if let (Some(slot), Some(kind)) = (params.get_mut(i - skip), arg) {
            join(slot, kind);
        }
    }
    let mut passed_by_keyword = 0u64;
    for (keyword, kind) in &call.keywords {
        if let Some(i) = target
            .summary
            .params
            .iter()
            .position(|p| p.as_str() == &**keyword)
        {
            join(&mut params[i], kind);
            if i < 64 {
                passed_by_keyword |= 1 << i;
            }
        }
    }
    // A parameter this call does not pass takes its default.
    for (i, default) in target.summary.defaults.iter().enumerate() {
        let passed = i < positional || (i < 64 && passed_by_keyword & (1 << i) != 0);
        if let (false, Some(default), Some(slot)) = (passed, default, params.get_mut(i)) {
            join(slot, default);
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
    EffectWhy::new(
        trace.culprit.clone(),
        (origin.module != nodes[v].module).then(|| paths[origin.module].clone()),
        trace.hop.map(|(callee, line)| {
            let through = (callee != trace.origin).then(|| name(trace.origin));
            (name(callee), line, through)
        }),
    )
}
