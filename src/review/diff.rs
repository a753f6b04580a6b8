//! The lines a pull-request review may comment on: the RIGHT (new) side of
//! each hunk of the pull request's unified diff, added and context lines
//! alike.

use std::collections::BTreeMap;

/// One file's hunks, as inclusive ranges of new-file line numbers.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FileHunks {
    pub hunks: Vec<(usize, usize)>,
}

impl FileHunks {
    /// The hunk that contains every line of `first..=last`, if one does.
    /// A comment range may not span two hunks.
    pub fn hunk_containing(&self, first: usize, last: usize) -> Option<(usize, usize)> {
        self.hunks
            .iter()
            .copied()
            .find(|&(start, end)| start <= first && last <= end)
    }
}

/// Parses a unified diff (`git diff`, or GitHub's `application/vnd.github.v3.diff`)
/// into the commentable lines of every file that exists after the change.
pub fn parse(diff: &str) -> BTreeMap<String, FileHunks> {
    let mut files: BTreeMap<String, FileHunks> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in diff.lines() {
        if line.starts_with("diff --git ") {
            current = None;
        } else if let Some(path) = line.strip_prefix("+++ ") {
            let path = unquote(path.trim_end());
            current = path.strip_prefix("b/").map(str::to_string);
            if let Some(path) = &current {
                files.entry(path.clone()).or_default();
            }
        } else if let (Some(path), Some(header)) = (&current, line.strip_prefix("@@ ")) {
            if let Some((start, count)) = new_side(header) {
                if count > 0 {
                    if let Some(file) = files.get_mut(path) {
                        file.hunks.push((start, start + count - 1));
                    }
                }
            }
        }
    }
    files
}

/// The `+start,count` of a hunk header (`-1,3 +1,4 @@ def f():`).
fn new_side(header: &str) -> Option<(usize, usize)> {
    let plus = header
        .split_whitespace()
        .find(|part| part.starts_with('+'))?;
    let plus = &plus[1..];
    let (start, count) = match plus.split_once(',') {
        Some((start, count)) => (start.parse().ok()?, count.parse().ok()?),
        None => (plus.parse().ok()?, 1),
    };
    Some((start, count))
}

/// Git quotes paths with unusual bytes (`"b/na\303\257ve.py"`); undo it.
fn unquote(path: &str) -> String {
    let Some(inner) = path.strip_prefix('"').and_then(|p| p.strip_suffix('"')) else {
        return path.to_string();
    };
    let mut bytes = Vec::new();
    let mut chars = inner.bytes().peekable();
    while let Some(byte) = chars.next() {
        if byte != b'\\' {
            bytes.push(byte);
            continue;
        }
        match chars.next() {
            Some(b'n') => bytes.push(b'\n'),
            Some(b't') => bytes.push(b'\t'),
            Some(digit @ b'0'..=b'7') => {
                let mut value = u32::from(digit - b'0');
                for _ in 0..2 {
                    if let Some(next @ b'0'..=b'7') = chars.peek().copied() {
                        value = value * 8 + u32::from(next - b'0');
                        chars.next();
                    }
                }
                bytes.push(value as u8);
            }
            Some(other) => bytes.push(other),
            None => {}
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunks_give_right_side_ranges_and_deleted_files_are_left_out() {
        let diff = "\
diff --git a/m.py b/m.py
--- a/m.py
+++ b/m.py
@@ -1,3 +1,4 @@
 a
+b
 c
 d
@@ -20 +21,2 @@ def f():
-x
+y
+z
diff --git a/gone.py b/gone.py
--- a/gone.py
+++ /dev/null
@@ -1 +0,0 @@
-x
diff --git \"a/na\\303\\257ve.py\" \"b/na\\303\\257ve.py\"
--- /dev/null
+++ \"b/na\\303\\257ve.py\"
@@ -0,0 +1 @@
+x
";
        let files = parse(diff);
        assert_eq!(files["m.py"].hunks, vec![(1, 4), (21, 22)]);
        assert_eq!(files["naïve.py"].hunks, vec![(1, 1)]);
        assert!(!files.contains_key("gone.py"));
        assert_eq!(files["m.py"].hunk_containing(2, 4), Some((1, 4)));
        assert_eq!(files["m.py"].hunk_containing(4, 21), None);
    }
}
