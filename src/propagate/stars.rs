//! Functions a module binds through its star imports (`from .matmul import
//! *` in `pkg/ops/__init__.py` makes `pkg.ops.modal_dot` the function of
//! `pkg/ops/matmul.py`), for the name table of the propagation: per module,
//! the functions of the modules it star-imports (each the one module of the
//! run its name can mean), and theirs in turn, built once per module on
//! first use. A name two of them define means none.

use std::sync::OnceLock;

use rustc_hash::FxHashMap as HashMap;

use super::summary::ModuleSummary;

/// Qualified name (within a module) → node, `None` when two functions
/// claim it.
pub(super) type Functions<'s> = HashMap<&'s str, Option<usize>>;

/// What the name table knows, which the star tables read.
pub(super) struct Modules<'t, 's> {
    pub(super) summaries: &'s [ModuleSummary],
    /// Every name a module can be imported as → the modules it may be.
    pub(super) by_name: &'t HashMap<&'s str, Vec<usize>>,
    /// Per module: its own functions.
    pub(super) functions: &'t [Functions<'s>],
}

/// Per module, the functions its star imports bind.
pub(super) struct StarTables<'s> {
    tables: Vec<OnceLock<Functions<'s>>>,
}

impl<'s> StarTables<'s> {
    pub(super) fn new(modules: usize) -> Self {
        Self {
            tables: (0..modules).map(|_| OnceLock::new()).collect(),
        }
    }

    /// The function `name` (qualified within the module) that module `m`
    /// binds through its star imports: `None` when it binds none,
    /// `Some(None)` when two.
    pub(super) fn get(
        &self,
        modules: &Modules<'_, 's>,
        m: usize,
        name: &str,
    ) -> Option<Option<usize>> {
        if modules.summaries[m].star_imports.is_empty() {
            return None;
        }
        if let Some(table) = self.tables[m].get() {
            return table.get(name).copied();
        }
        let (table, complete) = self.build(modules, m, &mut vec![m]);
        let found = table.get(name).copied();
        if complete {
            // Another thread may have built it meanwhile: the same table.
            let _ = self.tables[m].set(table);
        }
        found
    }

    /// The table of module `m`, and whether it is complete: a star import
    /// that leads back to a module being built (`visiting`) is left out,
    /// and the table, which then depends on where the search started, is
    /// not kept.
    fn build(
        &self,
        modules: &Modules<'_, 's>,
        m: usize,
        visiting: &mut Vec<usize>,
    ) -> (Functions<'s>, bool) {
        let summary = &modules.summaries[m];
        let mut table = Functions::default();
        let mut complete = true;
        let merge = |table: &mut Functions<'s>, name: &'s str, node: Option<usize>| {
            table
                .entry(name)
                .and_modify(|known| {
                    if *known != node {
                        *known = None;
                    }
                })
                .or_insert(node);
        };
        for star in &summary.star_imports {
            let Some(target) = one_module(modules, star, &summary.path) else {
                continue;
            };
            if visiting.contains(&target) {
                complete = false;
                continue;
            }
            for (&name, &node) in &modules.functions[target] {
                merge(&mut table, name, node);
            }
            if modules.summaries[target].star_imports.is_empty() {
                continue;
            }
            if let Some(theirs) = self.tables[target].get() {
                for (&name, &node) in theirs {
                    merge(&mut table, name, node);
                }
                continue;
            }
            visiting.push(target);
            let (theirs, theirs_complete) = self.build(modules, target, visiting);
            visiting.pop();
            complete &= theirs_complete;
            for (&name, &node) in &theirs {
                merge(&mut table, name, node);
            }
            if theirs_complete {
                let _ = self.tables[target].set(theirs);
            }
        }
        (table, complete)
    }
}

/// The one module of the run `name`, imported in the module at `importer`,
/// can mean.
fn one_module(modules: &Modules, name: &str, importer: &str) -> Option<usize> {
    let parts = name.split('.').count();
    let mut found = modules
        .by_name
        .get(name)?
        .iter()
        .copied()
        .filter(|&m| modules.summaries[m].importable_as(parts, importer));
    let first = found.next()?;
    found.next().is_none().then_some(first)
}
