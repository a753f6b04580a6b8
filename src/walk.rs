//! Finding the Python files to check: paths given explicitly are always
//! taken (a named pipe or a device named is an error); directories are
//! walked with `.gitignore` (and `.ignore`) honoured, hidden folders and
//! special files skipped, and `exclude` globs applied.

use std::path::{Component, Path, PathBuf};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

/// Folders that hold installed or generated code, never the project's own.
const DEFAULT_EXCLUDES: &[&str] = &[
    "__pycache__",
    "node_modules",
    "site-packages",
    "__pypackages__",
    "venv",
];

/// The option that names the patterns of test files.
const TEST_FILES_OPTION: &str = "test-files";

#[derive(Debug, thiserror::Error)]
pub enum WalkError {
    #[error("invalid {option} pattern `{pattern}`: {reason}")]
    BadGlob {
        /// The option the pattern comes from (`exclude`, `test-files`).
        option: &'static str,
        pattern: String,
        reason: String,
    },
    #[error("{path}: no such file or directory")]
    Missing { path: String },
    #[error("{path}: not a regular file ({kind}); name a Python file or a directory")]
    NotRegular { path: String, kind: &'static str },
    #[error("{path}: cannot read: {reason}")]
    Unreadable { path: String, reason: String },
}

/// Every `*.py` and `*.ipynb` file under `paths`, sorted, without duplicates.
pub fn python_files(paths: &[PathBuf], exclude: &[String]) -> Result<Vec<PathBuf>, WalkError> {
    Ok(python_files_and_tests(paths, exclude, &[])?.files)
}

/// The files of a walk, and which of them look like tests.
#[derive(Debug, Default)]
pub struct Walked {
    /// Every `*.py` file, sorted, without duplicates.
    pub files: Vec<PathBuf>,
    /// Per file: whether it was found in a folder (not named on the command
    /// line) and looks like a test.
    pub tests: Vec<bool>,
}

impl Walked {
    /// How many files look like tests.
    pub fn test_count(&self) -> usize {
        self.tests.iter().filter(|&&test| test).count()
    }
}

/// Every `*.py` file under `paths` ([`python_files`]), and which of them
/// look like tests: a file found in a folder whose name, whose path below
/// that folder, or one of whose folders below it matches a pattern of
/// `tests` (`test_*.py`, `tests`). A file named on the command line is never
/// taken for a test.
pub fn python_files_and_tests(
    paths: &[PathBuf],
    exclude: &[String],
    tests: &[String],
) -> Result<Walked, WalkError> {
    let excludes = build_globset("exclude", exclude, DEFAULT_EXCLUDES)?;
    let test_globs = build_globset(TEST_FILES_OPTION, tests, &[])?;
    // (path, whether it looks like a test)
    let mut files: Vec<(PathBuf, bool)> = Vec::new();
    for root in paths {
        // What the path names, through symbolic links.
        let metadata = match std::fs::metadata(root) {
            Ok(metadata) => metadata,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return Err(WalkError::Missing {
                    path: crate::source::shown(root),
                });
            }
            Err(err) => {
                return Err(WalkError::Unreadable {
                    path: crate::source::shown(root),
                    reason: err.to_string(),
                });
            }
        };
        if metadata.is_file() {
            // A file named on the command line is checked even if excluded, as in ruff.
            files.push((root.clone(), false));
            continue;
        }
        if !metadata.is_dir() {
            // Reading a FIFO or a device could block or never end.
            return Err(WalkError::NotRegular {
                path: crate::source::shown(root),
                kind: kind_of(&metadata.file_type()),
            });
        }
        // Folders are read on every core (the order is restored below).
        let found = std::sync::Mutex::new(Vec::new());
        {
            let excludes = excludes.clone();
            ignore::WalkBuilder::new(root)
                .require_git(false)
                .filter_entry(move |entry| !is_excluded(entry.path(), &excludes))
                .build_parallel()
                .visit(&mut Collectors(&found));
        }
        let found = found.into_inner().expect("walk");
        files.extend(found.into_iter().map(|path| {
            let test = !tests.is_empty() && looks_like_test(&path, root, &test_globs);
            (path, test)
        }));
    }
    // The order of `Path`'s `Ord` (component by component), with each
    // path's components split once rather than at every comparison; a file
    // named on the command line comes before the same file found in a
    // folder, and is the one kept. The components go into one string of
    // bytes, each as its kind, its bytes and a 0 (which no name holds), so
    // that the strings compare as the lists of (kind, bytes) would: a name
    // that begins another ends first, with the lowest byte.
    files.sort_by_cached_key(|(path, test)| {
        let mut key = Vec::with_capacity(path.as_os_str().len() + 16);
        for c in path.components() {
            let rank: u8 = match c {
                Component::Prefix(_) => 0,
                Component::RootDir => 1,
                Component::CurDir => 2,
                Component::ParentDir => 3,
                Component::Normal(_) => 4,
            };
            key.push(rank);
            key.extend_from_slice(c.as_os_str().as_encoded_bytes());
            key.push(0);
        }
        (key, *test)
    });
    files.dedup_by(|later, earlier| later.0 == earlier.0);
    let (files, tests) = files.into_iter().unzip();
    Ok(Walked { files, tests })
}

/// Whether `path`, found under the folder `root`, looks like a test: a
/// pattern matches its file name, one of its folders below `root`, or its
/// path below `root`.
fn looks_like_test(path: &Path, root: &Path, tests: &GlobSet) -> bool {
    let below = path.strip_prefix(root).unwrap_or(path);
    tests.is_match(below)
        || below
            .components()
            .any(|c| matches!(c, Component::Normal(name) if tests.is_match(name)))
}

/// What a file that is neither a regular file nor a directory is.
fn kind_of(file_type: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if file_type.is_fifo() {
        "a named pipe"
    } else if file_type.is_char_device() {
        "a character device"
    } else if file_type.is_block_device() {
        "a block device"
    } else if file_type.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

/// Hands each walking thread a [`Collector`].
struct Collectors<'a>(&'a std::sync::Mutex<Vec<PathBuf>>);

impl<'s> ignore::ParallelVisitorBuilder<'s> for Collectors<'s> {
    fn build(&mut self) -> Box<dyn ignore::ParallelVisitor + 's> {
        Box::new(Collector {
            found: self.0,
            mine: Vec::new(),
        })
    }
}

/// One walking thread's Python files, handed over in batches (the lock is
/// taken once per 64 files) and when the thread is done.
struct Collector<'a> {
    found: &'a std::sync::Mutex<Vec<PathBuf>>,
    mine: Vec<PathBuf>,
}

impl Collector<'_> {
    fn hand_over(&mut self) {
        if let Ok(mut found) = self.found.lock() {
            found.append(&mut self.mine);
        }
    }
}

impl ignore::ParallelVisitor for Collector<'_> {
    fn visit(&mut self, entry: Result<ignore::DirEntry, ignore::Error>) -> ignore::WalkState {
        if let Ok(entry) = entry {
            let path = entry.path();
            if entry.file_type().is_some_and(|t| t.is_file())
                && path
                    .extension()
                    .is_some_and(|ext| ext == "py" || ext == "ipynb")
            {
                self.mine.push(entry.into_path());
                if self.mine.len() == 64 {
                    self.hand_over();
                }
            }
        }
        ignore::WalkState::Continue
    }
}

impl Drop for Collector<'_> {
    fn drop(&mut self) {
        self.hand_over();
    }
}

fn build_globset(
    option: &'static str,
    patterns: &[String],
    defaults: &[&str],
) -> Result<GlobSet, WalkError> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns
        .iter()
        .map(String::as_str)
        .chain(defaults.iter().copied())
    {
        // A test pattern's `*` stays within one folder or file name, so
        // that `test_*.py` says nothing about the files of a `test_data`
        // folder.
        let glob = GlobBuilder::new(pattern)
            .literal_separator(option == TEST_FILES_OPTION)
            .build()
            .map_err(|err| WalkError::BadGlob {
                option,
                pattern: pattern.to_string(),
                reason: err.kind().to_string(),
            })?;
        builder.add(glob);
    }
    builder.build().map_err(|err| WalkError::BadGlob {
        option,
        pattern: patterns.join(", "),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_come_in_path_order() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "a-b/x.py",
            "a/x.py",
            "a/b/y.py",
            "a.py",
            "B.py",
            "a/__init__.py",
        ] {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "").unwrap();
        }
        let files = python_files(&[dir.path().to_path_buf()], &[]).unwrap();
        let mut expected = files.clone();
        expected.sort();
        assert_eq!(files, expected);
        let names: Vec<String> = files
            .iter()
            .map(|f| f.strip_prefix(dir.path()).unwrap().display().to_string())
            .collect();
        assert_eq!(
            names,
            [
                "B.py",
                "a/__init__.py",
                "a/b/y.py",
                "a/x.py",
                "a-b/x.py",
                "a.py"
            ]
        );
    }
}
