//! A module's summary: what propagation needs to know about its functions,
//! without the AST. Summaries of every module of a run are small enough to
//! keep all at once; the trees are dropped as soon as a summary is built.

use std::path::Path;

use ruff_source_file::LineIndex;
use ruff_text_size::TextSize;

use crate::semantic::builtins::names_a_layer;
use crate::semantic::effects::{Call, Callee, ParamRule};
use crate::semantic::facts::LineCulprit;
use crate::semantic::kinds::{ParamKind, Value};
use crate::semantic::SemanticModel;

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct ModuleSummary {
    /// The file, as shown in messages.
    pub path: String,
    /// Every dotted name this module could be imported as (`mod`,
    /// `pkg.mod`, `src.pkg.mod`), shortest first.
    pub names: Vec<String>,
    pub functions: Vec<FunctionSummary>,
    pub module_calls: Vec<CallSummary>,
    pub classes: Vec<ClassSummary>,
    /// Imports of class-like names (`Layer` → `tensorflow.keras.layers.Layer`,
    /// `Base` → `pkg.layers.Base`), which other modules may import from here.
    pub class_imports: Vec<(String, String)>,
    /// The modules its top level imports with `from <module> import *`
    /// (absolute once [`ModuleSummary::resolve_relative_imports`] ran): a
    /// function they define is reached through this module's name too.
    pub star_imports: Vec<String>,
    /// How many parts its name has from the root of its package (`pkg.mod`
    /// for `pkg/mod.py` when `pkg/__init__.py` exists): from there on, a name
    /// means it wherever the import is; see [`ModuleSummary::importable_as`].
    pub package_parts: usize,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ClassSummary {
    pub qualified_name: String,
    /// As in [`crate::semantic::Class::bases`]: qualified through imports, otherwise
    /// as written.
    pub bases: Vec<String>,
    /// Whether it derives from a Keras/`tf.Module` class as far as this
    /// module alone shows.
    pub tf: bool,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct FunctionSummary {
    pub qualified_name: String,
    pub graph: bool,
    /// Whether the first parameter is `self` (or `cls`), bound by calls.
    pub has_self: bool,
    /// Whether its loops are no per-step loops of eager code: it builds an
    /// object (`__init__`, a Keras `build`), or Keras traces it (`call`,
    /// `train_step` & co. of a Keras or `tf.Module` class). A function
    /// called in such a loop is not hot for it.
    pub setup_or_traced: bool,
    pub params: Vec<String>,
    pub culprits: Vec<LineCulprit>,
    pub conditionals: Vec<LineConditional>,
    pub generator: Option<u32>,
    pub returns: LineReturns,
    /// The kind of each parameter's default, when some parameter has one;
    /// empty otherwise.
    pub defaults: Box<[Option<ParamKind>]>,
    pub calls: Vec<CallSummary>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct LineConditional {
    pub param: usize,
    pub rule: ParamRule,
    pub line: u32,
    pub what: String,
    /// The method called, for a method call on the parameter.
    pub method: Option<Box<str>>,
    /// Whether `param` is the class constructor's parameter (stored in an
    /// attribute) rather than the function's own.
    #[serde(default)]
    pub of_constructor: bool,
}

/// [`crate::semantic::effects::Returns`], with lines.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct LineReturns {
    #[serde(deserialize_with = "crate::cache::intern::line_and_static_str")]
    pub python: Option<(u32, &'static str)>,
    pub params: u64,
    pub params_at: Option<u32>,
    pub unknown: Option<u32>,
    /// The calls (by index in the function's calls) whose results are
    /// returned, with the line of the `return`.
    pub calls: Vec<(u32, u32)>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct CallSummary {
    pub callee: Callee,
    pub line: u32,
    pub in_loop: bool,
    pub bound: bool,
    /// `None` once a `*args` hides the positions. (Boxed slices: a large
    /// run holds every call's, and a `Vec` is a word longer.)
    pub args: Box<[Option<ParamKind>]>,
    /// Keyword names are copied out of the tree, never shared with it (a
    /// `Name` clone shares its text with the tree's, which the parse arena
    /// reuses once the tree is gone: see [`crate::arena`]).
    pub keywords: Box<[(Box<str>, ParamKind)]>,
    /// Arguments that pass a parameter of the calling function on as it
    /// is (`g(x)` in `def f(x)`): (slot, parameter of the caller), where a
    /// slot below `args.len()` is a position and the others index
    /// `keywords` after the positions. The propagation gives them the kind
    /// the caller's own call sites give that parameter.
    pub forwarded: Box<[(u16, u16)]>,
}

impl ModuleSummary {
    /// Its calls as if none were in a loop, and the values they pass as
    /// constants: for a file whose loops are not the program's (a test
    /// file analysed for its call sites).
    pub fn forget_loops(&mut self) {
        let calls = self.functions.iter_mut().flat_map(|f| f.calls.iter_mut());
        for call in calls.chain(self.module_calls.iter_mut()) {
            call.in_loop = false;
            // Nor does a value it sweeps change between the program's calls:
            // it is one more constant.
            let kinds = call
                .args
                .iter_mut()
                .flatten()
                .chain(call.keywords.iter_mut().map(|(_, kind)| kind));
            for kind in kinds {
                if let ParamKind::Primitive { varies_at, .. } = kind {
                    if varies_at.is_some() {
                        *varies_at = Some(0);
                    }
                }
            }
        }
    }

    pub fn new(model: &SemanticModel, source: &str, path: &Path) -> Self {
        let offsets = model
            .effects
            .iter()
            .flat_map(|effects| {
                let culprits = effects.culprits.iter().map(|c| c.offset);
                let conditionals = effects.conditionals.iter().map(|c| c.offset);
                let calls = effects.calls.iter().map(|c| c.offset);
                let returns = &effects.returns;
                let returns = returns
                    .python
                    .map(|(offset, _)| offset)
                    .into_iter()
                    .chain(returns.params_at)
                    .chain(returns.unknown)
                    .chain(returns.calls.iter().map(|&(_, offset)| offset));
                culprits
                    .chain(conditionals)
                    .chain(effects.generator)
                    .chain(returns)
                    .chain(calls)
            })
            .chain(model.module_call_effects.iter().map(|c| c.offset))
            .collect();
        let lines = Lines::new(source, offsets);
        let line = |offset: TextSize| lines.line(offset);
        let class_name = |class: usize| model.classes[class].qualified_name.clone();
        let function_name = |function: usize| model.functions[function].qualified_name.clone();
        let call = |call: &Call| {
            let at = line(call.offset);
            CallSummary {
                callee: call.callee.clone(),
                line: at,
                in_loop: call.in_loop,
                bound: call.bound,
                args: call
                    .args
                    .iter()
                    .map(|arg| {
                        arg.as_ref().map(|value| {
                            ParamKind::of_argument(value, at, &class_name, &function_name)
                        })
                    })
                    .collect(),
                keywords: call
                    .keywords
                    .iter()
                    .map(|(name, value)| {
                        (
                            Box::from(name.as_str()),
                            ParamKind::of_argument(value, at, &class_name, &function_name),
                        )
                    })
                    .collect(),
                forwarded: call
                    .args
                    .iter()
                    .map(Option::as_ref)
                    .chain(call.keywords.iter().map(|(_, value)| Some(value)))
                    .enumerate()
                    .filter_map(|(slot, value)| match value {
                        Some(&Value::Param(param)) => {
                            Some((u16::try_from(slot).ok()?, u16::try_from(param).ok()?))
                        }
                        _ => None,
                    })
                    .collect(),
            }
        };
        let layers = layer_classes(model);
        let functions = model
            .functions
            .iter()
            .zip(&model.effects)
            .map(|(function, effects)| FunctionSummary {
                qualified_name: function.qualified_name.clone(),
                graph: function.graph.is_some(),
                has_self: effects.params.len()
                    < function.def.parameters.iter_non_variadic_params().count(),
                setup_or_traced: setup_or_traced(model, function, &layers),
                params: effects.params.clone(),
                culprits: effects
                    .culprits
                    .iter()
                    .map(|c| LineCulprit {
                        effect: c.effect,
                        line: line(c.offset),
                        what: c.what.clone(),
                    })
                    .collect(),
                conditionals: effects
                    .conditionals
                    .iter()
                    .map(|c| LineConditional {
                        param: c.param,
                        rule: c.rule,
                        line: line(c.offset),
                        what: c.what.clone(),
                        method: c.method.clone(),
                        of_constructor: c.of_constructor,
                    })
                    .collect(),
                generator: effects.generator.map(line),
                defaults: effects
                    .param_defaults
                    .iter()
                    .map(|default| {
                        default.as_ref().map(|value| {
                            ParamKind::of_argument(value, 0, &class_name, &function_name)
                        })
                    })
                    .collect(),
                returns: LineReturns {
                    python: effects
                        .returns
                        .python
                        .map(|(offset, what)| (line(offset), what)),
                    params: effects.returns.params,
                    params_at: effects.returns.params_at.map(line),
                    unknown: effects.returns.unknown.map(line),
                    calls: effects
                        .returns
                        .calls
                        .iter()
                        .map(|&(index, offset)| (index, line(offset)))
                        .collect(),
                },
                calls: effects.calls.iter().map(call).collect(),
            })
            .collect();
        let classes = model
            .classes
            .iter()
            .enumerate()
            .map(|(id, class)| ClassSummary {
                qualified_name: class.qualified_name.clone(),
                bases: class.bases.clone(),
                tf: model.is_tf_class(id),
            })
            .collect();
        let class_imports = model
            .imports
            .bindings()
            .filter(|(local, _)| local.starts_with(|c: char| c.is_ascii_uppercase()))
            .map(|(local, qualified)| (local.to_string(), qualified.to_string()))
            .collect();
        let star_imports = model
            .module_body()
            .iter()
            .filter_map(|stmt| match stmt {
                ruff_python_ast::Stmt::ImportFrom(import)
                    if import
                        .names
                        .iter()
                        .any(|alias| alias.name.id.as_str() == "*") =>
                {
                    let module = import.module.as_ref().map_or("", |m| m.id.as_str());
                    Some(format!("{}{module}", ".".repeat(import.level as usize)))
                }
                _ => None,
            })
            .collect();
        Self {
            path: crate::source::display(path),
            names: module_names(path),
            functions,
            module_calls: model.module_call_effects.iter().map(call).collect(),
            classes,
            class_imports,
            star_imports,
            package_parts: package_parts(path),
        }
    }

    /// The summary of `model`, the module in the file at `path`, as the
    /// propagation over the run reads it (see [`ModuleSummary::named_after`]).
    pub fn of_file(model: &SemanticModel, source: &str, path: &Path) -> Self {
        let mut summary = Self::new(model, source, path);
        summary.resolve_relative_imports(path);
        summary
    }

    /// The summary as the propagation over the run reads it: named after
    /// the file at `path` (a summary built before its path was known is
    /// named ""), with the callees named through relative imports made
    /// absolute.
    pub fn named_after(mut self, path: &Path) -> Self {
        self.name_after(path);
        self.resolve_relative_imports(path);
        self
    }

    /// Names the summary after the file at `path`.
    fn name_after(&mut self, path: &Path) {
        self.path = crate::source::display(path);
        self.names = module_names(path);
        self.package_parts = package_parts(path);
    }

    /// Whether an import in the module at `importer` (a path as in
    /// [`ModuleSummary::path`]) of this module's name with `parts` dotted
    /// parts means this module. A name from its package root (or longer)
    /// does, from anywhere. A shorter one (`h5py` for `pkg/h5py.py`), or
    /// any name of a module outside a package, only from a file in the
    /// folder where that name starts or below it (a script there, or one
    /// run from there, has that folder on `sys.path`); elsewhere it more
    /// likely means an installed package of the same name.
    pub fn importable_as(&self, parts: usize, importer: &str) -> bool {
        importable_as(&self.path, self.package_parts, parts, importer)
    }
}

/// [`ModuleSummary::importable_as`] for the module at `path` (as shown in
/// messages) with `package_parts` parts from its package root.
pub fn importable_as(path: &str, package_parts: usize, parts: usize, importer: &str) -> bool {
    let is_init = path.ends_with("/__init__.py") || path == "__init__.py";
    if parts >= package_parts && (is_init || package_parts > 1) {
        return true;
    }
    // The folder the name starts in: the path without as many parts
    // (the file is one; an `__init__.py` and its folder are one more).
    let module_parts = if is_init { parts + 1 } else { parts };
    let mut root = path;
    for _ in 0..module_parts {
        if root.is_empty() {
            return false;
        }
        root = root.rfind('/').map_or("", |slash| &root[..slash]);
    }
    let importer_folder = importer.rsplit_once('/').map_or("", |(folder, _)| folder);
    root.is_empty()
        || importer_folder == root
        || importer_folder
            .strip_prefix(root)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// The number of dotted parts of the module at `path` from the root of its
/// package: 1 for a module outside any package, plus one for each enclosing
/// folder with an `__init__.py` (an `__init__.py` names its folder).
pub fn package_parts(path: &Path) -> usize {
    let is_init = path.file_name().is_some_and(|name| name == "__init__.py");
    let mut parts = 1;
    let mut folder = path.parent();
    if is_init {
        folder = folder.and_then(Path::parent);
    }
    while let Some(dir) = folder.filter(|dir| !dir.as_os_str().is_empty()) {
        if !is_package(dir) {
            break;
        }
        parts += 1;
        folder = dir.parent();
    }
    parts
}

/// Whether `dir` holds an `__init__.py`. Asked once per folder in a
/// process: every module of a folder asks it, and each ask is a system call.
fn is_package(dir: &Path) -> bool {
    use std::sync::{Mutex, OnceLock};
    static KNOWN: OnceLock<Mutex<rustc_hash::FxHashMap<std::path::PathBuf, bool>>> =
        OnceLock::new();
    let known = KNOWN.get_or_init(Default::default);
    if let Some(&is) = known.lock().expect("package folders").get(dir) {
        return is;
    }
    let is = dir.join("__init__.py").is_file();
    known
        .lock()
        .expect("package folders")
        .insert(dir.to_path_buf(), is);
    is
}

/// The one-based lines of the offsets a summary needs, as
/// [`LineIndex::line_index`] gives them: found in one pass over the text up
/// to the last of them, without an index of every line.
struct Lines {
    /// Sorted, without repeats.
    offsets: Vec<TextSize>,
    lines: Vec<u32>,
}

impl Lines {
    fn new(source: &str, mut offsets: Vec<TextSize>) -> Self {
        offsets.sort_unstable();
        offsets.dedup();
        let bytes = source.as_bytes();
        let mut line = 1u32;
        let mut from = 0;
        let mut carriage_return = false;
        let mut lines: Vec<u32> = offsets
            .iter()
            .map(|&offset| {
                let to = usize::from(offset).clamp(from, bytes.len());
                let (newlines, returns) = line_ends(&bytes[from..to]);
                line += newlines;
                carriage_return |= returns;
                from = to;
                line
            })
            .collect();
        if carriage_return {
            // `\r` and `\r\n` end lines too: the index knows how.
            let index = LineIndex::from_source_text(source);
            lines = offsets
                .iter()
                .map(|&offset| u32::try_from(index.line_index(offset).get()).unwrap_or(0))
                .collect();
        }
        Self { offsets, lines }
    }

    fn line(&self, offset: TextSize) -> u32 {
        self.offsets
            .binary_search(&offset)
            .map_or(0, |i| self.lines[i])
    }
}

/// How many `\n` `bytes` has, and whether it has a `\r`: counted in blocks
/// that the compiler turns into vector instructions.
fn line_ends(bytes: &[u8]) -> (u32, bool) {
    let mut total = 0u32;
    let mut returns = 0u8;
    for block in bytes.chunks(255) {
        let mut count = 0u8;
        for &byte in block {
            count += u8::from(byte == b'\n');
            returns |= u8::from(byte == b'\r');
        }
        total += u32::from(count);
    }
    (total, returns != 0)
}

impl ModuleSummary {
    /// Rewrites the callees named through relative imports (`.utils.f`) to
    /// absolute names, against the package of the file at `path`. A name
    /// that climbs above what the path shows stays relative: unresolved.
    pub fn resolve_relative_imports(&mut self, path: &Path) {
        let is_package = path.file_stem().is_some_and(|stem| stem == "__init__");
        let calls = self
            .functions
            .iter_mut()
            .flat_map(|f| f.calls.iter_mut())
            .chain(self.module_calls.iter_mut());
        let names = &self.names;
        let absolute = |name: &mut String| {
            if name.starts_with('.') {
                if let Some(absolute) = absolute_name(name, names, is_package) {
                    *name = absolute;
                }
            }
        };
        for call in calls {
            if let Callee::External(name) = &mut call.callee {
                absolute(name);
            }
        }
        for class in &mut self.classes {
            class.bases.iter_mut().for_each(absolute);
        }
        for (_, qualified) in &mut self.class_imports {
            absolute(qualified);
        }
        self.star_imports.iter_mut().for_each(absolute);
    }
}

/// The absolute name of `relative` (`..pkg.mod.f`, with one dot per level)
/// imported in a module whose longest dotted name is the last of `names`
/// (`is_package` for an `__init__.py`): `.utils.f` in `app/pkg/mod.py` is
/// `app.pkg.utils.f`. `None` when it climbs above the known names.
pub fn absolute_name(relative: &str, names: &[String], is_package: bool) -> Option<String> {
    let rest = relative.trim_start_matches('.');
    let level = relative.len() - rest.len();
    let full = names.last()?;
    let mut package: Vec<&str> = full.split('.').collect();
    if !is_package {
        package.pop();
    }
    for _ in 1..level {
        package.pop()?;
    }
    if package.is_empty() {
        return (!rest.is_empty()).then(|| rest.to_string());
    }
    let package = package.join(".");
    Some(if rest.is_empty() {
        package
    } else {
        format!("{package}.{rest}")
    })
}

/// The dotted names a file could be imported as: `a/b/pkg/mod.py` is `mod`,
/// `pkg.mod`, `b.pkg.mod` and `a.b.pkg.mod`; `pkg/__init__.py` is `pkg`.
pub fn module_names(path: &Path) -> Vec<String> {
    // A notebook cannot be imported.
    if crate::notebook::is_notebook(path) {
        return Vec::new();
    }
    let stem = path.with_extension("");
    let mut parts: Vec<std::borrow::Cow<str>> = stem
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(part) => Some(part.to_string_lossy()),
            _ => None,
        })
        .collect();
    if parts.last().is_some_and(|last| last == "__init__") {
        parts.pop();
    }
    let mut names = Vec::new();
    let mut start = parts.len();
    while start > 0 && is_identifier(&parts[start - 1]) {
        start -= 1;
        names.push(parts[start..].join("."));
    }
    names
}

fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

/// See [`FunctionSummary::setup_or_traced`].
fn setup_or_traced(
    model: &SemanticModel,
    function: &crate::semantic::Function,
    layers: &[bool],
) -> bool {
    let Some(class) = function.class else {
        return false;
    };
    let name = function.def.name.id.as_str();
    let bases = &model.classes[class].bases;
    // A layer's methods run where its `call` runs: traced by Keras.
    name == "__init__"
        || layers[class]
        || ((model.is_tf_class(class) || !bases.is_empty())
            && matches!(
                name,
                "build" | "call" | "train_step" | "test_step" | "predict_step"
            ))
}

/// Per class of the module: whether it is a Keras layer as far as the
/// module shows: a base named `...Layer` (a project class of another module
/// may be one: `classes.rs` follows those), or a class of the module that is
/// one.
fn layer_classes(model: &SemanticModel) -> Vec<bool> {
    let mut layers: Vec<bool> = model
        .classes
        .iter()
        .map(|class| class.bases.iter().any(|base| names_a_layer(base)))
        .collect();
    if layers.iter().all(|&layer| !layer) {
        return layers;
    }
    let by_name: rustc_hash::FxHashMap<&str, usize> = model
        .classes
        .iter()
        .enumerate()
        .map(|(c, class)| (class.qualified_name.as_str(), c))
        .collect();
    // Each round marks one more class at least, or ends.
    loop {
        let mut changed = false;
        for (c, class) in model.classes.iter().enumerate() {
            if !layers[c]
                && class
                    .bases
                    .iter()
                    .any(|base| by_name.get(base.as_str()).is_some_and(|&b| layers[b]))
            {
                layers[c] = true;
                changed = true;
            }
        }
        if !changed {
            return layers;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_those_of_the_line_index() {
        for source in [
            "a\nbb\n\nccc\n",
            "a\r\nb\rc\n\nd",
            "\u{feff}x = 1\ny = 2\n",
            "",
            "no newline",
            &"x = 1\n".repeat(300),
        ] {
            let index = LineIndex::from_source_text(source);
            let offsets: Vec<TextSize> = (0..=source.len())
                .rev()
                .filter(|&o| source.is_char_boundary(o))
                .map(|o| TextSize::try_from(o).unwrap())
                .collect();
            let lines = Lines::new(source, offsets.clone());
            for offset in offsets {
                assert_eq!(
                    lines.line(offset),
                    u32::try_from(index.line_index(offset).get()).unwrap(),
                    "{source:?} at {offset:?}"
                );
            }
        }
    }

    #[test]
    fn short_names_are_importable_only_under_their_folder() {
        let module = |path: &str, package_parts: usize| ModuleSummary {
            path: path.to_string(),
            package_parts,
            ..ModuleSummary::default()
        };
        // `pkg/h5py.py` in package `pkg`: `pkg.h5py` anywhere, `h5py` only
        // under `pkg/`.
        let h5py = module("src/pkg/h5py.py", 2);
        assert!(h5py.importable_as(2, "src/app/train.py"));
        assert!(!h5py.importable_as(1, "src/app/train.py"));
        assert!(h5py.importable_as(1, "src/pkg/run.py"));
        assert!(h5py.importable_as(1, "src/pkg/sub/run.py"));
        assert!(!h5py.importable_as(1, "src/pkgx/run.py"));
        // A package's `__init__.py` names its folder.
        let init = module("src/pkg/__init__.py", 1);
        assert!(init.importable_as(1, "src/app/train.py"));
        // A module outside any package: under its folder only.
        let utils = module("src/scripts/utils.py", 1);
        assert!(utils.importable_as(1, "src/scripts/train.py"));
        assert!(!utils.importable_as(1, "src/app/train.py"));
        assert!(utils.importable_as(2, "src/app/train.py"));
        // No name has more parts than the path.
        assert!(!utils.importable_as(4, "src/app/train.py"));
    }

    #[test]
    fn module_names_are_every_dotted_suffix() {
        assert_eq!(
            module_names(Path::new("src/pkg/mod.py")),
            vec!["mod", "pkg.mod", "src.pkg.mod"]
        );
        assert_eq!(module_names(Path::new("./pkg/__init__.py")), vec!["pkg"]);
        assert_eq!(module_names(Path::new("my-dir/mod.py")), vec!["mod"]);
    }

    #[test]
    fn relative_names_resolve_against_the_package() {
        let names = module_names(Path::new("app/pkg/mod.py"));
        assert_eq!(
            absolute_name(".utils.f", &names, false).as_deref(),
            Some("app.pkg.utils.f")
        );
        assert_eq!(
            absolute_name("..other.g", &names, false).as_deref(),
            Some("app.other.g")
        );
        assert_eq!(absolute_name("...x", &names, false).as_deref(), Some("x"));
        assert_eq!(absolute_name("....x", &names, false), None);
        let init = module_names(Path::new("app/pkg/__init__.py"));
        assert_eq!(
            absolute_name(".mod.f", &init, true).as_deref(),
            Some("app.pkg.mod.f")
        );
        assert_eq!(absolute_name(".f", &[], false), None);
    }
}
