//! What every step of one round reads: the settings, the mode, the fixed
//! texts of earlier rounds (which stand in for the files), and what the
//! selected codemods' findings depend on.

use std::path::{Path, PathBuf};

use super::star::StarImports;
use super::Mode;
use crate::codemod::Dependencies;
use crate::settings::Settings;
use crate::source::{SourceError, SourceFile};

/// What every step of one round reads.
pub(super) struct Round<'a> {
    pub(super) settings: &'a Settings,
    pub(super) mode: Mode,
    /// Fixed texts of earlier rounds, read instead of the files.
    pub(super) overlay: &'a Overlay,
    /// What the selected codemods' findings depend on, combined from their
    /// declarations: it decides which files get a second look.
    pub(super) depends: Dependencies,
    /// What star imports of the run's files bind.
    pub(super) stars: &'a StarImports<'a>,
}

/// Fixed texts that stand in for files on disk in later rounds.
pub(super) type Overlay = std::collections::HashMap<PathBuf, String>;

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
