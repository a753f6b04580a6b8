//! HY012 variable-created-per-call: `tf.Variable(...)` built in the body of
//! a graph function raises after the first trace; create it once and
//! re-initialise it with `.assign` where it was created.

use std::collections::HashSet;

use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
use ruff_python_ast::{Expr, ExprCall, ExprContext, Stmt, StmtFunctionDef};
use ruff_text_size::{Ranged, TextSize};

use crate::checker::Checker;
use crate::codemod::{Codemod, DependsOn, FixSafety};
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::semantic::kinds::ObjectKind;
use crate::semantic::{FunctionId, SemanticModel};

pub const CODEMOD: Codemod = Codemod {
    code: "HY012",
    name: "variable-created-per-call",
    summary: "Create `tf.Variable`s built inside graph functions once, and re-initialise them with `.assign`",
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
            match plan(checker, id, &creation) {
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
fn plan(checker: &Checker, id: FunctionId, creation: &Creation) -> Result<(String, Fix), String> {
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
            .ok_or("the class has no `__init__` of its own to create the variable in")?;
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
                .ok_or("no unused attribute name was found for the variable")?,
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
                "the {noun} is built from the method's arguments or locals, so creating it once would keep the first call's"
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
        return Err("the function is nested; move the variable out of it by hand".to_string());
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
    if source.contains(&global) {
        return Err(format!("the name `{global}` is already in use"));
    }
    let def_start = function
        .def
        .decorator_list
        .first()
        .map_or(function.def.start(), Ranged::start);
    let def_line = line_start(source, def_start);
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

fn line_start(source: &str, offset: TextSize) -> TextSize {
    let start = source[..offset.to_usize()]
        .rfind(['\n', '\r'])
        .map_or(0, |i| i + 1);
    TextSize::try_from(start).unwrap_or_default()
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

/// Objects that own variables (a `tf.Variable`, a Keras optimizer, layer,
/// model or metric) built on every call of an eager function and passed to
/// a graph function: each new object is a new trace of the graph function,
/// and whatever state the object keeps starts over on every call.
fn per_call_objects_passed_to_graphs(checker: &mut Checker) {
    let semantic = checker.semantic;
    for (id, function) in semantic.functions.iter().enumerate() {
        if semantic.runs_under_graph(id) || function.def.is_async {
            continue;
        }
        // Graph functions this one calls, by the call's range.
        let graph_calls: Vec<(ruff_text_size::TextRange, FunctionId)> = function
            .calls
            .iter()
            .filter_map(|site| {
                let callee = site.callee?;
                semantic.functions[callee].graph.is_some().then_some((site.range, callee))
            })
            .collect();
        if graph_calls.is_empty() {
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
            let Some(object) = semantic
                .imports
                .resolve(&call.func)
                .and_then(|qualified| ObjectKind::built_by(&qualified))
                .filter(|object| object.owns_variables())
            else {
                continue;
            };
            let Some((graph, line)) = passed_to_graph(checker, function.def, local.id.as_str(), &graph_calls)
            else {
                continue;
            };
            let name = local.id.as_str();
            let what = object.describe();
            let diagnostic = CODEMOD
                .diagnostic(
                    format!(
                        "`{name}` ({what}) is built on every call of eager `{}` and passed to graph function `{}` at line {line}: each new object traces it again, and the object's state starts over on every call",
                        function.qualified_name, semantic.functions[graph].qualified_name
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
                ObjectKind::Variable | ObjectKind::Optimizer => plan(checker, id, &creation),
                // A layer, model or metric built anew has new weights or
                // totals: building it once changes what the program computes.
                _ => Err(format!(
                    "a new {} on every call starts from new weights or totals; building it once would keep them, so decide which is meant and move it by hand",
                    what.trim_start_matches("a ")
                )),
            };
            match plan {
                Ok((title, fix)) => {
                    let note = match object {
                        ObjectKind::Optimizer => "unsafe fix: one optimizer for every call keeps its state across calls (its iteration count, momentum, Adam moments), where a new one started over: the same only for an optimizer without state, such as plain SGD",
                        _ => "unsafe fix: the variable is one object for every call, re-assigned its initial value on each",
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

/// The first graph function of `graph_calls` that a call in `def` passes
/// the local `name` to, and the line of that call.
fn passed_to_graph(
    checker: &Checker,
    def: &StmtFunctionDef,
    name: &str,
    graph_calls: &[(ruff_text_size::TextRange, FunctionId)],
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
        let &(_, graph) = graph_calls.iter().find(|(range, _)| *range == call.range())?;
        let passes = call
            .arguments
            .args
            .iter()
            .chain(call.arguments.keywords.iter().map(|k| &k.value))
            .any(|arg| matches!(arg, Expr::Name(n) if n.id.as_str() == name));
        passes.then(|| (graph, checker.line_number(call.start())))
    })
}
