//! How outputs name places: a path as shown (no leading `./`, control
//! characters escaped) and a 1-based row and character column.

use std::path::Path;

use ruff_source_file::LineIndex;
use ruff_text_size::TextSize;

/// A 1-based row and 1-based character column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Location {
    pub row: usize,
    pub column: usize,
}

/// The 1-based row and character column of `offset` in `text`.
pub fn location(index: &LineIndex, text: &str, offset: TextSize) -> Location {
    let lc = index.line_column(offset, text);
    Location {
        row: lc.line.get(),
        column: lc.column.get(),
    }
}

/// A path as outputs name it: no leading `./`, and on Windows forward
/// slashes (elsewhere a `\` is part of a file's name).
pub fn display(path: &Path) -> String {
    let text = path.to_string_lossy();
    let text = if cfg!(windows) {
        text.replace('\\', "/")
    } else {
        text.into_owned()
    };
    text.strip_prefix("./").map(str::to_string).unwrap_or(text)
}

/// A path for a line of text on a terminal (messages, the `full` and
/// `concise` formats): [`display`] with control characters escaped, so that
/// a file name cannot split a line or send terminal commands.
pub fn shown(path: &Path) -> String {
    escape_control(&display(path))
}

/// `text` with each control character written as an escape: `\n`, `\t`,
/// `\r`, `\0`, else `\x1b` or `\u{85}`.
pub fn escape_control(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            c if c.is_control() && u32::from(c) < 0x80 => {
                out.push_str(&format!("\\x{:02x}", u32::from(c)));
            }
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}
