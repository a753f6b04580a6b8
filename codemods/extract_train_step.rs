//! HY005 extract-train-step: an eager loop whose body does its tensor work
//! inline (a `GradientTape` block and `apply_gradients`, or a forward pass
//! and metric updates) gets that work moved into a new `@tf.function` step
//! function, which the loop calls; Python bookkeeping stays in the loop.

mod flow;
mod placement;

use rustc_hash::FxHashMap as HashMap;

use ruff_python_ast::statement_visitor::{walk_stmt, StatementVisitor};
use ruff_python_ast::visitor::{walk_expr, Visitor};
use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::analyze::preconditions::failed_preconditions;
use crate::checker::Checker;
use crate::codemod::{Codemod, DependsOn, FixSafety};
use crate::semantic::builtins::mutating_method;
use crate::semantic::effects::{statement_effects, Effect, StatementEffects};
use crate::semantic::kinds::{ClassRef, ObjectCall, ObjectKind, ParamKind, Value};
use crate::semantic::scopes::FunctionNames;
use crate::semantic::{FunctionId, SemanticModel};
use flow::Flow;
use placement::Step;

pub const CODEMOD: Codemod = Codemod {
    code: "HY005",
    name: "extract-train-step",
    summary:
        "Move the tensor work of an eager training or evaluation loop into a `@tf.function` step",
    safety: FixSafety::Unsafe,
    doc: include_str!("extract_train_step.md"),
    informational: &[],
    // A loop that calls a function HY001 decorates is left to HY001, and
    // what HY001 decides depends on the facts of the functions called in
    // loops.
    depends_on: &[DependsOn::LoopCalls],
    run,
};

fn run(checker: &mut Checker) {
    let semantic = checker.semantic;
    // Two steps extracted in one pass must not take the same name.
    let mut taken: Vec<String> = Vec::new();
    for id in 0..semantic.functions.len() {
        let function = &semantic.functions[id];
        let facts = &semantic.facts[id];
        // Graph code is already compiled; a coroutine's loop awaits.
        if function.def.is_async || semantic.runs_under_graph(id) || facts.under_graph {
            continue;
        }
        // Keras runs these itself, as graphs under `fit`.
        if function
            .class
            .is_some_and(|class| semantic.is_tf_class(class))
            && matches!(
                function.def.name.id.as_str(),
                "call" | "__call__" | "train_step" | "test_step" | "predict_step" | "build"
            )
        {
            continue;
        }
        // Only a function that does tensor work can have a loop that does.
        if facts.effect(Effect::TensorComputation).is_none() && !facts.param_tensor_work {
            continue;
        }
        let loops = loops_in(&function.def.body);
        // A function HY001 may decorate whole is left to HY001 (its
        // decorator and the step would both go before its `def`).
        if !loops.is_empty() && !hy001_may_decorate(checker, id) {
            scope(checker, Some(id), &loops, &mut taken);
        }
    }
    let module_loops = loops_in(semantic.module_body());
    if !module_loops.is_empty() {
        scope(checker, None, &module_loops, &mut taken);
    }
}

/// A `for` or `while` loop whose body calls something.
struct Loop<'a> {
    stmt: &'a Stmt,
    body: &'a [Stmt],
    /// `for x, y in dataset` or `while cond`: where the finding points.
    header: TextRange,
}

/// The loops of a body (nested ones included, not those of nested
/// functions and classes) whose bodies make calls.
fn loops_in(body: &[Stmt]) -> Vec<Loop<'_>> {
    #[derive(Default)]
    struct Loops<'a>(Vec<Loop<'a>>);
    impl<'a> StatementVisitor<'a> for Loops<'a> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            match stmt {
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return,
                Stmt::For(for_stmt) if !for_stmt.is_async && makes_calls(&for_stmt.body) => {
                    self.0.push(Loop {
                        stmt,
                        body: &for_stmt.body,
                        header: TextRange::new(for_stmt.start(), for_stmt.iter.end()),
                    });
                }
                Stmt::While(while_stmt) if makes_calls(&while_stmt.body) => {
                    self.0.push(Loop {
                        stmt,
                        body: &while_stmt.body,
                        header: TextRange::new(while_stmt.start(), while_stmt.test.end()),
                    });
                }
                _ => {}
            }
            walk_stmt(self, stmt);
        }
    }
    let mut loops = Loops::default();
    loops.visit_body(body);
    loops.0
}

/// Whether statements may be a training loop's body (they create a
/// `GradientTape` and call `apply_gradients` or `minimize`) or an evaluation
/// loop's (they call `update_state`): a look at the text only, so that
/// other loops cost no analysis.
fn makes_calls(body: &[Stmt]) -> bool {
    #[derive(Default)]
    struct Calls {
        tape: bool,
        update: bool,
        metric: bool,
    }
    impl<'a> Visitor<'a> for Calls {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Call(call) = expr {
                let name = match call.func.as_ref() {
                    Expr::Attribute(attribute) => attribute.attr.id.as_str(),
                    Expr::Name(name) => name.id.as_str(),
                    _ => "",
                };
                match name {
                    "GradientTape" => self.tape = true,
                    "apply_gradients" | "minimize" => self.update = true,
                    "update_state" => self.metric = true,
                    _ => {}
                }
            }
            walk_expr(self, expr);
        }
    }
    let mut calls = Calls::default();
    ruff_python_ast::visitor::Visitor::visit_body(&mut calls, body);
    (calls.tape && calls.update) || calls.metric
}

/// The loops of one scope (a function, or module-level code): their
/// bodies' statements are walked once, in place, then each loop is
/// looked at.
fn scope(
    checker: &mut Checker,
    function: Option<FunctionId>,
    loops: &[Loop],
    taken: &mut Vec<String>,
) {
    let ranges: Vec<TextRange> = loops
        .iter()
        .flat_map(|lp| lp.body.iter().map(Ranged::range))
        .collect();
    let found = statement_effects(checker.semantic, function, &ranges);
    let mut at = 0;
    for lp in loops {
        let effects = &found[at..at + lp.body.len()];
        at += lp.body.len();
        let Some(effects) = effects
            .iter()
            .map(Option::as_ref)
            .collect::<Option<Vec<_>>>()
        else {
            continue;
        };
        let context = Context {
            semantic: checker.semantic,
            function,
            loop_range: lp.stmt.range(),
            header: lp.header,
            loop_targets: match lp.stmt {
                Stmt::For(for_stmt) => {
                    let mut targets = Flow::default();
                    targets.bind_target(&for_stmt.target);
                    targets.bound
                }
                _ => Vec::new(),
            },
        };
        look_at_loop(checker, &context, lp.body, &effects, taken);
    }
}

/// What a loop is looked at with: its scope and where it is.
struct Context<'c, 'a> {
    semantic: &'c SemanticModel<'a>,
    /// The function that holds the loop (`None` at module level).
    function: Option<FunctionId>,
    loop_range: TextRange,
    /// `for x, y in dataset` or `while cond`: where the finding points.
    header: TextRange,
    /// The names the `for` target binds.
    loop_targets: Vec<String>,
}

impl Context<'_, '_> {
    /// What parameter `index` of the enclosing function is passed, joined
    /// over its call sites.
    fn param_kind(&self, index: usize) -> ParamKind {
        self.function
            .and_then(|id| self.semantic.facts[id].params.get(index))
            .map_or(ParamKind::Unknown, |(_, kind)| kind.clone())
    }

    /// The value of `name` right before `at`, as the walk found it; a
    /// global of the module when the scope does not bind it.
    fn value(&self, at: &StatementEffects, name: &str) -> Value {
        at.before
            .get(name)
            .or_else(|| {
                self.function
                    .is_some()
                    .then(|| self.semantic.values.globals.get(name))
                    .flatten()
            })
            .cloned()
            .unwrap_or(Value::Unknown)
    }

    fn value_after(&self, at: &StatementEffects, name: &str) -> Value {
        at.after.get(name).cloned().unwrap_or(Value::Unknown)
    }
}

/// What a statement of the loop body is to the step.
#[derive(Debug, Clone)]
enum Kind {
    /// A compound or control-flow statement that the step cannot take
    /// (`if`, `for`, `try`, `break`, ...): what it is.
    Barrier(&'static str),
    /// Tensor work a graph function can do.
    Tensor,
    /// No tensor work; its first Python effect (eager-only call, I/O,
    /// `print`, mutation), if it has one.
    Python(Option<Culprit>),
    /// Tensor work together with a Python effect a graph function cannot
    /// repeat on every call.
    Mixed(Culprit),
}

#[derive(Debug, Clone)]
struct Culprit {
    offset: TextSize,
    what: String,
}

/// What one statement of the loop body is and does.
struct Statement<'s> {
    stmt: &'s Stmt,
    facts: &'s StatementEffects,
    kind: Kind,
    /// Why it is the heart of a step: a `GradientTape` block, or a call of
    /// a Keras model or layer.
    heavy: bool,
    /// Whether it computes or applies gradients.
    gradient: bool,
    /// Whether it opens a `tf.GradientTape` block.
    tape: bool,
    /// Whether it applies gradients (`optimizer.apply_gradients(...)`,
    /// `optimizer.minimize(...)`).
    update: bool,
    /// Whether it updates a Keras metric.
    metric: bool,
    /// What the analysis had to assume (a parameter of unknown kind called
    /// as a model).
    doubts: Vec<String>,
    flow: Flow,
}

fn look_at_loop(
    checker: &mut Checker,
    context: &Context,
    body: &[Stmt],
    effects: &[&StatementEffects],
    taken: &mut Vec<String>,
) {
    let mut statements = Vec::with_capacity(body.len());
    for (stmt, facts) in body.iter().zip(effects) {
        match classify(checker, context, stmt, facts) {
            Some(statement) => statements.push(statement),
            // It calls a graph function, or one HY001 decorates: the step
            // exists already, or will.
            None => return,
        }
    }
    // Only a training loop (a tape block and an update of the weights) or
    // an evaluation loop (a forward pass and metric updates): other loops
    // that do tensor work (a layer applying its sublayers, a model building
    // its outputs) are no steps to extract.
    let training = statements.iter().any(|s| s.tape) && statements.iter().any(|s| s.update);
    let evaluation = statements.iter().any(|s| s.heavy) && statements.iter().any(|s| s.metric);
    if !training && !evaluation {
        return;
    }
    // The heart of the step: the first tape block or forward pass that is
    // a plain statement of the body.
    let Some(heart) = statements
        .iter()
        .position(|s| s.heavy && !matches!(s.kind, Kind::Barrier(_)))
    else {
        return;
    };
    let barrier = |s: &Statement| matches!(s.kind, Kind::Barrier(_));
    let tensorish = |s: &Statement| matches!(s.kind, Kind::Tensor | Kind::Mixed(_));
    let segment_start = statements[..heart]
        .iter()
        .rposition(barrier)
        .map_or(0, |i| i + 1);
    let segment_end = statements[heart..]
        .iter()
        .position(barrier)
        .map_or(statements.len(), |i| heart + i);
    let start = (segment_start..=heart)
        .find(|&i| tensorish(&statements[i]))
        .unwrap_or(heart);
    let end = (heart..segment_end)
        .rev()
        .find(|&i| tensorish(&statements[i]))
        .unwrap_or(heart);
    let first_line = checker.line_number(statements[start].stmt.start());
    let last_line = checker.line_number(statements[end].stmt.end());
    let lines = if first_line == last_line {
        format!("line {first_line} does")
    } else {
        format!("lines {first_line}-{last_line} do")
    };
    let diagnostic = CODEMOD.diagnostic(
        format!("{lines} this loop's tensor work eagerly, on every iteration"),
        context.header,
    );
    let diagnostic = match context.function {
        Some(id) => diagnostic.with_function(context.semantic.functions[id].qualified_name.clone()),
        None => diagnostic,
    };
    match plan(
        checker,
        context,
        &statements,
        start,
        end,
        segment_end,
        taken,
    ) {
        Ok(step) => {
            let (fix, title, note) = match placement::fix(checker, context, &statements, &step) {
                Ok(fix) => fix,
                Err(why) => {
                    checker.report(diagnostic.with_note(format!("no fix offered: {why}")));
                    return;
                }
            };
            taken.push(step.name.clone());
            let message = format!(
                "{lines} this loop's tensor work eagerly, on every iteration: extract {} into `@tf.function def {}`{}",
                if first_line == last_line { "it" } else { "them" },
                step.signature(),
                step.returning()
            );
            let mut diagnostic = diagnostic.with_fix(title, fix);
            diagnostic.message = message;
            checker.report(diagnostic.with_note(note));
        }
        Err(why) => {
            checker.report(diagnostic.with_note(format!("no fix offered: {why}")));
        }
    }
}

/// What a statement of the loop body is; `None` when it calls a graph
/// function of the module or one HY001 would decorate.
fn classify<'s>(
    checker: &Checker,
    context: &Context,
    stmt: &'s Stmt,
    facts: &'s StatementEffects,
) -> Option<Statement<'s>> {
    let semantic = context.semantic;
    let mut statement = Statement {
        stmt,
        facts,
        kind: Kind::Tensor,
        heavy: false,
        gradient: false,
        tape: false,
        update: false,
        metric: false,
        doubts: Vec::new(),
        flow: Flow::of([stmt]),
    };
    let mut tensor = facts.effects.culprit(Effect::TensorComputation).is_some();
    let mut bad: Option<Culprit> = None;
    let mut note_bad = |offset: TextSize, what: String| {
        if bad.as_ref().is_none_or(|b| offset < b.offset) {
            bad = Some(Culprit { offset, what });
        }
    };
    for culprit in &facts.effects.culprits {
        if matches!(
            culprit.effect,
            Effect::SideEffect
                | Effect::StateWrite
                | Effect::Print
                | Effect::Logging
                | Effect::EagerOnly
                | Effect::VariableCreation
                | Effect::UnknownCallee
        ) {
            let what = if culprit.effect == Effect::UnknownCallee {
                format!("{} (which the analysis cannot see into)", culprit.what)
            } else {
                culprit.what.clone()
            };
            note_bad(culprit.offset, what);
        }
    }
    for call in &facts.effects.calls {
        match &call.callee {
            crate::semantic::effects::Callee::Local(id) => {
                if leaves_loop_to_graph(checker, semantic, *id) {
                    return None;
                }
                let callee_facts = &semantic.facts[*id];
                if callee_facts.effect(Effect::TensorComputation).is_some() {
                    tensor = true;
                }
                let name = &semantic.functions[*id].qualified_name;
                for effect in [
                    Effect::VariableCreation,
                    Effect::SideEffect,
                    Effect::StateWrite,
                    Effect::Print,
                    Effect::Logging,
                    Effect::EagerOnly,
                    Effect::UnknownCallee,
                ] {
                    if let Some(why) = callee_facts.effect(effect) {
                        note_bad(call.offset, format!("calls `{name}`, which {why}"));
                        break;
                    }
                }
                if callee_facts.generator.is_some() || callee_facts.recursion.is_some() {
                    note_bad(
                        call.offset,
                        format!("calls `{name}`, a generator or recursive function"),
                    );
                }
            }
            crate::semantic::effects::Callee::External(name) => note_bad(
                call.offset,
                format!("calls `{name}`, which the analysis cannot see into"),
            ),
        }
    }
    for conditional in &facts.effects.conditionals {
        use crate::semantic::effects::ParamRule;
        // Through an attribute that stores a constructor's parameter: what
        // the object was built with is not known here.
        if conditional.of_constructor {
            let what = match conditional.rule {
                ParamRule::MethodCall => format!("calls `{}`", conditional.what),
                _ => conditional.what.clone(),
            };
            note_bad(
                conditional.offset,
                format!("{what} (which the analysis cannot see into)"),
            );
            continue;
        }
        let kind = context.param_kind(conditional.param);
        match conditional.rule {
            ParamRule::Call | ParamRule::MethodCall => {
                let what = match (&kind, conditional.method.as_deref()) {
                    (ParamKind::Object(object), None) => object.call(),
                    (ParamKind::Object(object), Some(method)) => object.method(method),
                    (ParamKind::Tensor(_), _) => ObjectCall::Tensor,
                    (ParamKind::Unknown | ParamKind::Instance(_), _) => {
                        statement.doubts.push(format!(
                            "it assumes that what {} is a TensorFlow or Keras object (the analysis sees no call site that says)",
                            conditional.what.trim_start_matches("calls ")
                        ));
                        ObjectCall::Tensor
                    }
                    _ => ObjectCall::SideEffect("may be anything"),
                };
                match what {
                    ObjectCall::Tensor => tensor = true,
                    ObjectCall::SideEffect(why) | ObjectCall::Output(why) => note_bad(
                        conditional.offset,
                        format!("{}, which {why}", conditional.what),
                    ),
                    ObjectCall::EagerOnly => note_bad(
                        conditional.offset,
                        format!("{}, which needs eager values", conditional.what),
                    ),
                    ObjectCall::CreatesVariables => note_bad(
                        conditional.offset,
                        format!("{}, which creates variables", conditional.what),
                    ),
                }
            }
            ParamRule::TensorIfTensor if kind.is_tensor_like() => tensor = true,
            ParamRule::EagerIfMaybeTensor if kind.may_be_tensor() => {
                note_bad(conditional.offset, conditional.what.clone());
            }
            _ => {}
        }
    }
    for callee in &facts.callees {
        let value = match &callee.value {
            Value::Param(index) => match context.param_kind(*index) {
                ParamKind::Object(kind) => Value::Object(kind),
                _ => Value::Unknown,
            },
            other => other.clone(),
        };
        match (&value, callee.method.as_deref()) {
            (Value::Object(ObjectKind::Model | ObjectKind::Layer | ObjectKind::Module), None) => {
                statement.heavy = true;
            }
            (Value::Instance(ClassRef::Local(class)), None) if semantic.is_tf_class(*class) => {
                statement.heavy = true;
            }
            (Value::Object(ObjectKind::Optimizer), Some("apply_gradients" | "minimize")) => {
                statement.gradient = true;
                statement.update = true;
            }
            (Value::Object(ObjectKind::Tape), Some("gradient")) => statement.gradient = true,
            (Value::Param(_) | Value::Unknown, Some("apply_gradients")) => {
                statement.gradient = true;
                statement.update = true;
            }
            (Value::Object(ObjectKind::Metric), None | Some("update_state")) => {
                statement.metric = true;
            }
            _ => {}
        }
        // Mutating a Python container is no graph operation.
        if let Some(method) = callee.method.as_deref() {
            if mutating_method(method).is_some()
                && !matches!(value, Value::Object(_) | Value::Tensor(_))
            {
                let receiver = &checker.source[callee.func.range()];
                let receiver = receiver.rsplit_once('.').map_or(receiver, |(r, _)| r);
                note_bad(
                    callee.offset,
                    format!("mutates the Python object `{receiver}` (`.{method}`)"),
                );
            }
        }
    }
    if let Some(why) = barrier(checker, stmt) {
        statement.kind = Kind::Barrier(why);
        return Some(statement);
    }
    if opens_tape(checker, stmt) {
        statement.heavy = true;
        statement.gradient = true;
        statement.tape = true;
    }
    if let Some((offset, text)) = stored_outside_names(checker, stmt) {
        note_bad(offset, format!("writes to `{text}`"));
    }
    statement.kind = match (tensor, bad) {
        (true, Some(culprit)) => Kind::Mixed(culprit),
        (true, None) => Kind::Tensor,
        (false, culprit) => Kind::Python(culprit),
    };
    Some(statement)
}

/// Whether HY001 may decorate `id` whole: it is a candidate (called in a
/// loop, named as a step, or any function with `--candidates all`) and
/// meets every precondition.
fn hy001_may_decorate(checker: &Checker, id: FunctionId) -> bool {
    let semantic = checker.semantic;
    let facts = &semantic.facts[id];
    let name = semantic.functions[id].def.name.id.as_str();
    let candidate = checker.settings.candidates == crate::settings::Candidates::All
        || facts.loop_call.is_some()
        || matches!(
            name,
            "train_step" | "test_step" | "eval_step" | "predict_step" | "val_step"
        );
    candidate && failed_preconditions(checker.source, semantic, id).is_empty()
}

/// Whether a call of `id` in the loop means the loop already has (or will
/// get from HY001) a graph step: `id` is a graph function, or a function
/// doing tensor work that meets every precondition of HY001.
fn leaves_loop_to_graph(checker: &Checker, semantic: &SemanticModel, id: FunctionId) -> bool {
    let function = &semantic.functions[id];
    if function.graph.is_some() || semantic.runs_under_graph(id) {
        return true;
    }
    semantic.facts[id]
        .effect(Effect::TensorComputation)
        .is_some()
        && failed_preconditions(checker.source, semantic, id).is_empty()
}

/// Why a statement cannot be part of the step, when it cannot: anything
/// but a plain statement or a `with` block of TensorFlow contexts
/// (`GradientTape`, `name_scope`, `device`) holding plain statements.
fn barrier(checker: &Checker, stmt: &Stmt) -> Option<&'static str> {
    match stmt {
        Stmt::Expr(_)
        | Stmt::Assign(_)
        | Stmt::AugAssign(_)
        | Stmt::AnnAssign(_)
        | Stmt::Pass(_) => {
            if yields_or_awaits(stmt) {
                Some("a `yield` or `await`")
            } else {
                None
            }
        }
        Stmt::With(with) => {
            let tensorflow_contexts = !with.is_async
                && with.items.iter().all(|item| {
                    let Expr::Call(call) = &item.context_expr else {
                        return false;
                    };
                    checker
                        .semantic
                        .imports
                        .with_resolved(&call.func, |qualified| {
                            matches!(
                                qualified,
                                "tensorflow.GradientTape"
                                    | "tensorflow.name_scope"
                                    | "tensorflow.device"
                            )
                        })
                        .unwrap_or(false)
                });
            if !tensorflow_contexts {
                return Some("a `with` block");
            }
            with.body.iter().find_map(|inner| barrier(checker, inner))
        }
        Stmt::If(_) => Some("an `if` statement"),
        Stmt::For(_) | Stmt::While(_) => Some("a loop"),
        Stmt::Try(_) => Some("a `try` statement"),
        Stmt::Match(_) => Some("a `match` statement"),
        Stmt::Break(_) => Some("`break`"),
        Stmt::Continue(_) => Some("`continue`"),
        Stmt::Return(_) => Some("`return`"),
        Stmt::Raise(_) => Some("`raise`"),
        Stmt::Assert(_) => Some("an `assert`"),
        Stmt::Delete(_) => Some("`del`"),
        Stmt::Global(_) | Stmt::Nonlocal(_) => Some("a scope declaration"),
        Stmt::Import(_) | Stmt::ImportFrom(_) => Some("an import"),
        Stmt::FunctionDef(_) | Stmt::ClassDef(_) => Some("a definition"),
        _ => Some("a statement the analysis does not extract"),
    }
}

/// Whether a statement is a `with tf.GradientTape() ...` block.
fn opens_tape(checker: &Checker, stmt: &Stmt) -> bool {
    let Stmt::With(with) = stmt else {
        return false;
    };
    with.items.iter().any(|item| {
        matches!(&item.context_expr, Expr::Call(call) if checker
            .semantic
            .imports
            .resolves_to(&call.func, "tensorflow.GradientTape"))
    })
}

fn yields_or_awaits(stmt: &Stmt) -> bool {
    struct Found(bool);
    impl<'a> Visitor<'a> for Found {
        fn visit_expr(&mut self, expr: &'a Expr) {
            match expr {
                Expr::Yield(_) | Expr::YieldFrom(_) | Expr::Await(_) => self.0 = true,
                Expr::Lambda(_) => {}
                _ => walk_expr(self, expr),
            }
        }
    }
    let mut found = Found(false);
    found.visit_stmt(stmt);
    found.0
}

/// The first assignment in a statement to something other than a name
/// (`history["loss"] = ...`, `self.last = ...`): where, and its text.
fn stored_outside_names(checker: &Checker, stmt: &Stmt) -> Option<(TextSize, String)> {
    fn target(checker: &Checker, expr: &Expr) -> Option<(TextSize, String)> {
        match expr {
            Expr::Name(_) => None,
            Expr::Tuple(tuple) => tuple.elts.iter().find_map(|e| target(checker, e)),
            Expr::List(list) => list.elts.iter().find_map(|e| target(checker, e)),
            Expr::Starred(starred) => target(checker, &starred.value),
            other => Some((other.start(), checker.source[other.range()].to_string())),
        }
    }
    match stmt {
        Stmt::Assign(assign) => assign.targets.iter().find_map(|t| target(checker, t)),
        Stmt::AugAssign(assign) => target(checker, &assign.target),
        Stmt::AnnAssign(assign) => target(checker, &assign.target),
        Stmt::With(with) => with
            .items
            .iter()
            .filter_map(|item| item.optional_vars.as_deref())
            .find_map(|vars| target(checker, vars))
            .or_else(|| {
                with.body
                    .iter()
                    .find_map(|inner| stored_outside_names(checker, inner))
            }),
        _ => None,
    }
}

/// Decides what the step is: which statements of `start..=end` move into
/// it, its parameters and what it returns, or why there is no step.
fn plan(
    checker: &Checker,
    context: &Context,
    statements: &[Statement],
    start: usize,
    end: usize,
    segment_end: usize,
    taken: &[String],
) -> Result<Step, String> {
    let line = |offset: TextSize| checker.line_number(offset);
    // Tensor work tangled with Python effects stays eager.
    for statement in &statements[start..=end] {
        if let Kind::Mixed(culprit) = &statement.kind {
            return Err(format!(
                "line {} {} inside the tensor work: a graph function would not run it as the loop does, on every iteration (Python code runs only while tracing; eager-only calls fail)",
                line(culprit.offset),
                culprit.what
            ));
        }
    }
    // Python statements between tensor operations: a pure one that the
    // tensor work after it reads goes into the step; any other moves after
    // the call, when moving it keeps what it sees and does.
    let mut extracted = vec![false; statements.len()];
    let mut needed: Vec<&str> = Vec::new();
    for index in (start..=end).rev() {
        let statement = &statements[index];
        let feeds = statement
            .flow
            .bound
            .iter()
            .find(|name| needed.contains(&name.as_str()));
        let take = match (&statement.kind, feeds) {
            (Kind::Tensor, _) => true,
            (Kind::Python(None), Some(_)) => true,
            (Kind::Python(Some(culprit)), Some(name)) => {
                return Err(format!(
                    "line {} computes `{name}` with a Python effect (it {}), and the tensor work after it reads `{name}`: the two cannot be separated",
                    line(statement.stmt.start()),
                    culprit.what
                ));
            }
            _ => false,
        };
        if take {
            extracted[index] = true;
            needed.extend(statement.flow.reads.iter().map(|(name, _)| name.as_str()));
        }
    }
    for index in start..=end {
        if extracted[index] {
            continue;
        }
        let moved = &statements[index];
        let moved_line = line(moved.stmt.start());
        for later in (index + 1..=end).filter(|&i| extracted[i]) {
            let later = &statements[later];
            if let Some(name) = moved
                .flow
                .bound
                .iter()
                .chain(moved.flow.reads.iter().map(|(name, _)| name))
                .find(|name| later.flow.binds(name))
            {
                return Err(format!(
                    "line {moved_line} uses `{name}`, which line {} binds again: the Python code between the tensor operations cannot move after them",
                    line(later.stmt.start())
                ));
            }
        }
        for (name, offset) in &moved.flow.reads {
            let value = context.value(moved.facts, name);
            if matches!(
                value,
                Value::Object(_) | Value::Instance(_) | Value::Function(_)
            ) {
                return Err(format!(
                    "line {} reads `{name}` between tensor operations: moved after the step, it could see the state the rest of the step leaves",
                    line(*offset)
                ));
            }
        }
        if let Kind::Python(Some(culprit)) = &moved.kind {
            if culprit.what.contains("cannot see into") || culprit.what.contains("creates") {
                return Err(format!(
                    "line {moved_line} {} between tensor operations",
                    culprit.what
                ));
            }
        }
    }
    let step_statements: Vec<&Statement> = (start..=end)
        .filter(|&i| extracted[i])
        .map(|i| &statements[i])
        .collect();
    let flow = Flow::of(step_statements.iter().map(|s| s.stmt));
    // Tensor work after a statement the step cannot take, that goes on
    // with what the step computed, would be cut in two.
    let stops = statements[segment_end..]
        .iter()
        .position(|s| matches!(s.kind, Kind::Barrier(_)));
    if let Some(stop) = stops.map(|i| segment_end + i) {
        for later in &statements[stop..] {
            let tensor_work = match later.kind {
                Kind::Tensor | Kind::Mixed(_) => true,
                Kind::Barrier(_) => later
                    .facts
                    .effects
                    .culprit(Effect::TensorComputation)
                    .is_some(),
                Kind::Python(_) => false,
            };
            if !tensor_work {
                continue;
            }
            if let Some((name, _)) = later.flow.reads.iter().find(|(name, _)| flow.binds(name)) {
                return Err(split_reason(checker, &statements[stop], later, name));
            }
        }
    }
    let scope_names = ScopeNames::of(context);
    // What the step reads that the scope binds becomes a parameter.
    let receiver = placement::receiver(context, &flow);
    let first = step_statements[0];
    let mut params: Vec<String> = Vec::new();
    let mut doubts: Vec<String> = step_statements
        .iter()
        .flat_map(|s| s.doubts.iter().cloned())
        .collect();
    let mut unseen: Vec<String> = Vec::new();
    for (name, offset) in &flow.free {
        if receiver.is_some_and(|r| r == name.as_str()) {
            continue;
        }
        if !scope_names.is_parameter(name) {
            continue;
        }
        let value = match context.value(first.facts, name) {
            Value::Param(index) => match context.param_kind(index) {
                ParamKind::Primitive {
                    varies_at: Some(_), ..
                } => Value::Primitive {
                    literal: None,
                    varies: true,
                },
                ParamKind::Tensor(_) | ParamKind::Object(_) => Value::Tensor(Default::default()),
                _ => Value::Unknown,
            },
            value => value,
        };
        match value {
            Value::Primitive { varies: true, .. } => {
                return Err(format!(
                    "the step reads `{name}` at line {}, a Python value that changes between iterations: passed to a graph function it would trace the step again for every value",
                    line(*offset)
                ));
            }
            Value::Primitive { .. } | Value::NdArray(_)
                if statements.iter().any(|s| s.flow.binds(name)) =>
            {
                return Err(format!(
                    "the step reads `{name}` at line {}, a Python value the loop computes on every iteration: passed to a graph function it would trace the step again for every new value",
                    line(*offset)
                ));
            }
            Value::Unknown | Value::Derived(_) => unseen.push(name.clone()),
            _ => {}
        }
        if let Some(created) = created_in_loop(checker, statements, name) {
            return Err(format!(
                "`{name}` is created anew on every iteration (line {created}), so the step would be traced again each time"
            ));
        }
        params.push(name.clone());
    }
    if !unseen.is_empty() {
        doubts.insert(
            0,
            format!(
                "the analysis cannot see what {} {}: a Python value that changes between iterations would trace the step again",
                names_in_words(&unseen),
                if unseen.len() == 1 { "is" } else { "are" }
            ),
        );
    }
    // What changes per iteration comes first (`x, y`), then the objects
    // the step works with.
    params.sort_by_key(|name| {
        (
            context
                .loop_targets
                .iter()
                .position(|t| t == name)
                .unwrap_or(usize::MAX),
            !statements.iter().any(|s| s.flow.binds(name)),
        )
    });
    // Objects passed in that the step calls may create their variables in
    // the step: a Function creates variables only in its first trace.
    let called: Vec<String> = params
        .iter()
        .filter(|name| {
            let object = match context.value(first.facts, name) {
                Value::Param(index) => match context.param_kind(index) {
                    ParamKind::Object(kind) => Value::Object(kind),
                    _ => Value::Unknown,
                },
                value => value,
            };
            let may_build = match object {
                Value::Object(kind) => matches!(
                    kind,
                    ObjectKind::Model
                        | ObjectKind::Layer
                        | ObjectKind::Module
                        | ObjectKind::Optimizer
                ),
                Value::Instance(_) | Value::Unknown | Value::Derived(_) => true,
                _ => false,
            };
            may_build
                && step_statements.iter().any(|s| {
                    s.facts.callees.iter().any(|callee| {
                        let text = &checker.source[callee.func];
                        text.split('.').next() == Some(name.as_str())
                            && (callee.method.is_none()
                                || matches!(
                                    callee.method.as_deref(),
                                    Some("apply_gradients" | "minimize")
                                ))
                    })
                })
        })
        .cloned()
        .collect();
    if !called.is_empty() {
        doubts.push(format!(
            "the step takes {} as {}: another object traces it again, and one that has not created its variables yet (a model never called, an optimizer never applied) makes `tf.function` raise a ValueError; pass the same {} on every call, or build {} first",
            names_in_words(&called),
            if called.len() == 1 { "an argument" } else { "arguments" },
            if called.len() == 1 { "object" } else { "objects" },
            if called.len() == 1 { "it" } else { "them" }
        ));
    }
    // Attributes the step reads that other code assigns would keep the
    // value of the first trace.
    if let Some(why) = reassigned_attribute(checker, context, &flow) {
        return Err(why);
    }
    // Python objects the loop mutates, read by the step.
    if let Some(why) = mutated_in_loop(checker, context, statements, &extracted, &flow) {
        return Err(why);
    }
    // What the step binds and the rest of the scope reads is returned.
    let step_ranges: Vec<TextRange> = step_statements.iter().map(|s| s.stmt.range()).collect();
    let last = step_statements[step_statements.len() - 1];
    let mut returns: Vec<String> = Vec::new();
    for name in &flow.bound {
        let read_elsewhere = scope_names
            .uses
            .iter()
            .any(|(used, at)| used == name && !step_ranges.iter().any(|r| r.contains(*at)));
        let carried = flow.free.iter().any(|(free, _)| free == name);
        if !read_elsewhere && !carried {
            continue;
        }
        match context.value_after(last.facts, name) {
            Value::Tensor(_) | Value::Structure(_) => {}
            Value::Object(kind) if kind.is_returnable() => {}
            Value::Container(container)
                if container.element.is_tensor_like()
                    || matches!(container.element, Value::Nothing | Value::Unknown) => {}
            Value::Unknown | Value::Param(_) | Value::Derived(_) => doubts.push(format!(
                "the analysis cannot see that `{name}`, which the step returns, is a tensor"
            )),
            Value::Object(kind) => {
                return Err(format!(
                    "the loop reads `{name}` after the tensor work, and it is {}, which a graph function cannot return",
                    kind.describe()
                ));
            }
            other => {
                return Err(format!(
                    "the loop reads `{name}` after the tensor work, and it is {}, which a graph function would return as a tensor",
                    describe(&other)
                ));
            }
        }
        returns.push(name.clone());
    }
    let base = if step_statements.iter().any(|s| s.gradient) {
        "train_step"
    } else if step_statements.iter().any(|s| s.metric) {
        "eval_step"
    } else {
        "step"
    };
    let placement = placement::place(checker, context, receiver, base, taken)?;
    let name = placement.name().to_string();
    Ok(Step {
        name,
        params,
        returns,
        extracted: (start..=end).filter(|&i| extracted[i]).collect(),
        moved: (start..=end).filter(|&i| !extracted[i]).collect(),
        placement,
        doubts,
    })
}

/// Why tensor work after the statement `stop` cannot be left out of the
/// step: `later` goes on with `name`, which the step binds.
fn split_reason(checker: &Checker, stop: &Statement, later: &Statement, name: &str) -> String {
    let line = checker.line_number(stop.stmt.start());
    let later_line = checker.line_number(later.stmt.start());
    let Kind::Barrier(what) = stop.kind else {
        unreachable!("stops are barriers")
    };
    let test = match stop.stmt {
        Stmt::If(if_stmt) => Some(&*if_stmt.test),
        Stmt::While(while_stmt) => Some(&*while_stmt.test),
        _ => None,
    };
    if test.is_some() && stop.facts.effects.culprit(Effect::EagerOnly).is_some() {
        return format!(
            "the tensor work goes on at line {later_line} (with `{name}`) behind {what} at line {line} that decides on a Python value computed from a tensor; a graph function cannot take that decision on every call"
        );
    }
    if leaves_iteration(stop.stmt) {
        return format!(
            "{what} at line {line} may end the iteration in the middle of the tensor work, which goes on at line {later_line} with `{name}`"
        );
    }
    format!(
        "{what} at line {line} splits the tensor work, which goes on at line {later_line} with `{name}`; the analysis extracts only plain statements and `with tf.GradientTape()` blocks"
    )
}

/// Whether a statement holds `break`, `continue`, `return` or `raise`
/// (outside nested loops for the first two).
fn leaves_iteration(stmt: &Stmt) -> bool {
    struct Leaves(bool);
    impl<'a> StatementVisitor<'a> for Leaves {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            match stmt {
                Stmt::Break(_) | Stmt::Continue(_) | Stmt::Return(_) | Stmt::Raise(_) => {
                    self.0 = true;
                }
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                _ => walk_stmt(self, stmt),
            }
        }
    }
    let mut leaves = Leaves(false);
    leaves.visit_stmt(stmt);
    leaves.0
}

/// `` `a` ``, `` `a` and `b` ``, `` `a`, `b` and `c` ``.
fn names_in_words(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// The kind of a value, in words.
fn describe(value: &Value) -> &'static str {
    match value {
        Value::Primitive { .. } => "a Python value",
        Value::NdArray(_) => "a NumPy array",
        Value::Instance(_) => "an object",
        Value::Function(_) => "a function",
        Value::Io => "a file or stream",
        Value::Container(_) => "a container of Python values or objects",
        _ => "a value of unknown kind",
    }
}

/// The names the loop's scope binds, and where it reads names.
struct ScopeNames {
    /// Names bound in the enclosing function (and the functions around
    /// it), with their parameters; for module-level code, the module's
    /// names bound more than once, in a loop or through `global`.
    locals: rustc_hash::FxHashSet<String>,
    /// Module-level names bound more than once, in a loop or through
    /// `global` (their values change).
    changing_globals: rustc_hash::FxHashSet<String>,
    /// Where each name is read in the scope (nested scopes included).
    uses: Vec<(String, TextSize)>,
}

impl ScopeNames {
    fn of(context: &Context) -> Self {
        let semantic = context.semantic;
        let mut locals = rustc_hash::FxHashSet::default();
        let module = FunctionNames::of_module(semantic.module_body());
        let mut counts: HashMap<&str, usize> = HashMap::default();
        for binding in &module.bindings {
            *counts.entry(binding.name.as_str()).or_default() +=
                if binding.in_loop { 2 } else { 1 };
        }
        let mut changing_globals: rustc_hash::FxHashSet<String> = counts
            .into_iter()
            .filter(|(_, n)| *n > 1)
            .map(|(name, _)| name.to_string())
            .collect();
        changing_globals.extend(declared_global(semantic.module_body()));
        let uses;
        match context.function {
            Some(id) => {
                let names = FunctionNames::of(semantic.functions[id].def);
                uses = names
                    .uses
                    .iter()
                    .map(|u| (u.name.clone(), u.offset))
                    .collect();
                let mut current = Some(id);
                while let Some(function) = current {
                    let names = FunctionNames::of(semantic.functions[function].def);
                    locals.extend(names.params.iter().cloned());
                    locals.extend(names.bindings.iter().map(|b| b.name.clone()));
                    current = semantic.functions[function].parent;
                }
            }
            None => {
                // A read inside a function that binds the name itself is of
                // its own local, not of the module's name.
                let function_names: Vec<(TextRange, FunctionNames)> = semantic
                    .functions
                    .iter()
                    .map(|f| (f.def.range(), FunctionNames::of(f.def)))
                    .collect();
                uses = module
                    .uses
                    .iter()
                    .filter(|u| {
                        !u.nested
                            || !function_names.iter().any(|(range, names)| {
                                range.contains(u.offset)
                                    && !names.declares_scope
                                    && names.binds(&u.name)
                            })
                    })
                    .map(|u| (u.name.clone(), u.offset))
                    .collect();
                let loop_range = context.loop_range;
                locals.extend(
                    module
                        .bindings
                        .iter()
                        .filter(|b| loop_range.contains(b.offset))
                        .map(|b| b.name.clone()),
                );
                locals.extend(changing_globals.iter().cloned());
            }
        }
        Self {
            locals,
            changing_globals,
            uses,
        }
    }

    /// Whether the step takes `name` as a parameter: the scope binds it
    /// (a local, or a module-level name the loop binds), or it is a global
    /// whose value changes.
    fn is_parameter(&self, name: &str) -> bool {
        self.locals.contains(name) || self.changing_globals.contains(name)
    }
}

/// Names some function declares `global`.
fn declared_global(body: &[Stmt]) -> Vec<String> {
    #[derive(Default)]
    struct Globals(Vec<String>);
    impl<'a> StatementVisitor<'a> for Globals {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if let Stmt::Global(global) = stmt {
                self.0.extend(global.names.iter().map(|n| n.id.to_string()));
            }
            walk_stmt(self, stmt);
        }
    }
    let mut globals = Globals::default();
    globals.visit_body(body);
    globals.0
}

/// The line of the statement of the loop body that creates `name` anew
/// (a variable, layer, model, optimizer or metric) on every iteration.
fn created_in_loop(checker: &Checker, statements: &[Statement], name: &str) -> Option<usize> {
    statements
        .iter()
        .find(|s| s.flow.binds(name) && s.facts.effects.culprit(Effect::VariableCreation).is_some())
        .map(|s| checker.line_number(s.stmt.start()))
}

/// Why the step cannot read an attribute it reads: code other than a
/// constructor (or module-level set-up before the loop) assigns it, so a
/// graph function would keep the value of its first trace. Keras's lists
/// of trainable variables change with `layer.trainable`.
fn reassigned_attribute(checker: &Checker, context: &Context, flow: &Flow) -> Option<String> {
    let stores = AttributeStores::of(checker, context);
    for (attribute, offset) in &flow.attributes {
        let watched: &[&str] = match attribute.as_str() {
            "trainable_variables"
            | "trainable_weights"
            | "non_trainable_variables"
            | "non_trainable_weights" => &["trainable", attribute.as_str()],
            other => &[other],
        };
        for name in watched {
            if let Some(&at) = stores.get(*name) {
                return Some(format!(
                    "the step reads `.{attribute}` (line {}), and line {} assigns `.{name}`: a graph function would keep what it read while first tracing",
                    checker.line_number(*offset),
                    checker.line_number(at)
                ));
            }
        }
    }
    None
}

/// Where each attribute name is first assigned (`obj.name = ...`, `del
/// obj.name`) other than in a constructor or in module-level set-up before
/// the loop.
struct AttributeStores;

impl AttributeStores {
    fn of(checker: &Checker, context: &Context) -> HashMap<String, TextSize> {
        struct Stores<'l> {
            found: HashMap<String, TextSize>,
            function_names: Vec<String>,
            loop_depth: usize,
            loop_start: TextSize,
            _marker: std::marker::PhantomData<&'l ()>,
        }
        impl<'a> Visitor<'a> for Stores<'_> {
            fn visit_stmt(&mut self, stmt: &'a Stmt) {
                match stmt {
                    Stmt::FunctionDef(def) => {
                        self.function_names.push(def.name.id.to_string());
                        ruff_python_ast::visitor::walk_stmt(self, stmt);
                        self.function_names.pop();
                    }
                    Stmt::For(_) | Stmt::While(_) => {
                        self.loop_depth += 1;
                        ruff_python_ast::visitor::walk_stmt(self, stmt);
                        self.loop_depth -= 1;
                    }
                    _ => ruff_python_ast::visitor::walk_stmt(self, stmt),
                }
            }

            fn visit_expr(&mut self, expr: &'a Expr) {
                if let Expr::Attribute(attribute) = expr {
                    let store = !matches!(attribute.ctx, ruff_python_ast::ExprContext::Load);
                    let in_setup = match self.function_names.last() {
                        Some(name) => matches!(name.as_str(), "__init__" | "build"),
                        None => self.loop_depth == 0 && expr.start() < self.loop_start,
                    };
                    if store && !in_setup {
                        self.found
                            .entry(attribute.attr.id.to_string())
                            .or_insert(expr.start());
                    }
                }
                walk_expr(self, expr);
            }
        }
        let mut stores = Stores {
            found: HashMap::default(),
            function_names: Vec::new(),
            loop_depth: 0,
            loop_start: context.loop_range.start(),
            _marker: std::marker::PhantomData,
        };
        stores.visit_body(checker.module.body.as_slice());
        stores.found
    }
}

/// Why the step cannot read a Python container: the loop mutates it
/// outside the step (a graph function would keep what it held while
/// tracing).
fn mutated_in_loop(
    checker: &Checker,
    context: &Context,
    statements: &[Statement],
    extracted: &[bool],
    flow: &Flow,
) -> Option<String> {
    let _ = context;
    for (index, statement) in statements.iter().enumerate() {
        if extracted[index] {
            continue;
        }
        struct Mutations<'f> {
            flow: &'f Flow,
            found: Option<(String, TextSize)>,
        }
        impl<'a> Visitor<'a> for Mutations<'_> {
            fn visit_expr(&mut self, expr: &'a Expr) {
                let root = match expr {
                    Expr::Subscript(subscript)
                        if !matches!(subscript.ctx, ruff_python_ast::ExprContext::Load) =>
                    {
                        Some(&*subscript.value)
                    }
                    Expr::Call(call) => match call.func.as_ref() {
                        Expr::Attribute(attribute)
                            if mutating_method(attribute.attr.id.as_str()).is_some() =>
                        {
                            Some(&*attribute.value)
                        }
                        _ => None,
                    },
                    _ => None,
                };
                if let Some(Expr::Name(name)) = root {
                    if self.found.is_none()
                        && self.flow.free.iter().any(|(f, _)| f == name.id.as_str())
                    {
                        self.found = Some((name.id.to_string(), expr.start()));
                    }
                }
                walk_expr(self, expr);
            }
        }
        let mut mutations = Mutations { flow, found: None };
        mutations.visit_stmt(statement.stmt);
        if let Some((name, at)) = mutations.found {
            return Some(format!(
                "the step reads `{name}`, which the loop changes at line {}: a graph function would keep what it held while first tracing",
                checker.line_number(at)
            ));
        }
    }
    None
}
