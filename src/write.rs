//! Writing fixed files: the new text goes to a temporary file in the same
//! folder first, then replaces the file by a rename; permissions are kept,
//! and a file that changed since it was read is never overwritten.
//!
//! A symbolic link is followed: its target gets the new text and the link
//! stays a link. A file with several hard links is written in place, once
//! the complete new text is in the temporary file, so that every name of it
//! sees the new text (a rename would give one name a new file and leave
//! the others with the old text). A termination signal waits until the
//! write in progress is complete ([`crate::interrupt`]).

use std::fs::{self, OpenOptions};
use std::io::{Seek, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{path}: changed on disk since it was read; not written (run again)")]
    ChangedOnDisk { path: String },
    #[error("{path}: file is read-only; not written")]
    ReadOnly { path: String },
    #[error("{path}: not a regular file; not written")]
    NotRegular { path: String },
    #[error("{path}: cannot write: {reason}")]
    Io { path: String, reason: String },
}

/// Replaces the text of the file at `path` (or, for a symbolic link, of its
/// target), whose content was `expected` when read, with `content`.
pub fn write_atomic(path: &Path, expected: &str, content: &str) -> Result<(), WriteError> {
    let shown = crate::display::shown(path);
    let io = |err: std::io::Error| WriteError::Io {
        path: shown.clone(),
        reason: err.to_string(),
    };
    // The file itself: a link keeps pointing at it.
    let target = fs::canonicalize(path).map_err(io)?;
    let metadata = fs::metadata(&target).map_err(io)?;
    if !metadata.is_file() {
        return Err(WriteError::NotRegular { path: shown });
    }
    if metadata.permissions().readonly() {
        return Err(WriteError::ReadOnly { path: shown });
    }
    let _signals_wait = crate::interrupt::hold_signals();
    if fs::read(&target).map_err(io)? != expected.as_bytes() {
        return Err(WriteError::ChangedOnDisk { path: shown });
    }
    let folder = folder_of(&target);
    let mut temporary = tempfile::Builder::new()
        .prefix(".hybridize-")
        .suffix(".tmp")
        .tempfile_in(&folder)
        .map_err(io)?;
    temporary.write_all(content.as_bytes()).map_err(io)?;
    temporary.as_file().sync_all().map_err(io)?;
    if metadata.nlink() > 1 {
        // The temporary file showed there is room for the new text; it is
        // removed when `temporary` is dropped.
        return write_in_place(&target, expected, content).map_err(io);
    }
    fs::set_permissions(temporary.path(), metadata.permissions()).map_err(io)?;
    temporary.persist(&target).map_err(|err| io(err.error))?;
    Ok(())
}

fn folder_of(target: &Path) -> PathBuf {
    match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Writes `content` over the file's own bytes, keeping its inode; if that
/// fails part-way, puts `expected` back.
fn write_in_place(target: &Path, expected: &str, content: &str) -> std::io::Result<()> {
    let mut file = OpenOptions::new().write(true).open(target)?;
    let mut overwrite = |text: &str| -> std::io::Result<()> {
        file.rewind()?;
        file.write_all(text.as_bytes())?;
        file.set_len(text.len() as u64)?;
        file.sync_all()
    };
    overwrite(content).inspect_err(|_| {
        let _ = overwrite(expected);
    })
}
