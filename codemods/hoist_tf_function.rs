//! HY002 hoist-tf-function: a `tf.function` created inside a function body
//! or a loop is a new `Function` (with an empty trace cache) every time that
//! code runs. Move the graph boundary out to the enclosing function, lift the
//! nested function to module level, or wrap the function once.

use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
use ruff_python_ast::{Expr, ExprCall, ExprContext, Stmt, StmtFunctionDef};
use ruff_text_size::{Ranged, TextRange, TextSize};
use rustc_hash::{FxHashMap, FxHashSet};

use crate::analyze::preconditions::{failed_preconditions, reason_to_remove};
use crate::analyze::signature::{add_keyword, append_arguments, graph_decorator, tracing_keyword};
use crate::checker::Checker;
use crate::codemod::{Codemod, DependsOn, FixSafety};
use crate::diagnostic::{Edit, Fix};
use crate::lines::{
    before_indented_comments, before_leading_comments, indentation, line_start, next_line_start,
};
use crate::semantic::builtins::{mutating_method, Mutates};
use crate::semantic::effects::Effect;
use crate::semantic::scopes::FunctionNames;
use crate::semantic::{ClassId, FunctionId, GraphOrigin, SemanticModel};

pub const CODEMOD: Codemod = Codemod {
    code: "HY002",
    name: "hoist-tf-function",
    summary: "Create each `tf.function` once, not on every call or loop iteration",
    safety: FixSafety::Unsafe,
    doc: include_str!("hoist_tf_function.md"),
    informational: &[],
    // It looks at graph functions nested in others, and moves a decoration
    // to the functions around them.
    // Whether a factory's graph function is reported depends on whether
    // the factory is called in a loop (anywhere in the run).
    depends_on: &[
        DependsOn::GraphCode,
        DependsOn::EnclosingFunctions,
        DependsOn::LoopCalls,
    ],
    run,
};

fn run(checker: &mut Checker) {
    let semantic = checker.semantic;
    // Two functions lifted in one pass must not take the same name.
    let mut lifted: Vec<String> = Vec::new();
    for id in 0..semantic.functions.len() {
        let function = &semantic.functions[id];
        let Some(GraphOrigin::Decorator(decorator)) = function.graph else {
            continue;
        };
        // Only a function nested in another is re-created per call.
        let Some(parent) = function.parent else {
            continue;
        };
        // Inside a graph function the nested one is created once per trace.
        if semantic.runs_under_graph(parent) {
            continue;
        }
        nested_graph_function(checker, id, parent, decorator, &mut lifted);
    }
    // Only `tf.function(...)` calls can be wrappers.
    if semantic.tf_function_calls == 0 {
        return;
    }
    let mut wrappers = WrapperCalls {
        semantic,
        found: Vec::new(),
        function_depth: 0,
        loop_depth: 0,
        in_init: false,
        enclosing: None,
    };
    wrappers.visit_body(checker.module.body.as_slice());
    if wrappers.found.is_empty() {
        return;
    }
    let index = WrapperIndex::new(semantic, checker.module.body.as_slice());
    let mut done: FxHashSet<FunctionId> = FxHashSet::default();
    for wrapper in wrappers.found {
        if !wrapper.in_loop && !runs_repeatedly(semantic, wrapper.enclosing) {
            continue;
        }
        wrapper_call(checker, &index, &wrapper, &mut done);
    }
}

/// Methods that frameworks call once per step or batch (Keras, `tf.Module`).
const PER_STEP_METHODS: &[&str] = &[
    "call",
    "__call__",
    "train_step",
    "test_step",
    "predict_step",
    "update_state",
];

/// Whether the function defined by `def` may run again and again, so that
/// a `tf.function(...)` created in its body costs a trace each time: it is
/// called in a step loop (here or in another module), frameworks call it
/// per step (`call`), or it is nested in another function. A function
/// called once per training run (`def train(): step = tf.function(f)`,
/// then a loop over `step`) traces once per run: nothing to gain.
fn runs_repeatedly(
    semantic: &SemanticModel,
    def: Option<&ruff_python_ast::StmtFunctionDef>,
) -> bool {
    let Some(def) = def else {
        return true;
    };
    let Some(id) = semantic
        .functions
        .iter()
        .position(|function| function.def.range() == def.range())
    else {
        return true;
    };
    let function = &semantic.functions[id];
    function.parent.is_some()
        || semantic.facts[id].loop_call.is_some()
        || (function.class.is_some() && PER_STEP_METHODS.contains(&def.name.id.as_str()))
}

/// What every wrapper call asks of the module, gathered once: per wrapper,
/// a walk of the module (and a scan of its functions) made checking a
/// module of N wrappers quadratic in N.
struct WrapperIndex<'a> {
    /// The first module-level function of each name, in the model's order.
    functions: FxHashMap<&'a str, FunctionId>,
    /// Per name, every `tf.function(name)` call of the module, in walk
    /// order, and how many more pass other arguments too.
    wrappers: FxHashMap<&'a str, (Vec<&'a ExprCall>, usize)>,
}

impl<'a> WrapperIndex<'a> {
    fn new(semantic: &SemanticModel<'a>, body: &'a [Stmt]) -> Self {
        let mut functions = FxHashMap::default();
        for (id, f) in semantic.functions.iter().enumerate() {
            if f.parent.is_none() && f.class.is_none() {
                functions.entry(f.def.name.id.as_str()).or_insert(id);
            }
        }
        let mut all = SameWrappers {
            imports: &semantic.imports,
            wrappers: FxHashMap::default(),
        };
        all.visit_body(body);
        WrapperIndex {
            functions,
            wrappers: all.wrappers,
        }
    }
}

/// `@tf.function def inner` directly inside `parent`.
fn nested_graph_function(
    checker: &mut Checker,
    id: FunctionId,
    parent: FunctionId,
    decorator: TextRange,
    lifted: &mut Vec<String>,
) {
    let semantic = checker.semantic;
    let inner = &semantic.functions[id];
    let outer = &semantic.functions[parent];
    let name = inner.def.name.id.as_str();
    let message = format!(
        "`{}` is a `tf.function` defined inside `{}`: every call of `{}` creates it anew and traces it again",
        inner.qualified_name, outer.qualified_name, outer.def.name.id
    );
    let diagnostic = CODEMOD
        .diagnostic(message, inner.def.name.range())
        .with_function(inner.qualified_name.clone());
    // HY020 takes the decoration away: hoisting it first would only churn.
    if let Some(why) = reason_to_remove(&semantic.facts[id]) {
        checker.report(diagnostic.with_note(format!(
            "no fix offered: `{name}` {why}, so HY020 remove-tf-function makes it eager instead"
        )));
        return;
    }
    let outer_names = FunctionNames::of(outer.def);
    // The fixes rewrite every use of the nested function: each must be a call.
    if let Some(why) = not_only_called(checker, &outer_names, name) {
        // A factory that hands out its graph function (`return step`,
        // serving signatures): made once per call, it is traced once per
        // call. Only one called per step re-creates it again and again.
        if semantic.facts[parent].loop_call.is_none() {
            return;
        }
        checker.report(diagnostic.with_note(format!("no fix offered: {why}")));
        return;
    }
    let refusals = failed_preconditions(checker.source, semantic, parent);
    let plain_decorator = inner.def.decorator_list.len() == 1
        && !matches!(inner.def.decorator_list[0].expression, Expr::Call(_));
    if refusals.is_empty() && outer.parent.is_none() && plain_decorator && !outer.def.is_async {
        let fix = move_decorator_out(checker, inner.def, outer.def, decorator);
        let note = format!(
            "`{}` meets every precondition of HY001, so it can be the graph function itself: one trace, and no Python between the two",
            outer.qualified_name
        );
        checker.report(diagnostic.with_note(note).with_fix(
            format!("Move `@tf.function` to `{}`", outer.qualified_name),
            fix,
        ));
        return;
    }
    let why_not_outer = match refusals.first() {
        Some((_, why)) => format!("`{}` {why}", outer.qualified_name),
        None if outer.parent.is_some() => format!("`{}` is itself nested", outer.qualified_name),
        None => format!(
            "the decorator on `{name}` has arguments or company that cannot move to `{}`",
            outer.qualified_name
        ),
    };
    // A nested function that reads the method's `self` becomes a method of
    // the class; otherwise (or when that is not possible) a module function.
    let mut why_not_class = None;
    let first_parameter = outer
        .def
        .parameters
        .posonlyargs
        .iter()
        .chain(&outer.def.parameters.args)
        .next()
        .map(|p| p.parameter.name.id.as_str());
    if outer.class.is_some()
        && !outer.def.decorator_list.is_empty()
        && first_parameter
            .is_some_and(|first| FunctionNames::of(inner.def).free_names().contains(first))
    {
        why_not_class = Some(format!(
            "`{}` is decorated, so its first parameter may not be an instance of the class",
            outer.qualified_name
        ));
    }
    if let Some((class, receiver)) = method_receiver(semantic, id, parent) {
        let class_name = &semantic.classes[class].qualified_name;
        // One name per pass for all classes: two related classes given the
        // same new method would override one with the other.
        let key = format!("class {name}");
        let lift = if lifted.contains(&key) {
            Err(Refusal::Here(format!(
                "another `{name}` becomes a method of a class first"
            )))
        } else {
            lift(
                checker,
                id,
                parent,
                &outer_names,
                Destination::Class { class, receiver },
            )
        };
        match lift {
            Ok((fix, params)) => {
                lifted.push(key);
                let note = format!(
                    "the decoration cannot move to `{}` ({why_not_outer}); `{name}` reads `{receiver}`, so it becomes a method of `{class_name}`, created once per class and traced once per object{}",
                    outer.qualified_name,
                    passing(&params)
                );
                checker.report(
                    diagnostic
                        .with_note(note)
                        .with_fix(format!("Lift `{name}` to a method of `{class_name}`"), fix),
                );
                return;
            }
            Err(Refusal::Any(why)) => {
                checker.report(diagnostic.with_note(format!(
                    "no fix offered: the decoration cannot move to `{}` ({why_not_outer}), and `{name}` cannot be lifted: {why}",
                    outer.qualified_name
                )));
                return;
            }
            Err(Refusal::Here(why)) => why_not_class = Some(why),
        }
    }
    let lift = if lifted.iter().any(|n| n == name) {
        Err(Refusal::Here(format!("another `{name}` is lifted first")))
    } else {
        lift(checker, id, parent, &outer_names, Destination::Module)
    };
    let not_class = why_not_class
        .map(|why| format!(" and it cannot become a method of its class ({why})"))
        .unwrap_or_default();
    match lift {
        Ok((fix, params)) => {
            lifted.push(name.to_string());
            let note = format!(
                "the decoration cannot move to `{}` ({why_not_outer}){not_class}; lifting `{name}` to module level creates it once{}",
                outer.qualified_name,
                passing(&params)
            );
            checker.report(
                diagnostic
                    .with_note(note)
                    .with_fix(format!("Lift `{name}` to module level"), fix),
            );
        }
        Err(Refusal::Any(why) | Refusal::Here(why)) => checker.report(diagnostic.with_note(format!(
            "no fix offered: the decoration cannot move to `{}` ({why_not_outer}){not_class}, and `{name}` cannot be lifted: {why}",
            outer.qualified_name
        ))),
    }
}

/// ", passing `a`, `b` as arguments" for the parameters a lift adds.
fn passing(params: &[String]) -> String {
    if params.is_empty() {
        return String::new();
    }
    let list = params
        .iter()
        .map(|p| format!("`{p}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let noun = if params.len() == 1 {
        "an argument"
    } else {
        "arguments"
    };
    format!(", passing {list} as {noun}")
}

/// When `parent` is a plain, undecorated method directly in a class body
/// and the nested function `id` reads its first parameter: the class and
/// that parameter's name (`self`).
fn method_receiver<'m>(
    semantic: &'m SemanticModel,
    id: FunctionId,
    parent: FunctionId,
) -> Option<(ClassId, &'m str)> {
    let outer = &semantic.functions[parent];
    let class = outer.class?;
    // A decorated method (`staticmethod`, `classmethod`, `property` or one
    // the analysis cannot see) may not receive an instance of the class.
    if outer.parent.is_some() || !outer.def.decorator_list.is_empty() {
        return None;
    }
    let parameters = &outer.def.parameters;
    let receiver = parameters
        .posonlyargs
        .iter()
        .chain(&parameters.args)
        .next()?
        .parameter
        .name
        .id
        .as_str();
    FunctionNames::of(semantic.functions[id].def)
        .free_names()
        .contains(receiver)
        .then_some((class, receiver))
}

/// Why the uses of `name` in the enclosing function are not all plain
/// calls in its own body, if they are not.
fn not_only_called(checker: &Checker, outer: &FunctionNames, name: &str) -> Option<String> {
    for use_ in outer.uses.iter().filter(|u| u.name == name) {
        let line = checker.line_number(use_.offset);
        if use_.nested {
            return Some(format!(
                "`{name}` is used inside a nested scope at line {line}"
            ));
        }
        let Some(call) = use_.called else {
            return Some(format!(
                "`{name}` is used as a value at line {line} (it may outlive the call)"
            ));
        };
        if call
            .arguments
            .args
            .iter()
            .any(|arg| matches!(arg, Expr::Starred(_)))
            || call.arguments.keywords.iter().any(|k| k.arg.is_none())
        {
            return Some(format!(
                "`{name}` is called with `*args` or `**kwargs` at line {line}"
            ));
        }
    }
    if !outer.uses.iter().any(|u| u.name == name) {
        return Some(format!("`{name}` is never called here"));
    }
    None
}

/// Removes the nested decorator and decorates the enclosing function.
fn move_decorator_out(
    checker: &Checker,
    inner: &StmtFunctionDef,
    outer: &StmtFunctionDef,
    decorator: TextRange,
) -> Fix {
    let source = checker.source;
    let expression = &source[inner.decorator_list[0].expression.range()];
    let remove = Edit::deletion(
        line_start(source, decorator.start()),
        next_line_start(source, decorator.end()),
    );
    let def_line = line_start(source, def_keyword(source, outer));
    let indent = indentation(source, def_line);
    let line_ending = checker.stylist.line_ending().as_str();
    let add = Edit::insertion(format!("{indent}@{expression}{line_ending}"), def_line);
    Fix::unsafe_edits(add, [remove])
}

/// The offset of `def` (or `async`) of a definition, after its decorators.
fn def_keyword(source: &str, def: &StmtFunctionDef) -> TextSize {
    let after_decorators = def.decorator_list.last().map_or(def.start(), |decorator| {
        next_line_start(source, decorator.end())
    });
    // Skip blank and comment lines between the decorators and `def`.
    let mut at = after_decorators;
    while at < def.name.start() {
        let line = &source[at.to_usize()..next_line_start(source, at).to_usize()];
        let trimmed = line.trim_start();
        if trimmed.starts_with("def") || trimmed.starts_with("async") {
            return at + TextSize::try_from(line.len() - trimmed.len()).unwrap_or_default();
        }
        at = next_line_start(source, at);
    }
    def.start()
}

/// Where a nested function is lifted to.
#[derive(Clone, Copy)]
enum Destination<'m> {
    /// Module level, before the top-level statement that contains the
    /// enclosing function.
    Module,
    /// A method of `class`, before the enclosing method; `receiver` (the
    /// method's `self`) becomes its first parameter.
    Class { class: ClassId, receiver: &'m str },
}

/// Why a nested function is not lifted.
enum Refusal {
    /// A reason that holds wherever it would go.
    Any(String),
    /// A reason that holds only for this destination.
    Here(String),
}

/// Lifts the nested function (with its decorator) to `destination`; its
/// free variables from the enclosing function (but the receiver of a
/// method) become trailing parameters, passed at every call. Returns the
/// fix and the new trailing parameters.
fn lift(
    checker: &Checker,
    id: FunctionId,
    parent: FunctionId,
    outer_names: &FunctionNames,
    destination: Destination,
) -> Result<(Fix, Vec<String>), Refusal> {
    let semantic = checker.semantic;
    let source = checker.source;
    let inner = semantic.functions[id].def;
    let outer = semantic.functions[parent].def;
    let name = inner.name.id.as_str();
    let any = |why: String| Refusal::Any(why);
    if semantic.functions[parent].parent.is_some() {
        return Err(any(format!(
            "`{}` is nested more than one level deep",
            semantic.functions[id].qualified_name
        )));
    }
    // Only a definition directly in the body runs exactly once per call.
    if !outer.body.iter().any(|stmt| stmt.range() == inner.range()) {
        let loop_var = outer_names
            .bindings
            .iter()
            .find(|b| b.loop_target && FunctionNames::of(inner).free_names().contains(&b.name));
        return Err(any(match loop_var {
            Some(binding) => format!(
                "it closes over the loop variable `{}`, whose value differs per iteration",
                binding.name
            ),
            None => "it is defined inside a loop, `if` or `with` block".to_string(),
        }));
    }
    // Decorators, defaults and annotations are evaluated where the
    // definition stands: moved, they must mean the same there.
    let evaluated = definition_time_names(inner);
    if let Some(local) = evaluated.iter().find(|n| outer_names.binds(n)) {
        return Err(any(format!(
            "its decorator, a default value or an annotation reads `{local}` from `{}`",
            semantic.functions[parent].qualified_name
        )));
    }
    if let Destination::Class { class, .. } = destination {
        if let Some(shadowed) = evaluated
            .iter()
            .find(|n| class_body_binds(&semantic.classes[class].def.body, n))
        {
            return Err(Refusal::Here(format!(
                "its decorator, a default value or an annotation reads `{shadowed}`, which in the class body would be the class attribute"
            )));
        }
    }
    let inner_names = FunctionNames::of(inner);
    if inner_names.declares_scope {
        return Err(any("it declares `global` or `nonlocal` names".to_string()));
    }
    let free = inner_names.free_names();
    if free.contains("super") || free.contains("__class__") {
        return Err(any("it calls `super()`, which needs its class".to_string()));
    }
    let captured: Vec<String> = free
        .iter()
        .filter(|name| outer_names.binds(name))
        .cloned()
        .collect();
    if captured.iter().any(|c| c == name) {
        return Err(any(format!(
            "it refers to `{name}` itself, a name that exists only inside the enclosing function"
        )));
    }
    if let Some(shadow) = captured
        .iter()
        .find(|name| inner_names.nested_bindings.contains(name.as_str()))
    {
        return Err(any(format!(
            "`{shadow}` is both captured and bound in a nested scope"
        )));
    }
    for captured_name in &captured {
        if let Some(binding) = outer_names
            .bindings
            .iter()
            .find(|b| b.name == *captured_name && (b.offset > inner.start() || b.in_loop))
        {
            let what = if binding.loop_target {
                "is a loop variable"
            } else {
                "is rebound after the definition"
            };
            return Err(any(format!(
                "`{captured_name}` {what} (line {}), so passing its value would not mean the same",
                checker.line_number(binding.offset)
            )));
        }
    }
    // A graph function receives container arguments as copies of their
    // structure: mutating a captured list or dict (or setting attributes on
    // a captured object) would no longer reach the caller's object.
    if let Some((name, line)) = mutated_capture(checker, inner, &captured) {
        return Err(any(format!(
            "it mutates the captured `{name}` (line {line}), which as a parameter of a graph function would be a copy"
        )));
    }
    // Variables, optimizers, layers made on every call of the enclosing
    // function: lifted, the graph function would be traced again for each
    // new object, and a trace after the first that creates variables (an
    // optimizer's slots, a layer's weights) fails. They are to be made once
    // first (HY012), not passed in.
    if let Some((name, what, line)) = per_call_object(checker, outer, &captured) {
        return Err(any(format!(
            "it uses `{name}`, {what} created on every call of the enclosing function (line {line}): lifted, it would be traced again for each new one, and creating variables in a later trace fails; create it once first"
        )));
    }
    // Python effects of a graph function run while it is traced: today on
    // every call of the enclosing function, once lifted only on the first.
    let facts = &semantic.facts[id];
    if let Some(why) = facts.effect(Effect::StateWrite) {
        return Err(any(format!(
            "it {why}, which today happens on every call and once lifted only when it is first traced"
        )));
    }
    if let Some(why) = facts.effect(Effect::Logging) {
        return Err(any(format!(
            "it {why}, which today happens on every call and once lifted only when it is first traced"
        )));
    }
    if let Some(why) = facts.effect(Effect::Print) {
        return Err(any(format!(
            "it {why}, which today prints on every call and once lifted only when it is first traced (HY011 turns it into `tf.print` first)"
        )));
    }
    // An attribute of a captured object is read when tracing: created per
    // call, the function sees its current value; created once, the value
    // at its first trace.
    if let Some((object, attribute, line)) = reassigned_attribute(checker, inner, &captured) {
        return Err(any(format!(
            "it reads `{object}.{attribute}`, which is reassigned at line {line}: created once, it would keep the value it read when first traced"
        )));
    }
    let receiver = match destination {
        Destination::Module => None,
        Destination::Class { receiver, .. } => Some(receiver),
    };
    let trailing: Vec<String> = captured
        .iter()
        .filter(|c| Some(c.as_str()) != receiver)
        .cloned()
        .collect();
    let parameters = &inner.parameters;
    if !trailing.is_empty()
        && (parameters.vararg.is_some()
            || parameters.kwarg.is_some()
            || !parameters.kwonlyargs.is_empty()
            || parameters
                .iter_non_variadic_params()
                .any(|p| p.default.is_some()))
    {
        return Err(any(
            "its parameters have defaults or are variadic".to_string()
        ));
    }
    match destination {
        Destination::Module => {
            if FunctionNames::of_module(semantic.module_body()).binds(name) {
                return Err(Refusal::Here(format!(
                    "the module already binds the name `{name}`"
                )));
            }
        }
        Destination::Class { class, receiver } => {
            if let Some(binding) = outer_names.bindings.iter().find(|b| b.name == receiver) {
                return Err(Refusal::Here(format!(
                    "`{receiver}` is rebound at line {}",
                    checker.line_number(binding.offset)
                )));
            }
            class_attribute_clash(checker, class, name)
                .map_or(Ok(()), |why| Err(Refusal::Here(why)))?;
        }
    }
    let start = line_start(source, inner.start());
    let end = next_line_start(source, inner.end());
    let block = &source[start.to_usize()..end.to_usize()];
    // Take one blank line after the definition along, so no gap doubles.
    let after = next_line_start(source, end);
    let removal_end = if end < after && source[end.to_usize()..after.to_usize()].trim().is_empty() {
        after
    } else {
        end
    };
    if block.contains("\"\"\"") || block.contains("'''") {
        return Err(any(
            "it contains a multi-line string, which re-indenting would change".to_string(),
        ));
    }
    let indent = indentation(source, start);
    let line_ending = checker.stylist.line_ending().as_str();
    let mut lifted = String::new();
    for line in block.split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix(indent) {
            lifted.push_str(rest);
        } else if line.trim().is_empty() {
            lifted.push_str(line.trim_start_matches([' ', '\t']));
        } else {
            return Err(any(
                "its lines are not all indented like its definition".to_string()
            ));
        }
    }
    // The new parameters go after the existing ones; calls pass them last.
    // The parameter list moves with the block: patch the lifted text, the
    // later position first.
    let mut edits = Vec::new();
    let joined = trailing.join(", ");
    if !trailing.is_empty() {
        let params_end = parameters.end() - TextSize::from(1);
        let params_text = &source[parameters.range()];
        let insert = if parameters.iter().next().is_none() {
            joined.clone()
        } else if params_text[..params_text.len() - 1]
            .trim_end()
            .ends_with(',')
        {
            format!(" {joined}")
        } else {
            format!(", {joined}")
        };
        let offset = (params_end - start).to_usize();
        lifted.insert_str(dedented_position(block, indent, offset), &insert);
    }
    if let Some(receiver) = receiver {
        let params_start = parameters.start() + TextSize::from(1);
        let insert = if parameters.iter().next().is_none() && trailing.is_empty() {
            receiver.to_string()
        } else {
            format!("{receiver}, ")
        };
        let offset = (params_start - start).to_usize();
        lifted.insert_str(dedented_position(block, indent, offset), &insert);
    }
    // The lifted decorator is final: when HY003 would find the lifted graph
    // function retracing, it gets the keyword HY003 would add (the
    // decorator comes before the parameters: patched last).
    if tracing_keyword(semantic, id).is_none() {
        let keyword = super::input_signature::retracing_of_new_graph_function(checker, id)
            .and_then(|retracing| retracing.keyword)
            .filter(|keyword| keyword.import.is_none());
        if let (Some(keyword), Some(decorator)) = (keyword, graph_decorator(semantic, id)) {
            let edit = add_keyword(source, decorator, &keyword.text);
            let offset = (edit.start() - start).to_usize();
            lifted.insert_str(
                dedented_position(block, indent, offset),
                edit.content().unwrap_or_default(),
            );
        }
    }
    for use_ in outer_names.uses.iter().filter(|u| u.name == name) {
        let call = use_.called.expect("checked: every use is a call");
        if let Some(receiver) = receiver {
            edits.push(Edit::range_replacement(
                format!("{receiver}.{name}"),
                call.func.range(),
            ));
        }
        if !trailing.is_empty() {
            edits.push(append_arguments(source, call, &joined));
        }
    }
    let block_end = if lifted.ends_with('\n') {
        String::new()
    } else {
        line_ending.to_string()
    };
    let insertion = match destination {
        Destination::Module => {
            let top = semantic
                .module_body()
                .iter()
                .find(|stmt| stmt.range().contains(outer.start()))
                .ok_or_else(|| any("its enclosing function is not at module level".to_string()))?;
            let insert_at = before_leading_comments(source, line_start(source, top.start()));
            Edit::insertion(
                format!("{lifted}{block_end}{line_ending}{line_ending}"),
                insert_at,
            )
        }
        Destination::Class { .. } => {
            // Re-indent to the enclosing method's level, and insert the
            // method before it (and the comments directly above it).
            let method_start = line_start(source, outer.start());
            let method_indent = indentation(source, method_start);
            let mut text = String::new();
            for line in lifted.split_inclusive('\n') {
                if !line.trim().is_empty() {
                    text.push_str(method_indent);
                }
                text.push_str(line);
            }
            let insert_at = before_indented_comments(source, method_start, method_indent);
            Edit::insertion(format!("{text}{block_end}{line_ending}"), insert_at)
        }
    };
    edits.push(Edit::deletion(start, removal_end));
    Ok((Fix::unsafe_edits(insertion, edits), trailing))
}

/// The names read by a definition's decorators, parameter defaults and
/// annotations.
fn definition_time_names(def: &StmtFunctionDef) -> Vec<String> {
    #[derive(Default)]
    struct Names(Vec<String>);
    impl<'a> Visitor<'a> for Names {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Name(name) = expr {
                self.0.push(name.id.to_string());
            }
            walk_expr(self, expr);
        }
    }
    let mut names = Names::default();
    for decorator in &def.decorator_list {
        names.visit_expr(&decorator.expression);
    }
    for parameter in def.parameters.iter() {
        if let Some(default) = parameter.default() {
            names.visit_expr(default);
        }
        if let Some(annotation) = parameter.annotation() {
            names.visit_expr(annotation);
        }
    }
    if let Some(returns) = &def.returns {
        names.visit_expr(returns);
    }
    names.0
}

/// Why `name` cannot become a method of `class`: the class (or a base the
/// analysis can see) already binds it, an object's attribute of that name is
/// set or read anywhere in the module, or a base class it cannot see may
/// define it.
fn class_attribute_clash(checker: &Checker, class: ClassId, name: &str) -> Option<String> {
    let semantic = checker.semantic;
    let class_name = &semantic.classes[class].qualified_name;
    if name.starts_with("__") && name.ends_with("__") {
        return Some(format!("`{name}` is a special method name"));
    }
    let mut pending = vec![class];
    let mut seen = Vec::new();
    while let Some(current) = pending.pop() {
        if seen.contains(&current) {
            continue;
        }
        seen.push(current);
        let class = &semantic.classes[current];
        if class_body_binds(&class.def.body, name) {
            return Some(format!(
                "`{}` already defines `{name}`",
                class.qualified_name
            ));
        }
        for base in &class.bases {
            if let Some(local) = semantic
                .classes
                .iter()
                .position(|c| c.qualified_name == *base)
            {
                pending.push(local);
            } else if base == "object" {
            } else if base.starts_with("tensorflow.") || base.starts_with("keras.") {
                if name.starts_with('_') || FRAMEWORK_ATTRIBUTES.contains(&name) {
                    return Some(format!(
                        "its base `{base}` has (or may have) an attribute `{name}`"
                    ));
                }
            } else {
                return Some(format!(
                    "its base `{base}` is not defined in this module and may define `{name}`"
                ));
            }
        }
    }
    // A subclass of this module that binds the name would override the
    // method for its objects.
    let mut family = vec![class];
    let mut grew = true;
    while grew {
        grew = false;
        for (id, candidate) in semantic.classes.iter().enumerate() {
            if !family.contains(&id)
                && candidate.bases.iter().any(|base| {
                    family
                        .iter()
                        .any(|&f| semantic.classes[f].qualified_name == *base)
                })
            {
                if class_body_binds(&candidate.def.body, name) {
                    return Some(format!(
                        "its subclass `{}` defines `{name}`",
                        candidate.qualified_name
                    ));
                }
                family.push(id);
                grew = true;
            }
        }
    }
    let mut attributes = AttributeUses {
        name,
        found: None,
        function_names: Vec::new(),
        store_outside_init: None,
    };
    attributes.visit_body(checker.module.body.as_slice());
    if let Some(at) = attributes.found {
        return Some(format!(
            "an attribute `{name}` is already used at line {} (it would shadow or be shadowed by the method of `{class_name}`)",
            checker.line_number(at)
        ));
    }
    None
}

/// Whether a class body binds `name` at class level (a method, an
/// assignment, a nested class, an import).
fn class_body_binds(body: &[Stmt], name: &str) -> bool {
    FunctionNames::of_module(body).binds(name)
}

/// Public attributes of `tf.Module` and Keras layers and models that a new
/// method must not override.
const FRAMEWORK_ATTRIBUTES: &[&str] = &[
    "activity_regularizer",
    "add_loss",
    "add_metric",
    "add_update",
    "add_variable",
    "add_weight",
    "build",
    "build_from_config",
    "built",
    "call",
    "compile",
    "compile_from_config",
    "compiled_loss",
    "compiled_metrics",
    "compute_dtype",
    "compute_loss",
    "compute_mask",
    "compute_metrics",
    "compute_output_shape",
    "compute_output_signature",
    "count_params",
    "distribute_strategy",
    "dtype",
    "dtype_policy",
    "dynamic",
    "evaluate",
    "export",
    "finalize_state",
    "fit",
    "from_config",
    "get_build_config",
    "get_compile_config",
    "get_config",
    "get_layer",
    "get_weights",
    "history",
    "inbound_nodes",
    "input",
    "input_shape",
    "input_spec",
    "inputs",
    "layers",
    "load_weights",
    "loss",
    "losses",
    "make_predict_function",
    "make_test_function",
    "make_train_function",
    "metrics",
    "metrics_names",
    "name",
    "name_scope",
    "non_trainable_variables",
    "non_trainable_weights",
    "optimizer",
    "outbound_nodes",
    "output",
    "output_shape",
    "outputs",
    "predict",
    "predict_on_batch",
    "predict_step",
    "quantize",
    "reset_metrics",
    "reset_states",
    "run_eagerly",
    "save",
    "save_spec",
    "save_weights",
    "set_weights",
    "stateful",
    "state_updates",
    "stop_training",
    "submodules",
    "summary",
    "supports_masking",
    "symbolic_call",
    "test_on_batch",
    "test_step",
    "to_json",
    "to_yaml",
    "train_on_batch",
    "train_step",
    "trainable",
    "trainable_variables",
    "trainable_weights",
    "updates",
    "variable_dtype",
    "variables",
    "weights",
    "with_name_scope",
];

/// Reads and writes of attributes named `name` (`obj.name`), anywhere.
struct AttributeUses<'n> {
    name: &'n str,
    found: Option<TextSize>,
    function_names: Vec<String>,
    store_outside_init: Option<TextSize>,
}

impl<'a> Visitor<'a> for AttributeUses<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if let Stmt::FunctionDef(def) = stmt {
            self.function_names.push(def.name.id.to_string());
            walk_stmt(self, stmt);
            self.function_names.pop();
        } else {
            walk_stmt(self, stmt);
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Attribute(attribute) = expr {
            if attribute.attr.id.as_str() == self.name {
                self.found.get_or_insert(expr.start());
                let in_init = self.function_names.last().is_some_and(|n| n == "__init__");
                if !matches!(attribute.ctx, ExprContext::Load) && !in_init {
                    self.store_outside_init.get_or_insert(expr.start());
                }
            }
        }
        walk_expr(self, expr);
    }
}

/// The first `captured.attribute` that `inner` reads and that some code in
/// the module (other than an `__init__`) assigns or deletes: the object,
/// the attribute, and the line of that assignment.
fn reassigned_attribute(
    checker: &Checker,
    inner: &StmtFunctionDef,
    captured: &[String],
) -> Option<(String, String, usize)> {
    struct Reads<'c> {
        captured: &'c [String],
        found: Vec<(String, String)>,
    }
    impl<'a> Visitor<'a> for Reads<'_> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Attribute(attribute) = expr {
                if let Expr::Name(object) = attribute.value.as_ref() {
                    if self.captured.iter().any(|c| c == object.id.as_str()) {
                        self.found
                            .push((object.id.to_string(), attribute.attr.id.to_string()));
                    }
                }
            }
            walk_expr(self, expr);
        }
    }
    let mut reads = Reads {
        captured,
        found: Vec::new(),
    };
    reads.visit_body(&inner.body);
    reads.found.into_iter().find_map(|(object, attribute)| {
        let mut uses = AttributeUses {
            name: &attribute,
            found: None,
            function_names: Vec::new(),
            store_outside_init: None,
        };
        uses.visit_body(checker.module.body.as_slice());
        let at = uses.store_outside_init?;
        Some((object, attribute.clone(), checker.line_number(at)))
    })
}

/// Where byte `offset` of `block` ends up once every line loses `indent`.
fn dedented_position(block: &str, indent: &str, offset: usize) -> usize {
    let mut removed = 0;
    let mut line_start = 0;
    for line in block.split_inclusive('\n') {
        if line_start > offset {
            break;
        }
        if line.starts_with(indent) {
            removed += indent.len();
        } else if line.trim().is_empty() {
            removed += line.len() - line.trim_start_matches([' ', '\t']).len();
        }
        line_start += line.len();
    }
    offset - removed
}

/// A `tf.function(...)` call in a function body or a loop.
struct Wrapper<'a> {
    call: &'a ExprCall,
    in_loop: bool,
    /// The statement `name = tf.function(f)` directly in a loop body, and
    /// that loop: the assignment can move before the loop.
    assignment: Option<(&'a Stmt, &'a Stmt)>,
    /// The innermost function whose body holds it.
    enclosing: Option<&'a ruff_python_ast::StmtFunctionDef>,
}

fn wrapper_call(
    checker: &mut Checker,
    index: &WrapperIndex,
    wrapper: &Wrapper,
    done: &mut FxHashSet<FunctionId>,
) {
    let semantic = checker.semantic;
    let call = wrapper.call;
    let place = if wrapper.in_loop {
        "inside a loop: every iteration"
    } else {
        "inside a function body: every call"
    };
    let Some(target) = call.arguments.args.first() else {
        return;
    };
    let message = format!(
        "`tf.function(...)` is called {place} creates a new graph function and traces it again"
    );
    let diagnostic = CODEMOD.diagnostic(message, call.range());
    let Expr::Name(target_name) = target else {
        let why = if matches!(target, Expr::Lambda(_)) {
            "no fix offered: give the lambda a name with `def` at module level and decorate it"
        } else {
            "no fix offered: the wrapped callable is not a function of this module"
        };
        checker.report(diagnostic.with_note(why));
        return;
    };
    let name = target_name.id.as_str();
    let Some(&id) = index.functions.get(name) else {
        checker.report(diagnostic.with_note(format!(
            "no fix offered: `{name}` is not a module-level function of this module"
        )));
        return;
    };
    if done.contains(&id) {
        return;
    }
    let diagnostic = diagnostic.with_function(semantic.functions[id].qualified_name.clone());
    // HY020 takes the wrapping away: moving it first would only churn.
    if semantic.functions[id].graph.is_some() {
        if let Some(why) = reason_to_remove(&semantic.facts[id]) {
            checker.report(diagnostic.with_note(format!(
                "no fix offered: `{name}` {why}, so HY020 remove-tf-function makes it eager instead"
            )));
            return;
        }
    }
    // Every `tf.function(name)` in the module, with exactly these arguments.
    let (calls, others) = index
        .wrappers
        .get(name)
        .map_or((&[][..], 0), |(calls, others)| (calls.as_slice(), *others));
    let decorated = matches!(
        semantic.functions[id].graph,
        Some(GraphOrigin::Decorator(_))
    );
    let refusals = failed_preconditions(checker.source, semantic, id);
    // One decorator can stand for the wrappers only when none has arguments.
    if others == 0 && (decorated || refusals.is_empty()) {
        let source = checker.source;
        let mut edits: Vec<Edit> = calls
            .iter()
            .map(|c| Edit::range_replacement(name.to_string(), c.range()))
            .collect();
        let title;
        let note;
        if decorated {
            title = format!("Use the decorated `{name}` itself");
            note = format!("`{name}` is already a graph function; wrapping it again only adds a new trace cache");
        } else {
            let def = semantic.functions[id].def;
            let def_line = line_start(source, def_keyword(source, def));
            let indent = indentation(source, def_line);
            let decorator = &source[call.func.range()];
            let line_ending = checker.stylist.line_ending().as_str();
            edits.push(Edit::insertion(
                format!("{indent}@{decorator}{line_ending}"),
                def_line,
            ));
            title = format!("Decorate `{name}` with `@{decorator}` and call it directly");
            note = format!(
                "`{name}` meets every precondition of HY001, so it can be decorated once where it is defined"
            );
        }
        done.insert(id);
        edits.sort_by_key(Ranged::start);
        let mut edits = edits.into_iter();
        let first = edits.next().expect("at least the wrapper itself");
        checker.report(
            diagnostic
                .with_note(note)
                .with_fix(title, Fix::unsafe_edits(first, edits)),
        );
        return;
    }
    // Otherwise wrap once, before the loop, when the wrapper is a plain
    // assignment in the loop body.
    if let Some((assignment, loop_stmt)) = wrapper.assignment {
        let source = checker.source;
        let start = line_start(source, assignment.start());
        let end = next_line_start(source, assignment.end());
        let loop_start = line_start(source, loop_stmt.start());
        let loop_indent = indentation(source, loop_start);
        let text = format!(
            "{loop_indent}{}",
            &source[start.to_usize()..end.to_usize()].trim_start()
        );
        let why = match refusals.first() {
            Some((_, why)) => format!("`{name}` cannot be decorated where it is defined: it {why}"),
            None => format!("`{name}` is wrapped in more than one way"),
        };
        checker.report(diagnostic.with_note(why).with_fix(
            "Create the graph function once, before the loop",
            Fix::unsafe_edits(
                Edit::insertion(text, loop_start),
                [Edit::deletion(start, end)],
            ),
        ));
        return;
    }
    let why = match refusals.first() {
        Some((_, why)) => format!("no fix offered: `{name}` {why}"),
        None => format!("no fix offered: `{name}` is wrapped in more than one way"),
    };
    checker.report(diagnostic.with_note(why));
}

/// `tf.function(...)` calls that wrap something, in function bodies and
/// loops (not decorators, not module-level code run once).
struct WrapperCalls<'a, 'm> {
    semantic: &'m SemanticModel<'a>,
    found: Vec<Wrapper<'a>>,
    function_depth: usize,
    loop_depth: usize,
    in_init: bool,
    enclosing: Option<&'a ruff_python_ast::StmtFunctionDef>,
}

impl<'a> Visitor<'a> for WrapperCalls<'a, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(def) => {
                // A decorator runs once per definition: HY002 handles nested ones above.
                let saved = (self.loop_depth, self.in_init, self.enclosing);
                self.function_depth += 1;
                self.loop_depth = 0;
                self.in_init = def.name.id.as_str() == "__init__";
                self.enclosing = Some(def);
                self.visit_body(&def.body);
                self.function_depth -= 1;
                (self.loop_depth, self.in_init, self.enclosing) = saved;
            }
            Stmt::For(_) | Stmt::While(_) => {
                let body = match stmt {
                    Stmt::For(s) => &s.body,
                    Stmt::While(s) => &s.body,
                    _ => unreachable!("matched above"),
                };
                self.loop_depth += 1;
                let before = self.found.len();
                walk_stmt(self, stmt);
                self.loop_depth -= 1;
                // A plain `x = tf.function(f)` directly in this body can move out.
                for wrapper in &mut self.found[before..] {
                    if wrapper.assignment.is_some() {
                        continue;
                    }
                    wrapper.assignment = body.iter().find_map(|s| match s {
                        Stmt::Assign(assign)
                            if assign.targets.len() == 1
                                && matches!(assign.targets[0], Expr::Name(_))
                                && assign.value.range() == wrapper.call.range() =>
                        {
                            Some((s, stmt))
                        }
                        _ => None,
                    });
                }
            }
            _ => walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(call) = expr {
            let wraps =
                self.semantic.imports.is_tf_function(&call.func) && !call.arguments.args.is_empty();
            // `self.f = tf.function(self.f)` in `__init__` runs once per object.
            let per_object = self.in_init && self.loop_depth == 0;
            if wraps && !per_object && (self.function_depth > 0 || self.loop_depth > 0) {
                self.found.push(Wrapper {
                    call,
                    in_loop: self.loop_depth > 0,
                    assignment: None,
                    enclosing: self.enclosing,
                });
            }
        }
        walk_expr(self, expr);
    }
}

/// Every `tf.function(name)` call in the module, per name; the count is of
/// those with more arguments (which a single decorator could not stand for).
struct SameWrappers<'a, 'm> {
    imports: &'m crate::names::ImportMap<'m>,
    wrappers: FxHashMap<&'a str, (Vec<&'a ExprCall>, usize)>,
}

impl<'a> Visitor<'a> for SameWrappers<'a, '_> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(call) = expr {
            if let Some(Expr::Name(n)) = call.arguments.args.first() {
                if self.imports.is_tf_function(&call.func) {
                    let (calls, others) = self.wrappers.entry(n.id.as_str()).or_default();
                    if call.arguments.len() == 1 {
                        calls.push(call);
                    } else {
                        *others += 1;
                    }
                }
            }
        }
        walk_expr(self, expr);
    }
}

/// The first captured name that `inner` mutates in place (item or
/// attribute assignment, or a mutating method call), with its line.
fn mutated_capture(
    checker: &Checker,
    inner: &StmtFunctionDef,
    captured: &[String],
) -> Option<(String, usize)> {
    struct Mutations<'c> {
        captured: &'c [String],
        found: Option<(String, TextSize)>,
    }
    fn root(expr: &Expr) -> Option<&str> {
        match expr {
            Expr::Name(name) => Some(name.id.as_str()),
            Expr::Attribute(attribute) => root(&attribute.value),
            Expr::Subscript(subscript) => root(&subscript.value),
            _ => None,
        }
    }
    impl Mutations<'_> {
        fn note(&mut self, target: &Expr, at: TextSize) {
            if self.found.is_some() {
                return;
            }
            if let Some(name) = root(target).filter(|name| self.captured.iter().any(|c| c == name))
            {
                self.found = Some((name.to_string(), at));
            }
        }
    }
    impl<'a> Visitor<'a> for Mutations<'_> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            let targets: Vec<&Expr> = match stmt {
                Stmt::Assign(assign) => assign.targets.iter().collect(),
                Stmt::AugAssign(assign) => vec![&*assign.target],
                Stmt::AnnAssign(assign) => vec![&*assign.target],
                Stmt::Delete(delete) => delete.targets.iter().collect(),
                _ => Vec::new(),
            };
            for target in targets {
                if matches!(target, Expr::Subscript(_) | Expr::Attribute(_)) {
                    self.note(target, stmt.start());
                }
            }
            ruff_python_ast::visitor::walk_stmt(self, stmt);
        }

        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Call(call) = expr {
                if let Expr::Attribute(method) = call.func.as_ref() {
                    if mutating_method(method.attr.id.as_str()) == Some(Mutates::BuiltinContainer) {
                        self.note(&method.value, call.start());
                    }
                }
            }
            ruff_python_ast::visitor::walk_expr(self, expr);
        }
    }
    let mut mutations = Mutations {
        captured,
        found: None,
    };
    mutations.visit_body(&inner.body);
    mutations
        .found
        .map(|(name, at)| (name, checker.line_number(at)))
}

/// The first of `captured` that `outer` binds to a new TensorFlow object
/// that holds variables (`tf.Variable(...)`, an optimizer, a layer, a
/// model, a metric): its name, what it is, and the line.
fn per_call_object(
    checker: &Checker,
    outer: &StmtFunctionDef,
    captured: &[String],
) -> Option<(String, &'static str, usize)> {
    use crate::semantic::kinds::ObjectKind;
    struct Finder<'c, 'm, 's> {
        checker: &'c Checker<'m, 's>,
        captured: &'c [String],
        found: Option<(String, &'static str, TextSize)>,
    }
    impl<'a> Visitor<'a> for Finder<'_, '_, '_> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if self.found.is_some() {
                return;
            }
            match stmt {
                // Its own nested functions are not run by the call.
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                Stmt::Assign(assign) => {
                    if let ([Expr::Name(target)], Expr::Call(ExprCall { func, .. })) =
                        (assign.targets.as_slice(), assign.value.as_ref())
                    {
                        let name = target.id.as_str();
                        if self.captured.iter().any(|c| c == name) {
                            let kind = self
                                .checker
                                .semantic
                                .imports
                                .resolve(func)
                                .and_then(|qualified| ObjectKind::built_by(&qualified));
                            let what = match kind {
                                Some(ObjectKind::Variable) => Some("a `tf.Variable`"),
                                Some(ObjectKind::Optimizer) => Some("an optimizer"),
                                Some(ObjectKind::Layer) => Some("a Keras layer"),
                                Some(ObjectKind::Model) => Some("a Keras model"),
                                Some(ObjectKind::Metric) => Some("a Keras metric"),
                                _ => None,
                            };
                            if let Some(what) = what {
                                self.found = Some((name.to_string(), what, assign.start()));
                                return;
                            }
                        }
                    }
                    walk_stmt(self, stmt);
                }
                _ => walk_stmt(self, stmt),
            }
        }
    }
    let mut finder = Finder {
        checker,
        captured,
        found: None,
    };
    finder.visit_body(&outer.body);
    finder
        .found
        .map(|(name, what, at)| (name, what, checker.line_number(at)))
}
