//! HY002 hoist-tf-function: a `tf.function` created inside a function body
//! or a loop is a new `Function` (with an empty trace cache) every time that
//! code runs. Move the graph boundary out to the enclosing function, lift the
//! nested function to module level, or wrap the function once.

use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
use ruff_python_ast::{Expr, ExprCall, Stmt, StmtFunctionDef};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::checker::Checker;
use crate::codemods::Codemod;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::semantic::preconditions::failed_preconditions;
use crate::semantic::scopes::FunctionNames;
use crate::semantic::{FunctionId, GraphOrigin, SemanticModel};

pub const CODEMOD: Codemod = Codemod {
    code: "HY002",
    name: "hoist-tf-function",
    summary: "Create each `tf.function` once, not on every call or loop iteration",
    safety: "unsafe",
    doc: include_str!("hoist_tf_function.md"),
    also_reports: &[],
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
    };
    wrappers.visit_body(checker.module.body.as_slice());
    let mut done: Vec<FunctionId> = Vec::new();
    for wrapper in wrappers.found {
        wrapper_call(checker, &wrapper, &mut done);
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
    let diagnostic = Diagnostic::new(CODEMOD.code, CODEMOD.name, message, inner.def.name.range())
        .with_function(inner.qualified_name.clone());
    let outer_names = FunctionNames::of(outer.def);
    // The fixes rewrite every use of the nested function: each must be a call.
    if let Some(why) = not_only_called(checker.source, &outer_names, name) {
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
    let lift = if lifted.iter().any(|n| n == name) {
        Err(format!("another `{name}` is lifted first"))
    } else {
        lift_to_module(checker, id, parent, &outer_names)
    };
    match lift {
        Ok((fix, params)) => {
            lifted.push(name.to_string());
            let passing = if params.is_empty() {
                String::new()
            } else {
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
            };
            let note = format!(
                "the decoration cannot move to `{}` ({why_not_outer}); lifting `{name}` to module level creates it once{passing}",
                outer.qualified_name
            );
            checker.report(
                diagnostic
                    .with_note(note)
                    .with_fix(format!("Lift `{name}` to module level"), fix),
            );
        }
        Err(why) => checker.report(diagnostic.with_note(format!(
            "no fix offered: the decoration cannot move to `{}` ({why_not_outer}), and `{name}` cannot be lifted: {why}",
            outer.qualified_name
        ))),
    }
}

/// Why the uses of `name` in the enclosing function are not all plain
/// calls in its own body, if they are not.
fn not_only_called(source: &str, outer: &FunctionNames, name: &str) -> Option<String> {
    for use_ in outer.uses.iter().filter(|u| u.name == name) {
        let line = line_number(source, use_.offset);
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

/// Lifts the nested function (with its decorator) to module level, before
/// the top-level statement that contains the enclosing function; its free
/// variables from the enclosing function become trailing parameters, passed
/// at every call. Returns the fix and the new parameters.
fn lift_to_module(
    checker: &Checker,
    id: FunctionId,
    parent: FunctionId,
    outer_names: &FunctionNames,
) -> Result<(Fix, Vec<String>), String> {
    let semantic = checker.semantic;
    let source = checker.source;
    let inner = semantic.functions[id].def;
    let outer = semantic.functions[parent].def;
    let name = inner.name.id.as_str();
    if semantic.functions[parent].parent.is_some() {
        return Err(format!(
            "`{}` is nested more than one level deep",
            semantic.functions[id].qualified_name
        ));
    }
    // Only a definition directly in the body runs exactly once per call.
    if !outer.body.iter().any(|stmt| stmt.range() == inner.range()) {
        let loop_var = outer_names
            .bindings
            .iter()
            .find(|b| b.loop_target && FunctionNames::of(inner).free_names().contains(&b.name));
        return Err(match loop_var {
            Some(binding) => format!(
                "it closes over the loop variable `{}`, whose value differs per iteration",
                binding.name
            ),
            None => "it is defined inside a loop, `if` or `with` block".to_string(),
        });
    }
    if FunctionNames::of_module(semantic.module_body()).binds(name) {
        return Err(format!("the module already binds the name `{name}`"));
    }
    let inner_names = FunctionNames::of(inner);
    if inner_names.declares_scope {
        return Err("it declares `global` or `nonlocal` names".to_string());
    }
    let free = inner_names.free_names();
    if free.contains("super") || free.contains("__class__") {
        return Err("it calls `super()`, which needs its class".to_string());
    }
    let captured: Vec<String> = free
        .iter()
        .filter(|name| outer_names.binds(name))
        .cloned()
        .collect();
    if let Some(shadow) = captured
        .iter()
        .find(|name| inner_names.nested_bindings.contains(name.as_str()))
    {
        return Err(format!(
            "`{shadow}` is both captured and bound in a nested scope"
        ));
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
            return Err(format!(
                "`{captured_name}` {what} (line {}), so passing its value would not mean the same",
                line_number(source, binding.offset)
            ));
        }
    }
    // A graph function receives container arguments as copies of their
    // structure: mutating a captured list or dict (or setting attributes on
    // a captured object) would no longer reach the caller's object.
    if let Some((name, line)) = mutated_capture(source, inner, &captured) {
        return Err(format!(
            "it mutates the captured `{name}` (line {line}), which as a parameter of a graph function would be a copy"
        ));
    }
    let parameters = &inner.parameters;
    if !captured.is_empty()
        && (parameters.vararg.is_some()
            || parameters.kwarg.is_some()
            || !parameters.kwonlyargs.is_empty()
            || parameters
                .iter_non_variadic_params()
                .any(|p| p.default.is_some()))
    {
        return Err("its parameters have defaults or are variadic".to_string());
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
        return Err("it contains a multi-line string, which re-indenting would change".to_string());
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
            return Err("its lines are not all indented like its definition".to_string());
        }
    }
    // The new parameters go after the existing ones; calls pass them last.
    let mut edits = Vec::new();
    if !captured.is_empty() {
        let joined = captured.join(", ");
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
        // The parameter list moves with the block: patch the lifted text.
        let offset = (params_end - start).to_usize();
        let dedented_offset = dedented_position(block, indent, offset);
        lifted.insert_str(dedented_offset, &insert);
        for use_ in outer_names.uses.iter().filter(|u| u.name == name) {
            let call = use_.called.expect("checked: every use is a call");
            edits.push(append_arguments(source, call, &joined));
        }
    }
    let top = semantic
        .module_body()
        .iter()
        .find(|stmt| stmt.range().contains(outer.start()))
        .ok_or("its enclosing function is not at module level")?;
    let insert_at = before_leading_comments(source, line_start(source, top.start()));
    let block_end = if lifted.ends_with('\n') {
        String::new()
    } else {
        line_ending.to_string()
    };
    let insertion = Edit::insertion(
        format!("{lifted}{block_end}{line_ending}{line_ending}"),
        insert_at,
    );
    edits.push(Edit::deletion(start, removal_end));
    Ok((Fix::unsafe_edits(insertion, edits), captured))
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

/// Appends `arguments` to a call's argument list.
fn append_arguments(source: &str, call: &ExprCall, arguments: &str) -> Edit {
    let close = call.arguments.end() - TextSize::from(1);
    let inside = &source[TextRange::new(call.arguments.start() + TextSize::from(1), close)];
    let content = if inside.trim().is_empty() {
        arguments.to_string()
    } else if inside.trim_end().ends_with(',') {
        format!(" {arguments}")
    } else {
        format!(", {arguments}")
    };
    Edit::insertion(content, close)
}

/// A `tf.function(...)` call in a function body or a loop.
struct Wrapper<'a> {
    call: &'a ExprCall,
    in_loop: bool,
    /// The statement `name = tf.function(f)` directly in a loop body, and
    /// that loop: the assignment can move before the loop.
    assignment: Option<(&'a Stmt, &'a Stmt)>,
}

fn wrapper_call(checker: &mut Checker, wrapper: &Wrapper, done: &mut Vec<FunctionId>) {
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
    let diagnostic = Diagnostic::new(CODEMOD.code, CODEMOD.name, message, call.range());
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
    let Some(id) = semantic
        .functions
        .iter()
        .position(|f| f.parent.is_none() && f.class.is_none() && f.def.name.id.as_str() == name)
    else {
        checker.report(diagnostic.with_note(format!(
            "no fix offered: `{name}` is not a module-level function of this module"
        )));
        return;
    };
    if done.contains(&id) {
        return;
    }
    let diagnostic = diagnostic.with_function(semantic.functions[id].qualified_name.clone());
    // Every `tf.function(name)` in the module, with exactly these arguments.
    let mut all = SameWrappers {
        imports: &semantic.imports,
        name,
        calls: Vec::new(),
        others: 0,
    };
    all.visit_body(checker.module.body.as_slice());
    let decorated = matches!(
        semantic.functions[id].graph,
        Some(GraphOrigin::Decorator(_))
    );
    let refusals = failed_preconditions(checker.source, semantic, id);
    // One decorator can stand for the wrappers only when none has arguments.
    if all.others == 0 && (decorated || refusals.is_empty()) {
        let source = checker.source;
        let mut edits: Vec<Edit> = all
            .calls
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
        done.push(id);
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
}

impl<'a> Visitor<'a> for WrapperCalls<'a, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(def) => {
                // A decorator runs once per definition: HY002 handles nested ones above.
                let saved = (self.loop_depth, self.in_init);
                self.function_depth += 1;
                self.loop_depth = 0;
                self.in_init = def.name.id.as_str() == "__init__";
                self.visit_body(&def.body);
                self.function_depth -= 1;
                (self.loop_depth, self.in_init) = saved;
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
                });
            }
        }
        walk_expr(self, expr);
    }
}

/// Every `tf.function(name)` call in the module; `others` counts those with
/// more arguments (which a single decorator could not stand for).
struct SameWrappers<'a, 'm> {
    imports: &'m crate::names::ImportMap,
    name: &'m str,
    calls: Vec<&'a ExprCall>,
    others: usize,
}

impl<'a> Visitor<'a> for SameWrappers<'a, '_> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(call) = expr {
            if self.imports.is_tf_function(&call.func)
                && matches!(call.arguments.args.first(), Some(Expr::Name(n)) if n.id.as_str() == self.name)
            {
                if call.arguments.len() == 1 {
                    self.calls.push(call);
                } else {
                    self.others += 1;
                }
            }
        }
        walk_expr(self, expr);
    }
}

/// The first captured name that `inner` mutates in place (item or
/// attribute assignment, or a mutating method call), with its line.
fn mutated_capture(
    source: &str,
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
                    if matches!(
                        method.attr.id.as_str(),
                        "append"
                            | "extend"
                            | "insert"
                            | "pop"
                            | "remove"
                            | "clear"
                            | "update"
                            | "setdefault"
                            | "add"
                            | "discard"
                            | "popitem"
                            | "sort"
                            | "reverse"
                    ) {
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
        .map(|(name, at)| (name, line_number(source, at)))
}

fn line_number(source: &str, offset: TextSize) -> usize {
    source[..offset.to_usize()].matches('\n').count() + 1
}

fn line_start(source: &str, offset: TextSize) -> TextSize {
    let before = &source[..offset.to_usize()];
    let start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
    TextSize::try_from(start).unwrap_or_default()
}

/// The start of the line after the one containing `offset` (or the end of
/// the text).
fn next_line_start(source: &str, offset: TextSize) -> TextSize {
    let rest = &source[offset.to_usize()..];
    let end = rest
        .find('\n')
        .map_or(source.len(), |i| offset.to_usize() + i + 1);
    TextSize::try_from(end).unwrap_or_default()
}

fn indentation(source: &str, line_start: TextSize) -> &str {
    let line = &source[line_start.to_usize()..];
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}

/// Moves a line start up over the comment lines directly above it.
fn before_leading_comments(source: &str, mut at: TextSize) -> TextSize {
    while at > TextSize::from(0) {
        let previous = line_start(source, at - TextSize::from(1));
        let line = &source[previous.to_usize()..at.to_usize()];
        if !line.starts_with('#') {
            break;
        }
        at = previous;
    }
    at
}
