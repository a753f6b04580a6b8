//! `parse_only PATH...` — the speed baseline for `hybridize check`.
//!
//! Walks the given paths the way the tool does (the `ignore` crate:
//! `.gitignore` honoured even outside a git repository, hidden files skipped,
//! `*.py` files only; a path given explicitly is always read), reads each file
//! and parses it with
//! `ruff_python_parser::parse_module`, single-threaded. Files that are not UTF-8
//! are skipped (counted). Nothing else is done with the AST. It uses the
//! same global allocator (mimalloc) as `hybridize`.
//!
//! stdout: one line per file that does not parse, `PATH:LINE:COL: MESSAGE`.
//! stderr: `parse_only: F files, L lines, B bytes, E parse errors, N non-UTF-8 skipped`.
//! Exit code: 0 all parsed, 1 some parse errors, 2 usage or I/O error.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};

// The same allocator as `hybridize`, so that the comparison measures the
// analysis, not the allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Default)]
struct Stats {
    files: u64,
    lines: u64,
    bytes: u64,
    errors: u64,
    non_utf8: u64,
}

fn is_python(path: &Path) -> bool {
    path.extension().is_some_and(|ext| ext == "py")
}

/// 1-based line and character column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = text[line_start..offset].chars().count() + 1;
    (line, col)
}

fn parse_file(path: &Path, stats: &mut Stats, out: &mut impl Write) -> Result<()> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let Ok(text) = String::from_utf8(bytes) else {
        stats.non_utf8 += 1;
        return Ok(());
    };
    stats.files += 1;
    stats.bytes += text.len() as u64;
    stats.lines += text.lines().count() as u64;
    if let Err(err) = ruff_python_parser::parse_module(&text) {
        stats.errors += 1;
        let (line, col) = line_col(&text, usize::from(err.location.start()));
        writeln!(out, "{}:{line}:{col}: {}", path.display(), err.error)?;
    }
    Ok(())
}

fn run(paths: &[PathBuf]) -> Result<Stats> {
    let mut stats = Stats::default();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for root in paths {
        if root.is_file() {
            parse_file(root, &mut stats, &mut out)?;
            continue;
        }
        if !root.exists() {
            anyhow::bail!("{}: no such file or directory", root.display());
        }
        let mut files = Vec::new();
        for entry in ignore::WalkBuilder::new(root).require_git(false).build() {
            let entry = entry?;
            if entry.file_type().is_some_and(|t| t.is_file()) && is_python(entry.path()) {
                files.push(entry.into_path());
            }
        }
        files.sort();
        for file in &files {
            parse_file(file, &mut stats, &mut out)?;
        }
    }
    out.flush()?;
    Ok(stats)
}

fn main() -> ExitCode {
    let paths: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if paths.is_empty() || paths.iter().any(|p| p == "-h" || p == "--help") {
        eprintln!("usage: parse_only PATH...");
        return ExitCode::from(2);
    }
    match run(&paths) {
        Ok(stats) => {
            eprintln!(
                "parse_only: {} files, {} lines, {} bytes, {} parse errors, {} non-UTF-8 skipped",
                stats.files, stats.lines, stats.bytes, stats.errors, stats.non_utf8
            );
            if stats.errors > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(err) => {
            eprintln!("parse_only: error: {err:#}");
            ExitCode::from(2)
        }
    }
}
