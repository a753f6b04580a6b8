//! The fixed texts of earlier rounds, which stand in for the files on disk.

use std::path::{Path, PathBuf};

use crate::source::{SourceError, SourceFile};

/// Texts that stand in for files on disk: the fixed texts of earlier
/// rounds, or an editor's unsaved buffers.
pub type Overlay = std::collections::HashMap<PathBuf, String>;

/// Reads `path`, or its fixed text from an earlier round.
pub(super) fn read(path: &Path, overlay: &Overlay) -> Result<SourceFile, SourceError> {
    match overlay.get(path) {
        Some(text) => Ok(SourceFile {
            path: path.to_path_buf(),
            text: text.clone(),
        }),
        None => SourceFile::read(path),
    }
}
