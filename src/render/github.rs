//! `github`: GitHub Actions workflow commands, one annotation per finding
//! (`::warning file=...,line=...::message`), escaped as the Actions toolkit
//! escapes them so that a `%`, a newline, a `:` or a `,` cannot end a field
//! early.

use std::io::{self, Write};

use super::Emitter;
use crate::report::Finding;

pub struct Github;

impl Emitter for Github {
    fn emit(&self, out: &mut dyn Write, findings: &[Finding]) -> io::Result<()> {
        for finding in findings {
            let (command, title) = match (finding.code, finding.name) {
                (Some(code), Some(name)) if finding.is_informational() => {
                    ("notice", format!("{code} ({name})"))
                }
                (Some(code), Some(name)) => ("warning", format!("{code} ({name})")),
                // A syntax error: the file could not be checked.
                _ => ("error", "SyntaxError".to_string()),
            };
            let mut message = finding.message.clone();
            if let Some(cell) = finding.cell {
                // The annotation sits on the notebook file's line; the
                // message says where in the cell.
                message = format!(
                    "cell {cell}:{}:{}: {message}",
                    finding.location.row, finding.location.column
                );
            }
            if let Some(fix) = &finding.fix {
                let title = fix.message.as_deref().unwrap_or("Apply the fix");
                message.push_str(&format!("\nhelp: {title} ({} fix)", fix.applicability));
            }
            if let Some(note) = &finding.note {
                message.push_str(&format!("\nnote: {note}"));
            }
            let span = finding.file_locations();
            writeln!(
                out,
                "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
                escape_property(&finding.filename),
                span.location.row,
                span.location.column,
                span.end_location.row,
                span.end_location.column,
                escape_property(&title),
                escape_data(&message),
            )?;
        }
        Ok(())
    }
}

/// Escapes a command's message (`escapeData` in `@actions/core`).
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property's value (`escapeProperty` in `@actions/core`).
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_and_properties_are_escaped_like_the_actions_toolkit() {
        assert_eq!(escape_data("50% a\r\nb: c,d"), "50%25 a%0D%0Ab: c,d");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
