//! Finding the Python files to check: paths given explicitly are always
//! taken; directories are walked with `.gitignore` (and `.ignore`) honoured,
//! hidden folders skipped, and `exclude` globs applied.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};

/// Folders that hold installed or generated code, never the project's own.
const DEFAULT_EXCLUDES: &[&str] = &[
    "__pycache__",
    "node_modules",
    "site-packages",
    "__pypackages__",
    "venv",
];

#[derive(Debug, thiserror::Error)]
pub enum WalkError {
    #[error("invalid exclude pattern `{pattern}`: {reason}")]
    BadGlob { pattern: String, reason: String },
    #[error("{path}: no such file or directory")]
    Missing { path: String },
}

/// Every `*.py` file under `paths`, sorted, without duplicates.
pub fn python_files(paths: &[PathBuf], exclude: &[String]) -> Result<Vec<PathBuf>, WalkError> {
    let excludes = build_globset(exclude)?;
    let mut files = Vec::new();
    for root in paths {
        if !root.exists() {
            return Err(WalkError::Missing {
                path: crate::source::display(root),
            });
        }
        if root.is_file() {
            // A file named on the command line is checked even if excluded, as in ruff.
            files.push(root.clone());
            continue;
        }
        let walker = {
            let excludes = excludes.clone();
            ignore::WalkBuilder::new(root)
                .require_git(false)
                .filter_entry(move |entry| !is_excluded(entry.path(), &excludes))
                .build()
        };
        for entry in walker.flatten() {
            let path = entry.path();
            if entry.file_type().is_some_and(|t| t.is_file())
                && path.extension().is_some_and(|ext| ext == "py")
            {
                files.push(path.to_path_buf());
            }
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}

fn build_globset(exclude: &[String]) -> Result<GlobSet, WalkError> {
    let mut builder = GlobSetBuilder::new();
    for pattern in exclude
        .iter()
        .map(String::as_str)
        .chain(DEFAULT_EXCLUDES.iter().copied())
    {
        let glob = Glob::new(pattern).map_err(|err| WalkError::BadGlob {
            pattern: pattern.to_string(),
            reason: err.kind().to_string(),
        })?;
        builder.add(glob);
    }
    builder.build().map_err(|err| WalkError::BadGlob {
        pattern: exclude.join(", "),
        reason: err.to_string(),
    })
}

/// An entry is excluded when a pattern matches its file name or its whole
/// path (so both `tests` and `src/*/generated/*.py` work).
fn is_excluded(path: &Path, excludes: &GlobSet) -> bool {
    let name_matches = path.file_name().is_some_and(|name| excludes.is_match(name));
    let relative = path.strip_prefix("./").unwrap_or(path);
    name_matches || excludes.is_match(relative)
}
