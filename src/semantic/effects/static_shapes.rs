//! Python control flow on static shapes: `if x.shape.ndims == 3`,
//! `while len(x) > n`, `assert x.shape[0] is not None`,
//! `for i in range(x.shape[0])`, directly or through a local
//! (`expand = image.shape.ndims == 3` ... `if expand:`). Under `tf.function`
//! such a test is decided once per trace, with the shapes the trace is made
//! for: an `input_signature` with `None` dimensions, or a relaxed trace
//! (`reduce_retracing`), decides it for shapes of unknown size or rank,
//! differently from every call it serves.

use ruff_python_ast::visitor::{walk_expr, Visitor};
use ruff_python_ast::Expr;
use ruff_text_size::Ranged;

use super::walker::ShapeRead;
use super::walker::Walker;
use super::words::ReceiverText;
use super::Effect;
use crate::names::is_keras;
use crate::semantic::kinds::Value;

impl<'a> Walker<'_, 'a> {
    /// Records Python control flow on a static shape in `test` (the test
    /// of an `if`, `while`, `assert` or conditional expression, or what a
    /// `for` iterates).
    pub(super) fn static_shape_test(&mut self, test: &Expr) {
        if self.has(Effect::StaticShape) && self.has(Effect::StaticRank) {
            return;
        }
        let Some((read, tensor, through)) = self.find_static_read(test) else {
            return;
        };
        let (effect, what) = match read {
            ShapeRead::Rank => (Effect::StaticRank, "rank"),
            ShapeRead::Dims => (Effect::StaticShape, "shape"),
        };
        let through = through.map(|name| format!(" (through `{name}`)"));
        self.add(
            effect,
            test.start(),
            format_args!(
                "decides Python control flow on the static {what} of `{tensor}`{}",
                through.as_deref().unwrap_or_default()
            ),
        );
    }

    /// After `target = value`: remembers a local name that holds a static
    /// shape, for the tests that read it later.
    pub(super) fn static_shape_assign(&mut self, target: &'a Expr, value: &Expr) {
        if self.at_module_level() {
            return;
        }
        let Expr::Name(name) = target else {
            return;
        };
        if let Some((read, tensor, _)) = self.find_static_read(value) {
            self.static_names
                .push((name.id.as_str(), read, tensor.into_boxed_str()));
        }
    }

    /// The first static-shape read in `expr`: what it reads, the tensor
    /// (as written) and the local it goes through, if any.
    fn find_static_read(&self, expr: &Expr) -> Option<(ShapeRead, String, Option<String>)> {
        let mut finder = Finder {
            walker: self,
            found: None,
        };
        finder.visit_expr(expr);
        finder.found
    }

    /// Whether the shape of `receiver` may be a tensor's that a trace
    /// fixes: not a NumPy array or Python value, and not an attribute of
    /// `self` (a layer's own weights keep their shapes whatever the
    /// inputs).
    fn is_traced_tensor(&self, receiver: &Expr) -> bool {
        let mut root = receiver;
        while let Expr::Attribute(attribute) = root {
            root = &attribute.value;
        }
        if self.is_self(root) {
            return false;
        }
        matches!(
            self.value(receiver),
            Value::Tensor(_) | Value::Object(_) | Value::Param(_) | Value::Unknown
        )
    }

    /// `x` in `x.shape` or `x.get_shape()`.
    fn shape_of(expr: &Expr) -> Option<&Expr> {
        match expr {
            Expr::Attribute(attribute) if attribute.attr.id.as_str() == "shape" => {
                Some(&attribute.value)
            }
            Expr::Call(call) if call.arguments.is_empty() => match call.func.as_ref() {
                Expr::Attribute(attribute) if attribute.attr.id.as_str() == "get_shape" => {
                    Some(&attribute.value)
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// What `expr` itself reads of a static shape (not looking inside it).
    fn static_read_at(&self, expr: &Expr) -> Option<(ShapeRead, String, Option<String>)> {
        let found = |read, tensor: &Expr| Some((read, ReceiverText(tensor).to_string(), None));
        match expr {
            Expr::Attribute(attribute) => match attribute.attr.id.as_str() {
                "ndims" | "rank" => {
                    let tensor = Self::shape_of(&attribute.value)?;
                    self.is_traced_tensor(tensor)
                        .then(|| found(ShapeRead::Rank, tensor))?
                }
                "ndim" if self.is_traced_tensor(&attribute.value) => {
                    found(ShapeRead::Rank, &attribute.value)
                }
                "shape" if self.is_traced_tensor(&attribute.value) => {
                    found(ShapeRead::Dims, &attribute.value)
                }
                _ => None,
            },
            Expr::Call(call) => {
                if let Some(tensor) = Self::shape_of(expr) {
                    return self
                        .is_traced_tensor(tensor)
                        .then(|| found(ShapeRead::Dims, tensor))?;
                }
                let [argument] = &call.arguments.args[..] else {
                    return None;
                };
                // Names are compared before anything is resolved: most
                // calls are none of these.
                let callee = match call.func.as_ref() {
                    Expr::Name(name) => name.id.as_str(),
                    Expr::Attribute(attribute) => attribute.attr.id.as_str(),
                    _ => return None,
                };
                if !matches!(callee, "len" | "ndim" | "int_shape") {
                    return None;
                }
                match call.func.as_ref() {
                    Expr::Name(name)
                        if name.id.as_str() == "len" && !self.shadows_builtin("len") =>
                    {
                        if let Some(tensor) = Self::shape_of(argument) {
                            return self
                                .is_traced_tensor(tensor)
                                .then(|| found(ShapeRead::Rank, tensor))?;
                        }
                        // `len()` of a list is no shape: only a tensor's.
                        matches!(self.value(argument), Value::Tensor(_))
                            .then(|| found(ShapeRead::Dims, argument))?
                    }
                    func => {
                        // `K.ndim(x)`, `tf.keras.backend.int_shape(x)`.
                        let read = self.model.imports.with_resolved(func, |qualified| {
                            if !is_keras(qualified) {
                                return None;
                            }
                            match qualified.rsplit('.').next() {
                                Some("ndim") => Some(ShapeRead::Rank),
                                Some("int_shape") => Some(ShapeRead::Dims),
                                _ => None,
                            }
                        })??;
                        self.is_traced_tensor(argument)
                            .then(|| found(read, argument))?
                    }
                }
            }
            Expr::Name(name) => {
                let name = name.id.as_str();
                let (_, read, tensor) = self.static_names.iter().find(|(n, ..)| *n == name)?;
                Some((*read, tensor.to_string(), Some(name.to_string())))
            }
            _ => None,
        }
    }
}

/// Finds the first static-shape read in an expression, outermost first
/// (`x.shape.ndims` is a read of the rank, not of the shape).
struct Finder<'w, 'm, 'a> {
    walker: &'w Walker<'m, 'a>,
    found: Option<(ShapeRead, String, Option<String>)>,
}

impl<'e> Visitor<'e> for Finder<'_, '_, '_> {
    fn visit_expr(&mut self, expr: &'e Expr) {
        if self.found.is_some() || matches!(expr, Expr::Lambda(_)) {
            return;
        }
        if let Some(found) = self.walker.static_read_at(expr) {
            self.found = Some(found);
            return;
        }
        walk_expr(self, expr);
    }
}
