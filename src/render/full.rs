//! `full` (the default: each finding with its source line, help and note)
//! and `concise` (one line per finding).

use std::io::{self, Write};

use super::Emitter;
use crate::report::Finding;
use crate::source::escape_control;

pub struct Full {
    pub color: bool,
}

pub struct Concise {
    pub color: bool,
}

fn paint(color: bool, code: &str, text: &str) -> String {
    if color {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

/// `path:row:col: CODE [*] message` (`path:cell N:row:col: ...` in a
/// notebook), or for a syntax error, as in ruff,
/// `path:row:col: SyntaxError: ...`. Control characters in the file name
/// or the message are escaped: a finding is one line.
fn header(finding: &Finding, color: bool) -> String {
    let marker = if finding.fix_applies { " [*]" } else { "" };
    let place = format!(
        "{}:{}:",
        paint(color, "1", &escape_control(&finding.filename)),
        finding.place(),
    );
    let message = escape_control(&finding.message);
    match finding.code {
        Some(code) => format!("{place} {}{marker} {message}", paint(color, "1;31", code)),
        None => format!("{place} {message}"),
    }
}

/// A source line as shown under a finding: control characters other than
/// tabs become their Unicode pictures (`␀`, `␛`), one character each, so
/// that the carets below still line up.
fn printable(line: &str) -> String {
    line.chars()
        .map(|c| match u32::from(c) {
            code @ 0..=0x08 | code @ 0x0a..=0x1f => char::from_u32(0x2400 + code).unwrap_or(c),
            0x7f => '\u{2421}',
            _ => c,
        })
        .collect()
}

impl Emitter for Concise {
    fn emit(&self, out: &mut dyn Write, findings: &[Finding]) -> io::Result<()> {
        for finding in findings {
            writeln!(out, "{}", header(finding, self.color))?;
        }
        Ok(())
    }
}

impl Emitter for Full {
    fn emit(&self, out: &mut dyn Write, findings: &[Finding]) -> io::Result<()> {
        for finding in findings {
            writeln!(out, "{}", header(finding, self.color))?;
            let width = finding.end_location.row.to_string().len();
            let gutter = " ".repeat(width);
            writeln!(out, "{gutter} |")?;
            for (offset, line) in finding.lines.iter().enumerate() {
                let row = finding.location.row + offset;
                writeln!(out, "{row:>width$} | {}", printable(line))?;
            }
            // Underline the span on its first line.
            if let Some(first) = finding.lines.first() {
                let start = finding.location.column - 1;
                let line_chars = first.chars().count();
                let end = if finding.lines.len() == 1 {
                    (finding.end_location.column - 1).max(start + 1)
                } else {
                    line_chars.max(start + 1)
                };
                let pad: String = first
                    .chars()
                    .take(start)
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                let carets = paint(self.color, "31", &"^".repeat(end - start));
                match finding.code {
                    Some(code) => writeln!(out, "{gutter} | {pad}{carets} {code}")?,
                    None => writeln!(out, "{gutter} | {pad}{carets}")?,
                }
            }
            writeln!(out, "{gutter} |")?;
            if let Some(fix) = &finding.fix {
                let title = fix.message.as_deref().unwrap_or("Apply the fix");
                writeln!(out, "{gutter} = help: {title} ({} fix)", fix.applicability)?;
            }
            if let Some(note) = &finding.note {
                writeln!(out, "{gutter} = note: {note}")?;
            }
            writeln!(out)?;
        }
        Ok(())
    }
}
