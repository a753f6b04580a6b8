//! `hybridize review` against a local HTTP server that plays GitHub: every
//! request body is validated against GitHub's published OpenAPI description
//! (npm `@octokit/openapi`, installed by `scripts/openapi.sh`, located by
//! `HYBRIDIZE_OPENAPI`), and the posted suggestions, applied the way GitHub
//! applies them, must give exactly what `hybridize fix --write` writes.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{json, Value};

// ---------------------------------------------------------------- fixtures

const BASE_M: &str = r#"import tensorflow as tf


@tf.function(experimental_relax_shapes=True)
def old(x):
    return x


def helper(x):
    return x + 1


def other(x):
    return x - 1
"#;

const ADDED_TO_M: &str = r#"

@tf.function(experimental_compile=True)
def step(x):
    print("```x```", x)
    return x
"#;

/// A new file: one fix whose import and rewrite span several lines.
const NEW_N: &str = r#"from tensorflow import function


@function
def step(x):
    print("x", x)
    return x
"#;

fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(output.status.success(), "git {args:?}: {output:?}");
    String::from_utf8(output.stdout).unwrap()
}

/// A repository with `main` (base) and `feature` (head, checked out).
fn repository() -> tempfile::TempDir {
    let folder = tempfile::tempdir().unwrap();
    let dir = folder.path();
    git(dir, &["init", "-q", "-b", "main"]);
    git(dir, &["config", "user.email", "test@example.com"]);
    git(dir, &["config", "user.name", "Test"]);
    std::fs::write(dir.join("m.py"), BASE_M).unwrap();
    git(dir, &["add", "."]);
    git(dir, &["commit", "-qm", "base"]);
    git(dir, &["checkout", "-qb", "feature"]);
    std::fs::write(dir.join("m.py"), format!("{BASE_M}{ADDED_TO_M}")).unwrap();
    std::fs::write(dir.join("n.py"), NEW_N).unwrap();
    git(dir, &["add", "."]);
    git(dir, &["commit", "-qm", "head"]);
    folder
}

fn hybridize(dir: &Path, args: &[&str], api: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hybridize"));
    command
        .current_dir(dir)
        .args(args)
        .env("GITHUB_TOKEN", "t0ken");
    if let Some(api) = api {
        command.args(["--api-url", api]);
    }
    command.output().unwrap()
}

// ------------------------------------------------------ the API description

/// The request-body schema of `POST .../pulls/{pull_number}/reviews`, made
/// strict: an object may not carry a property the description does not
/// list, so a misspelt field fails here instead of being ignored by GitHub.
fn review_schema() -> Option<&'static Value> {
    static SCHEMA: OnceLock<Option<Value>> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            let Some(path) = std::env::var_os("HYBRIDIZE_OPENAPI") else {
                let message = "HYBRIDIZE_OPENAPI is not set: run `export HYBRIDIZE_OPENAPI=\"$(scripts/openapi.sh)\"` to validate requests against GitHub's OpenAPI description";
                if std::env::var("CI").is_ok_and(|v| v == "true") {
                    panic!("{message}");
                }
                eprintln!("\n!!!!!!!! SKIPPING OPENAPI VALIDATION !!!!!!!!\n{message}\n");
                return None;
            };
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|err| panic!("{}: {err}", Path::new(&path).display()));
            let description: Value = serde_json::from_str(&text).unwrap();
            let mut schema = description["paths"]
                ["/repos/{owner}/{repo}/pulls/{pull_number}/reviews"]["post"]["requestBody"]
                ["content"]["application/json"]["schema"]
                .clone();
            assert!(schema.is_object(), "operation not found in {path:?}");
            make_strict(&mut schema);
            Some(schema)
        })
        .as_ref()
}

fn make_strict(schema: &mut Value) {
    match schema {
        Value::Object(object) => {
            if object.contains_key("properties") && !object.contains_key("additionalProperties") {
                object.insert("additionalProperties".into(), Value::Bool(false));
            }
            object.values_mut().for_each(make_strict);
        }
        Value::Array(items) => items.iter_mut().for_each(make_strict),
        _ => {}
    }
}

fn assert_valid_review(body: &Value) {
    let Some(schema) = review_schema() else {
        return;
    };
    let validator = jsonschema::validator_for(schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(body)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "invalid review: {errors:?}\n{body:#}");
}

// ------------------------------------------------------------- the server

#[derive(Debug, Clone)]
struct Request {
    method: String,
    path: String,
    headers: HashMap<String, String>,
    body: String,
    /// The request as it came: request line, headers and body.
    raw: String,
}

type Handler = dyn Fn(&Request) -> (u16, Vec<(String, String)>, String) + Send + Sync;

/// Reads one request from `stream`, keeping its raw bytes.
fn read_request(stream: &TcpStream) -> Option<Request> {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return None;
    }
    let mut raw = line.clone();
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let path = parts.next().unwrap_or_default().to_string();
    let mut headers = HashMap::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).unwrap();
        raw.push_str(&header);
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_string());
        }
    }
    let length: usize = headers
        .get("content-length")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    let body = String::from_utf8(body).unwrap();
    raw.push_str(&body);
    Some(Request {
        method,
        path,
        headers,
        body,
        raw,
    })
}

/// Serves `handler` on 127.0.0.1 and records every request.
fn serve(handler: Arc<Handler>) -> (String, Arc<Mutex<Vec<Request>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let log = Arc::new(Mutex::new(Vec::new()));
    let recorded = log.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let Some(request) = read_request(&stream) else {
                continue;
            };
            let (status, extra, body) = handler(&request);
            recorded.lock().unwrap().push(request);
            let mut response = format!(
                "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
                body.len()
            );
            for (name, value) in extra {
                response.push_str(&format!("{name}: {value}\r\n"));
            }
            response.push_str("\r\n");
            response.push_str(&body);
            let _ = stream.write_all(response.as_bytes());
        }
    });
    (url, log)
}

/// A GitHub that knows one pull request (`o/r#7`) whose head is `dir`'s
/// HEAD and whose diff is `git diff main...HEAD`; review comments already
/// posted are listed one per page.
fn github(dir: &Path) -> Arc<Handler> {
    github_for(dir, "t0ken")
}

/// [`github`], for requests that carry `token`.
fn github_for(dir: &Path, token: &str) -> Arc<Handler> {
    let head = git(dir, &["rev-parse", "HEAD"]).trim().to_string();
    let diff = git(dir, &["diff", "main...HEAD"]);
    let posted: Arc<Mutex<Vec<Value>>> = Arc::default();
    let authorization = format!("Bearer {token}");
    Arc::new(move |request: &Request| {
        assert_eq!(
            request.headers.get("authorization"),
            Some(&authorization),
            "{request:?}"
        );
        let ok = |body: String| (200, Vec::new(), body);
        match (request.method.as_str(), request.path.as_str()) {
            ("GET", "/repos/o/r/pulls/7") => {
                if request.headers.get("accept").map(String::as_str)
                    == Some("application/vnd.github.v3.diff")
                {
                    ok(diff.clone())
                } else {
                    ok(json!({ "number": 7, "head": { "sha": head } }).to_string())
                }
            }
            ("GET", path) if path.starts_with("/repos/o/r/pulls/7/comments") => {
                let page: usize = path
                    .split("page=")
                    .nth(2)
                    .and_then(|p| p.parse().ok())
                    .unwrap_or(1);
                let comments = posted.lock().unwrap();
                let items: Vec<&Value> = comments.iter().skip(page - 1).take(1).collect();
                let mut headers = Vec::new();
                if page < comments.len() {
                    headers.push((
                        "Link".to_string(),
                        format!(
                            "<{}?per_page=100&page={}>; rel=\"next\"",
                            "/repos/o/r/pulls/7/comments".replace(
                                "/repos",
                                &format!("http://{}/repos", request.headers["host"])
                            ),
                            page + 1
                        ),
                    ));
                }
                (200, headers, serde_json::to_string(&items).unwrap())
            }
            ("POST", "/repos/o/r/pulls/7/reviews") => {
                let review: Value = serde_json::from_str(&request.body).unwrap();
                assert_valid_review(&review);
                for comment in review["comments"].as_array().unwrap() {
                    posted.lock().unwrap().push(comment.clone());
                }
                ok(
                    json!({ "id": 1, "html_url": "https://github.test/o/r/pull/7#review-1" })
                        .to_string(),
                )
            }
            _ => (
                404,
                Vec::new(),
                json!({ "message": "Not Found" }).to_string(),
            ),
        }
    })
}

// -------------------------------------------------- applying like GitHub

/// The text of a comment's ```suggestion block.
fn suggested_lines(body: &str) -> Vec<String> {
    let lines: Vec<&str> = body.lines().collect();
    let open = lines
        .iter()
        .position(|l| l.trim_start_matches('`') == "suggestion")
        .expect("a suggestion block");
    let fence = lines[open].trim_end_matches("suggestion");
    assert!(fence.len() >= 3);
    let close = open + 1 + lines[open + 1..].iter().position(|l| *l == fence).unwrap();
    lines[open + 1..close]
        .iter()
        .map(|l| l.to_string())
        .collect()
}

/// Lines `start_line..=line` of each file replaced by its suggestion,
/// bottom-up so that earlier line numbers stay valid.
fn apply_like_github(dir: &Path, comments: &[Value]) -> HashMap<String, String> {
    let mut by_file: HashMap<String, Vec<&Value>> = HashMap::new();
    for comment in comments {
        by_file
            .entry(comment["path"].as_str().unwrap().to_string())
            .or_default()
            .push(comment);
    }
    by_file
        .into_iter()
        .map(|(path, mut comments)| {
            let text = std::fs::read_to_string(dir.join(&path)).unwrap();
            let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
            comments.sort_by_key(|c| std::cmp::Reverse(c["line"].as_u64().unwrap()));
            for comment in comments {
                assert_eq!(comment["side"], "RIGHT");
                let line = comment["line"].as_u64().unwrap() as usize;
                let start = comment["start_line"].as_u64().map_or(line, |s| s as usize);
                lines.splice(
                    start - 1..line,
                    suggested_lines(comment["body"].as_str().unwrap()),
                );
            }
            (path, lines.join("\n") + "\n")
        })
        .collect()
}

// ------------------------------------------------------------------ tests

#[test]
fn posted_suggestions_applied_like_github_equal_fix_write() {
    let repo = repository();
    let (api, log) = serve(github(repo.path()));
    let output = hybridize(
        repo.path(),
        &[
            "review",
            "--unsafe-fixes",
            "--select",
            "HY011,HY021",
            "--repo",
            "o/r",
            "--pr",
            "7",
        ],
        Some(&api),
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("Posted a review with 3 suggestions"),
        "{stderr}"
    );
    let requests = log.lock().unwrap().clone();
    let post = requests.iter().find(|r| r.method == "POST").unwrap();
    let review: Value = serde_json::from_str(&post.body).unwrap();
    assert_eq!(review["event"], "COMMENT");
    assert_eq!(
        review["commit_id"],
        git(repo.path(), &["rev-parse", "HEAD"]).trim()
    );
    // Line 4 of m.py is not in the diff: listed in the body, not suggested.
    let body = review["body"].as_str().unwrap();
    assert!(body.contains("`m.py:4` **HY021**"), "{body}");

    let suggested = apply_like_github(repo.path(), review["comments"].as_array().unwrap());
    // `fix --write` on a copy, with the one out-of-diff change made by hand
    // on both sides so that the files can be compared whole.
    let copy = tempfile::tempdir().unwrap();
    for name in ["m.py", "n.py"] {
        std::fs::copy(repo.path().join(name), copy.path().join(name)).unwrap();
    }
    let fixed = hybridize(
        copy.path(),
        &[
            "fix",
            "--write",
            "--unsafe-fixes",
            "--select",
            "HY011,HY021",
            ".",
        ],
        None,
    );
    assert_eq!(fixed.status.code(), Some(1), "{fixed:?}");
    let written_n = std::fs::read_to_string(copy.path().join("n.py")).unwrap();
    assert_eq!(suggested["n.py"], written_n);
    let written_m = std::fs::read_to_string(copy.path().join("m.py")).unwrap();
    assert_eq!(
        suggested["m.py"].replace("experimental_relax_shapes", "reduce_retracing"),
        written_m
    );
}

#[test]
fn a_second_run_repeats_nothing_already_suggested() {
    let repo = repository();
    let (api, log) = serve(github(repo.path()));
    let args = [
        "review",
        "--unsafe-fixes",
        "--select",
        "HY011,HY021",
        "--repo",
        "o/r",
        "--pr",
        "7",
    ];
    assert_eq!(
        hybridize(repo.path(), &args, Some(&api)).status.code(),
        Some(1)
    );
    let second = hybridize(repo.path(), &args, Some(&api));
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(
        stderr.contains("Nothing new to suggest on o/r#7"),
        "{stderr}"
    );
    let requests = log.lock().unwrap();
    assert_eq!(requests.iter().filter(|r| r.method == "POST").count(), 1);
    // Three comments, one per page: the second run followed every `next` link.
    let pages = requests
        .iter()
        .filter(|r| r.path.starts_with("/repos/o/r/pulls/7/comments"))
        .count();
    assert_eq!(pages, 1 + 3, "{requests:#?}");
}

#[test]
fn dry_run_from_git_respects_the_diff_the_limit_and_fences() {
    let repo = repository();
    let output = hybridize(
        repo.path(),
        &[
            "review",
            "--base",
            "main",
            "--dry-run",
            "--unsafe-fixes",
            "--select",
            "HY011,HY021",
            "--max-comments",
            "2",
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let review: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_valid_review(&review);
    let comments = review["comments"].as_array().unwrap();
    assert_eq!(comments.len(), 2);
    // The fence around `print("```x```", x)` is four backticks.
    let print = comments
        .iter()
        .find(|c| c["body"].as_str().unwrap().contains("```x```"))
        .unwrap();
    assert!(print["body"]
        .as_str()
        .unwrap()
        .contains("\n````suggestion\n"));
    assert!(print.get("start_line").is_none());
    let body = review["body"].as_str().unwrap();
    assert!(
        body.contains("over the limit of comments per review** (1)"),
        "{body}"
    );
    assert!(body.contains("Outside this pull request's diff"), "{body}");
    for comment in comments {
        assert!(comment["body"]
            .as_str()
            .unwrap()
            .contains("<!-- hybridize:fp="));
    }
}

#[test]
fn a_multi_line_change_gets_start_line_within_its_hunk() {
    let repo = repository();
    let output = hybridize(
        repo.path(),
        &[
            "review",
            "--base",
            "main",
            "--dry-run",
            "--unsafe-fixes",
            "--select",
            "HY011",
            "n.py",
        ],
        None,
    );
    let review: Value = serde_json::from_slice(&output.stdout).unwrap();
    let comment = &review["comments"][0];
    assert_eq!(comment["path"], "n.py");
    assert_eq!(comment["start_line"], 2);
    assert_eq!(comment["line"], 6);
    assert_eq!(comment["start_side"], "RIGHT");
}

/// A helper whose only hot caller is in another file: `train.py` calls
/// `scale` in a loop; the pull request changes only `helpers.py`.
fn cross_file_repository() -> tempfile::TempDir {
    let folder = tempfile::tempdir().unwrap();
    let dir = folder.path();
    git(dir, &["init", "-q", "-b", "main"]);
    git(dir, &["config", "user.email", "test@example.com"]);
    git(dir, &["config", "user.name", "Test"]);
    let helper = |body: &str| format!("import tensorflow as tf\n\n\ndef scale(x):\n    {body}\n");
    std::fs::write(dir.join("helpers.py"), helper("return tf.matmul(x, x)")).unwrap();
    std::fs::write(
        dir.join("train.py"),
        "import tensorflow as tf\nfrom helpers import scale\n\nx = tf.ones([2, 2])\nfor _ in range(10):\n    scale(x)\n",
    )
    .unwrap();
    git(dir, &["add", "."]);
    git(dir, &["commit", "-qm", "base"]);
    git(dir, &["checkout", "-qb", "feature"]);
    std::fs::write(dir.join("helpers.py"), helper("return tf.matmul(x, x) * 2")).unwrap();
    git(dir, &["commit", "-qam", "head"]);
    folder
}

#[test]
fn a_helper_called_in_a_loop_from_another_file_gets_the_change_fix_makes() {
    let repo = cross_file_repository();
    let output = hybridize(
        repo.path(),
        &["review", "--base", "main", "--dry-run", "--select", "HY001"],
        None,
    );
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let review: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_valid_review(&review);
    let comments = review["comments"].as_array().unwrap();
    assert_eq!(comments.len(), 1, "{review:#}");
    let body = comments[0]["body"].as_str().unwrap();
    assert!(
        body.contains("`scale` is called in a loop (at line 6 of train.py)"),
        "{body}"
    );
    let suggested = apply_like_github(repo.path(), comments);

    let copy = tempfile::tempdir().unwrap();
    for name in ["helpers.py", "train.py"] {
        std::fs::copy(repo.path().join(name), copy.path().join(name)).unwrap();
    }
    let fixed = hybridize(
        copy.path(),
        &["fix", "--write", "--select", "HY001", "."],
        None,
    );
    assert_eq!(fixed.status.code(), Some(1), "{fixed:?}");
    let written = std::fs::read_to_string(copy.path().join("helpers.py")).unwrap();
    assert!(written.contains("@tf.function\ndef scale(x):"), "{written}");
    assert_eq!(suggested["helpers.py"], written);
}

fn failing_github(status: u16, headers: &[(&str, &str)], message: &str) -> Arc<Handler> {
    let headers: Vec<(String, String)> = headers
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    let body = json!({ "message": message }).to_string();
    Arc::new(move |_: &Request| (status, headers.clone(), body.clone()))
}

#[test]
fn api_errors_are_explained_and_exit_2() {
    let repo = repository();
    // Status, headers, GitHub's message, and the words that explain it.
    type Case<'a> = (u16, &'a [(&'a str, &'a str)], &'a str, &'a str);
    let cases: [Case; 5] = [
        (
            401,
            &[],
            "Bad credentials",
            "GITHUB_TOKEN is missing, expired or revoked",
        ),
        (
            403,
            &[
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", "4102444800"),
            ],
            "API rate limit exceeded",
            "rate limit for this token is used up",
        ),
        (
            403,
            &[("retry-after", "60")],
            "secondary rate limit",
            "retry after 60 seconds",
        ),
        (
            403,
            &[],
            "Resource not accessible by integration",
            "pull-requests: write",
        ),
        (404, &[], "Not Found", "check --repo and --pr"),
    ];
    for (status, headers, message, explanation) in cases {
        let (api, _) = serve(failing_github(status, headers, message));
        let output = hybridize(
            repo.path(),
            &["review", "--repo", "o/r", "--pr", "7"],
            Some(&api),
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(explanation), "{status}: {stderr}");
        assert!(stderr.contains(message), "{status}: {stderr}");
    }
    // 422 on the POST itself.
    let inner = github(repo.path());
    let (api, _) = serve(Arc::new(move |request: &Request| {
        if request.method == "POST" {
            (422, Vec::new(), json!({ "message": "Unprocessable Entity", "errors": ["Line could not be resolved"] }).to_string())
        } else {
            inner(request)
        }
    }));
    let output = hybridize(
        repo.path(),
        &["review", "--unsafe-fixes", "--repo", "o/r", "--pr", "7"],
        Some(&api),
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("Line could not be resolved"), "{stderr}");
    assert!(
        stderr.contains("outside the pull request's diff"),
        "{stderr}"
    );
}

#[test]
fn a_checkout_that_is_not_the_head_is_refused() {
    let repo = repository();
    let (api, _) = serve(github(repo.path()));
    git(repo.path(), &["checkout", "-q", "main"]);
    let output = hybridize(
        repo.path(),
        &["review", "--repo", "o/r", "--pr", "7"],
        Some(&api),
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("check out the head commit"), "{stderr}");
}

// ------------------------------------------- hostile servers (issue 23)

/// A token no output may contain.
const SECRET: &str = "ghp_Z9distinctiveTOKEN4issue23xQ";

fn review_with(dir: &Path, api: &str, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hybridize"));
    command
        .current_dir(dir)
        .args(["review", "--unsafe-fixes", "--repo", "o/r", "--pr", "7"])
        .args(args)
        .args(["--api-url", api])
        .env("GITHUB_TOKEN", SECRET);
    command.output().unwrap()
}

/// Every byte the run printed, checked for the token; returns stderr.
fn assert_no_token(output: &Output) -> String {
    for stream in [&output.stdout, &output.stderr] {
        let text = String::from_utf8_lossy(stream);
        assert!(!text.contains(SECRET), "the token was printed:\n{text}");
    }
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A server at another origin (another port) that records what it gets.
fn second_origin() -> (String, Arc<Mutex<Vec<Request>>>) {
    serve(Arc::new(|_: &Request| (200, Vec::new(), "[]".to_string())))
}

fn assert_nothing_reached(log: &Arc<Mutex<Vec<Request>>>) {
    let requests = log.lock().unwrap();
    for request in requests.iter() {
        assert!(
            !request.raw.contains(SECRET),
            "the token went to another origin: {request:?}"
        );
    }
    assert!(requests.is_empty(), "{requests:#?}");
}

#[test]
fn the_token_goes_only_to_the_origin_of_api_url() {
    let repo = repository();
    let (elsewhere, other_log) = second_origin();
    // A `Link` to the next page on another origin is not followed.
    let inner = github_for(repo.path(), SECRET);
    let next = format!("<{elsewhere}/repos/o/r/pulls/7/comments?page=2>; rel=\"next\"");
    let (api, log) = serve(Arc::new(move |request: &Request| {
        if request.path.starts_with("/repos/o/r/pulls/7/comments") {
            (
                200,
                vec![("Link".to_string(), next.clone())],
                "[]".to_string(),
            )
        } else {
            inner(request)
        }
    }));
    let output = review_with(repo.path(), &api, &[]);
    let stderr = assert_no_token(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("not followed"), "{stderr}");
    assert!(stderr.contains(&elsewhere), "{stderr}");
    assert!(!log.lock().unwrap().iter().any(|r| r.method == "POST"));
    assert_nothing_reached(&other_log);

    // Nor is a redirect to another origin.
    let inner = github_for(repo.path(), SECRET);
    let target = format!("{elsewhere}/repos/o/r/pulls/7");
    let (api, _) = serve(Arc::new(move |request: &Request| {
        if request.path == "/repos/o/r/pulls/7" {
            (
                302,
                vec![("Location".to_string(), target.clone())],
                String::new(),
            )
        } else {
            inner(request)
        }
    }));
    let output = review_with(repo.path(), &api, &[]);
    let stderr = assert_no_token(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("not followed"), "{stderr}");
    assert_nothing_reached(&other_log);

    // A redirect within the origin (a renamed repository) is followed,
    // with the token.
    let inner = github_for(repo.path(), SECRET);
    let (api, log) = serve(Arc::new(move |request: &Request| {
        if let Some(rest) = request.path.strip_prefix("/repositories/1") {
            let mut moved = request.clone();
            moved.path = format!("/repos/o/r{rest}");
            inner(&moved)
        } else if request.path == "/repos/o/r/pulls/7" {
            let location = (
                "Location".to_string(),
                "/repositories/1/pulls/7".to_string(),
            );
            (301, vec![location], String::new())
        } else {
            inner(request)
        }
    }));
    let output = review_with(repo.path(), &api, &["--select", "HY011,HY021"]);
    let stderr = assert_no_token(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("Posted a review"), "{stderr}");
    assert!(log
        .lock()
        .unwrap()
        .iter()
        .any(|r| r.path == "/repositories/1/pulls/7"));
}

#[test]
fn a_redirected_post_is_an_error_never_a_success() {
    let repo = repository();
    for status in [301, 302, 303, 307, 308] {
        let inner = github_for(repo.path(), SECRET);
        let (api, log) = serve(Arc::new(move |request: &Request| {
            match (request.method.as_str(), request.path.as_str()) {
                ("POST", _) => {
                    let location = ("Location".to_string(), "/moved".to_string());
                    (status, vec![location], String::new())
                }
                // What a client that repeats the POST as a GET would read.
                ("GET", "/moved") => (200, Vec::new(), "[]".to_string()),
                _ => inner(request),
            }
        }));
        let output = review_with(repo.path(), &api, &[]);
        let stderr = assert_no_token(&output);
        assert_eq!(output.status.code(), Some(2), "{status}: {stderr}");
        assert!(!stderr.contains("Posted"), "{status}: {stderr}");
        assert!(
            stderr.contains(&format!(
                "was answered with a redirect (HTTP {status}) to `/moved`; it was not sent again there, so it did not happen"
            )),
            "{status}: {stderr}"
        );
        let requests = log.lock().unwrap();
        assert!(
            !requests.iter().any(|r| r.path == "/moved"),
            "{requests:#?}"
        );
    }
    // A success that is not a review is no proof of one.
    let inner = github_for(repo.path(), SECRET);
    let (api, _) = serve(Arc::new(move |request: &Request| {
        if request.method == "POST" {
            (200, Vec::new(), "[]".to_string())
        } else {
            inner(request)
        }
    }));
    let output = review_with(repo.path(), &api, &[]);
    let stderr = assert_no_token(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("may not have been posted"), "{stderr}");
}

#[test]
fn a_server_that_repeats_the_token_does_not_get_it_printed() {
    let repo = repository();
    let body = json!({
        "message": format!("Bad credentials: Authorization: Bearer {SECRET}"),
        "errors": [format!("token {SECRET} is revoked"), { "message": SECRET }],
    })
    .to_string();
    let (api, _) = serve(Arc::new(move |_: &Request| {
        let id = ("x-github-request-id".to_string(), SECRET.to_string());
        (401, vec![id], body.clone())
    }));
    let output = review_with(repo.path(), &api, &[]);
    let stderr = assert_no_token(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("GitHub says: Bad credentials: Authorization: Bearer ***"),
        "{stderr}"
    );
    // The head commit GitHub names is quoted in an error too.
    let (api, _) = serve(Arc::new(|_: &Request| {
        let pull = json!({ "number": 7, "head": { "sha": SECRET } });
        (200, Vec::new(), pull.to_string())
    }));
    let output = review_with(repo.path(), &api, &[]);
    let stderr = assert_no_token(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("the pull request's head is ***"),
        "{stderr}"
    );
}

/// A GitHub whose diff of the pull request is `size` bytes of one line,
/// with its length declared or not; returns the API's URL and the count of
/// bytes of the diff it managed to send.
fn github_with_a_large_diff(dir: &Path, size: u64, declared: bool) -> (String, Arc<AtomicU64>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let head = git(dir, &["rev-parse", "HEAD"]).trim().to_string();
    let sent = Arc::new(AtomicU64::new(0));
    let counted = sent.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let Some(request) = read_request(&stream) else {
                continue;
            };
            if request.headers.get("accept").map(String::as_str)
                != Some("application/vnd.github.v3.diff")
            {
                let body = json!({ "number": 7, "head": { "sha": head } }).to_string();
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                continue;
            }
            let length = if declared {
                format!("Content-Length: {size}\r\n")
            } else {
                String::new()
            };
            if write!(
                stream,
                "HTTP/1.1 200 OK\r\n{length}Connection: close\r\n\r\n"
            )
            .is_err()
            {
                continue;
            }
            let chunk = vec![b'x'; 1 << 20];
            while counted.load(Ordering::Relaxed) < size {
                if stream.write_all(&chunk).is_err() {
                    break;
                }
                counted.fetch_add(chunk.len() as u64, Ordering::Relaxed);
            }
        }
    });
    (url, sent)
}

#[test]
fn bodies_are_read_up_to_a_stated_limit() {
    let repo = repository();
    let limit = 64 << 20;
    // 600 MB declared: refused before reading.
    let (api, sent) = github_with_a_large_diff(repo.path(), 600_000_000, true);
    let output = review_with(repo.path(), &api, &[]);
    let stderr = assert_no_token(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("reading the diff of o/r#7: the answer (600000000 bytes, as declared) is larger than the 64 MiB this tool reads"),
        "{stderr}"
    );
    // What the server got out before the client hung up (socket buffers).
    assert!(sent.load(Ordering::Relaxed) < limit, "{sent:?}");
    // 600 MB sent without a length: reading stops at the limit.
    let (api, sent) = github_with_a_large_diff(repo.path(), 600_000_000, false);
    let output = review_with(repo.path(), &api, &[]);
    let stderr = assert_no_token(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("the answer (still being sent) is larger than the 64 MiB this tool reads"),
        "{stderr}"
    );
    assert!(
        sent.load(Ordering::Relaxed) < limit + (32 << 20),
        "{sent:?}"
    );
}
