//! Suggested changes: each applicable Fix becomes the lines it spans in the
//! head file and the text those lines become. Fixes whose line spans
//! overlap are merged into one suggestion (GitHub could not commit both);
//! fixes that overlap byte for byte wait for a later run, exactly as they
//! do in `hybridize fix`.

use ruff_diagnostics::{Edit, Fix};
use ruff_source_file::{LineIndex, OneIndexed};
use ruff_text_size::{Ranged, TextSize};

use crate::apply::{apply_fixes, splice};
use crate::diagnostic::{applicability_name, Diagnostic};
use crate::report::FileReport;
use crate::settings::Settings;
use crate::source::display;

/// The findings one suggestion resolves.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub code: &'static str,
    pub name: &'static str,
    pub message: String,
    pub fix_title: Option<String>,
    pub safety: &'static str,
    pub row: usize,
    /// In a notebook: the cell `row` is a row of.
    pub cell: Option<usize>,
}

/// Lines `first..=last` (1-based) of `path` become `replacement`.
#[derive(Debug, Clone)]
pub struct Suggestion {
    pub path: String,
    pub first: usize,
    pub last: usize,
    /// The lines as they are, without the final line ending.
    pub original: String,
    /// What they become, without the final line ending.
    pub replacement: String,
    pub resolves: Vec<Resolved>,
}

/// Changes this run cannot suggest now, with the reason.
#[derive(Debug, Clone)]
pub struct Deferred {
    pub path: String,
    pub resolves: Resolved,
}

/// The suggestions for one file's applicable fixes, in order of line, and
/// the changes that wait on another. In a notebook, a suggestion is made
/// on the file's JSON lines; a change that cannot be one there (its cell's
/// source is one JSON string) is an `Err` with what it resolves.
#[allow(clippy::type_complexity)]
pub fn suggestions(
    report: &FileReport,
    settings: &Settings,
) -> (Vec<Result<Suggestion, Vec<Deferred>>>, Vec<Deferred>) {
    let Some(source) = report.source.as_deref() else {
        return (Vec::new(), Vec::new());
    };
    let notebook = crate::notebook::get(&report.path);
    let path = display(&report.path);
    let index = LineIndex::from_source_text(source);
    let applicable: Vec<&Diagnostic> = report
        .diagnostics
        .iter()
        .filter(|d| d.fix_applies(settings))
        .collect();
    let fixes: Vec<&Fix> = applicable.iter().filter_map(|d| d.fix.as_ref()).collect();
    let (_, chosen) = apply_fixes(source, &fixes);
    let resolved = |diagnostic: &Diagnostic| {
        let row = index.line_index(diagnostic.start()).get();
        let (row, cell, message) = match &notebook {
            Some(notebook) => {
                let place = notebook.place(row, 1);
                (
                    place.row,
                    Some(place.cell),
                    notebook.lines_in_cells(&diagnostic.message),
                )
            }
            None => (row, None, diagnostic.message.clone()),
        };
        Resolved {
            code: diagnostic.code,
            name: diagnostic.name,
            message,
            fix_title: diagnostic.fix_title.clone(),
            safety: diagnostic
                .fix
                .as_ref()
                .map_or("", |fix| applicability_name(fix.applicability())),
            row,
            cell,
        }
    };
    let deferred = (0..applicable.len())
        .filter(|i| !chosen.contains(i))
        .map(|i| Deferred {
            path: path.clone(),
            resolves: resolved(applicable[i]),
        })
        .collect();
    // Line spans of the chosen fixes, merged where they overlap.
    let mut spans: Vec<(usize, usize, Vec<usize>)> = chosen
        .iter()
        .map(|&i| {
            let (first, last) = line_span(&index, source, fixes[i].edits());
            (first, last, vec![i])
        })
        .collect();
    spans.sort_by_key(|&(first, last, _)| (first, last));
    let mut merged: Vec<(usize, usize, Vec<usize>)> = Vec::new();
    for (first, last, members) in spans {
        match merged.last_mut() {
            Some(previous) if first <= previous.1 => {
                previous.1 = previous.1.max(last);
                previous.2.extend(members);
            }
            _ => merged.push((first, last, members)),
        }
    }
    let suggestions = merged
        .into_iter()
        .map(|(first, last, members)| {
            let start = index.line_start(one_indexed(first), source);
            let end = index.line_end(one_indexed(last), source);
            let segment = &source[start.to_usize()..end.to_usize()];
            let mut edits: Vec<Edit> = members
                .iter()
                .flat_map(|&i| fixes[i].edits())
                .map(|edit| shift(edit, start))
                .collect();
            edits.sort_by_key(|edit| (edit.start(), edit.end()));
            let refs: Vec<&Edit> = edits.iter().collect();
            let replaced = splice(segment, &refs);
            let mut members = members;
            members.sort_unstable();
            let suggestion = Suggestion {
                path: path.clone(),
                first,
                last,
                original: strip_line_ending(segment).to_string(),
                replacement: strip_line_ending(&replaced).to_string(),
                resolves: members.iter().map(|&i| resolved(applicable[i])).collect(),
            };
            let Some(notebook) = &notebook else {
                return Ok(suggestion);
            };
            let fixed = format!(
                "{}{replaced}{}",
                &source[..start.to_usize()],
                &source[end.to_usize()..]
            );
            on_notebook_lines(notebook, &fixed, suggestion).map_err(|suggestion| {
                suggestion
                    .resolves
                    .into_iter()
                    .map(|resolves| Deferred {
                        path: path.clone(),
                        resolves,
                    })
                    .collect()
            })
        })
        .collect();
    (suggestions, deferred)
}

/// A notebook's suggestion (made on the module of its cells, which is
/// `fixed` once applied) as the lines of the notebook file it changes;
/// itself back when the change is not whole lines of the file.
fn on_notebook_lines(
    notebook: &crate::notebook::Notebook,
    fixed: &str,
    suggestion: Suggestion,
) -> Result<Suggestion, Suggestion> {
    if !notebook.changes_whole_lines(fixed) {
        return Err(suggestion);
    }
    let Ok(new) = notebook.rewrite(fixed) else {
        return Err(suggestion);
    };
    let old: Vec<&str> = notebook.file.split_inclusive('\n').collect();
    let new: Vec<&str> = new.split_inclusive('\n').collect();
    let prefix = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let room = old.len().min(new.len()) - prefix;
    let suffix = old
        .iter()
        .rev()
        .zip(new.iter().rev())
        .take(room)
        .take_while(|(a, b)| a == b)
        .count();
    // A suggestion replaces at least one line: an insertion takes the line
    // before it along.
    let first = if old.len() - suffix > prefix {
        prefix
    } else {
        prefix.saturating_sub(1)
    };
    let last = old.len() - suffix;
    if first >= last {
        return Err(suggestion);
    }
    Ok(Suggestion {
        first: first + 1,
        last,
        original: strip_line_ending(&old[first..last].concat()).to_string(),
        replacement: strip_line_ending(&new[first..new.len() - suffix].concat()).to_string(),
        ..suggestion
    })
}

fn one_indexed(row: usize) -> OneIndexed {
    OneIndexed::new(row).unwrap_or_default()
}

/// The first and last line an edit set touches. An edit that ends exactly
/// at the start of a line (it removes or replaces whole lines) does not
/// touch that line.
fn line_span(index: &LineIndex, source: &str, edits: &[Edit]) -> (usize, usize) {
    let mut first = usize::MAX;
    let mut last = 0;
    for edit in edits {
        let start_row = index.line_index(edit.start());
        let mut end_row = index.line_index(edit.end());
        if edit.end() > edit.start()
            && end_row > start_row
            && index.line_start(end_row, source) == edit.end()
        {
            end_row = end_row.saturating_sub(1);
        }
        first = first.min(start_row.get());
        last = last.max(end_row.get());
    }
    (first, last)
}

fn shift(edit: &Edit, by: TextSize) -> Edit {
    let content = edit.content().unwrap_or_default().to_string();
    Edit::replacement(content, edit.start() - by, edit.end() - by)
}

fn strip_line_ending(text: &str) -> &str {
    text.strip_suffix("\r\n")
        .or_else(|| text.strip_suffix('\n'))
        .unwrap_or(text)
}
