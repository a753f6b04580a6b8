//! Fuzzing that runs with every test run: a seeded, time-bounded property
//! test on stable Rust. Each case is a real Python file of the repository
//! (a codemod fixture, an example, an oracle program) mutated a few times
//! (bytes cut, lines repeated or swapped, pieces of other files spliced in,
//! hostile tokens inserted) and sent through the whole pipeline: parse →
//! semantic model → every codemod (unsafe fixes on) → fix to a fixed point
//! → every output format. The properties are those of the cargo-fuzz target
//! (`fuzz/fuzz_targets/fix_roundtrip.rs`): no panic, no internal error, a
//! fixed text that parses, a second run that proposes nothing, output
//! formats that stay valid JSON.
//!
//! `HYBRIDIZE_FUZZ_SECONDS` (default 20) bounds the time,
//! `HYBRIDIZE_FUZZ_CASES` (default 900) the number of cases, so that a
//! faster machine does not meet cases a slower one never ran, and
//! `HYBRIDIZE_FUZZ_SEED` (default 23) picks the sequence of cases; a
//! failure names its seed and case and leaves the input in `target/`.
//! Inputs that once failed live in `tests/fuzz/regressions/` and run
//! first, always; those that still fail, found with other seeds, wait in
//! `tests/fuzz/open/` (`cargo test --test fuzz -- --ignored` runs them).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use hybridize::render::{self, Emitter};
use hybridize::report::{file_findings, FileReport};
use hybridize::run::{check_source, Mode, WORKER_STACK_SIZE};
use hybridize::settings::Settings;
use hybridize::source::SourceFile;

/// xorshift64*: small, seeded, the same everywhere.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Tokens that have broken parsers, analyses and fixers before.
const HOSTILE: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "{",
    ":",
    ",",
    "\\",
    "\t",
    "\r",
    "\r\n",
    "\x0c",
    "\0",
    "\u{feff}",
    "é",
    "ß→",
    "'''",
    "\"",
    "f'{x!r:>{w}}'",
    "#",
    "  # noqa: HY011\n",
    "# hybridize: noqa\n",
    "\n",
    "    ",
    "pass\n",
    "@tf.function\n",
    "@tf.function(experimental_relax_shapes=True)\n",
    "@function\n",
    "def f(x):\n",
    "def g(*a, **k):\n    return g(a)\n",
    "class M(tf.Module):\n",
    "lambda x: x",
    "yield x\n",
    "await x\n",
    "async ",
    "global COUNTER\n",
    "nonlocal n\n",
    "self.count += 1\n",
    "print(x)\n",
    "x.numpy()\n",
    "tf.Variable(0.0)\n",
    "for i in range(3):\n",
    "while x:\n",
    "with tf.GradientTape() as t:\n",
    "import tensorflow as tf\n",
    "from tensorflow import function\n",
    "tf.function(f)\n",
    "self.f = tf.function(self.f)\n",
    "match x:\n    case 1:\n        pass\n",
    "x := 1",
    "*",
    "**",
    "del x\n",
];

/// The Python files of the repository that seed the cases.
fn seeds() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for folder in ["codemods", "examples", "tests/programs"] {
        collect(&root.join(folder), &mut files);
    }
    files.sort();
    let texts: Vec<String> = files
        .iter()
        .filter_map(|path| std::fs::read_to_string(path).ok())
        .collect();
    assert!(texts.len() > 20, "seeds not found under {}", root.display());
    texts
}

fn collect(folder: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, files);
        } else if path.extension().is_some_and(|e| e == "py") {
            files.push(path);
        }
    }
}

/// The nearest character boundary at or before `at`.
fn boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Byte offsets of line starts.
fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .filter(|&i| i <= text.len())
        .collect()
}

/// One mutation of `text`.
fn mutate(text: &mut String, seeds: &[String], rng: &mut Rng) {
    let lines = line_starts(text);
    let line = |rng: &mut Rng| {
        let i = rng.below(lines.len());
        let start = lines[i];
        let end = lines.get(i + 1).copied().unwrap_or(text.len());
        (start, end)
    };
    match rng.below(8) {
        // Cut a few bytes.
        0 => {
            let start = boundary(text, rng.below(text.len() + 1));
            let end = boundary(text, start + rng.below(12));
            text.replace_range(start..end, "");
        }
        // Repeat a line.
        1 => {
            let (start, end) = line(rng);
            let copy = text[start..end].to_string();
            text.insert_str(end, &copy);
        }
        // Drop a line.
        2 => {
            let (start, end) = line(rng);
            text.replace_range(start..end, "");
        }
        // Swap a line with the next.
        3 => {
            let (start, end) = line(rng);
            let next_end = text[end..].find('\n').map_or(text.len(), |i| end + i + 1);
            let (first, second) = (
                text[start..end].to_string(),
                text[end..next_end].to_string(),
            );
            text.replace_range(start..next_end, &format!("{second}{first}"));
        }
        // Indent or dedent a line.
        4 => {
            let (start, end) = line(rng);
            if rng.below(2) == 0 {
                text.insert_str(start, "    ");
            } else if text[start..end].starts_with("    ") {
                text.replace_range(start..start + 4, "");
            }
        }
        // Splice in lines of another file.
        5 => {
            let other = &seeds[rng.below(seeds.len())];
            let other_lines = line_starts(other);
            let from = rng.below(other_lines.len());
            let to = (from + 1 + rng.below(8)).min(other_lines.len());
            let end = other_lines.get(to).copied().unwrap_or(other.len());
            let piece = &other[other_lines[from]..end];
            let (start, _) = line(rng);
            text.insert_str(start, piece);
        }
        // Nest an expression deeply.
        6 => {
            let depth = 1 + rng.below(300);
            let at = boundary(text, rng.below(text.len() + 1));
            let nested = format!("{}x{}", "(".repeat(depth), ")".repeat(depth));
            text.insert_str(at, &nested);
        }
        // Insert a hostile token.
        _ => {
            let token = HOSTILE[rng.below(HOSTILE.len())];
            let at = if rng.below(2) == 0 {
                line(rng).0
            } else {
                boundary(text, rng.below(text.len() + 1))
            };
            text.insert_str(at, token);
        }
    }
}

/// Every property one input must keep; `Err` says which broke.
fn check(text: &str) -> Result<(), String> {
    let settings = Settings {
        unsafe_fixes: true,
        ..Settings::default()
    };
    let file = SourceFile {
        path: PathBuf::from("fuzz.py"),
        text: text.to_string(),
    };
    let parses = ruff_python_parser::parse_module(text).is_ok();
    let report = check_source(file.clone(), &settings, Mode::Fix);
    if !report.internal_errors.is_empty() {
        return Err(format!("internal errors: {:?}", report.internal_errors));
    }
    if let Some(fixed) = &report.fixed {
        if !parses {
            return Err("a file that does not parse was fixed".into());
        }
        if ruff_python_parser::parse_module(fixed).is_err() {
            return Err(format!("the fixed text does not parse:\n{fixed}"));
        }
        let again = check_source(
            SourceFile {
                path: PathBuf::from("fuzz.py"),
                text: fixed.clone(),
            },
            &settings,
            Mode::Fix,
        );
        if let Some(changed) = again.fixed {
            return Err(format!(
                "a second run still changes:\n{fixed}\n---\n{changed}"
            ));
        }
    }
    emit_every_format(check_source(file, &settings, Mode::Check), &settings)
}

/// Renders the report in every output format: JSON formats must parse.
fn emit_every_format(report: FileReport, settings: &Settings) -> Result<(), String> {
    let findings = file_findings(&report, settings);
    let emitters: [(&str, Box<dyn Emitter>); 8] = [
        ("full", Box::new(render::Full { color: false })),
        ("concise", Box::new(render::Concise { color: false })),
        ("json", Box::new(render::Json)),
        ("json-lines", Box::new(render::JsonLines)),
        ("github", Box::new(render::Github)),
        ("sarif", Box::new(render::Sarif)),
        ("rdjson", Box::new(render::Rdjson)),
        ("rdjsonl", Box::new(render::Rdjsonl)),
    ];
    for (name, emitter) in emitters {
        let mut out = Vec::new();
        emitter
            .emit(&mut out, &findings)
            .map_err(|err| format!("{name}: {err}"))?;
        let text = String::from_utf8(out).map_err(|err| format!("{name}: {err}"))?;
        let documents: Vec<&str> = match name {
            "json" | "sarif" | "rdjson" => vec![text.as_str()],
            "json-lines" | "rdjsonl" => text.lines().collect(),
            _ => {
                // One finding, one line: no raw control characters.
                if name == "concise" && text.lines().count() != findings.len() {
                    return Err(format!("concise: not one line per finding:\n{text}"));
                }
                Vec::new()
            }
        };
        for document in documents {
            serde_json::from_str::<serde_json::Value>(document)
                .map_err(|err| format!("{name}: invalid JSON: {err}\n{document}"))?;
        }
    }
    Ok(())
}

/// Runs `check` on `text`, turning a panic into an error.
fn check_catching(text: &str) -> Result<(), String> {
    catch_unwind(AssertUnwindSafe(|| check(text))).unwrap_or_else(|panic| {
        let message = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        Err(format!("panic: {message}"))
    })
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The failing input, kept for a regression file in `tests/fuzz/`.
fn keep_failure(name: &str, text: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join(format!("fuzz-failure-{name}.py"));
    let _ = std::fs::write(&path, text);
    path
}

#[test]
fn mutated_real_files_never_break_the_pipeline() {
    // Deeply nested input needs the stack the tool's workers have.
    std::thread::Builder::new()
        .stack_size(WORKER_STACK_SIZE)
        .spawn(run_cases)
        .unwrap()
        .join()
        .unwrap();
}

/// Every input kept in `tests/fuzz/{folder}` must pass.
fn run_kept(folder: &str) {
    let mut kept = Vec::new();
    collect(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fuzz")
            .join(folder),
        &mut kept,
    );
    kept.sort();
    assert!(!kept.is_empty(), "no inputs in tests/fuzz/{folder}");
    for path in kept {
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        if let Err(why) = check_catching(&text) {
            panic!("{}: {why}", path.display());
        }
    }
}

#[test]
#[ignore = "open findings of the fuzzer in codemods/, for their owners"]
fn inputs_the_fuzzer_found_still_failing() {
    std::thread::Builder::new()
        .stack_size(WORKER_STACK_SIZE)
        .spawn(|| run_kept("open"))
        .unwrap()
        .join()
        .unwrap();
}

fn run_cases() {
    run_kept("regressions");
    let seconds = env_number("HYBRIDIZE_FUZZ_SECONDS", 20);
    let cases = env_number("HYBRIDIZE_FUZZ_CASES", 900);
    let seed = env_number("HYBRIDIZE_FUZZ_SEED", 23);
    let seeds = seeds();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut case = 0u64;
    while case < cases && Instant::now() < deadline {
        let mut rng = Rng::new(seed ^ case.wrapping_mul(0x1000_0000_01b3));
        let mut text = seeds[rng.below(seeds.len())].clone();
        for _ in 0..1 + rng.below(4) {
            mutate(&mut text, &seeds, &mut rng);
        }
        if let Err(why) = check_catching(&text) {
            let kept = keep_failure(&format!("{seed}-{case}"), &text);
            panic!(
                "seed {seed}, case {case} (input in {}): {why}",
                kept.display()
            );
        }
        case += 1;
    }
    eprintln!("fuzz: {case} cases (seed {seed})");
}
