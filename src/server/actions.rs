//! Code actions: a quick fix per finding with a fix (the finding's own
//! edits), `source.fixAll.hybridize` (the text `hybridize fix` writes),
//! and "Explain HYxxx" (the codemod's documentation).

use std::collections::HashMap;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Command, Range, TextEdit, Uri, WorkspaceEdit,
};
use ruff_diagnostics::Applicability;
use ruff_text_size::Ranged;

use super::convert::{Encoding, Lines};
use crate::report::FileReport;

/// The kind of the action that applies every safe fix of a file.
pub(super) const FIX_ALL: &str = "source.fixAll.hybridize";

/// The command that opens a code's documentation.
pub(super) const EXPLAIN: &str = "hybridize.explain";

/// Whether the client asked for actions of `kind` (any, when `only` is not
/// given; a kind asks for its sub-kinds too).
pub(super) fn wanted(only: Option<&[CodeActionKind]>, kind: &str) -> bool {
    only.is_none_or(|only| {
        only.iter().any(|asked| {
            let asked = asked.as_str();
            kind == asked || kind.starts_with(&format!("{asked}."))
        })
    })
}

/// The quick fixes and explanations of the findings of `report` (a report
/// on `text`) that overlap `range`.
pub(super) fn quick_fixes(
    report: &FileReport,
    text: &str,
    uri: &Uri,
    range: Range,
    encoding: Encoding,
    diagnostics: &[lsp_types::Diagnostic],
) -> Vec<CodeActionOrCommand> {
    let lines = Lines::new(text, encoding);
    let (from, to) = (lines.offset(range.start), lines.offset(range.end));
    let mut actions = Vec::new();
    let mut explained: Vec<&str> = Vec::new();
    for (d, shown) in report.diagnostics.iter().zip(diagnostics) {
        let (start, end) = (d.start().to_usize(), d.end().to_usize());
        // Overlapping, or touching (a cursor at either end).
        if start > to || end < from {
            continue;
        }
        if let Some(fix) = &d.fix {
            let applicability = fix.applicability();
            if applicability != Applicability::DisplayOnly {
                let safe = applicability == Applicability::Safe;
                let title = d
                    .fix_title
                    .clone()
                    .unwrap_or_else(|| format!("Fix {}", d.code));
                let edits = fix
                    .edits()
                    .iter()
                    .map(|edit| TextEdit {
                        range: lines.range(edit.start().to_usize(), edit.end().to_usize()),
                        new_text: edit.content().unwrap_or_default().to_string(),
                    })
                    .collect();
                actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: format!(
                        "{} ({}){}",
                        title,
                        d.code,
                        if safe { "" } else { " (unsafe)" }
                    ),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![shown.clone()]),
                    edit: Some(workspace_edit(uri, edits)),
                    // An unsafe fix is never the one applied without a look.
                    is_preferred: Some(safe),
                    ..CodeAction::default()
                }));
            }
        }
        if !explained.contains(&d.code) {
            explained.push(d.code);
        }
    }
    for code in explained {
        actions.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: format!("Explain {code}"),
            kind: Some(CodeActionKind::QUICKFIX),
            command: Some(Command::new(
                format!("Explain {code}"),
                EXPLAIN.to_string(),
                Some(vec![serde_json::Value::String(code.to_string())]),
            )),
            is_preferred: Some(false),
            ..CodeAction::default()
        }));
    }
    actions
}

/// The action that turns `text` into `fixed` (what `hybridize fix` writes):
/// one edit, over the part that differs.
pub(super) fn fix_all(text: &str, fixed: &str, uri: &Uri, encoding: Encoding) -> CodeAction {
    let lines = Lines::new(text, encoding);
    let edit = minimal_edit(text, fixed, &lines);
    CodeAction {
        title: "Apply every safe hybridize fix".to_string(),
        kind: Some(CodeActionKind::new(FIX_ALL)),
        edit: Some(workspace_edit(uri, vec![edit])),
        ..CodeAction::default()
    }
}

/// One edit that turns `text` into `fixed`: the middle that differs, at
/// character boundaries.
fn minimal_edit(text: &str, fixed: &str, lines: &Lines) -> TextEdit {
    let mut prefix = text
        .bytes()
        .zip(fixed.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    while !text.is_char_boundary(prefix) || !fixed.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let max_suffix = text.len().min(fixed.len()) - prefix;
    let mut suffix = text
        .bytes()
        .rev()
        .zip(fixed.bytes().rev())
        .take(max_suffix)
        .take_while(|(a, b)| a == b)
        .count();
    while !text.is_char_boundary(text.len() - suffix)
        || !fixed.is_char_boundary(fixed.len() - suffix)
    {
        suffix -= 1;
    }
    TextEdit {
        range: lines.range(prefix, text.len() - suffix),
        new_text: fixed[prefix..fixed.len() - suffix].to_string(),
    }
}

fn workspace_edit(uri: &Uri, edits: Vec<TextEdit>) -> WorkspaceEdit {
    WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), edits)])),
        ..WorkspaceEdit::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_minimal_edit_covers_only_what_differs() {
        let text = "a\nb = 'é'\nc\n";
        let fixed = "a\nb = 'è'\nc\n";
        let lines = Lines::new(text, Encoding::Utf16);
        let edit = minimal_edit(text, fixed, &lines);
        assert_eq!(edit.new_text, "è");
        assert_eq!(edit.range.start, lsp_types::Position::new(1, 5));
        assert_eq!(edit.range.end, lsp_types::Position::new(1, 6));
        // Text only added at the end.
        let edit = minimal_edit("x\n", "x\ny\n", &Lines::new("x\n", Encoding::Utf8));
        assert_eq!(edit.new_text, "y\n");
    }

    #[test]
    fn a_kind_asks_for_its_sub_kinds() {
        let source = [CodeActionKind::SOURCE];
        assert!(wanted(Some(&source), FIX_ALL));
        assert!(!wanted(Some(&source), "quickfix"));
        assert!(wanted(None, "quickfix"));
    }
}
