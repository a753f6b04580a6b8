//! HY001 add-tf-function: decorate hot eager functions with `@tf.function`
//! when every safety precondition holds; otherwise explain, with an
//! informational `HY1xx` finding per failed precondition.

use std::path::Path;

use ruff_python_ast::statement_visitor::{walk_stmt, StatementVisitor};
use ruff_python_ast::visitor::Visitor as _;
use ruff_python_ast::{CmpOp, Expr, Stmt, StmtFunctionDef, UnaryOp};
use ruff_text_size::{Ranged, TextSize};

use crate::analyze::preconditions::{failed_preconditions, Precondition};
use crate::checker::Checker;
use crate::codemod::{Codemod, DependsOn, FixSafety};
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::names::{is_keras, root_segment};
use crate::observe::facts::{receives_tensors, HOT_CALLS};
use crate::observe::profile::Kind;
use crate::observe::Entry;
use crate::semantic::effects::{Callee, Effect};
use crate::semantic::facts::FunctionFacts;
use crate::semantic::kinds::{ObjectKind, ParamKind};
use crate::semantic::{Class, ClassId, FunctionId, SemanticModel};
use crate::settings::Candidates;

pub mod refusals;

use refusals::Refusal;

pub const CODEMOD: Codemod = Codemod {
    code: "HY001",
    name: "add-tf-function",
    summary: "Decorate hot eager functions with `@tf.function` when it is provably safe",
    safety: FixSafety::Safe,
    doc: include_str!("add_tf_function.md"),
    informational: refusals::ALL,
    // A function becomes a candidate when a call in a loop elsewhere makes
    // it hot, and earns HY112 when its one call is at module level.
    depends_on: &[DependsOn::LoopCalls, DependsOn::SingleModuleLevelCall],
    run,
};

/// Names of functions that are training or evaluation steps by convention
/// (with `call` and `__call__`, `semantic::builtins::FORWARD_AND_STEP_METHODS`).
const STEP_NAMES: &[&str] = &[
    "train_step",
    "test_step",
    "eval_step",
    "predict_step",
    "val_step",
];

fn run(checker: &mut Checker) {
    let semantic = checker.semantic;
    // TensorFlow 1 code (`import tensorflow.compat.v1 as tf`, or TF1 APIs
    // such as `tf.placeholder`, `tf.Session`, `tf.contrib` called through
    // `tensorflow`) builds its own graphs and runs them in sessions:
    // `tf.function` is no part of it.
    if semantic
        .imports
        .bindings()
        .any(|(_, qualified)| qualified == "tensorflow.compat.v1")
        || semantic.effects.iter().any(|effects| effects.tf1_api)
    {
        return;
    }
    let policy = checker.settings.candidates;
    // Computed once per module, on the first candidate that needs it.
    let mut changing_globals: Option<ChangingGlobals> = None;
    // Functions with a graph function defined directly inside them, found
    // in one pass (not one pass per function: modules have thousands).
    let mut defines_graph = vec![false; semantic.functions.len()];
    for inner in &semantic.functions {
        if let (Some(parent), Some(_)) = (inner.parent, &inner.graph) {
            defines_graph[parent] = true;
        }
    }
    for (id, &defines_graph) in defines_graph.iter().enumerate() {
        let observed = checker.observed(id);
        let Some(reason) =
            candidate_reason(semantic, id, defines_graph, policy, observed, checker.path)
        else {
            // Whether it is worth converting is asked only of hot code.
            if policy == Candidates::Hot {
                if let Some(site) = called_once(semantic, id, observed) {
                    report_called_once(checker, id, &site);
                }
            }
            continue;
        };
        judge(checker, id, &reason, &mut changing_globals);
    }
}

/// The most tensor operations a function's own body may run and still be
/// too small to gain as a graph function (HY113), and too small for a
/// refusal about it to be printed without `--show-refusals`.
const FEW_OPS: u32 = 2;

/// Whether function `id` runs at most [`FEW_OPS`] tensor operations and no
/// function it calls does tensor work (the work of a callee in another
/// module counts when it is the first the analysis found). A call of a
/// graph function of this module counts as one operation: its work runs
/// as a graph already; summaries do not count (a step that calls the graph
/// function doing the work and writes summaries is bookkeeping).
fn little_work_of_its_own(semantic: &SemanticModel, id: FunctionId) -> bool {
    let effects = &semantic.effects[id];
    let mut ops = effects.tensor_ops.saturating_sub(effects.summaries);
    let mut graph_callees: Vec<&str> = Vec::new();
    for call in &effects.calls {
        match &call.callee {
            Callee::Local(callee) if semantic.functions[*callee].graph.is_some() => {
                ops = ops.saturating_add(1);
                graph_callees.push(&semantic.functions[*callee].qualified_name);
            }
            Callee::Local(_) if !python_helper(semantic, &call.callee) => return false,
            Callee::Local(_) | Callee::External(_) => {}
        }
    }
    ops <= FEW_OPS
        && !semantic.facts[id]
            .effect(Effect::TensorComputation)
            .is_some_and(|why| {
                why.through_call() && !why.callee().is_some_and(|c| graph_callees.contains(&c))
            })
}

/// Whether function `id` drives steps that run elsewhere or in its loops:
/// it calls a graph function of the project, or does tensor work in a step
/// loop of its own (a loop over a dataset or a number of steps). Such a
/// driver is where Python bookkeeping belongs (`.numpy()`, logging,
/// metrics in Python numbers); the graph belongs at its step, which
/// HY005 extract-train-step or HY001 on the callee proposes.
fn drives_steps(semantic: &SemanticModel, id: FunctionId) -> bool {
    let effects = &semantic.effects[id];
    effects.step_loop_work
        || effects.calls.iter().any(|call| match call.callee {
            Callee::Local(callee) => {
                semantic.functions[callee].graph.is_some()
                    || (call.in_loop && does_tensor_work(&semantic.facts[callee]))
            }
            Callee::External(_) => false,
        })
}

/// Whether function `id` computes numbers for Python: its own body reads
/// eager values (`.numpy()`) and it returns Python or NumPy values (a
/// metrics report, a score). It is eager by design.
fn reports_numbers(
    semantic: &SemanticModel,
    id: FunctionId,
    refusals: &[(&refusals::Refusal, String)],
) -> bool {
    semantic.effects[id].culprit(Effect::EagerOnly).is_some()
        && refusals
            .iter()
            .any(|(refusal, _)| refusal.code == refusals::RETURNS_PYTHON_VALUE.code)
}

/// Whether function `id` is an operation in TensorFlow's style: it takes
/// a `name` and opens a name scope with it (`with tf.name_scope(name):`,
/// `tf.compat.v1.name_scope(name, "op", [x])`, `name or "op"`), in the
/// statements of its body.
fn is_library_operation(semantic: &SemanticModel, id: FunctionId) -> bool {
    let def = semantic.functions[id].def;
    let takes_name = def
        .parameters
        .iter_non_variadic_params()
        .any(|param| param.parameter.name.id.as_str() == "name");
    takes_name
        && def.body.iter().any(|stmt| {
            let Stmt::With(with) = stmt else { return false };
            with.items.iter().any(|item| {
                let Expr::Call(call) = &item.context_expr else {
                    return false;
                };
                let scope = ["tensorflow.name_scope", "tensorflow.compat.v1.name_scope"]
                    .iter()
                    .any(|scope| semantic.imports.resolves_to(&call.func, scope));
                scope
                    && call
                        .arguments
                        .args
                        .iter()
                        .chain(call.arguments.keywords.iter().map(|k| &k.value))
                        .any(mentions_name)
            })
        })
}

/// Whether an argument is `name`, or computed from it (`name or "op"`).
fn mentions_name(expr: &Expr) -> bool {
    match expr {
        Expr::Name(name) => name.id.as_str() == "name",
        Expr::BoolOp(op) => op.values.iter().any(mentions_name),
        Expr::If(if_expr) => mentions_name(&if_expr.body) || mentions_name(&if_expr.orelse),
        _ => false,
    }
}

/// Whether a class extends a class of another package: a base named
/// through an import (`base_task.Task`, resolved to
/// `official.core.base_task.Task`) whose top-level module is neither the
/// package `path` belongs to nor a module or folder beside a script.
fn has_framework_base(class: &Class, path: &Path) -> bool {
    class.bases.iter().any(|base| {
        if !base.contains('.') {
            return false;
        }
        let root = root_segment(base);
        // Python's own modules give classes shapes, not steps to call.
        if matches!(
            root,
            "abc"
                | "typing"
                | "typing_extensions"
                | "collections"
                | "enum"
                | "dataclasses"
                | "contextlib"
                | "threading"
                | "six"
                | "builtins"
        ) {
            return false;
        }
        let mut folder = path.parent();
        // Up to the folder that holds the top-level package (or the
        // script's own folder).
        while let Some(dir) = folder {
            if !dir.join("__init__.py").is_file() {
                break;
            }
            if dir.file_name().is_some_and(|name| name == root) {
                return false;
            }
            folder = dir.parent();
        }
        let Some(dir) = folder else { return false };
        !(dir.join(root).is_dir() || dir.join(format!("{root}.py")).is_file())
    })
}

/// Decorates candidate `id`, or says why not: each failed precondition is
/// an informational finding, printed only on request when the function
/// does no tensor work (it is then no candidate worth reading about).
fn judge(
    checker: &mut Checker,
    id: FunctionId,
    reason: &str,
    changing_globals: &mut Option<ChangingGlobals>,
) {
    let semantic = checker.semantic;
    let function = &semantic.functions[id];
    let facts = &semantic.facts[id];
    let name = function.qualified_name.clone();
    let range = function.def.name.range();
    let mut refusals = Vec::new();
    // A function defined inside another is created anew on every call of
    // its parent: as a graph function, it would be traced again each time.
    if let Some(parent) = function.parent {
        let parent = &semantic.functions[parent].qualified_name;
        refusals.push((
            &refusals::NESTED_FUNCTION,
            format!(
                "is defined inside `{parent}`: as a graph function it would be created anew, and traced again, on every call of `{parent}`; lift it out of `{parent}` (its free variables as parameters) to convert it"
            ),
        ));
    }
    refusals.extend(refusals_of(checker.source, semantic, id));
    let symbolic = facts
        .params
        .iter()
        .find(|(_, kind)| matches!(kind, ParamKind::Object(ObjectKind::SymbolicTensor)));
    if let Some((param, _)) = symbolic {
        refusals.push((
            &refusals::KERAS_SYMBOLIC_ARGUMENT,
            format!(
                "receives a Keras symbolic tensor for `{param}` (built from `keras.Input` while a functional model is put together); no `tf.function` can take one"
            ),
        ));
    }
    let keras_forward = is_keras_forward(semantic, id);
    if keras_forward {
        let method = function.def.name.id.as_str();
        let also = match keras_collected(semantic, id) {
            Some((collected, at, through)) => {
                let line = checker.line_number(at);
                let what = match through {
                    Some(layer) => {
                        format!("calls `{layer}` at line {line}, which calls `self.{collected}`")
                    }
                    None => format!("calls `self.{collected}` at line {line}"),
                };
                format!("; it also {what}, a value Keras collects from the layer's own `__call__`, which the graph would keep out of Keras's reach")
            }
            None => String::new(),
        };
        refusals.push((
            &refusals::KERAS_FORWARD_PASS,
            format!(
                "is the forward pass of a Keras class: Keras traces `{method}` itself (inside `fit`, `predict` and any graph caller), and a `tf.function` of its own would capture the weights its layers build on the first call as constants, so that the model no longer sees what training changes{also}"
            ),
        ));
    }
    // A Python number the profiled run saw change from call to call would
    // trace the graph function once per value.
    if !refusals
        .iter()
        .any(|(refusal, _)| refusal.code == refusals::PYTHON_SCALAR_PARAMETER.code)
    {
        if let Some(why) = checker.observed(id).and_then(observed_varying_number) {
            refusals.push((&refusals::PYTHON_SCALAR_PARAMETER, why));
        }
    }
    let mut returns = PythonReturns::default();
    returns.visit_body(&function.def.body);
    if let Some((what, at)) = returns.first {
        let line = checker.line_number(at);
        refusals.push((
            &refusals::RETURNS_PYTHON_VALUE,
            format!("returns {what} at line {line}; a graph function would return it as a tensor"),
        ));
    } else if let Some(why) = &facts.returns_python {
        refusals.push((
            &refusals::RETURNS_PYTHON_VALUE,
            format!("{why}; a graph function returns only tensors"),
        ));
    }
    // Writes to Python state that HY010 rewrites in the same change.
    let repair = state_repair(checker, id, &refusals);
    if repair.is_some() {
        refusals.retain(|(refusal, _)| refusal.code != refusals::PYTHON_SIDE_EFFECT.code);
    }
    // Whether it is worth converting is asked only of hot code.
    let mut quiet = !does_tensor_work(facts);
    // A profiled run that saw tensors reach the parameters it computes
    // with is the evidence of tensor work the call sites could not give.
    let observed_tensor_work = facts.param_tensor_work
        && checker.observed(id).is_some_and(|entry| {
            entry
                .params
                .iter()
                .any(|param| receives_tensors(&param.kinds))
        });
    if refusals.is_empty() && checker.settings.candidates == Candidates::Hot {
        if facts.effect(Effect::TensorComputation).is_none() && !observed_tensor_work {
            // Its only tensor work would be on parameters no caller in the
            // files is seen to pass a tensor (shape arithmetic on Python
            // numbers looks the same): no evidence of a gain.
            refusals.push((
                &refusals::NO_TENSOR_COMPUTATION,
                "does no tensor computation the analysis can see: it computes with its parameters, and no caller in the files analysed is seen to pass a tensor".to_string(),
            ));
            quiet = true;
        } else if let Some(why) = too_small(semantic, id).filter(|_| !observed_tensor_work) {
            refusals.push((&refusals::LITTLE_TENSOR_WORK, why));
        } else if let Some(why) = beside_graph(semantic, id).filter(|_| !observed_tensor_work) {
            // A helper of a few operations: no conversion worth reading
            // about by default.
            refusals.push((&refusals::LITTLE_TENSOR_WORK, why));
            quiet = true;
        }
    }
    // A refusal is worth reading by default only about a top-level
    // function or method with tensor work enough to gain as a graph
    // function: not one that runs an operation or two, nor a closure over
    // its parent's state, which nobody lifts out for a graph function.
    // Nor one about model-building code (symbolic tensors in, or Keras
    // layers constructed), nor about code whose job is output (a plot, a
    // file), nor about a driver of steps: nobody makes that a graph
    // function.
    quiet |= little_work_of_its_own(semantic, id)
        || function.parent.is_some()
        || keras_forward
        || symbolic.is_some()
        || semantic.effects[id].builds_layers.is_some()
        || drives_steps(semantic, id)
        || reports_numbers(semantic, id, &refusals)
        || facts.effect(Effect::Output).is_some();
    if !refusals.is_empty() {
        for (refusal, why) in refusals {
            let diagnostic = refusal
                .diagnostic(format!("`{name}` {why}"), range)
                .with_function(name.clone());
            // Nor HY109 (graph code already traces it: nothing to convert)
            // or HY106 for different constants at different call sites (a
            // trace or two each: no reason to stay eager).
            let quiet = quiet
                || refusal.code == refusals::CALLERS_ALREADY_GRAPH.code
                || (refusal.code == refusals::PYTHON_SCALAR_PARAMETER.code
                    && facts
                        .varying_python_value()
                        .is_some_and(|(_, line)| line == 0));
            checker.report(if quiet {
                diagnostic.on_request()
            } else {
                diagnostic
            });
        }
        return;
    }
    let Some((decorator, import)) = checker.importer.tensorflow_attribute("function") else {
        checker.report(
            CODEMOD
                .diagnostic(
                    format!("`{name}` {reason}; it can run as a graph function"),
                    range,
                )
                .with_function(name)
                .with_note("no fix offered: the names `tf` and `tensorflow` are both taken"),
        );
        return;
    };
    // The decorator is final: when HY003 would find the new graph function
    // retracing, it gets the keyword HY003 would add, in the same change.
    let retracing = super::input_signature::retracing_of_new_graph_function(checker, id);
    let keyword = retracing.as_ref().and_then(|r| r.keyword.as_ref());
    let decorator = match keyword {
        Some(keyword) => format!("{decorator}({})", keyword.text),
        None => decorator,
    };
    let (line_start, indent) = line_start_and_indent(checker.source, function.def.name.start());
    let line_ending = checker.stylist.line_ending().as_str();
    let edit = Edit::insertion(format!("{indent}@{decorator}{line_ending}"), line_start);
    let mut diagnostic = CODEMOD
        .diagnostic(
            format!("`{name}` {reason}; it can run as a graph function"),
            range,
        )
        .with_function(name);
    // Safe only when the analysis can see that the function takes and
    // returns tensors; otherwise the decoration may change what callers
    // get back (a Python value becomes a tensor) or retrace per value.
    let globals = changing_globals.get_or_insert_with(|| ChangingGlobals::of(semantic));
    let repaired: &[String] = repair.as_ref().map_or(&[], |(_, names)| names);
    let mut doubts: Vec<String> = doubt(semantic, id, globals, repaired).into_iter().collect();
    let mut title = format!("Decorate with `@{decorator}`");
    let mut edits: Vec<Edit> = import.into_iter().collect();
    if let Some((repair_edits, names)) = repair {
        let names = names.join("`, `");
        title = format!("{title} and keep `{names}` in a `tf.Variable`");
        doubts.insert(0, format!(
            "`{names}` is kept in a `tf.Variable` in the same change (as HY010 state-to-variable does), so that its updates run on every call; eager reads of it are converted back to Python values"
        ));
        edits.extend(repair_edits);
    }
    if let (Some(retracing), Some(keyword)) = (&retracing, keyword) {
        doubts.push(format!(
            "it would be traced again for every new argument shape, so `{}` is added as HY003 input-signature adds it ({})",
            keyword.text, retracing.note
        ));
        // `import tensorflow as tf`, when missing, is one edit for both.
        if keyword.import.as_ref().is_some_and(|i| !edits.contains(i)) {
            edits.extend(keyword.import.clone());
        }
    }
    let applicability = if doubts.is_empty() {
        Applicability::Safe
    } else {
        diagnostic = diagnostic.with_note(format!("unsafe fix: {}", doubts.join("; also, ")));
        Applicability::Unsafe
    };
    checker.report(diagnostic.with_fix(title, Fix::applicable_edits(edit, edits, applicability)));
}

/// Why a function observed in a profiled run would be traced again and
/// again: a parameter that received different Python numbers.
fn observed_varying_number(entry: &Entry) -> Option<String> {
    entry.params.iter().find_map(|param| {
        let [Kind::Scalar { type_name, values }] = param.kinds.as_slice() else {
            return None;
        };
        if !matches!(type_name.as_str(), "int" | "float") || values.len() < 2 {
            return None;
        }
        let count = if values.len() >= 16 {
            "16 or more".to_string()
        } else {
            values.len().to_string()
        };
        Some(format!(
            "received {count} different Python numbers for `{}` in the profiled run; each new value would retrace it",
            param.name
        ))
    })
}

/// Whether the function does tensor work the analysis can see (a
/// TensorFlow operation, here or in a callee), or may on the tensors its
/// callers pass: what makes it worth a word when it is left eager. Calling
/// methods of parameters when no caller is seen to pass a tensor
/// (`config.items()`, `name.startswith(...)`) is no such evidence.
fn does_tensor_work(facts: &FunctionFacts) -> bool {
    facts.effect(Effect::TensorComputation).is_some()
        || (facts.param_tensor_work && facts.params.iter().any(|(_, kind)| kind.is_tensor_like()))
}

/// Why function `id`, which passes every precondition, is too small to
/// gain as a graph function, if it is: its own body runs one or two tensor
/// operations, calls no other function, has no graph loop, and no caller
/// is seen to pass it a tensor (or it is given Python values). Calling a
/// graph function costs more than dispatching an operation or two eagerly
/// (see docs/performance.md), and each new Python value its callers pass
/// traces it again.
fn too_small(semantic: &SemanticModel, id: FunctionId) -> Option<String> {
    let effects = &semantic.effects[id];
    let facts = &semantic.facts[id];
    if (effects.tensor_ops == 0 && effects.shape_queries == 0)
        || effects.tensor_ops > FEW_OPS
        || !effects
            .calls
            .iter()
            .all(|call| python_helper(semantic, &call.callee))
        || facts.effect(Effect::GraphLoop).is_some()
    {
        return None;
    }
    let python: Vec<&str> = facts
        .params
        .iter()
        .filter(|(_, kind)| matches!(kind, ParamKind::Primitive { .. }))
        .map(|(param, _)| param.as_str())
        .collect();
    let ops = match (effects.tensor_ops, effects.shape_queries) {
        (0, _) => "shape queries",
        (1, 0) => "one tensor operation",
        (1, _) => "one tensor operation besides shape queries",
        (_, 0) => "two tensor operations",
        _ => "two tensor operations besides shape queries",
    };
    let culprit = facts
        .effect(Effect::TensorComputation)
        .map_or(String::new(), |why| format!(" ({why})"));
    if python.is_empty() {
        // Callers seen to pass tensors: kept (the analysis cannot weigh
        // the operation itself). Otherwise nothing shows a gain.
        if facts.params.iter().any(|(_, kind)| kind.is_tensor_like()) {
            return None;
        }
        return Some(format!(
            "does only {ops}{culprit}: as a graph function, each call would cost more than it saves (calling a graph function costs more than dispatching an operation or two eagerly)"
        ));
    }
    Some(format!(
        "does only {ops}{culprit}, on Python values its callers pass (`{}`): as a graph function, each call would cost more than it saves, and each new value would trace it again",
        python.join("`, `")
    ))
}

/// The most tensor operations a helper beside a graph step does for
/// [`beside_graph`]: a handful of element-wise operations, each dispatched
/// eagerly in less time than a graph function's call costs (see
/// docs/performance.md).
const BESIDE_GRAPH_OPS: u32 = 12;

/// Why function `id`, which passes every precondition, gains too little as
/// a graph function of its own, if it does: every caller that runs it once
/// per step also runs a graph function in that step (the step's heavy work
/// is a graph already), and it is a helper of a few operations (no loop, no
/// call of other tensor work, at most [`BESIDE_GRAPH_OPS`] operations on
/// the largest path through its `if`s).
/// A second graph call per step costs more than its operations do eagerly;
/// the graph belongs at the caller's step.
fn beside_graph(semantic: &SemanticModel, id: FunctionId) -> Option<String> {
    let effects = &semantic.effects[id];
    let facts = &semantic.facts[id];
    let graph = facts.beside_graph.as_deref()?;
    let small = effects.tensor_ops.saturating_sub(effects.other_branch_ops) <= BESIDE_GRAPH_OPS
        && effects.tensor_ops != u32::MAX
        && !effects.step_loop_work
        && effects
            .calls
            .iter()
            .all(|call| python_helper(semantic, &call.callee))
        && facts.effect(Effect::GraphLoop).is_none();
    small.then(|| {
        format!(
            "does a few tensor operations beside the graph function `{graph}`, which every caller that runs it in a loop also runs there: as a graph function of its own, each call would cost more than it saves; the graph belongs at the caller's step"
        )
    })
}

/// Whether a call is to a function of this module that does no tensor
/// work (`using_multigpu()`): it adds nothing a graph would speed up.
fn python_helper(semantic: &SemanticModel, callee: &Callee) -> bool {
    match callee {
        Callee::Local(id) => {
            let facts = &semantic.facts[*id];
            facts.effect(Effect::TensorComputation).is_none() && !facts.param_tensor_work
        }
        Callee::External(_) => false,
    }
}

/// When the only Python side effects of candidate `id` are writes to
/// numbers or booleans that HY010 would keep in `tf.Variable`s once it runs
/// under `tf.function`: HY010's edits for them and their names, to apply
/// with the decorator as one change.
fn state_repair(
    checker: &Checker,
    id: FunctionId,
    refusals: &[(&'static Refusal, String)],
) -> Option<(Vec<Edit>, Vec<String>)> {
    let semantic = checker.semantic;
    let facts = &semantic.facts[id];
    // Only when it is the one refusal: the analysis below walks the module.
    if !matches!(refusals, [(refusal, _)] if refusal.code == refusals::PYTHON_SIDE_EFFECT.code)
        || facts.effect(Effect::StateWrite).is_none()
        || facts.effect(Effect::SideEffect).is_some()
        || facts.effect(Effect::Print).is_some()
        || facts.effect(Effect::Logging).is_some()
    {
        return None;
    }
    // The repair adds no import of its own: the decorator's alias serves.
    let (_, import) = checker.importer.tensorflow_attribute("function")?;
    if import.is_some() {
        return None;
    }
    let states = crate::analyze::state::states_repaired_with(semantic, id)?;
    if states.is_empty() {
        return None;
    }
    let edits = super::state_to_variable::states_edits(checker, &states)?;
    let names = states.iter().map(|state| state.target.display()).collect();
    Some((edits, names))
}

/// Why decorating the function could still change what it computes, as far
/// as the analysis can tell: the edge case in which it would; `None` when
/// it sees tensors (and TensorFlow objects) in, tensors out, and no Python
/// state read that could change between calls.
fn doubt(
    semantic: &SemanticModel,
    id: FunctionId,
    globals: &ChangingGlobals,
    repaired: &[String],
) -> Option<String> {
    let facts = &semantic.facts[id];
    let function = &semantic.functions[id];
    if let Some(why) = facts.effect(Effect::PythonStateRead) {
        let why = why.to_string();
        // State kept in a `tf.Variable` by the same change is read on
        // every call.
        if !repaired
            .iter()
            .any(|name| why.contains(&format!("`{name}`")))
        {
            return Some(format!(
                "it {why}, and a graph function sees only the value it had while tracing: it computes something else if that value changes between calls"
            ));
        }
    }
    if let Some(name) = globals.read_by(function.def) {
        return Some(format!(
            "it reads the global `{name}`, which is reassigned, and a graph function sees only the value it had while tracing"
        ));
    }
    for (param, kind) in &facts.params {
        match kind {
            // The same object or function at every call: one trace.
            ParamKind::Tensor(_)
            | ParamKind::Object(_)
            | ParamKind::Instance(_)
            | ParamKind::Function(_) => {}
            // A Python constant that never changes is traced once.
            ParamKind::Primitive {
                varies_at: None, ..
            } => {}
            _ => {
                return Some(format!(
                    "the analysis cannot see that `{param}` always receives a tensor"
                ))
            }
        }
    }
    if let Some(line) = facts.returns_unknown {
        return Some(format!(
            "the analysis cannot see that what it returns at line {line} is a tensor"
        ));
    }
    None
}

/// Module-level names bound more than once (or in a loop, or through
/// `global` in a function): a graph function would freeze their value.
#[derive(Default)]
struct ChangingGlobals {
    counts: rustc_hash::FxHashMap<String, usize>,
    in_loop: usize,
    in_function: usize,
}

impl ChangingGlobals {
    fn of(semantic: &SemanticModel) -> Self {
        let mut globals = ChangingGlobals::default();
        globals.visit_body(semantic.module_body());
        // A name every binding of which imports the same module (`global
        // tf; import tensorflow as tf` in a lazy loader) does not change.
        let imported_only = crate::names::imported_only(semantic.module());
        globals
            .counts
            .retain(|name, _| !imported_only.contains(name.as_str()));
        globals
    }

    fn bind(&mut self, target: &Expr) {
        match target {
            Expr::Name(name) if self.in_function == 0 => {
                let weight = if self.in_loop > 0 { 2 } else { 1 };
                *self.counts.entry(name.id.to_string()).or_default() += weight;
            }
            Expr::Tuple(tuple) => tuple.elts.iter().for_each(|e| self.bind(e)),
            Expr::List(list) => list.elts.iter().for_each(|e| self.bind(e)),
            _ => {}
        }
    }

    /// The first name `def` reads that is a changing global and not one of
    /// its own locals or parameters.
    fn read_by(&self, def: &StmtFunctionDef) -> Option<String> {
        let mut reads = NameReads::default();
        reads.visit_body(&def.body);
        let params: rustc_hash::FxHashSet<&str> = def
            .parameters
            .iter()
            .map(|p| p.name().id.as_str())
            .collect();
        reads
            .loads
            .iter()
            .find(|&&name| {
                !reads.stores.contains(name)
                    && !params.contains(name)
                    && self.counts.get(name).is_some_and(|&n| n > 1)
            })
            .map(|name| name.to_string())
    }
}

impl<'a> StatementVisitor<'a> for ChangingGlobals {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Assign(assign) => assign.targets.iter().for_each(|t| self.bind(t)),
            Stmt::AugAssign(assign) => {
                self.bind(&assign.target);
                self.bind(&assign.target);
            }
            Stmt::AnnAssign(assign) => self.bind(&assign.target),
            Stmt::For(for_stmt) => {
                self.bind(&for_stmt.target);
                self.bind(&for_stmt.target);
                self.in_loop += 1;
                walk_stmt(self, stmt);
                self.in_loop -= 1;
                return;
            }
            Stmt::While(_) => {
                self.in_loop += 1;
                walk_stmt(self, stmt);
                self.in_loop -= 1;
                return;
            }
            Stmt::Global(global) => {
                // Rebound from inside a function: it changes at run time.
                for name in &global.names {
                    *self.counts.entry(name.id.to_string()).or_default() += 2;
                }
            }
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {
                self.in_function += 1;
                walk_stmt(self, stmt);
                self.in_function -= 1;
                return;
            }
            _ => {}
        }
        walk_stmt(self, stmt);
    }
}

/// The names a function body loads and stores (nested scopes included,
/// which only makes the check stricter).
#[derive(Default)]
struct NameReads<'a> {
    /// In order.
    loads: Vec<&'a str>,
    stores: rustc_hash::FxHashSet<&'a str>,
}

impl<'a> ruff_python_ast::visitor::Visitor<'a> for NameReads<'a> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Name(name) = expr {
            match name.ctx {
                ruff_python_ast::ExprContext::Load => self.loads.push(name.id.as_str()),
                _ => {
                    self.stores.insert(name.id.as_str());
                }
            }
        }
        ruff_python_ast::visitor::walk_expr(self, expr);
    }
}

/// The first `return` of a function's own body whose value is plainly a
/// Python value (text, a truth value, a length, a static shape).
#[derive(Default)]
struct PythonReturns {
    first: Option<(&'static str, TextSize)>,
}

impl<'a> StatementVisitor<'a> for PythonReturns {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
            Stmt::Return(ret) if self.first.is_none() => {
                if let Some(what) = ret.value.as_deref().and_then(python_value) {
                    self.first = Some((what, ret.start()));
                }
            }
            _ => walk_stmt(self, stmt),
        }
    }
}

/// What kind of Python value `expr` plainly is, if it is one.
fn python_value(expr: &Expr) -> Option<&'static str> {
    match expr {
        Expr::StringLiteral(_) | Expr::BytesLiteral(_) | Expr::FString(_) => Some("text"),
        Expr::BooleanLiteral(_) | Expr::BoolOp(_) => Some("a Python truth value"),
        Expr::UnaryOp(op) if op.op == UnaryOp::Not => Some("a Python truth value"),
        Expr::Compare(compare)
            if compare
                .ops
                .iter()
                .any(|op| matches!(op, CmpOp::Is | CmpOp::IsNot | CmpOp::In | CmpOp::NotIn)) =>
        {
            Some("a Python truth value")
        }
        Expr::Call(call) => match call.func.as_ref() {
            Expr::Name(name) => match name.id.as_str() {
                "len" | "int" | "float" | "str" | "repr" | "bool" | "isinstance" | "callable"
                | "hasattr" | "type" | "format" | "tuple" | "list" | "dict" | "set" | "sorted" => {
                    Some("a Python value")
                }
                _ => None,
            },
            Expr::Attribute(attribute) => match attribute.attr.id.as_str() {
                "as_list" | "num_elements" | "format" | "join" | "item" | "tolist" => {
                    Some("a Python value")
                }
                _ => None,
            },
            _ => None,
        },
        Expr::Attribute(attribute) => match attribute.attr.id.as_str() {
            "shape" | "ndim" | "dtype" | "name" | "device" | "rank" => Some("static metadata"),
            _ => None,
        },
        Expr::Tuple(tuple) => tuple.elts.iter().find_map(python_value),
        Expr::List(list) => list.elts.iter().find_map(python_value),
        Expr::Dict(dict) => dict.items.iter().find_map(|item| python_value(&item.value)),
        _ => None,
    }
}

/// Why the function is a candidate under `policy`, or `None` when it is
/// not one at all (then nothing is reported). `defines_graph`: a graph
/// function is defined directly inside it.
fn candidate_reason(
    semantic: &SemanticModel,
    id: FunctionId,
    defines_graph: bool,
    policy: Candidates,
    observed: Option<&Entry>,
    path: &Path,
) -> Option<String> {
    let function = &semantic.functions[id];
    let facts = &semantic.facts[id];
    let def = function.def;
    let name = def.name.id.as_str();
    // Already a graph function: HY020 and the repair codemods take over.
    if function.graph.is_some() || def.is_async {
        return None;
    }
    // Inside a graph function, a nested function is traced with it.
    if function
        .parent
        .is_some_and(|parent| semantic.runs_under_graph(parent))
    {
        return None;
    }
    // A graph function defined inside it is re-created on every call:
    // HY002 hoists it first.
    if defines_graph {
        return None;
    }
    let class = function.class.filter(|&c| semantic.is_tf_class(c));
    let bases = class.map(|c| TfBases::of(semantic, c));
    // Keras traces `call` of a layer or model itself (inside `fit`,
    // `predict` and any graph caller), and compiles `train_step` & co. of a
    // `Model` under `fit`: decorating them gains nothing and can change
    // what they do (`add_loss`, the training flag). The step that calls the
    // model is the one to convert.
    if class.is_some() && STEP_NAMES.contains(&name) {
        return None;
    }
    // Asked of every function (`--candidates all`), a Keras forward pass is
    // judged, and refused (HY115): a library author asks whether it may run
    // as a graph when called directly.
    if is_keras_forward(semantic, id) {
        // HY115 says why it stays as it is.
        return match policy {
            Candidates::Hot => None,
            Candidates::All => Some("is the forward pass of a Keras class".to_string()),
        };
    }
    // An operation written in TensorFlow's own style (a `name` argument
    // that opens a `tf.name_scope`) is a library's building block, meant
    // to be traced into its callers' graphs: a caller's loop makes the
    // caller's step hot, not the library's operation.
    if policy == Candidates::Hot && observed.is_none() && is_library_operation(semantic, id) {
        return None;
    }
    // What a profiled run saw replaces the guess: called often is hot,
    // called once is not (HY112 says so).
    let observed_calls = observed.map_or(0, |entry| entry.calls);
    let hot = if observed_calls >= HOT_CALLS {
        Some(format!(
            "was called {observed_calls} times in the profiled run"
        ))
    } else if observed_calls == 1 && policy == Candidates::Hot {
        None
    } else if let Some(line) = &facts.loop_call {
        Some(format!("is called in a loop (at {line})"))
    } else if bases.is_some() && name == "__call__" {
        // A `tf.Module`'s forward pass, which Keras does not trace: when
        // nobody in the run calls it, its callers are elsewhere; otherwise
        // the step that calls the module is converted (or refused) and the
        // module runs inside it.
        // Only one that runs tensor operations itself: a `__call__` that
        // hands out functions or signatures (built by its callees) is no
        // forward pass.
        (facts.call_sites == 0 && semantic.effects[id].tensor_ops > 0)
            .then(|| "is the forward pass of a `tf.Module` class".to_string())
    } else if STEP_NAMES.contains(&name)
        && !function
            .class
            .is_some_and(|class| has_framework_base(&semantic.classes[class], path))
    {
        // A step of a class that extends another framework's class is that
        // framework's hook: it calls it, and decides how it runs (traced,
        // distributed), where the analysis does not see.
        Some("is a training or evaluation step".to_string())
    } else {
        None
    };
    if name.starts_with("__") && name.ends_with("__") && name != "__call__" {
        return None;
    }
    match policy {
        Candidates::Hot => hot,
        Candidates::All => Some(
            hot.unwrap_or_else(|| "passes every precondition (`--candidates all`)".to_string()),
        ),
    }
}

/// In the forward pass of a Keras class, the first `self.add_loss`,
/// `self.add_metric` or `self.add_update` of its own body, or of the
/// forward passes of this module's layers it calls (`self.block(x)`):
/// the method, the offset of the call in `id`, and the layer whose body
/// makes it when that is another one.
fn keras_collected(
    semantic: &SemanticModel,
    id: FunctionId,
) -> Option<(&'static str, TextSize, Option<String>)> {
    if !is_keras_forward(semantic, id) {
        return None;
    }
    if let Some((method, at)) = own_collected(semantic, id) {
        return Some((method, at, None));
    }
    let mut seen = vec![id];
    let mut queue: Vec<(FunctionId, TextSize)> = Vec::new();
    let push_callees = |of: FunctionId,
                        at: Option<TextSize>,
                        seen: &mut Vec<FunctionId>,
                        queue: &mut Vec<(FunctionId, TextSize)>| {
        for call in &semantic.effects[of].calls {
            if let Callee::Local(callee) = call.callee {
                if !seen.contains(&callee) && is_keras_forward(semantic, callee) {
                    seen.push(callee);
                    queue.push((callee, at.unwrap_or(call.offset)));
                }
            }
        }
    };
    push_callees(id, None, &mut seen, &mut queue);
    while let Some((callee, at)) = queue.pop() {
        if let Some((method, _)) = own_collected(semantic, callee) {
            return Some((
                method,
                at,
                Some(semantic.functions[callee].qualified_name.clone()),
            ));
        }
        push_callees(callee, Some(at), &mut seen, &mut queue);
    }
    None
}

/// Whether `id` is the `call` of a Keras class or the `__call__` of a
/// Keras class of this module.
fn is_keras_forward(semantic: &SemanticModel, id: FunctionId) -> bool {
    let function = &semantic.functions[id];
    let Some(class) = function.class.filter(|&c| semantic.is_tf_class(c)) else {
        return false;
    };
    let name = function.def.name.id.as_str();
    let bases = TfBases::of(semantic, class);
    (!bases.module_only() && name == "call") || (bases.keras && name == "__call__")
}

/// The first `self.add_loss`, `self.add_metric` or `self.add_update` in
/// the body of `id` (not of nested functions), with its offset.
fn own_collected(semantic: &SemanticModel, id: FunctionId) -> Option<(&'static str, TextSize)> {
    let function = &semantic.functions[id];
    let self_name = function
        .def
        .parameters
        .args
        .first()
        .map(|param| param.parameter.name.id.as_str())?;
    use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
    struct Find<'n> {
        self_name: &'n str,
        found: Option<(&'static str, TextSize)>,
    }
    impl<'a> Visitor<'a> for Find<'_> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if self.found.is_none() && !matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
                walk_stmt(self, stmt);
            }
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            if self.found.is_some() {
                return;
            }
            if let Expr::Call(call) = expr {
                if let Expr::Attribute(attribute) = call.func.as_ref() {
                    let receiver_is_self = matches!(attribute.value.as_ref(), Expr::Name(n) if n.id.as_str() == self.self_name);
                    let method = ["add_loss", "add_metric", "add_update"]
                        .into_iter()
                        .find(|&method| method == attribute.attr.id.as_str());
                    if let (true, Some(method)) = (receiver_is_self, method) {
                        self.found = Some((method, call.start()));
                        return;
                    }
                }
            }
            walk_expr(self, expr);
        }
    }
    let mut find = Find {
        self_name,
        found: None,
    };
    find.visit_body(&function.def.body);
    find.found
}

/// The Keras and TensorFlow bases of a class, as far as this module sees
/// them (a class based on a class of another module of the run shows
/// neither).
#[derive(Debug, Clone, Copy, Default)]
struct TfBases {
    /// It derives from a Keras `Layer` or `Model`.
    keras: bool,
    /// It derives from `tf.Module`.
    module: bool,
}

impl TfBases {
    fn of(semantic: &SemanticModel, class: ClassId) -> Self {
        let mut bases = TfBases::default();
        let mut seen = vec![class];
        let mut queue = vec![class];
        while let Some(current) = queue.pop() {
            for base in &semantic.classes[current].bases {
                if is_keras(base) {
                    bases.keras = true;
                } else if base == "tensorflow.Module" {
                    bases.module = true;
                } else if let Some(local) = semantic
                    .classes
                    .iter()
                    .position(|c| c.def.name.id.as_str() == base)
                {
                    if !seen.contains(&local) {
                        seen.push(local);
                        queue.push(local);
                    }
                }
            }
        }
        bases
    }

    /// Whether it is a plain `tf.Module`, certainly no Keras class.
    fn module_only(self) -> bool {
        self.module && !self.keras
    }
}

/// Where a function that would otherwise be a candidate is called, when it
/// is called exactly once, at module level outside any loop, and is no known
/// hot step: a function doing tensor work on a tensor argument.
fn called_once(
    semantic: &SemanticModel,
    id: FunctionId,
    observed: Option<&Entry>,
) -> Option<String> {
    let function = &semantic.functions[id];
    let facts = &semantic.facts[id];
    let def = function.def;
    let name = def.name.id.as_str();
    let observed_once = observed.is_some_and(|entry| entry.calls == 1);
    // An observed single call overrules the call sites' count.
    let statically_once = facts.call_sites == 1 && facts.loop_call.is_none();
    if !(statically_once || observed_once)
        || facts.under_graph
        || function.graph.is_some()
        || def.is_async
        || function.parent.is_some()
        || STEP_NAMES.contains(&name)
        || (name.starts_with("__") && name.ends_with("__"))
        || (function.class.is_some_and(|c| semantic.is_tf_class(c)) && name == "call")
    {
        return None;
    }
    if let Some(entry) = observed.filter(|_| observed_once) {
        let tensors_in = entry
            .params
            .iter()
            .any(|param| receives_tensors(&param.kinds));
        let works = facts.effect(Effect::TensorComputation).is_some()
            || (facts.param_tensor_work && tensors_in);
        return works.then(|| "in the profiled run".to_string());
    }
    if facts.effect(Effect::TensorComputation).is_none()
        || !facts
            .params
            .iter()
            .any(|(_, kind)| matches!(kind, ParamKind::Tensor(_)))
    {
        return None;
    }
    // Only a call at module level is plainly run once: a call in a function
    // is as hot as that function.
    let (line, path) = facts.module_call.as_ref()?;
    Some(match path {
        Some(path) => format!("line {line} of {path}"),
        None => format!("line {line}"),
    })
}

/// HY112 for a function called once, when it would pass every precondition.
fn report_called_once(checker: &mut Checker, id: FunctionId, site: &str) {
    let semantic = checker.semantic;
    if !refusals_of(checker.source, semantic, id).is_empty() {
        return;
    }
    let function = &semantic.functions[id];
    let mut returns = PythonReturns::default();
    returns.visit_body(&function.def.body);
    if returns.first.is_some() {
        return;
    }
    let name = &function.qualified_name;
    checker.report(
        refusals::CALLED_ONCE
            .diagnostic(
                format!("`{name}` is called once ({site}): tracing would cost more than it saves"),
                function.def.name.range(),
            )
            .with_function(name.clone()),
    );
}

/// Every failed precondition, with its reason (shared with HY002 through
/// [`failed_preconditions`]).
fn refusals_of(
    source: &str,
    semantic: &SemanticModel,
    id: FunctionId,
) -> Vec<(&'static Refusal, String)> {
    failed_preconditions(source, semantic, id)
        .into_iter()
        .map(|(precondition, why)| (refusal_of(precondition), why))
        .collect()
}

fn refusal_of(precondition: Precondition) -> &'static Refusal {
    match precondition {
        Precondition::PythonSideEffect => &refusals::PYTHON_SIDE_EFFECT,
        Precondition::EagerOnlyCall => &refusals::EAGER_ONLY_CALL,
        Precondition::Recursive => &refusals::RECURSIVE,
        Precondition::Generator => &refusals::GENERATOR,
        Precondition::NoTensorComputation => &refusals::NO_TENSOR_COMPUTATION,
        Precondition::PythonScalarParameter => &refusals::PYTHON_SCALAR_PARAMETER,
        Precondition::IteratesTensorParameter => &refusals::ITERATES_TENSOR_PARAMETER,
        Precondition::VariableCreatedPerCall => &refusals::VARIABLE_CREATED_PER_CALL,
        Precondition::CallersAlreadyGraph => &refusals::CALLERS_ALREADY_GRAPH,
        Precondition::UnknownCallee => &refusals::UNKNOWN_CALLEE,
    }
}

/// The start of the line containing `offset`, and that line's indentation.
fn line_start_and_indent(source: &str, offset: TextSize) -> (TextSize, &str) {
    let before = &source[..offset.to_usize()];
    let start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let line = &source[start..];
    let indent_len = line.len() - line.trim_start_matches([' ', '\t']).len();
    (
        TextSize::try_from(start).unwrap_or_default(),
        &source[start..start + indent_len],
    )
}
