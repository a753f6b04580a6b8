//! Applying fixes: pick fixes whose edits do not overlap, splice them into
//! the text in one go. Re-parsing and repetition to a fixed point live in
//! [`crate::run`].

use ruff_diagnostics::{Edit, Fix};
use ruff_text_size::{Ranged, TextRange};

/// Applies every fix in `fixes` (in order of their first edit) that does not
/// overlap a fix applied before it. An edit that is the same as one already
/// taken (the import two fixes need) is shared, not a conflict, and made
/// once. Returns the new text and the indices (into `fixes`) of the fixes
/// applied; the others wait for the next pass.
pub fn apply_fixes(text: &str, fixes: &[&Fix]) -> (String, Vec<usize>) {
    let mut order: Vec<usize> = (0..fixes.len()).collect();
    order.sort_by_key(|&i| (fixes[i].min_start(), i));
    let mut taken: Vec<&Edit> = Vec::new();
    let mut applied = Vec::new();
    for i in order {
        let edits = fixes[i].edits();
        let conflicts = edits.iter().any(|edit| {
            taken
                .iter()
                .any(|other| *other != edit && overlaps(edit, other))
        }) || edits.windows(2).any(|pair| overlaps(&pair[0], &pair[1]));
        if conflicts || edits.is_empty() {
            continue;
        }
        for edit in edits {
            if !taken.contains(&edit) {
                taken.push(edit);
            }
        }
        applied.push(i);
    }
    taken.sort_by_key(|edit| (edit.start(), edit.end()));
    (splice(text, &taken), applied)
}

/// Whether two edits touch the same text: their ranges intersect, one
/// inserts inside the other, or both insert at the same point (their order
/// would be ambiguous).
fn overlaps(a: &Edit, b: &Edit) -> bool {
    let (a, b): (TextRange, TextRange) = (a.range(), b.range());
    if a.start() == b.start() {
        return true;
    }
    a.start() < b.end() && b.start() < a.end()
}

/// Splices non-overlapping edits, sorted by start, into `text`.
pub fn splice(text: &str, edits: &[&Edit]) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut cursor = 0;
    for edit in edits {
        out.push_str(&text[cursor..edit.start().to_usize()]);
        out.push_str(edit.content().unwrap_or_default());
        cursor = edit.end().to_usize();
    }
    out.push_str(&text[cursor..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ruff_text_size::TextSize;

    fn replace(start: u32, end: u32, content: &str) -> Edit {
        Edit::replacement(
            content.to_string(),
            TextSize::new(start),
            TextSize::new(end),
        )
    }

    #[test]
    fn fixes_that_need_the_same_import_apply_together_with_one_import() {
        let import = Edit::insertion("import tf\n".to_string(), TextSize::new(0));
        let a = Fix::safe_edits(replace(2, 3, "A"), [import.clone()]);
        let b = Fix::safe_edits(replace(4, 5, "B"), [import]);
        let (text, applied) = apply_fixes("x\ny\nz\n", &[&a, &b]);
        assert_eq!(text, "import tf\nx\nA\nB\n");
        assert_eq!(applied, vec![0, 1]);
    }

    #[test]
    fn non_overlapping_fixes_apply_together() {
        let a = Fix::safe_edit(replace(0, 1, "A"));
        let b = Fix::safe_edit(replace(2, 3, "C"));
        let (text, applied) = apply_fixes("abc", &[&b, &a]);
        assert_eq!(text, "AbC");
        assert_eq!(applied, vec![1, 0]);
    }

    #[test]
    fn an_overlapping_fix_waits_with_all_its_edits() {
        let a = Fix::safe_edit(replace(0, 2, "XY"));
        // `b` overlaps `a` with its second edit, so neither of its edits applies.
        let b = Fix::safe_edits(replace(3, 4, "D"), [replace(1, 2, "Q")]);
        let (text, applied) = apply_fixes("abcd", &[&a, &b]);
        assert_eq!(text, "XYcd");
        assert_eq!(applied, vec![0]);
    }

    #[test]
    fn two_different_insertions_at_one_point_do_not_both_apply() {
        let a = Fix::safe_edit(Edit::insertion("import a\n".into(), TextSize::new(0)));
        let b = Fix::safe_edit(Edit::insertion("import b\n".into(), TextSize::new(0)));
        let (text, applied) = apply_fixes("x\n", &[&a, &b]);
        assert_eq!(text, "import a\nx\n");
        assert_eq!(applied, vec![0]);
    }

    #[test]
    fn the_same_insertion_twice_is_made_once() {
        let a = Fix::safe_edit(Edit::insertion(
            "import tensorflow as tf\n".into(),
            TextSize::new(0),
        ));
        let b = Fix::safe_edit(Edit::insertion(
            "import tensorflow as tf\n".into(),
            TextSize::new(0),
        ));
        let (text, applied) = apply_fixes("x\n", &[&a, &b]);
        assert_eq!(text, "import tensorflow as tf\nx\n");
        assert_eq!(applied, vec![0, 1]);
    }
}
