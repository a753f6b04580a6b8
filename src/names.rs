//! What the names of a module refer to, as far as TensorFlow is concerned.
//!
//! Every import in the module (at any depth) binds a local name to a
//! qualified name. `tensorflow.compat.v2` is the same API as `tensorflow`, so
//! it is normalised away; `tensorflow.keras` and `keras` stay distinct but
//! [`is_keras`] treats them alike.

use rustc_hash::{FxHashMap, FxHashSet};

mod tensorflow_all;

use ruff_python_ast::statement_visitor::{walk_stmt, StatementVisitor};
use ruff_python_ast::{Alias, Expr, ModModule, Stmt, StmtImportFrom};

/// Local name → qualified name for every import binding in a module.
#[derive(Debug, Default, Clone)]
pub struct ImportMap<'a> {
    bindings: FxHashMap<String, String>,
    /// Local names bound by something other than an import (a `def`, a
    /// class, an assignment), which shadow a builtin such as `print`:
    /// borrowed from the tree (most modules bind thousands of names, and
    /// only a few builtins are ever asked about).
    shadowed: FxHashSet<&'a str>,
    /// The local name under which `tensorflow` itself is imported at
    /// module level (not in a function), if any: a name new module-level
    /// code (a decorator) can use.
    tensorflow_alias: Option<String>,
    /// Whether the module imports anything from TensorFlow or Keras at all.
    mentions_tensorflow: bool,
}

impl<'a> ImportMap<'a> {
    pub fn from_module(module: &'a ModModule) -> Self {
        Self::from_module_with(module, &[])
    }

    /// The map of `module`, with what its module-level star imports bind
    /// where `star` says (only the run can tell what `from <project module>
    /// import *` binds: see `crate::run::star`), in the order of the
    /// module's statements.
    pub fn from_module_with(module: &'a ModModule, star: &'a [StarImport]) -> Self {
        let mut collector = ImportCollector {
            star,
            ..ImportCollector::default()
        };
        collector.visit_body(&module.body);
        collector.map
    }

    /// The qualified name an expression refers to (`tf.function` →
    /// `tensorflow.function`), or `None` when it is not a dotted name rooted
    /// in an import.
    pub fn resolve(&self, expr: &Expr) -> Option<String> {
        // Find the root first: most dotted names are not rooted in an import,
        // and those cost no allocation.
        let base = self.bindings.get(root_name(expr)?)?;
        let mut qualified = String::with_capacity(base.len() + 32);
        push_dotted(expr, base, &mut qualified);
        if qualified.starts_with("tensorflow.compat.v2") {
            qualified = normalize(&qualified);
        }
        Some(qualified)
    }

    /// [`ImportMap::resolve`] handed to `f` as a borrowed name, built in a
    /// buffer that is reused rather than allocated per call.
    pub fn with_resolved<R>(&self, expr: &Expr, f: impl FnOnce(&str) -> R) -> Option<R> {
        thread_local! {
            static SCRATCH: std::cell::Cell<String> = const { std::cell::Cell::new(String::new()) };
        }
        let base = self.bindings.get(root_name(expr)?)?;
        // Taken out while `f` runs, so that a nested call gets its own.
        let mut buffer = SCRATCH.take();
        buffer.clear();
        push_dotted(expr, base, &mut buffer);
        let result = if buffer.starts_with("tensorflow.compat.v2") {
            f(&normalize(&buffer))
        } else {
            f(&buffer)
        };
        SCRATCH.set(buffer);
        Some(result)
    }

    /// Whether `expr` refers to `qualified`, without building its name.
    pub fn resolves_to(&self, expr: &Expr, qualified: &str) -> bool {
        let mut rest = qualified;
        let mut current = expr;
        loop {
            match current {
                Expr::Attribute(attribute) => {
                    let attr = attribute.attr.id.as_str();
                    if attr == "v2" || attr == "compat" {
                        // `tf.compat.v2.x` is normalised: take the slow path.
                        return self.resolve(expr).as_deref() == Some(qualified);
                    }
                    match rest.strip_suffix(attr).and_then(|r| r.strip_suffix('.')) {
                        Some(shorter) => rest = shorter,
                        None => return false,
                    }
                    current = &attribute.value;
                }
                Expr::Name(name) => {
                    return self
                        .bindings
                        .get(name.id.as_str())
                        .is_some_and(|base| base == rest);
                }
                _ => return false,
            }
        }
    }

    /// Whether `expr` is TensorFlow's `function` (in any spelling).
    pub fn is_tf_function(&self, expr: &Expr) -> bool {
        self.resolves_to(expr, "tensorflow.function")
    }

    /// Whether `expr` names something in the `tensorflow` namespace.
    pub fn is_tensorflow(&self, expr: &Expr) -> bool {
        self.with_resolved(expr, |qualified| {
            qualified == "tensorflow" || qualified.starts_with("tensorflow.")
        })
        .unwrap_or(false)
    }

    /// The local alias of the `tensorflow` module (`tf` for `import
    /// tensorflow as tf`), if the module imports it as a module at module
    /// level: an alias imported only inside functions is not bound where a
    /// decorator is evaluated.
    pub fn tensorflow_alias(&self) -> Option<&str> {
        self.tensorflow_alias.as_deref()
    }

    pub fn mentions_tensorflow(&self) -> bool {
        self.mentions_tensorflow
    }

    /// Every import binding: local name → qualified name.
    pub fn bindings(&self) -> impl Iterator<Item = (&str, &str)> {
        self.bindings.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The qualified name an import binds `local` to.
    pub fn binding(&self, local: &str) -> Option<&str> {
        self.bindings.get(local).map(String::as_str)
    }

    /// Whether `name` is bound in the module by an import or a definition,
    /// so that it no longer means the builtin of the same name.
    pub fn is_bound(&self, name: &str) -> bool {
        self.bindings.contains_key(name) || self.shadowed.contains(name)
    }
}

/// What `import a.b as c` binds (`c` → `a.b`); `import a.b` binds `a`.
fn import_binding(alias: &Alias) -> (&str, String) {
    let module = alias.name.id.as_str();
    match &alias.asname {
        Some(asname) => (asname.id.as_str(), module.to_string()),
        None => {
            let first = module.split('.').next().unwrap_or(module);
            (first, first.to_string())
        }
    }
}

/// What `from m import n as l` binds `l` to: `m.n`. A relative import
/// (`from .m import n`) keeps its dots: it is relative to the module's
/// package, which only the run knows (see `summary::absolute_name`).
fn from_import_binding<'s>(import: &'s StmtImportFrom, alias: &'s Alias) -> (&'s str, String) {
    let local = alias.asname.as_ref().unwrap_or(&alias.name).id.as_str();
    let dots = ".".repeat(import.level as usize);
    let name = alias.name.id.as_str();
    let qualified = match &import.module {
        Some(module) => concat(&[&dots, module.id.as_str(), ".", name]),
        None => concat(&[&dots, name]),
    };
    (local, qualified)
}

/// The names of a module every binding of which imports the same thing
/// (`name = None` placeholders aside): once bound, their value never
/// changes, as with `global tf; import tensorflow as tf` in a function that
/// imports TensorFlow lazily. Found by one walk, when asked.
pub fn imported_only(module: &ModModule) -> FxHashSet<&str> {
    let mut walk = ImportedOnly::default();
    walk.visit_body(&module.body);
    walk.names
        .into_iter()
        .filter_map(|(name, imported)| imported.map(|_| name))
        .collect()
}

/// The walk of [`imported_only`]: name → what every import of it binds;
/// `None` when something else binds it too.
#[derive(Default)]
struct ImportedOnly<'a> {
    names: FxHashMap<&'a str, Option<String>>,
}

impl<'a> ImportedOnly<'a> {
    fn import(&mut self, local: &'a str, qualified: String) {
        let known = self
            .names
            .entry(local)
            .or_insert_with(|| Some(qualified.clone()));
        if known.as_deref() != Some(qualified.as_str()) {
            *known = None;
        }
    }

    fn other(&mut self, target: &'a Expr) {
        if let Expr::Name(name) = target {
            self.names.insert(name.id.as_str(), None);
        }
    }
}

impl<'a> StatementVisitor<'a> for ImportedOnly<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Import(import) => {
                for alias in &import.names {
                    let (local, qualified) = import_binding(alias);
                    self.import(local, qualified);
                }
            }
            Stmt::ImportFrom(import) => {
                for alias in &import.names {
                    let (local, qualified) = from_import_binding(import, alias);
                    self.import(local, qualified);
                }
            }
            Stmt::FunctionDef(def) => {
                self.names.insert(def.name.id.as_str(), None);
                walk_stmt(self, stmt);
            }
            Stmt::ClassDef(class) => {
                self.names.insert(class.name.id.as_str(), None);
                walk_stmt(self, stmt);
            }
            // A placeholder for the import (`tf = None`).
            Stmt::Assign(assign) if assign.value.is_none_literal_expr() => {}
            Stmt::Assign(assign) => assign.targets.iter().for_each(|t| self.other(t)),
            Stmt::AugAssign(aug) => self.other(&aug.target),
            Stmt::AnnAssign(ann) => self.other(&ann.target),
            Stmt::For(for_stmt) => {
                self.other(&for_stmt.target);
                walk_stmt(self, stmt);
            }
            _ => walk_stmt(self, stmt),
        }
    }
}

/// What one `from <module> import *` of a module binds, as the run found
/// it in the module imported.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StarImport {
    /// The leading dots of the import as written.
    pub level: u32,
    /// The module as written after the dots (empty in `from . import *`).
    pub module: String,
    /// Local name → qualified name, as `from <module> import <name>` would
    /// bind each.
    pub bindings: Vec<(String, String)>,
}

impl StarImport {
    /// Whether it binds TensorFlow or Keras (`tf`, `keras`, `layers`): the
    /// importing module is TensorFlow code even if it names neither.
    pub fn binds_tensorflow(&self) -> bool {
        self.bindings.iter().any(|(_, qualified)| {
            qualified == "tensorflow" || qualified.starts_with("tensorflow.") || is_keras(qualified)
        })
    }
}

/// Whether a qualified name is in Keras, through `keras` or `tf.keras`.
pub fn is_keras(qualified: &str) -> bool {
    qualified == "keras"
        || qualified.starts_with("keras.")
        || qualified == "tensorflow.keras"
        || qualified.starts_with("tensorflow.keras.")
        || qualified.starts_with("tf_keras")
}

/// The name at the root of a dotted name (`tf` in `tf.nn.relu`).
fn root_name(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Name(name) => Some(name.id.as_str()),
        Expr::Attribute(attribute) => root_name(&attribute.value),
        _ => None,
    }
}

/// Writes the dotted name of `expr`, with its root replaced by `base`.
fn push_dotted(expr: &Expr, base: &str, out: &mut String) {
    match expr {
        Expr::Attribute(attribute) => {
            push_dotted(&attribute.value, base, out);
            out.push('.');
            out.push_str(attribute.attr.id.as_str());
        }
        _ => out.push_str(base),
    }
}

/// `tensorflow.compat.v2.x` is `tensorflow.x`.
fn normalize(qualified: &str) -> String {
    if let Some(rest) = qualified.strip_prefix("tensorflow.compat.v2") {
        if rest.is_empty() || rest.starts_with('.') {
            return format!("tensorflow{rest}");
        }
    }
    qualified.to_string()
}

/// The pieces joined into one string, allocated once at its final size.
pub fn concat(pieces: &[&str]) -> String {
    let mut out = String::with_capacity(pieces.iter().map(|p| p.len()).sum());
    for piece in pieces {
        out.push_str(piece);
    }
    out
}

/// The last part of a dotted name (`relu` in `tensorflow.nn.relu`).
pub fn last_segment(qualified: &str) -> &str {
    match qualified.bytes().rposition(|b| b == b'.') {
        Some(dot) => &qualified[dot + 1..],
        None => qualified,
    }
}

/// The first part of a dotted name (`tensorflow` in `tensorflow.nn.relu`).
pub fn root_segment(qualified: &str) -> &str {
    match qualified.bytes().position(|b| b == b'.') {
        Some(dot) => &qualified[..dot],
        None => qualified,
    }
}

#[derive(Default)]
struct ImportCollector<'a> {
    map: ImportMap<'a>,
    /// What the module's star imports bind, as far as the run knows.
    star: &'a [StarImport],
    /// How many functions and classes the statement being visited is in.
    depth: usize,
}

impl<'a> ImportCollector<'a> {
    fn shadow(&mut self, name: &'a str) {
        self.map.shadowed.insert(name);
    }

    fn bind(&mut self, local: &str, mut qualified: String) {
        if qualified.starts_with("tensorflow.compat.v2") {
            qualified = normalize(&qualified);
        }
        if qualified == "tensorflow" || qualified.starts_with("tensorflow.") || is_keras(&qualified)
        {
            self.map.mentions_tensorflow = true;
        }
        if qualified == "tensorflow" && self.map.tensorflow_alias.is_none() && self.depth == 0 {
            self.map.tensorflow_alias = Some(local.to_string());
        }
        self.map.bindings.insert(local.to_string(), qualified);
    }
}

impl<'a> StatementVisitor<'a> for ImportCollector<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Import(import) => {
                for alias in &import.names {
                    let (local, qualified) = import_binding(alias);
                    self.bind(local, qualified);
                }
            }
            Stmt::ImportFrom(import) => {
                if import
                    .names
                    .iter()
                    .any(|alias| alias.name.id.as_str() == "*")
                {
                    let module = import.module.as_ref().map_or("", |m| m.id.as_str());
                    let known = self
                        .star
                        .iter()
                        .find(|star| star.level == import.level && star.module == module);
                    if let (Some(star), 0) = (known, self.depth) {
                        for (local, qualified) in &star.bindings {
                            self.bind(local, qualified.clone());
                        }
                    } else if import.level == 0 && module == "tensorflow" {
                        for name in tensorflow_all::TENSORFLOW_ALL {
                            self.bind(name, concat(&["tensorflow.", name]));
                        }
                    }
                    return;
                }
                if import.level == 0 && import.module.is_none() {
                    return;
                }
                for alias in &import.names {
                    let (local, qualified) = from_import_binding(import, alias);
                    self.bind(local, qualified);
                }
            }
            Stmt::FunctionDef(function) => {
                self.shadow(function.name.id.as_str());
                self.depth += 1;
                walk_stmt(self, stmt);
                self.depth -= 1;
            }
            Stmt::ClassDef(class) => {
                self.shadow(class.name.id.as_str());
                self.depth += 1;
                walk_stmt(self, stmt);
                self.depth -= 1;
            }
            Stmt::Assign(assign) => {
                for target in &assign.targets {
                    if let Expr::Name(name) = target {
                        self.shadow(name.id.as_str());
                    }
                }
            }
            _ => walk_stmt(self, stmt),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(source: &str) -> ImportMap<'static> {
        // The tree outlives the test.
        let parsed = Box::leak(Box::new(ruff_python_parser::parse_module(source).unwrap()));
        ImportMap::from_module(parsed.syntax())
    }

    fn expr(source: &str) -> Expr {
        *ruff_python_parser::parse_expression(source)
            .unwrap()
            .into_syntax()
            .body
    }

    #[test]
    fn every_spelling_of_tf_function_resolves_to_the_same_name() {
        let cases = [
            ("import tensorflow as tf", "tf.function"),
            ("import tensorflow", "tensorflow.function"),
            ("from tensorflow import function", "function"),
            ("from tensorflow import function as tff", "tff"),
            ("import tensorflow.compat.v2 as tf", "tf.function"),
            ("import tensorflow as tf", "tf.compat.v2.function"),
            ("from tensorflow.compat import v2 as tf", "tf.function"),
        ];
        for (imports, spelling) in cases {
            assert!(
                map(imports).is_tf_function(&expr(spelling)),
                "{imports} / {spelling}"
            );
        }
    }

    #[test]
    fn unrelated_names_are_not_tf_function() {
        assert!(!map("import numpy as tf").is_tf_function(&expr("tf.function")));
        assert!(!map("from functools import wraps as function").is_tf_function(&expr("function")));
        assert!(!map("").is_tf_function(&expr("tf.function")));
    }

    #[test]
    fn relative_imports_keep_their_level() {
        let m = map("from . import utils\nfrom .layers import Base as B\nfrom ..pkg.mod import f");
        assert_eq!(
            m.resolve(&expr("utils.helper")).as_deref(),
            Some(".utils.helper")
        );
        assert_eq!(m.resolve(&expr("B")).as_deref(), Some(".layers.Base"));
        assert_eq!(m.resolve(&expr("f")).as_deref(), Some("..pkg.mod.f"));
        assert!(!m.mentions_tensorflow());
    }

    #[test]
    fn a_lazily_imported_global_is_tensorflow_but_not_a_module_level_alias() {
        let m = map("tf = None\n\ndef load():\n    global tf\n    import tensorflow as tf\n");
        assert!(m.is_tensorflow(&expr("tf.function")));
        assert!(m.mentions_tensorflow());
        // A decorator is evaluated before `load()` runs.
        assert_eq!(m.tensorflow_alias(), None);
        // Rebound only to the same module: it does not change once loaded.
        let imported_only = |source: &str| {
            let parsed = ruff_python_parser::parse_module(source).unwrap();
            super::imported_only(parsed.syntax()).contains("tf")
        };
        assert!(imported_only(
            "tf = None\n\ndef load():\n    global tf\n    import tensorflow as tf\n"
        ));
        assert!(!imported_only("import tensorflow as tf\ntf = make()\n"));
        assert!(!imported_only(
            "import tensorflow as tf\ndef f():\n    global tf\n    import numpy as tf\n"
        ));
        assert_eq!(
            map("try:\n    import tensorflow as tf\nexcept ImportError:\n    tf = None\n")
                .tensorflow_alias(),
            Some("tf")
        );
    }

    #[test]
    fn star_imports_bind_what_the_run_found_in_statement_order() {
        let parsed = Box::leak(Box::new(
            ruff_python_parser::parse_module(
                "from common import *\nimport numpy as np\nfrom .ops import *\n",
            )
            .unwrap(),
        ));
        let star: &'static [StarImport] = Box::leak(Box::new([
            StarImport {
                level: 0,
                module: "common".to_string(),
                bindings: vec![
                    ("tf".to_string(), "tensorflow".to_string()),
                    ("np".to_string(), "jax.numpy".to_string()),
                ],
            },
            StarImport {
                level: 1,
                module: "ops".to_string(),
                bindings: vec![("dense".to_string(), ".ops.dense".to_string())],
            },
        ]));
        let m = ImportMap::from_module_with(parsed.syntax(), star);
        assert_eq!(m.tensorflow_alias(), Some("tf"));
        assert!(m.mentions_tensorflow());
        // The module's own import comes after the star import, and wins.
        assert_eq!(m.resolve(&expr("np.zeros")).as_deref(), Some("numpy.zeros"));
        assert_eq!(m.resolve(&expr("dense")).as_deref(), Some(".ops.dense"));
        // Without what the run found, a star import binds nothing.
        assert!(!map("from common import *\n").mentions_tensorflow());
    }

    #[test]
    fn keras_aliases_are_keras() {
        let m = map("import tensorflow as tf\nfrom tensorflow import keras as K\nimport keras");
        assert!(is_keras(&m.resolve(&expr("tf.keras.Model")).unwrap()));
        assert!(is_keras(&m.resolve(&expr("K.layers.Dense")).unwrap()));
        assert!(is_keras(&m.resolve(&expr("keras.Model")).unwrap()));
    }
}
