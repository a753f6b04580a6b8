//! Renderers see only reports: findings, their fixes, and file texts. A new
//! output format is a new [`Emitter`]; nothing else changes.

mod full;
mod github;
mod json;
mod rdjson;
mod sarif;

use std::io::{self, Write};

use ruff_source_file::LineIndex;
use ruff_text_size::Ranged;
use serde::Serialize;

use crate::diagnostic::{applicability_name, Diagnostic};
use crate::run::FileReport;
use crate::settings::Settings;
use crate::source::{display, location, Location};

pub use full::{Concise, Full};
pub use github::Github;
pub use json::{Json, JsonLines};
pub use rdjson::{Rdjson, Rdjsonl};
pub use sarif::Sarif;

/// Writes the findings of a run in one output format.
pub trait Emitter {
    fn emit(&self, out: &mut dyn Write, findings: &[Finding]) -> io::Result<()>;
}

/// A finding with positions resolved to rows and columns, ready to print.
/// Its JSON form is ruff's, plus `function` (and `note`).
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub code: &'static str,
    pub name: &'static str,
    pub message: String,
    pub filename: String,
    pub location: Location,
    pub end_location: Location,
    pub function: Option<String>,
    pub fix: Option<FixView>,
    pub note: Option<String>,
    pub noqa_row: usize,
    pub url: Option<String>,
    /// The source lines the finding spans (for the full format), and
    /// whether its fix will be applied with the current settings.
    #[serde(skip)]
    pub lines: Vec<String>,
    #[serde(skip)]
    pub fix_applies: bool,
    /// The span again with 1-based UTF-8 byte columns (end exclusive), for
    /// formats that count bytes (rdjson).
    #[serde(skip)]
    pub byte_location: Location,
    #[serde(skip)]
    pub byte_end_location: Location,
}

impl Finding {
    /// Informational findings (`HY1xx`: why a candidate was left as it is)
    /// are notes; the others are warnings.
    pub fn is_informational(&self) -> bool {
        crate::diagnostic::is_informational(self.code)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct FixView {
    pub applicability: &'static str,
    pub message: Option<String>,
    pub edits: Vec<EditView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EditView {
    pub content: String,
    pub location: Location,
    pub end_location: Location,
    /// The same positions with 1-based UTF-8 byte columns.
    #[serde(skip)]
    pub byte_location: Location,
    #[serde(skip)]
    pub byte_end_location: Location,
}

/// Resolves every finding of every file, in file order (a report of
/// [`crate::run::Mode::Report`] brings its own).
pub fn findings(reports: &mut [FileReport], settings: &Settings) -> Vec<Finding> {
    let mut out = Vec::new();
    for report in reports {
        if report.findings.is_empty() {
            out.extend(file_findings(report, settings));
        } else {
            out.append(&mut report.findings);
        }
    }
    out
}

/// Resolves the findings of one file (none without its text).
pub fn file_findings(report: &FileReport, settings: &Settings) -> Vec<Finding> {
    let Some(source) = &report.source else {
        return Vec::new();
    };
    if report.diagnostics.is_empty() {
        return Vec::new();
    }
    let index = LineIndex::from_source_text(source);
    let filename = display(&report.path);
    report
        .diagnostics
        .iter()
        .map(|diagnostic| finding(&filename, source, &index, diagnostic, settings))
        .collect()
}

fn finding(
    filename: &str,
    source: &str,
    index: &LineIndex,
    diagnostic: &Diagnostic,
    settings: &Settings,
) -> Finding {
    let start = location(index, source, diagnostic.start());
    let end = location(index, source, diagnostic.end());
    let lines = (start.row..=end.row)
        .map(|row| {
            let range = index.line_range(
                ruff_source_file::OneIndexed::new(row).unwrap_or_default(),
                source,
            );
            source[range].trim_end_matches(['\n', '\r']).to_string()
        })
        .collect();
    let fix = diagnostic.fix.as_ref().map(|fix| FixView {
        applicability: applicability_name(fix.applicability()),
        message: diagnostic.fix_title.clone(),
        edits: fix
            .edits()
            .iter()
            .map(|edit| EditView {
                content: edit.content().unwrap_or_default().to_string(),
                location: location(index, source, edit.start()),
                end_location: location(index, source, edit.end()),
                byte_location: byte_location(index, source, edit.start()),
                byte_end_location: byte_location(index, source, edit.end()),
            })
            .collect(),
    });
    Finding {
        code: diagnostic.code,
        name: diagnostic.name,
        message: diagnostic.message.clone(),
        filename: filename.to_string(),
        location: start,
        end_location: end,
        function: diagnostic.function.clone(),
        fix_applies: diagnostic.fix_applies(settings),
        fix,
        note: diagnostic.note.clone(),
        noqa_row: start.row,
        url: None,
        lines,
        byte_location: byte_location(index, source, diagnostic.start()),
        byte_end_location: byte_location(index, source, diagnostic.end()),
    }
}

/// The 1-based row and 1-based UTF-8 byte column of `offset`.
fn byte_location(index: &LineIndex, source: &str, offset: ruff_text_size::TextSize) -> Location {
    let row = index.line_index(offset);
    Location {
        row: row.get(),
        column: (offset - index.line_start(row, source)).to_usize() + 1,
    }
}
