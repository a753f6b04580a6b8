//! What a run produces for each file, and the findings resolved from it:
//! plain data that the runner fills and the commands, renderers, review bot
//! and interactive loop read.

use std::path::PathBuf;

use ruff_source_file::LineIndex;
use ruff_text_size::{Ranged, TextRange};
use serde::Serialize;

use crate::diagnostic::{applicability_name, Diagnostic, FixBudget};
use crate::settings::Settings;
use crate::source::{display, location, Location, SourceError};

/// What happened to one file.
#[derive(Debug, Default)]
pub struct FileReport {
    pub path: PathBuf,
    /// The text as read, kept only when there is something to show.
    pub source: Option<String>,
    /// Findings against the text as read.
    pub diagnostics: Vec<Diagnostic>,
    /// Functions judged and left eager whose refusals are not printed
    /// (they do no tensor work; `--show-refusals` prints them).
    pub functions_left_quietly: usize,
    /// The text after all applicable fixes, when it differs from the source.
    pub fixed: Option<String>,
    /// The code of every fix applied, over all passes.
    pub applied: Vec<&'static str>,
    /// The fixes of reported findings not applied (yet): what a later round
    /// of the run may still apply.
    pub unapplied: FixBudget,
    /// Why the file could not be checked.
    pub error: Option<SourceError>,
    /// Bugs in this tool met while fixing the file (a fix that broke the code).
    pub internal_errors: Vec<String>,
    /// The findings, resolved, when a [`ReportSink`] resolved them early
    /// ([`ResolveFindings`]: `source` is then not kept, and `diagnostics`
    /// are emptied).
    pub findings: Vec<Finding>,
}

/// What a command does with each file's report the moment the run has made
/// it final, on the worker thread that made it. A sink that keeps only what
/// it will show lets a large run drop each file's text as soon as the file
/// is done, instead of holding every text until the end.
pub trait ReportSink: Sync {
    fn file_done(&self, report: &mut FileReport);
}

/// A closure is a sink: `&|report: &mut FileReport| report.source = None`.
impl<F: Fn(&mut FileReport) + Sync> ReportSink for F {
    fn file_done(&self, report: &mut FileReport) {
        self(report)
    }
}

/// Keeps every report whole (for commands that need the texts: diffs,
/// suggestions, questions).
pub struct KeepReports;

impl ReportSink for KeepReports {
    fn file_done(&self, _report: &mut FileReport) {}
}

/// Resolves each report's findings and drops its text and diagnostics.
pub struct ResolveFindings<'a>(pub &'a Settings);

impl ReportSink for ResolveFindings<'_> {
    fn file_done(&self, report: &mut FileReport) {
        report.findings = file_findings(report, self.0);
        report.diagnostics = Vec::new();
        report.source = None;
        crate::notebook::forget(&report.path);
    }
}

/// A finding with positions resolved to rows and columns, ready to print.
/// Its JSON form is ruff's, plus `function` (and `note`). A syntax error is
/// a finding without a code or name, as in ruff: its message starts with
/// `SyntaxError: `.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub code: Option<&'static str>,
    pub name: Option<&'static str>,
    pub message: String,
    pub filename: String,
    /// In a notebook: the cell (1-based, among all cells) that `location`
    /// and `end_location` are rows and columns of.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell: Option<usize>,
    pub location: Location,
    pub end_location: Location,
    pub function: Option<String>,
    pub fix: Option<FixView>,
    pub note: Option<String>,
    pub noqa_row: Option<usize>,
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
    /// In a notebook: the span in the notebook file's own lines, for
    /// formats that annotate the file (github, sarif, rdjson).
    #[serde(skip)]
    pub file_span: Option<FileSpan>,
}

/// A finding's span in a notebook file: rows of the file, with character
/// and byte columns.
#[derive(Debug, Clone, Copy)]
pub struct FileSpan {
    pub location: Location,
    pub end_location: Location,
    pub byte_location: Location,
    pub byte_end_location: Location,
}

impl Finding {
    /// Where the finding is in the file: for a notebook, `cell N:ROW:COL`
    /// within the cell (after `path:`); else `ROW:COL`.
    pub fn place(&self) -> String {
        match self.cell {
            Some(cell) => format!("cell {cell}:{}:{}", self.location.row, self.location.column),
            None => format!("{}:{}", self.location.row, self.location.column),
        }
    }

    /// The span in the file's own lines (character columns, then byte
    /// columns): a notebook's JSON lines, or the finding's span.
    pub fn file_locations(&self) -> FileSpan {
        self.file_span.unwrap_or(FileSpan {
            location: self.location,
            end_location: self.end_location,
            byte_location: self.byte_location,
            byte_end_location: self.byte_end_location,
        })
    }

    /// Informational findings (`HY1xx`: why a candidate was left as it is)
    /// are notes; the others are warnings.
    pub fn is_informational(&self) -> bool {
        self.code.is_some_and(crate::diagnostic::is_informational)
    }

    /// Whether the finding is a file's syntax error rather than a codemod's.
    pub fn is_syntax_error(&self) -> bool {
        self.code.is_none()
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
    /// In a notebook: the cell the positions are in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell: Option<usize>,
    pub location: Location,
    pub end_location: Location,
    /// The same positions with 1-based UTF-8 byte columns.
    #[serde(skip)]
    pub byte_location: Location,
    #[serde(skip)]
    pub byte_end_location: Location,
}

/// Resolves every finding of every file, in file order (a report that
/// [`ResolveFindings`] saw brings its own).
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

/// Resolves the findings of one file (none without its text): its syntax
/// error, or its codemods' findings.
pub fn file_findings(report: &FileReport, settings: &Settings) -> Vec<Finding> {
    if let Some(notebook) = crate::notebook::get(&report.path) {
        return notebook_findings(report, settings, &notebook);
    }
    let Some(source) = &report.source else {
        return Vec::new();
    };
    let syntax_error = match &report.error {
        Some(SourceError::Syntax { message, range, .. }) => Some((message, *range)),
        _ => None,
    };
    if report.diagnostics.is_empty() && syntax_error.is_none() {
        return Vec::new();
    }
    let index = LineIndex::from_source_text(source);
    let filename = display(&report.path);
    if let Some((message, range)) = syntax_error {
        return vec![syntax_error_finding(
            &filename, source, &index, message, range,
        )];
    }
    report
        .diagnostics
        .iter()
        .map(|diagnostic| finding(&filename, source, &index, diagnostic, settings))
        .collect()
}

/// A syntax error as ruff reports one: no code, no name, no `noqa` row, and
/// the message `SyntaxError: ...`.
fn syntax_error_finding(
    filename: &str,
    source: &str,
    index: &LineIndex,
    message: &str,
    range: TextRange,
) -> Finding {
    let start = location(index, source, range.start());
    let end = location(index, source, range.end());
    Finding {
        code: None,
        name: None,
        message: format!("SyntaxError: {message}"),
        filename: filename.to_string(),
        location: start,
        end_location: end,
        function: None,
        fix: None,
        note: None,
        noqa_row: None,
        url: None,
        lines: source_lines(index, source, start, end),
        fix_applies: false,
        byte_location: byte_location(index, source, range.start()),
        byte_end_location: byte_location(index, source, range.end()),
        file_span: None,
        cell: None,
    }
}

/// The source lines from `start`'s row to `end`'s, without line endings.
fn source_lines(index: &LineIndex, source: &str, start: Location, end: Location) -> Vec<String> {
    (start.row..=end.row)
        .map(|row| {
            let range = index.line_range(
                ruff_source_file::OneIndexed::new(row).unwrap_or_default(),
                source,
            );
            source[range].trim_end_matches(['\n', '\r']).to_string()
        })
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
    let lines = source_lines(index, source, start, end);
    let fix = diagnostic.fix.as_ref().map(|fix| FixView {
        applicability: applicability_name(fix.applicability()),
        message: diagnostic.fix_title.clone(),
        edits: fix
            .edits()
            .iter()
            .map(|edit| EditView {
                content: edit.content().unwrap_or_default().to_string(),
                cell: None,
                location: location(index, source, edit.start()),
                end_location: location(index, source, edit.end()),
                byte_location: byte_location(index, source, edit.start()),
                byte_end_location: byte_location(index, source, edit.end()),
            })
            .collect(),
    });
    Finding {
        code: Some(diagnostic.code),
        name: Some(diagnostic.name),
        message: diagnostic.message.clone(),
        filename: filename.to_string(),
        location: start,
        end_location: end,
        function: diagnostic.function.clone(),
        fix_applies: diagnostic.fix_applies(settings),
        fix,
        note: diagnostic.note.clone(),
        noqa_row: Some(start.row),
        url: None,
        lines,
        byte_location: byte_location(index, source, diagnostic.start()),
        byte_end_location: byte_location(index, source, diagnostic.end()),
        file_span: None,
        cell: None,
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

/// The findings of a notebook: each cell that does not parse, then the
/// findings of the module of its code cells, with positions in cells.
fn notebook_findings(
    report: &FileReport,
    settings: &Settings,
    notebook: &crate::notebook::Notebook,
) -> Vec<Finding> {
    let filename = display(&report.path);
    let mut out: Vec<Finding> = notebook
        .syntax_errors()
        .iter()
        .map(|error| {
            let start = CellPlace {
                cell: error.cell + 1,
                row: error.row,
                column: error.column,
            };
            let end = CellPlace {
                cell: error.cell + 1,
                row: error.end_row,
                column: error.end_column,
            };
            let mut finding = Finding {
                code: None,
                name: None,
                message: format!("SyntaxError: {}", error.message),
                filename: filename.clone(),
                cell: None,
                location: Location { row: 1, column: 1 },
                end_location: Location { row: 1, column: 1 },
                function: None,
                fix: None,
                note: Some("the cell is left as it is; the other cells are checked".to_string()),
                noqa_row: None,
                url: None,
                lines: Vec::new(),
                fix_applies: false,
                byte_location: Location { row: 1, column: 1 },
                byte_end_location: Location { row: 1, column: 1 },
                file_span: None,
            };
            in_cells(&mut finding, notebook, start, end);
            finding
        })
        .collect();
    let Some(source) = &report.source else {
        return out;
    };
    let index = LineIndex::from_source_text(source);
    let mut module_findings = match &report.error {
        Some(SourceError::Syntax { message, range, .. }) => {
            vec![syntax_error_finding(
                &filename, source, &index, message, *range,
            )]
        }
        _ => report
            .diagnostics
            .iter()
            .map(|diagnostic| finding(&filename, source, &index, diagnostic, settings))
            .collect(),
    };
    for finding in &mut module_findings {
        let start = notebook.place(finding.location.row, finding.location.column);
        let mut end = notebook.place(finding.end_location.row, finding.end_location.column);
        if end.cell != start.cell {
            end = start;
        }
        if let Some(fix) = &mut finding.fix {
            for edit in &mut fix.edits {
                let edit_start = notebook.place(edit.location.row, edit.location.column);
                let edit_end = notebook.place(edit.end_location.row, edit.end_location.column);
                edit.cell = Some(edit_start.cell);
                edit.location = cell_location(notebook, edit_start);
                edit.end_location = cell_location(notebook, edit_end);
                edit.byte_location = cell_byte_location(notebook, edit_start);
                edit.byte_end_location = cell_byte_location(notebook, edit_end);
            }
        }
        in_cells(finding, notebook, start, end);
        finding.message = notebook.lines_in_cells(&finding.message);
        finding.note = finding
            .note
            .as_deref()
            .map(|note| notebook.lines_in_cells(note));
    }
    out.append(&mut module_findings);
    out
}

use crate::notebook::{CellPlace, Notebook};

/// Moves a finding's positions to `start` and `end` in a notebook's cells.
fn in_cells(finding: &mut Finding, notebook: &Notebook, start: CellPlace, end: CellPlace) {
    finding.cell = Some(start.cell);
    finding.location = cell_location(notebook, start);
    finding.end_location = cell_location(notebook, end);
    finding.byte_location = cell_byte_location(notebook, start);
    finding.byte_end_location = cell_byte_location(notebook, end);
    if finding.noqa_row.is_some() {
        finding.noqa_row = Some(start.row);
    }
    finding.lines = (start.row..=end.row.max(start.row))
        .map(|row| notebook.cell_line(start.cell, row).to_string())
        .collect();
    let (file_start, file_byte_start) = notebook.file_location(start);
    let (file_end, file_byte_end) = notebook.file_location(end);
    finding.file_span = Some(FileSpan {
        location: file_start,
        end_location: file_end,
        byte_location: file_byte_start,
        byte_end_location: file_byte_end,
    });
}

/// A cell position with its column kept within the cell's line (a magic's
/// placeholder may be longer than the magic).
fn cell_location(notebook: &Notebook, place: CellPlace) -> Location {
    let line = notebook.cell_line(place.cell, place.row);
    Location {
        row: place.row,
        column: place.column.min(line.chars().count() + 1),
    }
}

/// A cell position with a 1-based UTF-8 byte column.
fn cell_byte_location(notebook: &Notebook, place: CellPlace) -> Location {
    let line = notebook.cell_line(place.cell, place.row);
    let column = line
        .char_indices()
        .nth(place.column.saturating_sub(1))
        .map_or(line.len(), |(at, _)| at);
    Location {
        row: place.row,
        column: column + 1,
    }
}
