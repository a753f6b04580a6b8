//! Jupyter notebooks (`.ipynb`): a notebook is checked and fixed as the one
//! Python module its code cells make, in order ([`python`]). The rest of the
//! tool sees that module's text; this module maps its positions back to
//! cells (`nb.ipynb:cell 4:12:5`) and to the notebook file's own lines, and
//! writes a fixed module back by splicing each changed cell's new `source`
//! into the file's bytes ([`json`]): indentation, key order, outputs,
//! metadata and the final newline stay as they were.
//!
//! The notebooks read in a run are kept by path ([`get`]), so that the
//! sinks (renderers, diff, writer) can map what the run found.

mod json;
mod python;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use ruff_source_file::LineIndex;
use ruff_text_size::TextSize;

use crate::display::Location;
pub use python::CellSyntaxError;
use python::Module;

/// Whether `path` names a notebook.
pub fn is_notebook(path: &Path) -> bool {
    path.extension().is_some_and(|ext| ext == "ipynb")
}

/// One cell of the notebook file.
#[derive(Debug)]
struct Cell {
    code: bool,
    /// The decoded source.
    source: String,
    /// The bytes of the `source` value in the file.
    span: std::ops::Range<usize>,
    /// Whether the source is written as a list of lines (else one string).
    as_lines: bool,
    /// Each string of the source value: its span in the file and the byte
    /// offset of its text in the decoded source.
    strings: Vec<(std::ops::Range<usize>, usize)>,
}

/// A notebook as read, and the module of its code cells.
#[derive(Debug)]
pub struct Notebook {
    /// The file's text as read.
    pub file: String,
    cells: Vec<Cell>,
    module: Module,
    file_index: LineIndex,
}

/// Where a position of the module is in the notebook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CellPlace {
    /// The cell's 1-based position among all the notebook's cells.
    pub cell: usize,
    /// 1-based row and character column within the cell.
    pub row: usize,
    pub column: usize,
}

/// Why a notebook cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum NotebookError {
    #[error("not a Jupyter notebook: {0}")]
    NotJson(String),
    #[error("not a Jupyter notebook: {0}")]
    Shape(&'static str),
    #[error("nbformat {0} notebooks are not supported; convert with `jupyter nbconvert --to notebook --nbformat 4`")]
    OldFormat(u64),
}

fn registry() -> &'static Mutex<HashMap<PathBuf, Arc<Notebook>>> {
    static NOTEBOOKS: OnceLock<Mutex<HashMap<PathBuf, Arc<Notebook>>>> = OnceLock::new();
    NOTEBOOKS.get_or_init(Mutex::default)
}

/// Reads the notebook text `file` of `path`, keeps it for the sinks, and
/// returns the Python module of its code cells (empty for a notebook whose
/// kernel is not Python).
pub fn load(path: &Path, file: String) -> Result<String, NotebookError> {
    let notebook = Notebook::parse(file)?;
    let text = notebook.module.text.clone();
    if let Ok(mut notebooks) = registry().lock() {
        notebooks.insert(path.to_path_buf(), Arc::new(notebook));
    }
    Ok(text)
}

/// The notebook read from `path` in this run.
pub fn get(path: &Path) -> Option<Arc<Notebook>> {
    if !is_notebook(path) {
        return None;
    }
    registry().lock().ok()?.get(path).cloned()
}

/// Makes the notebook read from `from` known as `to` too (the review bot
/// names files by their path in the repository).
pub fn alias(from: &Path, to: &Path) {
    if let Some(notebook) = get(from) {
        if let Ok(mut notebooks) = registry().lock() {
            notebooks.insert(to.to_path_buf(), notebook);
        }
    }
}

/// Drops the notebook read from `path` (its findings are resolved and no
/// sink needs it any more).
pub fn forget(path: &Path) {
    if is_notebook(path) {
        if let Ok(mut notebooks) = registry().lock() {
            notebooks.remove(path);
        }
    }
}

impl Notebook {
    /// Locates the cells of a notebook file and builds their module.
    pub fn parse(file: String) -> Result<Self, NotebookError> {
        let value: serde_json::Value =
            serde_json::from_str(&file).map_err(|err| NotebookError::NotJson(err.to_string()))?;
        let format = value.get("nbformat").and_then(serde_json::Value::as_u64);
        match format {
            Some(4..) => {}
            Some(old) => return Err(NotebookError::OldFormat(old)),
            None => return Err(NotebookError::Shape("no `nbformat`")),
        }
        let language = value
            .pointer("/metadata/kernelspec/language")
            .or_else(|| value.pointer("/metadata/language_info/name"))
            .and_then(serde_json::Value::as_str);
        let python = language.is_none_or(|language| language.eq_ignore_ascii_case("python"));
        drop(value);
        let root = json::parse(&file).ok_or(NotebookError::Shape("unreadable JSON"))?;
        let Some(json::Node {
            value: json::Value::Array(items),
            ..
        }) = root.get("cells")
        else {
            return Err(NotebookError::Shape("no `cells` list"));
        };
        let mut cells = Vec::with_capacity(items.len());
        for item in items {
            let kind = item
                .get("cell_type")
                .and_then(|kind| kind.string(&file))
                .ok_or(NotebookError::Shape("a cell without `cell_type`"))?;
            let source = item
                .get("source")
                .ok_or(NotebookError::Shape("a cell without `source`"))?;
            let (text, as_lines, strings) = match &source.value {
                json::Value::String => {
                    let text = source
                        .string(&file)
                        .ok_or(NotebookError::Shape("a bad `source`"))?;
                    (text, false, vec![(source.span.clone(), 0)])
                }
                json::Value::Array(lines) => {
                    let mut text = String::new();
                    let mut strings = Vec::with_capacity(lines.len());
                    for line in lines {
                        let line_text = line
                            .string(&file)
                            .ok_or(NotebookError::Shape("a `source` line that is not a string"))?;
                        strings.push((line.span.clone(), text.len()));
                        text.push_str(&line_text);
                    }
                    (text, true, strings)
                }
                _ => return Err(NotebookError::Shape("a `source` that is not text")),
            };
            cells.push(Cell {
                code: kind == "code" && python,
                source: text,
                span: source.span.clone(),
                as_lines,
                strings,
            });
        }
        let code: Vec<(usize, &str)> = cells
            .iter()
            .enumerate()
            .filter(|(_, cell)| cell.code)
            .map(|(i, cell)| (i, cell.source.as_str()))
            .collect();
        let module = python::build(&code);
        let file_index = LineIndex::from_source_text(&file);
        Ok(Self {
            file,
            cells,
            module,
            file_index,
        })
    }

    /// The cells that do not parse.
    pub fn syntax_errors(&self) -> &[CellSyntaxError] {
        &self.module.syntax_errors
    }

    /// Where the module's 1-based `row` and character `column` are in the
    /// notebook. A row of a cell marker counts as the end of the cell before.
    pub fn place(&self, row: usize, column: usize) -> CellPlace {
        let segments = &self.module.segments;
        let at = segments
            .partition_point(|segment| segment.start_row <= row)
            .saturating_sub(1);
        match segments.get(at) {
            Some(segment) if row >= segment.start_row => CellPlace {
                cell: segment.cell + 1,
                row: (row - segment.start_row + 1).min(segment.rows.max(1)),
                column,
            },
            // Before the first cell (an import put at the very top).
            _ => CellPlace {
                cell: segments.first().map_or(1, |s| s.cell + 1),
                row: 1,
                column: 1,
            },
        }
    }

    /// The line `row` (1-based) of cell `cell` (1-based), without its ending.
    pub fn cell_line(&self, cell: usize, row: usize) -> &str {
        let Some(cell) = self.cells.get(cell.wrapping_sub(1)) else {
            return "";
        };
        cell.source
            .split_inclusive('\n')
            .nth(row.wrapping_sub(1))
            .map_or("", |line| line.trim_end_matches(['\n', '\r']))
    }

    /// Where a cell position is in the notebook file: the row and
    /// character column, and the row and 1-based byte column.
    pub fn file_location(&self, place: CellPlace) -> (Location, Location) {
        let Some(cell) = self.cells.get(place.cell.wrapping_sub(1)) else {
            return (
                Location { row: 1, column: 1 },
                Location { row: 1, column: 1 },
            );
        };
        // The byte offset in the decoded source.
        let mut offset = 0;
        for (i, line) in cell.source.split_inclusive('\n').enumerate() {
            if i + 1 == place.row {
                let body = line.trim_end_matches(['\n', '\r']);
                offset += body
                    .char_indices()
                    .nth(place.column.saturating_sub(1))
                    .map_or(body.len(), |(at, _)| at);
                break;
            }
            offset += line.len();
        }
        let at = cell
            .strings
            .partition_point(|(_, start)| *start <= offset)
            .saturating_sub(1);
        let in_file = match cell.strings.get(at) {
            Some((span, start)) => {
                span.start + json::raw_offset(&self.file[span.clone()], offset - start)
            }
            None => cell.span.start,
        };
        let in_file = TextSize::try_from(in_file).unwrap_or_default();
        let row = self.file_index.line_index(in_file);
        let line_start = self.file_index.line_start(row, &self.file);
        let characters = crate::display::location(&self.file_index, &self.file, in_file);
        (
            characters,
            Location {
                row: row.get(),
                column: (in_file - line_start).to_usize() + 1,
            },
        )
    }

    /// A message with each `line N` (or `lines N-M`) of the module, but not
    /// `line N of PATH` (another file's), written as the cell's: `cell C, line
    /// R` (`cell C, lines R-S`).
    pub fn lines_in_cells(&self, message: &str) -> String {
        let message = self.magics_named(message);
        let mut out = String::with_capacity(message.len() + 16);
        let mut rest = message.as_str();
        while let Some(at) = rest.find("line") {
            let word_start = at == 0 || !rest.as_bytes()[at - 1].is_ascii_alphanumeric();
            let word = if rest[at..].starts_with("lines ") {
                "lines "
            } else {
                "line "
            };
            let number = |text: &str| text.bytes().take_while(u8::is_ascii_digit).count();
            let first = &rest[at + word.len().min(rest.len() - at)..];
            let digits = number(first);
            let mut after = &first[digits..];
            let mut last = None;
            if word == "lines " && after.starts_with('-') && number(&after[1..]) > 0 {
                let end = number(&after[1..]);
                last = after[1..1 + end].parse::<usize>().ok();
                after = &after[1 + end..];
            }
            if !word_start
                || digits == 0
                || !rest[at..].starts_with(word)
                || after.starts_with(" of ")
            {
                out.push_str(&rest[..at + 4]);
                rest = &rest[at + 4..];
                continue;
            }
            let place = self.place(first[..digits].parse().unwrap_or(1), 1);
            out.push_str(&rest[..at]);
            match last.map(|row| self.place(row, 1)) {
                Some(end) if end.cell == place.cell => out.push_str(&format!(
                    "cell {}, lines {}-{}",
                    place.cell, place.row, end.row
                )),
                _ => out.push_str(&format!("cell {}, {word}{}", place.cell, place.row)),
            }
            rest = after;
        }
        out.push_str(rest);
        out
    }

    /// A message that names the call a magic stands for (``calls
    /// `get_ipython` at line N``) names the magic instead: ``runs the
    /// IPython line `%time f()` at line N``.
    fn magics_named(&self, message: &str) -> String {
        const CALL: &str = "calls `get_ipython` at line ";
        let Some(at) = message.find(CALL) else {
            return message.to_string();
        };
        let digits = message[at + CALL.len()..]
            .bytes()
            .take_while(u8::is_ascii_digit)
            .count();
        let row: usize = message[at + CALL.len()..at + CALL.len() + digits]
            .parse()
            .unwrap_or(0);
        let Some(magic) = self.module.magic_at(row) else {
            return message.to_string();
        };
        format!(
            "{}runs the IPython line `{}` at line {row}{}",
            &message[..at],
            magic.trim(),
            &message[at + CALL.len() + digits..]
        )
    }

    /// The notebook file with the code cells of `fixed` (a fixed version of
    /// the module) spliced in: only changed cells' `source` values change.
    pub fn rewrite(&self, fixed: &str) -> Result<String, python::SplitError> {
        let sources = self.module.split(fixed)?;
        let mut out = String::with_capacity(self.file.len() + 256);
        let mut copied = 0;
        for (segment, source) in self.module.segments.iter().zip(sources) {
            let cell = &self.cells[segment.cell];
            let Some(source) = source.filter(|source| *source != cell.source) else {
                continue;
            };
            out.push_str(&self.file[copied..cell.span.start]);
            out.push_str(&self.source_value(cell, &source));
            copied = cell.span.end;
        }
        out.push_str(&self.file[copied..]);
        Ok(out)
    }

    /// The JSON of a new `source`, written as the old one was: one string,
    /// or a list of lines laid out as the old list.
    fn source_value(&self, cell: &Cell, source: &str) -> String {
        if !cell.as_lines {
            return json::quote(source);
        }
        let old = &self.file[cell.span.clone()];
        let (first, between, last) = match cell.strings.as_slice() {
            [] => {
                // An empty list: one level deeper than the line of its key.
                let row = self
                    .file_index
                    .line_index(TextSize::try_from(cell.span.start).unwrap_or_default());
                let line = &self.file[self.file_index.line_range(row, &self.file)];
                let indent = &line[..line.len() - line.trim_start().len()];
                let newline = if line.ends_with("\r\n") { "\r\n" } else { "\n" };
                (
                    format!("{newline}{indent} "),
                    format!("{newline}{indent} "),
                    format!("{newline}{indent}"),
                )
            }
            strings => {
                let first_start = strings[0].0.start - cell.span.start;
                let last_end = strings[strings.len() - 1].0.end - cell.span.start;
                let first = old[1..first_start].to_string();
                let last = old[last_end..old.len() - 1].to_string();
                let between = match strings.get(1) {
                    Some((second, _)) => {
                        let gap = &self.file[strings[0].0.end..second.start];
                        gap.trim_start_matches([' ', '\t'])
                            .trim_start_matches(',')
                            .to_string()
                    }
                    None => first.clone(),
                };
                (first, between, last)
            }
        };
        if source.is_empty() {
            return "[]".to_string();
        }
        let lines: Vec<String> = source.split_inclusive('\n').map(json::quote).collect();
        format!("[{first}{}{last}]", lines.join(&format!(",{between}")))
    }

    /// Whether every changed cell of `fixed` writes its source as a list
    /// of lines (so that a change is whole lines of the file).
    pub fn changes_whole_lines(&self, fixed: &str) -> bool {
        let Ok(sources) = self.module.split(fixed) else {
            return false;
        };
        self.module
            .segments
            .iter()
            .zip(sources)
            .all(|(segment, source)| {
                let cell = &self.cells[segment.cell];
                cell.as_lines || source.is_none_or(|source| source == cell.source)
            })
    }

    /// Per changed code cell: its 1-based number, old source and new source.
    pub fn changed_cells(
        &self,
        fixed: &str,
    ) -> Result<Vec<(usize, &str, String)>, python::SplitError> {
        let sources = self.module.split(fixed)?;
        Ok(self
            .module
            .segments
            .iter()
            .zip(sources)
            .filter_map(|(segment, source)| {
                let cell = &self.cells[segment.cell];
                let source = source.filter(|source| *source != cell.source)?;
                Some((segment.cell + 1, cell.source.as_str(), source))
            })
            .collect())
    }
}

/// The text to write for a file whose module was `source` and is now
/// `fixed`: for a notebook read in this run, the file as read and the file
/// with the changed cells spliced in; for any other file, the texts as
/// they are.
pub fn file_texts(
    path: &Path,
    source: &str,
    fixed: &str,
) -> Result<(String, String), crate::write::WriteError> {
    let Some(notebook) = get(path) else {
        return Ok((source.to_string(), fixed.to_string()));
    };
    match notebook.rewrite(fixed) {
        Ok(new) => Ok((notebook.file.clone(), new)),
        Err(err) => Err(crate::write::WriteError::Io {
            path: crate::display::shown(path),
            reason: format!("internal error: {err}; notebook left unchanged. Please report this."),
        }),
    }
}

/// The diff a user reads for a file: for a notebook, one unified diff per
/// changed cell, headed `a/PATH (cell N)`, over the cell's source; else the
/// file's unified diff.
pub fn unified_diff(path: &Path, source: &str, fixed: &str) -> String {
    let shown = crate::display::display(path);
    let Some(notebook) = get(path) else {
        return crate::diff::unified_diff(&shown, source, fixed);
    };
    match notebook.changed_cells(fixed) {
        Ok(cells) => cells
            .iter()
            .map(|(cell, old, new)| {
                let similar = similar::TextDiff::configure()
                    .algorithm(similar::Algorithm::Myers)
                    .diff_lines(*old, new.as_str());
                let mut unified = similar.unified_diff();
                unified.context_radius(3).header(
                    &format!("a/{shown} (cell {cell})"),
                    &format!("b/{shown} (cell {cell})"),
                );
                unified.to_string()
            })
            .collect(),
        Err(err) => {
            format!("# {shown}: internal error: {err}; no diff shown. Please report this.\n")
        }
    }
}

/// Where row `row` and column `column` of the module read from `path` are,
/// as a user reads it: `cell N:ROW:COL` in a notebook, else `ROW:COL`.
pub fn place_text(path: &Path, row: usize, column: usize) -> String {
    match get(path) {
        Some(notebook) => {
            let place = notebook.place(row, column);
            format!("cell {}:{}:{}", place.cell, place.row, place.column)
        }
        None => format!("{row}:{column}"),
    }
}

/// A message about the module read from `path` with its line numbers
/// written as cells' ([`Notebook::lines_in_cells`]); else as it is.
pub fn message_text(path: &Path, message: &str) -> String {
    match get(path) {
        Some(notebook) => notebook.lines_in_cells(message),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "{\n \"cells\": [\n  {\n   \"cell_type\": \"code\",\n   \"source\": [\n    \"import tensorflow as tf\\n\",\n    \"x = 1\"\n   ]\n  },\n  {\n   \"cell_type\": \"markdown\",\n   \"source\": \"# Title\"\n  },\n  {\n   \"cell_type\": \"code\",\n   \"source\": []\n  },\n  {\n   \"cell_type\": \"code\",\n   \"source\": \"y = 2\\r\\n\"\n  }\n ],\n \"metadata\": {},\n \"nbformat\": 4,\n \"nbformat_minor\": 5\n}";

    #[test]
    fn unchanged_text_gives_the_same_bytes() {
        let notebook = Notebook::parse(FILE.to_string()).unwrap();
        assert_eq!(notebook.rewrite(&notebook.module.text).unwrap(), FILE);
    }

    #[test]
    fn changed_cells_keep_their_representation() {
        let notebook = Notebook::parse(FILE.to_string()).unwrap();
        let fixed = notebook
            .module
            .text
            .replace("x = 1\r\n", "x = 2\r\nz = 3\r\n")
            .replace(
                "# <hybridize cell 3>\r\n",
                "# <hybridize cell 3>\r\nw = 4\r\n",
            )
            .replace("y = 2", "y = 5");
        let new = notebook.rewrite(&fixed).unwrap();
        let value: serde_json::Value = serde_json::from_str(&new).unwrap();
        assert_eq!(
            value["cells"][0]["source"],
            serde_json::json!(["import tensorflow as tf\n", "x = 2\r\n", "z = 3"])
        );
        // An empty list is laid out one level below its key.
        assert!(
            new.contains("\"source\": [\n    \"w = 4\\r\\n\"\n   ]"),
            "{new}"
        );
        assert_eq!(value["cells"][3]["source"], "y = 5\r\n");
        assert_eq!(value["cells"][1]["source"], "# Title");
        assert!(new.ends_with("\n}"));
    }

    #[test]
    fn places_are_rows_of_cells_and_lines_of_the_file() {
        let notebook = Notebook::parse(FILE.to_string()).unwrap();
        // Row 3 of the module is `x = 1`, the second line of cell 1.
        let place = notebook.place(3, 3);
        assert_eq!((place.cell, place.row, place.column), (1, 2, 3));
        let (characters, bytes) = notebook.file_location(place);
        assert_eq!((characters.row, characters.column), (7, 8));
        assert_eq!((bytes.row, bytes.column), (7, 8));
        let place = notebook.place(6, 1);
        assert_eq!((place.cell, place.row), (4, 1));
        assert_eq!(
            notebook.lines_in_cells("at line 6 and lines 2-3, line 9 of a.py"),
            "at cell 4, line 1 and cell 1, lines 1-2, line 9 of a.py"
        );
    }

    #[test]
    fn a_stray_or_lost_marker_is_refused() {
        let notebook = Notebook::parse(FILE.to_string()).unwrap();
        let fixed = notebook.module.text.replace("# <hybridize cell 4>\r\n", "");
        assert!(notebook.rewrite(&fixed).is_err());
    }
}
