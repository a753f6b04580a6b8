//! Classes across the modules of one run: a class whose base is a project
//! class of another module (`from .layers import Base`), or a Keras/
//! `tf.Module` class imported through another project module, is a Keras/
//! `tf.Module` class when that base is one. A base that does not resolve to
//! exactly one project class or import stays unknown: not a Keras class.

use rustc_hash::FxHashMap as HashMap;

use super::effects::is_tf_base;
use super::summary::ModuleSummary;

/// Re-exports followed at most this deep (`a.B` is `b.B` is `c.B` ...).
const MAX_DEPTH: usize = 8;

/// Per module (in `modules` order), the qualified names of its classes that
/// derive from a Keras `Model`/`Layer` or `tf.Module` only through other
/// modules of the run. Empty for most modules.
pub fn project_tf_classes(modules: &[ModuleSummary]) -> Vec<Vec<String>> {
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
    let table = Table::new(modules);
    let mut tf: Vec<Vec<bool>> = modules
        .iter()
        .map(|m| m.classes.iter().map(|c| c.tf).collect())
        .collect();
    // Each round marks at least one more class, or ends.
    loop {
        let mut changed = false;
        for (m, module) in modules.iter().enumerate() {
            for (c, class) in module.classes.iter().enumerate() {
                if tf[m][c] {
                    continue;
                }
                if class
                    .bases
                    .iter()
                    .any(|base| table.is_tf(m, base, &tf, 0) == Some(true))
                {
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
            if tf[m][c] && !class.tf {
                out[m].push(class.qualified_name.clone());
            }
        }
    }
    out
}

struct Table<'s> {
    /// Every name a module can be imported as → the modules it may be.
    modules: HashMap<&'s str, Vec<usize>>,
    /// Per module: class qualified name → index (`None` when defined twice).
    classes: Vec<HashMap<&'s str, Option<usize>>>,
    /// Per module: class-like import → its qualified name.
    imports: Vec<HashMap<&'s str, &'s str>>,
}

impl<'s> Table<'s> {
    fn new(modules: &'s [ModuleSummary]) -> Self {
        let mut by_name: HashMap<&'s str, Vec<usize>> = HashMap::default();
        let mut classes = Vec::with_capacity(modules.len());
        let mut imports = Vec::with_capacity(modules.len());
        for (m, module) in modules.iter().enumerate() {
            for name in &module.names {
                by_name.entry(name.as_str()).or_default().push(m);
            }
            let mut table: HashMap<&'s str, Option<usize>> = HashMap::default();
            for (c, class) in module.classes.iter().enumerate() {
                table
                    .entry(class.qualified_name.as_str())
                    .and_modify(|slot| *slot = None)
                    .or_insert(Some(c));
            }
            classes.push(table);
            imports.push(
                module
                    .class_imports
                    .iter()
                    .map(|(local, qualified)| (local.as_str(), qualified.as_str()))
                    .collect(),
            );
        }
        Self {
            modules: by_name,
            classes,
            imports,
        }
    }

    /// Whether `base`, as written in module `m`, is a Keras/`tf.Module`
    /// class: `Some(true)` or `Some(false)` when it resolves to exactly one
    /// class or import, `None` when it does not resolve.
    fn is_tf(&self, m: usize, base: &str, tf: &[Vec<bool>], depth: usize) -> Option<bool> {
        if is_tf_base(base) {
            return Some(true);
        }
        if depth > MAX_DEPTH {
            return None;
        }
        if !base.contains('.') {
            // A class of the same module, by name.
            return match self.classes[m].get(base) {
                Some(Some(c)) => Some(tf[m][*c]),
                _ => None,
            };
        }
        let mut found = None;
        let mut matches = 0;
        for (dot, _) in base.match_indices('.') {
            let Some(candidates) = self.modules.get(&base[..dot]) else {
                continue;
            };
            let rest = &base[dot + 1..];
            for &k in candidates {
                if let Some(slot) = self.classes[k].get(rest) {
                    matches += 1;
                    found = slot.map(|c| tf[k][c]);
                } else if let Some(target) = self.imports[k].get(rest) {
                    matches += 1;
                    found = self.is_tf(k, target, tf, depth + 1);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::semantic::SemanticModel;
    use std::path::Path;

    fn summary(path: &str, source: &str) -> ModuleSummary {
        let parsed = ruff_python_parser::parse_module(source).unwrap();
        let mut model = SemanticModel::build(parsed.syntax(), source);
        model.take_summary(source, Path::new(path))
    }

    #[test]
    fn bases_in_other_modules_make_keras_classes() {
        let modules = [
            summary(
                "pkg/layers.py",
                "import tensorflow as tf\nfrom tensorflow.keras.layers import Layer\n\nclass Base(tf.keras.layers.Layer):\n    pass\n\nclass Plain:\n    pass\n",
            ),
            summary(
                "pkg/model.py",
                "from .layers import Base, Plain, Layer\nfrom pkg.layers import Base as B2\nfrom .missing import Other\n\nclass Block(Base):\n    pass\n\nclass Deeper(Block):\n    pass\n\nclass Aliased(B2):\n    pass\n\nclass ThroughImport(Layer):\n    pass\n\nclass NotKeras(Plain):\n    pass\n\nclass Unknown(Other):\n    pass\n",
            ),
        ];
        let tf = project_tf_classes(&modules);
        assert!(tf[0].is_empty(), "{tf:?}");
        assert_eq!(tf[1], ["Block", "Deeper", "Aliased", "ThroughImport"]);
    }
}
