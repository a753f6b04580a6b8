//! The persistent cache: a warm run prints exactly what a cold run prints,
//! in every output format and in `fix`; a change in one file reaches the
//! findings of another; corrupt, truncated and foreign entries are
//! ignored and rewritten; an unwritable cache costs one warning; runs at
//! once never read half an entry; `--no-cache`, `cache-dir`,
//! `HYBRIDIZE_CACHE_DIR` and `hybridize clean` do what they say.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn write(dir: &Path, path: &str, text: &str) {
    let path = dir.join(path);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

const HELPERS: &str = "history = []\n\n\ndef record(value):\n    history.append(value)\n";

/// A project whose `train.py` findings depend on `pkg/helpers.py` (which
/// does not name TensorFlow) and `pkg/ops.py`.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "pkg/__init__.py", "");
    write(dir.path(), "pkg/helpers.py", HELPERS);
    write(
        dir.path(),
        "pkg/ops.py",
        "import tensorflow as tf\n\n\ndef dense(x, w):\n    return tf.matmul(x, w)\n",
    );
    write(
        dir.path(),
        "train.py",
        "import tensorflow as tf\nfrom pkg.helpers import record\nimport pkg.ops as ops\n\nw = tf.ones([4, 4])\n\n\ndef step_logged(x):\n    y = ops.dense(x, w)\n    record(y)\n    return y\n\n\ndef step_clean(x):\n    print(\"step\")\n    return ops.dense(x, w)\n\n\n@tf.function\ndef traced(x):\n    print(x)\n    return x\n\n\nx = tf.ones([2, 4])\nfor _ in range(10):\n    step_logged(x)\n    step_clean(x)\n    traced(x)\n",
    );
    dir
}

/// Runs hybridize in `dir` with `args`, the cache where `cache` says
/// (`None`: the default place). Files written just before a run count as
/// unchanged in the next one (they are all written so here): a checking
/// run over unchanged files replays the last one's reports.
fn run(dir: &Path, args: &[&str], cache: Option<&Path>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hybridize"));
    command
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env("HYBRIDIZE_CACHE_RACY_MS", "0")
        .env_remove("HYBRIDIZE_PHASE_TIMES")
        .env_remove("HYBRIDIZE_CACHE_DIR");
    if let Some(cache) = cache {
        command.env("HYBRIDIZE_CACHE_DIR", cache);
    }
    command.output().unwrap()
}

/// Stdout, stderr and exit code, as one comparable text.
fn shown(output: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Every command whose output a warm run must repeat byte for byte.
const COMMANDS: &[&[&str]] = &[
    &["check", "."],
    &["check", "--output-format", "concise", "."],
    &["check", "--output-format", "json", "--unsafe-fixes", "."],
    &["check", "--output-format", "json-lines", "."],
    &["check", "--output-format", "sarif", "."],
    &["check", "--output-format", "rdjson", "."],
    &["check", "--output-format", "github", "."],
    &["check", "--show-refusals", "--candidates", "all", "."],
    &["fix", "."],
    &["fix", "--unsafe-fixes", "."],
];

/// The files of a cache directory's entries (packs and records of runs).
fn entries(cache: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![cache.join("v2")];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            stack.extend(fs::read_dir(&path).unwrap().flatten().map(|e| e.path()));
        } else {
            found.push(path);
        }
    }
    found.sort();
    found
}

/// The packs of a cache directory, and whether each has its index beside
/// it.
fn packs(cache: &Path) -> Vec<(PathBuf, bool)> {
    entries(cache)
        .into_iter()
        .filter(|path| path.extension().is_some_and(|e| e == "pack"))
        .map(|path| {
            let indexed = path.with_extension("idx").is_file();
            (path, indexed)
        })
        .collect()
}

/// What every command prints with no cache at all.
fn uncached(dir: &Path) -> Vec<String> {
    COMMANDS
        .iter()
        .map(|args| {
            let mut args = args.to_vec();
            args.insert(1, "--no-cache");
            shown(&run(dir, &args, None))
        })
        .collect()
}

fn assert_same_as(dir: &Path, expected: &[String], cache: Option<&Path>, when: &str) {
    for (args, expected) in COMMANDS.iter().zip(expected) {
        let got = shown(&run(dir, args, cache));
        assert_eq!(&got, expected, "{when}: `hybridize {}`", args.join(" "));
    }
}

#[test]
fn a_warm_run_prints_what_a_cold_run_prints_in_every_format() {
    let dir = project();
    let cold = uncached(dir.path());
    assert!(
        !dir.path().join(".hybridize_cache").exists(),
        "--no-cache wrote a cache"
    );
    // Cold (each command fills the cache), then warm, twice.
    assert_same_as(dir.path(), &cold, None, "cold");
    let cache = dir.path().join(".hybridize_cache");
    assert!(!entries(&cache).is_empty(), "no entry written");
    assert!(fs::read_to_string(cache.join("CACHEDIR.TAG"))
        .unwrap()
        .starts_with("Signature: 8a477f597d28d172789f06886806bc55"));
    assert_eq!(fs::read_to_string(cache.join(".gitignore")).unwrap(), "*\n");
    let before = entries(&cache);
    assert_same_as(dir.path(), &cold, None, "warm");
    assert_eq!(entries(&cache), before, "a warm run wrote new entries");
}

#[test]
fn a_warm_run_of_fix_write_writes_what_a_cold_one_writes() {
    let cold = project();
    let warm = project();
    let cache = tempfile::tempdir().unwrap();
    // Warmed by a check with the same settings (the first looks are the
    // same in `check` and `fix`).
    run(
        warm.path(),
        &["check", "--unsafe-fixes", "."],
        Some(cache.path()),
    );
    let written_cold = run(
        cold.path(),
        &["fix", "--no-cache", "--write", "--unsafe-fixes", "."],
        None,
    );
    let written_warm = run(
        warm.path(),
        &["fix", "--write", "--unsafe-fixes", "."],
        Some(cache.path()),
    );
    assert_eq!(shown(&written_cold), shown(&written_warm));
    for file in ["train.py", "pkg/helpers.py", "pkg/ops.py"] {
        assert_eq!(
            fs::read_to_string(cold.path().join(file)).unwrap(),
            fs::read_to_string(warm.path().join(file)).unwrap(),
            "{file}"
        );
    }
    assert!(
        fs::read_to_string(warm.path().join("train.py"))
            .unwrap()
            .contains("tf.print(x)"),
        "the fix was not written"
    );
    // After the write, the warm check agrees with a cold one again.
    assert_eq!(
        shown(&run(warm.path(), &["check", "."], Some(cache.path()))),
        shown(&run(warm.path(), &["check", "--no-cache", "."], None))
    );
}

#[test]
fn editing_one_file_changes_the_findings_of_another_in_a_warm_run() {
    let dir = project();
    let concise = ["check", "--output-format", "concise", "."];
    let out = |dir: &Path| String::from_utf8(run(dir, &concise, None).stdout).unwrap();
    let first = out(dir.path());
    assert!(
        first
            .contains("which mutates the global `history` (`.append`) at line 5 of pkg/helpers.py"),
        "{first}"
    );
    // A line more above the culprit: train.py's finding names line 6 now.
    write(dir.path(), "pkg/helpers.py", &format!("# moved\n{HELPERS}"));
    let moved = out(dir.path());
    assert!(
        moved.contains("at line 6 of pkg/helpers.py"),
        "a warm run kept train.py's stale finding:\n{moved}"
    );
    assert_eq!(
        moved,
        String::from_utf8(
            run(
                dir.path(),
                &["check", "--no-cache", "--output-format", "concise", "."],
                None
            )
            .stdout
        )
        .unwrap()
    );
    // The side effect gone: `step_logged` may be converted now.
    write(
        dir.path(),
        "pkg/helpers.py",
        "import math\n\n\ndef record(value):\n    return math.pi\n",
    );
    let clean = out(dir.path());
    assert!(!clean.contains("mutates the global"), "{clean}");
    assert!(clean.contains("train.py:8:5: HY001"), "{clean}");
    assert_eq!(clean, {
        let output = run(
            dir.path(),
            &["check", "--no-cache", "--output-format", "concise", "."],
            None,
        );
        String::from_utf8(output.stdout).unwrap()
    });
    // And back: the first findings again, from the cache.
    write(dir.path(), "pkg/helpers.py", HELPERS);
    assert_eq!(out(dir.path()), first);
}

/// Where the records of a cache file are: a pack holds records one after
/// another, after the 8-byte magic (a record: 16 bytes of stamp, 16 of
/// key, 8 of length, 8 of checksum, then the payload).
fn records(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let mut at = 8;
    while at + 48 <= bytes.len() {
        let length = u64::from_le_bytes(bytes[at + 32..at + 40].try_into().unwrap()) as usize;
        let end = at + 48 + length;
        if end > bytes.len() {
            break;
        }
        found.push((at, end));
        at = end;
    }
    found
}

/// The cache's account of a `fix` run in `dir` (`fix` looks every file up:
/// it is never replayed).
fn fix_stats(dir: &Path) -> (String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_hybridize"))
        .current_dir(dir)
        .args(["fix", "."])
        .env("NO_COLOR", "1")
        .env("HYBRIDIZE_CACHE_STATS", "1")
        .env_remove("HYBRIDIZE_CACHE_DIR")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    let stats = stderr
        .lines()
        .find(|line| line.starts_with("cache: "))
        .unwrap_or_default()
        .to_string();
    let shown = shown(&output)
        .lines()
        .filter(|line| !line.starts_with("cache: "))
        .map(|line| format!("{line}\n"))
        .collect();
    (stats, shown)
}

/// Fills a cache for `dir`, damages every file of it with `damage`, and
/// checks that the damage is noticed (misses), that every run prints what
/// it printed, and that the damaged records are written again (no miss
/// after).
fn damaged_entries_are_ignored_and_rewritten(damage: impl Fn(&mut Vec<u8>)) {
    let dir = project();
    let cold = uncached(dir.path());
    assert_same_as(dir.path(), &cold, None, "cold");
    let (stats, fixed) = fix_stats(dir.path());
    assert!(stats.contains(" 0 misses"), "{stats}");
    for path in entries(&dir.path().join(".hybridize_cache")) {
        let mut bytes = fs::read(&path).unwrap();
        damage(&mut bytes);
        fs::write(&path, bytes).unwrap();
    }
    let (stats, damaged) = fix_stats(dir.path());
    assert!(
        !stats.contains(" 0 misses"),
        "damage went unnoticed: {stats}"
    );
    assert_eq!(damaged, fixed);
    assert_same_as(dir.path(), &cold, None, "damaged");
    let (stats, again) = fix_stats(dir.path());
    assert!(stats.contains(" 0 misses"), "not rewritten: {stats}");
    assert_eq!(again, fixed);
}

#[test]
fn truncated_entries_are_ignored_and_rewritten() {
    damaged_entries_are_ignored_and_rewritten(|bytes| {
        let records = records(bytes);
        // Cut in the middle of the first record.
        if let Some(&(start, end)) = records.first() {
            bytes.truncate((start + end) / 2);
        }
    });
}

#[test]
fn corrupt_entries_are_ignored_and_rewritten() {
    // A byte of every record's payload changed: the checksum tells.
    damaged_entries_are_ignored_and_rewritten(|bytes| {
        for (_, end) in records(bytes) {
            bytes[end - 1] ^= 0x5a;
        }
    });
    damaged_entries_are_ignored_and_rewritten(Vec::clear);
}

/// A run that needs a few records reads a pack's index and those records
/// only: a damaged index, an index of another pack or none at all must not
/// change what any run prints, and the pack is then read whole (every
/// record found: no miss).
#[test]
fn a_damaged_or_missing_pack_index_falls_back_to_the_whole_pack() {
    let dir = project();
    let cold = uncached(dir.path());
    assert_same_as(dir.path(), &cold, None, "cold");
    let (stats, fixed) = fix_stats(dir.path());
    assert!(stats.contains(" 0 misses"), "{stats}");
    let cache = dir.path().join(".hybridize_cache");
    let found = packs(&cache);
    assert!(
        !found.is_empty() && found.iter().all(|&(_, indexed)| indexed),
        "a pack without its index: {found:?}"
    );
    let indexes: Vec<PathBuf> = found.iter().map(|(p, _)| p.with_extension("idx")).collect();
    let originals: Vec<Vec<u8>> = indexes.iter().map(|p| fs::read(p).unwrap()).collect();
    // Each index: its byte at `at` changed (the checksum tells), cut short,
    // emptied, removed, and one pointing every record at the wrong place
    // with a checksum that fits (only the records' own checks tell).
    let misplaced = |bytes: &[u8]| -> Vec<u8> {
        let mut bytes = bytes[..bytes.len() - 8].to_vec();
        let entries = (bytes.len() - 40) / 32;
        for e in 0..entries {
            let start = 40 + e * 32 + 16;
            let at = u64::from_le_bytes(bytes[start..start + 8].try_into().unwrap());
            bytes[start..start + 8].copy_from_slice(&(at + 1).to_le_bytes());
        }
        let checksum = xxhash_rust::xxh3::xxh3_64(&bytes);
        bytes.extend_from_slice(&checksum.to_le_bytes());
        bytes
    };
    type Damage<'a> = (&'a str, Box<dyn Fn(&[u8]) -> Option<Vec<u8>> + 'a>);
    let damages: Vec<Damage> = vec![
        (
            "a byte of the stamp changed",
            Box::new(|b: &[u8]| {
                let mut b = b.to_vec();
                b[9] ^= 0x5a;
                Some(b)
            }),
        ),
        (
            "a byte of an entry changed",
            Box::new(|b: &[u8]| {
                let mut b = b.to_vec();
                b[40 + 17] ^= 0x5a;
                Some(b)
            }),
        ),
        (
            "cut short",
            Box::new(|b: &[u8]| Some(b[..b.len() / 2].to_vec())),
        ),
        ("emptied", Box::new(|_: &[u8]| Some(Vec::new()))),
        ("removed", Box::new(|_: &[u8]| None)),
    ];
    for (what, damage) in &damages {
        for (path, original) in indexes.iter().zip(&originals) {
            match damage(original) {
                Some(bytes) => fs::write(path, bytes).unwrap(),
                None => fs::remove_file(path).unwrap(),
            }
        }
        let (stats, damaged) = fix_stats(dir.path());
        assert!(stats.contains(" 0 misses"), "index {what}: {stats}");
        assert_eq!(damaged, fixed, "index {what}");
        for (path, original) in indexes.iter().zip(&originals) {
            fs::write(path, original).unwrap();
        }
    }
    // Misplaced records are misses, computed again: the same output.
    for (path, original) in indexes.iter().zip(&originals) {
        fs::write(path, misplaced(original)).unwrap();
    }
    let (stats, damaged) = fix_stats(dir.path());
    assert!(
        !stats.contains(" 0 misses"),
        "misplaced records read: {stats}"
    );
    assert_eq!(damaged, fixed, "index misplacing the records");
    assert_same_as(dir.path(), &cold, None, "misplaced records");
    let (stats, again) = fix_stats(dir.path());
    assert!(stats.contains(" 0 misses"), "not rewritten: {stats}");
    assert_eq!(again, fixed);
}

#[test]
fn entries_of_another_version_or_settings_are_ignored_and_rewritten() {
    // Every record's stamp (tool and settings) changed.
    damaged_entries_are_ignored_and_rewritten(|bytes| {
        for (start, _) in records(bytes) {
            bytes[start] ^= 0xff;
        }
    });
}

#[test]
fn other_settings_do_not_read_each_others_entries() {
    let dir = project();
    let plain = shown(&run(dir.path(), &["check", "."], None));
    let all = shown(&run(
        dir.path(),
        &["check", "--candidates", "all", "--show-refusals", "."],
        None,
    ));
    assert_ne!(plain, all);
    assert_eq!(shown(&run(dir.path(), &["check", "."], None)), plain);
    assert_eq!(
        shown(&run(
            dir.path(),
            &["check", "--candidates", "all", "--show-refusals", "."],
            None
        )),
        all
    );
}

#[test]
fn an_unwritable_cache_costs_one_warning_and_changes_nothing_else() {
    let dir = project();
    let cold = shown(&run(dir.path(), &["check", "--no-cache", "."], None));
    // A cache directory that cannot be created (its parent is a file),
    // as on a read-only or full disk.
    let blocker = dir.path().join("blocker");
    fs::write(&blocker, "").unwrap();
    let output = run(dir.path(), &["check", "."], Some(&blocker.join("cache")));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        stderr.matches("warning: cannot write the cache").count(),
        1,
        "{stderr}"
    );
    let without_warning: String = shown(&output)
        .lines()
        .filter(|line| !line.starts_with("warning: cannot write the cache"))
        .map(|line| format!("{line}\n"))
        .collect();
    assert_eq!(without_warning, cold);
}

#[test]
fn a_read_only_cache_is_read_and_not_written() {
    let dir = project();
    run(dir.path(), &["check", "."], None);
    let train = dir.path().join("train.py");
    write(
        dir.path(),
        "train.py",
        &format!("# changed\n{}", fs::read_to_string(&train).unwrap()),
    );
    let expected = shown(&run(dir.path(), &["check", "--no-cache", "."], None));
    // The entries' folders read-only (as on a read-only mount; root ignores
    // the mode, and then the run writes as usual).
    let folders = ["v2/packs", "v2/runs"].map(|f| dir.path().join(".hybridize_cache").join(f));
    for folder in &folders {
        let mut permissions = fs::metadata(folder).unwrap().permissions();
        permissions.set_readonly(true);
        fs::set_permissions(folder, permissions).unwrap();
    }
    let output = run(dir.path(), &["check", "."], None);
    for folder in &folders {
        let mut permissions = fs::metadata(folder).unwrap().permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        permissions.set_readonly(false);
        fs::set_permissions(folder, permissions).unwrap();
    }
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert!(
        stderr.matches("warning: cannot write the cache").count() <= 1,
        "{stderr}"
    );
    let without_warning: String = shown(&output)
        .lines()
        .filter(|line| !line.starts_with("warning: cannot write the cache"))
        .map(|line| format!("{line}\n"))
        .collect();
    assert_eq!(without_warning, expected);
}

#[test]
fn runs_at_once_share_a_cache_and_print_what_a_cold_run_prints() {
    let dir = project();
    let args = ["check", "--output-format", "json", "."];
    let cold = shown(&run(
        dir.path(),
        &["check", "--no-cache", "--output-format", "json", "."],
        None,
    ));
    for round in 0..3 {
        if round == 1 {
            // Half the entries gone: some runs write while others read.
            for (i, entry) in entries(&dir.path().join(".hybridize_cache"))
                .iter()
                .enumerate()
            {
                if i % 2 == 0 {
                    fs::remove_file(entry).unwrap();
                }
            }
        }
        let children: Vec<_> = (0..6)
            .map(|_| {
                Command::new(env!("CARGO_BIN_EXE_hybridize"))
                    .current_dir(dir.path())
                    .args(args)
                    .env("NO_COLOR", "1")
                    .env("HYBRIDIZE_CACHE_RACY_MS", "0")
                    .env_remove("HYBRIDIZE_CACHE_DIR")
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let output = child.wait_with_output().unwrap();
            assert_eq!(shown(&output), cold, "round {round}");
        }
    }
}

#[test]
fn no_cache_cache_dir_and_the_environment_say_where_the_cache_is() {
    let dir = project();
    run(dir.path(), &["check", "--no-cache", "."], None);
    assert!(!dir.path().join(".hybridize_cache").exists());
    let elsewhere = tempfile::tempdir().unwrap();
    run(
        dir.path(),
        &["check", "."],
        Some(&elsewhere.path().join("c")),
    );
    assert!(!dir.path().join(".hybridize_cache").exists());
    assert!(!entries(&elsewhere.path().join("c")).is_empty());
    write(
        dir.path(),
        "pyproject.toml",
        "[tool.hybridize]\ncache-dir = \"build/hy\"\n",
    );
    run(dir.path(), &["check", "pkg"], None);
    assert!(!entries(&dir.path().join("build/hy")).is_empty());
    assert!(!dir.path().join(".hybridize_cache").exists());
    assert!(!dir.path().join("pkg/.hybridize_cache").exists());
    // `clean` removes it, and says so.
    let output = run(dir.path(), &["clean"], None);
    assert_eq!(output.status.code(), Some(0), "{}", shown(&output));
    assert!(!dir.path().join("build/hy").exists());
    let output = run(dir.path(), &["clean"], None);
    assert!(String::from_utf8_lossy(&output.stderr).contains("No cache at"));
}

#[test]
fn clean_removes_only_a_cache() {
    let dir = project();
    let stranger = dir.path().join("not-a-cache");
    fs::create_dir(&stranger).unwrap();
    fs::write(stranger.join("precious.txt"), "keep").unwrap();
    let output = run(dir.path(), &["clean"], Some(&stranger));
    assert_eq!(output.status.code(), Some(2), "{}", shown(&output));
    assert!(stranger.join("precious.txt").exists());
    run(dir.path(), &["check", "."], None);
    assert!(dir.path().join(".hybridize_cache").exists());
    let output = run(dir.path(), &["clean", "."], None);
    assert_eq!(output.status.code(), Some(0), "{}", shown(&output));
    assert!(!dir.path().join(".hybridize_cache").exists());
}

#[test]
fn the_cache_is_pruned_to_its_bound() {
    let dir = project();
    let other = ["fix", "--candidates", "all", "."];
    run(dir.path(), &other, None);
    run(dir.path(), &["fix", "."], None);
    assert_eq!(packs(&dir.path().join(".hybridize_cache")).len(), 2);
    // Over the bound, a run that writes keeps only what it used.
    write(
        dir.path(),
        "pkg/ops.py",
        "import tensorflow as tf\n\n\ndef dense(x, w):\n    return tf.matmul(w, x)\n",
    );
    let output = Command::new(env!("CARGO_BIN_EXE_hybridize"))
        .current_dir(dir.path())
        .args(["fix", "."])
        .env_remove("HYBRIDIZE_CACHE_DIR")
        .env("HYBRIDIZE_CACHE_MAX_BYTES", "1")
        .output()
        .unwrap();
    assert_eq!(
        shown(&output),
        shown(&run(dir.path(), &["fix", "--no-cache", "."], None))
    );
    assert_eq!(packs(&dir.path().join(".hybridize_cache")).len(), 1);
    // The other settings' records are gone: computed again, same output.
    let expected_other = shown(&run(
        dir.path(),
        &["fix", "--no-cache", "--candidates", "all", "."],
        None,
    ));
    let (stats, _) = fix_stats(dir.path());
    assert!(stats.contains(" 0 misses"), "{stats}");
    assert_eq!(shown(&run(dir.path(), &other, None)), expected_other);
}

#[test]
fn a_package_marker_outside_the_run_is_part_of_what_a_file_gives() {
    // Whether `pkg` is a package decides whether `dense` may be called
    // from outside the run; `pkg/__init__.py` is not among the files run.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "pkg/__init__.py", "");
    write(
        dir.path(),
        "pkg/ops.py",
        "import tensorflow as tf\n\n\n@tf.function\ndef dense(x, w):\n    return tf.matmul(x, w)\n",
    );
    write(
        dir.path(),
        "pkg/train.py",
        "import tensorflow as tf\nfrom pkg.ops import dense\n\nw = tf.ones([4, 4])\n\n\n@tf.function\ndef step(x):\n    return dense(x, w)\n\n\nfor _ in range(3):\n    step(tf.ones([2, 4]))\n",
    );
    let args = ["check", "--select", "HY020", "pkg/ops.py", "pkg/train.py"];
    let package = shown(&run(dir.path(), &args, None));
    assert!(!package.contains("`dense` runs only"), "{package}");
    fs::remove_file(dir.path().join("pkg/__init__.py")).unwrap();
    let plain = shown(&run(dir.path(), &args, None));
    assert!(plain.contains("`dense` runs only"), "{plain}");
    let mut uncached = args.to_vec();
    uncached.insert(1, "--no-cache");
    assert_eq!(plain, shown(&run(dir.path(), &uncached, None)));
}

/// Whether a checking run in `dir` parsed or summarised anything (the
/// phase timers print a line per phase of a run that did).
fn ran_phases(dir: &Path, racy_ms: Option<&str>) -> bool {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hybridize"));
    command
        .current_dir(dir)
        .args(["check", "."])
        .env("HYBRIDIZE_PHASE_TIMES", "1")
        .env_remove("HYBRIDIZE_CACHE_DIR")
        .env_remove("HYBRIDIZE_CACHE_RACY_MS");
    if let Some(ms) = racy_ms {
        command.env("HYBRIDIZE_CACHE_RACY_MS", ms);
    }
    let output = command.output().unwrap();
    String::from_utf8_lossy(&output.stderr).contains("phase 1")
}

#[test]
fn a_check_over_unchanged_files_replays_the_last_one() {
    let dir = project();
    let expected = shown(&run(dir.path(), &["check", "--no-cache", "."], None));
    assert!(
        ran_phases(dir.path(), Some("0")),
        "a cold run analysed nothing"
    );
    assert!(
        !ran_phases(dir.path(), Some("0")),
        "nothing changed, yet files were analysed"
    );
    assert_eq!(shown(&run(dir.path(), &["check", "."], None)), expected);
    // A file written again with the same text: its times moved, its text
    // did not; the run is still replayed.
    let train = dir.path().join("train.py");
    fs::write(&train, fs::read(&train).unwrap()).unwrap();
    assert!(
        !ran_phases(dir.path(), Some("0")),
        "a touched file was analysed again"
    );
    assert_eq!(shown(&run(dir.path(), &["check", "."], None)), expected);
    // The same size, another text: analysed again.
    let text = fs::read_to_string(&train).unwrap();
    fs::write(&train, text.replace("step_clean", "step_clear")).unwrap();
    assert!(
        ran_phases(dir.path(), Some("0")),
        "an edit of the same size went unnoticed"
    );
    let renamed = shown(&run(dir.path(), &["check", "."], None));
    assert_ne!(renamed, expected);
    assert_eq!(
        renamed,
        shown(&run(dir.path(), &["check", "--no-cache", "."], None))
    );
    fs::write(&train, text).unwrap();
    // An edit: the findings of the edited file change.
    write(
        dir.path(),
        "train.py",
        &fs::read_to_string(&train)
            .unwrap()
            .replace("print(x)", "tf.print(x)"),
    );
    let edited = shown(&run(dir.path(), &["check", "."], None));
    assert_ne!(edited, expected);
    assert_eq!(
        edited,
        shown(&run(dir.path(), &["check", "--no-cache", "."], None))
    );
}

#[test]
fn files_written_just_before_a_run_are_never_trusted_by_their_times() {
    // With the real window (a second), files written a moment before the
    // run may change again within the same clock tick: the run is not
    // recorded, and the next one analyses the files again.
    let dir = project();
    assert!(ran_phases(dir.path(), None));
    assert!(
        ran_phases(dir.path(), None),
        "a run of just-written files was replayed"
    );
}

#[test]
fn a_profiled_run_neither_reads_nor_writes_the_cache() {
    let dir = project();
    let profile = format!(
        "{{\"format\": \"hybridize-profile\", \"version\": 1, \"root\": {:?}, \"command\": [\"python\"], \"exit_status\": 0, \"processes\": 1, \"functions\": []}}",
        dir.path().display().to_string()
    );
    write(dir.path(), "profile.json", &profile);
    let output = run(
        dir.path(),
        &["check", "--profile", "profile.json", "."],
        None,
    );
    assert_eq!(output.status.code(), Some(1), "{}", shown(&output));
    assert!(
        !dir.path().join(".hybridize_cache").exists(),
        "{}",
        shown(&output)
    );
    // Without the profile, the same run caches.
    run(dir.path(), &["check", "."], None);
    assert!(dir.path().join(".hybridize_cache").exists());
}

/// A project of three TensorFlow modules: `train.py` calls `pkg/ops.py`
/// (in a loop), `other.py` calls neither.
fn linked_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "pkg/__init__.py", "");
    write(
        dir.path(),
        "pkg/ops.py",
        "import tensorflow as tf\n\ncounter = 0\n\n\ndef dense(x, w):\n    return tf.matmul(x, w)\n\n\ndef scale(x):\n    global counter\n    counter += 1\n    return x * 2.0\n\n\ndef noisy(x):\n    print(\"noisy\")\n    return tf.nn.relu(x) * 2.0 + 1.0\n",
    );
    write(
        dir.path(),
        "train.py",
        "import tensorflow as tf\nimport pkg.ops as ops\n\nw = tf.ones([4, 4])\n\n\ndef step(x):\n    y = ops.dense(x, w)\n    return ops.scale(y)\n\n\nx = tf.ones([2, 4])\nfor _ in range(10):\n    step(x)\n    ops.noisy(x)\n",
    );
    write(
        dir.path(),
        "other.py",
        "import tensorflow as tf\n\n\ndef body(x):\n    print(\"step\")\n    return tf.reduce_sum(tf.nn.relu(x) * x)\n\n\nfor _ in range(3):\n    body(tf.ones([2]))\n",
    );
    dir
}

/// A warm check's concise output, and whether the run after an edit
/// propagated only the modules linked to the edited one (it says so with
/// `HYBRIDIZE_CACHE_STATS`); asserts that the output, and the JSON output
/// with unsafe fixes, are those of a run without the cache.
fn check_after_edit(dir: &Path, when: &str) -> (String, bool) {
    let mut outputs = Vec::new();
    let mut partial = false;
    for args in [
        &["check", "--output-format", "concise", "."][..],
        &["check", "--output-format", "json", "--unsafe-fixes", "."][..],
    ] {
        let mut command = Command::new(env!("CARGO_BIN_EXE_hybridize"));
        let output = command
            .current_dir(dir)
            .args(args)
            .env("NO_COLOR", "1")
            .env("HYBRIDIZE_CACHE_RACY_MS", "0")
            .env("HYBRIDIZE_CACHE_STATS", "1")
            .env_remove("HYBRIDIZE_CACHE_DIR")
            .env_remove("HYBRIDIZE_SECOND_LOOK")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr).to_string();
        partial |= stderr.contains("modules propagated again");
        let stdout = String::from_utf8(output.stdout).unwrap();
        let mut uncached = args.to_vec();
        uncached.insert(1, "--no-cache");
        let expected = run(dir, &uncached, None);
        assert_eq!(
            stdout,
            String::from_utf8(expected.stdout).unwrap(),
            "{when}: `hybridize {}`",
            args.join(" ")
        );
        assert_eq!(output.status.code(), expected.status.code(), "{when}");
        outputs.push(stdout);
    }
    (outputs.swap_remove(0), partial)
}

#[test]
fn an_edit_reaches_the_findings_of_the_modules_calls_link_to_it() {
    let dir = linked_project();
    let ops = dir.path().join("pkg/ops.py");
    let train = dir.path().join("train.py");
    let (first, _) = check_after_edit(dir.path(), "cold");
    assert!(
        first.contains("which writes to the global `counter` at line 12 of pkg/ops.py"),
        "{first}"
    );
    assert!(first.contains("pkg/ops.py:16:5: HY101 `noisy`"), "{first}");
    assert!(first.contains("other.py:4:5: HY101"), "{first}");
    // A line more at the top of the callee's module: the caller's finding
    // names the culprit's new line.
    let text = fs::read_to_string(&ops).unwrap();
    fs::write(&ops, format!("# moved\n{text}")).unwrap();
    let (moved, partial) = check_after_edit(dir.path(), "a line inserted");
    assert!(partial, "the edit was not propagated alone:\n{moved}");
    assert!(
        moved.contains("at line 13 of pkg/ops.py"),
        "a stale finding in train.py:\n{moved}"
    );
    // The callee writes no global any more: its caller can be converted.
    fs::write(&ops, text.replace("    counter += 1\n", "    pass\n")).unwrap();
    let (pure, partial) = check_after_edit(dir.path(), "a callee made pure");
    assert!(partial, "the edit was not propagated alone:\n{pure}");
    assert!(!pure.contains("writes to the global"), "{pure}");
    assert!(pure.contains("train.py:7:5: HY001"), "{pure}");
    // A call taken out of the caller's loop: the callee in the other
    // module is no longer hot, and its finding goes.
    let calls = fs::read_to_string(&train).unwrap();
    fs::write(
        &train,
        calls.replace("    ops.noisy(x)\n", "ops.noisy(x)\n"),
    )
    .unwrap();
    let (cold, partial) = check_after_edit(dir.path(), "a call out of a loop");
    assert!(partial, "the edit was not propagated alone:\n{cold}");
    assert!(
        !cold.contains("`noisy`"),
        "a stale finding in pkg/ops.py:\n{cold}"
    );
    // And back into the loop.
    fs::write(&train, &calls).unwrap();
    let (hot, partial) = check_after_edit(dir.path(), "a call back in a loop");
    assert!(partial);
    assert!(hot.contains("HY101 `noisy`"), "{hot}");
    // A new function changes what calls elsewhere may mean: a whole run.
    let text = fs::read_to_string(&ops).unwrap();
    fs::write(&ops, format!("{text}\n\ndef extra(x):\n    return x\n")).unwrap();
    let (_, partial) = check_after_edit(dir.path(), "a function added");
    assert!(!partial, "a new name was propagated alone");
    // Two files edited at once: a whole run.
    fs::write(&ops, &text).unwrap();
    fs::write(&train, calls.replace("range(10)", "range(20)")).unwrap();
    let (_, partial) = check_after_edit(dir.path(), "two files edited");
    assert!(!partial, "two edits were propagated alone");
}

#[test]
fn an_edit_of_a_star_imported_module_is_checked_with_the_whole_run() {
    let dir = linked_project();
    write(
        dir.path(),
        "uses_star.py",
        "import tensorflow as tf\nfrom pkg.ops import *\n\n\ndef run(x):\n    return noisy(x)\n\n\nfor _ in range(3):\n    run(tf.ones([2]))\n",
    );
    check_after_edit(dir.path(), "cold");
    let ops = dir.path().join("pkg/ops.py");
    let text = fs::read_to_string(&ops).unwrap();
    fs::write(&ops, text.replace("print(\"noisy\")", "pass")).unwrap();
    let (out, partial) = check_after_edit(dir.path(), "a star-imported module edited");
    assert!(
        !partial,
        "what the star import binds may have changed:\n{out}"
    );
}

#[test]
fn a_run_after_an_edit_propagates_the_callers_of_what_it_reaches() {
    // `train.py` calls `util.act`, so does `other.py`, whose finding then
    // depends on what `lib.g` does, which depends on what every caller of
    // `lib.g` passes it: `third.py` too, which the edit of `train.py`
    // does not reach. Without it, `other.py`'s fix would be a safe one.
    let dir = tempfile::tempdir().unwrap();
    let module = |body: &str| format!("import tensorflow as tf\n{body}");
    write(
        dir.path(),
        "util.py",
        &module("\n\ndef act(v):\n    return v * 2\n"),
    );
    write(
        dir.path(),
        "lib.py",
        &module("\n\ndef g(v):\n    return v + 1\n"),
    );
    let train = module("import util\n\nfor _ in range(3):\n    util.act(tf.ones([2]))\n");
    write(dir.path(), "train.py", &train);
    write(
        dir.path(),
        "other.py",
        &module("import util\nimport lib\n\n\ndef body():\n    util.act(3)\n    return lib.g(tf.ones([2]))\n\n\nfor _ in range(3):\n    body()\n"),
    );
    write(dir.path(), "third.py", &module("import lib\n\nlib.g(3)\n"));
    let (first, _) = check_after_edit(dir.path(), "cold");
    assert!(first.contains("other.py:6:5: HY001 `body`"), "{first}");
    write(dir.path(), "train.py", &format!("# moved\n{train}"));
    let (moved, partial) = check_after_edit(dir.path(), "a line inserted");
    assert!(partial, "the edit was not propagated alone:\n{moved}");
    assert_eq!(moved, first);
}

/// A run after an edit propagates the edited module's group with only the
/// modules the group's names can meet standing in for the others: a class
/// of the edited module that is a Keras layer only through classes of two
/// modules no call links to it must still be one, and a module nothing
/// names (`other.py`, with a class of a base named through a module) must
/// change nothing.
#[test]
fn a_run_after_an_edit_resolves_classes_through_modules_outside_the_group() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "pkg/__init__.py", "");
    write(
        dir.path(),
        "pkg/base.py",
        "import tensorflow as tf\n\n\nclass Base(tf.keras.layers.Layer):\n    pass\n",
    );
    write(
        dir.path(),
        "pkg/mid.py",
        "import tensorflow as tf\nfrom pkg.base import Base\n\n\nclass Mid(Base):\n    pass\n",
    );
    let model = "import tensorflow as tf\nfrom pkg.mid import Mid\n\nhistory = []\n\n\nclass Net(Mid):\n    def call(self, x):\n        history.append(x)\n        return tf.nn.relu(x) * 2.0 + tf.reduce_sum(x)\n\n\ndef body(x):\n    history.append(x)\n    return tf.reduce_sum(tf.nn.relu(x) * x)\n\n\nnet = Net()\nfor _ in range(3):\n    net(tf.ones([2]))\n    body(tf.ones([2]))\n";
    write(dir.path(), "model.py", model);
    write(
        dir.path(),
        "other.py",
        "import collections\nimport tensorflow as tf\n\n\nclass Table(collections.OrderedDict):\n    pass\n\n\ndef step(x):\n    print(\"step\")\n    return tf.reduce_sum(tf.nn.relu(x) * x)\n\n\nfor _ in range(3):\n    step(tf.ones([2]))\n",
    );
    let (first, _) = check_after_edit(dir.path(), "cold");
    assert!(first.contains("model.py"), "{first}");
    for (i, line) in ["# one\n", "# two\n"].iter().enumerate() {
        write(
            dir.path(),
            "model.py",
            &format!("{}{model}", line.repeat(i + 1)),
        );
        let (after, partial) = check_after_edit(dir.path(), "a line inserted");
        assert!(partial, "the edit was not propagated alone:\n{after}");
        assert_ne!(after, first, "the findings did not move with the lines");
    }
}
