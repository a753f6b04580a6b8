//! The names a run of statements reads before binding them (what a
//! function made of the run takes as parameters) and the names it binds,
//! in order of first appearance.

use ruff_python_ast::visitor::{walk_expr, Visitor};
use ruff_python_ast::{Expr, ExprContext, Stmt};
use ruff_text_size::{Ranged, TextSize};

/// The names statements read and bind, as Python runs them in order.
#[derive(Debug, Default)]
pub struct Flow {
    /// Names read before the statements bind them (the first read of each).
    pub free: Vec<(String, TextSize)>,
    /// Names the statements bind, in order.
    pub bound: Vec<String>,
    /// Every read of a name (nested scopes' own names excluded).
    pub reads: Vec<(String, TextSize)>,
    /// Attributes read: the attribute's name and where.
    pub attributes: Vec<(String, TextSize)>,
    /// Names bound in nested scopes (comprehensions, lambdas), in a stack.
    scopes: Vec<Vec<String>>,
}

impl Flow {
    /// The flow of `statements`, run one after another.
    pub fn of<'a>(statements: impl IntoIterator<Item = &'a Stmt>) -> Self {
        let mut flow = Flow::default();
        for stmt in statements {
            flow.statement(stmt);
        }
        flow
    }

    /// Binds the names of an assignment target (a loop's).
    pub fn bind_target(&mut self, target: &Expr) {
        self.target(target);
    }

    /// Whether the statements bind `name`.
    pub fn binds(&self, name: &str) -> bool {
        self.bound.iter().any(|b| b == name)
    }

    fn statement(&mut self, stmt: &Stmt) {
        match stmt {
            Stmt::Assign(assign) => {
                self.visit_expr(&assign.value);
                for target in &assign.targets {
                    self.target(target);
                }
            }
            Stmt::AnnAssign(assign) => {
                if let Some(value) = &assign.value {
                    self.visit_expr(value);
                }
                self.target(&assign.target);
            }
            Stmt::AugAssign(assign) => {
                self.visit_expr(&assign.value);
                if let Expr::Name(name) = assign.target.as_ref() {
                    self.read(name.id.as_str(), name.start());
                }
                self.target(&assign.target);
            }
            Stmt::Expr(expr) => self.visit_expr(&expr.value),
            Stmt::With(with) => {
                for item in &with.items {
                    self.visit_expr(&item.context_expr);
                    if let Some(vars) = &item.optional_vars {
                        self.target(vars);
                    }
                }
                for stmt in &with.body {
                    self.statement(stmt);
                }
            }
            // The extracted statements are simple ones and `with` blocks;
            // anything else is read conservatively, as reads only.
            other => {
                let mut all = AllExprs(Vec::new());
                ruff_python_ast::visitor::walk_stmt(&mut all, other);
                for expr in all.0 {
                    self.visit_expr(expr);
                }
            }
        }
    }

    /// An assignment target: names bound, and the expressions inside
    /// subscripts and attribute receivers read.
    fn target(&mut self, target: &Expr) {
        match target {
            Expr::Name(name) => self.bind(name.id.as_str()),
            Expr::Tuple(tuple) => tuple.elts.iter().for_each(|e| self.target(e)),
            Expr::List(list) => list.elts.iter().for_each(|e| self.target(e)),
            Expr::Starred(starred) => self.target(&starred.value),
            Expr::Attribute(attribute) => self.visit_expr(&attribute.value),
            Expr::Subscript(subscript) => {
                self.visit_expr(&subscript.value);
                self.visit_expr(&subscript.slice);
            }
            other => self.visit_expr(other),
        }
    }

    fn bind(&mut self, name: &str) {
        if let Some(scope) = self.scopes.last_mut() {
            scope.push(name.to_string());
        } else if !self.binds(name) {
            self.bound.push(name.to_string());
        }
    }

    fn read(&mut self, name: &str, offset: TextSize) {
        if self
            .scopes
            .iter()
            .any(|scope| scope.iter().any(|n| n == name))
        {
            return;
        }
        self.reads.push((name.to_string(), offset));
        if !self.binds(name) && !self.free.iter().any(|(f, _)| f == name) {
            self.free.push((name.to_string(), offset));
        }
    }
}

/// The expressions directly in a statement (for statements read as reads
/// only).
struct AllExprs<'a>(Vec<&'a Expr>);

impl<'a> Visitor<'a> for AllExprs<'a> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        self.0.push(expr);
    }
}

impl<'a> Visitor<'a> for Flow {
    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Name(name) => match name.ctx {
                ExprContext::Load => self.read(name.id.as_str(), name.start()),
                _ => self.bind(name.id.as_str()),
            },
            Expr::Attribute(attribute) => {
                if matches!(attribute.ctx, ExprContext::Load) {
                    self.attributes
                        .push((attribute.attr.id.to_string(), attribute.start()));
                }
                self.visit_expr(&attribute.value);
            }
            Expr::Named(named) => {
                self.visit_expr(&named.value);
                self.target(&named.target);
            }
            Expr::Lambda(lambda) => {
                let mut scope = Vec::new();
                if let Some(parameters) = &lambda.parameters {
                    for parameter in parameters.iter() {
                        if let Some(default) = parameter.default() {
                            self.visit_expr(default);
                        }
                        scope.push(parameter.name().id.to_string());
                    }
                }
                self.scopes.push(scope);
                self.visit_expr(&lambda.body);
                self.scopes.pop();
            }
            Expr::ListComp(_) | Expr::SetComp(_) | Expr::DictComp(_) | Expr::Generator(_) => {
                let generators = match expr {
                    Expr::ListComp(c) => &c.generators,
                    Expr::SetComp(c) => &c.generators,
                    Expr::DictComp(c) => &c.generators,
                    Expr::Generator(c) => &c.generators,
                    _ => unreachable!("matched above"),
                };
                // The first iterable is evaluated in the enclosing scope.
                if let Some(first) = generators.first() {
                    self.visit_expr(&first.iter);
                }
                self.scopes.push(Vec::new());
                for (index, generator) in generators.iter().enumerate() {
                    if index > 0 {
                        self.visit_expr(&generator.iter);
                    }
                    self.target(&generator.target);
                    for condition in &generator.ifs {
                        self.visit_expr(condition);
                    }
                }
                match expr {
                    Expr::ListComp(c) => self.visit_expr(&c.elt),
                    Expr::SetComp(c) => self.visit_expr(&c.elt),
                    Expr::Generator(c) => self.visit_expr(&c.elt),
                    Expr::DictComp(c) => {
                        if let Some(key) = &c.key {
                            self.visit_expr(key);
                        }
                        self.visit_expr(&c.value);
                    }
                    _ => {}
                }
                self.scopes.pop();
            }
            _ => walk_expr(self, expr),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flow(source: &str) -> Flow {
        let parsed = ruff_python_parser::parse_module(source).unwrap();
        Flow::of(parsed.syntax().body.iter())
    }

    #[test]
    fn names_read_before_they_are_bound_are_free() {
        let flow = flow(
            "with tf.GradientTape() as tape:\n    logits = model(x)\n    loss = f(y, logits)\ngrads = tape.gradient(loss, w)\nh = cell(x, h)\n",
        );
        let free: Vec<&str> = flow.free.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(free, ["tf", "model", "x", "f", "y", "w", "cell", "h"]);
        assert_eq!(flow.bound, ["tape", "logits", "loss", "grads", "h"]);
    }

    #[test]
    fn comprehension_and_lambda_names_stay_inside() {
        let flow = flow("s = [g * k for g in grads]\nf = lambda v: v + s\nt += 1\n");
        let free: Vec<&str> = flow.free.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(free, ["grads", "k", "t"]);
        assert_eq!(flow.bound, ["s", "f", "t"]);
    }
}
