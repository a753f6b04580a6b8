//! Lines of a source text, by offset: where a line starts, its indentation,
//! and the comments directly above it. What codemods need to place an
//! insertion on its own line.

use ruff_text_size::TextSize;

/// The start of the line containing `offset`.
pub fn line_start(source: &str, offset: TextSize) -> TextSize {
    let before = &source[..offset.to_usize()];
    let start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
    TextSize::try_from(start).unwrap_or_default()
}

/// The start of the line after the one containing `offset` (or the end of
/// the text).
pub fn next_line_start(source: &str, offset: TextSize) -> TextSize {
    let rest = &source[offset.to_usize()..];
    let end = rest
        .find('\n')
        .map_or(source.len(), |i| offset.to_usize() + i + 1);
    TextSize::try_from(end).unwrap_or_default()
}

/// The spaces and tabs at the start of the line starting at `line_start`.
pub fn indentation(source: &str, line_start: TextSize) -> &str {
    let line = &source[line_start.to_usize()..];
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}

/// Moves the start of a line indented by `indent` up over the comment lines
/// with the same indentation directly above it.
pub fn before_indented_comments(source: &str, mut at: TextSize, indent: &str) -> TextSize {
    while at > TextSize::from(0) {
        let previous = line_start(source, at - TextSize::from(1));
        let line = &source[previous.to_usize()..at.to_usize()];
        if !line
            .strip_prefix(indent)
            .is_some_and(|rest| rest.starts_with('#'))
        {
            break;
        }
        at = previous;
    }
    at
}

/// Moves a line start up over the comment lines directly above it.
pub fn before_leading_comments(source: &str, mut at: TextSize) -> TextSize {
    while at > TextSize::from(0) {
        let previous = line_start(source, at - TextSize::from(1));
        let line = &source[previous.to_usize()..at.to_usize()];
        if !line.starts_with('#') {
            break;
        }
        at = previous;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_above_a_line_go_with_it() {
        let source = "x = 1\n\n# about f\n# more\ndef f():\n    # inner\n    pass\n";
        let def = TextSize::try_from(source.find("def").unwrap()).unwrap();
        let comments = TextSize::try_from(source.find("# about").unwrap()).unwrap();
        assert_eq!(before_leading_comments(source, def), comments);
        let pass = line_start(
            source,
            TextSize::try_from(source.find("pass").unwrap()).unwrap(),
        );
        assert_eq!(indentation(source, pass), "    ");
        let inner = TextSize::try_from(source.find("    # inner").unwrap()).unwrap();
        assert_eq!(before_indented_comments(source, pass, "    "), inner);
        // A comment at another indentation stays where it is.
        assert_eq!(before_indented_comments(source, def, "    "), def);
        assert_eq!(
            next_line_start(source, TextSize::from(0)),
            TextSize::from(6)
        );
    }
}
