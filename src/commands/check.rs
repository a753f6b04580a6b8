//! `hybridize check`: every finding, in one output format, and a summary.

use std::io::{self, IsTerminal, Write};

use anyhow::Result;

use super::{plural, quiet_lines, report_errors, reports, settings, FileErrors};
use crate::cli::{CheckArgs, OutputFormat};
use crate::exit_status::ExitStatus;
use crate::render::{self, Emitter};
use crate::report::{self, Finding, ResolveFindings};
use crate::run::Mode;
use crate::settings::Settings;

pub(super) fn check(args: CheckArgs) -> Result<ExitStatus> {
    let settings = settings(&args.common)?;
    // Each file's findings are resolved as soon as its report is final,
    // and its text dropped: a large run does not hold the text of every
    // file with a finding until the end.
    let (mut reports, tests) = reports(
        &args.common,
        &settings,
        Mode::Check,
        &ResolveFindings(&settings),
    )?;
    let errors = report_errors(&reports, false);
    let findings = report::findings(&mut reports, &settings);
    let color = args.common.color.enabled(io::stdout().is_terminal());
    let emitter: Box<dyn Emitter> = match args.output_format {
        OutputFormat::Full => Box::new(render::Full { color }),
        OutputFormat::Concise => Box::new(render::Concise { color }),
        OutputFormat::Json => Box::new(render::Json),
        OutputFormat::JsonLines => Box::new(render::JsonLines),
        OutputFormat::Github => Box::new(render::Github),
        OutputFormat::Sarif => Box::new(render::Sarif),
        OutputFormat::Rdjson => Box::new(render::Rdjson),
        OutputFormat::Rdjsonl => Box::new(render::Rdjsonl),
    };
    // One write per buffer, not per line (stdout is line-buffered): a
    // large report is thousands of lines.
    let mut out = io::BufWriter::new(io::stdout().lock());
    emitter.emit(&mut out, &findings)?;
    out.flush()?;
    drop(out);
    summarize(&findings, errors, reports.len(), &settings);
    let mut stderr = io::stderr().lock();
    for line in quiet_lines(&reports, tests, &settings) {
        let _ = writeln!(stderr, "{line}");
    }
    drop(stderr);
    // A file that could not be checked fails the run whatever
    // `--exit-zero` says about findings: nothing was said about it.
    Ok(if errors.any() {
        ExitStatus::Error
    } else if findings.iter().any(|f| !f.is_informational()) && !args.exit_zero {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

fn summarize(findings: &[Finding], errors: FileErrors, files: usize, settings: &Settings) {
    let mut stderr = io::stderr().lock();
    let applicable = findings.iter().filter(|f| f.fix_applies).count();
    let unsafe_only = findings
        .iter()
        .filter(|f| {
            !settings.unsafe_fixes
                && f.fix
                    .as_ref()
                    .is_some_and(|fix| fix.applicability == "unsafe")
        })
        .count();
    let checked = files - errors.unparsable - errors.failed;
    let _ = if findings.is_empty() && !errors.any() {
        writeln!(
            stderr,
            "All checked: nothing to do in {}.",
            plural(files, "file")
        )
    } else if findings.is_empty() && checked == 0 {
        Ok(())
    } else if findings.is_empty() {
        writeln!(
            stderr,
            "No findings in the {} that could be checked.",
            plural(checked, "other file")
        )
    } else {
        let mut line = format!("Found {}", plural(findings.len(), "finding"));
        if applicable > 0 {
            // With `--unsafe-fixes`, the fixes counted may need it again.
            let unsafe_applies = settings.unsafe_fixes
                && findings.iter().any(|f| {
                    f.fix_applies
                        && f.fix
                            .as_ref()
                            .is_some_and(|fix| fix.applicability == "unsafe")
                });
            let command = if unsafe_applies {
                "hybridize fix --unsafe-fixes"
            } else {
                "hybridize fix"
            };
            line.push_str(&format!(" ({applicable} fixable with `{command}`"));
            if unsafe_only > 0 {
                line.push_str(&format!(", {unsafe_only} more with `--unsafe-fixes`"));
            }
            line.push(')');
        } else if unsafe_only > 0 {
            line.push_str(&format!(
                " ({unsafe_only} fixable with `hybridize fix --unsafe-fixes`)"
            ));
        }
        writeln!(stderr, "{line}.")
    };
    errors.summarize(&mut stderr, "checked");
}
