//! The Python module a notebook's code cells make, in order, and the way
//! back from a fixed module to each cell's new source.
//!
//! Each code cell is preceded by a marker line (`# <hybridize cell N>`), so
//! that the cells can be found again in a fixed text whatever the fixes
//! inserted. IPython magics and shell escapes (`%time f()`, `!pip install`,
//! `x = !ls`, `obj?`) are not Python: each such line becomes a placeholder
//! with the same indentation that calls `get_ipython()` (so that the
//! analysis sees a side effect it cannot move into a graph) and names the
//! magic it stands for; continuation lines become comments. A cell that
//! starts with a cell magic (`%%time`), or that does not parse, is opaque:
//! one comment line per line, never changed. Every placeholder keeps the
//! cell's rows, so a position in the module is a row and column of a cell.

use std::ops::Range;

/// One code cell's part of the module.
#[derive(Debug, Clone)]
pub struct Segment {
    /// Index of the cell in the notebook (0-based).
    pub cell: usize,
    /// The module's row of the cell's first line (1-based).
    pub start_row: usize,
    /// How many rows the cell has in the module.
    pub rows: usize,
    /// Whether the cell stands in the module as comments only.
    pub opaque: bool,
    /// Whether a line ending was added after the cell's last line.
    pub added_newline: bool,
    /// The magics of the cell: indexes into [`Module::magics`].
    pub magics: Range<usize>,
    /// The cell's text in the module.
    pub text: String,
}

/// An IPython line, as written.
#[derive(Debug, Clone)]
pub struct Magic {
    pub line: String,
    /// Whether it continues a magic of the line before (after a `\`).
    pub continuation: bool,
}

/// A cell that does not parse.
#[derive(Debug, Clone)]
pub struct CellSyntaxError {
    pub cell: usize,
    /// 1-based row and character column in the cell.
    pub row: usize,
    pub column: usize,
    pub end_row: usize,
    pub end_column: usize,
    pub message: String,
}

/// The module of a notebook's code cells.
#[derive(Debug, Default)]
pub struct Module {
    pub text: String,
    pub segments: Vec<Segment>,
    pub magics: Vec<Magic>,
    pub syntax_errors: Vec<CellSyntaxError>,
    pub newline: &'static str,
    /// The start of a cell's marker line (`# <hybridize cell `), and of a
    /// magic's placeholder comment: with a number in the tag when a cell's
    /// own text holds the plain one, so that no line of a cell can be taken
    /// for the tool's own.
    cell_marker: String,
    magic_marker: String,
}

const MAGIC_CALL: &str = "get_ipython()  ";

/// Builds the module of `cells` (index in the notebook, source), in order.
pub fn build(cells: &[(usize, &str)]) -> Module {
    let newline = if cells.iter().any(|(_, source)| source.contains("\r\n")) {
        "\r\n"
    } else {
        "\n"
    };
    let mut tag = "hybridize".to_string();
    let mut attempt = 0;
    while cells
        .iter()
        .any(|(_, source)| source.contains(&format!("<{tag} ")))
    {
        attempt += 1;
        tag = format!("hybridize-{attempt}");
    }
    let mut module = Module {
        newline,
        cell_marker: format!("# <{tag} cell "),
        magic_marker: format!("# <{tag} magic "),
        ..Module::default()
    };
    let mut row = 1;
    for &(cell, source) in cells {
        module
            .text
            .push_str(&format!("{}{}>{newline}", module.cell_marker, cell + 1));
        row += 1;
        let first_magic = module.magics.len();
        let (mut text, opaque) = cell_text(cell, source, &mut module);
        let added_newline = !text.is_empty() && !text.ends_with('\n');
        if added_newline {
            text.push_str(newline);
        }
        let rows = text.matches('\n').count();
        module.text.push_str(&text);
        module.segments.push(Segment {
            cell,
            start_row: row,
            rows,
            opaque,
            added_newline,
            magics: first_magic..module.magics.len(),
            text,
        });
        row += rows;
    }
    module
}

/// The cell's text in the module, and whether it is opaque.
fn cell_text(cell: usize, source: &str, module: &mut Module) -> (String, bool) {
    let first_line = source.lines().find(|line| !line.trim().is_empty());
    if first_line.is_some_and(|line| line.trim_start().starts_with("%%")) {
        return (comments(source), true);
    }
    // Through the parse arena, as every parse of the run (see
    // `crate::arena`).
    if crate::arena::parse_module(source, |_| ()).is_ok() {
        return (source.to_string(), false);
    }
    let first = module.magics.len();
    let mut text = String::with_capacity(source.len() + 64);
    let mut continues = false;
    // Open brackets of the Python lines so far: a line inside brackets
    // (`x = (a\n    % b)`) continues an expression and is never a magic.
    let mut depth: usize = 0;
    for line in source.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let ending = &line[body.len()..];
        if continues || (depth == 0 && is_magic(body)) {
            let id = module.magics.len();
            module.magics.push(Magic {
                line: body.to_string(),
                continuation: continues,
            });
            let indent = &body[..body.len() - body.trim_start().len()];
            if continues {
                text.push_str(&format!("{}{id}>{ending}", module.magic_marker));
            } else {
                text.push_str(&format!(
                    "{indent}{MAGIC_CALL}{}{id}>{ending}",
                    module.magic_marker
                ));
            }
            continues = body.ends_with('\\');
        } else {
            depth = bracket_depth(depth, body);
            text.push_str(line);
        }
    }
    let parsed = crate::arena::parse_module(&text, |error| {
        (
            error.location,
            crate::display::escape_control(&error.error.to_string()),
        )
    });
    match parsed {
        Ok(_) => (text, false),
        Err((range, message)) => {
            module.magics.truncate(first);
            let index = ruff_source_file::LineIndex::from_source_text(&text);
            let start = index.line_column(range.start(), &text);
            let end = index.line_column(range.end(), &text);
            module.syntax_errors.push(CellSyntaxError {
                cell,
                row: start.line.get(),
                column: start.column.get(),
                end_row: end.line.get(),
                end_column: end.column.get(),
                message,
            });
            (comments(source), true)
        }
    }
}

/// One empty comment per line of `source`.
fn comments(source: &str) -> String {
    source
        .split_inclusive('\n')
        .map(|line| {
            let body = line.trim_end_matches(['\n', '\r']);
            format!("#{}", &line[body.len()..])
        })
        .collect()
}

/// The depth of open brackets after `line`, from `depth` before it
/// (strings on the line and a comment are skipped; enough to tell a
/// continuation line from a statement).
fn bracket_depth(mut depth: usize, line: &str) -> usize {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in line.chars() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '#' => break,
                '\'' | '"' => quote = Some(c),
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            },
        }
    }
    depth
}

/// Whether a line is IPython's rather than Python's: a line magic, a shell
/// escape, an assignment from one (`x = !ls`, `t = %time f()`) or a help
/// request (`?obj`, `obj?`). None of these is valid Python.
fn is_magic(line: &str) -> bool {
    let body = line.trim_start();
    if body.starts_with(['%', '!', '?']) {
        return true;
    }
    // `obj?` and `obj??`, but not a comment that ends with a question.
    if body.ends_with('?') && !body.contains('#') {
        return true;
    }
    // `names = !cmd` or `names = %magic`.
    if let Some((target, value)) = body.split_once('=') {
        let value = value.trim_start();
        let names = target
            .trim()
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | ',' | ' ' | '.'));
        return names && !target.trim().is_empty() && value.starts_with(['%', '!']);
    }
    false
}

/// Why a fixed module could not be taken back to cells.
#[derive(Debug, thiserror::Error)]
pub enum SplitError {
    #[error("the fixed text lost the start of cell {0}")]
    MissingCell(usize),
    #[error(
        "the fixed text changed cell {0}, which is not analysed (a cell magic or a syntax error)"
    )]
    OpaqueChanged(usize),
    #[error("the fixed text lost or repeated the IPython line `{0}`")]
    MagicLost(String),
}

impl Module {
    /// The IPython line that row `row` (1-based) of the module stands for.
    pub fn magic_at(&self, row: usize) -> Option<&str> {
        let line = self.text.split_inclusive('\n').nth(row.checked_sub(1)?)?;
        let id: usize = line
            .trim()
            .strip_prefix(MAGIC_CALL.trim_end())?
            .trim_start()
            .strip_prefix(self.magic_marker.as_str())?
            .strip_suffix('>')?
            .parse()
            .ok()?;
        self.magics.get(id).map(|magic| magic.line.as_str())
    }

    /// The new source of each segment's cell in `fixed` (a fixed version of
    /// [`Module::text`]), with the magics written back as they were; `None`
    /// for an opaque cell, which keeps its source.
    pub fn split(&self, fixed: &str) -> Result<Vec<Option<String>>, SplitError> {
        // Text before the first marker (an import put at the top) belongs
        // to the first cell.
        let mut parts: Vec<String> = Vec::with_capacity(self.segments.len());
        let mut expected = self.segments.iter();
        let mut current = String::new();
        let mut started = false;
        for line in fixed.split_inclusive('\n') {
            let body = line.trim_end_matches(['\n', '\r']);
            if let Some(number) = body
                .strip_prefix(self.cell_marker.as_str())
                .and_then(|rest| rest.strip_suffix('>'))
            {
                let segment = expected.next();
                if segment.map(|s| (s.cell + 1).to_string()).as_deref() != Some(number) {
                    return Err(SplitError::MissingCell(segment.map_or(0, |s| s.cell + 1)));
                }
                if started {
                    parts.push(std::mem::take(&mut current));
                }
                started = true;
                continue;
            }
            current.push_str(line);
        }
        if let Some(segment) = expected.next() {
            return Err(SplitError::MissingCell(segment.cell + 1));
        }
        if !self.segments.is_empty() {
            parts.push(current);
        }
        let mut seen = vec![false; self.magics.len()];
        let mut sources = Vec::with_capacity(parts.len());
        for (segment, part) in self.segments.iter().zip(parts) {
            if segment.opaque {
                if part != segment.text {
                    return Err(SplitError::OpaqueChanged(segment.cell + 1));
                }
                sources.push(None);
                continue;
            }
            let mut source = self.restore(segment, &part, &mut seen)?;
            if segment.added_newline && source.ends_with(self.newline) {
                source.truncate(source.len() - self.newline.len());
            }
            sources.push(Some(source));
        }
        if let Some(lost) = seen.iter().position(|seen| !seen) {
            return Err(SplitError::MagicLost(self.magics[lost].line.clone()));
        }
        Ok(sources)
    }

    /// `part` (a segment's text, fixed) with its placeholders replaced by
    /// the magics they stand for; an opaque cell's original source.
    fn restore(
        &self,
        segment: &Segment,
        part: &str,
        seen: &mut [bool],
    ) -> Result<String, SplitError> {
        let mut out = String::with_capacity(part.len());
        for line in part.split_inclusive('\n') {
            let body = line.trim_end_matches(['\n', '\r']);
            let ending = &line[body.len()..];
            let indent = &body[..body.len() - body.trim_start().len()];
            let rest = body.trim_start();
            let rest = rest.strip_prefix(MAGIC_CALL).unwrap_or(rest);
            let Some(id) = rest
                .strip_prefix(self.magic_marker.as_str())
                .and_then(|id| id.strip_suffix('>'))
                .and_then(|id| id.parse::<usize>().ok())
            else {
                out.push_str(line);
                continue;
            };
            if !segment.magics.contains(&id) || seen[id] {
                let shown = self.magics.get(id).map_or(body, |m| m.line.as_str());
                return Err(SplitError::MagicLost(shown.to_string()));
            }
            seen[id] = true;
            let magic = &self.magics[id];
            let old_indent = &magic.line[..magic.line.len() - magic.line.trim_start().len()];
            if magic.continuation || indent == old_indent {
                out.push_str(&magic.line);
            } else {
                // A fix moved the line into another block: it keeps its
                // new indentation.
                out.push_str(indent);
                out.push_str(magic.line.trim_start());
            }
            out.push_str(ending);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magics_become_placeholders_and_come_back() {
        let cells = [
            (
                0,
                "import tensorflow as tf\n%matplotlib inline\nx = 1  # why?",
            ),
            (
                2,
                "for i in range(3):\n    %time f(i)\n!pip install \\\n  numpy\ny = (1\n     % 2)\n",
            ),
            (3, "%%time\nwhatever here\n"),
            (4, "def broken(:\n"),
        ];
        let module = build(&cells);
        assert_eq!(module.segments.len(), 4);
        // A comment that ends with a question stays Python.
        assert!(module.text.contains("x = 1  # why?\n"));
        // A line inside brackets continues Python, whatever it starts with.
        assert!(module.text.contains("y = (1\n     % 2)\n"));
        assert!(crate::arena::parse_module(&module.text, |_| ()).is_ok());
        assert!(module
            .text
            .contains("    get_ipython()  # <hybridize magic 1>\n"));
        assert_eq!(module.syntax_errors.len(), 1);
        assert_eq!(module.syntax_errors[0].cell, 4);
        assert_eq!(module.segments[1].start_row, 6);
        let sources = module.split(&module.text).unwrap();
        assert_eq!(sources[0].as_deref(), Some(cells[0].1));
        assert_eq!(sources[1].as_deref(), Some(cells[1].1));
        assert_eq!(sources[2], None);
    }
}
