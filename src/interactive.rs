//! `hybridize fix --interactive`: one question per change, `git add -p`
//! style. A change is one Fix, so every edit it makes (the rewrite and the
//! import it needs) is shown and decided together.
//!
//! Decisions are made against the text as read. A change that overlaps one
//! already accepted in the same file is skipped with a message rather than
//! recomputed: what was shown is exactly what gets written, and the numbering
//! `(3/12)` stays true for the whole session. Changes that only become
//! possible after others are applied are counted at the end and left for the
//! next run.
//!
//! Each file is written once, after its last question, by an atomic rename,
//! and only if the accepted changes re-parse; an interrupt (Ctrl-C) therefore
//! leaves every file either as it was or fully written.

use std::io::{self, BufRead, Write};
use std::path::PathBuf;

use ruff_diagnostics::{Edit, Fix};
use ruff_source_file::LineIndex;
use ruff_text_size::Ranged;

use crate::apply::apply_fixes;
use crate::diagnostic::{applicability_name, Diagnostic};
use crate::diff::colorize;
use crate::report::FileReport;
use crate::settings::Settings;
use crate::source::{location, shown};

const HELP: &str = "\
y - apply this change
n - do not apply this change
a - apply this change and every remaining change in this file
d - do not apply this change nor any remaining change in this file
q - quit; changes accepted so far are written
? - print this help
";

/// What the session did, for the summary and the exit status.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Changes offered (applicable fixes in the files as read).
    pub offered: usize,
    /// Changes accepted and written.
    pub applied: usize,
    /// Files written.
    pub files_written: usize,
    /// Changes skipped because they overlap an accepted change.
    pub overlapping: usize,
    /// Applicable changes that appeared in the written files and were not
    /// offered in this session (a later pass of the fixed-point loop):
    /// counted by the caller, from [`Outcome::written`].
    pub follow_ups: usize,
    /// Each file written, with how many of the changes offered in it were
    /// not accepted (declined or skipped): they are still in its new text.
    pub written: Vec<(PathBuf, usize)>,
    /// Files that could not be written (reason already printed).
    pub errors: usize,
}

/// The answer to one question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    Yes,
    No,
    All,
    Done,
    Quit,
}

/// Runs the session over `reports` (from a `check` pass), reading answers
/// from `input` and writing questions to `output`.
pub fn review(
    reports: &[FileReport],
    settings: &Settings,
    color: bool,
    input: &mut dyn BufRead,
    output: &mut dyn Write,
) -> io::Result<Outcome> {
    let changes: Vec<(&FileReport, Vec<&Diagnostic>)> = reports
        .iter()
        .filter(|report| report.source.is_some())
        .map(|report| {
            let applicable = report
                .diagnostics
                .iter()
                .filter(|d| d.fix_applies(settings))
                .collect::<Vec<_>>();
            (report, applicable)
        })
        .filter(|(_, applicable)| !applicable.is_empty())
        .collect();
    let mut outcome = Outcome {
        offered: changes.iter().map(|(_, list)| list.len()).sum(),
        ..Outcome::default()
    };
    let mut number = 0;
    let mut quit = false;
    for (report, diagnostics) in changes {
        let source = report.source.as_deref().unwrap_or_default();
        let path = shown(&report.path);
        let index = LineIndex::from_source_text(source);
        let offered_here = diagnostics.len();
        let mut accepted: Vec<&Fix> = Vec::new();
        // `Some(true)`: accept the rest of the file; `Some(false)`: skip it.
        let mut rest_of_file: Option<bool> = None;
        for diagnostic in diagnostics {
            number += 1;
            if quit {
                continue;
            }
            let fix = diagnostic.fix.as_ref().expect("filtered on having a fix");
            let at = location(&index, source, diagnostic.start());
            if accepted.iter().any(|other| overlaps(fix, other)) {
                outcome.overlapping += 1;
                writeln!(
                    output,
                    "({number}/{}) {path}:{}: {} skipped: it overlaps a change you accepted; run `hybridize fix -i` again to review it on the new text.",
                    outcome.offered,
                    crate::notebook::place_text(&report.path, at.row, at.column),
                    diagnostic.code
                )?;
                continue;
            }
            let answer = match rest_of_file {
                Some(true) => Answer::Yes,
                Some(false) => Answer::No,
                None => {
                    show(output, &report.path, source, at, diagnostic, fix, color)?;
                    ask(input, output, number, outcome.offered)?
                }
            };
            match answer {
                Answer::Yes => accepted.push(fix),
                Answer::No => {}
                Answer::All => {
                    accepted.push(fix);
                    rest_of_file = Some(true);
                }
                Answer::Done => rest_of_file = Some(false),
                Answer::Quit => quit = true,
            }
        }
        if !accepted.is_empty() {
            let not_accepted = offered_here - accepted.len();
            write_file(report, &accepted, not_accepted, output, &mut outcome)?;
        }
    }
    Ok(outcome)
}

/// Splices the accepted fixes, re-parses, and writes the file atomically.
fn write_file(
    report: &FileReport,
    accepted: &[&Fix],
    not_accepted: usize,
    output: &mut dyn Write,
    outcome: &mut Outcome,
) -> io::Result<()> {
    let source = report.source.as_deref().unwrap_or_default();
    let path = shown(&report.path);
    let (fixed, applied) = apply_fixes(source, accepted);
    debug_assert_eq!(applied.len(), accepted.len(), "overlaps were skipped");
    if let Err(error) = ruff_python_parser::parse_module(&fixed) {
        outcome.errors += 1;
        writeln!(
            output,
            "error: {path}: not written: the accepted changes do not parse ({}); this is a bug in hybridize, please report it.",
            error.error
        )?;
        return Ok(());
    }
    // A notebook's file is its JSON with the changed cells spliced in.
    let written = crate::notebook::file_texts(&report.path, source, &fixed)
        .and_then(|(old, new)| crate::write::write_atomic(&report.path, &old, &new));
    if let Err(error) = written {
        outcome.errors += 1;
        writeln!(output, "error: {error}")?;
        return Ok(());
    }
    outcome.files_written += 1;
    outcome.applied += applied.len();
    // Changes declined or skipped here are still in the new text; anything
    // beyond them became possible only through the accepted ones.
    outcome.written.push((report.path.clone(), not_accepted));
    writeln!(
        output,
        "Wrote {path} ({} applied).",
        if applied.len() == 1 {
            "1 change".to_string()
        } else {
            format!("{} changes", applied.len())
        }
    )
}

fn overlaps(a: &Fix, b: &Fix) -> bool {
    let touch =
        |x: &Edit, y: &Edit| x.start() == y.start() || (x.start() < y.end() && y.start() < x.end());
    a.edits()
        .iter()
        .any(|x| b.edits().iter().any(|y| touch(x, y)))
}

/// Prints one change: where, what, how safe, and its hunks.
fn show(
    output: &mut dyn Write,
    file: &std::path::Path,
    source: &str,
    at: crate::source::Location,
    diagnostic: &Diagnostic,
    fix: &Fix,
    color: bool,
) -> io::Result<()> {
    let bold = |text: &str| {
        if color {
            format!("\x1b[1m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    };
    let path = shown(file);
    writeln!(output)?;
    writeln!(
        output,
        "{} {} ({}) [{} fix]",
        bold(&format!(
            "{path}:{}:",
            crate::notebook::place_text(file, at.row, at.column)
        )),
        diagnostic.code,
        diagnostic.name,
        applicability_name(fix.applicability())
    )?;
    writeln!(
        output,
        "  {}",
        crate::notebook::message_text(file, &diagnostic.message)
    )?;
    if let Some(title) = &diagnostic.fix_title {
        writeln!(output, "  fix: {title}")?;
    }
    let (alone, _) = apply_fixes(source, &[fix]);
    let diff = crate::notebook::unified_diff(file, source, &alone);
    // The file is named above; the hunks are what is decided.
    let hunks: String = diff
        .split_inclusive('\n')
        .skip_while(|line| !line.starts_with("@@"))
        .collect();
    let hunks = if color { colorize(&hunks) } else { hunks };
    output.write_all(hunks.as_bytes())?;
    if !hunks.ends_with('\n') {
        writeln!(output)?;
    }
    Ok(())
}

/// Asks until the answer is one of the choices; end of input means quit.
fn ask(
    input: &mut dyn BufRead,
    output: &mut dyn Write,
    number: usize,
    total: usize,
) -> io::Result<Answer> {
    loop {
        write!(
            output,
            "({number}/{total}) Apply this change [y,n,a,d,q,?]? "
        )?;
        output.flush()?;
        let mut line = String::new();
        if input.read_line(&mut line)? == 0 {
            writeln!(output)?;
            return Ok(Answer::Quit);
        }
        match line.trim().to_ascii_lowercase().as_str() {
            "y" | "yes" => return Ok(Answer::Yes),
            "n" | "no" => return Ok(Answer::No),
            "a" => return Ok(Answer::All),
            "d" => return Ok(Answer::Done),
            "q" | "quit" => return Ok(Answer::Quit),
            _ => output.write_all(HELP.as_bytes())?,
        }
    }
}
