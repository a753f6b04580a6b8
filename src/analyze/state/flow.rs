//! Where a read of the state goes in graph code once the state is a
//! variable: up through arithmetic and comparisons, into local names and
//! their reads, to where it ends (a condition, a TensorFlow call, the
//! state's own update, the return of a graph function). On the way it keeps
//! what the value is (an `int32`, `float32` or `bool` tensor) and asks for a
//! cast where a Python number would have changed type and a tensor does not:
//! an `int` divided (`0.5 / step`) or meeting a float (`self.total /
//! self.count`) becomes a float in Python, while an `int32` tensor there
//! raises a `TypeError`; `tf.cast(step, tf.float32)` computes what the
//! Python code meant.

use rustc_hash::FxHashSet as HashSet;

use ruff_python_ast::visitor::source_order::{self, SourceOrderVisitor, TraversalSignal};
use ruff_python_ast::{
    AnyNodeRef, CmpOp, Expr, ExprContext, Number, Operator, Stmt, StmtFunctionDef, UnaryOp,
};
use ruff_text_size::{Ranged, TextRange, TextSize};

use super::analysis::Analysis;
use super::{StateKind, StateTarget};
use crate::semantic::state_index::callee_text;
use crate::semantic::FunctionId;

/// What a value computed from the state is once the state is a variable: a
/// tensor of the state's dtype (or of `float32` after a cast), or a tensor
/// whose dtype the analysis lost (arithmetic with an operand it cannot
/// type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Flow {
    Kind(StateKind),
    Unknown,
}

/// What the other operand of an operation with the state is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Operand {
    /// A Python number or boolean (a literal, a constant, Python state, a
    /// value computed from them): it takes the dtype of a tensor it meets,
    /// or casts itself when it is state.
    Python(StateKind),
    /// A tensor of a known dtype (`tensorflow.<dtype>` name, `float32`).
    Tensor(&'static str),
    Unknown,
}

/// A cast the rewrite needs: the expression at `range` becomes
/// `tf.cast(<expression>, tf.<dtype>)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Cast {
    pub(super) range: TextRange,
    pub(super) dtype: &'static str,
}

/// Why a read stops the rewrite: where, and a phrase completing "`x` ...".
pub(super) type Stop = (TextSize, String);

/// Follows the reads of one piece of state through one function.
pub(super) struct Reader<'r, 'm, 'a> {
    pub(super) analysis: &'r Analysis<'m, 'a>,
    pub(super) target: &'r StateTarget,
    pub(super) kind: StateKind,
    pub(super) function: FunctionId,
    pub(super) casts: Vec<Cast>,
    /// Locals already followed, with what they held.
    followed: HashSet<(&'a str, Flow)>,
    /// Locals whose type is being found (a binding that reads itself).
    pub(super) typing: Vec<&'a str>,
}

impl<'r, 'm, 'a> Reader<'r, 'm, 'a> {
    pub(super) fn new(
        analysis: &'r Analysis<'m, 'a>,
        target: &'r StateTarget,
        kind: StateKind,
        function: FunctionId,
    ) -> Self {
        Self {
            analysis,
            target,
            kind,
            function,
            casts: Vec::new(),
            followed: HashSet::default(),
            typing: Vec::new(),
        }
    }

    /// Follows the value of `expr` (a read of the state, or of a local that
    /// holds a value computed from it) up through `parents` (innermost
    /// first, argument lists left out) to where it ends.
    pub(super) fn follow(
        &mut self,
        expr: &'a Expr,
        parents: &[AnyNodeRef<'a>],
        mut flow: Flow,
    ) -> Result<(), Stop> {
        let stop = |reason: &str| Err((expr.start(), reason.to_string()));
        if parents.iter().any(|node| {
            matches!(
                node,
                AnyNodeRef::ExprListComp(_)
                    | AnyNodeRef::ExprSetComp(_)
                    | AnyNodeRef::ExprDictComp(_)
                    | AnyNodeRef::ExprGenerator(_)
            )
        }) {
            return stop("is read in a comprehension in graph code");
        }
        let mut child = expr.range();
        // Inside a tuple, list or dict value: only a `return` may hold it.
        let mut in_container = false;
        for &node in parents {
            if in_container
                && !matches!(
                    node,
                    AnyNodeRef::StmtReturn(_) | AnyNodeRef::ExprTuple(_) | AnyNodeRef::ExprList(_)
                )
                && !matches!(node, AnyNodeRef::ExprDict(dict) if dict.items.iter().any(|i| i.value.range() == child))
            {
                return stop(USED_AS_PYTHON_VALUE);
            }
            match node {
                AnyNodeRef::ExprBinOp(binop) => {
                    let other = if binop.left.range() == child {
                        &binop.right
                    } else {
                        &binop.left
                    };
                    let (next, cast) = self
                        .arithmetic(flow, binop.op, other)
                        .map_err(|reason| (expr.start(), reason))?;
                    self.cast(child, cast);
                    flow = next;
                }
                AnyNodeRef::ExprUnaryOp(unary) => match unary.op {
                    UnaryOp::Not => truth(flow).map_err(|reason| (expr.start(), reason))?,
                    UnaryOp::Invert => return stop("is inverted with `~` in graph code"),
                    _ if flow == Flow::Kind(StateKind::Bool) => return stop(BOOL_AS_NUMBER),
                    _ => {}
                },
                AnyNodeRef::ExprBoolOp(_) => {
                    truth(flow).map_err(|reason| (expr.start(), reason))?;
                }
                AnyNodeRef::ExprCompare(compare) if compare.ops.len() == 1 => {
                    let op = compare.ops[0];
                    if matches!(op, CmpOp::In | CmpOp::NotIn) {
                        return stop("is tested with `in` in graph code");
                    }
                    let other = if compare.left.range() == child {
                        &compare.comparators[0]
                    } else {
                        &compare.left
                    };
                    let cast = self
                        .comparison(flow, op, other)
                        .map_err(|reason| (expr.start(), reason))?;
                    self.cast(child, cast);
                    flow = Flow::Kind(StateKind::Bool);
                }
                AnyNodeRef::ExprIf(if_exp) if if_exp.test.range() == child => {
                    return truth(flow).map_err(|reason| (expr.start(), reason));
                }
                AnyNodeRef::StmtIf(stmt) if stmt.test.range() == child => {
                    return truth(flow).map_err(|reason| (expr.start(), reason));
                }
                AnyNodeRef::ElifElseClause(clause)
                    if clause.test.as_ref().is_some_and(|t| t.range() == child) =>
                {
                    return truth(flow).map_err(|reason| (expr.start(), reason));
                }
                AnyNodeRef::StmtWhile(stmt) if stmt.test.range() == child => {
                    return truth(flow).map_err(|reason| (expr.start(), reason));
                }
                AnyNodeRef::StmtAssert(stmt) if stmt.test.range() == child => {
                    return truth(flow).map_err(|reason| (expr.start(), reason));
                }
                AnyNodeRef::StmtExpr(_) => return Ok(()),
                AnyNodeRef::StmtAssign(assign)
                    if assign.value.range() == child && assign.targets.len() == 1 =>
                {
                    return self.assigned(expr, &assign.targets[0], flow);
                }
                AnyNodeRef::StmtAssign(_) => return stop(ASSIGNED_ELSEWHERE),
                AnyNodeRef::StmtAnnAssign(assign)
                    if assign.value.as_ref().is_some_and(|v| v.range() == child) =>
                {
                    return self.assigned(expr, &assign.target, flow);
                }
                AnyNodeRef::StmtAugAssign(aug) if aug.value.range() == child => {
                    if self.analysis.is_target(&aug.target, self.target) {
                        // `self.count += <value>`: what `assign_add` adds.
                        return self.compatible(expr, flow);
                    }
                    let Expr::Name(local) = aug.target.as_ref() else {
                        return stop(ASSIGNED_ELSEWHERE);
                    };
                    // `total += <value>`: the local holds the result.
                    let (next, cast) = self
                        .arithmetic(flow, aug.op, &aug.target)
                        .map_err(|reason| (expr.start(), reason))?;
                    self.cast(child, cast);
                    return self.follow_local(expr, local.id.as_str(), next);
                }
                AnyNodeRef::ExprCall(call) if call.func.range() != child => {
                    let imports = &self.analysis.model.imports;
                    let takes_tensors = imports.is_tensorflow(&call.func)
                        || matches!(call.func.as_ref(), Expr::Attribute(a)
                            if matches!(a.attr.id.as_str(), "assign" | "assign_add" | "assign_sub"))
                        || matches!(call.func.as_ref(), Expr::Name(n)
                            if n.id.as_str() == "print" && !imports.is_bound("print"));
                    if takes_tensors {
                        return Ok(());
                    }
                    return Err((
                        expr.start(),
                        format!(
                            "is passed to `{}` in graph code, which may need a Python value",
                            callee_text(&call.func)
                        ),
                    ));
                }
                AnyNodeRef::StmtReturn(_) => {
                    // `tf.function` returns a Python number as a tensor of
                    // the same dtype: its callers see a tensor either way.
                    if self.analysis.decorated(self.function) {
                        return Ok(());
                    }
                    return stop(
                        "is returned from graph code, where callers may expect a Python value",
                    );
                }
                AnyNodeRef::ExprTuple(_) | AnyNodeRef::ExprList(_) => in_container = true,
                AnyNodeRef::ExprDict(dict)
                    if dict.items.iter().any(|item| item.value.range() == child) =>
                {
                    in_container = true;
                }
                _ => return stop(USED_AS_PYTHON_VALUE),
            }
            child = node.range();
        }
        Ok(())
    }

    fn cast(&mut self, range: TextRange, dtype: Option<&'static str>) {
        if let Some(dtype) = dtype {
            let cast = Cast { range, dtype };
            if !self.casts.contains(&cast) {
                self.casts.push(cast);
            }
        }
    }

    /// The value is assigned to `target`: the state itself (its update), or
    /// a local, whose reads are followed in turn.
    fn assigned(&mut self, read: &'a Expr, target: &'a Expr, flow: Flow) -> Result<(), Stop> {
        if self.analysis.is_target(target, self.target) {
            return self.compatible(read, flow);
        }
        match target {
            Expr::Name(local) => self.follow_local(read, local.id.as_str(), flow),
            _ => Err((read.start(), ASSIGNED_ELSEWHERE.to_string())),
        }
    }

    /// A value written back into the state must keep its type: an `int`
    /// that became a float (`step = step / 2`) cannot go into an `int32`
    /// variable.
    fn compatible(&self, read: &'a Expr, flow: Flow) -> Result<(), Stop> {
        match (self.kind, flow) {
            (StateKind::Int, Flow::Kind(StateKind::Float)) => Err((
                read.start(),
                "holds an int but is given a float computed from it".to_string(),
            )),
            _ => Ok(()),
        }
    }

    /// The value is bound to the local `name` of the function: each read
    /// of the local is followed as a read of the value.
    fn follow_local(&mut self, read: &'a Expr, name: &'a str, flow: Flow) -> Result<(), Stop> {
        let within = |(offset, reason): Stop| {
            (
                offset,
                format!("flows into the local `{name}`, which {reason}"),
            )
        };
        if !self.followed.insert((name, flow)) {
            return Ok(());
        }
        let def = self.analysis.model.functions[self.function].def;
        let mut reads = LocalReads::new(name);
        reads.visit_function(def);
        if reads.declared {
            return Err((read.start(), ASSIGNED_ELSEWHERE.to_string()));
        }
        if let Some(offset) = reads.nested {
            return Err(within((
                offset,
                "is read by a nested function, lambda or class, which the analysis does not follow"
                    .to_string(),
            )));
        }
        for (expr, ancestors) in reads.found {
            let parents: Vec<AnyNodeRef<'a>> = ancestors
                .iter()
                .rev()
                .copied()
                .filter(|node| !matches!(node, AnyNodeRef::Arguments(_) | AnyNodeRef::Keyword(_)))
                .collect();
            if parents
                .iter()
                .any(|node| matches!(node, AnyNodeRef::ExprLambda(_)))
            {
                return Err(within((
                    expr.start(),
                    "is captured by a `lambda`, which may run anywhere".to_string(),
                )));
            }
            self.follow(expr, &parents, flow).map_err(within)?;
        }
        Ok(())
    }

    /// The value after `<flow> <op> <other>` (either order), and the cast
    /// the value needs first.
    fn arithmetic(
        &mut self,
        flow: Flow,
        op: Operator,
        other: &'a Expr,
    ) -> Result<(Flow, Option<&'static str>), String> {
        let operand = self.operand(other);
        let float = Flow::Kind(StateKind::Float);
        let Flow::Kind(kind) = flow else {
            return Ok((Flow::Unknown, None));
        };
        if matches!(op, Operator::MatMult) {
            return Err("is used with `@` in graph code".to_string());
        }
        let bitwise = matches!(
            op,
            Operator::BitAnd
                | Operator::BitOr
                | Operator::BitXor
                | Operator::LShift
                | Operator::RShift
        );
        match kind {
            StateKind::Bool => {
                let logical = matches!(op, Operator::BitAnd | Operator::BitOr | Operator::BitXor);
                let with_bool = matches!(
                    operand,
                    Operand::Python(StateKind::Bool) | Operand::Tensor("bool") | Operand::Unknown
                );
                if logical && with_bool {
                    Ok((flow, None))
                } else {
                    Err(BOOL_AS_NUMBER.to_string())
                }
            }
            StateKind::Float => {
                if bitwise {
                    return Err("is used in a bitwise operation in graph code".to_string());
                }
                // A Python float takes the dtype of a float tensor it meets.
                let cast = match operand {
                    Operand::Tensor(dtype) if is_float_dtype(dtype) && dtype != "float32" => {
                        Some(dtype)
                    }
                    _ => None,
                };
                Ok((float, cast))
            }
            StateKind::Int => match operand {
                Operand::Python(StateKind::Float) => Ok((float, Some("float32"))),
                Operand::Tensor(dtype) if is_float_dtype(dtype) => Ok((float, Some(dtype))),
                Operand::Tensor(dtype) if dtype != "int32" && dtype != "bool" => {
                    Ok((flow, Some(dtype)))
                }
                // `int / int` is a float in Python (`float64` in
                // TensorFlow, which meets `float32` tensors badly).
                _ if op == Operator::Div => Ok((float, Some("float32"))),
                // `int ** int` is a float in Python when the exponent is
                // negative, an error in TensorFlow.
                _ if op == Operator::Pow && !is_natural_literal(other) => {
                    Ok((float, Some("float32")))
                }
                Operand::Unknown => Ok((Flow::Unknown, None)),
                _ => Ok((flow, None)),
            },
        }
    }

    /// The cast a comparison `<flow> <op> <other>` needs: an `int32` tensor
    /// compared with a float (`step > 0.5`) raises a `TypeError`.
    fn comparison(
        &mut self,
        flow: Flow,
        op: CmpOp,
        other: &'a Expr,
    ) -> Result<Option<&'static str>, String> {
        let operand = self.operand(other);
        match flow {
            Flow::Kind(StateKind::Int) => Ok(match operand {
                Operand::Python(StateKind::Float) => Some("float32"),
                Operand::Tensor(dtype) if dtype != "int32" && dtype != "bool" => Some(dtype),
                _ => None,
            }),
            Flow::Kind(StateKind::Float) => Ok(match operand {
                Operand::Tensor(dtype) if is_float_dtype(dtype) && dtype != "float32" => {
                    Some(dtype)
                }
                _ => None,
            }),
            Flow::Kind(StateKind::Bool) if matches!(op, CmpOp::Eq | CmpOp::NotEq) => Ok(None),
            Flow::Kind(StateKind::Bool) => Err(
                "is ordered (`<`, `>`) in graph code, which a `bool` variable cannot be"
                    .to_string(),
            ),
            Flow::Unknown => Ok(None),
        }
    }
}

const USED_AS_PYTHON_VALUE: &str =
    "is used in graph code where a Python value may be needed (indexing, formatting, `range`, ...)";
const BOOL_AS_NUMBER: &str = "is used as a number in graph code, which a `bool` variable cannot be";
const ASSIGNED_ELSEWHERE: &str =
    "is assigned to another name in graph code, which the analysis does not follow";

/// A value tested for truth (`if`, `while`, `not`, `and`) in graph code
/// must be a `bool` tensor: AutoGraph rejects an `int32` condition.
fn truth(flow: Flow) -> Result<(), String> {
    match flow {
        Flow::Kind(StateKind::Bool) => Ok(()),
        _ => Err("is tested for truth in graph code, where a number kept in a variable is not a condition (compare it instead)".to_string()),
    }
}

/// `0`, `2`: an exponent that keeps an `int` an `int`.
fn is_natural_literal(expr: &Expr) -> bool {
    matches!(expr, Expr::NumberLiteral(n) if matches!(n.value, Number::Int(_)))
}

/// The reads of a local name in a function's own body, with their
/// ancestors (outermost first); whether a nested scope reads it too, and
/// whether the function declares it `global` or `nonlocal`.
struct LocalReads<'a, 'n> {
    name: &'n str,
    ancestors: Vec<AnyNodeRef<'a>>,
    nesting: usize,
    found: Vec<(&'a Expr, Vec<AnyNodeRef<'a>>)>,
    nested: Option<TextSize>,
    declared: bool,
}

impl<'a, 'n> LocalReads<'a, 'n> {
    fn new(name: &'n str) -> Self {
        Self {
            name,
            ancestors: Vec::new(),
            nesting: 0,
            found: Vec::new(),
            nested: None,
            declared: false,
        }
    }

    fn visit_function(&mut self, def: &'a StmtFunctionDef) {
        for stmt in &def.body {
            SourceOrderVisitor::visit_stmt(self, stmt);
        }
    }
}

fn opens_scope(node: AnyNodeRef) -> bool {
    matches!(
        node,
        AnyNodeRef::StmtFunctionDef(_)
            | AnyNodeRef::StmtClassDef(_)
            | AnyNodeRef::ExprLambda(_)
            | AnyNodeRef::ExprListComp(_)
            | AnyNodeRef::ExprSetComp(_)
            | AnyNodeRef::ExprDictComp(_)
            | AnyNodeRef::ExprGenerator(_)
    )
}

impl<'a> SourceOrderVisitor<'a> for LocalReads<'a, '_> {
    fn enter_node(&mut self, node: AnyNodeRef<'a>) -> TraversalSignal {
        if opens_scope(node) {
            self.nesting += 1;
        }
        self.ancestors.push(node);
        TraversalSignal::Traverse
    }

    fn leave_node(&mut self, node: AnyNodeRef<'a>) {
        self.ancestors.pop();
        if opens_scope(node) {
            self.nesting -= 1;
        }
    }

    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        let names = match stmt {
            Stmt::Global(global) => Some(&global.names),
            Stmt::Nonlocal(nonlocal) => Some(&nonlocal.names),
            _ => None,
        };
        if self.nesting == 0
            && names.is_some_and(|names| names.iter().any(|n| n.id.as_str() == self.name))
        {
            self.declared = true;
        }
        source_order::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Name(name) = expr {
            if name.id.as_str() == self.name && name.ctx == ExprContext::Load {
                if self.nesting == 0 {
                    self.found.push((expr, self.ancestors.clone()));
                } else {
                    self.nested.get_or_insert(expr.start());
                }
            }
        }
        source_order::walk_expr(self, expr);
    }
}

/// The dtypes a cast may name (TensorFlow's attribute names).
pub(super) const DTYPES: [&str; 12] = [
    "float16", "bfloat16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8",
    "uint16", "uint32", "bool",
];

pub(super) fn is_float_dtype(dtype: &str) -> bool {
    matches!(dtype, "float16" | "bfloat16" | "float32" | "float64")
}
