//! What a walker records of the statements it is asked about (see
//! `statements.rs`): the data, apart from the walk.

use rustc_hash::FxHashMap as HashMap;

use ruff_text_size::{TextRange, TextSize};

use super::DirectEffects;
use crate::semantic::kinds::Value;

/// What one statement does, where it stands.
#[derive(Debug, Clone, Default)]
pub struct StatementEffects {
    pub range: TextRange,
    /// Its own effects (culprits, also at module level) and calls, those of
    /// the statements nested in it included.
    pub effects: DirectEffects,
    /// The values of the names bound in the body (or at module level)
    /// right before the statement, and right after it.
    pub before: HashMap<String, Value>,
    pub after: HashMap<String, Value>,
    /// Every call in it: where it starts, and the value of what it calls
    /// (of the receiver, for a method call `x.m(...)`, with the method).
    pub callees: Vec<Callee>,
}

/// What a call calls.
#[derive(Debug, Clone)]
pub struct Callee {
    pub offset: TextSize,
    /// The range of what is called (`model`, `optimizer.apply_gradients`).
    pub func: TextRange,
    /// The method, for `receiver.method(...)`.
    pub method: Option<String>,
    /// The value of the function called, or of the receiver.
    pub value: Value,
}

/// The statements a walker is asked about, and what it found of each.
pub(super) struct Watch<'m> {
    pub(super) ranges: &'m [TextRange],
    pub(super) found: Vec<Option<StatementEffects>>,
    /// The watched statements being walked, outermost first: a nested
    /// one's effects are its own and its enclosing statements' too.
    pub(super) active: Vec<usize>,
}
