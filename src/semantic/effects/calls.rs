//! What a call does: the walker's classification of every call it meets, by
//! what the callee resolves to (a function of this module, a qualified
//! name through an import, a builtin, a method of a value whose kind is
//! known), into an effect with its culprit or a call recorded for
//! propagation.

use ruff_python_ast::{Expr, ExprCall};
use ruff_text_size::Ranged;

use super::walker::Walker;
use super::words::MethodText;
use super::{Call, Callee, Effect, ParamRule};
use crate::names::{concat, is_keras, last_segment, root_segment};
use crate::semantic::builtins::{
    creates_variables, is_io_builtin, is_io_module, is_pure_builtin, is_pure_module,
    mutating_method,
};
use crate::semantic::kinds::{ClassRef, Value};

impl Walker<'_, '_> {
    /// Records what a call does.
    pub(super) fn on_call(&mut self, call: &ExprCall) {
        let offset = call.start();
        if let Some(&callee) = self.tables.call_targets.get(&offset) {
            let bound = matches!(call.func.as_ref(), Expr::Attribute(_))
                && self.model.functions[callee].class.is_some();
            self.push_call(Callee::Local(callee), call, bound);
            return;
        }
        if self
            .model
            .imports
            .with_resolved(&call.func, |qualified| {
                self.on_qualified_call(qualified, call);
            })
            .is_some()
        {
            return;
        }
        match call.func.as_ref() {
            Expr::Name(name) => self.on_name_call(name.id.as_str(), call),
            Expr::Attribute(attribute) => {
                let method = attribute.attr.id.as_str();
                self.on_method_call(&attribute.value, method, call);
            }
            _ => self.add(Effect::UnknownCallee, offset, "calls a computed callable"),
        }
    }

    pub(super) fn push_call(&mut self, callee: Callee, call: &ExprCall, bound: bool) {
        let mut args = Vec::with_capacity(call.arguments.args.len());
        for arg in &call.arguments.args {
            if let Expr::Starred(_) = arg {
                args.push(None);
                break;
            }
            args.push(Some(self.argument_value(arg)));
        }
        let keywords = call
            .arguments
            .keywords
            .iter()
            .filter_map(|k| Some((k.arg.as_ref()?.id.clone(), self.argument_value(&k.value))))
            .collect();
        self.effects.calls.push(Call {
            callee,
            offset: call.start(),
            in_loop: self.loop_depth > 0,
            bound,
            args,
            keywords,
        });
    }

    pub(super) fn on_qualified_call(&mut self, qualified: &str, call: &ExprCall) {
        let offset = call.start();
        // Found only where a branch needs them.
        let last = || last_segment(qualified);
        let is_tf = qualified == "tensorflow"
            || qualified.starts_with("tensorflow.")
            || is_keras(qualified);
        if qualified == "tensorflow.Variable" {
            self.add(Effect::VariableCreation, offset, "creates a `tf.Variable`");
            return;
        }
        if is_tf && creates_variables(qualified) {
            self.add(
                Effect::VariableCreation,
                offset,
                format_args!("creates a Keras `{}` (and its variables)", last()),
            );
            return;
        }
        if qualified == "tensorflow.random.set_seed" || qualified.starts_with("tensorflow.config.")
        {
            self.add(
                Effect::SideEffect,
                offset,
                format_args!("changes TensorFlow's global state (`{}`)", last()),
            );
            return;
        }
        if is_tf {
            if !self.has(Effect::TensorComputation) {
                self.add(
                    Effect::TensorComputation,
                    offset,
                    format_args!("calls `{}`", last()),
                );
            }
            return;
        }
        let root = root_segment(qualified);
        if qualified.starts_with("numpy.random.") || root == "random" {
            self.add(
                Effect::SideEffect,
                offset,
                format_args!(
                    "draws {} random numbers (`{qualified}`)",
                    if root == "random" { "Python" } else { "NumPy" }
                ),
            );
        } else if root == "numpy" || root == "math" {
            self.check_eager_arguments(call, &format_args!("`{qualified}`"));
        } else if matches!(root, "time" | "datetime") {
            self.add(
                Effect::SideEffect,
                offset,
                format_args!("reads the clock (`{qualified}`)"),
            );
        } else if is_io_module(root) {
            self.add(
                Effect::SideEffect,
                offset,
                format_args!("does I/O (`{qualified}`)"),
            );
        } else if is_pure_module(root) {
            // Pure library code: nothing to record.
        } else {
            self.push_call(Callee::External(qualified.to_string()), call, false);
        }
    }

    /// NumPy, `math`, `int()`/`float()`/`bool()` on a tensor need its value.
    pub(super) fn check_eager_arguments(
        &mut self,
        call: &ExprCall,
        callee: &dyn std::fmt::Display,
    ) {
        for arg in call
            .arguments
            .args
            .iter()
            .chain(call.arguments.keywords.iter().map(|k| &k.value))
        {
            match self.value(arg) {
                value if value.is_tensor_like() => {
                    self.add(
                        Effect::EagerOnly,
                        call.start(),
                        format_args!("passes a tensor to {callee}"),
                    );
                }
                Value::Param(index) => {
                    self.param_conditional(
                        index,
                        ParamRule::EagerIfMaybeTensor,
                        call.start(),
                        "passes the tensor `",
                        format_args!("` to {callee}"),
                    );
                }
                _ => {}
            }
        }
    }

    pub(super) fn on_name_call(&mut self, name: &str, call: &ExprCall) {
        let offset = call.start();
        let shadowed = self.locals.contains(name)
            || self.param_index(name).is_some()
            || self.module.globals.contains_key(name)
            || self.model.imports.is_bound(name);
        if !shadowed {
            match name {
                "print" => {
                    self.add(Effect::Print, offset, "calls `print`");
                    return;
                }
                "int" | "float" | "bool" | "complex" => {
                    if self.test_depth == 0 {
                        self.check_eager_arguments(call, &format_args!("`{name}()`"));
                    }
                    return;
                }
                _ if is_io_builtin(name) => {
                    self.add(Effect::SideEffect, offset, format_args!("calls `{name}`"));
                    return;
                }
                _ if is_pure_builtin(name) => return,
                _ => {}
            }
        }
        if let Some(class) = self
            .local_class(name)
            .filter(|_| self.param_index(name).is_none())
        {
            if self.module.tf_classes[class] {
                self.add(
                    Effect::VariableCreation,
                    offset,
                    format_args!("creates a `{name}` (and its variables)"),
                );
            } else if let Some(init) = self.model.method(class, "__init__") {
                self.push_call(Callee::Local(init), call, true);
            } else if let Some(base) = self.imported_base_of(class) {
                // The constructor is inherited from another module.
                let name = concat(&[base, ".__init__"]);
                self.push_call(Callee::External(name), call, true);
            }
            return;
        }
        match self.name_value(name) {
            Value::TfObject | Value::Tensor(_) => {
                self.add(
                    Effect::TensorComputation,
                    offset,
                    format_args!("calls `{name}`"),
                );
            }
            Value::Instance(class) => self.call_instance(class, "__call__", call, name),
            _ => self.add(
                Effect::UnknownCallee,
                offset,
                format_args!("calls `{name}`"),
            ),
        }
    }

    /// A call of an instance (`model(x)`) or of one of its methods.
    pub(super) fn call_instance(
        &mut self,
        class: ClassRef,
        method: &str,
        call: &ExprCall,
        shown: impl std::fmt::Display,
    ) {
        match class {
            ClassRef::Local(class) => {
                let is_tf = self.module.tf_classes[class];
                let target = if method == "__call__" && is_tf {
                    self.model
                        .method(class, "call")
                        .or_else(|| self.model.method(class, "__call__"))
                } else {
                    self.model.method(class, method)
                };
                match target {
                    Some(id) => self.push_call(Callee::Local(id), call, true),
                    None if is_tf => {
                        self.add(
                            Effect::TensorComputation,
                            call.start(),
                            format_args!("calls `{shown}`"),
                        );
                    }
                    None => self.add(
                        Effect::UnknownCallee,
                        call.start(),
                        format_args!("calls `{shown}`"),
                    ),
                }
            }
            ClassRef::External(qualified) => {
                let method = if method == "__call__" { "call" } else { method };
                let name = concat(&[&qualified, ".", method]);
                self.push_call(Callee::External(name), call, true);
            }
        }
    }

    pub(super) fn on_method_call(&mut self, receiver: &Expr, method: &str, call: &ExprCall) {
        let offset = call.start();
        let shown = MethodText(receiver, method);
        // Mutating a long-lived container is a side effect whatever it holds.
        if mutating_method(method).is_some() {
            if let Some(owner) = self.long_lived_owner(receiver) {
                self.add(
                    Effect::SideEffect,
                    offset,
                    format_args!("mutates {owner} (`.{method}`)"),
                );
                return;
            }
        }
        if self.is_self(receiver) && !self.at_module_level() {
            if matches!(method, "add_weight" | "add_variable") {
                self.add(
                    Effect::VariableCreation,
                    offset,
                    format_args!("creates a variable (`{shown}`)"),
                );
            } else if let Some(base) = self.imported_base() {
                // Not defined in this module: an attribute set up in the
                // constructor, or a method inherited from the base in
                // another module (resolved, or not, against the run).
                let attribute = self
                    .class()
                    .and_then(|c| self.module.class_attributes[c].get(method));
                match attribute {
                    Some(Value::TfObject | Value::Tensor(_)) => self.add(
                        Effect::TensorComputation,
                        offset,
                        format_args!("calls `{shown}`"),
                    ),
                    Some(Value::Instance(class)) => {
                        self.call_instance(class.clone(), "__call__", call, shown);
                    }
                    Some(_) => self.add(
                        Effect::UnknownCallee,
                        offset,
                        format_args!("calls `{shown}`"),
                    ),
                    None => {
                        let name = concat(&[base, ".", method]);
                        self.push_call(Callee::External(name), call, true);
                    }
                }
            } else if self.is_tf_method() {
                self.add(
                    Effect::TensorComputation,
                    offset,
                    format_args!("calls `{shown}`"),
                );
            } else {
                self.add(
                    Effect::UnknownCallee,
                    offset,
                    format_args!("calls `{shown}`"),
                );
            }
            return;
        }
        match self.value(receiver) {
            Value::Tensor(_) | Value::TfObject => {
                if method == "numpy" {
                    self.add(Effect::EagerOnly, offset, "calls `.numpy()`");
                } else {
                    self.add(
                        Effect::TensorComputation,
                        offset,
                        format_args!("calls `{shown}`"),
                    );
                }
            }
            Value::Param(index) => {
                if method == "numpy" {
                    self.add(Effect::EagerOnly, offset, "calls `.numpy()`");
                } else {
                    self.conditional(index, ParamRule::MethodCall, offset, shown);
                }
            }
            Value::Fresh | Value::Primitive { .. } | Value::NdArray(_) | Value::Structure(_) => {}
            Value::Io => self.add(
                Effect::SideEffect,
                offset,
                format_args!("does I/O (`{shown}`)"),
            ),
            Value::Instance(class) => self.call_instance(class, method, call, shown),
            Value::Unknown => self.add(
                Effect::UnknownCallee,
                offset,
                format_args!("calls `{shown}`"),
            ),
        }
    }
}
