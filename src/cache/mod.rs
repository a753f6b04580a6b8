//! The persistent cache: what the first look found in each file, and each
//! file's report after its second look, keyed by a hash of exactly what
//! they were computed from (the file's path and text, the tool, the
//! settings that affect results, and for a second look the facts the run
//! propagated to the file). A warm run reads these instead of parsing the
//! files whose inputs did not change.
//!
//! Never wrong, never stuck: every read checks the entry's header (format,
//! tool and settings stamp, key, length, checksum), so a truncated,
//! corrupt or foreign entry is a miss and is rewritten; entries are
//! written to a temporary file and renamed into place, so concurrent runs
//! never read half an entry; a cache that cannot be written is left alone
//! after one warning; the oldest entries are pruned when it grows past a
//! bound.

pub mod intern;

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use serde::{de::DeserializeOwned, Serialize};

use crate::settings::Settings;

/// The cache's directory at a project's root.
pub const DEFAULT_DIR: &str = ".hybridize_cache";
/// The environment variable that moves it (over `cache-dir`).
pub const ENV_DIR: &str = "HYBRIDIZE_CACHE_DIR";

/// The first bytes of every entry; a new layout gets a new one.
const MAGIC: &[u8; 8] = b"HYCACHE1";
/// Magic, stamp, key, payload length, payload checksum.
const HEADER: usize = 8 + 16 + 16 + 8 + 8;
/// The entries' subdirectory (a new layout gets a new one, and `clean`
/// removes old ones with the rest).
const ENTRIES: &str = "v1";
/// The size the entries may reach before the least recently used are
/// pruned (to three quarters of it).
const MAX_BYTES: u64 = 512 << 20;
/// A hit on an entry older than this refreshes its time, so that pruning
/// removes the entries no run has used for longest.
const REFRESH_AFTER: Duration = Duration::from_secs(24 * 3600);

const CACHEDIR_TAG: &str = "Signature: 8a477f597d28d172789f06886806bc55\n\
# This file is a cache directory tag created by hybridize.\n\
# For information about cache directory tags see https://bford.info/cachedir/\n";

/// One run's view of the cache directory.
pub struct Cache {
    dir: PathBuf,
    entries: PathBuf,
    /// The tool and the settings that affect results: part of every key,
    /// and repeated in every entry's header.
    stamp: u128,
    /// Cleared after the first failed write (a read-only or full disk):
    /// the run goes on without writing, after one warning.
    writable: AtomicBool,
    written: AtomicUsize,
    written_bytes: AtomicU64,
}

/// An entry's key: a hash of everything its value was computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key(u128);

/// Builds a [`Key`]: feed it with [`std::hash::Hash`] or bytes.
pub struct KeyHasher(xxhash_rust::xxh3::Xxh3);

impl std::hash::Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    fn finish(&self) -> u64 {
        self.0.digest()
    }
}

impl KeyHasher {
    fn new(stamp: u128) -> Self {
        let mut hasher = KeyHasher(xxhash_rust::xxh3::Xxh3::new());
        hasher.0.update(&stamp.to_le_bytes());
        hasher
    }

    pub fn key(&self) -> Key {
        Key(self.0.digest128())
    }
}

/// A hash of a file's text (not against an adversary; 128 bits).
pub fn content_hash(text: &str) -> u128 {
    xxhash_rust::xxh3::xxh3_128(text.as_bytes())
}

impl Cache {
    /// The cache in `dir` for runs with `settings`, created if missing
    /// (with its `CACHEDIR.TAG` and a `.gitignore` that ignores it all).
    /// When it cannot be created the run goes on without it, after one
    /// warning.
    pub fn open(dir: &Path, settings: &Settings) -> Cache {
        let cache = Cache {
            dir: dir.to_path_buf(),
            entries: dir.join(ENTRIES),
            stamp: stamp(settings),
            writable: AtomicBool::new(true),
            written: AtomicUsize::new(0),
            written_bytes: AtomicU64::new(0),
        };
        if let Err(error) = cache.create() {
            cache.cannot_write(&error);
        }
        cache
    }

    fn create(&self) -> std::io::Result<()> {
        if self.entries.is_dir() {
            return Ok(());
        }
        fs::create_dir_all(&self.entries)?;
        for (name, text) in [("CACHEDIR.TAG", CACHEDIR_TAG), (".gitignore", "*\n")] {
            let path = self.dir.join(name);
            if !path.exists() {
                write_atomically(&self.dir, &path, text.as_bytes())?;
            }
        }
        Ok(())
    }

    /// A key for a value computed from what `feed` hashes (and the stamp).
    pub fn key(&self, feed: impl FnOnce(&mut KeyHasher)) -> Key {
        let mut hasher = KeyHasher::new(self.stamp);
        feed(&mut hasher);
        hasher.key()
    }

    fn path(&self, key: Key) -> PathBuf {
        let hex = format!("{:032x}", key.0);
        self.entries.join(&hex[..2]).join(&hex[2..])
    }

    /// The value stored under `key`, if there is a whole, valid entry.
    pub fn get<T: DeserializeOwned>(&self, key: Key) -> Option<T> {
        let path = self.path(key);
        let mut file = fs::File::open(&path).ok()?;
        let metadata = file.metadata().ok()?;
        let mut bytes = Vec::with_capacity(metadata.len() as usize);
        file.read_to_end(&mut bytes).ok()?;
        let payload = self.verify(&bytes, key)?;
        let value = postcard::from_bytes(payload).ok()?;
        if metadata
            .modified()
            .ok()
            .and_then(|time| time.elapsed().ok())
            .is_some_and(|age| age > REFRESH_AFTER)
        {
            // Used again: pruned last. A failure only makes it older.
            let _ = fs::File::options()
                .write(true)
                .open(&path)
                .and_then(|file| file.set_modified(SystemTime::now()));
        }
        Some(value)
    }

    /// The payload of an entry, when its header says it is whole and is
    /// the entry for `key` written by this tool with these settings.
    fn verify<'b>(&self, bytes: &'b [u8], key: Key) -> Option<&'b [u8]> {
        let header = bytes.get(..HEADER)?;
        let payload = &bytes[HEADER..];
        let field = |at: usize, len: usize| &header[at..at + len];
        let length = u64::from_le_bytes(field(40, 8).try_into().ok()?);
        let checksum = u64::from_le_bytes(field(48, 8).try_into().ok()?);
        (field(0, 8) == MAGIC
            && field(8, 16) == self.stamp.to_le_bytes()
            && field(24, 16) == key.0.to_le_bytes()
            && length == payload.len() as u64
            && checksum == xxhash_rust::xxh3::xxh3_64(payload))
        .then_some(payload)
    }

    /// Stores `value` under `key` (atomically: readers see the old entry,
    /// none, or the whole new one).
    pub fn put<T: Serialize>(&self, key: Key, value: &T) {
        if !self.writable.load(Ordering::Relaxed) {
            return;
        }
        let mut bytes = vec![0u8; HEADER];
        let Ok(mut bytes) = postcard::to_extend(value, std::mem::take(&mut bytes)) else {
            return;
        };
        let length = (bytes.len() - HEADER) as u64;
        let checksum = xxhash_rust::xxh3::xxh3_64(&bytes[HEADER..]);
        bytes[..8].copy_from_slice(MAGIC);
        bytes[8..24].copy_from_slice(&self.stamp.to_le_bytes());
        bytes[24..40].copy_from_slice(&key.0.to_le_bytes());
        bytes[40..48].copy_from_slice(&length.to_le_bytes());
        bytes[48..56].copy_from_slice(&checksum.to_le_bytes());
        let path = self.path(key);
        let shard = path.parent().expect("an entry is in a shard");
        let written = write_atomically(shard, &path, &bytes).or_else(|error| {
            if error.kind() != std::io::ErrorKind::NotFound {
                return Err(error);
            }
            fs::create_dir_all(shard)?;
            write_atomically(shard, &path, &bytes)
        });
        match written {
            Ok(()) => {
                self.written.fetch_add(1, Ordering::Relaxed);
                self.written_bytes
                    .fetch_add(bytes.len() as u64, Ordering::Relaxed);
            }
            Err(error) => self.cannot_write(&error),
        }
    }

    /// Stops writing, with one warning.
    fn cannot_write(&self, error: &std::io::Error) {
        if self.writable.swap(false, Ordering::Relaxed) {
            eprintln!(
                "warning: cannot write the cache in {}: {error}; the run goes on without it (`--no-cache` turns it off).",
                crate::source::shown(&self.dir)
            );
        }
    }

    /// Ends the run's use of the cache: when it wrote entries, prunes the
    /// least recently used ones if the cache has grown past its bound
    /// (walked after large writes, and now and then after small ones;
    /// always when `HYBRIDIZE_CACHE_MAX_BYTES` sets the bound, for tests;
    /// not an interface).
    pub fn finish(&self) {
        let written = self.written.load(Ordering::Relaxed);
        if written == 0 {
            return;
        }
        let now = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let bound = std::env::var("HYBRIDIZE_CACHE_MAX_BYTES")
            .ok()
            .and_then(|text| text.parse().ok());
        if bound.is_none() && written < 64 && !now.is_multiple_of(32) {
            return;
        }
        prune(&self.entries, bound.unwrap_or(MAX_BYTES));
    }
}

/// Removes the least recently used entries of `entries` while they take
/// more than `max` bytes, down to three quarters of it; and temporary
/// files a killed run left behind.
fn prune(entries: &Path, max: u64) {
    let mut found: Vec<(SystemTime, u64, PathBuf)> = Vec::new();
    let Ok(shards) = fs::read_dir(entries) else {
        return;
    };
    for shard in shards.flatten() {
        let Ok(files) = fs::read_dir(shard.path()) else {
            continue;
        };
        for file in files.flatten() {
            let Ok(metadata) = file.metadata() else {
                continue;
            };
            let modified = metadata.modified().unwrap_or(SystemTime::UNIX_EPOCH);
            let stale = file.file_name().to_string_lossy().starts_with(".tmp")
                && modified
                    .elapsed()
                    .is_ok_and(|age| age > Duration::from_secs(3600));
            if stale {
                let _ = fs::remove_file(file.path());
                continue;
            }
            found.push((modified, metadata.len(), file.path()));
        }
    }
    let mut total: u64 = found.iter().map(|(_, size, _)| size).sum();
    if total <= max {
        return;
    }
    found.sort_unstable_by_key(|(modified, _, _)| *modified);
    for (_, size, path) in found {
        if total <= max / 4 * 3 {
            break;
        }
        if fs::remove_file(&path).is_ok() {
            total -= size;
        }
    }
}

/// Writes `bytes` to `path` through a temporary file in `dir`, renamed
/// into place.
fn write_atomically(dir: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(bytes)?;
    file.persist(path).map_err(|error| error.error)?;
    Ok(())
}

/// The tool and the settings that affect results: the version, the
/// executable itself (a rebuilt tool of the same version may analyse
/// differently), and every setting but where the cache is and which paths
/// a directory walk leaves out.
fn stamp(settings: &Settings) -> u128 {
    let mut text = format!("hybridize {}\n", env!("CARGO_PKG_VERSION"));
    if let Some(metadata) = std::env::current_exe()
        .ok()
        .and_then(|exe| fs::metadata(exe).ok())
    {
        let modified = metadata
            .modified()
            .ok()
            .and_then(|time| time.duration_since(SystemTime::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        text.push_str(&format!("{} {modified}\n", metadata.len()));
    }
    let mut settings = settings.clone();
    settings.cache_dir = None;
    settings.exclude = Vec::new();
    text.push_str(&format!("{settings:?}"));
    xxhash_rust::xxh3::xxh3_128(text.as_bytes())
}

/// Where the cache of a run on `start` (its first path) is: in
/// `HYBRIDIZE_CACHE_DIR` when set, else `configured` (`cache-dir`, already
/// resolved against its `pyproject.toml`), else `.hybridize_cache` in the
/// project's root: the nearest folder above `start` with a
/// `pyproject.toml`, or `start`'s folder.
pub fn location(start: &Path, configured: Option<&Path>) -> PathBuf {
    if let Some(dir) = std::env::var_os(ENV_DIR).filter(|dir| !dir.is_empty()) {
        return PathBuf::from(dir);
    }
    if let Some(dir) = configured {
        return dir.to_path_buf();
    }
    let start = std::path::absolute(start).unwrap_or_else(|_| start.to_path_buf());
    let start = if start.is_dir() {
        start
    } else {
        start.parent().map(Path::to_path_buf).unwrap_or(start)
    };
    start
        .ancestors()
        .find(|folder| folder.join("pyproject.toml").is_file())
        .unwrap_or(&start)
        .join(DEFAULT_DIR)
}

/// Removes the cache directory `dir`; `Ok(false)` when there is none. A
/// directory without hybridize's `CACHEDIR.TAG` is not removed: it may be
/// anything.
pub fn clean(dir: &Path) -> std::io::Result<bool> {
    if !dir.exists() {
        return Ok(false);
    }
    let tag = fs::read_to_string(dir.join("CACHEDIR.TAG")).unwrap_or_default();
    if !tag.contains("created by hybridize") {
        return Err(std::io::Error::other(format!(
            "{} has no CACHEDIR.TAG written by hybridize; not removing it",
            crate::source::shown(dir)
        )));
    }
    fs::remove_dir_all(dir)?;
    Ok(true)
}
