//! A source file as read from disk: its path, its text, and the helpers that
//! turn byte offsets into the 1-based rows and character columns users see.

use std::path::{Path, PathBuf};

use ruff_python_parser::ParseError;
use ruff_source_file::LineIndex;
use ruff_text_size::{Ranged, TextRange, TextSize};

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
    /// A module nested deeper than [`MAX_NESTING`] is refused the same way,
    /// at the first node that deep: the analysis walks trees recursively.
    pub fn parse(&self) -> Result<ParsedModule, SourceError> {
        let parsed = crate::arena::parse_module(&self.text, |err| self.syntax_error(err))?;
        // Every level takes at least one byte of text (two at most share
        // one), so a shorter module cannot be too deep: most skip the walk.
        let deep = self.text.len() > MAX_NESTING / 2;
        if let Some(offset) = deep.then(|| too_deep(&parsed.syntax().body)).flatten() {
            let location = location(&LineIndex::from_source_text(&self.text), &self.text, offset);
            return Err(SourceError::Syntax {
                path: shown(&self.path),
                row: location.row,
                column: location.column,
                message: format!(
                    "code nested more than {MAX_NESTING} levels deep (statements, expressions and patterns inside one another), which hybridize does not analyse; CPython itself refuses to compile code nested beyond ~3000 levels"
                ),
                range: TextRange::empty(offset),
            });
        }
        Ok(parsed)
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

/// How deeply statements, expressions and patterns may nest in a module the
/// analysis walks. Its visitors and value functions recurse once per level
/// or two, on worker threads of [`crate::run::WORKER_STACK_SIZE`] (512 MiB):
/// a debug build needs ~1-2 KB of stack per level (a module 250,000 list
/// levels deep passes, 500,000 overflow), a release build less, so 100,000
/// levels use at most ~200 MiB. CPython 3.11 compiles at most ~3000 levels
/// (and 200 nested brackets), so no program Python runs is refused.
pub const MAX_NESTING: usize = 100_000;

/// The start of the first node nested deeper than [`MAX_NESTING`], found by
/// a walk that itself goes no deeper than that.
pub fn too_deep(body: &[ruff_python_ast::Stmt]) -> Option<TextSize> {
    use ruff_python_ast::visitor::{walk_expr, walk_pattern, walk_stmt, Visitor};
    use ruff_python_ast::{Expr, Pattern, Stmt};
    struct Depth {
        depth: usize,
        found: Option<TextSize>,
    }
    impl Depth {
        /// Whether `node` is one level too deep (recorded) or the walk is over.
        fn enter(&mut self, node: &impl Ranged) -> bool {
            if self.found.is_some() {
                return false;
            }
            if self.depth >= MAX_NESTING {
                self.found = Some(node.start());
                return false;
            }
            self.depth += 1;
            true
        }
    }
    impl<'a> Visitor<'a> for Depth {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if self.enter(stmt) {
                walk_stmt(self, stmt);
                self.depth -= 1;
            }
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            if self.enter(expr) {
                walk_expr(self, expr);
                self.depth -= 1;
            }
        }
        fn visit_pattern(&mut self, pattern: &'a Pattern) {
            if self.enter(pattern) {
                walk_pattern(self, pattern);
                self.depth -= 1;
            }
        }
    }
    let mut depth = Depth {
        depth: 0,
        found: None,
    };
    depth.visit_body(body);
    depth.found
}
