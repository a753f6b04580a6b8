//! The review GitHub receives: one comment per suggestion that can be
//! anchored in the pull request's diff, and a body that accounts for every
//! other change (outside the diff, over the comment limit, waiting for
//! another change, or already suggested).

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use super::diff::FileHunks;
use super::suggestion::{Deferred, Resolved, Suggestion};

/// GitHub's limit on the length of a comment or review body, in characters.
pub const MAX_BODY_CHARS: usize = 65_536;

/// `POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews`.
#[derive(Debug, Serialize)]
pub struct Review {
    pub commit_id: String,
    pub event: &'static str,
    pub body: String,
    pub comments: Vec<Comment>,
}

#[derive(Debug, Serialize)]
pub struct Comment {
    pub path: String,
    pub body: String,
    pub line: usize,
    pub side: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_side: Option<&'static str>,
}

/// What the review leaves out, and why.
#[derive(Debug, Default)]
pub struct Leftovers {
    pub outside_diff: Vec<Suggestion>,
    pub over_limit: Vec<Suggestion>,
    pub too_large: Vec<Suggestion>,
    pub deferred: Vec<Deferred>,
    pub in_notebooks: Vec<Deferred>,
    pub already_suggested: usize,
}

/// Builds the review. `existing` holds the fingerprints of suggestions
/// already on the pull request.
pub fn build(
    commit_id: String,
    suggestions: Vec<Suggestion>,
    deferred: Vec<Deferred>,
    in_notebooks: Vec<Deferred>,
    hunks: &BTreeMap<String, FileHunks>,
    existing: &HashSet<String>,
    max_comments: usize,
) -> (Review, Leftovers) {
    let mut comments = Vec::new();
    let mut leftovers = Leftovers {
        deferred,
        in_notebooks,
        ..Leftovers::default()
    };
    for suggestion in suggestions {
        let fingerprint = fingerprint(&suggestion);
        if existing.contains(&fingerprint) {
            leftovers.already_suggested += 1;
            continue;
        }
        let inside = hunks
            .get(&suggestion.path)
            .and_then(|file| file.hunk_containing(suggestion.first, suggestion.last));
        if inside.is_none() {
            leftovers.outside_diff.push(suggestion);
            continue;
        }
        if comments.len() >= max_comments {
            leftovers.over_limit.push(suggestion);
            continue;
        }
        let body = comment_body(&suggestion, &fingerprint);
        if body.chars().count() > MAX_BODY_CHARS {
            leftovers.too_large.push(suggestion);
            continue;
        }
        let multi_line = suggestion.first < suggestion.last;
        comments.push(Comment {
            path: suggestion.path.clone(),
            body,
            line: suggestion.last,
            side: "RIGHT",
            start_line: multi_line.then_some(suggestion.first),
            start_side: multi_line.then_some("RIGHT"),
        });
    }
    let body = review_body(comments.len(), &leftovers);
    (
        Review {
            commit_id,
            event: "COMMENT",
            body,
            comments,
        },
        leftovers,
    )
}

/// A stable identity for a suggestion: the file, the codes, and the text
/// before and after, but not the line numbers, so that a push that moves
/// the code does not make the same suggestion look new. FNV-1a, 64 bits.
pub fn fingerprint(suggestion: &Suggestion) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let codes: Vec<&str> = suggestion.resolves.iter().map(|r| r.code).collect();
    for part in [
        suggestion.path.as_str(),
        &codes.join(","),
        &suggestion.original,
        &suggestion.replacement,
    ] {
        for byte in part.bytes().chain([0xff]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

/// The fingerprints in existing comment bodies.
pub fn fingerprints_in(body: &str) -> impl Iterator<Item = String> + '_ {
    body.match_indices(FINGERPRINT_PREFIX)
        .filter_map(move |(at, _)| {
            let rest = &body[at + FINGERPRINT_PREFIX.len()..];
            let end = rest.find(" -->")?;
            Some(rest[..end].to_string())
        })
}

const FINGERPRINT_PREFIX: &str = "<!-- hybridize:fp=";

fn comment_body(suggestion: &Suggestion, fingerprint: &str) -> String {
    let mut body = String::new();
    for resolved in &suggestion.resolves {
        body.push_str(&format!(
            "**{}** `{}` ({} fix): {}\n",
            resolved.code, resolved.name, resolved.safety, resolved.message
        ));
        if let Some(title) = &resolved.fix_title {
            body.push_str(&format!("→ {title}\n"));
        }
    }
    let fence = fence(&suggestion.replacement);
    body.push_str(&format!(
        "\n{fence}suggestion\n{}{}{fence}\n",
        suggestion.replacement,
        if suggestion.replacement.is_empty() {
            ""
        } else {
            "\n"
        }
    ));
    body.push_str(&format!(
        "\n<sub>`hybridize explain {}` says why.</sub>\n{FINGERPRINT_PREFIX}{fingerprint} -->",
        suggestion.resolves[0].code
    ));
    body
}

/// A backtick fence longer than any run of backticks in `content`.
pub fn fence(content: &str) -> String {
    let longest = content.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

fn line_item(path: &str, resolved: &Resolved) -> String {
    let place = match resolved.cell {
        Some(cell) => format!("cell {cell}:{}", resolved.row),
        None => resolved.row.to_string(),
    };
    format!(
        "- `{path}:{place}` **{}** {} ({} fix)\n",
        resolved.code, resolved.message, resolved.safety
    )
}

fn review_body(comments: usize, leftovers: &Leftovers) -> String {
    let mut body = String::from("### hybridize\n\n");
    body.push_str(&match comments {
        0 => "No new suggestions on the lines this pull request changes.\n".to_string(),
        1 => "1 suggested change below; each can be committed on its own.\n".to_string(),
        n => format!("{n} suggested changes below; each can be committed on its own.\n"),
    });
    let sections: [(&str, Vec<String>); 5] = [
        (
            "Outside this pull request's diff (run `hybridize fix` locally)",
            leftovers
                .outside_diff
                .iter()
                .flat_map(|s| s.resolves.iter().map(|r| line_item(&s.path, r)))
                .collect(),
        ),
        (
            "Not posted: over the limit of comments per review",
            leftovers
                .over_limit
                .iter()
                .flat_map(|s| s.resolves.iter().map(|r| line_item(&s.path, r)))
                .collect(),
        ),
        (
            "Too large for a suggestion (run `hybridize fix` locally)",
            leftovers
                .too_large
                .iter()
                .flat_map(|s| s.resolves.iter().map(|r| line_item(&s.path, r)))
                .collect(),
        ),
        (
            "Overlapping another change; suggested once that one is committed",
            leftovers
                .deferred
                .iter()
                .map(|d| line_item(&d.path, &d.resolves))
                .collect(),
        ),
        (
            "In notebooks whose cell source is one JSON string, where a suggestion would rewrite the whole string (run `hybridize fix` locally)",
            leftovers
                .in_notebooks
                .iter()
                .map(|d| line_item(&d.path, &d.resolves))
                .collect(),
        ),
    ];
    for (title, items) in sections {
        if items.is_empty() {
            continue;
        }
        body.push_str(&format!("\n**{title}** ({}):\n\n", items.len()));
        for (shown, item) in items.iter().enumerate() {
            // Keep room for the closing lines within GitHub's limit.
            if body.chars().count() + item.chars().count() > MAX_BODY_CHARS - 1_000 {
                body.push_str(&format!("- …and {} more\n", items.len() - shown));
                break;
            }
            body.push_str(item);
        }
    }
    if leftovers.already_suggested > 0 {
        body.push_str(&format!(
            "\n{} already suggested in an earlier review; not repeated.\n",
            if leftovers.already_suggested == 1 {
                "1 change was".to_string()
            } else {
                format!("{} changes were", leftovers.already_suggested)
            }
        ));
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fence_is_longer_than_any_backtick_run() {
        assert_eq!(fence("x = 1"), "```");
        assert_eq!(fence("s = '```'"), "````");
        assert_eq!(fence("`````"), "``````");
    }

    #[test]
    fn fingerprints_round_trip_through_a_body() {
        let body = "text\n<!-- hybridize:fp=00ff -->\n<!-- hybridize:fp=abc -->";
        let found: Vec<String> = fingerprints_in(body).collect();
        assert_eq!(found, vec!["00ff", "abc"]);
    }
}
