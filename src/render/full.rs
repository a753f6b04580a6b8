//! `full` (the default: each finding with its source line, help and note)
//! and `concise` (one line per finding).

use std::io::{self, Write};

use super::Emitter;
use crate::report::Finding;

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

fn header(finding: &Finding, color: bool) -> String {
    let marker = if finding.fix_applies { " [*]" } else { "" };
    format!(
        "{}:{}:{}: {}{} {}",
        paint(color, "1", &finding.filename),
        finding.location.row,
        finding.location.column,
        paint(color, "1;31", finding.code),
        marker,
        finding.message
    )
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
                writeln!(out, "{row:>width$} | {line}")?;
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
                writeln!(out, "{gutter} | {pad}{carets} {}", finding.code)?;
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
