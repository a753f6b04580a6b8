//! What a call does: the walker's classification of every call it meets, by
//! what the callee resolves to (a function of this module, a qualified
//! name through an import, a builtin, a method of a value whose kind is
//! known), into an effect with its culprit or a call recorded for
//! propagation.

use ruff_python_ast::name::Name;
use ruff_python_ast::{Expr, ExprCall};
use ruff_text_size::Ranged;

use super::walker::{bits, Walker};
use super::words::MethodText;
use super::{Call, Callee, Construction, Effect, ParamRule};
use crate::names::{concat, is_keras, last_segment, root_segment};
use crate::semantic::builtins::{
    builds_layers, creates_variables, is_io_builtin, is_io_module, is_logging, is_plotting_module,
    is_pure_builtin, is_pure_function, is_pure_module, mutating_method, tf_utility, writes_output,
    TfUtility, LOG_METHODS, READ_ONLY_METHODS,
};
use crate::semantic::kinds::{
    ClassRef, FunctionRef, FunctionTarget, ObjectCall, ObjectKind, Value,
};

impl<'a> Walker<'_, 'a> {
    /// Records what a call does.
    pub(super) fn on_call(&mut self, call: &ExprCall) {
        let offset = call.start();
        self.functions_passed(call);
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

    /// A project function passed to a call (`tf.map_fn(body, x)`,
    /// `strategy.run(self.step, args=...)`, a callback) may be called by
    /// it, with arguments the analysis does not see: its effects are this
    /// function's too.
    /// Not a call site of its own: it does not make the function hot, nor
    /// "called once" (and module-level code is never converted). Only for
    /// eager functions, which the effects keep from conversion: what a
    /// graph function hands to `merge_call` or `map_fn` is no reason to
    /// remove its `tf.function` (the arguments are guesses there).
    fn functions_passed(&mut self, call: &ExprCall) {
        let Some(current) = self.function else {
            return;
        };
        if self.model.functions[current].graph.is_some() {
            return;
        }
        let arguments = call
            .arguments
            .args
            .iter()
            .chain(call.arguments.keywords.iter().map(|k| &k.value));
        for argument in arguments {
            let argument = match argument {
                Expr::Starred(starred) => starred.value.as_ref(),
                argument => argument,
            };
            // Only names that can be functions of the module are evaluated:
            // this runs for every argument of every call.
            let function = match argument {
                Expr::Name(name) => {
                    let name = name.id.as_str();
                    match self.tables.nested_functions.get(&(current, name)) {
                        Some(&id) => Some((Callee::Local(id), false)),
                        None if self.tables.module_functions.contains_key(name) => {
                            self.passed_function(argument)
                        }
                        None => None,
                    }
                }
                Expr::Attribute(attribute)
                    if self
                        .tables
                        .method_names
                        .contains(attribute.attr.id.as_str()) =>
                {
                    self.passed_function(argument)
                }
                _ => None,
            };
            if let Some((callee, bound)) = function {
                self.effects.calls.push(Call {
                    callee,
                    offset: argument.start(),
                    in_loop: false,
                    bound,
                    // Arguments unknown: a `*args` hides every position.
                    args: vec![None],
                    keywords: Vec::new(),
                });
            }
        }
    }

    /// The function a value passed as an argument refers to.
    fn passed_function(&self, argument: &Expr) -> Option<(Callee, bool)> {
        let Value::Function(function) = self.value(argument) else {
            return None;
        };
        let callee = match &function.target {
            FunctionTarget::Local(id) => Callee::Local(*id),
            FunctionTarget::External(name) => Callee::External(name.clone()),
        };
        Some((callee, function.bound))
    }

    /// The values of a call's arguments: positional (`None` from a
    /// `*args` on) and by keyword.
    fn argument_values(&self, call: &ExprCall) -> (Vec<Option<Value>>, Vec<(Name, Value)>) {
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
        (args, keywords)
    }

    pub(super) fn push_call(&mut self, callee: Callee, call: &ExprCall, bound: bool) {
        let (args, keywords) = self.argument_values(call);
        self.effects.calls.push(Call {
            callee,
            offset: call.start(),
            in_loop: self.step_loops > 0,
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
        if is_tf {
            self.graph_only_call(qualified, call);
            self.name_argument(qualified, call);
        }
        if qualified == "tensorflow.Variable" {
            self.add(Effect::VariableCreation, offset, "creates a `tf.Variable`");
            return;
        }
        if is_logging(qualified) {
            self.add(
                Effect::Logging,
                offset,
                format_args!("logs (`{qualified}`)"),
            );
            return;
        }
        if writes_output(qualified) {
            self.add(
                Effect::Output,
                offset,
                format_args!("writes output (`{qualified}`)"),
            );
            let what = if is_plotting_module(root_segment(qualified)) {
                "draws or writes an image"
            } else {
                "writes a file"
            };
            self.add(
                Effect::SideEffect,
                offset,
                format_args!("{what} (`{qualified}`)"),
            );
            return;
        }
        if is_tf {
            match tf_utility(qualified) {
                Some(TfUtility::Pure) => return,
                Some(TfUtility::Io) => {
                    self.add(
                        Effect::SideEffect,
                        offset,
                        format_args!("does file I/O (`{}`)", last()),
                    );
                    return;
                }
                None => {}
            }
        }
        if is_tf && creates_variables(qualified) {
            if builds_layers(qualified) && self.effects.builds_layers.is_none() {
                self.effects.builds_layers = Some(offset);
            }
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
            if matches!(
                last(),
                "map_fn" | "while_loop" | "scan" | "foldl" | "foldr" | "vectorized_map"
            ) {
                self.runs_many_ops();
            }
            if matches!(last(), "shape" | "rank" | "size" | "shape_n") {
                self.effects.shape_queries = self.effects.shape_queries.saturating_add(1);
            } else {
                self.tensor_op();
                if qualified.starts_with("tensorflow.summary.") {
                    self.effects.summaries = self.effects.summaries.saturating_add(1);
                }
            }
            self.add(
                Effect::TensorComputation,
                offset,
                format_args!("calls `{}`", last()),
            );
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
        } else if is_pure_function(qualified) {
            // Computes with its arguments only.
        } else if is_io_module(root) {
            self.add(
                Effect::SideEffect,
                offset,
                format_args!("does I/O (`{qualified}`)"),
            );
        } else if is_pure_module(root) {
            // Pure library code: nothing to record.
        } else {
            // A class's construction passes its arguments after `self`.
            let constructs = last().starts_with(char::is_uppercase);
            self.push_call(Callee::External(qualified.to_string()), call, constructs);
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
                        "passes `",
                        format_args!("` (a tensor, when a caller passes one) to {callee}"),
                    );
                }
                Value::Derived(params) => {
                    for index in bits(params) {
                        self.param_conditional(
                            index,
                            ParamRule::EagerIfMaybeTensor,
                            call.start(),
                            "passes a value computed from `",
                            format_args!("` (a tensor, when a caller passes one) to {callee}"),
                        );
                    }
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
                // Python compares tensors with `bool()`, which a graph
                // cannot answer.
                "max" | "min" if self.test_depth == 0 => {
                    self.check_eager_arguments(call, &format_args!("Python's `{name}()`"));
                    return;
                }
                _ if is_io_builtin(name) => {
                    if name == "open" && opens_for_writing(call) {
                        self.add(Effect::Output, offset, "opens a file to write");
                    }
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
            if self.tables.stores_ctor_params[class] {
                let (args, keywords) = self.argument_values(call);
                self.effects.constructions.push(Construction {
                    class,
                    args,
                    keywords,
                });
            }
            if self.module.tf_classes[class] {
                if self.effects.builds_layers.is_none() {
                    self.effects.builds_layers = Some(offset);
                }
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
        let value = self.name_value(name);
        self.call_value_of(value, call, &format_args!("{name}"));
    }

    /// Records a call of a value: an object of known kind, a tensor, an
    /// instance of a project class, a function, a parameter (decided by
    /// what is passed), or something unknown.
    pub(super) fn call_value_of(
        &mut self,
        value: Value,
        call: &ExprCall,
        shown: &dyn std::fmt::Display,
    ) {
        let offset = call.start();
        match value {
            Value::Object(kind) => {
                self.runs_many_ops();
                self.object_call(kind.call(), offset, shown);
            }
            Value::Tensor(_) => {
                self.runs_many_ops();
                self.add(
                    Effect::TensorComputation,
                    offset,
                    format_args!("calls `{shown}`"),
                );
            }
            Value::Instance(class) => self.call_instance(class, "__call__", call, shown),
            Value::Function(function) => self.call_function(&function, call),
            Value::Param(index) => {
                self.param_call(index, None, offset, format_args!("calls `{shown}`"))
            }
            _ => self.add(
                Effect::UnknownCallee,
                offset,
                format_args!("calls `{shown}`"),
            ),
        }
    }

    /// Records what calling an object (or one of its methods) does.
    pub(super) fn object_call(
        &mut self,
        what: ObjectCall,
        offset: ruff_text_size::TextSize,
        shown: &dyn std::fmt::Display,
    ) {
        match what {
            ObjectCall::Tensor => {
                if !self.has(Effect::TensorComputation) {
                    self.add(
                        Effect::TensorComputation,
                        offset,
                        format_args!("calls `{shown}`"),
                    );
                }
            }
            ObjectCall::SideEffect(why) => self.add(
                Effect::SideEffect,
                offset,
                format_args!("calls `{shown}`, which {why}"),
            ),
            ObjectCall::Output(why) => {
                self.add(
                    Effect::SideEffect,
                    offset,
                    format_args!("calls `{shown}`, which {why}"),
                );
                self.add(Effect::Output, offset, format_args!("calls `{shown}`"));
            }
            ObjectCall::EagerOnly => self.add(
                Effect::EagerOnly,
                offset,
                format_args!("calls `{shown}`, which needs eager values"),
            ),
            ObjectCall::CreatesVariables => self.add(
                Effect::VariableCreation,
                offset,
                format_args!("creates variables (`{shown}`)"),
            ),
        }
    }

    /// A call of a function a value refers to.
    fn call_function(&mut self, function: &FunctionRef, call: &ExprCall) {
        let callee = match &function.target {
            FunctionTarget::Local(id) => Callee::Local(*id),
            FunctionTarget::External(name) => Callee::External(name.clone()),
        };
        self.push_call(callee, call, function.bound);
    }

    /// A call of an instance (`model(x)`) or of one of its methods.
    pub(super) fn call_instance(
        &mut self,
        class: ClassRef,
        method: &str,
        call: &ExprCall,
        shown: &dyn std::fmt::Display,
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
                        self.runs_many_ops();
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
        if self.is_self(receiver) && !self.at_module_level() {
            return self.on_self_method_call(method, call, &shown);
        }
        self.note_element(receiver, method, call);
        let value = self.value(receiver);
        // Mutating a long-lived container is a side effect whatever it
        // holds; TensorFlow objects (`TensorArray.write`) are not Python
        // containers.
        if mutating_method(method).is_some()
            && !matches!(value, Value::Object(_) | Value::Tensor(_))
        {
            if let Some(owner) = self.long_lived_owner(receiver) {
                self.add(
                    Effect::SideEffect,
                    offset,
                    format_args!("mutates {owner} (`.{method}`)"),
                );
                return;
            }
        }
        let asks_eager_value = method == "numpy" || READ_ONLY_METHODS.contains(&method);
        if let (Value::Unknown, Expr::Attribute(attribute), false) =
            (&value, receiver, asks_eager_value)
        {
            if self.is_self(&attribute.value) {
                if let Some(param) = self.constructor_param(attribute.attr.id.as_str()) {
                    return self.constructor_call(param, Some(method), offset, shown);
                }
            }
        }
        match value {
            Value::Tensor(_) => {
                if method == "numpy" {
                    self.add(Effect::EagerOnly, offset, "calls `.numpy()`");
                } else {
                    self.tensor_op();
                    self.object_call(ObjectCall::Tensor, offset, &shown);
                }
            }
            Value::Object(kind) => {
                if method == "numpy" {
                    self.add(Effect::EagerOnly, offset, "calls `.numpy()`");
                } else {
                    // A variable's or a tensor array's method is one
                    // operation; a model's, a layer's, an optimizer's may
                    // be any number.
                    if matches!(kind, ObjectKind::Variable | ObjectKind::TensorArray) {
                        self.tensor_op();
                    } else {
                        self.runs_many_ops();
                    }
                    self.object_call(kind.method(method), offset, &shown);
                }
            }
            Value::Param(_) if READ_ONLY_METHODS.contains(&method) => {}
            Value::Param(index) => {
                if method == "numpy" {
                    self.add(Effect::EagerOnly, offset, "calls `.numpy()`");
                } else {
                    self.tensor_op();
                    self.param_call(index, Some(method), offset, shown);
                }
            }
            Value::Container(_)
            | Value::Primitive { .. }
            | Value::NdArray(_)
            | Value::Structure(_) => {}
            Value::Io if LOG_METHODS.contains(&method) => {
                self.add(Effect::Logging, offset, format_args!("logs (`{shown}`)"));
            }
            Value::Io => self.add(
                Effect::SideEffect,
                offset,
                format_args!("does I/O (`{shown}`)"),
            ),
            Value::Instance(class) => self.call_instance(class, method, call, &shown),
            Value::Unknown | Value::Derived(_) if READ_ONLY_METHODS.contains(&method) => {}
            // `.numpy()` is what eager tensors and variables answer: on a
            // value of unknown kind it asks for an eager value all the same.
            Value::Unknown | Value::Derived(_)
                if method == "numpy" && call.arguments.is_empty() =>
            {
                self.add(Effect::EagerOnly, offset, "calls `.numpy()`");
            }
            Value::Function(_) | Value::Unknown | Value::Nothing | Value::Derived(_) => self.add(
                Effect::UnknownCallee,
                offset,
                format_args!("calls `{shown}`"),
            ),
        }
    }

    /// In a constructor, `self.blocks.append(layer)` (or `insert`, `add`,
    /// `extend`): what the attribute's container holds, joined with what
    /// it was built with (`self.blocks = []`).
    /// The same for a local list built here (`blocks = []` ...
    /// `blocks.append(layer)`).
    fn note_element(&mut self, receiver: &Expr, method: &str, call: &ExprCall) {
        if !matches!(method, "append" | "add" | "insert" | "extend") {
            return;
        }
        let args = &call.arguments.args;
        let element = || match (method, &args[..]) {
            ("append" | "add", [value]) => Some(self.value(value)),
            ("insert", [_, value]) => Some(self.value(value)),
            ("extend", [values]) => Some(self.value(values).element()),
            _ => None,
        };
        match receiver {
            Expr::Attribute(attribute)
                if self.self_attributes.is_some() && self.is_self(&attribute.value) =>
            {
                let Some(element) = element() else { return };
                let name = attribute.attr.id.as_str();
                if let Some(attributes) = &mut self.self_attributes {
                    attributes.push((name.into(), Value::fresh(element).outside_its_function()));
                }
            }
            Expr::Name(name)
                if self
                    .values
                    .get(name.id.as_str())
                    .is_some_and(Value::is_fresh) =>
            {
                let Some(element) = element() else { return };
                if let Some(Value::Container(container)) = self.values.get_mut(name.id.as_str()) {
                    container.element = container.element.join(&element);
                }
            }
            _ => {}
        }
    }

    /// `self.method(...)` where `method` is not a method of this module's
    /// class: an attribute set up in the constructor (a layer, a loss
    /// function, an instance), or a method inherited from a base in another
    /// module, or a Keras method.
    fn on_self_method_call(&mut self, method: &str, call: &ExprCall, shown: &MethodText) {
        let offset = call.start();
        if matches!(method, "add_weight" | "add_variable") {
            self.add(
                Effect::VariableCreation,
                offset,
                format_args!("creates a variable (`{shown}`)"),
            );
            return;
        }
        let attribute = self
            .class()
            .and_then(|c| self.module.class_attributes[c].get(method))
            .cloned();
        match attribute {
            Some(Value::Unknown) | None => {}
            Some(value) => return self.call_value_of(value.shared(), call, shown),
        }
        if let Some(param) = self.constructor_param(method) {
            return self.constructor_call(param, None, offset, format_args!("calls `{shown}`"));
        }
        if let Some(base) = self.imported_base() {
            // A method inherited from the base in another module (resolved,
            // or not, against the run).
            let name = concat(&[base, ".", method]);
            self.push_call(Callee::External(name), call, true);
        } else if self.is_tf_method() {
            // A method Keras (or `tf.Module`) gives the class: what the
            // same method of a Keras model does.
            self.runs_many_ops();
            self.object_call(ObjectKind::Model.method(method), offset, shown);
        } else {
            self.add(
                Effect::UnknownCallee,
                offset,
                format_args!("calls `{shown}`"),
            );
        }
    }
}

/// Whether `open(...)` opens its file to write: a mode (second argument or
/// `mode=`) that is a string with `w`, `a`, `x` or `+`. Reading is I/O, not
/// output.
fn opens_for_writing(call: &ExprCall) -> bool {
    let mode = call.arguments.args.get(1).or_else(|| {
        call.arguments
            .keywords
            .iter()
            .find(|k| k.arg.as_ref().is_some_and(|a| a.id.as_str() == "mode"))
            .map(|k| &k.value)
    });
    matches!(mode, Some(Expr::StringLiteral(mode)) if mode.value.to_str().contains(['w', 'a', 'x', '+']))
}
