//! `hybridize verify [fix options] -- CMD`: the changes `fix` proposes,
//! each file's checked by running CMD on a copy of the project; prints a
//! report (stderr) and the diff of the kept changes (stdout), or with
//! `--write` applies just those.

use std::io::{self, IsTerminal, Write};
use std::time::Duration;

use anyhow::{bail, Result};

use super::{reads_stdin, report_errors, reports, settings};
use crate::cli::VerifyArgs;
use crate::diff::{colorize, unified_diff};
use crate::exit_status::ExitStatus;
use crate::observe::verify::{verify as run_verify, Change, Runner, Verdict, VerifyError};
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
        let mut fixes: Vec<String> = report
            .diagnostics
            .iter()
            .filter(|d| d.fix_applies(&settings))
            .map(|d| match &d.function {
                Some(function) => format!("{} `{function}`", d.code),
                None => d.code.to_string(),
            })
            .collect();
        fixes.dedup();
        changes.push(Change {
            path: relative.to_path_buf(),
            original: source.clone(),
            fixed: fixed.clone(),
            fixes,
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
    };
    let verified = match run_verify(&root, changes, &runner, &mut |step| {
        let _ = writeln!(io::stderr(), "verify: {step} ...");
    }) {
        Ok(verified) => verified,
        Err(error) => {
            if let Some(VerifyError::BaselineFails { .. } | VerifyError::Interrupted) =
                error.downcast_ref::<VerifyError>()
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
    for ((change, verdict), real) in verified.verdicts.iter().zip(&real_paths) {
        let what = format!("{}: {}", change.path.display(), change.fixes.join(", "));
        let _ = match verdict {
            Verdict::Kept { median } => {
                kept.push((change, real));
                writeln!(stderr, "  kept     {what}: passes, {median:.2} s")
            }
            Verdict::Failed { tail } => {
                let tail: String = tail
                    .lines()
                    .map(|l| format!("           | {l}\n"))
                    .collect();
                write!(
                    stderr,
                    "  dropped  {what}: the command fails with it:\n{tail}"
                )
            }
            Verdict::Slower { before, after } => writeln!(
                stderr,
                "  dropped  {what}: slower, {before:.2} s -> {after:.2} s (x{:.2})",
                after / before
            ),
        };
    }
    let _ = writeln!(
        stderr,
        "Kept {} of {} changed files: {:.2} s -> {:.2} s, speedup x{:.2}.",
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
        for (change, real) in &kept {
            if let Err(error) = crate::write::write_atomic(real, &change.original, &change.fixed) {
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
    for (change, real) in &kept {
        let diff = unified_diff(&display(real), &change.original, &change.fixed);
        stdout.write_all(if color { colorize(&diff) } else { diff }.as_bytes())?;
    }
    Ok(ExitStatus::Failure)
}
