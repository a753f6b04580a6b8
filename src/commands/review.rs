//! `hybridize review`: the changes `hybridize fix` would make in a pull
//! request's files, posted as a GitHub review with suggested changes (or
//! printed, with `--dry-run`).
//!
//! Where the diff comes from decides where comments may go: with `--repo`
//! and `--pr` it is the pull request's own diff from the API (and the head
//! commit must be the one checked out); otherwise `git diff BASE...HEAD`.
//! The changes come from the same whole-project run as `fix`'s: a changed
//! file is seen with everything the other files of the project say about it.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use super::{plural, run_files, settings, walk};
use crate::cli::ReviewArgs;
use crate::exit_status::ExitStatus;
use crate::report::FileReport;
use crate::review::{self, diff, github, payload, Changes};
use crate::run::Mode;
use crate::settings::Settings;

pub(super) fn review(args: ReviewArgs) -> Result<ExitStatus> {
    let settings = settings(&args.common)?;
    let target = match (&args.repo, args.pr) {
        (Some(repo), Some(pr)) => {
            let Some((owner, name)) = repo.split_once('/') else {
                bail!("--repo must be OWNER/NAME, not `{repo}`");
            };
            Some((owner.to_string(), name.to_string(), pr))
        }
        (None, None) => None,
        _ => bail!("--repo and --pr go together"),
    };
    if target.is_none() && !args.dry_run {
        bail!("nothing to post to: pass --repo OWNER/NAME and --pr N, or --dry-run to print the review");
    }
    if target.is_none() && args.base.is_none() {
        bail!("--base REF is needed to know which lines the pull request changes (or pass --repo and --pr to ask GitHub)");
    }
    let token = std::env::var("GITHUB_TOKEN").ok().filter(|t| !t.is_empty());
    if target.is_some() && token.is_none() && !args.dry_run {
        bail!("GITHUB_TOKEN is not set; a review can only be posted with a token that may write pull requests");
    }
    let client = github::Client::new(&args.api_url, token)?;
    let root = git(&["rev-parse", "--show-toplevel"], Path::new("."))
        .context("`hybridize review` runs inside a git checkout of the pull request's head")?;
    let root = PathBuf::from(root.trim());
    let local_head = git(&["rev-parse", "HEAD"], &root)?.trim().to_string();

    // The diff the comments must land in, and the head commit.
    let (diff_text, commit_id) = match &target {
        Some((owner, name, pr)) => {
            let url = client.url(&format!("/repos/{owner}/{name}/pulls/{pr}"));
            let what = format!("reading pull request {owner}/{name}#{pr}");
            let pull = client.get(&what, &url, "application/vnd.github+json")?;
            let pull: serde_json::Value =
                serde_json::from_str(&pull.body).context("the pull request is not JSON")?;
            let Some(head) = pull["head"]["sha"].as_str() else {
                bail!("GitHub's answer for {owner}/{name}#{pr} has no head.sha");
            };
            if head != local_head {
                let head = crate::source::escape_control(head);
                bail!("the checkout is at {local_head} but the pull request's head is {head}; check out the head commit (actions/checkout with `ref: ${{{{ github.event.pull_request.head.sha }}}}`) so that suggestions match the lines GitHub shows");
            }
            let diff = client.get(
                &format!("reading the diff of {owner}/{name}#{pr}"),
                &url,
                "application/vnd.github.v3.diff",
            )?;
            (diff.body, head.to_string())
        }
        None => {
            let base = args.base.as_deref().unwrap_or_default();
            let range = format!("{base}...HEAD");
            let diff = git(
                &[
                    "-c",
                    "core.quotepath=false",
                    "diff",
                    "--no-color",
                    "--no-ext-diff",
                    "--no-renames",
                    "-U3",
                    &range,
                ],
                &root,
            )
            .with_context(|| format!("cannot diff `{range}`; is `{base}` fetched?"))?;
            (diff, local_head)
        }
    };
    let hunks = diff::parse(&diff_text);

    // The changed Python files that the paths select, by their path in the
    // repository (as comments name them) and on disk.
    let selected: Vec<PathBuf> = args
        .common
        .paths
        .iter()
        .map(|p| std::fs::canonicalize(p).with_context(|| format!("{}: no such path", p.display())))
        .collect::<Result<_>>()?;
    let files: Vec<(String, PathBuf)> = hunks
        .keys()
        .filter(|path| path.ends_with(".py") || path.ends_with(".pyi") || path.ends_with(".ipynb"))
        .filter_map(|path| {
            let file = std::fs::canonicalize(root.join(path)).ok()?;
            selected
                .iter()
                .any(|s| file.starts_with(s))
                .then(|| (path.clone(), file))
        })
        .collect();
    let mut reports = changed_file_reports(&args.common.paths, &files, &settings)?;
    super::print_profile_notes(&settings);

    let mut errors = 0;
    let mut reviewed = Vec::new();
    for (relative, file) in &files {
        let Some(mut report) = reports.remove(file) else {
            continue;
        };
        if let Some(error) = &report.error {
            eprintln!("error: {error}");
            errors += 1;
            continue;
        }
        // A notebook read in the run is found again under the new name.
        crate::notebook::alias(&report.path, Path::new(relative));
        report.path = PathBuf::from(relative);
        reviewed.push(report);
    }
    let changes = Changes::of(&reviewed, &settings);
    drop(reviewed);

    // Fingerprints of suggestions already on the pull request.
    let mut existing = HashSet::new();
    if let Some((owner, name, pr)) = &target {
        let url = client.url(&format!(
            "/repos/{owner}/{name}/pulls/{pr}/comments?per_page=100"
        ));
        for comment in client.get_all_pages("listing review comments", &url)? {
            if let Some(body) = comment["body"].as_str() {
                existing.extend(payload::fingerprints_in(body));
            }
        }
    }

    let total = changes.total();
    let (review, leftovers) =
        review::build(commit_id, changes, &hunks, &existing, args.max_comments);
    let json = serde_json::to_string_pretty(&review)?;
    let mut stderr = std::io::stderr().lock();
    if args.dry_run {
        println!("{}", crate::secrets::redact(&json));
    } else if let Some((owner, name, pr)) = &target {
        // A review without new comments is posted only on a pull request
        // this tool has not reviewed before, so that every push does not
        // repeat the same list of changes outside the diff.
        if review.comments.is_empty() && (total == 0 || leftovers.already_suggested > 0) {
            let _ = writeln!(stderr, "Nothing new to suggest on {owner}/{name}#{pr}.");
        } else {
            let url = client.url(&format!("/repos/{owner}/{name}/pulls/{pr}/reviews"));
            let posted = client.post_json(
                &format!("posting the review on {owner}/{name}#{pr}"),
                &url,
                &json,
            )?;
            // GitHub answers with the review it made; anything else is no
            // proof that one was posted.
            let posted = serde_json::from_str::<serde_json::Value>(&posted.body)
                .ok()
                .filter(|v| v["id"].is_u64());
            let Some(posted) = posted else {
                bail!("GitHub API: posting the review on {owner}/{name}#{pr}: the answer is not a review (no `id`); it may not have been posted (check --api-url)");
            };
            let link = posted["html_url"].as_str().unwrap_or_default();
            let _ = writeln!(
                stderr,
                "Posted a review with {} on {owner}/{name}#{pr}. {}",
                plural(review.comments.len(), "suggestion"),
                crate::secrets::redact(&crate::source::escape_control(link))
            );
        }
    }
    let _ = writeln!(
        stderr,
        "{} in {} changed Python files: {} as comments, {} outside the diff, {} over the limit, {} too large, {} waiting on another, {} already suggested{}.",
        plural(total, "change"),
        files.len(),
        review.comments.len(),
        leftovers.outside_diff.len(),
        leftovers.over_limit.len(),
        leftovers.too_large.len(),
        leftovers.deferred.len(),
        leftovers.already_suggested,
        if leftovers.in_notebooks.is_empty() {
            String::new()
        } else {
            format!(
                ", {} in notebooks listed in the review",
                leftovers.in_notebooks.len()
            )
        },
    );
    Ok(if errors > 0 {
        ExitStatus::Error
    } else if total > 0 && !args.exit_zero {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

/// The reports of the changed `files` (by canonical path), from one run
/// over the project as `fix` walks it from the same `paths`, so that a
/// helper whose hot caller is in an unchanged file is seen as `fix` sees
/// it, and messages name other files as `fix` names them. A changed file
/// the walk leaves out (`exclude`) is added, as a file named on the command
/// line is. Only the changed files' reports are kept.
fn changed_file_reports(
    paths: &[PathBuf],
    files: &[(String, PathBuf)],
    settings: &Settings,
) -> Result<HashMap<PathBuf, FileReport>> {
    if files.is_empty() {
        return Ok(HashMap::new());
    }
    let mut project = walk(paths, settings)?;
    let mut walked: HashMap<PathBuf, PathBuf> = project
        .files
        .iter()
        .filter_map(|path| Some((std::fs::canonicalize(path).ok()?, path.clone())))
        .collect();
    // The changed files, by their path as the run spells it.
    let mut changed: HashMap<PathBuf, PathBuf> = HashMap::new();
    for (_, file) in files {
        let spelled = walked.remove(file).unwrap_or_else(|| {
            project.files.push(file.clone());
            project.tests.push(false);
            file.clone()
        });
        changed.insert(spelled, file.clone());
    }
    drop(walked);
    let keep_changed_only = |report: &mut FileReport| {
        if !changed.contains_key(&report.path) {
            *report = FileReport::default();
        }
    };
    Ok(
        run_files(&project, settings, Mode::Check, &keep_changed_only)
            .into_iter()
            .filter_map(|report| Some((changed.get(&report.path)?.clone(), report)))
            .collect(),
    )
}

/// Runs git and returns its standard output; its error output on failure.
fn git(args: &[&str], dir: &Path) -> Result<String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .context("cannot run git")?;
    if !output.status.success() {
        bail!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    String::from_utf8(output.stdout).context("git printed something that is not UTF-8")
}
