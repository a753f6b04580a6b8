//! The persistent cache: what the first look found in each file, and each
//! file's report after its second look, keyed by a hash of exactly what
//! they were computed from (the file's path and text, the tool, the
//! settings that affect results, and for a second look the facts the run
//! propagated to the file). A warm run reads these instead of parsing the
//! files whose inputs did not change.
//!
//! Entries are records in pack files: each run that computed something
//! new writes one pack of its new records (one file, not one per entry:
//! creating thousands of files would cost a cold run more than its
//! analysis), streamed to a temporary file and renamed into place at the
//! end, so concurrent runs never read half a pack. A run that finds many
//! packs, or more than the bound, writes the records it used with its new
//! ones and removes the packs it read: what no recent run used goes.
//!
//! Beside each pack, an index of its records (`NAME.idx`: key, start and
//! end of each record, the pack's length and stamp, and a checksum of it
//! all), written before the pack is put in place: a run that needs a few
//! records (after an edit of one file) reads the indexes and only those
//! records, not every pack whole. A missing, corrupt or foreign index, or
//! one that does not fit its pack, and the pack is read whole, as without
//! one.
//!
//! Never wrong, never stuck: every record read is checked (tool and
//! settings stamp, key, length, checksum), so a truncated, corrupt or
//! foreign record is a miss, and its value is computed and written again;
//! a cache that cannot be written is left alone after one warning.

pub mod intern;

use std::fs;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use serde::{de::DeserializeOwned, Serialize};

use crate::settings::Settings;

/// The cache's directory at a project's root.
pub const DEFAULT_DIR: &str = ".hybridize_cache";
/// The environment variable that moves it (over `cache-dir`).
pub const ENV_DIR: &str = "HYBRIDIZE_CACHE_DIR";

/// The first bytes of every pack and of every single-entry file.
const MAGIC: &[u8; 8] = b"HYCACHE2";
/// The first bytes of a pack's index.
const INDEX_MAGIC: &[u8; 8] = b"HYINDEX1";
/// An index: magic, stamp, the pack's length, the number of records; then
/// per record its key, start and end; then a checksum of all before it.
const INDEX_HEADER: usize = 8 + 16 + 8 + 8;
const INDEX_ENTRY: usize = 16 + 8 + 8;
/// A record: stamp, key, payload length, payload checksum, then the payload.
const RECORD_HEADER: usize = 16 + 16 + 8 + 8;
/// The entries' subdirectory (a new layout gets a new one, and `clean`
/// removes old ones with the rest).
const ENTRIES: &str = "v2";
/// The size the packs may reach before a run keeps only what it used.
const MAX_BYTES: u64 = 128 << 20;
/// Packs a run reads at most before it merges what it used into one.
const MAX_PACKS: usize = 8;
/// Single-entry files (records of whole runs) kept at most.
const MAX_RUN_FILES: usize = 64;

const CACHEDIR_TAG: &str = "Signature: 8a477f597d28d172789f06886806bc55\n\
# This file is a cache directory tag created by hybridize.\n\
# For information about cache directory tags see https://bford.info/cachedir/\n";

/// One run's view of the cache directory.
pub struct Cache {
    dir: PathBuf,
    entries: PathBuf,
    /// The tool and the settings that affect results: part of every key,
    /// and repeated in every record.
    stamp: u128,
    /// Cleared after the first failed write (a read-only or full disk):
    /// the run goes on without writing, after one warning.
    writable: AtomicBool,
    /// The packs there were when the run first looked something up.
    packs: OnceLock<Packs>,
    /// The pack of this run's new records, written as they come.
    out: Mutex<Option<Out>>,
    /// Where the records this run read are (pack, start, end), to keep them
    /// when it merges the packs.
    used: Mutex<Vec<Location>>,
    hits: AtomicUsize,
    misses: AtomicUsize,
    written: AtomicUsize,
    /// Set by a run that read only the records of what an edit reached:
    /// when it merges the packs, it keeps every record, not only those it
    /// used (the next run may need the others).
    keep_unused: AtomicBool,
}

/// The pack a run writes, and its index so far.
struct Out {
    writer: BufWriter<tempfile::NamedTempFile>,
    /// How many bytes are written.
    length: u64,
    /// Per record: key, start, end.
    index: Vec<(u128, u64, u64)>,
}

impl Out {
    fn write(&mut self, key: u128, record: &[u8]) -> std::io::Result<()> {
        self.writer.write_all(record)?;
        let start = self.length;
        self.length += record.len() as u64;
        self.index.push((key, start, self.length));
        Ok(())
    }
}

/// Where a record is: (pack, start, end).
type Location = (usize, usize, usize);
/// What an index says: per record, its key, start and end.
type IndexEntries = Vec<(u128, usize, usize)>;

/// The packs of the cache, and where each key's records are.
#[derive(Default)]
struct Packs {
    files: Vec<Pack>,
    /// (key, location), by key: the records that may be the key's (those
    /// of an indexed pack are checked when read; those of a pack read
    /// whole were checked already). A key may have several, in several
    /// packs: one damaged must not hide a good one.
    index: Vec<(u128, Location)>,
}

/// One pack: read whole, or open to read the records its index places.
struct Pack {
    path: PathBuf,
    length: u64,
    bytes: PackBytes,
}

enum PackBytes {
    Whole(Vec<u8>),
    #[cfg(unix)]
    Indexed(fs::File),
}

impl Pack {
    /// The bytes from `start` to `end` (`None` when they cannot be read).
    fn read(&self, start: usize, end: usize) -> Option<std::borrow::Cow<'_, [u8]>> {
        match &self.bytes {
            PackBytes::Whole(bytes) => bytes.get(start..end).map(std::borrow::Cow::Borrowed),
            #[cfg(unix)]
            PackBytes::Indexed(file) => {
                use std::os::unix::fs::FileExt;
                let mut bytes = vec![0; end.checked_sub(start)?];
                file.read_exact_at(&mut bytes, start as u64).ok()?;
                Some(std::borrow::Cow::Owned(bytes))
            }
        }
    }
}

impl Packs {
    /// The locations of the records that may be `key`'s.
    fn of(&self, key: u128) -> impl Iterator<Item = Location> + '_ {
        let from = self.index.partition_point(|&(k, _)| k < key);
        self.index[from..]
            .iter()
            .take_while(move |&&(k, _)| k == key)
            .map(|&(_, location)| location)
    }
}

/// An entry's key: a hash of everything its value was computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key(u128);

impl Key {
    /// The key as a number (to store it).
    pub fn value(self) -> u128 {
        self.0
    }

    /// A key stored as a number.
    pub fn from_value(value: u128) -> Self {
        Key(value)
    }
}

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
            packs: OnceLock::new(),
            out: Mutex::new(None),
            used: Mutex::new(Vec::new()),
            hits: AtomicUsize::new(0),
            misses: AtomicUsize::new(0),
            written: AtomicUsize::new(0),
            keep_unused: AtomicBool::new(false),
        };
        if let Err(error) = cache.create() {
            cache.cannot_write(&error);
        }
        cache
    }

    fn create(&self) -> std::io::Result<()> {
        if self.entries.join("packs").is_dir() {
            return Ok(());
        }
        fs::create_dir_all(self.entries.join("packs"))?;
        fs::create_dir_all(self.entries.join("runs"))?;
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

    /// Keeps every record when this run merges the packs, not only those
    /// it used: for a run that read what one edit reached.
    pub fn keep_unused(&self) {
        self.keep_unused.store(true, Ordering::Relaxed);
    }

    /// The packs, read on first use.
    fn packs(&self) -> &Packs {
        self.packs
            .get_or_init(|| Packs::read(&self.entries.join("packs"), self.stamp))
    }

    /// The value stored under `key`, if there is a whole, valid record.
    pub fn get<T: DeserializeOwned>(&self, key: Key) -> Option<T> {
        let packs = self.packs();
        let found = packs.of(key.0).find_map(|(pack, start, end)| {
            let record = packs.files[pack].read(start, end)?;
            let value = postcard::from_bytes(self.verify(&record, key)?).ok()?;
            self.used
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((pack, start, end));
            Some(value)
        });
        let counter = if found.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    /// The payload of a record, when it is whole and is the record for
    /// `key` written by this tool with these settings.
    fn verify<'b>(&self, record: &'b [u8], key: Key) -> Option<&'b [u8]> {
        let header = record.get(..RECORD_HEADER)?;
        let payload = &record[RECORD_HEADER..];
        let length = u64::from_le_bytes(header[32..40].try_into().ok()?);
        let checksum = u64::from_le_bytes(header[40..48].try_into().ok()?);
        (header[..16] == self.stamp.to_le_bytes()
            && header[16..32] == key.0.to_le_bytes()
            && length == payload.len() as u64
            && checksum == xxhash_rust::xxh3::xxh3_64(payload))
        .then_some(payload)
    }

    /// A record of `value` under `key`.
    fn record<T: Serialize>(&self, key: Key, value: &T) -> Option<Vec<u8>> {
        let mut bytes = postcard::to_extend(value, vec![0u8; RECORD_HEADER]).ok()?;
        let length = (bytes.len() - RECORD_HEADER) as u64;
        let checksum = xxhash_rust::xxh3::xxh3_64(&bytes[RECORD_HEADER..]);
        bytes[..16].copy_from_slice(&self.stamp.to_le_bytes());
        bytes[16..32].copy_from_slice(&key.0.to_le_bytes());
        bytes[32..40].copy_from_slice(&length.to_le_bytes());
        bytes[40..48].copy_from_slice(&checksum.to_le_bytes());
        Some(bytes)
    }

    /// Stores `value` under `key`, in this run's pack (readers see it once
    /// the run is over).
    pub fn put<T: Serialize>(&self, key: Key, value: &T) {
        if !self.writable.load(Ordering::Relaxed) {
            return;
        }
        let Some(record) = self.record(key, value) else {
            return;
        };
        let mut out = self.out.lock().unwrap_or_else(|e| e.into_inner());
        let written = (|| {
            if out.is_none() {
                let mut file = tempfile::NamedTempFile::new_in(self.entries.join("packs"))?;
                file.write_all(MAGIC)?;
                *out = Some(Out {
                    writer: BufWriter::with_capacity(1 << 20, file),
                    length: MAGIC.len() as u64,
                    index: Vec::new(),
                });
            }
            out.as_mut().expect("created above").write(key.0, &record)
        })();
        match written {
            Ok(()) => {
                self.written.fetch_add(1, Ordering::Relaxed);
            }
            Err(error) => {
                *out = None;
                drop(out);
                self.cannot_write(&error);
            }
        }
    }

    fn run_path(&self, key: Key) -> PathBuf {
        self.entries.join("runs").join(format!("{:032x}", key.0))
    }

    /// The value of a single-entry file (the record of a whole run).
    pub fn get_file<T: DeserializeOwned>(&self, key: Key) -> Option<T> {
        let mut bytes = Vec::new();
        fs::File::open(self.run_path(key))
            .ok()?
            .read_to_end(&mut bytes)
            .ok()?;
        let record = bytes.strip_prefix(MAGIC.as_slice())?;
        postcard::from_bytes(self.verify(record, key)?).ok()
    }

    /// Stores a single-entry file, atomically; keeps the newest
    /// [`MAX_RUN_FILES`].
    pub fn put_file<T: Serialize>(&self, key: Key, value: &T) {
        if !self.writable.load(Ordering::Relaxed) {
            return;
        }
        let Some(record) = self.record(key, value) else {
            return;
        };
        let bytes = [MAGIC.as_slice(), &record].concat();
        let runs = self.entries.join("runs");
        match write_atomically(&runs, &self.run_path(key), &bytes) {
            Ok(()) => keep_newest(&runs, MAX_RUN_FILES),
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

    /// Ends the run's use of the cache: its pack of new records is put in
    /// place. When the run read many packs, or more than the bound, the
    /// records it used go into its pack too and the packs it read are
    /// removed. With `HYBRIDIZE_CACHE_STATS` set, prints what the run found
    /// (for tests and profiling; not an interface).
    pub fn finish(&self) {
        if std::env::var_os("HYBRIDIZE_CACHE_STATS").is_some() {
            eprintln!(
                "cache: {} hits, {} misses, {} written",
                self.hits.load(Ordering::Relaxed),
                self.misses.load(Ordering::Relaxed),
                self.written.load(Ordering::Relaxed)
            );
        }
        let Some(mut out) = self.out.lock().unwrap_or_else(|e| e.into_inner()).take() else {
            return;
        };
        let packs = self.packs.get();
        let bound = std::env::var("HYBRIDIZE_CACHE_MAX_BYTES")
            .ok()
            .and_then(|text| text.parse().ok())
            .unwrap_or(MAX_BYTES);
        let total = packs.map_or(0, |packs| {
            packs.files.iter().map(|pack| pack.length).sum::<u64>()
        });
        let merge = packs.is_some_and(|packs| packs.files.len() >= MAX_PACKS || total > bound);
        // Within the bound, a run that read only what an edit reached keeps
        // every record.
        let keep_unused = self.keep_unused.load(Ordering::Relaxed) && total <= bound;
        let result = (|| -> std::io::Result<()> {
            if merge {
                let packs = packs.expect("merging read packs");
                let mut used =
                    std::mem::take(&mut *self.used.lock().unwrap_or_else(|e| e.into_inner()));
                if keep_unused {
                    // One whole, valid record per key.
                    used.clear();
                    let mut keys: Vec<u128> = packs.index.iter().map(|&(key, _)| key).collect();
                    keys.dedup();
                    for key in keys {
                        let valid = packs.of(key).find(|&(pack, start, end)| {
                            packs.files[pack]
                                .read(start, end)
                                .is_some_and(|record| self.verify(&record, Key(key)).is_some())
                        });
                        used.extend(valid);
                    }
                }
                used.sort_unstable();
                used.dedup();
                for (pack, start, end) in used {
                    let Some(record) = packs.files[pack].read(start, end) else {
                        continue;
                    };
                    let key = u128::from_le_bytes(record[16..32].try_into().expect("16 bytes"));
                    out.write(key, &record)?;
                }
            }
            let Out {
                writer,
                length,
                mut index,
            } = out;
            let file = writer.into_inner().map_err(|error| error.into_error())?;
            let name = format!(
                "{:032x}",
                xxhash_rust::xxh3::xxh3_128(file.path().as_os_str().as_encoded_bytes())
            );
            let folder = self.entries.join("packs");
            // The index first: a pack is never in place with the index of
            // another; a pack without one is read whole.
            index.sort_unstable();
            let _ = write_atomically(
                &folder,
                &folder.join(format!("{name}.idx")),
                &index_bytes(self.stamp, length, &index),
            );
            file.persist(folder.join(format!("{name}.pack")))
                .map_err(|error| error.error)?;
            Ok(())
        })();
        match result {
            Ok(()) if merge => {
                for pack in &self.packs.get().expect("merged").files {
                    let _ = fs::remove_file(pack.path.with_extension("idx"));
                    let _ = fs::remove_file(&pack.path);
                }
            }
            Ok(()) => {}
            Err(error) => self.cannot_write(&error),
        }
    }
}

/// The index of a pack of `length` bytes whose records are `index` (key,
/// start, end), written with `stamp`.
fn index_bytes(stamp: u128, length: u64, index: &[(u128, u64, u64)]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(INDEX_HEADER + index.len() * INDEX_ENTRY + 8);
    bytes.extend_from_slice(INDEX_MAGIC);
    bytes.extend_from_slice(&stamp.to_le_bytes());
    bytes.extend_from_slice(&length.to_le_bytes());
    bytes.extend_from_slice(&(index.len() as u64).to_le_bytes());
    for &(key, start, end) in index {
        bytes.extend_from_slice(&key.to_le_bytes());
        bytes.extend_from_slice(&start.to_le_bytes());
        bytes.extend_from_slice(&end.to_le_bytes());
    }
    let checksum = xxhash_rust::xxh3::xxh3_64(&bytes);
    bytes.extend_from_slice(&checksum.to_le_bytes());
    bytes
}

/// What an index says, when it is whole, was written with `stamp` and fits
/// a pack of `length` bytes: each record's key, start and end. `Some` of
/// nothing: the pack's records are another tool's or settings'.
fn read_index(bytes: &[u8], stamp: u128, length: u64) -> Option<IndexEntries> {
    let (body, checksum) = bytes.split_at_checked(bytes.len().checked_sub(8)?)?;
    if !body.starts_with(INDEX_MAGIC)
        || u64::from_le_bytes(checksum.try_into().ok()?) != xxhash_rust::xxh3::xxh3_64(body)
    {
        return None;
    }
    let header = body.get(..INDEX_HEADER)?;
    let number = |at: usize| u64::from_le_bytes(header[at..at + 8].try_into().expect("8 bytes"));
    if number(24) != length {
        return None;
    }
    let entries = &body[INDEX_HEADER..];
    if entries.len() as u64 != number(32).checked_mul(INDEX_ENTRY as u64)? {
        return None;
    }
    if header[8..24] != stamp.to_le_bytes() {
        return Some(Vec::new());
    }
    entries
        .chunks_exact(INDEX_ENTRY)
        .map(|entry| {
            let key = u128::from_le_bytes(entry[..16].try_into().expect("16 bytes"));
            let start = u64::from_le_bytes(entry[16..24].try_into().expect("8 bytes"));
            let end = u64::from_le_bytes(entry[24..32].try_into().expect("8 bytes"));
            (start >= MAGIC.len() as u64
                && end <= length
                && end.checked_sub(start)? >= RECORD_HEADER as u64)
                .then_some((
                    key,
                    usize::try_from(start).ok()?,
                    usize::try_from(end).ok()?,
                ))
        })
        .collect()
}

impl Packs {
    /// Every pack in `folder`: through its index when it has a good one
    /// (only the records read later are checked), else read whole, with the
    /// records written with `stamp` that are whole (a pack that ends in the
    /// middle of a record gives the records before it). Temporary files a
    /// killed run left behind, and indexes of no pack, are removed after
    /// an hour.
    fn read(folder: &Path, stamp: u128) -> Packs {
        let mut packs = Packs::default();
        let Ok(listing) = fs::read_dir(folder) else {
            return packs;
        };
        for file in listing.flatten() {
            let path = file.path();
            if path.extension().is_none_or(|extension| extension != "pack") {
                let indexes_a_pack = path.extension().is_some_and(|e| e == "idx")
                    && path.with_extension("pack").exists();
                let stale = file
                    .metadata()
                    .and_then(|metadata| metadata.modified())
                    .ok()
                    .and_then(|time| time.elapsed().ok())
                    .is_some_and(|age| age > Duration::from_secs(3600));
                if stale && !indexes_a_pack {
                    let _ = fs::remove_file(&path);
                }
                continue;
            }
            let pack = packs.files.len();
            if let Some((file, length, index)) = Self::indexed(&path, stamp) {
                packs.index.extend(
                    index
                        .into_iter()
                        .map(|(key, start, end)| (key, (pack, start, end))),
                );
                packs.files.push(Pack {
                    path,
                    length,
                    bytes: file,
                });
                continue;
            }
            let Ok(bytes) = fs::read(&path) else {
                continue;
            };
            if !bytes.starts_with(MAGIC) {
                continue;
            }
            let mut at = MAGIC.len();
            while let Some(header) = bytes.get(at..at + RECORD_HEADER) {
                let key = u128::from_le_bytes(header[16..32].try_into().expect("16 bytes"));
                let length = u64::from_le_bytes(header[32..40].try_into().expect("8 bytes"));
                let Some(end) = usize::try_from(length)
                    .ok()
                    .and_then(|length| (at + RECORD_HEADER).checked_add(length))
                    .filter(|&end| end <= bytes.len())
                else {
                    break;
                };
                // Only records this run could use: a foreign or damaged
                // record must not hide a good one for the same key.
                if header[..16] == stamp.to_le_bytes()
                    && u64::from_le_bytes(header[40..48].try_into().expect("8 bytes"))
                        == xxhash_rust::xxh3::xxh3_64(&bytes[at + RECORD_HEADER..end])
                {
                    packs.index.push((key, (pack, at, end)));
                }
                at = end;
            }
            packs.files.push(Pack {
                path,
                length: bytes.len() as u64,
                bytes: PackBytes::Whole(bytes),
            });
        }
        // By key, each key's records in the order of the packs.
        packs.index.sort_by_key(|&(key, _)| key);
        packs
    }

    /// The pack at `path` opened, its length and what its index says, when
    /// it has a good one.
    #[cfg(unix)]
    fn indexed(path: &Path, stamp: u128) -> Option<(PackBytes, u64, IndexEntries)> {
        let index = fs::read(path.with_extension("idx")).ok()?;
        let file = fs::File::open(path).ok()?;
        let length = file.metadata().ok()?.len();
        let index = read_index(&index, stamp, length)?;
        Some((PackBytes::Indexed(file), length, index))
    }

    #[cfg(not(unix))]
    fn indexed(_path: &Path, _stamp: u128) -> Option<(PackBytes, u64, IndexEntries)> {
        None
    }
}

/// Removes the oldest files of `folder` beyond the newest `keep`.
fn keep_newest(folder: &Path, keep: usize) {
    let Ok(listing) = fs::read_dir(folder) else {
        return;
    };
    let mut files: Vec<(SystemTime, PathBuf)> = listing
        .flatten()
        .filter_map(|file| {
            let modified = file.metadata().ok()?.modified().ok()?;
            Some((modified, file.path()))
        })
        .collect();
    if files.len() <= keep {
        return;
    }
    files.sort_unstable_by_key(|(modified, _)| std::cmp::Reverse(*modified));
    for (_, path) in files.into_iter().skip(keep) {
        let _ = fs::remove_file(path);
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
