//! HY013 python-iterator-in-graph: `next()` on an iterator in graph code.
//! On a Python iterator it runs only while tracing, and the element it
//! returns is frozen into the graph; on a `tf.data` iterator it is a graph
//! operation that ties the function to that iterator, and the fix steps it
//! in the callers and passes the element in.

use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
use ruff_python_ast::{Expr, ExprCall, Stmt, StmtFunctionDef};
use ruff_text_size::{Ranged, TextRange, TextSize};
use rustc_hash::FxHashMap;

use crate::analyze::signature::{
    add_keyword, append_arguments, call_sites_closed, expression_calls, graph_decorator,
    tracing_keyword,
};
use crate::checker::Checker;
use crate::codemod::{Codemod, DependsOn, FixSafety};
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::semantic::kinds::{Structure, TensorInfo, Value};
use crate::semantic::{FunctionId, SemanticModel};

pub const CODEMOD: Codemod = Codemod {
    code: "HY013",
    name: "python-iterator-in-graph",
    summary: "Report `next()` on a Python iterator inside graph code; step a `tf.data` iterator in the callers",
    safety: FixSafety::Unsafe,
    doc: include_str!("python_iterator_in_graph.md"),
    informational: &[],
    // It looks at `next()` in code that runs under graph.
    depends_on: &[DependsOn::GraphCode],
    run,
};

/// Where an iterator comes from, as far as the module says.
enum Origin {
    /// `iter(<a tf.data dataset>)`, with the dataset's elements when known.
    Dataset(Option<Structure>),
    /// A list, tuple, range, generator, NumPy iterator...
    Python,
    Unknown,
}

fn run(checker: &mut Checker) {
    let semantic = checker.semantic;
    // A module that binds its own `next` means something else by it.
    if semantic.imports.is_bound("next") {
        return;
    }
    // Built at the first question, for every target at once.
    let assigned = std::cell::OnceCell::new();
    for id in semantic.graph_code() {
        let function = &semantic.functions[id];
        let mut calls = NextCalls::default();
        calls.visit_body(&function.def.body);
        for call in calls.calls {
            let Some(iterator) = call.arguments.args.first() else {
                continue;
            };
            // A parameter may be a `tf.data` iterator, which works in graph
            // code (the pattern of distributed training loops).
            if let Expr::Name(name) = iterator {
                if function
                    .def
                    .parameters
                    .iter()
                    .any(|p| p.name().as_str() == name.id.as_str())
                {
                    continue;
                }
            }
            let text = &checker.source[iterator.range()];
            let name = &function.qualified_name;
            let diagnostic = match origin(
                semantic,
                assigned.get_or_init(|| Assigned::new(semantic.module_body())),
                iterator,
            ) {
                Origin::Dataset(element) => {
                    let diagnostic = CODEMOD.diagnostic(format!(
                            "`next({text})` in graph function `{name}` steps the `tf.data` iterator `{text}`: it advances on every call (a graph operation, unlike a Python iterator), but ties `{name}` to that one iterator, where its callers could pass each element in"
                        ),
                        call.range(),
                    )
                    .with_function(name.clone());
                    match plan(checker, id, call, iterator, element.as_ref()) {
                        Ok((title, fix, note)) => diagnostic.with_fix(title, fix).with_note(note),
                        Err(reason) => diagnostic.with_note(format!("no fix offered: {reason}")),
                    }
                }
                Origin::Python => CODEMOD
                    .diagnostic(format!(
                            "`next({text})` in graph code of `{name}` steps a Python iterator, which runs only while tracing: every call reuses the element it returned then"
                        ),
                        call.range(),
                    )
                    .with_function(name.clone())
                    .with_note("no fix offered: pass the element in as an argument, or iterate a `tf.data.Dataset` (`iter(dataset)`)"),
                Origin::Unknown => CODEMOD
                    .diagnostic(format!(
                            "`next({text})` in graph code of `{name}`: if `{text}` is a Python iterator, it runs only while tracing and every call reuses the element it returned then (a `tf.data` iterator would advance on every call)"
                        ),
                        call.range(),
                    )
                    .with_function(name.clone())
                    .with_note(format!("no fix offered: the analysis cannot tell where `{text}` comes from; pass the element in as an argument")),
            };
            checker.report(diagnostic);
        }
    }
}

/// Where `iterator` comes from: every value the module assigns to it is
/// `iter(<dataset>)`, or every one is a Python iterator.
fn origin(model: &SemanticModel, assigned: &Assigned, iterator: &Expr) -> Origin {
    let mut values = Vec::new();
    collect_assigned(assigned, iterator, &mut values);
    if values.is_empty() {
        return Origin::Unknown;
    }
    let datasets: Option<Vec<&Expr>> = values
        .iter()
        .map(|value| match value {
            Expr::Call(call) if is_builtin_call(call, "iter") => call
                .arguments
                .args
                .first()
                .filter(|dataset| is_dataset(model, assigned, dataset, 0)),
            _ => None,
        })
        .collect();
    if let Some(datasets) = datasets {
        // The elements, when one dataset bound to a module-level name says.
        let element = match datasets.as_slice() {
            [Expr::Name(name)] => match model.values.globals.get(name.id.as_str()) {
                Some(Value::Tensor(TensorInfo {
                    element: Some(element),
                    ..
                })) => Some((**element).clone()),
                _ => None,
            },
            _ => None,
        };
        return Origin::Dataset(element);
    }
    if values.iter().all(|value| is_python_iterator(model, value)) {
        return Origin::Python;
    }
    Origin::Unknown
}

fn is_builtin_call(call: &ExprCall, name: &str) -> bool {
    matches!(call.func.as_ref(), Expr::Name(n) if n.id.as_str() == name)
}

/// Whether `value` is a Python iterator: a generator expression, `iter()`
/// of a Python container or range, `zip`/`enumerate`/`map`/`filter`, a
/// NumPy iterator of a dataset, or a generator function of the module.
fn is_python_iterator(model: &SemanticModel, value: &Expr) -> bool {
    match value {
        Expr::Generator(_) => true,
        Expr::Call(call) => {
            if is_builtin_call(call, "iter") {
                return call
                    .arguments
                    .args
                    .first()
                    .is_some_and(|iterable| is_python_iterable(model, iterable));
            }
            if let Expr::Name(name) = call.func.as_ref() {
                if matches!(
                    name.id.as_str(),
                    "zip" | "enumerate" | "map" | "filter" | "reversed"
                ) {
                    return true;
                }
                return model.functions.iter().enumerate().any(|(id, function)| {
                    function.parent.is_none()
                        && function.class.is_none()
                        && function.def.name.id == name.id
                        && model.facts[id].generator.is_some()
                });
            }
            is_numpy_iterator(call)
        }
        _ => false,
    }
}

/// `<dataset>.as_numpy_iterator()`: NumPy values, stepped in Python.
fn is_numpy_iterator(call: &ExprCall) -> bool {
    matches!(call.func.as_ref(), Expr::Attribute(a) if a.attr.id.as_str() == "as_numpy_iterator")
}

/// Whether `iterable` is a Python container, `range`, or a NumPy iterator.
fn is_python_iterable(model: &SemanticModel, iterable: &Expr) -> bool {
    match iterable {
        Expr::List(_)
        | Expr::Tuple(_)
        | Expr::Set(_)
        | Expr::Dict(_)
        | Expr::ListComp(_)
        | Expr::SetComp(_)
        | Expr::DictComp(_)
        | Expr::Generator(_) => true,
        Expr::Call(call) => {
            is_numpy_iterator(call)
                || matches!(call.func.as_ref(), Expr::Name(n) if matches!(
                    n.id.as_str(),
                    "range" | "list" | "tuple" | "sorted" | "zip" | "enumerate"
                ))
        }
        Expr::Name(name) => matches!(
            model.values.globals.get(name.id.as_str()),
            Some(Value::Container(_) | Value::NdArray(_))
        ),
        _ => false,
    }
}

/// The fix for `next(<dataset iterator>)` in graph function `id`: the
/// statement `target = next(it)` leaves the body, its targets become
/// parameters, every caller passes `next(it)`, and the function gets the
/// dataset's element spec as its `input_signature` (or
/// `reduce_retracing=True`). Or why there is none.
fn plan(
    checker: &Checker,
    id: FunctionId,
    call: &ExprCall,
    iterator: &Expr,
    element: Option<&Structure>,
) -> Result<(String, Fix, String), String> {
    let semantic = checker.semantic;
    let source = checker.source;
    let function = &semantic.functions[id];
    let def = function.def;
    let name = def.name.id.as_str();
    let it = &source[iterator.range()];
    let Expr::Name(_) = iterator else {
        return Err(format!(
            "`{it}` is not a module-level name the callers can step"
        ));
    };
    if function.class.is_some() || function.parent.is_some() {
        let what = if function.class.is_some() {
            "a method"
        } else {
            "a nested function"
        };
        return Err(format!(
            "`{name}` is {what}, whose callers the fix does not follow; step `{it}` in them by hand"
        ));
    }
    let Some(decorator) = graph_decorator(semantic, id) else {
        let how = if function.graph.is_some() {
            "is made a graph function by a `tf.function(...)` call, not a decorator"
        } else {
            "runs under a graph function that calls it"
        };
        return Err(format!(
            "`{name}` {how}; step `{it}` in its callers by hand"
        ));
    };
    if let Some(keyword) = tracing_keyword(semantic, id) {
        return Err(format!(
            "its `tf.function` already has `{keyword}`, which the element's parameters would have to join"
        ));
    }
    if source.contains("OutOfRangeError") {
        return Err("the module handles `OutOfRangeError`, which the end of the data raises inside the call; stepped in the caller, it raises `StopIteration` instead".to_string());
    }
    if !call_sites_closed(semantic, id) {
        return Err(format!(
            "`{name}` may be called from code the analysis cannot see (it is public, or used as a value), and every caller would have to pass the element"
        ));
    }
    if mentions_name(&def.body, it) > 1 {
        return Err(format!("`{name}` uses `{it}` more than once"));
    }
    // `target = next(it)`, the first statement of the body.
    let first = def
        .body
        .iter()
        .find(|stmt| !is_docstring(stmt))
        .ok_or("the function has no body")?;
    let targets = match first {
        Stmt::Assign(assign)
            if assign.targets.len() == 1 && assign.value.range() == call.range() =>
        {
            match &assign.targets[0] {
                Expr::Name(target) => vec![target.id.to_string()],
                Expr::Tuple(tuple)
                    if !tuple.elts.is_empty() && tuple.elts.iter().all(Expr::is_name_expr) =>
                {
                    tuple
                        .elts
                        .iter()
                        .filter_map(|elt| elt.as_name_expr().map(|n| n.id.to_string()))
                        .collect()
                }
                _ => return Err("the element is not assigned to a name or a tuple of names".to_string()),
            }
        }
        _ => {
            return Err(format!(
                "the first statement of `{name}` is not `x = next({it})`: stepped in the caller, `next({it})` would move before what comes first"
            ))
        }
    };
    let unpack = matches!(first, Stmt::Assign(a) if a.targets[0].is_tuple_expr());
    let parameters = &def.parameters;
    if parameters.vararg.is_some()
        || parameters.kwarg.is_some()
        || !parameters.kwonlyargs.is_empty()
        || parameters
            .posonlyargs
            .iter()
            .chain(&parameters.args)
            .any(|p| p.default.is_some())
    {
        return Err(format!(
            "`{name}` has parameters with defaults, `*args` or keyword-only parameters, after which the element cannot be appended"
        ));
    }
    if let Some(clash) = targets.iter().find(|target| {
        parameters
            .iter()
            .any(|p| p.name().as_str() == target.as_str())
    }) {
        return Err(format!("`{clash}` is already a parameter of `{name}`"));
    }
    // Every caller passes `next(it)`.
    let argument = if unpack {
        format!("*next({it})")
    } else {
        format!("next({it})")
    };
    let calls = expression_calls(semantic.module_body());
    let mut edits = Vec::new();
    for site in semantic.calls_of(id) {
        let Some(site) = calls.get(&site.offset) else {
            return Err(format!("a call of `{name}` could not be found"));
        };
        if !site.arguments.keywords.is_empty()
            || site.arguments.args.iter().any(Expr::is_starred_expr)
        {
            return Err(format!(
                "a call of `{name}` at line {} passes keyword or unpacked arguments, after which the element cannot be appended",
                checker.line_number(site.start())
            ));
        }
        edits.push(append_arguments(source, site, &argument));
    }
    if edits.is_empty() {
        return Err(format!("`{name}` is never called in this module"));
    }
    // The statement leaves the body; its targets become parameters.
    edits.push(delete_line(source, first)?);
    edits.push(append_parameters(source, def, &targets.join(", ")));
    // The signature: the dataset's elements, when they are known and the
    // element is all the function takes.
    let specs = element
        .filter(|_| parameters.is_empty())
        .and_then(|element| {
            if unpack {
                let Structure::Tuple(parts) = element else {
                    return None;
                };
                if parts.len() != targets.len() {
                    return None;
                }
                let mut import = None;
                let specs = parts
                    .iter()
                    .map(|part| {
                        let (spec, needs) =
                            super::input_signature::structure_spec(checker, def, part)?;
                        import = import.take().or(needs);
                        Some(spec)
                    })
                    .collect::<Option<Vec<_>>>()?;
                Some((specs.join(", "), import))
            } else {
                super::input_signature::structure_spec(checker, def, element)
            }
        });
    let (keyword, how) = match specs {
        Some((specs, import)) => {
            edits.extend(import);
            (
                Some(format!("input_signature=[{specs}]")),
                "the dataset's element spec gives its `input_signature`, so it is traced once",
            )
        }
        None => match checker.missing_api("reduce_retracing", super::input_signature::REDUCE_RETRACING) {
            None => (
                Some("reduce_retracing=True".to_string()),
                "the dataset's element spec is not known here, so `reduce_retracing=True` lets TensorFlow generalise the element's shapes after the first retrace",
            ),
            Some(_) => (
                None,
                "the dataset's element spec is not known here: each new element shape traces it again",
            ),
        },
    };
    if let Some(keyword) = &keyword {
        edits.push(add_keyword(source, decorator, keyword));
    }
    let shown = targets.join(", ");
    let title =
        format!("Step `{it}` in the callers of `{name}` and pass the element in as `{shown}`");
    let note = format!(
        "unsafe fix: each caller steps `{it}` just before the call, as `{name}` did first thing; at the end of the data a caller gets `StopIteration` instead of `tf.errors.OutOfRangeError`; {how}"
    );
    let first_edit = edits.remove(0);
    Ok((
        title,
        Fix::applicable_edits(first_edit, edits, Applicability::Unsafe),
        note,
    ))
}

fn is_docstring(stmt: &Stmt) -> bool {
    matches!(stmt, Stmt::Expr(e) if e.value.is_string_literal_expr())
}

/// How many times `name` is read or written in `body`.
fn mentions_name(body: &[Stmt], name: &str) -> usize {
    struct Count<'n> {
        name: &'n str,
        count: usize,
    }
    impl<'a> Visitor<'a> for Count<'_> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if matches!(expr, Expr::Name(n) if n.id.as_str() == self.name) {
                self.count += 1;
            }
            walk_expr(self, expr);
        }
    }
    let mut count = Count { name, count: 0 };
    count.visit_body(body);
    count.count
}

/// An edit deleting `stmt` and its line, when it is alone on it.
fn delete_line(source: &str, stmt: &Stmt) -> Result<Edit, String> {
    let start = source[..stmt.start().to_usize()]
        .rfind(['\n', '\r'])
        .map_or(0, |i| i + 1);
    if !source[start..stmt.start().to_usize()]
        .chars()
        .all(|c| c == ' ' || c == '\t')
    {
        return Err("the statement shares its line with another one".to_string());
    }
    let rest = &source[stmt.end().to_usize()..];
    let line_end = rest.find(['\n', '\r']).unwrap_or(rest.len());
    let tail = rest[..line_end].trim_start();
    if !(tail.is_empty() || tail.starts_with('#')) {
        return Err("the statement shares its line with another one".to_string());
    }
    let mut end = stmt.end().to_usize() + line_end;
    if source[end..].starts_with("\r\n") {
        end += 2;
    } else if end < source.len() {
        end += 1;
    }
    let size = |offset: usize| TextSize::try_from(offset).unwrap_or_default();
    Ok(Edit::range_deletion(TextRange::new(size(start), size(end))))
}

/// Appends `names` to the parameters of `def` (after a trailing comma, or
/// with one).
fn append_parameters(source: &str, def: &StmtFunctionDef, names: &str) -> Edit {
    let close = def.parameters.end() - TextSize::from(1);
    let inside = &source[TextRange::new(def.parameters.start() + TextSize::from(1), close)];
    let content = if inside.trim().is_empty() {
        names.to_string()
    } else if inside.trim_end().ends_with(',') {
        format!(" {names}")
    } else {
        format!(", {names}")
    };
    Edit::insertion(content, close)
}

/// Whether `expr` is a `tf.data` pipeline: a chain of calls rooted in
/// `tf.data`, or a name bound to one.
fn is_dataset(model: &SemanticModel, assigned: &Assigned, expr: &Expr, depth: usize) -> bool {
    if depth > 4 {
        return false;
    }
    match expr {
        Expr::Call(call) => is_dataset(model, assigned, &call.func, depth),
        Expr::Attribute(attribute) if attribute.attr.id.as_str() == "as_numpy_iterator" => false,
        Expr::Attribute(attribute) => {
            model
                .imports
                .resolve(expr)
                .is_some_and(|q| q.starts_with("tensorflow.data"))
                || is_dataset(model, assigned, &attribute.value, depth)
        }
        Expr::Name(_) => {
            let mut values = Vec::new();
            collect_assigned(assigned, expr, &mut values);
            !values.is_empty()
                && values
                    .iter()
                    .all(|v| is_dataset(model, assigned, v, depth + 1))
        }
        _ => false,
    }
}

/// The values assigned anywhere in the module to a target spelled like
/// `target` (`it`, `self.it`), in the module's walk order.
fn collect_assigned<'a>(assigned: &Assigned<'a>, target: &Expr, out: &mut Vec<&'a Expr>) {
    if let Some(values) = spelling(target).and_then(|key| assigned.values.get(&key)) {
        out.extend(values.iter().copied());
    }
}

/// The values assigned to each target spelling (`it`, `self.it`) in the
/// module, gathered in one walk: per `next(...)` call, a walk of the module
/// made checking a module of N graph functions quadratic in N.
#[derive(Default)]
struct Assigned<'a> {
    values: FxHashMap<String, Vec<&'a Expr>>,
}

impl<'a> Assigned<'a> {
    fn new(body: &'a [Stmt]) -> Self {
        let mut assigned = Assigned::default();
        assigned.visit_body(body);
        assigned
    }
}

impl<'a> Visitor<'a> for Assigned<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if let Stmt::Assign(assign) = stmt {
            let mut keys: Vec<String> = assign.targets.iter().filter_map(spelling).collect();
            keys.sort_unstable();
            keys.dedup();
            for key in keys {
                self.values.entry(key).or_default().push(&assign.value);
            }
        }
        walk_stmt(self, stmt);
    }
}

/// `it` or `self.it` as written, when the target is a name or attributes
/// of attributes of a name (two targets with one spelling are the same).
fn spelling(target: &Expr) -> Option<String> {
    match target {
        Expr::Name(name) => Some(name.id.to_string()),
        Expr::Attribute(attribute) => {
            let mut key = spelling(&attribute.value)?;
            key.push('.');
            key.push_str(attribute.attr.id.as_str());
            Some(key)
        }
        _ => None,
    }
}

/// The `next(...)` calls of one function's own body.
#[derive(Default)]
struct NextCalls<'a> {
    calls: Vec<&'a ExprCall>,
}

impl<'a> Visitor<'a> for NextCalls<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if !matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
            walk_stmt(self, stmt);
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if matches!(expr, Expr::Lambda(_)) {
            return;
        }
        if let Expr::Call(call) = expr {
            if matches!(call.func.as_ref(), Expr::Name(n) if n.id.as_str() == "next") {
                self.calls.push(call);
            }
        }
        walk_expr(self, expr);
    }
}
