//! What each use of a piece of state needs once the state is a variable,
//! or why it stops the rewrite: a write becomes an `assign*`, an eager read
//! that needs a Python value is converted, a graph read stays a tensor read
//! where a tensor serves as well as a Python value.

use ruff_python_ast::{AnyNodeRef, CmpOp, Expr, ExprContext, Operator, Stmt, UnaryOp};
use ruff_text_size::Ranged;

use super::analysis::Analysis;
use super::{literal_kind, Refusal, StateKind, StateTarget, StateUse, WriteOp};
use crate::semantic::state_index::{callee_text, Occurrence};
use crate::semantic::FunctionId;

impl<'a> Analysis<'_, 'a> {
    /// What one occurrence of the state needs, or why it stops the rewrite.
    pub(super) fn classify(
        &self,
        occurrence: &Occurrence<'a>,
        foreign: Option<String>,
        target: &StateTarget,
        kind: StateKind,
        init_stmt: &'a Stmt,
    ) -> Result<Option<StateUse<'a>>, Refusal> {
        let expr = occurrence.expr;
        let refuse = |reason: String| Refusal {
            offset: expr.start(),
            reason,
        };
        if let Some(foreign) = foreign {
            return Err(refuse(format!(
                "is reached through `{foreign}`, an object the analysis cannot identify"
            )));
        }
        let in_graph = occurrence.function.is_some_and(|id| self.in_graph(id));
        let parents: Vec<AnyNodeRef<'a>> = occurrence
            .ancestors
            .iter()
            .rev()
            .copied()
            .filter(|node| !matches!(node, AnyNodeRef::Arguments(_) | AnyNodeRef::Keyword(_)))
            .collect();
        let parent = parents.first().copied();
        if parents
            .iter()
            .any(|node| matches!(node, AnyNodeRef::ExprLambda(_)))
        {
            return Err(refuse(
                "is captured by a `lambda`, which may run anywhere".to_string(),
            ));
        }
        let is_store = match expr {
            Expr::Attribute(a) => a.ctx != ExprContext::Load,
            Expr::Name(n) => n.ctx != ExprContext::Load,
            _ => false,
        };
        if is_store {
            return self
                .classify_write(expr, parent, target, kind, init_stmt, in_graph, occurrence);
        }
        match parent {
            Some(AnyNodeRef::ExprCompare(compare))
                if compare
                    .ops
                    .iter()
                    .any(|op| matches!(op, CmpOp::Is | CmpOp::IsNot)) =>
            {
                return Err(refuse("is compared by identity (`is`)".to_string()));
            }
            Some(AnyNodeRef::ExprDict(dict))
                if dict
                    .items
                    .iter()
                    .any(|item| item.key.as_ref().is_some_and(|k| k.range() == expr.range())) =>
            {
                return Err(refuse("is used as a dictionary key".to_string()));
            }
            Some(AnyNodeRef::InterpolatedElement(element)) if element.debug_text.is_some() => {
                return Err(refuse(
                    "is shown by a self-documenting f-string (`{x=}`)".to_string(),
                ));
            }
            Some(AnyNodeRef::ExprSubscript(subscript))
                if subscript.value.range() == expr.range() =>
            {
                return Err(refuse("is subscripted".to_string()));
            }
            _ => {}
        }
        if !in_graph {
            if let Some(property) = occurrence
                .function
                .and_then(|id| self.graph_read_property(id))
            {
                return Err(refuse(format!(
                    "is read by the property `{property}`, which graph code reads too"
                )));
            }
            let converted = matches!(parent, Some(AnyNodeRef::ExprCall(call))
                if call.arguments.args.len() == 1
                    && call.arguments.keywords.is_empty()
                    && matches!(call.func.as_ref(), Expr::Name(n) if n.id.as_str() == kind.converter() && !self.model.imports.is_bound(kind.converter())));
            return Ok((!converted).then_some(StateUse::EagerRead { expr }));
        }
        self.check_graph_read(expr, &parents, target)
            .map_err(refuse)
            .map(|()| None)
    }

    /// The name of function `id` when it is a `@property` that some graph
    /// function reads (`self.<name>`): converting its result to a Python
    /// value would break that graph read.
    pub(super) fn graph_read_property(&self, id: FunctionId) -> Option<String> {
        let def = self.model.functions[id].def;
        let is_property = def
            .decorator_list
            .iter()
            .any(|d| matches!(&d.expression, Expr::Name(n) if n.id.as_str() == "property"));
        if !is_property {
            return None;
        }
        let name = def.name.id.as_str();
        let read_in_graph = self
            .index
            .attribute_readers(self.model, name)
            .into_iter()
            .any(|f| self.in_graph(f));
        read_in_graph.then(|| name.to_string())
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn classify_write(
        &self,
        expr: &'a Expr,
        parent: Option<AnyNodeRef<'a>>,
        target: &StateTarget,
        kind: StateKind,
        init_stmt: &'a Stmt,
        in_graph: bool,
        occurrence: &Occurrence<'a>,
    ) -> Result<Option<StateUse<'a>>, Refusal> {
        let refuse = |reason: &str| Refusal {
            offset: expr.start(),
            reason: reason.to_string(),
        };
        let (stmt, op, value): (&'a Stmt, WriteOp, &'a Expr) = match occurrence.stmt {
            Some(stmt @ Stmt::Assign(assign))
                if assign.targets.len() == 1 && assign.targets[0].range() == expr.range() =>
            {
                (stmt, WriteOp::Assign, &assign.value)
            }
            Some(stmt @ Stmt::AugAssign(aug)) if aug.target.range() == expr.range() => {
                let op = match aug.op {
                    Operator::Add => WriteOp::Add,
                    Operator::Sub => WriteOp::Sub,
                    _ => {
                        return Err(refuse(
                            "is updated with an operator other than `+=` or `-=`",
                        ))
                    }
                };
                (stmt, op, &aug.value)
            }
            _ => {
                let _ = parent;
                return Err(refuse(
                    "is bound in a way other than `=`, `+=` or `-=` (unpacking, `for`, `del`, annotation)",
                ));
            }
        };
        if std::ptr::eq(stmt, init_stmt) {
            return Ok(None);
        }
        let literal = literal_kind(value);
        if let Some(literal) = literal {
            let compatible = match (kind, literal) {
                (StateKind::Bool, StateKind::Bool) => op == WriteOp::Assign,
                (StateKind::Int, StateKind::Int) => true,
                (StateKind::Float, StateKind::Int | StateKind::Float) => true,
                _ => false,
            };
            if !compatible {
                return Err(refuse(&format!(
                    "holds {} but is given {}",
                    kind.article_name(),
                    literal.article_name()
                )));
            }
        }
        if !in_graph {
            if literal.is_none() {
                return Err(refuse(
                    "is set in eager code to a value that is not a literal, whose type the analysis cannot check",
                ));
            }
            if occurrence
                .function
                .is_some_and(|id| self.model.functions[id].def.name.id.as_str() == "__init__")
            {
                return Err(refuse(
                    "is set again in an `__init__`, possibly before the variable exists",
                ));
            }
            if occurrence.function.is_none() {
                return Err(refuse("is set again at module level"));
            }
        }
        let _ = target;
        Ok(Some(StateUse::Write {
            stmt,
            target: expr,
            op,
            value,
            in_graph,
        }))
    }

    /// A read in graph code becomes a tensor read. That keeps its meaning
    /// where a tensor serves as well as a Python value: arithmetic and
    /// comparisons whose result is a condition AutoGraph converts, or an
    /// argument to a TensorFlow operation or to the state's own update.
    pub(super) fn check_graph_read(
        &self,
        expr: &'a Expr,
        parents: &[AnyNodeRef<'a>],
        target: &StateTarget,
    ) -> Result<(), String> {
        if parents.iter().any(|node| {
            matches!(
                node,
                AnyNodeRef::ExprListComp(_)
                    | AnyNodeRef::ExprSetComp(_)
                    | AnyNodeRef::ExprDictComp(_)
                    | AnyNodeRef::ExprGenerator(_)
            )
        }) {
            return Err("is read in a comprehension in graph code".to_string());
        }
        let mut child = expr.range();
        for node in parents {
            match node {
                AnyNodeRef::ExprBinOp(_) | AnyNodeRef::ExprBoolOp(_) => {}
                AnyNodeRef::ExprUnaryOp(unary) if unary.op != UnaryOp::Invert => {}
                AnyNodeRef::ExprCompare(compare) if compare.ops.len() == 1 => {
                    if matches!(compare.ops[0], CmpOp::In | CmpOp::NotIn) {
                        return Err("is tested with `in` in graph code".to_string());
                    }
                }
                AnyNodeRef::ExprIf(if_exp) if if_exp.test.range() == child => return Ok(()),
                AnyNodeRef::StmtIf(stmt) if stmt.test.range() == child => return Ok(()),
                AnyNodeRef::ElifElseClause(clause)
                    if clause.test.as_ref().is_some_and(|t| t.range() == child) =>
                {
                    return Ok(())
                }
                AnyNodeRef::StmtWhile(stmt) if stmt.test.range() == child => return Ok(()),
                AnyNodeRef::StmtAssert(stmt) if stmt.test.range() == child => return Ok(()),
                AnyNodeRef::StmtExpr(_) => return Ok(()),
                AnyNodeRef::StmtAssign(assign)
                    if assign.value.range() == child
                        && assign.targets.len() == 1
                        && self.is_target(&assign.targets[0], target) =>
                {
                    return Ok(())
                }
                AnyNodeRef::StmtAugAssign(aug)
                    if aug.value.range() == child && self.is_target(&aug.target, target) =>
                {
                    return Ok(())
                }
                AnyNodeRef::ExprCall(call) if call.func.range() != child => {
                    let takes_tensors = self.model.imports.is_tensorflow(&call.func)
                        || matches!(call.func.as_ref(), Expr::Attribute(a)
                            if matches!(a.attr.id.as_str(), "assign" | "assign_add" | "assign_sub"))
                        || matches!(call.func.as_ref(), Expr::Name(n)
                            if n.id.as_str() == "print" && !self.model.imports.is_bound("print"));
                    if takes_tensors {
                        return Ok(());
                    }
                    return Err(format!(
                        "is passed to `{}` in graph code, which may need a Python value",
                        callee_text(&call.func)
                    ));
                }
                AnyNodeRef::StmtReturn(_) => {
                    return Err(
                        "is returned from graph code, where callers may expect a Python value"
                            .to_string(),
                    )
                }
                AnyNodeRef::StmtAssign(_) | AnyNodeRef::StmtAnnAssign(_) => {
                    return Err(
                        "is assigned to another name in graph code, which the analysis does not follow"
                            .to_string(),
                    )
                }
                _ => {
                    return Err(
                        "is used in graph code where a Python value may be needed (indexing, formatting, `range`, ...)"
                            .to_string(),
                    )
                }
            }
            child = node.range();
        }
        Ok(())
    }

    /// Whether `expr` (a write target) is the state itself.
    pub(super) fn is_target(&self, expr: &Expr, target: &StateTarget) -> bool {
        match (expr, target) {
            (Expr::Attribute(a), StateTarget::Attribute { name, .. }) => {
                a.attr.id.as_str() == name && a.value.is_name_expr()
            }
            (Expr::Name(n), StateTarget::Global { name }) => n.id.as_str() == name,
            _ => false,
        }
    }
}
