//! Unified diffs that `git apply` and `patch -p1` accept.

use similar::TextDiff;

/// The unified diff from `old` to `new` for `path`, with `a/` and `b/`
/// headers and three lines of context. Lines keep their own endings, so CRLF
/// files give CRLF hunks.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    let diff = TextDiff::configure()
        .algorithm(similar::Algorithm::Myers)
        .diff_lines(old, new);
    let mut out = String::new();
    let mut unified = diff.unified_diff();
    unified
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"));
    out.push_str(&unified.to_string());
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
