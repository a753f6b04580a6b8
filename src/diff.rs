//! Unified diffs that `git apply` and `patch -p1` accept.

use similar::TextDiff;

/// The unified diff from `old` to `new` for `path`, with `a/` and `b/`
/// headers written as `git diff` writes them ([`header_name`]) and three
/// lines of context. Lines keep their own endings, so CRLF files give CRLF
/// hunks.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    let diff = TextDiff::configure()
        .algorithm(similar::Algorithm::Myers)
        .diff_lines(old, new);
    let mut out = String::new();
    let mut unified = diff.unified_diff();
    unified
        .context_radius(3)
        .header(&header_name("a/", path), &header_name("b/", path));
    out.push_str(&unified.to_string());
    out
}

/// `prefix` and `path` as `git diff` writes them after `---` and `+++`
/// (git's `quote_c_style` under the default `core.quotePath`): in double
/// quotes with C escapes (`\t`, `\n`, `\"`, `\\`, octal bytes) when the
/// name has a control character, `"`, `\` or a byte outside ASCII; then a
/// tab when the name has a space, so that `patch` finds where it ends.
pub fn header_name(prefix: &str, path: &str) -> String {
    let name = format!("{prefix}{path}");
    let needs_quotes = |byte: u8| !(0x20..0x7f).contains(&byte) || byte == b'"' || byte == b'\\';
    let mut out = if name.bytes().any(needs_quotes) {
        let mut quoted = String::with_capacity(name.len() + 8);
        quoted.push('"');
        for byte in name.bytes() {
            match byte {
                0x07 => quoted.push_str("\\a"),
                0x08 => quoted.push_str("\\b"),
                b'\t' => quoted.push_str("\\t"),
                b'\n' => quoted.push_str("\\n"),
                0x0b => quoted.push_str("\\v"),
                0x0c => quoted.push_str("\\f"),
                b'\r' => quoted.push_str("\\r"),
                b'"' => quoted.push_str("\\\""),
                b'\\' => quoted.push_str("\\\\"),
                byte if needs_quotes(byte) => quoted.push_str(&format!("\\{byte:03o}")),
                byte => quoted.push(char::from(byte)),
            }
        }
        quoted.push('"');
        quoted
    } else {
        name
    };
    if out.contains(' ') {
        out.push('\t');
    }
    out
}

/// Colours a unified diff for a terminal.
pub fn colorize(diff: &str) -> String {
    let mut out = String::with_capacity(diff.len() + 256);
    for line in diff.split_inclusive('\n') {
        let color = if line.starts_with("+++") || line.starts_with("---") {
            "\x1b[1m"
        } else if line.starts_with('+') {
            "\x1b[32m"
        } else if line.starts_with('-') {
            "\x1b[31m"
        } else if line.starts_with("@@") {
            "\x1b[36m"
        } else {
            ""
        };
        if color.is_empty() {
            out.push_str(line);
        } else {
            let body = line.trim_end_matches(['\n', '\r']);
            out.push_str(color);
            out.push_str(body);
            out.push_str("\x1b[0m");
            out.push_str(&line[body.len()..]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::header_name;

    #[test]
    fn names_are_quoted_as_git_diff_quotes_them() {
        assert_eq!(header_name("a/", "pkg/plain.py"), "a/pkg/plain.py");
        assert_eq!(header_name("a/", "sp ace.py"), "a/sp ace.py\t");
        assert_eq!(header_name("b/", "tab\there.py"), "\"b/tab\\there.py\"");
        assert_eq!(header_name("a/", "nl\nx.py"), "\"a/nl\\nx.py\"");
        assert_eq!(header_name("a/", "q\"b\\c.py"), "\"a/q\\\"b\\\\c.py\"");
        assert_eq!(
            header_name("a/", "naïve, v2.py"),
            "\"a/na\\303\\257ve, v2.py\"\t"
        );
        assert_eq!(header_name("a/", "del\x7f.py"), "\"a/del\\177.py\"");
    }
}
