//! Propagation across the call graph and across the modules of a run: each
//! module's model is summarised without its tree ([`summary`]); classes
//! that derive from Keras or `tf.Module` through other modules, and
//! methods they inherit from there, are resolved ([`classes`]); calls are
//! resolved to project functions by name, through star imports and through
//! parameters that receive instances (`name_table.rs`, `stars.rs`); effects
//! flow from callees to callers through the strongly connected components
//! of the call graph (`callgraph.rs`, `propagation.rs`). What comes out is a
//! [`FunctionFacts`] per function, which a model is given as plain data.
//!
//! A module checked alone is the same computation over a run of one
//! module: [`add_local_facts`].

mod callgraph;
pub mod classes;
mod name_table;
mod propagation;
mod stars;
pub mod summary;
mod traced;

use std::path::Path;

use crate::semantic::facts::FunctionFacts;
use crate::semantic::SemanticModel;
pub use classes::resolve_inherited_calls_and_tf_classes;
pub use propagation::{propagate, CallShape, OnceDecorated, Propagation};
pub use summary::{module_names, ModuleSummary};

/// Gives the functions of `model` that have no facts yet those of this
/// module alone: its summary, propagated on its own. Returns that summary,
/// not yet named after its file (see [`ModuleSummary::named_after`]), or
/// `None` when every function had facts from the run.
pub fn add_local_facts(model: &mut SemanticModel, source: &str) -> Option<ModuleSummary> {
    if !model.needs_local_facts() {
        return None;
    }
    let summary = ModuleSummary::new(model, source, Path::new(""));
    let local: Vec<FunctionFacts> = propagate(std::slice::from_ref(&summary))
        .pop()
        .unwrap_or_default();
    model.give_local_facts(local);
    Some(summary)
}
