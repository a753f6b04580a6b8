//! What is known about each function once effects have flowed through the
//! call graph: its effects with their culprits, recursion, the kinds of its
//! parameters joined over call sites, where it is called from. The
//! propagation computes these (over one module, or over the whole run) and
//! hands them to the model as plain data; codemods decide on them.

use rustc_hash::FxHashMap as HashMap;
use std::sync::Arc;

use super::effects::Effect;
use super::kinds::ParamKind;
use super::{Function, FunctionId};

/// What is known about one function after propagation. Descriptions are
/// phrases completing "`f` ...", with line numbers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct FunctionFacts {
    /// The first culprit of each effect, own or through callees.
    pub effects: Vec<(Effect, EffectWhy)>,
    pub generator: Option<String>,
    pub recursion: Option<String>,
    /// Whether it is itself on a cycle of calls (not only calling a
    /// recursive function).
    pub recursive_cycle: bool,
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
    /// When every call site is in a function decorated with (or wrapped
    /// by) `tf.function` itself, none at module level: one of them. (A
    /// caller that only runs under a graph through some path, as
    /// [`FunctionFacts::graph_callers_only`] counts it, may also run
    /// eagerly through another.)
    pub graph_function_callers_only: Option<String>,
    /// When its only callers that are not graph functions get
    /// `@tf.function` from findings of the same run (HY001), and every
    /// other caller is a graph function: one of those callers. Set by the
    /// run's second look, after the callers' files were checked.
    pub graph_callers_once_decorated: Option<String>,
    /// When every call site that runs it once per step (in a loop of a
    /// function) is beside graph work: the caller also runs a graph
    /// function (this one, directly or through its callees).
    pub beside_graph: Option<String>,
    /// Whether it computes with (or calls methods of) a parameter whose kind
    /// is unknown: tensor work, if a tensor is passed.
    pub param_tensor_work: bool,
    /// When it returns a Python value or an object that is no tensor (as a
    /// graph function it would return a tensor, or fail): a phrase
    /// completing "`f` ..." with the line.
    pub returns_python: Option<String>,
    /// The first line where it returns a value the analysis cannot tell is
    /// a tensor.
    pub returns_unknown: Option<u32>,
    /// For a graph function, per parameter (as in `params`): whether the
    /// call sites that pass it tensors of known shape pass different sizes
    /// — evidence that it is traced again, even where other call sites
    /// pass what the analysis cannot tell. Empty for other functions.
    pub shapes_vary: Vec<bool>,
}

impl FunctionFacts {
    /// The first parameter given Python values that vary, and where: the
    /// line of the call that varies it, 0 for different constants at
    /// different call sites.
    pub fn varying_python_value(&self) -> Option<(&str, u32)> {
        self.params.iter().find_map(|(param, kind)| match kind {
            ParamKind::Primitive {
                varies_at: Some(line),
                ..
            } => Some((param.as_str(), *line)),
            _ => None,
        })
    }

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

impl EffectWhy {
    /// The culprit in words, without its line ("writes to `self.rate`").
    pub fn what(&self) -> &str {
        &self.culprit.what
    }
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

impl EffectWhy {
    /// Whether the culprit is in a function this one calls, not in its
    /// own body.
    pub fn through_call(&self) -> bool {
        self.hop.is_some()
    }

    /// The function called on the way to the culprit, when it is not in
    /// this function's own body.
    pub fn callee(&self) -> Option<&str> {
        self.hop.as_ref().map(|(callee, _, _)| &**callee)
    }

    /// The culprit, its file when it is not the function's own, and the
    /// call that leads to it (callee, line, and the function whose body has
    /// the culprit when that is not the callee).
    pub fn new(
        culprit: Arc<LineCulprit>,
        path: Option<Arc<str>>,
        hop: Option<(Arc<str>, u32, Option<Arc<str>>)>,
    ) -> Self {
        Self { culprit, path, hop }
    }
}

/// A culprit as propagation carries it: the effect, its line in its own
/// file, and a phrase completing "`f` ...".
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct LineCulprit {
    pub effect: Effect,
    pub line: u32,
    pub what: String,
}

/// Per function (by id): its facts among `facts`, which are keyed by
/// qualified name, repeats in order.
fn project_facts_matched<'f>(
    functions: &[Function],
    facts: &'f [(String, FunctionFacts)],
) -> impl Iterator<Item = (FunctionId, Option<&'f FunctionFacts>)> {
    let mut by_name: HashMap<&str, std::collections::VecDeque<&FunctionFacts>> = HashMap::default();
    for (name, project) in facts {
        by_name.entry(name.as_str()).or_default().push_back(project);
    }
    let matched: Vec<Option<&FunctionFacts>> = functions
        .iter()
        .map(|function| {
            by_name
                .get_mut(function.qualified_name.as_str())
                .and_then(std::collections::VecDeque::pop_front)
        })
        .collect();
    matched.into_iter().enumerate()
}

/// Every function's facts among `facts` (by [`FunctionId`]; the default
/// for a function they do not name), and the functions they do not name.
pub(super) fn project_facts_by_function(
    functions: &[Function],
    facts: &[(String, FunctionFacts)],
) -> (Vec<FunctionFacts>, Vec<FunctionId>) {
    let mut missing = Vec::new();
    let by_function = project_facts_matched(functions, facts)
        .map(|(id, facts)| match facts {
            Some(facts) => facts.clone(),
            None => {
                missing.push(id);
                FunctionFacts::default()
            }
        })
        .collect();
    (by_function, missing)
}
