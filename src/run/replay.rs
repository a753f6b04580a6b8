//! A checking run over files none of which changed since a run with the
//! same files and settings: its reports are the earlier run's, read from
//! the cache, with no file parsed, summarised or propagated. Only the files
//! with something to show are read.
//!
//! "Not changed" is told from each file's metadata (device, inode, size,
//! modification and change times), as `git status` tells it: a write to a
//! file, or a file put in its place, sets its change time to the time of
//! the write, which the kernel keeps and no tool sets back. A file whose
//! metadata changed (touched, written again, checked out anew) is read, and
//! is unchanged when its text hashes as the text the run read. An earlier
//! run's record is kept only when no file changed while it ran, and no
//! file's times were within [`RACY`] of its start: a file written in the
//! same clock tick as it was read could change without its times showing
//! it.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::cached::StoredDiagnostic;
use super::links::{links_key, RunLinks};
use crate::cache::{Cache, Key};
use crate::propagate::summary::package_parts;
use crate::report::{FileReport, ReportSink};
use crate::source::{SourceError, SourceFile};

/// Times closer than this to a run's start make its record unsafe to keep
/// (coarse file-system clocks, and clocks of network file systems).
const RACY: Duration = Duration::from_secs(1);

/// [`RACY`], or `HYBRIDIZE_CACHE_RACY_MS` (for tests, whose files are all
/// written just before they run; not an interface).
fn racy_window() -> Duration {
    std::env::var("HYBRIDIZE_CACHE_RACY_MS")
        .ok()
        .and_then(|ms| ms.parse().ok())
        .map_or(RACY, Duration::from_millis)
}

/// What identifies the contents of a file without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub(super) struct FileState {
    device: u64,
    inode: u64,
    size: u64,
    modified: (i64, i64),
    changed: (i64, i64),
    /// How many folders above it are packages: the module's names and some
    /// findings depend on `__init__.py` files that may be outside the run.
    package_parts: usize,
}

impl FileState {
    /// The state of the file at `path`, whose module has `package_parts`
    /// parts.
    #[cfg(unix)]
    fn of(path: &Path, package_parts: usize) -> Option<Self> {
        use std::os::unix::fs::MetadataExt;
        let metadata = std::fs::metadata(path).ok()?;
        Some(FileState {
            device: metadata.dev(),
            inode: metadata.ino(),
            size: metadata.size(),
            modified: (metadata.mtime(), metadata.mtime_nsec()),
            changed: (metadata.ctime(), metadata.ctime_nsec()),
            package_parts,
        })
    }

    #[cfg(not(unix))]
    fn of(_path: &Path, _package_parts: usize) -> Option<Self> {
        None
    }

    /// Whether the file was written within [`racy_window`] of `start` (or
    /// after).
    fn racy(&self, start: SystemTime) -> bool {
        let since_epoch = |(seconds, nanos): (i64, i64)| {
            Duration::from_secs(seconds.max(0) as u64) + Duration::from_nanos(nanos.max(0) as u64)
        };
        let start = start
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default();
        let window = racy_window();
        [self.modified, self.changed]
            .into_iter()
            .any(|time| since_epoch(time) + window >= start)
    }
}

/// The states of `paths` now (`None` for a file that cannot be looked at).
pub(super) fn states(paths: &[PathBuf]) -> Vec<Option<FileState>> {
    let parts = package_parts_of(paths);
    paths
        .par_iter()
        .zip(parts)
        .map(|(path, parts)| FileState::of(path, parts))
        .collect()
}

/// [`package_parts`] of each of `paths`, found once per folder: it depends
/// only on the folder a module's name starts from (its own, or for an
/// `__init__.py` the one above), and asking it walks the folders above.
fn package_parts_of(paths: &[PathBuf]) -> Vec<usize> {
    let mut by_folder: rustc_hash::FxHashMap<&Path, usize> = Default::default();
    paths
        .iter()
        .map(|path| {
            let mut folder = path.parent();
            if path.file_name().is_some_and(|name| name == "__init__.py") {
                folder = folder.and_then(Path::parent);
            }
            let Some(folder) = folder else {
                return package_parts(path);
            };
            *by_folder
                .entry(folder)
                .or_insert_with(|| package_parts(path))
        })
        .collect()
}

/// One file's report as the run handed it to its sink.
#[derive(Serialize, Deserialize)]
pub(super) struct StoredReport {
    diagnostics: Vec<StoredDiagnostic>,
    functions_left_quietly: usize,
    error: Option<SourceError>,
}

/// A checking run's record: every file's state when it started, a hash of
/// the text it read (0: not read), and its report (`None`: nothing to
/// show).
#[derive(Serialize, Deserialize)]
pub(super) struct RunEntry {
    pub(super) states: Vec<FileState>,
    pub(super) contents: Vec<u128>,
    pub(super) reports: Vec<Option<StoredReport>>,
}

impl RunEntry {
    /// Whether it has one state, text hash and report per path.
    pub(super) fn fits(&self, paths: &[PathBuf]) -> bool {
        self.states.len() == paths.len()
            && self.contents.len() == paths.len()
            && self.reports.len() == paths.len()
    }

    /// What tells this record from any other of the same files: the
    /// states and texts it was made from. The links of the run
    /// ([`RunLinks`]), stored beside it, hold the same.
    pub(super) fn fingerprint(&self, cache: &Cache) -> Key {
        fingerprint(cache, &self.states, &self.contents)
    }
}

fn fingerprint(cache: &Cache, states: &[FileState], contents: &[u128]) -> Key {
    use std::hash::Hash;
    cache.key(|hasher| {
        "run fingerprint".hash(hasher);
        states.hash(hasher);
        contents.hash(hasher);
    })
}

/// Whether the file at `path`, in state `now` where the record has `then`,
/// still has the text the recorded run read: the same state, or (a file
/// written again, touched, checked out anew) the same package folders and
/// a text that hashes the same.
pub(super) fn unchanged(
    path: &Path,
    now: Option<&FileState>,
    then: &FileState,
    content: u128,
) -> bool {
    let Some(now) = now else {
        return false;
    };
    now == then
        || (content != 0
            && now.package_parts == then.package_parts
            && SourceFile::read(path)
                .is_ok_and(|file| crate::cache::content_hash(&file.text) == content))
}

/// The key of the record of a checking run over `paths`.
pub(super) fn key(cache: &Cache, paths: &[PathBuf], call_sites_only: &[bool]) -> Key {
    use std::hash::Hash;
    cache.key(|hasher| {
        "check run".hash(hasher);
        paths.hash(hasher);
        call_sites_only.hash(hasher);
    })
}

/// What [`replay`] read of the earlier run when some file had changed:
/// its record, and the files' states when it looked (at `start`).
pub(super) struct Missed {
    pub(super) entry: RunEntry,
    pub(super) now: Vec<Option<FileState>>,
    pub(super) start: SystemTime,
}

/// The reports of the earlier run over the same files, when none of them
/// changed since; each goes to `sink`. `None`: run as usual (with what it
/// read in `missed` when some file changed).
pub(super) fn replay(
    paths: &[PathBuf],
    call_sites_only: &[bool],
    cache: &Cache,
    sink: &dyn ReportSink,
    progress: &indicatif::ProgressBar,
    missed: &mut Option<Missed>,
) -> Option<Vec<FileReport>> {
    let entry: RunEntry = cache.get_file(key(cache, paths, call_sites_only))?;
    if !entry.fits(paths) {
        return None;
    }
    let start = SystemTime::now();
    let now = states(paths);
    let all_unchanged = paths
        .par_iter()
        .zip(&now)
        .zip(&entry.states)
        .zip(&entry.contents)
        .all(|(((path, now), then), &content)| unchanged(path, now.as_ref(), then, content));
    if !all_unchanged {
        *missed = Some(Missed { entry, now, start });
        return None;
    }
    // The texts of the files with something to show, as a check keeps them.
    let mut reports: Vec<FileReport> = paths
        .par_iter()
        .zip(entry.reports)
        .map(|(path, stored)| stored_report(path, stored))
        .collect::<Option<_>>()?;
    // Read while nothing changed: a file written meanwhile makes it a run.
    if states(paths) != now {
        return None;
    }
    for report in &mut reports {
        sink.file_done(report);
        progress.inc(1);
    }
    Some(reports)
}

/// The report `stored` for the file at `path`, with its text when it
/// shows it (`None`: the file cannot be read any more).
pub(super) fn stored_report(path: &Path, stored: Option<StoredReport>) -> Option<FileReport> {
    let Some(stored) = stored else {
        return Some(FileReport {
            path: path.to_path_buf(),
            ..FileReport::default()
        });
    };
    let diagnostics: Vec<_> = stored
        .diagnostics
        .into_iter()
        .map(StoredDiagnostic::into_diagnostic)
        .collect();
    let shows_text =
        !diagnostics.is_empty() || stored.error.as_ref().is_some_and(SourceError::is_syntax);
    let source = if shows_text {
        Some(SourceFile::read(path).ok()?.text)
    } else {
        None
    };
    Some(FileReport {
        path: path.to_path_buf(),
        source,
        diagnostics,
        functions_left_quietly: stored.functions_left_quietly,
        error: stored.error,
        ..FileReport::default()
    })
}

/// A sink that keeps what a checking run reports, to record the run.
pub(super) struct Recorder<'s> {
    sink: &'s dyn ReportSink,
    index: rustc_hash::FxHashMap<&'s Path, usize>,
    reports: Mutex<Vec<Option<StoredReport>>>,
    start: SystemTime,
    states: Vec<Option<FileState>>,
    contents: Vec<OnceLock<u128>>,
    /// How the run's modules are linked, when it found out.
    links: OnceLock<RunLinks>,
}

impl<'s> Recorder<'s> {
    /// Starts recording a run over `paths` that hands its reports to `sink`.
    pub(super) fn new(paths: &'s [PathBuf], sink: &'s dyn ReportSink) -> Self {
        let start = SystemTime::now();
        Self::with_states(paths, sink, start, states(paths))
    }

    /// [`Recorder::new`], with the states of `paths` at `start`.
    pub(super) fn with_states(
        paths: &'s [PathBuf],
        sink: &'s dyn ReportSink,
        start: SystemTime,
        states: Vec<Option<FileState>>,
    ) -> Self {
        Recorder {
            sink,
            index: paths
                .iter()
                .enumerate()
                .map(|(i, path)| (path.as_path(), i))
                .collect(),
            reports: Mutex::new((0..paths.len()).map(|_| None).collect()),
            start,
            states,
            contents: (0..paths.len()).map(|_| OnceLock::new()).collect(),
            links: OnceLock::new(),
        }
    }

    /// Where the run puts how its modules are linked.
    pub(super) fn links(&self) -> &OnceLock<RunLinks> {
        &self.links
    }

    /// Where the run puts a hash of each file's text as it reads it.
    pub(super) fn contents(&self) -> &[OnceLock<u128>] {
        &self.contents
    }

    /// Stores the record of the run, when no file changed while it ran and
    /// none was written too close to its start.
    pub(super) fn finish(self, paths: &[PathBuf], call_sites_only: &[bool], cache: &Cache) {
        let now = states(paths);
        self.finish_with(paths, call_sites_only, cache, &now);
    }

    /// [`Recorder::finish`], with the states of the files at its end.
    pub(super) fn finish_with(
        self,
        paths: &[PathBuf],
        call_sites_only: &[bool],
        cache: &Cache,
        now: &[Option<FileState>],
    ) {
        let Some(then) = self
            .states
            .iter()
            .map(|state| state.filter(|state| !state.racy(self.start)))
            .collect::<Option<Vec<FileState>>>()
        else {
            return;
        };
        if now.len() != then.len()
            || now
                .iter()
                .zip(&then)
                .any(|(now, then)| now.as_ref() != Some(then))
        {
            return;
        }
        let entry = RunEntry {
            states: then,
            contents: self
                .contents
                .into_iter()
                .map(|content| content.into_inner().unwrap_or(0))
                .collect(),
            reports: self.reports.into_inner().unwrap_or_else(|e| e.into_inner()),
        };
        let key = key(cache, paths, call_sites_only);
        // Beside the record, and written first: a record is never read
        // with the links of another run (they hold its fingerprint).
        if let Some(mut links) = self.links.into_inner() {
            links.fingerprint = entry.fingerprint(cache).value();
            cache.put_file(links_key(cache, key), &links);
        }
        cache.put_file(key, &entry);
    }
}

impl ReportSink for Recorder<'_> {
    fn file_done(&self, report: &mut FileReport) {
        let shows = !report.diagnostics.is_empty()
            || report.error.is_some()
            || report.functions_left_quietly > 0;
        if shows {
            if let Some(&i) = self.index.get(report.path.as_path()) {
                let stored = StoredReport {
                    diagnostics: report
                        .diagnostics
                        .iter()
                        .map(StoredDiagnostic::of)
                        .collect(),
                    functions_left_quietly: report.functions_left_quietly,
                    error: report.error.clone(),
                };
                self.reports.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(stored);
            }
        }
        self.sink.file_done(report);
    }
}
