//! The review bot's library part: the changes of a run's reports, as a
//! GitHub pull-request review whose comments carry suggested changes a
//! reviewer can commit with one click. Where the reports and the diff come
//! from (git, the API) is the command's business
//! (`hybridize review`, in `commands/review.rs`).

pub mod diff;
pub mod github;
pub mod payload;
pub mod suggestion;

use std::collections::{BTreeMap, HashSet};

use crate::report::FileReport;
use crate::settings::Settings;
use diff::FileHunks;
use payload::{Leftovers, Review};
use suggestion::{Deferred, Suggestion};

/// Every change the reviewed files' reports carry: those that can be
/// suggested now, and those that wait on another.
#[derive(Debug, Default)]
pub struct Changes {
    pub suggestions: Vec<Suggestion>,
    pub deferred: Vec<Deferred>,
    /// Notebook changes that no suggestion can make on the file's lines
    /// as they are (a source written as one string): listed in the body.
    pub in_notebooks: Vec<Deferred>,
}

impl Changes {
    /// The changes of `reports`, in their order (each report's path is
    /// the one comments name: relative to the repository).
    pub fn of<'a>(reports: impl IntoIterator<Item = &'a FileReport>, settings: &Settings) -> Self {
        let mut changes = Changes::default();
        for report in reports {
            let (found, mut waiting) = suggestion::suggestions(report, settings);
            changes.deferred.append(&mut waiting);
            for found in found {
                match found {
                    Ok(suggestion) => changes.suggestions.push(suggestion),
                    Err(mut listed) => changes.in_notebooks.append(&mut listed),
                }
            }
        }
        changes
    }

    /// How many changes there are, suggested or not.
    pub fn total(&self) -> usize {
        self.suggestions.len() + self.deferred.len() + self.in_notebooks.len()
    }
}

/// The review of `changes` on the diff's `hunks` at `commit_id`, leaving
/// out what is already suggested (`existing` fingerprints), and what it
/// leaves out.
pub fn build(
    commit_id: String,
    changes: Changes,
    hunks: &BTreeMap<String, FileHunks>,
    existing: &HashSet<String>,
    max_comments: usize,
) -> (Review, Leftovers) {
    payload::build(
        commit_id,
        changes.suggestions,
        changes.deferred,
        changes.in_notebooks,
        hunks,
        existing,
        max_comments,
    )
}
