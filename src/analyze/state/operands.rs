//! What an operand met by a value computed from the state is, as far as
//! the cast it may need goes: a Python number or boolean (a literal, a
//! constant, Python state, a local assigned from them), a tensor of a known
//! dtype (a `tf.Variable` created from a literal, a `tf.cast`, a parameter
//! every caller passes a typed tensor), or unknown.

use ruff_python_ast::statement_visitor::{walk_stmt, StatementVisitor};
use ruff_python_ast::{Expr, Operator, Stmt, UnaryOp};
use ruff_text_size::{Ranged, TextSize};

use super::flow::{Operand, Reader, DTYPES};
use super::{literal_kind, StateKind, StateTarget};
use crate::semantic::kinds::ParamKind;
use crate::semantic::scopes::FunctionNames;
use crate::semantic::state_index::creates_variable;

impl<'a> Reader<'_, '_, 'a> {
    /// What `expr`, an operand met by the state's value, is.
    pub(super) fn operand(&mut self, expr: &'a Expr) -> Operand {
        if self.typing.len() > 4 {
            return Operand::Unknown;
        }
        if let Some(kind) = literal_kind(expr) {
            return Operand::Python(kind);
        }
        let analysis = self.analysis;
        let (model, index) = (analysis.model, analysis.index);
        match expr {
            Expr::Name(name) => {
                let id = name.id.as_str();
                if matches!(self.target, StateTarget::Global { name } if name == id)
                    && index.resolves_to_global(model, self.function, id)
                {
                    return Operand::Python(self.kind);
                }
                if index.function_binds(model, self.function, id, true)
                    && !index.declares_global(model, self.function, id)
                {
                    return self.local_operand(id);
                }
                if index.resolves_to_global(model, self.function, id) {
                    let bindings = index.module_bindings(model, id);
                    if let (Some((_, value)), 1) = (index.module_init(model, id), bindings.len()) {
                        if let Some(kind) = literal_kind(value) {
                            return Operand::Python(kind);
                        }
                    }
                }
                Operand::Unknown
            }
            Expr::Attribute(attribute) => {
                let Expr::Name(receiver) = attribute.value.as_ref() else {
                    return self.dtype_of_tensorflow(expr);
                };
                let self_binding = index.self_binding(self.function);
                let Some((self_name, class)) =
                    self_binding.filter(|(name, _)| *name == receiver.id.as_str())
                else {
                    return Operand::Unknown;
                };
                let name = attribute.attr.id.as_str();
                if matches!(self.target, StateTarget::Attribute { name: n, .. } if n == name) {
                    return Operand::Python(self.kind);
                }
                let _ = self_name;
                self.attribute_operand(class, name)
            }
            Expr::UnaryOp(unary) if matches!(unary.op, UnaryOp::USub | UnaryOp::UAdd) => {
                self.operand(&unary.operand)
            }
            Expr::BinOp(binop) => {
                let left = self.operand(&binop.left);
                let right = self.operand(&binop.right);
                match (left, right) {
                    (Operand::Python(a), Operand::Python(b)) => {
                        let float = a == StateKind::Float
                            || b == StateKind::Float
                            || binop.op == Operator::Div;
                        Operand::Python(if float {
                            StateKind::Float
                        } else {
                            StateKind::Int
                        })
                    }
                    (Operand::Tensor(dtype), Operand::Python(_))
                    | (Operand::Python(_), Operand::Tensor(dtype)) => Operand::Tensor(dtype),
                    (Operand::Tensor(a), Operand::Tensor(b)) if a == b => Operand::Tensor(a),
                    _ => Operand::Unknown,
                }
            }
            Expr::Call(call) => {
                let imports = &model.imports;
                if let Expr::Name(func) = call.func.as_ref() {
                    let builtin = |name: &str| func.id.as_str() == name && !imports.is_bound(name);
                    if builtin("float") {
                        return Operand::Python(StateKind::Float);
                    }
                    if builtin("int") || builtin("len") {
                        return Operand::Python(StateKind::Int);
                    }
                }
                match imports.resolve(&call.func).as_deref() {
                    Some("tensorflow.cast") => call
                        .arguments
                        .args
                        .get(1)
                        .or_else(|| call.arguments.find_keyword("dtype").map(|k| &k.value))
                        .map_or(Operand::Unknown, |dtype| self.dtype_of_tensorflow(dtype)),
                    _ => Operand::Unknown,
                }
            }
            _ => Operand::Unknown,
        }
    }

    /// `tf.float32` and the like, as a tensor of that dtype.
    fn dtype_of_tensorflow(&self, expr: &Expr) -> Operand {
        let imports = &self.analysis.model.imports;
        imports
            .with_resolved(expr, |qualified| {
                qualified
                    .strip_prefix("tensorflow.")
                    .and_then(|dtype| DTYPES.iter().find(|d| **d == dtype).copied())
            })
            .flatten()
            .map_or(Operand::Unknown, Operand::Tensor)
    }

    /// A local name of the function: a parameter (as its callers pass it)
    /// or what every binding of it assigns.
    fn local_operand(&mut self, name: &'a str) -> Operand {
        let model = self.analysis.model;
        let def = model.functions[self.function].def;
        if self.typing.contains(&name) {
            return Operand::Unknown;
        }
        if def.parameters.iter().any(|p| p.name().as_str() == name) {
            let kind = model.facts[self.function]
                .params
                .iter()
                .find(|(param, _)| param == name)
                .map(|(_, kind)| kind);
            return match kind {
                Some(ParamKind::Tensor(info)) => info
                    .dtype
                    .as_deref()
                    .and_then(|dtype| DTYPES.iter().find(|d| **d == dtype).copied())
                    .map_or(Operand::Unknown, Operand::Tensor),
                Some(ParamKind::Primitive {
                    literal: Some(literal),
                    ..
                }) => ruff_python_parser::parse_expression(literal)
                    .ok()
                    .and_then(|parsed| literal_kind(parsed.expr()))
                    .map_or(Operand::Unknown, Operand::Python),
                _ => Operand::Unknown,
            };
        }
        let mut bindings = LocalBindings {
            name,
            values: Vec::new(),
        };
        bindings.visit_body(&def.body);
        // Bound in another way too (`for`, `with`, unpacking, `:=`, ...):
        // of a type the analysis does not follow.
        let other = FunctionNames::of(def).bindings.iter().any(|binding| {
            binding.name == name && !bindings.values.iter().any(|(at, _)| *at == binding.offset)
        });
        if other || bindings.values.is_empty() {
            return Operand::Unknown;
        }
        self.typing.push(name);
        let mut joined: Option<Operand> = None;
        for (_, value) in bindings.values {
            let operand = self.operand(value);
            joined = Some(match joined {
                None => operand,
                Some(known) if known == operand => known,
                Some(Operand::Python(a)) => match operand {
                    Operand::Python(b) if a != StateKind::Bool && b != StateKind::Bool => {
                        Operand::Python(StateKind::Float)
                    }
                    _ => Operand::Unknown,
                },
                Some(_) => Operand::Unknown,
            });
        }
        self.typing.pop();
        joined.unwrap_or(Operand::Unknown)
    }

    /// `self.<name>` other than the state: a `tf.Variable` created from a
    /// literal, or a Python number every write of which is a literal of one
    /// kind.
    fn attribute_operand(&self, class: crate::semantic::ClassId, name: &str) -> Operand {
        let (model, index) = (self.analysis.model, self.analysis.index);
        let mut found: Option<Operand> = None;
        for &member in index.family(model, class) {
            for &method in model.classes[member].methods.values() {
                let Some((receiver, _)) = index.self_binding(method) else {
                    continue;
                };
                for &(target, stmt) in index.own_writes(model, method) {
                    if !super::is_self_attribute(target, receiver, name) {
                        continue;
                    }
                    let Stmt::Assign(assign) = stmt else {
                        return Operand::Unknown;
                    };
                    let operand = if creates_variable(model, &assign.value) {
                        self.variable_dtype(&assign.value)
                    } else {
                        literal_kind(&assign.value).map_or(Operand::Unknown, Operand::Python)
                    };
                    if operand == Operand::Unknown || found.is_some_and(|known| known != operand) {
                        return Operand::Unknown;
                    }
                    found = Some(operand);
                }
            }
        }
        found.unwrap_or(Operand::Unknown)
    }

    /// The dtype of `tf.Variable(<literal>)` or `tf.Variable(..., dtype=tf.<dtype>)`.
    fn variable_dtype(&self, call: &Expr) -> Operand {
        let Expr::Call(call) = call else {
            return Operand::Unknown;
        };
        if let Some(dtype) = call.arguments.find_keyword("dtype") {
            return self.dtype_of_tensorflow(&dtype.value);
        }
        let initial = call.arguments.args.first().or_else(|| {
            call.arguments
                .find_keyword("initial_value")
                .map(|k| &k.value)
        });
        match initial.and_then(literal_kind) {
            Some(kind) => Operand::Tensor(kind.dtype()),
            None => Operand::Unknown,
        }
    }
}

/// The values a function's own body assigns to a local name (`x = v`,
/// `x: T = v`, `x op= v` but for `/=` and `**=`, which may make a float of
/// ints), with where each binds it.
struct LocalBindings<'a, 'n> {
    name: &'n str,
    values: Vec<(TextSize, &'a Expr)>,
}

impl<'a> LocalBindings<'a, '_> {
    fn simple(&mut self, target: &'a Expr, value: &'a Expr) {
        if matches!(target, Expr::Name(n) if n.id.as_str() == self.name) {
            self.values.push((target.start(), value));
        }
    }
}

impl<'a> StatementVisitor<'a> for LocalBindings<'a, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return,
            Stmt::Assign(assign) => {
                for target in &assign.targets {
                    self.simple(target, &assign.value);
                }
            }
            Stmt::AnnAssign(ann) => {
                if let Some(value) = &ann.value {
                    self.simple(&ann.target, value);
                }
            }
            Stmt::AugAssign(aug) if !matches!(aug.op, Operator::Div | Operator::Pow) => {
                self.simple(&aug.target, &aug.value);
            }
            _ => {}
        }
        walk_stmt(self, stmt);
    }
}
