//! `rdjson` and `rdjsonl`: the Reviewdog Diagnostic Format. Positions are
//! 1-based lines and 1-based UTF-8 byte columns with exclusive ends, as
//! reviewdog's protocol defines them; fixes that apply under the current
//! settings become `suggestions`.

use std::io::{self, Write};

use serde_json::{json, Map, Value};

use super::Emitter;
use crate::report::Finding;
use crate::source::Location;

pub struct Rdjson;
pub struct Rdjsonl;

const SOURCE_NAME: &str = "hybridize";

impl Emitter for Rdjson {
    fn emit(&self, out: &mut dyn Write, findings: &[Finding]) -> io::Result<()> {
        let result = json!({
            "source": source(),
            "severity": "WARNING",
            "diagnostics": findings.iter().map(diagnostic).collect::<Vec<_>>(),
        });
        serde_json::to_writer_pretty(&mut *out, &result)?;
        writeln!(out)
    }
}

impl Emitter for Rdjsonl {
    fn emit(&self, out: &mut dyn Write, findings: &[Finding]) -> io::Result<()> {
        for finding in findings {
            serde_json::to_writer(&mut *out, &diagnostic(finding))?;
            writeln!(out)?;
        }
        Ok(())
    }
}

fn source() -> Value {
    json!({ "name": SOURCE_NAME })
}

fn range(start: Location, end: Location) -> Value {
    json!({
        "start": { "line": start.row, "column": start.column },
        "end": { "line": end.row, "column": end.column },
    })
}

fn diagnostic(finding: &Finding) -> Value {
    let mut code = Map::new();
    code.insert("value".into(), finding.code.into());
    if let Some(url) = &finding.url {
        code.insert("url".into(), url.clone().into());
    }
    let mut message = finding.message.clone();
    if let Some(note) = &finding.note {
        message.push_str(&format!(" (note: {note})"));
    }
    if let Some(cell) = finding.cell {
        message = format!(
            "cell {cell}:{}:{}: {message}",
            finding.location.row, finding.location.column
        );
    }
    let span = finding.file_locations();
    let mut object = json!({
        "message": message,
        "location": {
            "path": finding.filename,
            "range": range(span.byte_location, span.byte_end_location),
        },
        "severity": if finding.is_syntax_error() {
            "ERROR"
        } else if finding.is_informational() {
            "INFO"
        } else {
            "WARNING"
        },
        "source": source(),
        "code": code,
    });
    // A notebook's fix changes JSON strings, not the lines annotated: no
    // suggestion is offered (`hybridize fix` applies it).
    if let (Some(fix), true, None) = (&finding.fix, finding.fix_applies, finding.cell) {
        object["suggestions"] = fix
            .edits
            .iter()
            .map(|edit| {
                json!({
                    "range": range(edit.byte_location, edit.byte_end_location),
                    "text": edit.content,
                })
            })
            .collect();
    }
    object
}
