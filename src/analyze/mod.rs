//! The questions codemods ask of a module's model, answered in terms of
//! facts: which preconditions of graph conversion a function fails
//! ([`preconditions`]), which Python state graph code mutates and whether it
//! can live in a `tf.Variable` ([`state`]), and what input signature a graph
//! function can have ([`signature`]). The answers name no codemod; the
//! codemods turn them into findings with codes.

pub mod preconditions;
pub mod signature;
pub mod state;
