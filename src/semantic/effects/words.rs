//! How culprits name what they are about (`self.layers[...].append`, "the
//! global `history`"): written only when a culprit is kept, piece by piece.

use ruff_python_ast::Expr;

/// How a receiver or target is shown in messages (`self.layers[...].append`),
/// written only when a message is kept.
#[derive(Clone, Copy)]
pub(super) struct ReceiverText<'e>(pub(super) &'e Expr);

impl std::fmt::Display for ReceiverText<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            // Written piece by piece, without `write!`'s formatting machinery.
            Expr::Name(name) => f.write_str(name.id.as_str()),
            Expr::Attribute(attribute) => {
                ReceiverText(&attribute.value).fmt(f)?;
                f.write_str(".")?;
                f.write_str(attribute.attr.id.as_str())
            }
            Expr::Subscript(subscript) => {
                ReceiverText(&subscript.value).fmt(f)?;
                f.write_str("[...]")
            }
            Expr::Call(call) => {
                ReceiverText(&call.func).fmt(f)?;
                f.write_str("(...)")
            }
            // `(x == y).all`: an expression in parentheses.
            _ => f.write_str("(...)"),
        }
    }
}

/// The words for a long-lived owner (see [`Walker::long_lived_owner`]),
/// written only when a culprit keeps them.
pub(super) enum Owner<'e> {
    SelfAttribute(ReceiverText<'e>),
    Argument(ReceiverText<'e>),
    Local(ReceiverText<'e>),
    Global(ReceiverText<'e>),
    Enclosing(ReceiverText<'e>),
}

impl std::fmt::Display for Owner<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (before, shown, after) = match self {
            Owner::SelfAttribute(shown) => ("`", shown, "`"),
            Owner::Argument(shown) => ("the argument `", shown, "`"),
            Owner::Local(shown) => ("`", shown, "`, which may be shared with the caller"),
            Owner::Global(shown) => ("the global `", shown, "`"),
            Owner::Enclosing(shown) => ("`", shown, "` from an enclosing scope"),
        };
        f.write_str(before)?;
        shown.fmt(f)?;
        f.write_str(after)
    }
}

/// A method as shown in messages: `receiver.method`.
#[derive(Clone, Copy)]
pub(super) struct MethodText<'e>(pub(super) &'e Expr, pub(super) &'e str);

impl std::fmt::Display for MethodText<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        ReceiverText(self.0).fmt(f)?;
        f.write_str(".")?;
        f.write_str(self.1)
    }
}
