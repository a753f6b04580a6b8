//! What each of some chosen statements of one body does, walked where it
//! stands (after the statements before it, so that names have the values
//! they have there): its own effects, the calls it makes with what they
//! call, and the values of the names before and after it. A codemod that
//! moves statements into a new function asks this of a loop's body.

use rustc_hash::FxHashMap as HashMap;

use ruff_python_ast::visitor::Visitor;
use ruff_python_ast::{Expr, ExprCall, Stmt};
use ruff_text_size::{Ranged, TextRange};

use super::walker::{ModuleTables, Walker};
use super::watch::{Callee, StatementEffects, Watch};
use crate::semantic::kinds::Value;
use crate::semantic::{FunctionId, SemanticModel};

/// The effects of each statement of `function`'s body (or of module-level
/// code, for `None`) whose range is among `ranges`, in the order of
/// `ranges`; `None` for a range that is no statement of that body.
pub fn statement_effects(
    model: &SemanticModel,
    function: Option<FunctionId>,
    ranges: &[TextRange],
) -> Vec<Option<StatementEffects>> {
    let tables = ModuleTables::of(model);
    let mut walker = Walker::new(model, &model.values, &tables, function);
    walker.watch = Some(Box::new(Watch {
        ranges,
        found: vec![None; ranges.len()],
        active: Vec::new(),
    }));
    match function {
        Some(id) => walker.visit_body(&model.functions[id].def.body),
        None => walker.visit_body(model.module_body()),
    }
    walker.watch.map(|watch| watch.found).unwrap_or_default()
}

impl<'a> Walker<'_, 'a> {
    /// Walks a statement while some are watched: a watched one gets effects
    /// of its own.
    pub(super) fn visit_watched(&mut self, stmt: &'a Stmt) {
        let slot = self
            .watch
            .as_ref()
            .and_then(|watch| watch.ranges.iter().position(|r| *r == stmt.range()));
        let Some(slot) = slot else {
            return self.walk_statement(stmt);
        };
        let before = self.named_values();
        // Its culprits start afresh; the enclosing statement's are kept.
        let mut outer = std::mem::take(&mut self.effects);
        self.effects.params = std::mem::take(&mut outer.params);
        let outer_state_read = self.state_read.get_mut().take();
        if let Some(watch) = &mut self.watch {
            watch.active.push(slot);
            watch.found[slot] = Some(StatementEffects {
                range: stmt.range(),
                ..StatementEffects::default()
            });
        }
        self.walk_statement(stmt);
        if let Some((offset, what)) = self.state_read.get_mut().take() {
            self.add(super::Effect::PythonStateRead, offset, what);
        }
        *self.state_read.get_mut() = outer_state_read;
        outer.params = std::mem::take(&mut self.effects.params);
        let effects = std::mem::replace(&mut self.effects, outer);
        // What it does, its enclosing statement does too.
        for culprit in &effects.culprits {
            if self.effects.culprit(culprit.effect).is_none() {
                self.effects.culprits.push(culprit.clone());
            }
        }
        self.effects.calls.extend(effects.calls.iter().cloned());
        self.effects
            .conditionals
            .extend(effects.conditionals.iter().cloned());
        let after = self.named_values();
        if let Some(watch) = &mut self.watch {
            watch.active.pop();
            if let Some(found) = &mut watch.found[slot] {
                found.effects = effects;
                found.before = before;
                found.after = after;
            }
        }
    }

    /// Notes what a call in a watched statement calls.
    pub(super) fn note_callee(&mut self, call: &ExprCall) {
        if self
            .watch
            .as_ref()
            .is_none_or(|watch| watch.active.is_empty())
        {
            return;
        }
        let (method, value) = match call.func.as_ref() {
            Expr::Attribute(attribute) => (
                Some(attribute.attr.id.to_string()),
                self.value(&attribute.value),
            ),
            func => (None, self.value(func)),
        };
        let Some(watch) = &mut self.watch else { return };
        for &slot in &watch.active {
            if let Some(found) = &mut watch.found[slot] {
                found.callees.push(Callee {
                    offset: call.start(),
                    func: call.func.range(),
                    method: method.clone(),
                    value: value.clone(),
                });
            }
        }
    }

    fn named_values(&self) -> HashMap<String, Value> {
        self.values
            .iter()
            .map(|(name, value)| ((*name).to_string(), value.clone()))
            .collect()
    }
}
