//! Renderers see only findings: resolved positions, fixes, source lines. A
//! new output format is a new [`Emitter`]; nothing else changes.

mod full;
mod github;
mod json;
mod rdjson;
mod sarif;

use std::io::{self, Write};

use crate::report::Finding;

pub use full::{Concise, Full};
pub use github::Github;
pub use json::{Json, JsonLines};
pub use rdjson::{Rdjson, Rdjsonl};
pub use sarif::Sarif;

/// Writes the findings of a run in one output format.
pub trait Emitter {
    fn emit(&self, out: &mut dyn Write, findings: &[Finding]) -> io::Result<()>;
}
