//! Suppression comments: `# noqa` (every code on that line), `# noqa: HY011,
//! HY012` (those codes), and `# hybridize: noqa` anywhere in a file (the whole
//! file).

use std::collections::HashMap;

use ruff_python_ast::token::{TokenKind, Tokens};
use ruff_source_file::LineIndex;
use ruff_text_size::Ranged;

use crate::diagnostic::Diagnostic;
use crate::settings::Settings;

/// The findings that `--select`/`--ignore` keep and no `# noqa` suppresses,
/// in order of position (then code).
pub fn keep_selected(
    mut diagnostics: Vec<Diagnostic>,
    text: &str,
    tokens: &Tokens,
    settings: &Settings,
) -> Vec<Diagnostic> {
    diagnostics.retain(|d| settings.is_selected(d.code));
    if !diagnostics.is_empty() && may_suppress(text) {
        let index = LineIndex::from_source_text(text);
        let noqa = NoqaMap::from_tokens(tokens, text, &index);
        diagnostics.retain(|d| !noqa.suppresses(index.line_index(d.start()).get(), d.code));
    }
    diagnostics.sort_by_key(|d| (d.start(), d.code));
    diagnostics
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Directive {
    All,
    Codes(Vec<String>),
}

/// The suppression comments of one file, by 1-based row.
#[derive(Debug, Default)]
pub struct NoqaMap {
    by_row: HashMap<usize, Directive>,
    whole_file: bool,
}

impl NoqaMap {
    pub fn from_tokens(tokens: &Tokens, source: &str, index: &LineIndex) -> Self {
        let mut map = NoqaMap::default();
        for token in tokens
            .iter()
            .filter(|token| token.kind() == TokenKind::Comment)
        {
            let comment = &source[token.range()];
            if is_file_exemption(comment) {
                map.whole_file = true;
                continue;
            }
            if let Some(directive) = parse_directive(comment) {
                map.by_row
                    .insert(index.line_index(token.start()).get(), directive);
            }
        }
        map
    }

    /// Whether a finding with `code` on `row` is suppressed.
    pub fn suppresses(&self, row: usize, code: &str) -> bool {
        if self.whole_file {
            return true;
        }
        match self.by_row.get(&row) {
            Some(Directive::All) => true,
            Some(Directive::Codes(codes)) => codes.iter().any(|c| c == code),
            None => false,
        }
    }
}

/// Whether `source` may hold a suppression comment: every one spells
/// `noqa` (in any case). A quick test on the text, before its comments are
/// looked at.
pub fn may_suppress(source: &str) -> bool {
    let bytes = source.as_bytes();
    memchr::memchr2_iter(b'q', b'Q', bytes).any(|q| {
        q >= 2
            && bytes
                .get(q - 2..q + 2)
                .is_some_and(|word| word.eq_ignore_ascii_case(b"noqa"))
    })
}

fn is_file_exemption(comment: &str) -> bool {
    let body = comment.trim_start_matches('#').trim();
    body.strip_prefix("hybridize:")
        .is_some_and(|rest| rest.trim().eq_ignore_ascii_case("noqa"))
}

/// Finds `noqa` or `noqa: CODES` in a comment, which may hold other
/// directives before it (`# type: ignore  # noqa: HY011`).
fn parse_directive(comment: &str) -> Option<Directive> {
    let lower = comment.to_ascii_lowercase();
    let mut search_from = 0;
    while let Some(found) = lower[search_from..].find("noqa") {
        let start = search_from + found;
        search_from = start + 4;
        let before = lower[..start].trim_end();
        if !before.ends_with('#') {
            continue;
        }
        let rest = &comment[start + 4..];
        let Some(codes) = rest.trim_start().strip_prefix(':') else {
            return Some(Directive::All);
        };
        let codes: Vec<String> = codes
            .split([',', ' ', '\t'])
            .map(str::trim)
            .take_while(|code| {
                code.is_empty() || code.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            })
            .filter(|code| !code.is_empty())
            .map(str::to_string)
            .collect();
        return Some(if codes.is_empty() {
            Directive::All
        } else {
            Directive::Codes(codes)
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_are_read_from_comments() {
        assert_eq!(parse_directive("# noqa"), Some(Directive::All));
        assert_eq!(
            parse_directive("# NOQA: HY011"),
            Some(Directive::Codes(vec!["HY011".into()]))
        );
        assert_eq!(
            parse_directive("# type: ignore  # noqa: HY011, HY012 because"),
            Some(Directive::Codes(vec!["HY011".into(), "HY012".into()]))
        );
        assert_eq!(parse_directive("# this is not noqa"), None);
        assert!(is_file_exemption("# hybridize: noqa"));
        for text in ["x  # noqa\n", "x  # NoQA: HY011", "# hybridize: NOQA\n"] {
            assert!(may_suppress(text), "{text}");
        }
        for text in ["x = 1  # no qa\n", "q", "qa", "noq", "x  # noq\n"] {
            assert!(!may_suppress(text), "{text}");
        }
        assert!(!is_file_exemption("# hybridize: noqa: HY011x"));
    }

    #[test]
    fn suppression_is_per_line_and_code() {
        let source = "print(1)  # noqa: HY011\nprint(2)  # noqa\nprint(3)\n";
        let parsed = ruff_python_parser::parse_module(source).unwrap();
        let map = NoqaMap::from_tokens(
            parsed.tokens(),
            source,
            &LineIndex::from_source_text(source),
        );
        assert!(map.suppresses(1, "HY011"));
        assert!(!map.suppresses(1, "HY021"));
        assert!(map.suppresses(2, "HY021"));
        assert!(!map.suppresses(3, "HY011"));
    }
}
