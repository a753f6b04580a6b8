//! `json`: one array of findings in ruff's shape; `json-lines`: one object
//! per line.

use std::io::{self, Write};

use super::Emitter;
use crate::report::Finding;

pub struct Json;
pub struct JsonLines;

impl Emitter for Json {
    fn emit(&self, out: &mut dyn Write, findings: &[Finding]) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, findings)?;
        writeln!(out)
    }
}

impl Emitter for JsonLines {
    fn emit(&self, out: &mut dyn Write, findings: &[Finding]) -> io::Result<()> {
        for finding in findings {
            serde_json::to_writer(&mut *out, finding)?;
            writeln!(out)?;
        }
        Ok(())
    }
}
