//! What a write does: assignments, augmented assignments, `del`, loop
//! targets and `with ... as` bindings, as local values the walker follows or
//! as writes to state that outlives the call (a global, a nonlocal, an
//! attribute of `self` or of an argument).

use ruff_python_ast::visitor::Visitor;
use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::Ranged;

use super::locals::LocalNames;
use super::walker::Walker;
use super::words::{Owner, ReceiverText};
use super::{Effect, ParamRule};
use crate::semantic::kinds::{
    element_value, forget_shape, knows_shape, Structure, TensorInfo, Value,
};

impl<'a> Walker<'_, 'a> {
    /// When `expr` (a receiver or assignment target) belongs to an object
    /// that outlives the call, the words for it ("the global `history`").
    pub(super) fn long_lived_owner<'e>(&self, expr: &'e Expr) -> Option<Owner<'e>> {
        let mut root = expr;
        loop {
            root = match root {
                Expr::Attribute(attribute) => &attribute.value,
                Expr::Subscript(subscript) => &subscript.value,
                Expr::Call(call) => &call.func,
                _ => break,
            };
        }
        let Expr::Name(name) = root else {
            return None;
        };
        let name = name.id.as_str();
        let shown = ReceiverText(expr);
        if Some(name) == self.self_name {
            return (!self.in_init).then_some(Owner::SelfAttribute(shown));
        }
        if self.at_module_level() {
            return None;
        }
        if self.param_index(name).is_some() {
            // `inputs = tf.nest.flatten(inputs)` first: a new list of its own.
            if self.values.get(name).is_some_and(Value::is_fresh) {
                return None;
            }
            return Some(Owner::Argument(shown));
        }
        if self.locals.contains(name) {
            if self.made_here.get(name) == Some(&true) {
                return None;
            }
            return match self.values.get(name) {
                Some(value @ Value::Container(_)) if value.is_fresh() => None,
                Some(Value::Instance(_) | Value::Primitive { .. } | Value::Tensor(_)) => None,
                _ => Some(Owner::Local(shown)),
            };
        }
        if self.globals.contains(name) || self.module.globals.contains_key(name) {
            return Some(Owner::Global(shown));
        }
        Some(Owner::Enclosing(shown))
    }

    /// Notes, before `target = expr` is written, whether it binds a local
    /// name to a new NumPy array (a constructor such as `np.ones`,
    /// `np.array` or `np.zeros_like`, `.copy()`, or arithmetic on an array)
    /// or a new TensorFlow object ([`Walker::constructs_object`]):
    /// [`Walker::on_write`] takes it. Any other write of the name makes it
    /// possibly shared from then on.
    pub(super) fn note_made_here(&mut self, target: &'a Expr, expr: &Expr, value: &Value) {
        if let Expr::Name(name) = target {
            let new_object = matches!(value, Value::Object(_)) && self.constructs_object(expr);
            if new_object || (matches!(value, Value::NdArray(_)) && self.makes_new_array(expr)) {
                self.new_made_here = Some(name.id.as_str());
            }
        }
    }

    fn makes_new_array(&self, expr: &Expr) -> bool {
        match expr {
            Expr::BinOp(_) => true,
            Expr::Call(call) => {
                if let Expr::Attribute(attribute) = call.func.as_ref() {
                    if attribute.attr.id.as_str() == "copy" && call.arguments.is_empty() {
                        return true;
                    }
                }
                self.model
                    .imports
                    .with_resolved(&call.func, |qualified| {
                        qualified.strip_prefix("numpy.").is_some_and(|function| {
                            matches!(
                                function,
                                "ones"
                                    | "zeros"
                                    | "empty"
                                    | "full"
                                    | "array"
                                    | "arange"
                                    | "linspace"
                                    | "eye"
                                    | "identity"
                                    | "ones_like"
                                    | "zeros_like"
                                    | "empty_like"
                                    | "full_like"
                                    | "copy"
                                    | "concatenate"
                                    | "stack"
                                    | "vstack"
                                    | "hstack"
                                    | "tile"
                                    | "repeat"
                            )
                        })
                    })
                    .unwrap_or(false)
            }
            _ => false,
        }
    }

    /// Whether `expr` constructs a TensorFlow or Keras object
    /// (`tf.compat.v1.NodeDef()`, `tf.keras.layers.Dense(3)`): a new
    /// object, nobody else's yet.
    fn constructs_object(&self, expr: &Expr) -> bool {
        let Expr::Call(call) = expr else {
            return false;
        };
        self.model
            .imports
            .with_resolved(&call.func, |qualified| {
                crate::semantic::kinds::ObjectKind::built_by(qualified).is_some()
            })
            .unwrap_or(false)
    }

    pub(super) fn on_write(&mut self, target: &'a Expr, value: Option<Value>) {
        let offset = target.start();
        match target {
            Expr::Name(name) => {
                let id = name.id.as_str();
                // A name never bound to a new array is no entry (not fresh).
                if self.new_made_here.take() == Some(id) {
                    let first = !self.values.contains_key(id);
                    self.made_here.entry(id).or_insert(first);
                } else if let Some(all_fresh) = self.made_here.get_mut(id) {
                    *all_fresh = false;
                }
                if self.at_module_level() || self.locals.contains(id) {
                    let value = value.unwrap_or(Value::Unknown);
                    let module_level = self.at_module_level();
                    let stmt_depth = self.stmt_depth;
                    // One look-up, whether the name was written before or not.
                    // A parameter rebound under a condition or in a loop
                    // may still hold what the caller passed.
                    let value = match self.param_index(id) {
                        Some(index)
                            if !module_level && stmt_depth > 1 && !self.values.contains_key(id) =>
                        {
                            value.join(&Value::Param(index))
                        }
                        _ => value,
                    };
                    let previous = match self.values.entry(id) {
                        std::collections::hash_map::Entry::Occupied(entry) => entry.into_mut(),
                        std::collections::hash_map::Entry::Vacant(entry) => {
                            entry.insert(value);
                            return;
                        }
                    };
                    *previous = match &*previous {
                        previous if !module_level => previous.join(&value),
                        // A module-level write under a condition or in a
                        // loop may not happen: what is known of a tensor's
                        // dtype and shape must hold for the old value too.
                        previous if stmt_depth > 1 => match (previous, value) {
                            (Value::Tensor(a), Value::Tensor(b)) => Value::Tensor(a.join(&b)),
                            (previous @ Value::NdArray(_), value @ Value::NdArray(_)) => {
                                previous.join(&value)
                            }
                            (_, value) => forget_shape(value),
                        },
                        _ => value,
                    };
                } else if self.globals.contains(id) {
                    self.add(
                        Effect::StateWrite,
                        offset,
                        format_args!("writes to the global `{id}`"),
                    );
                } else if self.nonlocals.contains(id) {
                    self.add(
                        Effect::StateWrite,
                        offset,
                        format_args!("writes to the nonlocal `{id}`"),
                    );
                }
            }
            Expr::Attribute(attribute) => {
                if self.self_attributes.is_some() && self.is_self(&attribute.value) {
                    if let (true, Some(Value::Param(index))) = (self.in_init, &value) {
                        self.param_attributes
                            .push((attribute.attr.id.as_str().into(), *index));
                    }
                    // A parameter of this method means nothing in another
                    // one (what the constructions pass is joined later).
                    let stored = value
                        .as_ref()
                        .map_or(Value::Unknown, Value::outside_its_function);
                    if let Some(attributes) = &mut self.self_attributes {
                        attributes.push((attribute.attr.id.as_str().into(), stored));
                    }
                }
                if let Some(owner) = self.long_lived_owner(target) {
                    let effect = if self.is_self(&attribute.value)
                        || matches!(attribute.value.as_ref(), Expr::Name(n) if self.globals.contains(n.id.as_str()))
                    {
                        Effect::StateWrite
                    } else {
                        Effect::SideEffect
                    };
                    self.add(effect, offset, format_args!("writes to {owner}"));
                }
            }
            Expr::Subscript(subscript) => {
                // `shape[i] = dynamic[i]`: what a local container holds.
                if let (Expr::Name(name), Some(value)) = (subscript.value.as_ref(), &value) {
                    if let Some(Value::Container(container)) = self.values.get_mut(name.id.as_str())
                    {
                        container.element = container.element.join(value);
                    }
                }
                if let Some(owner) = self.long_lived_owner(target) {
                    self.add(Effect::SideEffect, offset, format_args!("mutates {owner}"));
                }
            }
            Expr::Tuple(tuple) => {
                for element in &tuple.elts {
                    self.on_write(element, None);
                }
            }
            Expr::List(list) => {
                for element in &list.elts {
                    self.on_write(element, None);
                }
            }
            Expr::Starred(starred) => self.on_write(&starred.value, None),
            _ => {}
        }
    }

    /// Before a loop body: a name the body assigns may carry the value of
    /// the previous iteration into a read before the assignment, so what is
    /// known of its tensor's dtype and shape no longer holds.
    pub(super) fn forget_loop_carried(&mut self, body: &'a [Stmt]) {
        // Nothing to forget when no value knows a shape; but asking costs
        // as many names as the function has, per loop: past a few dozen,
        // walking the loop's body is the cheaper way (same result).
        if self.values.len() <= 32 && !self.values.values().any(knows_shape) {
            return;
        }
        let mut assigned = LocalNames::new(self.model.has_walrus);
        assigned.visit_body(body);
        for name in assigned.assigned {
            if let Some(value) = self.values.get_mut(name) {
                if knows_shape(value) {
                    *value = forget_shape(std::mem::replace(value, Value::Unknown));
                }
            }
        }
    }

    /// The value each loop target takes.
    pub(super) fn loop_target(&mut self, target: &'a Expr, iter: &Expr) {
        let counter = Value::Primitive {
            literal: None,
            varies: true,
        };
        if let Expr::Call(call) = iter {
            if let Expr::Name(name) = call.func.as_ref() {
                match name.id.as_str() {
                    "range" => {
                        if let Expr::Name(name) = target {
                            self.counters.push(name.id.as_str());
                        }
                        return self.on_write(target, Some(counter));
                    }
                    "enumerate" => {
                        if let Expr::Tuple(tuple) = target {
                            let element = call
                                .arguments
                                .args
                                .first()
                                .map(|iterable| self.value(iterable).element());
                            if let Some(first) = tuple.elts.first() {
                                self.on_write(first, Some(counter));
                            }
                            if let [_, second] = &tuple.elts[..] {
                                self.on_write(second, element);
                            } else {
                                for rest in tuple.elts.iter().skip(1) {
                                    self.on_write(rest, None);
                                }
                            }
                            return;
                        }
                    }
                    _ => {}
                }
            }
        }
        let element = match self.value(iter) {
            // A `tf.data` dataset of known elements: `for x, y in dataset`.
            Value::Tensor(TensorInfo {
                element: Some(element),
                ..
            }) => {
                if let (Expr::Tuple(targets), Structure::Tuple(parts)) = (target, element.as_ref())
                {
                    if targets.elts.len() == parts.len() {
                        for (target, part) in targets.elts.iter().zip(parts) {
                            self.on_write(target, Some(element_value(part)));
                        }
                        return;
                    }
                }
                element_value(&element)
            }
            Value::Tensor(_) => Value::Tensor(TensorInfo::default()),
            Value::Param(index) => {
                self.param_conditional(
                    index,
                    ParamRule::IteratesIfTensor,
                    iter.start(),
                    "iterates over the parameter `",
                    "`",
                );
                Value::Unknown
            }
            Value::Container(container) => container.element,
            _ => Value::Unknown,
        };
        self.on_write(target, Some(element));
    }
}
