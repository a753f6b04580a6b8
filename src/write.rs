//! Writing fixed files: atomically (a temporary file in the same folder,
//! then a rename), keeping permissions, and never over a file that changed
//! since it was read.

use std::io::Write;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{path}: changed on disk since it was read; not written (run again)")]
    ChangedOnDisk { path: String },
    #[error("{path}: file is read-only; not written")]
    ReadOnly { path: String },
    #[error("{path}: cannot write: {reason}")]
    Io { path: String, reason: String },
}

/// Replaces the file at `path`, whose content was `expected` when read, with
/// `content`.
pub fn write_atomic(path: &Path, expected: &str, content: &str) -> Result<(), WriteError> {
    let shown = crate::source::display(path);
    let io = |err: std::io::Error| WriteError::Io {
        path: shown.clone(),
        reason: err.to_string(),
    };
    let metadata = std::fs::metadata(path).map_err(io)?;
    if metadata.permissions().readonly() {
        return Err(WriteError::ReadOnly { path: shown });
    }
    if std::fs::read(path).map_err(io)? != expected.as_bytes() {
        return Err(WriteError::ChangedOnDisk { path: shown });
    }
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut temporary = tempfile::Builder::new()
        .prefix(".hybridize-")
        .suffix(".tmp")
        .tempfile_in(folder)
        .map_err(io)?;
    temporary.write_all(content.as_bytes()).map_err(io)?;
    temporary.as_file().sync_all().map_err(io)?;
    std::fs::set_permissions(temporary.path(), metadata.permissions()).map_err(io)?;
    temporary.persist(path).map_err(|err| io(err.error))?;
    Ok(())
}
