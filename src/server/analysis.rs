//! The analysis thread: it holds the workspace's facts and checks the
//! open documents against them, one job at a time.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

use crossbeam_channel::{Receiver, Sender};

use super::{is_python, panic_message};
use crate::report::FileReport;
use crate::run::{self, Overlay, ProjectFacts};
use crate::settings::Settings;
use crate::source::SourceFile;

/// What the analysis thread is asked to do: check the open documents
/// (gathering the workspace's facts first when asked).
pub(super) struct Job {
    pub(super) paths: Vec<PathBuf>,
    pub(super) call_sites_only: Vec<bool>,
    pub(super) settings: Settings,
    /// Open documents, those changed since the last job first.
    pub(super) open: Vec<OpenText>,
    /// Whether the workspace's facts are to be gathered again (at
    /// start-up, reported with `$/progress`, and when a document closes).
    pub(super) gather: bool,
    pub(super) startup: bool,
}

/// An open document as a run sees it.
pub(super) struct OpenText {
    pub(super) path: PathBuf,
    pub(super) version: i32,
    pub(super) text: String,
    /// Its last text that parsed, if it had one.
    pub(super) last_good: Option<String>,
}

/// What the analysis thread answers, one document at a time: its version
/// and report; `last` when the job is over (then `outcome` may be the
/// panic that stopped it).
pub(super) struct Done {
    pub(super) startup: bool,
    pub(super) last: bool,
    pub(super) outcome: std::result::Result<Vec<(PathBuf, i32, FileReport)>, String>,
}

/// The analysis thread: gathers the workspace's facts when asked (and
/// first), then checks each open document against them, the changed ones
/// first, answering one document at a time. Documents left when newer
/// work is waiting are not checked: the next job checks them.
pub(super) fn analysis_thread(jobs: &Receiver<Job>, done: &Sender<Done>) {
    let mut facts: Option<ProjectFacts> = None;
    while let Ok(job) = jobs.recv() {
        let startup = job.startup;
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            if job.gather || facts.is_none() {
                facts = Some(gather(&job));
            }
            let Some(facts) = facts.as_mut() else {
                return;
            };
            for (k, open) in job.open.into_iter().enumerate() {
                if k > 0 && !jobs.is_empty() {
                    break;
                }
                // For the tests of robustness (not an interface).
                if std::env::var_os("HYBRIDIZE_SERVER_PANIC").is_some_and(|m| m == "analysis")
                    && open.text.contains("# panic here")
                {
                    panic!("`HYBRIDIZE_SERVER_PANIC` asked for a panic");
                }
                let report = facts.check(&open.path, open.text, &job.settings);
                let answer = Done {
                    startup,
                    last: false,
                    outcome: Ok(vec![(open.path, open.version, report)]),
                };
                if done.send(answer).is_err() {
                    return;
                }
            }
        }))
        .map(|()| Vec::new())
        .map_err(|panic| {
            // Facts left half-updated are gathered again.
            facts = None;
            panic_message(&*panic)
        });
        let last = Done {
            startup,
            last: true,
            outcome,
        };
        if done.send(last).is_err() {
            return;
        }
    }
}

/// The facts of the workspace, with the open documents' texts in place of
/// the files: a text that does not parse is replaced by its last text that
/// parsed (or the file on disk), so the other files keep the facts they
/// had.
fn gather(job: &Job) -> ProjectFacts {
    let mut texts = Overlay::default();
    for open in &job.open {
        let file = SourceFile {
            path: open.path.clone(),
            text: open.text.clone(),
        };
        if run::in_worker_pool(|| file.parse().is_ok()) {
            texts.insert(open.path.clone(), open.text.clone());
        } else if let Some(good) = &open.last_good {
            texts.insert(open.path.clone(), good.clone());
        }
    }
    let mut paths = job.paths.clone();
    let mut tests = job.call_sites_only.clone();
    for open in &job.open {
        if !paths.contains(&open.path) && is_python(&open.path) {
            paths.push(open.path.clone());
            tests.push(false);
        }
    }
    ProjectFacts::gather(&paths, &tests, &texts, &job.settings)
}
