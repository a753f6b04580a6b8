//! `hybridize`: migrate eager TensorFlow 2 code to graph execution safely.
//!
//! The pipeline is walk → parse → semantic model → codemods → apply (to a
//! fixed point) → render. The core (everything in `src/`) knows nothing
//! about any particular codemod; codemods live in `codemods/` and are
//! registered in one list in [`codemods`].

pub mod analyze;
pub mod apply;
pub mod arena;
pub mod cache;
pub mod checker;
pub mod cli;
pub mod codemod;
// The codemods stay at the top of the repository, where their docs and
// fixtures are published; they compile as an ordinary module tree.
#[path = "../codemods/mod.rs"]
pub mod codemods;
pub mod commands;
pub mod config;
pub mod diagnostic;
pub mod diff;
pub mod display;
pub mod exit_status;
pub mod importer;
pub mod interactive;
pub mod interrupt;
pub mod lines;
pub mod names;
pub mod noqa;
pub mod notebook;
pub mod observe;
pub mod prescan;
pub mod propagate;
pub mod render;
pub mod report;
pub mod review;
pub mod run;
pub mod secrets;
pub mod semantic;
pub mod server;
pub mod settings;
pub mod source;
pub mod version;
pub mod walk;
pub mod write;
