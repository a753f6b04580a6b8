//! A source file as read from disk: its path, its text, and the helpers that
//! turn byte offsets into the 1-based rows and character columns users see.

use std::path::{Path, PathBuf};

use ruff_python_parser::ParseError;
use ruff_source_file::LineIndex;
use ruff_text_size::{Ranged, TextRange};

use crate::arena::ParsedModule;
pub use crate::display::{display, escape_control, location, shown, Location};

/// Why a file could not be checked. Every variant names the file and, where
/// there is one, the position of the problem.
#[derive(Debug, Clone, thiserror::Error, serde::Serialize, serde::Deserialize)]
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
        /// The parser's words, with control characters escaped.
        message: String,
        /// Where the parser stopped, in the text as read.
        range: TextRange,
    },
}

impl SourceError {
    /// Whether the file was read but does not parse (its report then
    /// carries a `SyntaxError` finding).
    pub fn is_syntax(&self) -> bool {
        matches!(self, SourceError::Syntax { .. })
    }
}

/// One Python file's text and where it came from.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as the user should see it (relative when it was given so).
    pub path: PathBuf,
    pub text: String,
}

impl SourceFile {
    /// Reads `path` as UTF-8, keeping every byte (BOM, CRLF, tabs) as it is.
    pub fn read(path: &Path) -> Result<Self, SourceError> {
        let bytes = std::fs::read(path).map_err(|err| SourceError::Unreadable {
            path: shown(path),
            reason: err.to_string(),
        })?;
        Self::from_bytes(path, bytes)
    }

    /// Decodes `bytes` read from `path`, reporting where UTF-8 decoding fails.
    pub fn from_bytes(path: &Path, bytes: Vec<u8>) -> Result<Self, SourceError> {
        match String::from_utf8(bytes) {
            Ok(file) if crate::notebook::is_notebook(path) => {
                // A notebook is checked as the module of its code cells.
                let text =
                    crate::notebook::load(path, file).map_err(|err| SourceError::Unreadable {
                        path: shown(path),
                        reason: err.to_string(),
                    })?;
                Ok(Self {
                    path: path.to_path_buf(),
                    text,
                })
            }
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
                    path: shown(path),
                    row,
                    column,
                    byte: bytes[valid],
                })
            }
        }
    }

    /// The path for messages ([`shown`]).
    pub fn display_path(&self) -> String {
        shown(&self.path)
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
            path: shown(&self.path),
            row: location.row,
            column: location.column,
            message: escape_control(&err.error.to_string()),
            range: err.range(),
        }
    }
}
