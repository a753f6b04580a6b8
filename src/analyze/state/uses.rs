//! What each use of a piece of state needs once the state is a variable,
//! or why it stops the rewrite: a write becomes an `assign*`, an eager read
//! that needs a Python value is converted, a graph read stays a tensor read
//! where a tensor serves as well as a Python value (followed through
//! arithmetic and locals in `flow.rs`, with the casts it needs).

use ruff_python_ast::{AnyNodeRef, CmpOp, Expr, ExprContext, Operator, Stmt};
use ruff_text_size::Ranged;

use super::analysis::Analysis;
use super::flow::{Flow, Operand, Reader};
use super::{literal_kind, Refusal, StateKind, StateTarget, StateUse, WriteOp};
use crate::semantic::state_index::Occurrence;
use crate::semantic::FunctionId;

impl<'a> Analysis<'_, 'a> {
    /// What one occurrence of the state needs (pushed to `uses`), or why
    /// it stops the rewrite.
    pub(super) fn classify(
        &self,
        occurrence: &Occurrence<'a>,
        foreign: Option<String>,
        target: &StateTarget,
        kind: StateKind,
        init_stmt: &'a Stmt,
        uses: &mut Vec<StateUse<'a>>,
    ) -> Result<(), Refusal> {
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
            let write =
                self.classify_write(expr, parent, target, kind, init_stmt, in_graph, occurrence)?;
            uses.extend(write);
            return Ok(());
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
            if !converted {
                uses.push(StateUse::EagerRead { expr });
            }
            return Ok(());
        }
        let Some(function) = occurrence.function else {
            return Err(refuse(
                "is read in graph code the analysis cannot place".to_string(),
            ));
        };
        let mut reader = Reader::new(self, target, kind, function);
        reader
            .follow(expr, &parents, Flow::Kind(kind))
            .map_err(|(offset, reason)| Refusal { offset, reason })?;
        for cast in reader.casts {
            let use_ = StateUse::Cast {
                range: cast.range,
                dtype: cast.dtype,
            };
            if !uses
                .iter()
                .any(|u| matches!(u, StateUse::Cast { range, .. } if *range == cast.range))
            {
                uses.push(use_);
            }
        }
        Ok(())
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
        // What the value is, as far as the analysis can type it: a literal,
        // Python numbers, the state itself, tensors of a known dtype.
        let given = match occurrence.function {
            Some(function) if in_graph => Reader::new(self, target, kind, function).operand(value),
            _ => literal.map_or(Operand::Unknown, Operand::Python),
        };
        let compatible = match (kind, given) {
            (_, Operand::Unknown) => true,
            (StateKind::Bool, Operand::Python(StateKind::Bool) | Operand::Tensor("bool")) => {
                op == WriteOp::Assign
            }
            (StateKind::Int, Operand::Python(StateKind::Int) | Operand::Tensor("int32")) => true,
            // A Python int takes the variable's dtype; an int tensor does not.
            (StateKind::Float, Operand::Python(StateKind::Int | StateKind::Float)) => true,
            (StateKind::Float, Operand::Tensor("float32")) => true,
            _ => false,
        };
        if !compatible {
            let given = match given {
                Operand::Python(given) => given.article_name().to_string(),
                Operand::Tensor(dtype) => format!("a `{dtype}` tensor"),
                Operand::Unknown => unreachable!("an unknown value is compatible"),
            };
            return Err(refuse(&format!(
                "holds {} but is given {given}",
                kind.article_name(),
            )));
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
