//! HY012 variable-created-per-call: `tf.Variable(...)` built in the body of
//! a graph function raises after the first trace; create it once and
//! re-initialise it with `.assign` where it was created. Also Keras objects
//! (optimizers, layers, models, metrics) built on every call of eager code
//! and passed to a graph function, which each trace it again.

use std::collections::HashSet;

use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
use ruff_python_ast::{Expr, ExprCall, ExprContext, Stmt, StmtFunctionDef};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::analyze::preconditions::{failed_preconditions, Precondition};
use crate::checker::Checker;
use crate::codemod::{Codemod, DependsOn, FixSafety};
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::lines::line_start;
use crate::semantic::kinds::ObjectKind;
use crate::semantic::{FunctionId, SemanticModel};

pub const CODEMOD: Codemod = Codemod {
    code: "HY012",
    name: "variable-created-per-call",
    summary: "Create `tf.Variable`s built inside graph functions once (re-initialised with `.assign`), and Keras objects built per call and passed to them",
    safety: FixSafety::Unsafe,
    doc: include_str!("variable_created_per_call.md"),
    informational: &[],
    // It looks at variables created in code that runs under graph.
    depends_on: &[DependsOn::GraphCode],
    run,
};

fn run(checker: &mut Checker) {
    in_graph_code(checker);
    per_call_objects_passed_to_graphs(checker);
}

/// `tf.Variable(...)` in code that runs under graph.
fn in_graph_code(checker: &mut Checker) {
    let semantic = checker.semantic;
    let underscored = std::cell::OnceCell::new();
    for id in semantic.graph_code() {
        let function = &semantic.functions[id];
        let mut creations = Creations {
            model: semantic,
            statements: Vec::new(),
            found: Vec::new(),
        };
        creations.visit_body(&function.def.body);
        let context = match semantic.graph_caller(id) {
            Some(caller) if caller != id => format!(
                "`{}` (called from graph function `{}`)",
                function.qualified_name, semantic.functions[caller].qualified_name
            ),
            _ => format!("graph function `{}`", function.qualified_name),
        };
        for creation in creations.found {
            // A creation behind `if self.v is None:` already happens once.
            if creation.guarded {
                continue;
            }
            let diagnostic = CODEMOD.diagnostic(format!(
                    "`tf.Variable` created on every call of {context}: `tf.function` allows creating variables only on the first trace, and later calls raise `ValueError`"
                ),
                creation.call.range(),
            )
            .with_function(function.qualified_name.clone());
            match plan(checker, &underscored, id, &creation) {
                Ok((title, fix)) => checker.report(diagnostic.with_fix(title, fix)),
                Err(reason) => {
                    checker.report(diagnostic.with_note(format!("no fix offered: {reason}")))
                }
            }
        }
    }
}

/// One `tf.Variable(...)` call in a graph function's own body.
struct Creation<'a> {
    call: &'a ExprCall,
    /// What the call builds.
    object: ObjectKind,
    /// The statement directly in the function body that contains it.
    top: &'a Stmt,
    /// Whether the call is the whole value of `top`, an assignment to one
    /// name (`v = tf.Variable(...)`) or one attribute of `self`.
    whole_assignment: bool,
    guarded: bool,
}

struct Creations<'m, 'a> {
    model: &'m SemanticModel<'a>,
    statements: Vec<&'a Stmt>,
    found: Vec<Creation<'a>>,
}

impl<'a> Visitor<'a> for Creations<'_, 'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
            return;
        }
        self.statements.push(stmt);
        walk_stmt(self, stmt);
        self.statements.pop();
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if matches!(expr, Expr::Lambda(_)) {
            return;
        }
        if let Expr::Call(call) = expr {
            if self.model.imports.resolve(&call.func).as_deref() == Some("tensorflow.Variable") {
                let innermost = self.statements.last().copied();
                let whole_assignment = self.statements.len() == 1
                    && matches!(innermost, Some(Stmt::Assign(assign))
                        if assign.targets.len() == 1
                            && assign.value.range() == call.range()
                            && matches!(&assign.targets[0], Expr::Name(_) | Expr::Attribute(_)));
                let target = match innermost {
                    Some(Stmt::Assign(assign)) if assign.targets.len() == 1 => {
                        Some(&assign.targets[0])
                    }
                    _ => None,
                };
                let guarded = target.is_some_and(|target| {
                    self.statements.iter().any(|stmt| match stmt {
                        Stmt::If(if_stmt) => mentions(&if_stmt.test, target),
                        _ => false,
                    })
                });
                if let Some(&top) = self.statements.first() {
                    self.found.push(Creation {
                        call,
                        object: ObjectKind::Variable,
                        top,
                        whole_assignment,
                        guarded,
                    });
                }
            }
        }
        walk_expr(self, expr);
    }
}

/// Whether a condition refers to the assignment target: `self.v is None`,
/// `not hasattr(self, "v")`, `v is None`.
fn mentions(test: &Expr, target: &Expr) -> bool {
    let name = match target {
        Expr::Name(n) => n.id.as_str(),
        Expr::Attribute(a) => a.attr.id.as_str(),
        _ => return false,
    };
    struct Finder<'n> {
        name: &'n str,
        found: bool,
    }
    impl<'a> Visitor<'a> for Finder<'_> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            match expr {
                Expr::Name(n) if n.id.as_str() == self.name => self.found = true,
                Expr::Attribute(a) if a.attr.id.as_str() == self.name => self.found = true,
                Expr::StringLiteral(s) if s.value.to_str() == self.name => self.found = true,
                _ => {}
            }
            walk_expr(self, expr);
        }
    }
    let mut finder = Finder { name, found: false };
    finder.visit_expr(test);
    finder.found
}

/// The fix for one creation, or why there is none.
fn plan<'s>(
    checker: &Checker<'s, '_>,
    underscored: &std::cell::OnceCell<Underscored<'s>>,
    id: FunctionId,
    creation: &Creation,
) -> Result<(String, Fix), String> {
    let semantic = checker.semantic;
    let function = &semantic.functions[id];
    let source = checker.source;
    let line_ending = checker.stylist.line_ending().as_str();
    if !creation.whole_assignment {
        return Err(
            "the variable is created inside a loop, a condition or an expression; move its creation out of the graph function by hand"
                .to_string(),
        );
    }
    let Stmt::Assign(assign) = creation.top else {
        return Err("the creation is not an assignment".to_string());
    };
    let indent = indentation(source, creation.top.start())
        .ok_or("the statement shares its line with another one")?;
    let initial_text = match creation.object {
        // A variable keeps what the body meant, a fresh value on every call,
        // by assigning its initial value where it was created.
        ObjectKind::Variable => {
            let initial = creation
                .call
                .arguments
                .find_argument_value("initial_value", 0)
                .ok_or("the variable has no initial value to re-assign")?;
            Some(&source[initial.range()])
        }
        _ => None,
    };
    let call_text = &source[creation.call.range()];
    let noun = match creation.object {
        ObjectKind::Variable => "variable".to_string(),
        other => other.describe().trim_start_matches("a ").to_string(),
    };
    let depends = depends_on_call(function.def, creation.call);
    let target = &assign.targets[0];
    let target_text = &source[target.range()];

    // A function of a class with its own `__init__`: the variable becomes an attribute.
    if let (Some(class), None) = (function.class, function.parent) {
        let init = semantic.classes[class]
            .methods
            .get("__init__")
            .map(|&init| semantic.functions[init].def)
            .ok_or_else(|| {
                format!("the class has no `__init__` of its own to create the {noun} in")
            })?;
        let self_name = function
            .def
            .parameters
            .iter_non_variadic_params()
            .next()
            .map(|p| p.parameter.name.id.to_string())
            .ok_or("the method has no `self` parameter")?;
        let init_self = init
            .parameters
            .iter_non_variadic_params()
            .next()
            .map(|p| p.parameter.name.id.to_string())
            .ok_or("`__init__` has no `self` parameter")?;
        let attribute = match target {
            Expr::Name(name) => fresh_attribute(source, name.id.as_str(), &function.def.name)
                .ok_or_else(|| format!("no unused attribute name was found for the {noun}"))?,
            Expr::Attribute(a)
                if matches!(a.value.as_ref(), Expr::Name(r) if r.id.as_str() == self_name) =>
            {
                let name = a.attr.id.to_string();
                if assigns_attribute(init, &init_self, &name) {
                    return Err(format!("`__init__` already sets `{init_self}.{name}`"));
                }
                name
            }
            _ => return Err("the variable is stored in something other than a local name or an attribute of `self`".to_string()),
        };
        let in_init = format!("{init_self}.{attribute}");
        let in_body = format!("{self_name}.{attribute}");
        let init_indent = init
            .body
            .first()
            .and_then(|stmt| indentation(source, stmt.start()))
            .ok_or("`__init__`'s body is on its `def` line")?;
        if depends && initial_text.is_none() {
            return Err(format!(
                "the {noun} is built from the method's arguments or locals, so creating it once would keep what the first call built it from"
            ));
        }
        let created = if depends {
            "None".to_string()
        } else {
            call_text.to_string()
        };
        let init_edit = append_after(
            source,
            init.body.last().map_or(init.end(), Ranged::end),
            &format!("{init_indent}{in_init} = {created}"),
            line_ending,
        );
        let mut lines = Vec::new();
        if depends {
            let unit = indent_unit(source, function.def)
                .ok_or("the function's indentation could not be read")?;
            lines.push(format!("if {in_body} is None:"));
            lines.push(format!("{unit}{in_body} = {call_text}"));
        }
        if let Some(initial_text) = initial_text {
            lines.push(format!("{in_body}.assign({initial_text})"));
        }
        if target.is_name_expr() {
            lines.push(format!("{target_text} = {in_body}"));
        }
        let body_edit = Edit::range_replacement(
            lines.join(&format!("{line_ending}{indent}")),
            creation.top.range(),
        );
        let title = match (depends, initial_text.is_some()) {
            (true, _) => {
                format!("Create `{in_body}` on the first call only, and re-assign it on every call")
            }
            (false, true) => {
                format!("Create `{in_body}` once in `__init__`, and re-assign it on every call")
            }
            (false, false) => format!("Create `{in_body}` once in `__init__`"),
        };
        let fix = Fix::applicable_edits(init_edit, [body_edit], Applicability::Unsafe);
        return Ok((title, fix));
    }

    // A module-level function: the variable becomes a module global.
    if function.class.is_some() || function.parent.is_some() {
        return Err(format!(
            "the function is nested; move the {noun} out of it by hand"
        ));
    }
    if depends {
        return Err(format!(
            "the {noun} is built from the function's arguments or locals, so it cannot be created at module level"
        ));
    }
    let Expr::Name(local) = target else {
        return Err(format!("the {noun} is not assigned to a local name"));
    };
    let global = format!("_{}_{}", function.def.name.id, local.id);
    if underscored
        .get_or_init(|| Underscored::new(source))
        .contains(&global)
    {
        return Err(format!("the name `{global}` is already in use"));
    }
    let def_start = function
        .def
        .decorator_list
        .first()
        .map_or(function.def.start(), Ranged::start);
    let def_line = above_comments(source, line_start(source, def_start));
    let create = Edit::insertion(
        format!("{global} = {call_text}{line_ending}{line_ending}{line_ending}"),
        def_line,
    );
    let (body, title) = match initial_text {
        Some(initial_text) => (
            format!("{global}.assign({initial_text}){line_ending}{indent}{target_text} = {global}"),
            format!("Create `{global}` once at module level, and re-assign it on every call"),
        ),
        None => (
            format!("{target_text} = {global}"),
            format!("Create `{global}` once at module level"),
        ),
    };
    let body_edit = Edit::range_replacement(body, creation.top.range());
    let fix = Fix::applicable_edits(create, [body_edit], Applicability::Unsafe);
    Ok((title, fix))
}

/// Whether the call reads a parameter or local of the function, or `self`.
fn depends_on_call(def: &StmtFunctionDef, call: &ExprCall) -> bool {
    let mut locals: HashSet<String> = def
        .parameters
        .iter()
        .map(|p| p.name().id.to_string())
        .collect();
    struct Stores<'s>(&'s mut HashSet<String>);
    impl<'a> Visitor<'a> for Stores<'_> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if let Stmt::FunctionDef(def) = stmt {
                self.0.insert(def.name.id.to_string());
                return;
            }
            walk_stmt(self, stmt);
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Name(n) = expr {
                if n.ctx == ExprContext::Store {
                    self.0.insert(n.id.to_string());
                }
            }
            walk_expr(self, expr);
        }
    }
    Stores(&mut locals).visit_body(&def.body);
    struct Reads<'s> {
        locals: &'s HashSet<String>,
        found: bool,
    }
    impl<'a> Visitor<'a> for Reads<'_> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Name(n) = expr {
                if self.locals.contains(n.id.as_str()) {
                    self.found = true;
                }
            }
            walk_expr(self, expr);
        }
    }
    let mut reads = Reads {
        locals: &locals,
        found: false,
    };
    reads.visit_expr(&call.func);
    for arg in call.arguments.args.iter() {
        reads.visit_expr(arg);
    }
    for keyword in call.arguments.keywords.iter() {
        reads.visit_expr(&keyword.value);
    }
    reads.found
}

/// `_<local>`, or `_<function>_<local>` when that is taken: an attribute
/// name that appears nowhere in the module.
fn fresh_attribute(source: &str, local: &str, function: &str) -> Option<String> {
    [format!("_{local}"), format!("_{function}_{local}")]
        .into_iter()
        .find(|candidate| !mentions_word(source, candidate))
}

/// The places of a source where a name starting with `_` may occur, to tell
/// whether the source contains one (`source.contains`) without a scan of
/// the source per name: a scan per variable made a module of N graph
/// functions creating one quadratic in N.
struct Underscored<'s> {
    /// From each `_`, the text up to the next ASCII character that is not
    /// a letter, digit or `_` (no name contains one), sorted.
    from: Vec<&'s str>,
}

impl<'s> Underscored<'s> {
    fn new(source: &'s str) -> Self {
        let mut from: Vec<&str> = source
            .match_indices('_')
            .map(|(at, _)| {
                let rest = &source[at..];
                let end = rest
                    .bytes()
                    .position(|b| b.is_ascii() && !(b.is_ascii_alphanumeric() || b == b'_'))
                    .unwrap_or(rest.len());
                &rest[..end]
            })
            .collect();
        from.sort_unstable();
        from.dedup();
        Underscored { from }
    }

    /// `source.contains(name)`, for a `name` that starts with `_` and has no
    /// ASCII character other than letters, digits and `_`.
    fn contains(&self, name: &str) -> bool {
        debug_assert!(name.starts_with('_'));
        let at = self.from.partition_point(|text| *text < name);
        self.from.get(at).is_some_and(|text| text.starts_with(name))
    }
}

fn mentions_word(source: &str, word: &str) -> bool {
    source.match_indices(word).any(|(at, _)| {
        let before = source[..at].chars().next_back();
        let after = source[at + word.len()..].chars().next();
        let ident = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        !ident(before) && !ident(after)
    })
}

/// Whether `__init__` assigns `self.<name>`.
fn assigns_attribute(init: &StmtFunctionDef, self_name: &str, name: &str) -> bool {
    struct Finder<'n> {
        self_name: &'n str,
        name: &'n str,
        found: bool,
    }
    impl<'a> Visitor<'a> for Finder<'_> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Attribute(a) = expr {
                if a.ctx == ExprContext::Store
                    && a.attr.id.as_str() == self.name
                    && matches!(a.value.as_ref(), Expr::Name(r) if r.id.as_str() == self.self_name)
                {
                    self.found = true;
                }
            }
            walk_expr(self, expr);
        }
    }
    let mut finder = Finder {
        self_name,
        name,
        found: false,
    };
    finder.visit_body(&init.body);
    finder.found
}

/// One level of indentation as this file writes it: what the function's
/// body adds to the indentation of its `def`.
fn indent_unit<'s>(source: &'s str, def: &StmtFunctionDef) -> Option<&'s str> {
    let outer = indentation(source, def.start())?;
    let body = indentation(source, def.body.first()?.start())?;
    body.strip_prefix(outer).filter(|unit| !unit.is_empty())
}

/// The whitespace before `offset` on its line, when only whitespace precedes it.
fn indentation(source: &str, offset: TextSize) -> Option<&str> {
    let start = line_start(source, offset).to_usize();
    let prefix = &source[start..offset.to_usize()];
    prefix
        .chars()
        .all(|c| c == ' ' || c == '\t')
        .then_some(prefix)
}

/// The start of the block of comment lines right above `line` (which
/// starts a line), or `line`: a comment there belongs to what follows it.
fn above_comments(source: &str, line: TextSize) -> TextSize {
    let mut start = line;
    while start > TextSize::default() {
        // The line ending of the line above, `\r\n` as one.
        let mut back = start.to_usize() - 1;
        if back > 0 && source[..=back].ends_with("\r\n") {
            back -= 1;
        }
        let previous = line_start(source, TextSize::try_from(back).unwrap_or_default());
        let text = &source[previous.to_usize()..start.to_usize()];
        if !text.trim_start().starts_with('#') {
            break;
        }
        start = previous;
    }
    start
}

/// An edit inserting `line` as a new line after the line that contains
/// `offset` (after any comment on it).
fn append_after(source: &str, offset: TextSize, line: &str, line_ending: &str) -> Edit {
    let rest = &source[offset.to_usize()..];
    match rest.find(['\n', '\r']) {
        Some(i) => {
            let mut end = offset.to_usize() + i;
            end += if source[end..].starts_with("\r\n") {
                2
            } else {
                1
            };
            let at = TextSize::try_from(end).unwrap_or_default();
            Edit::insertion(format!("{line}{line_ending}"), at)
        }
        None => Edit::insertion(
            format!("{line_ending}{line}"),
            TextSize::try_from(source.len()).unwrap_or_default(),
        ),
    }
}

/// Keras objects (an optimizer, a layer or model, a metric) built on every
/// call of an eager function and passed to a graph function. A graph
/// function keys its traces on the identity of a Python object argument,
/// so each new object traces it again; an object that creates variables
/// while traced (an optimizer's slots, a layer's weights) makes the second
/// call raise, since `tf.function` creates variables only on its first
/// trace. A `tf.Variable` argument is traced by its shape and dtype (TF
/// 2.21: a new one per call neither retraces nor raises), so it is left
/// alone.
fn per_call_objects_passed_to_graphs(checker: &mut Checker) {
    let semantic = checker.semantic;
    let underscored = std::cell::OnceCell::new();
    for (id, function) in semantic.functions.iter().enumerate() {
        if semantic.runs_under_graph(id) || function.def.is_async {
            continue;
        }
        // Graph functions this one calls, by the call's range.
        let graph_calls: Vec<(TextRange, FunctionId)> = function
            .calls
            .iter()
            .filter_map(|site| {
                let callee = site.callee?;
                semantic.functions[callee]
                    .graph
                    .is_some()
                    .then_some((site.range, callee))
            })
            .collect();
        if graph_calls.is_empty() {
            continue;
        }
        // Only a function called more than once builds its objects more
        // than once: one called in a loop, or from two places. A `main()`
        // called once is left as it is.
        let mut sites = semantic.calls_of(id);
        let first = sites.next();
        let repeated = first.is_some_and(|first| first.in_loop || sites.next().is_some());
        if !repeated {
            continue;
        }
        for stmt in &function.def.body {
            let Stmt::Assign(assign) = stmt else { continue };
            let [Expr::Name(local)] = &assign.targets[..] else {
                continue;
            };
            let Expr::Call(call) = assign.value.as_ref() else {
                continue;
            };
            let Some(qualified) = semantic.imports.resolve(&call.func) else {
                continue;
            };
            let Some(object) = ObjectKind::built_by(&qualified).filter(|object| {
                matches!(
                    object,
                    ObjectKind::Optimizer
                        | ObjectKind::Layer
                        | ObjectKind::Model
                        | ObjectKind::Metric
                )
            }) else {
                continue;
            };
            let name = local.id.as_str();
            let Some((graph, line)) = passed_to_graph(checker, function.def, name, &graph_calls)
            else {
                continue;
            };
            let graph = &semantic.functions[graph].qualified_name;
            let (slotless, stateless) = if object == ObjectKind::Optimizer {
                plain_sgd(&qualified, call)
            } else {
                (false, false)
            };
            let consequence = match object {
                ObjectKind::Optimizer if slotless => format!(
                    "each new optimizer traces `{graph}` again"
                ),
                ObjectKind::Optimizer => format!(
                    "each new optimizer traces `{graph}` again, and an optimizer with slot variables (momentum, Adam's moments) creates them in that trace, which `tf.function` allows only on its first: the second call raises `ValueError`"
                ),
                ObjectKind::Metric => format!(
                    "each new metric traces `{graph}` again"
                ),
                _ => format!(
                    "each new object traces `{graph}` again, and one that builds its weights in that trace makes the second call raise `ValueError` (`tf.function` creates variables only on its first trace)"
                ),
            };
            let diagnostic = CODEMOD
                .diagnostic(
                    format!(
                        "`{name}` ({}) is built on every call of eager `{}` and passed to graph function `{graph}` at line {line}: {consequence}",
                        object.describe(),
                        function.qualified_name,
                    ),
                    call.range(),
                )
                .with_function(function.qualified_name.clone());
            let creation = Creation {
                call,
                object,
                top: stmt,
                whole_assignment: true,
                guarded: false,
            };
            let plan = match object {
                // A metric built anew starts its totals over: built once, it
                // would need `reset_state()` where it was built.
                ObjectKind::Metric => Err(
                    "a new metric starts its totals over on every call; to keep that, create it once and call `reset_state()` where it is built now (by hand)"
                        .to_string(),
                ),
                _ => defined_after(checker, function, call)
                    .map_or(Ok(()), |late| {
                        Err(format!(
                            "it reads `{late}`, which is bound only after `{}` is defined",
                            function.def.name.id
                        ))
                    })
                    .and_then(|()| plan(checker, &underscored, id, &creation))
                    .and_then(|fix| stays_eager(checker, id).map(|()| fix)),
            };
            match plan {
                Ok((title, fix)) => {
                    let tracked = if function.class.is_some_and(|class| {
                        semantic.classes[class].bases.iter().any(|base| {
                            base.starts_with("tensorflow.") || base.starts_with("keras.")
                        })
                    }) {
                        "; also, set in `__init__`, it is tracked by the instance (in its `variables` and checkpoints)"
                    } else {
                        ""
                    };
                    let note = match object {
                        ObjectKind::Optimizer if stateless => format!(
                            "unsafe fix: one optimizer for every call; plain SGD with a constant learning rate keeps no state that changes its updates, so it trains the same numbers, but its `iterations` count now runs on across calls{tracked}"
                        ),
                        ObjectKind::Optimizer => format!(
                            "unsafe fix: one optimizer for every call keeps its state (iteration count, slot variables such as momentum or Adam's moments, a learning-rate schedule's step) across calls, where the code asks for a new one on each: the trained numbers change. As written, an optimizer with slot variables raises on the second call, and keeping its state is usually what was meant: check it{tracked}"
                        ),
                        _ => format!(
                            "unsafe fix: one object for every call keeps its weights across calls, where the code asks for new (freshly initialised) ones on each: what it computes changes unless shared weights are what was meant (as written, a layer that builds its weights in the graph function raises on the second call){tracked}"
                        ),
                    };
                    checker.report(diagnostic.with_fix(title, fix).with_note(note));
                }
                Err(reason) => {
                    checker.report(diagnostic.with_note(format!("no fix offered: {reason}")))
                }
            }
        }
    }
}

/// Why eager function `id` can take the fix: something besides the
/// objects it builds keeps it from running as a graph function. When they
/// are all that does, HY001 would decorate it once they are out, on a
/// second `fix` run only (its own fix cannot include this one), and `fix`
/// must reach a fixed point in one run.
fn stays_eager(checker: &Checker, id: FunctionId) -> Result<(), String> {
    let failed = failed_preconditions(checker.source, checker.semantic, id);
    if failed
        .iter()
        .all(|(precondition, _)| *precondition == Precondition::VariableCreatedPerCall)
    {
        let name = &checker.semantic.functions[id].qualified_name;
        return Err(format!(
            "building it is all that keeps `{name}` eager: created once, `{name}` could itself run as a graph function (HY001 add-tf-function), which a second `fix` run would propose; create it once by hand and run `hybridize fix` again"
        ));
    }
    Ok(())
}

/// Whether `call` builds a plain SGD optimizer: no momentum, averaging or
/// gradient accumulation, so no slot variables; and whether its learning
/// rate is also a number, so that its updates depend on nothing it keeps
/// between calls (a schedule would depend on its iteration count).
fn plain_sgd(qualified: &str, call: &ExprCall) -> (bool, bool) {
    let number = |expr: &Expr| matches!(expr, Expr::NumberLiteral(_));
    let zero = |expr: &Expr| {
        matches!(expr, Expr::NumberLiteral(n) if match &n.value {
            ruff_python_ast::Number::Int(i) => i.as_u8() == Some(0),
            ruff_python_ast::Number::Float(f) => *f == 0.0,
            ruff_python_ast::Number::Complex { .. } => false,
        })
    };
    let off = |expr: &Expr| {
        matches!(expr, Expr::BooleanLiteral(b) if !b.value) || expr.is_none_literal_expr()
    };
    if qualified.rsplit('.').next() != Some("SGD") || call.arguments.args.len() > 1 {
        return (false, false);
    }
    let mut constant_rate = call.arguments.args.iter().all(number);
    let slotless = call.arguments.keywords.iter().all(|keyword| {
        let value = &keyword.value;
        match keyword.arg.as_ref().map(|arg| arg.id.as_str()) {
            Some("learning_rate" | "lr") => {
                constant_rate &= number(value);
                true
            }
            Some("momentum") => zero(value),
            Some("nesterov" | "use_ema") => off(value),
            Some("gradient_accumulation_steps") => value.is_none_literal_expr(),
            Some(
                "weight_decay"
                | "clipnorm"
                | "clipvalue"
                | "global_clipnorm"
                | "name"
                | "ema_momentum"
                | "ema_overwrite_frequency"
                | "loss_scale_factor",
            ) => true,
            _ => false,
        }
    });
    (slotless, slotless && constant_rate)
}

/// A name `call` reads that the module binds only after `def` (moved
/// before `def`, the call would raise `NameError` at import).
fn defined_after(
    checker: &Checker,
    function: &crate::semantic::Function,
    call: &ExprCall,
) -> Option<String> {
    // A method's object is created in `__init__`, which runs later.
    if function.class.is_some() {
        return None;
    }
    let def = function.def;
    struct Names<'a>(Vec<&'a str>);
    impl<'a> Visitor<'a> for Names<'a> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Name(n) = expr {
                self.0.push(n.id.as_str());
            }
            walk_expr(self, expr);
        }
    }
    let mut names = Names(Vec::new());
    names.visit_expr(&call.func);
    for arg in call.arguments.args.iter() {
        names.visit_expr(arg);
    }
    for keyword in call.arguments.keywords.iter() {
        names.visit_expr(&keyword.value);
    }
    let module = checker.semantic.module_body();
    let binds = |stmt: &Stmt, name: &str| match stmt {
        Stmt::Assign(assign) => assign
            .targets
            .iter()
            .any(|t| matches!(t, Expr::Name(n) if n.id.as_str() == name)),
        Stmt::AnnAssign(assign) => {
            matches!(assign.target.as_ref(), Expr::Name(n) if n.id.as_str() == name)
        }
        Stmt::FunctionDef(f) => f.name.id.as_str() == name,
        Stmt::ClassDef(c) => c.name.id.as_str() == name,
        Stmt::Import(import) => import.names.iter().any(|alias| {
            alias.asname.as_ref().map_or_else(
                || alias.name.id.split('.').next() == Some(name),
                |asname| asname.id.as_str() == name,
            )
        }),
        Stmt::ImportFrom(import) => import
            .names
            .iter()
            .any(|alias| alias.asname.as_ref().unwrap_or(&alias.name).id.as_str() == name),
        _ => false,
    };
    names.0.into_iter().find_map(|name| {
        let before = module
            .iter()
            .take_while(|stmt| stmt.start() < def.start())
            .any(|stmt| binds(stmt, name));
        let after = module
            .iter()
            .skip_while(|stmt| stmt.start() < def.start())
            .any(|stmt| binds(stmt, name));
        (!before && after).then(|| name.to_string())
    })
}

/// The first graph function of `graph_calls` that a call in `def` passes
/// the local `name` to, and the line of that call.
fn passed_to_graph(
    checker: &Checker,
    def: &StmtFunctionDef,
    name: &str,
    graph_calls: &[(TextRange, FunctionId)],
) -> Option<(FunctionId, usize)> {
    struct Calls<'a> {
        found: Vec<&'a ExprCall>,
    }
    impl<'a> Visitor<'a> for Calls<'a> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if !matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
                walk_stmt(self, stmt);
            }
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Call(call) = expr {
                self.found.push(call);
            }
            walk_expr(self, expr);
        }
    }
    let mut calls = Calls { found: Vec::new() };
    calls.visit_body(&def.body);
    calls.found.into_iter().find_map(|call| {
        let &(_, graph) = graph_calls
            .iter()
            .find(|(range, _)| *range == call.range())?;
        let passes = call
            .arguments
            .args
            .iter()
            .chain(call.arguments.keywords.iter().map(|k| &k.value))
            .any(|arg| matches!(arg, Expr::Name(n) if n.id.as_str() == name));
        passes.then(|| (graph, checker.line_number(call.start())))
    })
}
