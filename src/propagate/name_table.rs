//! Project functions by the names calls use: a table per module, the
//! functions star imports bind, and where a call through a parameter that
//! receives instances of a project class leads.

use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;

use super::stars::{Modules, StarTables};
use super::summary::{LineConditional, ModuleSummary};
use crate::names::concat;
use crate::semantic::effects::ParamRule;
use crate::semantic::kinds::ParamKind;

/// Qualified name (`pkg.mod.f`, `mod.Model.call`) → node, for every name a
/// module could be imported as; `None` when two modules claim the name.
/// Project functions by the dotted names calls use (`pkg.mod.f`,
/// `mod.Class.method`), borrowing the summaries' own strings. A name that
/// could mean more than one function resolves to none.
pub(super) struct NameTable<'s> {
    summaries: &'s [ModuleSummary],
    /// Every name a module can be imported as → the modules it may be.
    modules: HashMap<&'s str, Vec<usize>>,
    /// Per module: qualified name → node (`None` when defined twice).
    functions: Vec<HashMap<&'s str, Option<usize>>>,
    /// Each module's first node.
    first_node: Vec<usize>,
    /// Per module: the functions its star imports bind.
    stars: StarTables<'s>,
}

impl<'s> NameTable<'s> {
    /// Whether no name leads to a module: every external call is unknown.
    pub(super) fn is_empty(&self) -> bool {
        self.modules.is_empty()
    }

    pub(super) fn new(modules: &'s [ModuleSummary], first_node: &[usize]) -> Self {
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
                first_node: first_node.to_vec(),
                stars: StarTables::new(0),
            };
        }
        let table = |(m, module): (usize, &'s ModuleSummary)| {
            let mut table: HashMap<&'s str, Option<usize>> = HashMap::default();
            table.reserve(module.functions.len());
            for (f, function) in module.functions.iter().enumerate() {
                table
                    .entry(function.qualified_name.as_str())
                    .and_modify(|slot| *slot = None)
                    .or_insert(Some(first_node[m] + f));
            }
            table
        };
        let functions = modules.par_iter().enumerate().map(table).collect();
        Self {
            summaries: modules,
            modules: by_module,
            functions,
            stars: StarTables::new(modules.len()),
            first_node: first_node.to_vec(),
        }
    }

    /// The function of module `module` whose qualified name is `name`, if
    /// exactly one.
    pub(super) fn in_module(&self, module: usize, name: &str) -> Option<usize> {
        if let Some(table) = self.functions.get(module) {
            return table.get(name).copied().flatten();
        }
        // A run whose modules have no names keeps no tables: look the
        // function up in its module's summary.
        let functions = &self.summaries.get(module)?.functions;
        let mut found = functions
            .iter()
            .enumerate()
            .filter(|(_, f)| f.qualified_name == name);
        match (found.next(), found.next()) {
            (Some((f, _)), None) => Some(self.first_node[module] + f),
            _ => None,
        }
    }

    /// The function `name` means in `importer` (a path), if exactly one:
    /// defined in the module a prefix of the name means, or bound there by
    /// a star import ([`StarTables`]).
    pub(super) fn get(&self, name: &str, importer: &str) -> Option<usize> {
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
                let rest = &name[dot + 1..];
                let own = self.functions[module].get(rest).copied();
                let modules = Modules {
                    summaries: self.summaries,
                    by_name: &self.modules,
                    functions: &self.functions,
                };
                // Defined and star-imported too: which one is bound depends
                // on the order of the statements.
                let function = match (own, self.stars.get(&modules, module, rest)) {
                    (Some(own), Some(starred)) if own != starred => Some(None),
                    (own, starred) => own.or(starred),
                };
                match function {
                    Some(Some(node)) => {
                        matches += 1;
                        found = Some(node);
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

/// The function a call through a parameter leads to, when every caller
/// passes an instance of the same project class and the class has the
/// method (`call`, then `__call__`, for a call of the instance itself).
pub(super) fn param_call_target(
    kind: &ParamKind,
    conditional: &LineConditional,
    by_name: &NameTable,
    modules: &[ModuleSummary],
) -> Option<usize> {
    if !matches!(conditional.rule, ParamRule::Call | ParamRule::MethodCall) {
        return None;
    }
    if let ParamKind::Function(function) = kind {
        if conditional.rule != ParamRule::Call {
            return None;
        }
        let module = usize::try_from(function.module).ok()?;
        return if function.local {
            by_name.in_module(module, &function.class)
        } else {
            by_name.get(&function.class, &modules.get(module)?.path)
        };
    }
    let ParamKind::Instance(instance) = kind else {
        return None;
    };
    let module = usize::try_from(instance.module).ok()?;
    let methods: &[&str] = match conditional.method.as_deref() {
        Some(method) => &[method][..],
        None => &["call", "__call__"],
    };
    methods.iter().find_map(|method| {
        let name = concat(&[&instance.class, ".", method]);
        if instance.local {
            by_name.in_module(module, &name)
        } else {
            by_name.get(&name, &modules.get(module)?.path)
        }
    })
}
