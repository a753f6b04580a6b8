//! What `from <module> import *` binds when the module is a file of the run:
//! its public functions and classes, and the names it imports (`tf` when it
//! does `import tensorflow as tf`). A module that gets `tf` this way is
//! TensorFlow code although it never names TensorFlow, and calls of the
//! functions it gets this way are calls into the project, not unknown
//! callees.
//!
//! Conservatively: only when exactly one file of the run can be the module
//! (as the propagation matches imports to files), only names its top level
//! binds plainly (a `def`, a `class`, an import; not a name also assigned),
//! only those `__all__` lists when it has one (and nothing when `__all__`
//! is not a plain list of strings), and not through the module's own star
//! imports.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use ruff_python_ast::{Expr, ModModule, Stmt};

use super::overlay::{read, Overlay};
use crate::names::{concat, StarImport};
use crate::prescan;
use crate::propagate::summary::{absolute_name, importable_as, module_names, package_parts};

/// Resolves the star imports of the files of one round.
pub(super) struct StarImports<'a> {
    paths: &'a [PathBuf],
    overlay: &'a Overlay,
    /// Every dotted name of every file → the files, built on first use.
    by_name: OnceLock<FxHashMap<String, Vec<usize>>>,
    /// Per file: what a star import of it binds, found on first use.
    exports: Vec<OnceLock<Option<Exports>>>,
    /// Per file: whether a star import of another file means it.
    targeted: Vec<std::sync::atomic::AtomicBool>,
}

/// What a module's star import binds: the names it defines, and the names
/// it imports with their absolute qualified names.
#[derive(Debug, Default)]
struct Exports {
    defined: Vec<String>,
    imported: Vec<(String, String)>,
}

impl<'a> StarImports<'a> {
    pub(super) fn new(paths: &'a [PathBuf], overlay: &'a Overlay) -> Self {
        Self {
            paths,
            overlay,
            by_name: OnceLock::new(),
            exports: (0..paths.len()).map(|_| OnceLock::new()).collect(),
            targeted: (0..paths.len())
                .map(|_| std::sync::atomic::AtomicBool::new(false))
                .collect(),
        }
    }

    /// The files a star import resolved so far means (by index).
    pub(super) fn targets(&self) -> Vec<u32> {
        (0..self.paths.len())
            .filter(|&i| self.targeted[i].load(std::sync::atomic::Ordering::Relaxed))
            .map(|i| i as u32)
            .collect()
    }

    /// Every dotted name of every file of the run → the files (the demand
    /// search reads it too), built on first use.
    pub(super) fn files_by_name(&self) -> &FxHashMap<String, Vec<usize>> {
        self.by_name.get_or_init(|| {
            // Names are spelled out on every thread (thousands of paths,
            // several names each); only the table is filled on this one.
            let names: Vec<Vec<String>> = self
                .paths
                .par_iter()
                .map(|path| module_names(path))
                .collect();
            let mut by_name: FxHashMap<String, Vec<usize>> = FxHashMap::default();
            by_name.reserve(names.iter().map(Vec::len).sum());
            for (i, names) in names.into_iter().enumerate() {
                for name in names {
                    by_name.entry(name).or_default().push(i);
                }
            }
            by_name
        })
    }

    /// What the star imports in `text`, the file at `importer`, bind: one
    /// entry per import that means exactly one file of the run. Costs one
    /// scan of the text when it has none.
    pub(super) fn resolve(&self, importer: &Path, text: &str) -> Vec<StarImport> {
        self.resolve_what(importer, text, false)
    }

    /// [`StarImports::resolve`] for a file that does not name TensorFlow:
    /// only whether its star imports bring it matters (then the file is
    /// parsed, and resolved fully), so modules that do not name TensorFlow
    /// either are not parsed.
    pub(super) fn resolve_tensorflow(&self, importer: &Path, text: &str) -> Vec<StarImport> {
        let found = self.resolve_what(importer, text, true);
        if found.iter().any(StarImport::binds_tensorflow) {
            return self.resolve(importer, text);
        }
        found
    }

    fn resolve_what(&self, importer: &Path, text: &str, tensorflow_only: bool) -> Vec<StarImport> {
        let found = prescan::star_imports(text);
        if found.is_empty() {
            return Vec::new();
        }
        let mut resolved: Vec<StarImport> = Vec::new();
        for (level, module) in found {
            if resolved
                .iter()
                .any(|star| star.level == level && star.module == module)
            {
                continue;
            }
            let Some(target) = self.target(importer, level, module) else {
                continue;
            };
            self.targeted[target].store(true, std::sync::atomic::Ordering::Relaxed);
            if tensorflow_only && self.exports[target].get().is_none() {
                let names_tensorflow = read(&self.paths[target], self.overlay)
                    .is_ok_and(|file| prescan::names_tensorflow(&file.text));
                if !names_tensorflow {
                    continue;
                }
            }
            let Some(exports) = self.exports[target]
                .get_or_init(|| self.exports_of(target))
                .as_ref()
            else {
                continue;
            };
            let dots = ".".repeat(level as usize);
            let prefix = if module.is_empty() {
                dots
            } else {
                concat(&[&dots, module, "."])
            };
            let bindings = exports
                .defined
                .iter()
                .map(|name| (name.clone(), concat(&[&prefix, name])))
                .chain(exports.imported.iter().cloned())
                .collect();
            resolved.push(StarImport {
                level,
                module: module.to_string(),
                bindings,
            });
        }
        resolved
    }

    /// The one file of the run the import at `level` of `module` in the
    /// file at `importer` means, if exactly one.
    fn target(&self, importer: &Path, level: u32, module: &str) -> Option<usize> {
        let name = if level == 0 {
            module.to_string()
        } else {
            let relative = concat(&[&".".repeat(level as usize), module]);
            let is_package = importer.file_stem().is_some_and(|stem| stem == "__init__");
            absolute_name(&relative, &module_names(importer), is_package)?
        };
        let by_name = self.files_by_name();
        let parts = name.split('.').count();
        let shown = crate::source::display(importer);
        let mut matches = by_name.get(&name)?.iter().copied().filter(|&i| {
            let path = &self.paths[i];
            path != importer
                && importable_as(
                    &crate::source::display(path),
                    package_parts(path),
                    parts,
                    &shown,
                )
        });
        let first = matches.next()?;
        matches.next().is_none().then_some(first)
    }

    /// What a star import of file `i` binds; `None` when it cannot be told
    /// (unreadable, unparsable, an `__all__` that is not a plain list).
    fn exports_of(&self, i: usize) -> Option<Exports> {
        let path = &self.paths[i];
        let file = read(path, self.overlay).ok()?;
        let parsed = file.parse().ok()?;
        let is_package = path.file_stem().is_some_and(|stem| stem == "__init__");
        top_level_exports(parsed.syntax(), &module_names(path), is_package)
    }
}

/// The names a module's top level binds that `import *` takes: with their
/// absolute qualified names for imports (`names` are the module's dotted
/// names, to make its relative imports absolute).
fn top_level_exports(module: &ModModule, names: &[String], is_package: bool) -> Option<Exports> {
    let mut walk = TopLevel::default();
    walk.visit(&module.body);
    let all = match walk.all {
        All::Absent => None,
        All::Listed(names) => Some(names),
        All::Unknown => return None,
    };
    let exported = |name: &str| match &all {
        Some(all) => all.iter().any(|listed| listed == name),
        None => !name.starts_with('_'),
    };
    // Bound once, by a `def`, a `class` or an import, and by nothing else.
    let mut times: FxHashMap<&str, usize> = FxHashMap::default();
    for name in walk
        .defined
        .iter()
        .chain(walk.imported.iter().map(|(local, _)| local))
    {
        *times.entry(name.as_str()).or_default() += 1;
    }
    let plain =
        |name: &str| exported(name) && times.get(name) == Some(&1) && !walk.assigned.contains(name);
    let mut exports = Exports::default();
    for name in &walk.defined {
        if plain(name) {
            exports.defined.push(name.clone());
        }
    }
    for (local, qualified) in &walk.imported {
        let qualified = if qualified.starts_with('.') {
            match absolute_name(qualified, names, is_package) {
                Some(absolute) => absolute,
                None => continue,
            }
        } else {
            qualified.clone()
        };
        if plain(local) {
            exports.imported.push((local.clone(), qualified));
        }
    }
    Some(exports)
}

#[derive(Default)]
enum All {
    #[default]
    Absent,
    Listed(Vec<String>),
    Unknown,
}

/// The bindings of a module's top level, in `if`, `try` and `with` blocks
/// too, not in functions or classes.
#[derive(Default)]
struct TopLevel {
    defined: Vec<String>,
    imported: Vec<(String, String)>,
    /// Names bound in any other way (assignments, loops, `del`).
    assigned: FxHashSet<String>,
    all: All,
}

impl TopLevel {
    fn visit(&mut self, body: &[Stmt]) {
        for stmt in body {
            self.stmt(stmt);
        }
    }

    fn stmt(&mut self, stmt: &Stmt) {
        match stmt {
            Stmt::FunctionDef(def) => self.defined.push(def.name.id.to_string()),
            Stmt::ClassDef(class) => self.defined.push(class.name.id.to_string()),
            Stmt::Import(import) => {
                for alias in &import.names {
                    let module = alias.name.id.as_str();
                    match &alias.asname {
                        Some(asname) => self
                            .imported
                            .push((asname.id.to_string(), module.to_string())),
                        None => {
                            let first = module.split('.').next().unwrap_or(module);
                            self.imported.push((first.to_string(), first.to_string()));
                        }
                    }
                }
            }
            Stmt::ImportFrom(import) => {
                let dots = ".".repeat(import.level as usize);
                let module = import.module.as_ref().map_or("", |m| m.id.as_str());
                for alias in &import.names {
                    let name = alias.name.id.as_str();
                    if name == "*" {
                        continue;
                    }
                    let local = alias.asname.as_ref().unwrap_or(&alias.name);
                    let qualified = if module.is_empty() {
                        concat(&[&dots, name])
                    } else {
                        concat(&[&dots, module, ".", name])
                    };
                    self.imported.push((local.id.to_string(), qualified));
                }
            }
            Stmt::Assign(assign) => {
                for target in &assign.targets {
                    if matches!(target, Expr::Name(n) if n.id.as_str() == "__all__") {
                        self.all = match (&self.all, listed_strings(&assign.value)) {
                            (All::Absent, Some(names)) => All::Listed(names),
                            _ => All::Unknown,
                        };
                    } else {
                        self.bound(target);
                    }
                }
            }
            Stmt::AugAssign(aug) => self.bound(&aug.target),
            Stmt::AnnAssign(ann) => self.bound(&ann.target),
            Stmt::Delete(delete) => delete.targets.iter().for_each(|t| self.bound(t)),
            Stmt::For(for_stmt) => {
                self.bound(&for_stmt.target);
                self.visit(&for_stmt.body);
                self.visit(&for_stmt.orelse);
            }
            Stmt::While(while_stmt) => {
                self.visit(&while_stmt.body);
                self.visit(&while_stmt.orelse);
            }
            Stmt::If(if_stmt) => {
                self.visit(&if_stmt.body);
                for clause in &if_stmt.elif_else_clauses {
                    self.visit(&clause.body);
                }
            }
            Stmt::Try(try_stmt) => {
                self.visit(&try_stmt.body);
                for handler in &try_stmt.handlers {
                    let ruff_python_ast::ExceptHandler::ExceptHandler(handler) = handler;
                    if let Some(name) = &handler.name {
                        self.assigned.insert(name.id.to_string());
                    }
                    self.visit(&handler.body);
                }
                self.visit(&try_stmt.orelse);
                self.visit(&try_stmt.finalbody);
            }
            Stmt::With(with) => {
                for item in &with.items {
                    if let Some(vars) = &item.optional_vars {
                        self.bound(vars);
                    }
                }
                self.visit(&with.body);
            }
            // `__all__.append(...)`, `__all__ += ...`: changed in ways the
            // walk does not follow.
            Stmt::Expr(expr) => {
                if let Expr::Call(call) = expr.value.as_ref() {
                    if matches!(call.func.as_ref(), Expr::Attribute(a)
                        if matches!(a.value.as_ref(), Expr::Name(n) if n.id.as_str() == "__all__"))
                    {
                        self.all = All::Unknown;
                    }
                }
            }
            _ => {}
        }
    }

    fn bound(&mut self, target: &Expr) {
        match target {
            Expr::Name(name) if name.id.as_str() == "__all__" => self.all = All::Unknown,
            Expr::Name(name) => {
                self.assigned.insert(name.id.to_string());
            }
            Expr::Tuple(tuple) => tuple.elts.iter().for_each(|e| self.bound(e)),
            Expr::List(list) => list.elts.iter().for_each(|e| self.bound(e)),
            Expr::Starred(starred) => self.bound(&starred.value),
            _ => {}
        }
    }
}

/// The strings of a list or tuple of string literals.
fn listed_strings(expr: &Expr) -> Option<Vec<String>> {
    let elts = match expr {
        Expr::List(list) => &list.elts,
        Expr::Tuple(tuple) => &tuple.elts,
        _ => return None,
    };
    elts.iter()
        .map(|elt| match elt {
            Expr::StringLiteral(s) => Some(s.value.to_str().to_string()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exports(source: &str) -> Option<Exports> {
        let parsed = ruff_python_parser::parse_module(source).unwrap();
        let names = module_names(Path::new("pkg/common.py"));
        top_level_exports(parsed.syntax(), &names, false)
    }

    #[test]
    fn a_module_exports_its_public_definitions_and_imports() {
        let Exports { defined, imported } = exports(
            "import tensorflow as tf\nfrom .ops import dense\nimport numpy\n\n\ndef helper():\n    import os\n\n\nclass Model:\n    pass\n\n\ndef _private():\n    pass\n",
        )
        .unwrap();
        assert_eq!(defined, ["helper", "Model"]);
        assert_eq!(
            imported,
            [
                ("tf".to_string(), "tensorflow".to_string()),
                ("dense".to_string(), "pkg.ops.dense".to_string()),
                ("numpy".to_string(), "numpy".to_string()),
            ]
        );
    }

    #[test]
    fn all_limits_what_is_exported_and_an_unknown_all_exports_nothing() {
        let Exports { defined, imported } =
            exports("import tensorflow as tf\n__all__ = ['helper']\n\ndef helper():\n    pass\n\ndef other():\n    pass\n")
                .unwrap();
        assert_eq!(defined, ["helper"]);
        assert!(imported.is_empty());
        assert!(exports("from .a import *\n__all__ = a.__all__ + ['x']\n").is_none());
        assert!(exports("__all__ = ['x']\n__all__.append('y')\n").is_none());
    }

    #[test]
    fn a_name_also_assigned_is_not_exported() {
        let Exports { imported, .. } =
            exports("try:\n    import tensorflow as tf\nexcept ImportError:\n    tf = None\n")
                .unwrap();
        assert!(imported.is_empty());
    }
}
