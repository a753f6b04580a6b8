//! Classes across the modules of one run: a class whose base is a project
//! class of another module (`from .layers import Base`), or a Keras/
//! `tf.Module` class imported through another project module, is a Keras/
//! `tf.Module` class when that base is one. A base that does not resolve to
//! exactly one project class or import stays unknown: not a Keras class.

use rustc_hash::FxHashMap as HashMap;

use super::summary::ModuleSummary;
use crate::semantic::builtins::{is_tf_base, names_a_layer, FORWARD_AND_STEP_METHODS};
use crate::semantic::effects::Callee;

/// Re-exports followed at most this deep (`a.B` is `b.B` is `c.B` ...).
const MAX_DEPTH: usize = 8;

/// Per module (in `modules` order), the qualified names of its classes that
/// derive from a Keras `Model`/`Layer` or `tf.Module` only through other
/// modules of the run, and define a method whose treatment depends on it (a
/// forward pass or a training step, see [`FORWARD_AND_STEP_METHODS`]).
/// Empty for most modules.
fn tf_classes_with(modules: &[ModuleSummary], table: &Table) -> Vec<Vec<String>> {
    let mut out = vec![Vec::new(); modules.len()];
    // Only a base named through an import can lead to another module.
    let any_imported_base = modules.iter().any(|m| {
        m.classes
            .iter()
            .any(|c| !c.tf && c.bases.iter().any(|b| b.contains('.')))
    });
    if !any_imported_base {
        return out;
    }
    let mut tf: Vec<Vec<bool>> = modules
        .iter()
        .map(|m| m.classes.iter().map(|c| c.tf).collect())
        .collect();
    // What each base of a class not yet known to be one resolves to, looked
    // up once (module by module, in parallel over a run): the rounds below
    // only read marks.
    let bases: Vec<Vec<Vec<Base>>> = {
        use rayon::prelude::*;
        modules
            .par_iter()
            .enumerate()
            .map(|(m, module)| {
                module
                    .classes
                    .iter()
                    .map(|class| {
                        if class.tf {
                            Vec::new()
                        } else {
                            class.bases.iter().map(|b| table.base(m, b, 0)).collect()
                        }
                    })
                    .collect()
            })
            .collect()
    };
    // Each round marks at least one more class, or ends.
    loop {
        let mut changed = false;
        for (m, module) in modules.iter().enumerate() {
            for c in 0..module.classes.len() {
                if tf[m][c] {
                    continue;
                }
                if bases[m][c].iter().any(|base| match *base {
                    Base::Tf => true,
                    Base::Class(k, d) => tf[k][d],
                    Base::Unknown => false,
                }) {
                    tf[m][c] = true;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    for (m, module) in modules.iter().enumerate() {
        for (c, class) in module.classes.iter().enumerate() {
            if tf[m][c] && !class.tf && has_hot_method(module, &class.qualified_name) {
                out[m].push(class.qualified_name.clone());
            }
        }
    }
    out
}

/// Rewrites method calls (`pkg.layers.Block.helper`, from `self.helper()`
/// or a call on an instance) that name a project class which inherits the
/// method rather than defining it, to the class that defines it
/// (`pkg.base.Base.helper`). Only a chain of single bases is followed: with
/// more than one base the method could come from any of them (or from a
/// class outside the run), and the call stays as it is.
///
/// Returns the project Keras classes of each module (see
/// `tf_classes_with`): the table of the run's classes is built once for
/// both, and the two searches share the threads.
pub fn resolve_inherited_calls_and_tf_classes(modules: &mut [ModuleSummary]) -> Vec<Vec<String>> {
    let (rewrites, (tf_classes, layer_methods)) = {
        let modules: &[ModuleSummary] = modules;
        let table = Table::new(modules);
        rayon::join(
            || inherited_calls(modules, &table),
            || {
                (
                    tf_classes_with(modules, &table),
                    layer_methods(modules, &table),
                )
            },
        )
    };
    apply(modules, rewrites);
    for (m, f) in layer_methods {
        modules[m].functions[f].setup_or_traced = true;
    }
    tf_classes
}

/// The methods (module, function) of classes that derive from a Keras
/// `Layer` only through other classes of the run (`class ConcatReducer(
/// Reducer)`, `class Reducer(tf.keras.layers.Layer)`): they run where the
/// layer's `call` runs, traced by Keras, as the methods of a class based
/// on a `...Layer` directly do (see `FunctionSummary::setup_or_traced`).
fn layer_methods(modules: &[ModuleSummary], table: &Table) -> Vec<(usize, usize)> {
    let direct = |bases: &[String]| bases.iter().any(|base| names_a_layer(base));
    let mut layer: Vec<Vec<bool>> = modules
        .iter()
        .map(|m| m.classes.iter().map(|c| direct(&c.bases)).collect())
        .collect();
    // What the bases of the other classes resolve to, once.
    let bases: Vec<Vec<Vec<(usize, usize)>>> = modules
        .iter()
        .enumerate()
        .map(|(m, module)| {
            module
                .classes
                .iter()
                .enumerate()
                .map(|(c, class)| {
                    if layer[m][c] {
                        return Vec::new();
                    }
                    class
                        .bases
                        .iter()
                        .filter_map(|base| match table.base(m, base, 0) {
                            Base::Class(k, d) => Some((k, d)),
                            Base::Tf | Base::Unknown => None,
                        })
                        .collect()
                })
                .collect()
        })
        .collect();
    let mut found: Vec<(usize, usize)> = Vec::new();
    loop {
        let mut changed = false;
        for (m, module_bases) in bases.iter().enumerate() {
            for (c, class_bases) in module_bases.iter().enumerate() {
                if !layer[m][c] && class_bases.iter().any(|&(k, d)| layer[k][d]) {
                    layer[m][c] = true;
                    found.push((m, c));
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    let mut methods = Vec::new();
    for (m, c) in found {
        let class = modules[m].classes[c].qualified_name.as_str();
        for (f, function) in modules[m].functions.iter().enumerate() {
            let name = function.qualified_name.as_str();
            if name
                .strip_prefix(class)
                .and_then(|rest| rest.strip_prefix('.'))
                .is_some_and(|method| !method.contains('.'))
            {
                methods.push((m, f));
            }
        }
    }
    methods
}

/// A call to point at an inherited method: module, function (`None` at
/// module level), call, and the method's qualified name.
type Rewrite = (usize, Option<usize>, usize, String);

fn apply(modules: &mut [ModuleSummary], rewrites: Vec<Rewrite>) {
    for (m, f, i, name) in rewrites {
        let call = match f {
            Some(f) => &mut modules[m].functions[f].calls[i],
            None => &mut modules[m].module_calls[i],
        };
        call.callee = Callee::External(name);
    }
}

/// The calls [`resolve_inherited_calls_and_tf_classes`] rewrites.
fn inherited_calls(modules: &[ModuleSummary], table: &Table) -> Vec<Rewrite> {
    use rayon::prelude::*;
    let functions: Vec<rustc_hash::FxHashSet<&str>> = modules
        .par_iter()
        .map(|m| {
            m.functions
                .iter()
                .map(|f| f.qualified_name.as_str())
                .collect()
        })
        .collect();
    // Module by module, in parallel; the same method is called from
    // many places of a module: looked up once there.
    let module_rewrites = |(m, module): (usize, &ModuleSummary)| {
        let mut rewrites = Vec::new();
        let mut inherited: HashMap<&str, Option<String>> = HashMap::default();
        let calls = module
            .functions
            .iter()
            .enumerate()
            .flat_map(|(f, function)| {
                function
                    .calls
                    .iter()
                    .enumerate()
                    .map(move |(i, c)| (Some(f), i, c))
            })
            .chain(
                module
                    .module_calls
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (None, i, c)),
            );
        for (f, i, call) in calls {
            if let (true, Callee::External(name)) = (call.bound, &call.callee) {
                if let Some(name) = inherited
                    .entry(name.as_str())
                    .or_insert_with(|| table.inherited(m, name, &functions))
                {
                    rewrites.push((m, f, i, name.clone()));
                }
            }
        }
        rewrites
    };
    let rewrites: Vec<Vec<Rewrite>> = modules
        .par_iter()
        .enumerate()
        .map(module_rewrites)
        .collect();
    rewrites.into_iter().flatten().collect::<Vec<_>>()
}

/// Whether `class` defines a method that runs its forward pass or a
/// training or evaluation step (see [`FORWARD_AND_STEP_METHODS`]).
fn has_hot_method(module: &ModuleSummary, class: &str) -> bool {
    module.functions.iter().any(|f| {
        f.qualified_name
            .strip_prefix(class)
            .and_then(|rest| rest.strip_prefix('.'))
            .is_some_and(|name| FORWARD_AND_STEP_METHODS.contains(&name))
    })
}

struct Table<'s> {
    summaries: &'s [ModuleSummary],
    /// Every name a module can be imported as → the modules it may be.
    modules: HashMap<&'s str, Vec<usize>>,
    /// Per module: class qualified name → index (`None` when defined twice).
    classes: Vec<HashMap<&'s str, Option<usize>>>,
    /// Per module: class-like import → its qualified name.
    imports: Vec<HashMap<&'s str, &'s str>>,
    /// Per module, per class: its qualified name and bases.
    class_names: Vec<Vec<&'s str>>,
    class_bases: Vec<Vec<&'s [String]>>,
    /// Per module: its longest dotted name.
    module_names: Vec<Option<&'s str>>,
}

impl<'s> Table<'s> {
    fn new(modules: &'s [ModuleSummary]) -> Self {
        use rayon::prelude::*;
        let mut by_name: HashMap<&'s str, Vec<usize>> = HashMap::default();
        for (m, module) in modules.iter().enumerate() {
            for name in &module.names {
                by_name.entry(name.as_str()).or_default().push(m);
            }
        }
        // Each module's tables on their own, in parallel over a run.
        let (classes, imports): (Vec<_>, Vec<_>) = modules
            .par_iter()
            .map(|module| {
                let mut table: HashMap<&'s str, Option<usize>> = HashMap::default();
                for (c, class) in module.classes.iter().enumerate() {
                    table
                        .entry(class.qualified_name.as_str())
                        .and_modify(|slot| *slot = None)
                        .or_insert(Some(c));
                }
                let imports: HashMap<&'s str, &'s str> = module
                    .class_imports
                    .iter()
                    .map(|(local, qualified)| (local.as_str(), qualified.as_str()))
                    .collect();
                (table, imports)
            })
            .unzip();
        Self {
            summaries: modules,
            modules: by_name,
            classes,
            imports,
            class_names: modules
                .iter()
                .map(|m| {
                    m.classes
                        .iter()
                        .map(|c| c.qualified_name.as_str())
                        .collect()
                })
                .collect(),
            class_bases: modules
                .iter()
                .map(|m| m.classes.iter().map(|c| c.bases.as_slice()).collect())
                .collect(),
            module_names: modules
                .iter()
                .map(|m| m.names.last().map(String::as_str))
                .collect(),
        }
    }

    /// Whether module `k`'s name with `parts` parts means it in module `m`.
    fn importable(&self, k: usize, parts: usize, m: usize) -> bool {
        self.summaries[k].importable_as(parts, &self.summaries[m].path)
    }

    /// The one project class `name` (as written in module `m`) refers to:
    /// its module and index.
    fn class(&self, m: usize, name: &str, depth: usize) -> Option<(usize, usize)> {
        if depth > MAX_DEPTH {
            return None;
        }
        if !name.contains('.') {
            return match self.classes[m].get(name) {
                Some(Some(c)) => Some((m, *c)),
                _ => None,
            };
        }
        let mut found = None;
        let mut matches = 0;
        for (parts, (dot, _)) in name.match_indices('.').enumerate() {
            let Some(candidates) = self.modules.get(&name[..dot]) else {
                continue;
            };
            let rest = &name[dot + 1..];
            for &k in candidates {
                if !self.importable(k, parts + 1, m) {
                    continue;
                }
                if let Some(slot) = self.classes[k].get(rest) {
                    matches += 1;
                    found = slot.map(|c| (k, c));
                } else if let Some(target) = self.imports[k].get(rest) {
                    matches += 1;
                    found = self.class(k, target, depth + 1);
                }
            }
        }
        if matches == 1 {
            found
        } else {
            None
        }
    }

    /// For `Class.method` named through a project class that does not
    /// define `method`, the name of the method in the base class that does,
    /// through single bases only.
    fn inherited(
        &self,
        m: usize,
        name: &str,
        functions: &[rustc_hash::FxHashSet<&str>],
    ) -> Option<String> {
        let (class_name, method) = name.rsplit_once('.')?;
        if !class_name.contains('.') {
            return None;
        }
        let (mut k, mut c) = self.class(m, class_name, 0)?;
        let mut buffer = String::new();
        let mut defines = |k: usize, c: usize| {
            buffer.clear();
            buffer.push_str(self.class_names[k][c]);
            buffer.push('.');
            buffer.push_str(method);
            functions[k].contains(buffer.as_str())
        };
        if defines(k, c) {
            return None;
        }
        for _ in 0..MAX_DEPTH {
            let bases: Vec<&str> = self.class_bases[k][c]
                .iter()
                .map(String::as_str)
                .filter(|b| *b != "object")
                .collect();
            let [base] = bases.as_slice() else {
                return None;
            };
            (k, c) = self.class(k, base, 0)?;
            if defines(k, c) {
                let module = self.module_names[k]?;
                return Some(format!("{module}.{}.{method}", self.class_names[k][c]));
            }
        }
        None
    }

    /// What `base`, as written in module `m`, is: a Keras/`tf.Module` base
    /// of TensorFlow, the one class or import of the run it resolves to (a
    /// Keras class or not, by the marks of the moment), or unknown.
    fn base(&self, m: usize, base: &str, depth: usize) -> Base {
        if is_tf_base(base) {
            return Base::Tf;
        }
        if depth > MAX_DEPTH {
            return Base::Unknown;
        }
        if !base.contains('.') {
            // A class of the same module, by name.
            return match self.classes[m].get(base) {
                Some(Some(c)) => Base::Class(m, *c),
                _ => Base::Unknown,
            };
        }
        let mut found = Base::Unknown;
        let mut matches = 0;
        for (parts, (dot, _)) in base.match_indices('.').enumerate() {
            let Some(candidates) = self.modules.get(&base[..dot]) else {
                continue;
            };
            let rest = &base[dot + 1..];
            for &k in candidates {
                if !self.importable(k, parts + 1, m) {
                    continue;
                }
                if let Some(slot) = self.classes[k].get(rest) {
                    matches += 1;
                    found = slot.map_or(Base::Unknown, |c| Base::Class(k, c));
                } else if let Some(target) = self.imports[k].get(rest) {
                    matches += 1;
                    found = self.base(k, target, depth + 1);
                }
            }
        }
        if matches == 1 {
            found
        } else {
            Base::Unknown
        }
    }
}

/// What a class's base resolves to (see [`Table::base`]).
#[derive(Clone, Copy)]
enum Base {
    /// A Keras/`tf.Module` base of TensorFlow.
    Tf,
    /// A class of the run: its module and index.
    Class(usize, usize),
    /// Nothing, or more than one thing.
    Unknown,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::propagate::add_local_facts;
    use crate::semantic::{ModelInputs, SemanticModel};
    use std::path::Path;

    fn summary(path: &str, source: &str) -> ModuleSummary {
        let parsed = ruff_python_parser::parse_module(source).unwrap();
        let mut model = SemanticModel::new(parsed.syntax(), source, ModelInputs::default());
        add_local_facts(&mut model, source)
            .unwrap()
            .named_after(Path::new(path))
    }

    #[test]
    fn bases_in_other_modules_make_keras_classes() {
        let mut modules = [
            summary(
                "pkg/layers.py",
                "import tensorflow as tf\nfrom tensorflow.keras.layers import Layer\n\nclass Base(tf.keras.layers.Layer):\n    pass\n\nclass Plain:\n    pass\n",
            ),
            summary(
                "pkg/model.py",
                "from .layers import Base, Plain, Layer\nfrom pkg.layers import Base as B2\nfrom .missing import Other\n\nclass Block(Base):\n    def call(self, x):\n        return x\n\nclass Deeper(Block):\n    def call(self, x):\n        return x\n\nclass NoHotMethod(Block):\n    def other(self, x):\n        return x\n\nclass Aliased(B2):\n    def call(self, x):\n        return x\n\nclass ThroughImport(Layer):\n    def train_step(self, x):\n        return x\n\nclass NotKeras(Plain):\n    def call(self, x):\n        return x\n\nclass Unknown(Other):\n    def call(self, x):\n        return x\n",
            ),
        ];
        let tf = resolve_inherited_calls_and_tf_classes(&mut modules);
        assert!(tf[0].is_empty(), "{tf:?}");
        assert_eq!(tf[1], ["Block", "Deeper", "Aliased", "ThroughImport"]);
    }

    #[test]
    fn methods_of_layers_through_other_modules_run_where_keras_traces() {
        let mut modules = [
            summary(
                "pkg/base.py",
                "import tensorflow as tf\n\nclass Reducer(tf.keras.layers.Layer):\n    pass\n\nclass Trainer(tf.keras.Model):\n    pass\n",
            ),
            summary(
                "pkg/reducers.py",
                "from .base import Reducer, Trainer\n\nclass Concat(Reducer):\n    def zip_and_reduce(self, x):\n        return x\n\nclass Deeper(Concat):\n    def merge(self, x):\n        return x\n\nclass Loop(Trainer):\n    def fit_loop(self, x):\n        return x\n\ndef helper(x):\n    return x\n",
            ),
        ];
        let traced = |modules: &[ModuleSummary], name: &str| {
            modules[1]
                .functions
                .iter()
                .find(|f| f.qualified_name == name)
                .unwrap()
                .setup_or_traced
        };
        assert!(!traced(&modules, "Concat.zip_and_reduce"));
        resolve_inherited_calls_and_tf_classes(&mut modules);
        assert!(traced(&modules, "Concat.zip_and_reduce"));
        assert!(traced(&modules, "Deeper.merge"));
        // A model's own methods may be eager training loops; functions are
        // no methods.
        assert!(!traced(&modules, "Loop.fit_loop"));
        assert!(!traced(&modules, "helper"));
    }
}
