//! A source file as read from disk: its path, its text, and the helpers that
//! turn byte offsets into the 1-based rows and character columns users see.

use std::path::{Path, PathBuf};

use ruff_python_parser::ParseError;
use ruff_source_file::LineIndex;
use ruff_text_size::TextSize;

use crate::arena::ParsedModule;

/// Why a file could not be checked. Every variant names the file and, where
/// there is one, the position of the problem.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SourceError {
    #[error("{path}: cannot read: {reason}")]
    Unreadable { path: String, reason: String },
    #[error("{path}:{row}:{column}: not valid UTF-8 (byte 0x{byte:02x}); file left unchanged")]
    NotUtf8 {
        path: String,
        row: usize,
        column: usize,
        byte: u8,
    },
    #[error("{path}:{row}:{column}: syntax error: {message}; file left unchanged")]
    Syntax {
        path: String,
        row: usize,
        column: usize,
        message: String,
    },
}

/// One Python file's text and where it came from.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as the user should see it (relative when it was given so).
    pub path: PathBuf,
    pub text: String,
}

/// A 1-based row and 1-based character column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Location {
    pub row: usize,
    pub column: usize,
}

impl SourceFile {
    /// Reads `path` as UTF-8, keeping every byte (BOM, CRLF, tabs) as it is.
    pub fn read(path: &Path) -> Result<Self, SourceError> {
        let bytes = std::fs::read(path).map_err(|err| SourceError::Unreadable {
            path: display(path),
            reason: err.to_string(),
        })?;
        Self::from_bytes(path, bytes)
    }

    /// Decodes `bytes` read from `path`, reporting where UTF-8 decoding fails.
    pub fn from_bytes(path: &Path, bytes: Vec<u8>) -> Result<Self, SourceError> {
        match String::from_utf8(bytes) {
            Ok(text) => Ok(Self {
                path: path.to_path_buf(),
                text,
            }),
            Err(err) => {
                let valid = err.utf8_error().valid_up_to();
                let bytes = err.as_bytes();
                let prefix = std::str::from_utf8(&bytes[..valid]).unwrap_or_default();
                let row = prefix.matches('\n').count() + 1;
                let line_start = prefix.rfind('\n').map_or(0, |i| i + 1);
                let column = prefix[line_start..].chars().count() + 1;
                Err(SourceError::NotUtf8 {
                    path: display(path),
                    row,
                    column,
                    byte: bytes[valid],
                })
            }
        }
    }

    pub fn display_path(&self) -> String {
        display(&self.path)
    }

    /// Parses the text as a module; a syntax error becomes a [`SourceError`]
    /// with the parser's own words and position.
    /// The tree is in the thread's parse arena (see [`crate::arena`]).
    pub fn parse(&self) -> Result<ParsedModule, SourceError> {
        crate::arena::parse_module(&self.text, |err| self.syntax_error(err))
    }

    pub fn syntax_error(&self, err: &ParseError) -> SourceError {
        let location = location(
            &LineIndex::from_source_text(&self.text),
            &self.text,
            err.location.start(),
        );
        SourceError::Syntax {
            path: self.display_path(),
            row: location.row,
            column: location.column,
            message: err.error.to_string(),
        }
    }
}

/// The 1-based row and character column of `offset` in `text`.
pub fn location(index: &LineIndex, text: &str, offset: TextSize) -> Location {
    let lc = index.line_column(offset, text);
    Location {
        row: lc.line.get(),
        column: lc.column.get(),
    }
}

/// A path for messages: forward slashes, no leading `./`.
pub fn display(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").map(str::to_string).unwrap_or(text)
}
