//! `sarif`: SARIF 2.1.0, one run whose driver lists every codemod of the
//! registry as a rule. Columns count Unicode code points (`columnKind`), the
//! same columns the other formats print; fixes that apply under the current
//! settings are `fixes` with `artifactChanges` and `replacements`.

use std::io::{self, Write};

use serde_json::{json, Value};

use super::Emitter;
use crate::codemods::CODEMODS;
use crate::report::Finding;
use crate::source::Location;

pub struct Sarif;

impl Emitter for Sarif {
    fn emit(&self, out: &mut dyn Write, findings: &[Finding]) -> io::Result<()> {
        let rules = rules();
        let results: Vec<Value> = findings
            .iter()
            .map(|finding| result(finding, &rules))
            .collect();
        let log = json!({
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [{
                "tool": {
                    "driver": {
                        "name": "hybridize",
                        "version": env!("CARGO_PKG_VERSION"),
                        "semanticVersion": env!("CARGO_PKG_VERSION"),
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }]
        });
        serde_json::to_writer_pretty(&mut *out, &log)?;
        writeln!(out)
    }
}

/// One rule per codemod, then one per informational code a codemod also
/// reports, so that every `ruleId` has a `ruleIndex`.
fn rules() -> Vec<Value> {
    let mut rules = Vec::new();
    for codemod in CODEMODS {
        rules.push(json!({
            "id": codemod.code,
            "name": codemod.name,
            "shortDescription": { "text": codemod.summary },
            "help": { "text": codemod.doc, "markdown": codemod.doc },
            "defaultConfiguration": { "level": "warning" },
            "properties": { "fixSafety": codemod.safety.as_str() },
        }));
    }
    for codemod in CODEMODS {
        for informational in codemod.informational {
            let mut rule = json!({
                "id": informational.code,
                "shortDescription": {
                    "text": format!("Why `{}` left a candidate as it is", codemod.name)
                },
                "defaultConfiguration": { "level": "note" },
            });
            if let Some(doc) = informational.doc() {
                rule["help"] = json!({ "text": doc, "markdown": doc });
            }
            rules.push(rule);
        }
    }
    rules
}

fn region(start: Location, end: Location) -> Value {
    json!({
        "startLine": start.row,
        "startColumn": start.column,
        "endLine": end.row,
        "endColumn": end.column,
    })
}

fn result(finding: &Finding, rules: &[Value]) -> Value {
    let artifact = json!({ "uri": uri(&finding.filename) });
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
    let level = if finding.is_syntax_error() {
        "error"
    } else if finding.is_informational() {
        "note"
    } else {
        "warning"
    };
    let mut result = json!({
        "level": level,
        "message": { "text": message },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": artifact,
                "region": region(span.location, span.end_location),
            }
        }],
    });
    if let Some(cell) = finding.cell {
        // Where in the notebook's cell (the region is in the file's lines).
        result["properties"] = json!({
            "cell": cell,
            "cellRegion": region(finding.location, finding.end_location),
        });
    }
    // A syntax error comes from no rule: it has no `ruleId` (ruff writes
    // `null`, which SARIF's schema, and so GitHub code scanning, rejects).
    if let Some(code) = finding.code {
        result["ruleId"] = code.into();
        if let Some(index) = rules.iter().position(|rule| rule["id"] == code) {
            result["ruleIndex"] = index.into();
        }
    }
    // A notebook's fix changes JSON strings, not the lines shown: no
    // replacement is offered (`hybridize fix` applies it).
    if let (Some(fix), true, None) = (&finding.fix, finding.fix_applies, finding.cell) {
        let replacements: Vec<Value> = fix
            .edits
            .iter()
            .map(|edit| {
                json!({
                    "deletedRegion": region(edit.location, edit.end_location),
                    "insertedContent": { "text": edit.content },
                })
            })
            .collect();
        result["fixes"] = json!([{
            "description": {
                "text": format!(
                    "{} ({} fix)",
                    fix.message.as_deref().unwrap_or("Apply the fix"),
                    fix.applicability
                )
            },
            "artifactChanges": [{
                "artifactLocation": artifact,
                "replacements": replacements,
            }],
        }]);
    }
    result
}

/// A relative path as a URI reference: `/` kept, everything outside the
/// unreserved set percent-encoded.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn paths_become_uri_references() {
        assert_eq!(super::uri("src/my model/ü.py"), "src/my%20model/%C3%BC.py");
    }
}
