//! A file's report as the editor shows it: one protocol diagnostic per
//! finding (or the syntax error), with the culprit lines the message names
//! as related information and the codemod's documentation as its link.

use std::path::{Path, PathBuf};

use lsp_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location,
    NumberOrString, Range, Uri,
};
use ruff_text_size::Ranged;

use super::convert::{path_to_uri, Encoding, Lines};
use crate::report::FileReport;
use crate::source::SourceError;

/// What the editor shows as the source of every diagnostic.
pub(super) const SOURCE: &str = "hybridize";

/// The diagnostics of `report`, a report on `text`.
pub(super) fn of_report(
    report: &FileReport,
    text: &str,
    encoding: Encoding,
    root: Option<&Path>,
) -> Vec<Diagnostic> {
    let lines = Lines::new(text, encoding);
    if let Some(SourceError::Syntax { message, range, .. }) = &report.error {
        return vec![Diagnostic {
            range: lines.range(range.start().to_usize(), range.end().to_usize()),
            severity: Some(DiagnosticSeverity::ERROR),
            source: Some(SOURCE.to_string()),
            message: format!("SyntaxError: {message}"),
            ..Diagnostic::default()
        }];
    }
    report
        .diagnostics
        .iter()
        .map(|d| {
            let mut message = d.message.clone();
            if let Some(note) = &d.note {
                message.push_str("\nnote: ");
                message.push_str(note);
            }
            let related = culprits(&d.message, &report.path, &lines, root);
            Diagnostic {
                range: lines.range(d.start().to_usize(), d.end().to_usize()),
                // Refusals (why a candidate was left as it is) are
                // information, not something to fix.
                severity: Some(if crate::diagnostic::is_informational(d.code) {
                    DiagnosticSeverity::INFORMATION
                } else {
                    DiagnosticSeverity::WARNING
                }),
                code: Some(NumberOrString::String(d.code.to_string())),
                code_description: doc_uri(d.code).map(|href| CodeDescription { href }),
                source: Some(SOURCE.to_string()),
                message,
                related_information: (!related.is_empty()).then_some(related),
                ..Diagnostic::default()
            }
        })
        .collect()
}

/// The culprit lines a message names ("`log` mutates `history` at line
/// 17", "line 4 of pkg/util.py"): each a location on that line.
fn culprits(
    message: &str,
    path: &Path,
    lines: &Lines,
    root: Option<&Path>,
) -> Vec<DiagnosticRelatedInformation> {
    let mut found = Vec::new();
    let mut rest = message;
    while let Some(at) = rest.find("line ") {
        let after = &rest[at + 5..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let clause_start = message.len() - rest.len() + at;
        rest = &after[digits..];
        let Ok(row) = after[..digits].parse::<usize>() else {
            continue;
        };
        if row == 0 {
            continue;
        }
        // "line 4 of pkg/util.py": a line of another file.
        let other = rest.strip_prefix(" of ").map(|tail| {
            let name: String = tail
                .chars()
                .take_while(|c| !c.is_whitespace() && !matches!(c, ',' | ';' | ')' | ':'))
                .collect();
            name.trim_end_matches('.').to_string()
        });
        let what = clause(message, clause_start);
        let location = match other {
            Some(name) => {
                let file = resolve(&name, root);
                let Some(file) = file else { continue };
                // The other file's text is not at hand: the whole line
                // from its start.
                Location::new(
                    path_to_uri(&file),
                    Range::new(
                        lsp_types::Position::new(row as u32 - 1, 0),
                        lsp_types::Position::new(row as u32, 0),
                    ),
                )
            }
            None => {
                let Some((start, end)) = lines.line_bounds(row - 1) else {
                    continue;
                };
                Location::new(path_to_uri(path), lines.range(start, end))
            }
        };
        found.push(DiagnosticRelatedInformation {
            location,
            message: what,
        });
    }
    found
}

/// The clause of `message` around byte `at`: from the last `;`/`:`/`(`
/// before it to the end of the line number after it.
fn clause(message: &str, at: usize) -> String {
    let start = message[..at]
        .rfind(['(', ';', ':'])
        .map_or(0, |i| i + 1)
        .min(at);
    let tail = &message[at..];
    let digits_end = tail
        .find(|c: char| c.is_ascii_digit())
        .map(|i| i + tail[i..].bytes().take_while(u8::is_ascii_digit).count())
        .unwrap_or(tail.len());
    message[start..at + digits_end].trim().to_string()
}

/// A file a message names, as shown (relative to the working directory or
/// the workspace).
fn resolve(name: &str, root: Option<&Path>) -> Option<PathBuf> {
    let name = Path::new(name);
    if name.is_absolute() {
        return name.is_file().then(|| name.to_path_buf());
    }
    let cwd = std::env::current_dir().ok();
    [root.map(Path::to_path_buf), cwd]
        .into_iter()
        .flatten()
        .map(|base| base.join(name))
        .find(|candidate| candidate.is_file())
}

/// The documentation of `code` (what `hybridize explain` prints), as a
/// file the editor can open: written once per code and version under the
/// user's cache folder.
pub(super) fn doc_uri(code: &str) -> Option<Uri> {
    // Written once per code and process: not once per finding.
    static WRITTEN: std::sync::Mutex<Vec<(String, Option<Uri>)>> =
        std::sync::Mutex::new(Vec::new());
    let mut written = WRITTEN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((_, uri)) = written.iter().find(|(c, _)| c == code) {
        return uri.clone();
    }
    let uri = doc_path(code).map(|path| path_to_uri(&path));
    written.push((code.to_string(), uri.clone()));
    uri
}

pub(super) fn doc_path(code: &str) -> Option<PathBuf> {
    let doc = crate::codemods::informational_doc(code)
        .or_else(|| crate::codemods::find(code).map(|codemod| codemod.doc))?;
    let folder = docs_folder()?;
    let path = folder.join(format!("{code}.md"));
    if std::fs::read_to_string(&path).ok().as_deref() != Some(doc) {
        std::fs::create_dir_all(&folder).ok()?;
        // Written whole, then renamed: two servers never see half a file.
        let temporary = folder.join(format!(".{code}.md.{}", std::process::id()));
        std::fs::write(&temporary, doc).ok()?;
        std::fs::rename(&temporary, &path).ok()?;
    }
    Some(path)
}

fn docs_folder() -> Option<PathBuf> {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    Some(
        cache
            .join("hybridize")
            .join(format!("docs-{}", env!("CARGO_PKG_VERSION"))),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn culprit_lines_of_a_message_become_locations() {
        let text = "import tf\nx = 1\ndef log():\n    history.append(1)\n";
        let lines = Lines::new(text, Encoding::Utf16);
        let found = culprits(
            "`step` is left eager: `log` mutates `history` at line 4",
            Path::new("/w/a.py"),
            &lines,
            None,
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].location.range.start.line, 3);
        assert_eq!(found[0].location.range.end.character, 21);
        assert_eq!(found[0].message, "`log` mutates `history` at line 4");
        // A line past the end of the text names nothing.
        assert!(culprits("at line 99", Path::new("/w/a.py"), &lines, None).is_empty());
    }
}
