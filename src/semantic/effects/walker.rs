//! The walker of one function body (or of module-level code): it visits
//! statements and expressions in order, keeps the abstract value of each
//! local name, and records the function's direct effects, the calls it makes
//! and what its parameters are used for. What calls, writes and
//! expressions mean is in the sibling modules [`super::calls`],
//! [`super::writes`] and [`super::values`].

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
use ruff_python_ast::{Expr, ExprAttribute, Stmt};
use ruff_text_size::{Ranged, TextSize};

use super::locals::{CallsIn, LocalNames};
use super::{Conditional, Culprit, DirectEffects, Effect, ModuleValues, ParamRule};
use crate::names::is_keras;
use crate::semantic::builtins::is_standard_base_module;
use crate::semantic::kinds::{binary_value, Value};
use crate::semantic::{ClassId, FunctionId, SemanticModel};

/// A walker's name tables (empty), passed from one walker to the next.
#[derive(Default)]
pub(super) struct Scratch<'a> {
    pub(super) locals: HashSet<&'a str>,
    pub(super) globals: HashSet<&'a str>,
    pub(super) nonlocals: HashSet<&'a str>,
    pub(super) values: HashMap<&'a str, Value>,
    pub(super) text: String,
}

impl Scratch<'_> {
    pub(super) fn take(&mut self) -> Self {
        std::mem::take(self)
    }
}

/// Found once per module and read by every walker.
pub(super) struct ModuleTables<'a> {
    /// The function each call resolved to, by the call's start.
    pub(super) call_targets: HashMap<TextSize, FunctionId>,
    /// The last class of the module with each name.
    pub(super) last_class: HashMap<&'a str, ClassId>,
    /// The functions defined at module level, by name.
    pub(super) module_functions: HashMap<&'a str, FunctionId>,
    /// The functions defined directly in another, by that function and
    /// name.
    pub(super) nested_functions: HashMap<(FunctionId, &'a str), FunctionId>,
    /// The names of the methods of the module's classes: an attribute
    /// passed to a call may be a bound method only by one of these names.
    pub(super) method_names: rustc_hash::FxHashSet<&'a str>,
    /// Per class, whether its `__init__` stores a parameter in an
    /// attribute (`self.loss = loss_fn`): its constructions are recorded,
    /// for what the attribute holds.
    pub(super) stores_ctor_params: Vec<bool>,
}

impl<'a> ModuleTables<'a> {
    pub(super) fn of(model: &SemanticModel<'a>) -> Self {
        let mut last_class: HashMap<&str, ClassId> = HashMap::default();
        for (id, class) in model.classes.iter().enumerate() {
            last_class.insert(class.def.name.id.as_str(), id);
        }
        ModuleTables {
            call_targets: model
                .functions
                .iter()
                .flat_map(|f| &f.calls)
                .chain(&model.module_calls)
                .filter_map(|site| site.callee.map(|callee| (site.range.start(), callee)))
                .collect(),
            last_class,
            module_functions: model
                .functions
                .iter()
                .enumerate()
                .filter(|(_, f)| f.parent.is_none() && f.class.is_none())
                .map(|(id, f)| (f.def.name.id.as_str(), id))
                .collect(),
            nested_functions: model
                .functions
                .iter()
                .enumerate()
                .filter_map(|(id, f)| Some(((f.parent?, f.def.name.id.as_str()), id)))
                .collect(),
            method_names: model
                .functions
                .iter()
                .filter(|f| f.class.is_some())
                .map(|f| f.def.name.id.as_str())
                .collect(),
            stores_ctor_params: {
                let mut stores = vec![false; model.classes.len()];
                for function in &model.functions {
                    if let Some(class) = function.class {
                        if function.def.name.id.as_str() == "__init__"
                            && stores_a_parameter(function)
                        {
                            stores[class] = true;
                        }
                    }
                }
                stores
            },
        }
    }
}

/// Whether a constructor's body (its top level) assigns one of its
/// parameters to an attribute of `self` (`self.loss = loss_fn`).
fn stores_a_parameter(function: &crate::semantic::Function<'_>) -> bool {
    let Some(self_name) = function.self_name() else {
        return false;
    };
    let is_param = |name: &str| {
        function
            .def
            .parameters
            .iter_non_variadic_params()
            .skip(1)
            .any(|p| p.parameter.name.id.as_str() == name)
    };
    function.def.body.iter().any(|stmt| {
        let Stmt::Assign(assign) = stmt else {
            return false;
        };
        matches!(assign.value.as_ref(), Expr::Name(value) if is_param(value.id.as_str()))
            && assign.targets.iter().any(|target| {
                matches!(target, Expr::Attribute(attribute)
                    if matches!(attribute.value.as_ref(), Expr::Name(owner) if owner.id.as_str() == self_name))
            })
    })
}

/// Walks one function body, or module-level code, and records what it does
/// in [`Walker::effects`].
pub(super) struct Walker<'m, 'a> {
    pub(super) model: &'m SemanticModel<'a>,
    pub(super) module: &'m ModuleValues,
    pub(super) tables: &'m ModuleTables<'a>,
    pub(super) function: Option<FunctionId>,
    /// The name of `self` in a method, and whether this is `__init__` (where
    /// `self` is a fresh object).
    pub(super) self_name: Option<&'a str>,
    pub(super) in_init: bool,
    /// [`Walker::imported_base`], found once.
    pub(super) imported_base: std::cell::OnceCell<Option<&'m str>>,
    /// Names assigned in this function (Python makes them local).
    pub(super) locals: HashSet<&'a str>,
    pub(super) globals: HashSet<&'a str>,
    pub(super) nonlocals: HashSet<&'a str>,
    pub(super) values: HashMap<&'a str, Value>,
    /// Local names bound to NumPy arrays or TensorFlow objects, and
    /// whether every write so far made a new one in this function (`mask =
    /// np.ones(n)`, `node_def = tf.compat.v1.NodeDef()`): mutating one
    /// touches nothing the caller holds.
    pub(super) made_here: HashMap<&'a str, bool>,
    /// The name the write being made binds to a new array or object.
    pub(super) new_made_here: Option<&'a str>,
    /// What this method assigns to `self.<attr>`, when asked for (in the
    /// constructors of the attributes pass).
    pub(super) self_attributes: Option<Vec<(Box<str>, Value)>>,
    /// In a constructor, the attributes that store one of its parameters
    /// (`self.loss = loss_fn`), by the parameter's index.
    pub(super) param_attributes: Vec<(Box<str>, usize)>,
    pub(super) loop_depth: usize,
    /// How many of the enclosing loops are step loops (see `loops.rs`): a
    /// call is in a loop for propagation only inside one.
    pub(super) step_loops: usize,
    pub(super) test_depth: usize,
    /// How many statements enclose the one being walked (1 at the top of
    /// the body).
    pub(super) stmt_depth: usize,
    pub(super) depth: std::cell::Cell<u32>,
    /// The first read of Python state that may change between calls, found
    /// while values are computed (which cannot record culprits).
    pub(super) state_read: std::cell::RefCell<Option<(TextSize, String)>>,
    /// The first read of an attribute of each parameter (`config.rate`),
    /// found while values are computed.
    pub(super) param_attribute_reads: std::cell::RefCell<Vec<(usize, TextSize, String)>>,
    /// Where culprits and conditionals are put into words.
    pub(super) text: String,
    /// Locals that hold a static shape (see `static_shapes.rs`).
    pub(super) static_names: Vec<StaticName<'a>>,
    /// Names that count the iterations of a `range()` loop somewhere in
    /// the body: a shape built from one varies from call to call.
    pub(super) counters: Vec<&'a str>,
    pub(super) effects: DirectEffects,
    /// Statements whose own effects are asked for one by one (see
    /// [`super::statements`]); `None` in the ordinary walk.
    pub(super) watch: Option<Box<super::watch::Watch<'m>>>,
}

impl<'m, 'a> Walker<'m, 'a> {
    pub(super) fn new(
        model: &'m SemanticModel<'a>,
        module: &'m ModuleValues,
        tables: &'m ModuleTables<'a>,
        function: Option<FunctionId>,
    ) -> Self {
        Self::with_scratch(model, module, tables, function, Scratch::default())
    }

    /// [`Walker::new`], with tables left over from another walker.
    pub(super) fn with_scratch(
        model: &'m SemanticModel<'a>,
        module: &'m ModuleValues,
        tables: &'m ModuleTables<'a>,
        function: Option<FunctionId>,
        scratch: Scratch<'a>,
    ) -> Self {
        let Scratch {
            locals,
            globals,
            nonlocals,
            values,
            text,
        } = scratch;
        let mut walker = Self {
            model,
            module,
            tables,
            function,
            self_name: None,
            in_init: false,
            imported_base: std::cell::OnceCell::new(),
            locals,
            globals,
            nonlocals,
            values,
            made_here: HashMap::default(),
            new_made_here: None,
            self_attributes: None,
            param_attributes: Vec::new(),
            loop_depth: 0,
            step_loops: 0,
            test_depth: 0,
            stmt_depth: 0,
            depth: std::cell::Cell::new(0),
            state_read: std::cell::RefCell::new(None),
            param_attribute_reads: std::cell::RefCell::new(Vec::new()),
            text,
            static_names: Vec::new(),
            counters: Vec::new(),
            effects: DirectEffects::default(),
            watch: None,
        };
        if let Some(id) = function {
            let function = &model.functions[id];
            let def = function.def;
            let mut names = def
                .parameters
                .iter_non_variadic_params()
                .map(|p| p.parameter.name.id.as_str());
            walker.self_name = function.self_name();
            if walker.self_name.is_some() {
                names.next();
                walker.in_init = def.name.id.as_str() == "__init__";
            }
            walker.effects.params = names.map(str::to_string).collect();
            let mut collector = LocalNames {
                assigned: std::mem::take(&mut walker.locals),
                globals: std::mem::take(&mut walker.globals),
                nonlocals: std::mem::take(&mut walker.nonlocals),
                walrus: model.has_walrus,
            };
            // About one name per statement: room without regrowth.
            collector.assigned.reserve(def.body.len());
            collector.visit_body(&def.body);
            walker.locals = collector.assigned;
            walker.globals = collector.globals;
            walker.nonlocals = collector.nonlocals;
            for name in walker.globals.iter().chain(&walker.nonlocals) {
                walker.locals.remove(name);
            }
            // What a parameter is when a call does not pass it: its
            // default's value (a constant, or a module-level name).
            let skip = usize::from(walker.self_name.is_some());
            let defaults: Vec<Option<Value>> = def
                .parameters
                .iter_non_variadic_params()
                .skip(skip)
                .map(|p| p.default.as_deref().map(|d| walker.value(d)))
                .collect();
            if defaults.iter().any(Option::is_some) {
                walker.effects.param_defaults = defaults;
            }
            // `*args` and `**kwargs` are a tuple and a dict made for this
            // call: mutating them touches nothing the caller holds.
            let variadic = [&def.parameters.vararg, &def.parameters.kwarg];
            for parameter in variadic.into_iter().flatten() {
                let name = parameter.name.id.as_str();
                walker.locals.insert(name);
                walker.values.insert(name, Value::fresh(Value::Unknown));
            }
        }
        walker
    }

    /// The function's direct effects, once its body is walked.
    pub(super) fn take_effects(&mut self) -> super::DirectEffects {
        if let Some((offset, what)) = self.state_read.get_mut().take() {
            self.add(Effect::PythonStateRead, offset, what);
        }
        for (param, offset, what) in self.param_attribute_reads.get_mut().drain(..) {
            self.effects.conditionals.push(super::Conditional {
                param,
                rule: ParamRule::ReadsAttribute,
                offset,
                what,
                method: None,
                of_constructor: false,
            });
        }
        std::mem::take(&mut self.effects)
    }

    /// A read of `self.<name>` (`attribute`): what the class's methods
    /// store there, and a note of the read when it is Python state (an
    /// attribute that is not a method).
    pub(super) fn self_attribute_read(&self, attribute: &ExprAttribute) -> Option<&'m Value> {
        let name = attribute.attr.id.as_str();
        let stored = self
            .class()
            .and_then(|c| self.module.class_attributes[c].get(name));
        if stored.is_some()
            || self
                .class()
                .and_then(|c| self.model.method(c, name))
                .is_none()
        {
            self.note_state_read(attribute.start(), name, stored);
        }
        stored
    }

    /// Notes a read of `self.<name>` holding `value`, when it is Python
    /// state that may change between calls.
    pub(super) fn note_state_read(&self, offset: TextSize, name: &str, value: Option<&Value>) {
        if self.at_module_level() || self.in_init || self.state_read.borrow().is_some() {
            return;
        }
        let stable = match value {
            // Keras objects keep their state in variables; functions and
            // objects of the project are what they were.
            Some(Value::Object(_) | Value::Function(_) | Value::Instance(_)) => true,
            Some(Value::Container(container)) => matches!(
                container.element,
                Value::Object(_) | Value::Function(_) | Value::Instance(_) | Value::Nothing
            ),
            _ => false,
        };
        if !stable {
            *self.state_read.borrow_mut() = Some((offset, format!("reads `self.{name}`")));
        }
    }

    /// Notes a read of attribute `name` of parameter `param` (the first
    /// per parameter).
    pub(super) fn note_param_attribute_read(&self, param: usize, offset: TextSize, name: &str) {
        if self.at_module_level() {
            return;
        }
        let Some(param_name) = param_name(&self.effects.params, param) else {
            return;
        };
        let mut reads = self.param_attribute_reads.borrow_mut();
        if reads.iter().all(|(p, _, _)| *p != param) {
            let what = format!("reads `{param_name}.{name}`");
            reads.push((param, offset, what));
        }
    }

    /// The walker's tables, emptied, for the next walker.
    pub(super) fn into_scratch(self) -> Scratch<'a> {
        let mut scratch = Scratch {
            locals: self.locals,
            globals: self.globals,
            nonlocals: self.nonlocals,
            values: self.values,
            text: self.text,
        };
        scratch.locals.clear();
        scratch.globals.clear();
        scratch.nonlocals.clear();
        scratch.values.clear();
        scratch
    }

    pub(super) fn at_module_level(&self) -> bool {
        self.function.is_none()
    }

    pub(super) fn class(&self) -> Option<ClassId> {
        self.function.and_then(|id| self.model.functions[id].class)
    }

    /// The one base class named through an import (`pkg.layers.Base`, or
    /// `.layers.Base` until the run resolves it) of this method's class,
    /// through its bases in this module; `None` when there is none, or more
    /// than one, or it is TensorFlow's, Keras's or the standard library's.
    pub(super) fn imported_base(&self) -> Option<&'m str> {
        *self
            .imported_base
            .get_or_init(|| self.imported_base_of(self.class()?))
    }

    /// [`Walker::imported_base`] of any class of this module.
    pub(super) fn imported_base_of(&self, class: ClassId) -> Option<&'m str> {
        let model: &'m SemanticModel<'a> = self.model;
        let mut found: Option<&'m str> = None;
        let mut seen = vec![class];
        let mut queue = vec![class];
        while let Some(current) = queue.pop() {
            for base in &model.classes[current].bases {
                if let Some(local) = model
                    .classes
                    .iter()
                    .position(|c| c.def.name.id.as_str() == base)
                {
                    if !seen.contains(&local) {
                        seen.push(local);
                        queue.push(local);
                    }
                    continue;
                }
                let root = base.split('.').next().unwrap_or_default();
                if !base.contains('.')
                    || root == "tensorflow"
                    || is_keras(base)
                    || is_standard_base_module(root)
                {
                    continue;
                }
                if found.is_some_and(|f| f != base) {
                    return None;
                }
                found = Some(base);
            }
        }
        found
    }

    /// One tensor operation of the body.
    pub(super) fn tensor_op(&mut self) {
        self.effects.tensor_ops = self.effects.tensor_ops.saturating_add(1);
        self.effects.step_loop_work |= self.step_loops > 0;
    }

    /// A call that may run any number of tensor operations.
    pub(super) fn runs_many_ops(&mut self) {
        self.effects.tensor_ops = u32::MAX;
        self.effects.step_loop_work |= self.step_loops > 0;
    }

    pub(super) fn is_tf_method(&self) -> bool {
        self.class().is_some_and(|c| self.module.tf_classes[c])
    }

    /// Keeps the first culprit of each effect; `what` is put into words only
    /// when it is kept.
    pub(super) fn add(&mut self, effect: Effect, offset: TextSize, what: impl std::fmt::Display) {
        if !self.has(effect) {
            let what = self.words(what);
            self.effects.culprits.push(Culprit {
                effect,
                offset,
                what,
            });
        }
    }

    /// `what` written out. It is written into a buffer kept from one call
    /// to the next, so that the string is allocated once, at its length,
    /// rather than grown while it is written.
    pub(super) fn words(&mut self, what: impl std::fmt::Display) -> String {
        use std::fmt::Write as _;
        self.text.clear();
        let _ = write!(self.text, "{what}");
        self.text.as_str().into()
    }

    /// Whether `effect` needs no more culprits (one is kept per effect), so
    /// that hot paths skip formatting another.
    pub(super) fn has(&self, effect: Effect) -> bool {
        (self.at_module_level() && self.watch.is_none()) || self.effects.culprit(effect).is_some()
    }

    /// A conditional effect whose words name the parameter:
    /// `before`, the parameter's name, `after`.
    pub(super) fn param_conditional(
        &mut self,
        param: usize,
        rule: ParamRule,
        offset: TextSize,
        before: &str,
        after: impl std::fmt::Display,
    ) {
        if !self.at_module_level() {
            use std::fmt::Write as _;
            let Some(param_name) = param_name(&self.effects.params, param) else {
                return;
            };
            self.text.clear();
            self.text.push_str(before);
            self.text.push_str(param_name);
            let _ = write!(self.text, "{after}");
            self.effects.conditionals.push(Conditional {
                param,
                rule,
                offset,
                what: self.text.as_str().into(),
                method: None,
                of_constructor: false,
            });
        }
    }

    /// A call of `method` on parameter `param` (or of the parameter itself,
    /// when `method` is `None`): what it does depends on what is passed.
    pub(super) fn param_call(
        &mut self,
        param: usize,
        method: Option<&str>,
        offset: TextSize,
        what: impl std::fmt::Display,
    ) {
        self.conditional_call(param, method, offset, what, false);
    }

    /// A call through `self.<attribute>` (or of a method of it) where the
    /// constructor stores its parameter `param` there: what it does depends
    /// on what the constructions pass.
    pub(super) fn constructor_call(
        &mut self,
        param: usize,
        method: Option<&str>,
        offset: TextSize,
        what: impl std::fmt::Display,
    ) {
        self.conditional_call(param, method, offset, what, true);
    }

    fn conditional_call(
        &mut self,
        param: usize,
        method: Option<&str>,
        offset: TextSize,
        what: impl std::fmt::Display,
        of_constructor: bool,
    ) {
        if !self.at_module_level() {
            let what = self.words(what);
            self.effects.conditionals.push(Conditional {
                param,
                rule: if method.is_some() {
                    ParamRule::MethodCall
                } else {
                    ParamRule::Call
                },
                offset,
                what,
                method: method.map(Box::from),
                of_constructor,
            });
        }
    }

    /// The index of the constructor's parameter that `self.<name>` stores,
    /// when no construction in the module says what it holds.
    pub(super) fn constructor_param(&self, name: &str) -> Option<usize> {
        let class = self.class()?;
        self.module.ctor_params.get(class)?.get(name).copied()
    }

    /// Records what a `return` gives back.
    fn on_return(&mut self, value: Option<&Expr>, offset: TextSize) {
        let Some(value) = value else { return };
        // The result of a call the propagation follows: what its callee
        // returns.
        if let Expr::Call(call) = value {
            let start = call.start();
            if let Some(index) = self.effects.calls.iter().rposition(|c| c.offset == start) {
                self.effects.returns.calls.push((index as u32, offset));
                return;
            }
        }
        // A set is no structure a graph function can return.
        let result = if matches!(value, Expr::Set(_) | Expr::SetComp(_)) {
            Returned::Python("a set")
        } else {
            returned(&self.value(value))
        };
        let returns = &mut self.effects.returns;
        match result {
            Returned::Tensor => {}
            Returned::Python(what) => {
                returns.python.get_or_insert((offset, what));
            }
            Returned::Params(params) => {
                returns.params |= params;
                returns.params_at.get_or_insert(offset);
            }
            Returned::Unknown => {
                returns.unknown.get_or_insert(offset);
            }
        }
    }

    pub(super) fn param_index(&self, name: &str) -> Option<usize> {
        self.effects.params.iter().position(|p| p == name)
    }

    pub(super) fn is_self(&self, expr: &Expr) -> bool {
        matches!(expr, Expr::Name(n) if Some(n.id.as_str()) == self.self_name)
    }
}

impl<'a> Visitor<'a> for Walker<'_, 'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.watch.is_some() {
            return self.visit_watched(stmt);
        }
        self.walk_statement(stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        self.walk_expression(expr);
    }
}

impl<'a> Walker<'_, 'a> {
    /// What a statement does: its effects, the values it binds.
    pub(super) fn walk_statement(&mut self, stmt: &'a Stmt) {
        self.stmt_depth += 1;
        match stmt {
            // Nested functions and classes are analysed on their own; their
            // names are local bindings here.
            Stmt::FunctionDef(def) => {
                for decorator in &def.decorator_list {
                    self.visit_expr(&decorator.expression);
                }
                if !self.at_module_level() {
                    self.values.insert(def.name.id.as_str(), Value::Unknown);
                }
            }
            Stmt::ClassDef(_) => {}
            Stmt::Assign(assign) => {
                self.visit_expr(&assign.value);
                if let Some(pairs) = unpacked(&assign.targets, &assign.value) {
                    // `a, b = {}, []`: each name takes its own value, all
                    // read before any is written (`a, b = b, a`).
                    let values: Vec<Value> = pairs.iter().map(|(_, v)| self.value(v)).collect();
                    for ((target, value_expr), value) in pairs.into_iter().zip(values) {
                        self.visit_target(target);
                        self.on_write(target, Some(value));
                        self.static_shape_assign(target, value_expr);
                    }
                } else {
                    let value = self.value(&assign.value);
                    // The last target takes the value itself, not a copy.
                    if let Some((last, others)) = assign.targets.split_last() {
                        for target in others {
                            self.visit_target(target);
                            self.on_write(target, Some(value.clone()));
                        }
                        self.visit_target(last);
                        if others.is_empty() {
                            self.note_made_here(last, &assign.value, &value);
                        }
                        self.on_write(last, Some(value));
                        self.static_shape_assign(last, &assign.value);
                    }
                }
            }
            Stmt::AnnAssign(assign) => {
                if let Some(value) = &assign.value {
                    self.visit_expr(value);
                    let value = self.value(value);
                    self.visit_target(&assign.target);
                    self.on_write(&assign.target, Some(value));
                }
            }
            Stmt::AugAssign(assign) => {
                self.visit_expr(&assign.value);
                let left = self.value(&assign.target);
                let right = self.value(&assign.value);
                self.arithmetic_of([&left, &right], assign.start());
                self.visit_target(&assign.target);
                self.on_write(&assign.target, Some(binary_value(&left, &right)));
            }
            Stmt::Delete(delete) => {
                for target in &delete.targets {
                    self.visit_target(target);
                    self.on_write(target, None);
                }
            }
            Stmt::For(for_stmt) => {
                self.visit_expr(&for_stmt.iter);
                self.static_shape_test(&for_stmt.iter);
                self.graph_loop_for(&for_stmt.iter);
                self.loop_target(&for_stmt.target, &for_stmt.iter);
                self.forget_loop_carried(&for_stmt.body);
                let steps = usize::from(self.steps_over(&for_stmt.iter));
                self.loop_depth += 1;
                self.step_loops += steps;
                self.visit_body(&for_stmt.body);
                self.step_loops -= steps;
                self.loop_depth -= 1;
                self.visit_body(&for_stmt.orelse);
            }
            Stmt::While(while_stmt) => {
                self.forget_loop_carried(&while_stmt.body);
                self.test_depth += 1;
                self.visit_expr(&while_stmt.test);
                self.test_depth -= 1;
                self.static_shape_test(&while_stmt.test);
                self.graph_loop_while(&while_stmt.test);
                self.loop_depth += 1;
                self.step_loops += 1;
                self.visit_body(&while_stmt.body);
                self.step_loops -= 1;
                self.loop_depth -= 1;
                self.visit_body(&while_stmt.orelse);
            }
            Stmt::If(if_stmt) => {
                self.test_depth += 1;
                self.visit_expr(&if_stmt.test);
                self.test_depth -= 1;
                self.static_shape_test(&if_stmt.test);
                // One branch runs per call: the operations of the others
                // are no cost of that call.
                let mut start = self.effects.tensor_ops;
                self.visit_body(&if_stmt.body);
                let (mut sum, mut max) = (0u32, 0u32);
                let mut branch = |start: &mut u32, now: u32| {
                    let ops = now.saturating_sub(*start);
                    sum = sum.saturating_add(ops);
                    max = max.max(ops);
                    *start = now;
                };
                branch(&mut start, self.effects.tensor_ops);
                for clause in &if_stmt.elif_else_clauses {
                    if let Some(test) = &clause.test {
                        self.test_depth += 1;
                        self.visit_expr(test);
                        self.test_depth -= 1;
                        self.static_shape_test(test);
                    }
                    start = self.effects.tensor_ops;
                    self.visit_body(&clause.body);
                    branch(&mut start, self.effects.tensor_ops);
                }
                self.effects.other_branch_ops =
                    self.effects.other_branch_ops.saturating_add(sum - max);
            }
            Stmt::With(with) => {
                for item in &with.items {
                    self.visit_expr(&item.context_expr);
                    if let Some(vars) = &item.optional_vars {
                        let value = self.value(&item.context_expr);
                        self.on_write(vars, Some(value));
                    }
                }
                self.visit_body(&with.body);
            }
            Stmt::Import(_) | Stmt::ImportFrom(_) if !self.at_module_level() => {}
            Stmt::Return(ret) => {
                walk_stmt(self, stmt);
                if !self.at_module_level() {
                    self.on_return(ret.value.as_deref(), ret.start());
                }
            }
            Stmt::Assert(assert) => {
                walk_stmt(self, stmt);
                self.static_shape_test(&assert.test);
            }
            // `raise error_class(message)`: what is raised is built to be
            // raised (an exception class, also one passed in); its
            // arguments are walked, the construction is no unknown callee.
            Stmt::Raise(raise) => {
                match raise.exc.as_deref() {
                    Some(Expr::Call(call)) => {
                        for arg in call.arguments.args.iter() {
                            self.walk_expression(arg);
                        }
                        for keyword in call.arguments.keywords.iter() {
                            self.walk_expression(&keyword.value);
                        }
                    }
                    Some(exc) => self.walk_expression(exc),
                    None => {}
                }
                if let Some(cause) = raise.cause.as_deref() {
                    self.walk_expression(cause);
                }
            }
            _ => walk_stmt(self, stmt),
        }
        self.stmt_depth -= 1;
    }

    /// What an expression does.
    fn walk_expression(&mut self, expr: &'a Expr) {
        match expr {
            // Nothing to see below these: not walked (most expressions are
            // names and attributes).
            Expr::Name(_)
            | Expr::NumberLiteral(_)
            | Expr::StringLiteral(_)
            | Expr::BytesLiteral(_)
            | Expr::BooleanLiteral(_)
            | Expr::NoneLiteral(_)
            | Expr::EllipsisLiteral(_) => {}
            Expr::Attribute(attribute) => {
                // Every read of what the class's methods store in
                // `self.<name>` is noted, whether or not its value is asked
                // for (an argument of a TensorFlow call). A name they do
                // not store may be a method of a base in another module.
                if attribute.ctx.is_load() && self.is_self(&attribute.value) {
                    let name = attribute.attr.id.as_str();
                    if let Some(stored) = self
                        .class()
                        .and_then(|c| self.module.class_attributes[c].get(name))
                    {
                        self.note_state_read(attribute.start(), name, Some(stored));
                    }
                }
                self.visit_expr(&attribute.value);
            }
            Expr::Lambda(_) => {}
            Expr::Call(call) => {
                if self.watch.is_some() {
                    self.note_callee(call);
                }
                self.on_call(call);
                walk_expr(self, expr);
            }
            Expr::Yield(_) | Expr::YieldFrom(_) => {
                if self.effects.generator.is_none() && !self.at_module_level() {
                    self.effects.generator = Some(expr.start());
                }
                walk_expr(self, expr);
            }
            Expr::BinOp(binop) => {
                self.arithmetic(&binop.left, &binop.right, binop.start());
                walk_expr(self, expr);
            }
            Expr::If(if_expr) => {
                self.test_depth += 1;
                self.visit_expr(&if_expr.test);
                self.test_depth -= 1;
                self.static_shape_test(&if_expr.test);
                self.visit_expr(&if_expr.body);
                self.visit_expr(&if_expr.orelse);
            }
            Expr::ListComp(_) | Expr::SetComp(_) | Expr::DictComp(_) | Expr::Generator(_) => {
                let generators = match expr {
                    Expr::ListComp(c) => &c.generators,
                    Expr::SetComp(c) => &c.generators,
                    Expr::DictComp(c) => &c.generators,
                    Expr::Generator(c) => &c.generators,
                    _ => unreachable!("matched above"),
                };
                // Comprehension variables are local to the comprehension.
                for generator in generators {
                    let mut names = LocalNames::new(false);
                    names.bind(&generator.target);
                    self.locals.extend(names.assigned);
                    self.loop_target(&generator.target, &generator.iter);
                    self.static_shape_test(&generator.iter);
                    for condition in &generator.ifs {
                        self.static_shape_test(condition);
                    }
                }
                let steps = usize::from(
                    generators
                        .iter()
                        .any(|generator| self.steps_over(&generator.iter)),
                );
                self.loop_depth += 1;
                self.step_loops += steps;
                walk_expr(self, expr);
                self.step_loops -= steps;
                self.loop_depth -= 1;
            }
            _ => walk_expr(self, expr),
        }
    }
}

impl Walker<'_, '_> {
    /// Visits the expressions inside an assignment target (subscripts,
    /// receivers) without treating the target itself as a read.
    pub(super) fn visit_target(&mut self, target: &Expr) {
        match target {
            Expr::Attribute(attribute) => self.visit_expr_any(&attribute.value),
            Expr::Subscript(subscript) => {
                self.visit_expr_any(&subscript.value);
                self.visit_expr_any(&subscript.slice);
            }
            Expr::Tuple(tuple) => tuple.elts.iter().for_each(|e| self.visit_target(e)),
            Expr::List(list) => list.elts.iter().for_each(|e| self.visit_target(e)),
            _ => {}
        }
    }

    pub(super) fn visit_expr_any(&mut self, expr: &Expr) {
        // SAFETY of lifetimes: the visitor only reads the expression.
        let mut calls = CallsIn::default();
        calls.visit_expr(expr);
        for call in calls.calls {
            self.on_call(call);
        }
    }

    pub(super) fn arithmetic(&mut self, left: &Expr, right: &Expr, offset: TextSize) {
        let left = self.value(left);
        let right = self.value(right);
        self.arithmetic_of([&left, &right], offset);
    }

    /// [`Walker::arithmetic`] with the operands' values.
    pub(super) fn arithmetic_of(&mut self, sides: [&Value; 2], offset: TextSize) {
        if sides.iter().any(|side| {
            side.is_tensor_like() || matches!(side, Value::Param(_) | Value::Derived(_))
        }) {
            self.tensor_op();
        }
        for side in sides {
            match side {
                value if value.is_tensor_like() => {
                    self.add(Effect::TensorComputation, offset, "computes with tensors");
                }
                &Value::Param(index) => {
                    self.param_conditional(
                        index,
                        ParamRule::TensorIfTensor,
                        offset,
                        "computes with `",
                        "`",
                    );
                }
                &Value::Derived(params) => {
                    for index in bits(params) {
                        self.param_conditional(
                            index,
                            ParamRule::TensorIfTensor,
                            offset,
                            "computes with `",
                            "`",
                        );
                    }
                }
                _ => {}
            }
        }
    }
}

/// The indexes of the set bits of `set`, lowest first.
pub(super) fn bits(set: u64) -> impl Iterator<Item = usize> {
    (0..64).filter(move |bit| set & (1 << bit) != 0)
}

/// What a returned value is to a graph function.
enum Returned {
    /// A tensor, a nest of tensors, `None`: what a graph function returns.
    Tensor,
    /// A Python value or an object: what it is.
    Python(&'static str),
    /// Computed from these parameters: a tensor if one of them is.
    Params(u64),
    Unknown,
}

fn returned(value: &Value) -> Returned {
    match value {
        Value::Tensor(_) | Value::Structure(_) | Value::Nothing => Returned::Tensor,
        Value::Primitive { literal, .. } => match literal.as_deref() {
            Some("None") => Returned::Tensor,
            Some(text) if text.starts_with('"') => Returned::Python("text"),
            Some("True" | "False") => Returned::Python("a Python truth value"),
            _ => Returned::Python("a Python value"),
        },
        Value::NdArray(_) => Returned::Python("a NumPy array"),
        Value::Object(kind) if kind.is_returnable() => Returned::Tensor,
        Value::Object(kind) => Returned::Python(kind.describe()),
        Value::Instance(_) => Returned::Python("an object"),
        Value::Function(_) => Returned::Python("a function"),
        Value::Io => Returned::Python("a file or stream"),
        Value::Container(container) => match returned(&container.element) {
            Returned::Python(_) => Returned::Python("a container of Python values or objects"),
            other => other,
        },
        Value::Param(index) if *index < 64 => Returned::Params(1 << index),
        Value::Derived(params) => Returned::Params(*params),
        Value::Param(_) | Value::Unknown => Returned::Unknown,
    }
}

/// The name of the analysed function's parameter `param` (of `params`).
/// A parameter of another function stands for nothing here: no name (a
/// bug the tests catch, which a run survives).
fn param_name(params: &[String], param: usize) -> Option<&str> {
    let name = params.get(param);
    debug_assert!(name.is_some(), "parameter {param} of another function");
    name.map(String::as_str)
}

/// The pairs of `a, b = x, y` (one target, a tuple or list of as many
/// names, subscripts or attributes as the tuple or list literal has
/// elements, none starred).
fn unpacked<'e>(targets: &'e [Expr], value: &'e Expr) -> Option<Vec<(&'e Expr, &'e Expr)>> {
    let [target] = targets else {
        return None;
    };
    let (Expr::Tuple(ruff_python_ast::ExprTuple { elts: names, .. })
    | Expr::List(ruff_python_ast::ExprList { elts: names, .. })) = target
    else {
        return None;
    };
    let (Expr::Tuple(ruff_python_ast::ExprTuple { elts: values, .. })
    | Expr::List(ruff_python_ast::ExprList { elts: values, .. })) = value
    else {
        return None;
    };
    // Nested targets and starred elements are not pairs; a list or tuple
    // value is (`a, b = [], []`: two fresh lists).
    if names.len() != values.len()
        || names
            .iter()
            .any(|e| matches!(e, Expr::Starred(_) | Expr::Tuple(_) | Expr::List(_)))
        || values.iter().any(Expr::is_starred_expr)
    {
        return None;
    }
    Some(names.iter().zip(values).collect())
}

/// What a static-shape read reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ShapeRead {
    /// The rank only (`x.shape.ndims`, `x.ndim`, `len(x.shape)`).
    Rank,
    /// Dimensions, or the whole shape (`x.shape[0]`, `len(x)`,
    /// `x.get_shape()`).
    Dims,
}

/// A name that holds a static-shape read: the name, what it read, and of
/// which tensor (as written).
pub(super) type StaticName<'a> = (&'a str, ShapeRead, Box<str>);
