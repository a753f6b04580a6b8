//! `hybridize verify [fix options] -- CMD`: the changes `fix` proposes,
//! each file's checked by running CMD on a copy of the project (and a
//! file not kept split by bisection over its fixes); prints a report
//! (stderr) and the diff of the kept changes (stdout), or with `--write`
//! applies just those.

use std::io::{self, IsTerminal, Write};
use std::time::Duration;

use anyhow::{bail, Result};

use super::{reads_stdin, report_errors, reports, settings};
use crate::apply::apply_fixes;
use crate::cli::VerifyArgs;
use crate::diff::{colorize, unified_diff};
use crate::exit_status::ExitStatus;
use crate::observe::verify::{verify as run_verify, Change, Part, Runner, Verdict, VerifyError};
use crate::report::KeepReports;
use crate::run::Mode;
use crate::source::display;

pub(super) fn verify(args: VerifyArgs) -> Result<ExitStatus> {
    if reads_stdin(&args.common) {
        bail!("`verify` runs a command on the project's files: it cannot read stdin (`-`)");
    }
    // No cache: the project's tree is left as it was but for the changes
    // kept (with `--write`).
    let mut settings = settings(&args.common)?;
    settings.cache_dir = None;
    let (reports, _) = reports(&args.common, &settings, Mode::Fix, &KeepReports)?;
    if report_errors(&reports, true).any() {
        bail!("some files could not be fixed (see above): nothing to verify");
    }
    let root = std::env::current_dir()?.canonicalize()?;
    let mut changes = Vec::new();
    let mut real_paths = Vec::new();
    for report in &reports {
        let (Some(source), Some(fixed)) = (&report.source, &report.fixed) else {
            continue;
        };
        let path = report.path.canonicalize()?;
        let Ok(relative) = path.strip_prefix(&root) else {
            bail!(
                "{} is outside the current directory, which `verify` copies: run it from the project's root",
                report.path.display()
            );
        };
        let label = |d: &crate::diagnostic::Diagnostic| match &d.function {
            Some(function) => format!("{} `{function}`", d.code),
            None => d.code.to_string(),
        };
        let applicable: Vec<&crate::diagnostic::Diagnostic> = report
            .diagnostics
            .iter()
            .filter(|d| d.fix_applies(&settings) && d.fix.is_some())
            .collect();
        let mut fixes: Vec<String> = applicable.iter().map(|d| label(d)).collect();
        fixes.dedup();
        // Fixes applied in a later pass or round, after others (HY020 once
        // HY001 made a caller a graph function): named by their codes.
        let mut follow_ups: Vec<&str> = report.applied.clone();
        for d in &applicable {
            if let Some(i) = follow_ups.iter().position(|code| *code == d.code) {
                follow_ups.remove(i);
            }
        }
        follow_ups.sort_unstable();
        follow_ups.dedup();
        fixes.extend(follow_ups.iter().map(|code| format!("{code} (follow-up)")));
        changes.push(Change {
            path: relative.to_path_buf(),
            original: source.clone(),
            fixed: fixed.clone(),
            fixes,
            parts: parts(&report.path, source, &applicable, label),
        });
        real_paths.push(report.path.clone());
    }
    let mut stderr = io::stderr();
    if changes.is_empty() {
        let _ = writeln!(stderr, "Nothing to verify: no fix to apply.");
        return Ok(ExitStatus::Success);
    }
    let runner = Runner {
        command: &args.command,
        runs: args.runs.max(1),
        timeout: args.timeout.map(Duration::from_secs_f64),
        compare_output: args.compare_output.then_some(args.rtol),
    };
    let verified = match run_verify(&root, changes, &runner, &mut |step| {
        let _ = writeln!(io::stderr(), "verify: {step} ...");
    }) {
        Ok(verified) => verified,
        Err(error) => {
            if let Some(
                VerifyError::BaselineFails { .. }
                | VerifyError::BaselineVaries { .. }
                | VerifyError::Interrupted,
            ) = error.downcast_ref::<VerifyError>()
            {
                let _ = writeln!(stderr, "error: {error}");
                return Ok(ExitStatus::Error);
            }
            return Err(error);
        }
    };
    let _ = writeln!(
        stderr,
        "\nBaseline: `{}` passes, {:.2} s (median of {}; differences within {:.0}% are noise).",
        args.command.join(" "),
        verified.baseline,
        verified.runs,
        verified.noise * 100.0
    );
    let mut kept = Vec::new();
    let (mut fixes_kept, mut fixes_all, mut split) = (0, 0, false);
    for (file, real) in verified.verdicts.iter().zip(&real_paths) {
        let change = &file.change;
        let what = format!("{}: {}", change.path.display(), change.fixes.join(", "));
        let (k, n) = file.fixes_kept();
        fixes_kept += k;
        fixes_all += n;
        if let Some(text) = &file.kept {
            kept.push((change, text, real));
        }
        if file.by_fix.is_empty() {
            let word = if file.kept.is_some() {
                "kept"
            } else {
                "dropped"
            };
            let (reason, tail) = reason(&file.verdict, "it", 11);
            let _ = write!(stderr, "  {word:<8} {what}: {reason}\n{tail}");
            continue;
        }
        split = true;
        let (whole, _) = reason(&file.verdict, "them all", 0);
        let _ = writeln!(
            stderr,
            "  split    {what}: {}; by fix ({k} of {n} kept):",
            whole.trim_end_matches(':')
        );
        let follow_ups: Vec<&str> = change
            .fixes
            .iter()
            .filter(|f| f.ends_with(" (follow-up)"))
            .map(String::as_str)
            .collect();
        if !follow_ups.is_empty() {
            let _ = writeln!(
                stderr,
                "    dropped  {}: a split file keeps only fixes found on the text as read; `fix` proposes the others again",
                follow_ups.join(", ")
            );
        }
        for (label, verdict) in &file.by_fix {
            let word = if matches!(verdict, Verdict::Kept { .. }) {
                "kept"
            } else {
                "dropped"
            };
            let (reason, tail) = reason(verdict, "it", 13);
            let _ = write!(stderr, "    {word:<8} {label}: {reason}\n{tail}");
        }
    }
    let fixes = if split {
        format!(" ({fixes_kept} of {fixes_all} fixes)")
    } else {
        String::new()
    };
    let _ = writeln!(
        stderr,
        "Kept {} of {} changed files{fixes}: {:.2} s -> {:.2} s, speedup x{:.2}.",
        kept.len(),
        verified.verdicts.len(),
        verified.baseline,
        verified.last,
        verified.baseline / verified.last
    );
    if kept.is_empty() {
        return Ok(ExitStatus::Success);
    }
    if args.write {
        let mut failed = false;
        for (change, text, real) in &kept {
            if let Err(error) = crate::write::write_atomic(real, &change.original, text) {
                let _ = writeln!(stderr, "error: {error}");
                failed = true;
            }
        }
        return Ok(if failed {
            ExitStatus::Error
        } else {
            ExitStatus::Success
        });
    }
    let color = args.common.color.enabled(io::stdout().is_terminal());
    let mut stdout = io::stdout().lock();
    for (change, text, real) in &kept {
        let diff = unified_diff(&display(real), &change.original, text);
        stdout.write_all(if color { colorize(&diff) } else { diff }.as_bytes())?;
    }
    Ok(ExitStatus::Failure)
}

/// Why a change (`it`) or a whole file's fixes (`them all`) got `verdict`,
/// and the lines that show it, indented by `indent` columns.
fn reason(verdict: &Verdict, it: &str, indent: usize) -> (String, String) {
    let quote = |lines: &mut dyn Iterator<Item = String>| -> String {
        lines
            .map(|l| format!("{:indent$}| {l}\n", ""))
            .collect::<String>()
    };
    match verdict {
        Verdict::Kept { median } => (format!("passes, {median:.2} s"), String::new()),
        Verdict::Failed { tail } => (
            format!("the command fails with {it}:"),
            quote(&mut tail.lines().map(str::to_string)),
        ),
        Verdict::Slower { before, after } => (
            format!(
                "slower, {before:.2} s -> {after:.2} s (x{:.2})",
                after / before
            ),
            String::new(),
        ),
        Verdict::Differs(difference) => {
            let shown = |line: &Option<String>| {
                line.as_ref()
                    .map_or_else(|| "(no such line)".to_string(), |l| l.clone())
            };
            (
                format!("the output differs with {it}, at line {}:", difference.line),
                quote(
                    &mut [
                        format!("{:<10}{}", "baseline:", shown(&difference.baseline)),
                        format!("{:<10}{}", format!("with {it}:"), shown(&difference.with)),
                    ]
                    .into_iter(),
                ),
            )
        }
    }
}

/// A file's applicable fixes as parts to bisect over: those of the
/// findings on the text as read that apply together in one pass (a fix
/// that overlaps another was applied in a later pass and is no part).
/// None for a notebook, whose fixes are not edits of its file's text.
fn parts(
    path: &std::path::Path,
    source: &str,
    applicable: &[&crate::diagnostic::Diagnostic],
    label: impl Fn(&crate::diagnostic::Diagnostic) -> String,
) -> Vec<Part> {
    if path.extension().and_then(|e| e.to_str()) != Some("py") {
        return Vec::new();
    }
    let fixes: Vec<_> = applicable.iter().filter_map(|d| d.fix.as_ref()).collect();
    let (_, mut chosen) = apply_fixes(source, &fixes);
    chosen.sort_unstable();
    chosen
        .into_iter()
        .map(|i| Part {
            label: label(applicable[i]),
            fix: fixes[i].clone(),
        })
        .collect()
}
