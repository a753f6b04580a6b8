//! `hybridize server` driven over stdio as an editor drives it: the
//! protocol's framing, diagnostics on open and change, quick fixes and
//! "fix all" that give what `hybridize fix --write` writes, syntax errors,
//! cancellation, a panic in a request, a malformed configuration, shutdown.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const TIMEOUT: Duration = Duration::from_secs(60);

/// A server process and the messages it sends.
struct Server {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    /// Messages read while waiting for others.
    seen: Vec<Value>,
    next_id: i64,
}

impl Server {
    fn start(workspace: &Path, options: Value, envs: &[(&str, &str)]) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_hybridize"));
        command
            .arg("server")
            .current_dir(workspace)
            .env("XDG_CACHE_HOME", workspace.join(".cache"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        for (key, value) in envs {
            command.env(key, value);
            // The panic asked for is not news on the test's output.
            if *key == "HYBRIDIZE_SERVER_PANIC" {
                command.stderr(Stdio::null());
            }
        }
        let mut child = command.spawn().expect("cannot start `hybridize server`");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (sender, messages) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(value) = line.strip_prefix("Content-Length: ") {
                        length = value.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; length.expect("a Content-Length header")];
                reader.read_exact(&mut body).unwrap();
                let message: Value = serde_json::from_slice(&body).unwrap();
                if sender.send(message).is_err() {
                    return;
                }
            }
        });
        let mut server = Server {
            child,
            stdin,
            messages,
            seen: Vec::new(),
            next_id: 0,
        };
        let root = uri(workspace);
        let id = server.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": root,
                "workspaceFolders": [{"uri": root, "name": "workspace"}],
                "capabilities": {
                    "window": {"workDoneProgress": true},
                    "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}},
                },
                "initializationOptions": options,
            }),
        );
        let response = server.response(id);
        assert_eq!(
            response["result"]["capabilities"]["codeActionProvider"]["codeActionKinds"],
            json!(["quickfix", "source.fixAll.hybridize"])
        );
        server.notify("initialized", json!({}));
        server
    }

    fn send(&mut self, message: Value) {
        let body = serde_json::to_string(&message).unwrap();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn request(&mut self, method: &str, params: Value) -> i64 {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// The first message (seen before or to come) that `wanted` accepts.
    fn wait_for(&mut self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.seen.iter().position(&wanted) {
            return self.seen.remove(i);
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.messages.recv_timeout(left) {
                Ok(message) if wanted(&message) => return message,
                Ok(message) => self.seen.push(message),
                Err(RecvTimeoutError::Timeout) => {
                    panic!("no {what} within {TIMEOUT:?}; seen: {:#?}", self.seen)
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!(
                        "the server ended while waiting for {what}; seen: {:#?}",
                        self.seen
                    )
                }
            }
        }
    }

    fn response(&mut self, id: i64) -> Value {
        self.wait_for(&format!("response {id}"), |m| {
            m["id"] == json!(id) && m.get("method").is_none()
        })
    }

    /// The next diagnostics published for `uri` that `wanted` accepts.
    fn diagnostics(&mut self, uri: &str, wanted: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let message = self.wait_for(&format!("diagnostics for {uri}"), |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && wanted(m["params"]["diagnostics"].as_array().unwrap())
        });
        message["params"]["diagnostics"].as_array().unwrap().clone()
    }

    fn shut_down(mut self) {
        let id = self.request("shutdown", Value::Null);
        let response = self.response(id);
        assert_eq!(response["result"], Value::Null, "{response}");
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "exit after shutdown: {status}");
                return;
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

fn codes(diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("syntax").to_string())
        .collect()
}

/// The text after `edits` (protocol text edits, all against `text`;
/// columns in UTF-16 units).
fn apply(text: &str, edits: &[Value]) -> String {
    let offset = |position: &Value| -> usize {
        let line = position["line"].as_u64().unwrap() as usize;
        let character = position["character"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let mut units = 0;
        for (i, c) in text[start..].char_indices() {
            if units >= character || c == '\n' {
                return start + i;
            }
            units += c.len_utf16();
        }
        text.len()
    };
    let mut edits: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap(),
            )
        })
        .collect();
    edits.sort_by_key(|&(start, end, _)| (start, end));
    let mut out = String::new();
    let mut at = 0;
    for (start, end, new) in edits {
        assert!(start >= at, "overlapping edits");
        out.push_str(&text[at..start]);
        out.push_str(new);
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

/// The edits a code action makes to `uri`.
fn edits_of(action: &Value, uri: &str) -> Vec<Value> {
    action["edit"]["changes"][uri].as_array().unwrap().clone()
}

const UTIL: &str = "history = []\n\n\ndef log(value):\n    history.append(value)\n";

const TRAIN: &str = "\
import tensorflow as tf

from util import log


def train_step(x):
    return tf.reduce_sum(x * 2.0)


def noisy_step(x):
    log(x)
    return tf.reduce_sum(tf.nn.relu(x) * x)


for _ in range(10):
    train_step(tf.ones([3]))
    noisy_step(tf.ones([3]))
";

/// A workspace with `train.py` (which calls `log` of `util.py`).
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("util.py"), UTIL).unwrap();
    std::fs::write(dir.path().join("train.py"), TRAIN).unwrap();
    dir
}

/// What `hybridize fix --write` makes of `train.py` in a copy of the
/// workspace.
fn fix_write(extra: &[&str]) -> String {
    let copy = workspace();
    let status = Command::new(env!("CARGO_BIN_EXE_hybridize"))
        .args(["fix", "--write", "."])
        .args(extra)
        .current_dir(copy.path())
        .output()
        .unwrap()
        .status;
    assert!(status.code().is_some_and(|c| c <= 1), "{status}");
    std::fs::read_to_string(copy.path().join("train.py")).unwrap()
}

#[test]
fn diagnostics_and_fixes_as_an_editor_sees_them() {
    let dir = workspace();
    let path = dir.path().join("train.py");
    let train = uri(&path);
    let mut server = Server::start(dir.path(), json!({}), &[]);
    // The start-up run over the workspace reports its progress.
    server.wait_for("progress begin", |m| {
        m["method"] == "$/progress" && m["params"]["value"]["kind"] == "begin"
    });
    server.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": train, "languageId": "python", "version": 1, "text": TRAIN}}),
    );
    let shown = server.diagnostics(&train, |d| !d.is_empty());
    assert_eq!(codes(&shown), ["HY001", "HY101"], "{shown:#?}");
    let hy001 = &shown[0];
    assert_eq!(hy001["severity"], 2, "a candidate is a warning");
    assert_eq!(hy001["range"]["start"], json!({"line": 5, "character": 4}));
    assert_eq!(hy001["source"], "hybridize");
    // The documentation is what `hybridize explain` prints.
    let href = hy001["codeDescription"]["href"].as_str().unwrap();
    let doc = std::fs::read_to_string(href.strip_prefix("file://").unwrap()).unwrap();
    assert!(doc.starts_with("# HY001 add-tf-function"), "{doc}");
    // The refusal is information, and names its culprit in the other
    // module: the cross-file facts of the project run.
    let refusal = &shown[1];
    assert_eq!(refusal["severity"], 3, "a refusal is information");
    let related = refusal["relatedInformation"].as_array().unwrap();
    let util = uri(&dir.path().join("util.py"));
    assert!(
        related
            .iter()
            .any(|r| r["location"]["uri"] == util && r["location"]["range"]["start"]["line"] == 4),
        "{refusal:#}"
    );

    // The quick fix of HY001 is preferred, and gives `fix --write`'s text.
    let id = server.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": train},
            "range": hy001["range"],
            "context": {"diagnostics": [hy001]},
        }),
    );
    let actions = server.response(id)["result"].as_array().unwrap().clone();
    let titles: Vec<&str> = actions
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "Decorate with `@tf.function` (HY001)",
            "Explain HY001",
            "Apply every safe hybridize fix"
        ],
        "{actions:#?}"
    );
    assert_eq!(actions[0]["isPreferred"], true);
    assert_eq!(actions[0]["kind"], "quickfix");
    let fixed = apply(TRAIN, &edits_of(&actions[0], &train));
    let expected = fix_write(&[]);
    assert_ne!(expected, TRAIN);
    assert_eq!(fixed, expected);
    assert_eq!(actions[1]["command"]["command"], "hybridize.explain");
    assert_eq!(actions[1]["command"]["arguments"], json!(["HY001"]));
    // "Explain": this client cannot open documents, so it is shown as a
    // message.
    let id = server.request(
        "workspace/executeCommand",
        json!({"command": "hybridize.explain", "arguments": ["HY001"]}),
    );
    assert_eq!(server.response(id)["result"], Value::Null);
    let shown_doc = server.wait_for("the explanation", |m| m["method"] == "window/showMessage");
    assert_eq!(shown_doc["params"]["message"].as_str(), Some(doc.as_str()));

    // "Fix all" gives the same text.
    let id = server.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": train},
            "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
            "context": {"diagnostics": [], "only": ["source.fixAll.hybridize"]},
        }),
    );
    let actions = server.response(id)["result"].as_array().unwrap().clone();
    assert_eq!(actions.len(), 1, "{actions:#?}");
    assert_eq!(actions[0]["kind"], "source.fixAll.hybridize");
    assert_eq!(apply(TRAIN, &edits_of(&actions[0], &train)), expected);

    // The editor applies the fix: HY001 goes away, the refusal stays.
    server.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": train, "version": 2}, "contentChanges": [{"text": fixed}]}),
    );
    let shown = server.diagnostics(&train, |d| codes(d) != ["HY001", "HY101"]);
    assert_eq!(codes(&shown), ["HY101"], "{shown:#?}");

    // A text that does not parse: a syntax error, and nothing else.
    let broken = fixed.replace("def noisy_step(x):", "def noisy_step(x:");
    server.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": train, "version": 3}, "contentChanges": [{"text": broken}]}),
    );
    let shown = server.diagnostics(&train, |d| codes(d) != ["HY101"]);
    assert_eq!(codes(&shown), ["syntax"], "{shown:#?}");
    assert_eq!(shown[0]["severity"], 1);
    assert!(shown[0]["message"]
        .as_str()
        .unwrap()
        .starts_with("SyntaxError: "));

    // Back to the original text: the findings come back.
    server.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": train, "version": 4}, "contentChanges": [{"text": TRAIN}]}),
    );
    let shown = server.diagnostics(&train, |d| codes(d) != ["syntax"]);
    assert_eq!(codes(&shown), ["HY001", "HY101"], "{shown:#?}");

    // A request cancelled before its answer is sent is answered as
    // cancelled.
    server.next_id += 1;
    let id = server.next_id;
    let request = json!({"jsonrpc": "2.0", "id": id, "method": "textDocument/codeAction", "params": {
        "textDocument": {"uri": train},
        "range": {"start": {"line": 0, "character": 0}, "end": {"line": 20, "character": 0}},
        "context": {"diagnostics": []},
    }});
    let cancel = json!({"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": id}});
    // In one write: both are there before the server answers.
    let mut bytes = Vec::new();
    for message in [request, cancel] {
        let body = serde_json::to_string(&message).unwrap();
        write!(bytes, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
    }
    server.stdin.write_all(&bytes).unwrap();
    server.stdin.flush().unwrap();
    let response = server.response(id);
    assert_eq!(response["error"]["code"], -32800, "{response}");

    server.shut_down();
}

#[test]
fn unsafe_fixes_are_labelled_and_fix_all_takes_them_only_when_configured() {
    let dir = tempfile::tempdir().unwrap();
    let text =
        "import tensorflow as tf\n\n\n@tf.function\ndef step(x):\n    print(x)\n    return x * 2\n";
    std::fs::write(dir.path().join("step.py"), text).unwrap();
    let path = dir.path().join("step.py");
    let step = uri(&path);
    for unsafe_fixes in [false, true] {
        let mut server = Server::start(dir.path(), json!({"unsafe-fixes": unsafe_fixes}), &[]);
        server.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": step, "languageId": "python", "version": 1, "text": text}}),
        );
        let shown = server.diagnostics(&step, |d| !d.is_empty());
        let print = shown
            .iter()
            .find(|d| d["code"] == "HY011")
            .unwrap_or_else(|| panic!("{shown:#?}"));
        let id = server.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": step}, "range": print["range"], "context": {"diagnostics": [print]}}),
        );
        let actions = server.response(id)["result"].as_array().unwrap().clone();
        let fix = &actions[0];
        assert!(
            fix["title"].as_str().unwrap().ends_with("(HY011) (unsafe)"),
            "{actions:#?}"
        );
        assert_eq!(fix["isPreferred"], false);
        let id = server.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": step}, "range": print["range"],
                   "context": {"diagnostics": [], "only": ["source.fixAll"]}}),
        );
        let actions = server.response(id)["result"].as_array().unwrap().clone();
        let all: Vec<String> = actions
            .iter()
            .map(|a| apply(text, &edits_of(a, &step)))
            .collect();
        let copy = tempfile::tempdir().unwrap();
        std::fs::write(copy.path().join("step.py"), text).unwrap();
        let mut fix = Command::new(env!("CARGO_BIN_EXE_hybridize"));
        fix.args(["fix", "--write", "step.py"])
            .current_dir(copy.path());
        if unsafe_fixes {
            fix.arg("--unsafe-fixes");
        }
        fix.output().unwrap();
        let expected = std::fs::read_to_string(copy.path().join("step.py")).unwrap();
        if expected == text {
            assert!(all.is_empty(), "{actions:#?}");
        } else {
            assert_eq!(all, [expected]);
        }
        assert_eq!(
            unsafe_fixes,
            !all.is_empty(),
            "unsafe-fixes = {unsafe_fixes}"
        );
        server.shut_down();
    }
}

#[test]
fn a_malformed_configuration_is_shown_and_the_defaults_are_used() {
    let dir = workspace();
    let pyproject = dir.path().join("pyproject.toml");
    std::fs::write(
        &pyproject,
        "[tool.hybridize]\nselect = [\"HY001\"\nignore = 1\n",
    )
    .unwrap();
    let mut server = Server::start(dir.path(), json!({}), &[]);
    let shown = server.diagnostics(&uri(&pyproject), |d| !d.is_empty());
    assert_eq!(shown[0]["severity"], 1);
    assert_eq!(shown[0]["range"]["start"]["line"], 2, "{shown:#?}");
    assert!(
        shown[0]["message"]
            .as_str()
            .unwrap()
            .contains("The default settings are used."),
        "{shown:#?}"
    );
    // The server goes on, with the default selection.
    let train = uri(&dir.path().join("train.py"));
    server.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": train, "languageId": "python", "version": 1, "text": TRAIN}}),
    );
    let shown = server.diagnostics(&train, |d| !d.is_empty());
    assert_eq!(codes(&shown), ["HY001", "HY101"]);
    // The server asked to hear of changes to the configuration; once it
    // is repaired, its diagnostic goes and its selection applies.
    let register = server.wait_for("client/registerCapability", |m| {
        m["method"] == "client/registerCapability"
    });
    assert_eq!(
        register["params"]["registrations"][0]["registerOptions"]["watchers"][0]["globPattern"],
        "**/pyproject.toml"
    );
    std::fs::write(&pyproject, "[tool.hybridize]\nselect = [\"HY1\"]\n").unwrap();
    server.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&pyproject), "type": 2}]}),
    );
    server.diagnostics(&uri(&pyproject), <[Value]>::is_empty);
    let shown = server.diagnostics(&train, |d| codes(d) == ["HY101"]);
    assert_eq!(shown.len(), 1);
    server.shut_down();
}

#[test]
fn a_panic_in_a_request_is_logged_and_the_server_goes_on() {
    let dir = workspace();
    let train = uri(&dir.path().join("train.py"));
    let mut server = Server::start(
        dir.path(),
        json!({}),
        &[("HYBRIDIZE_SERVER_PANIC", "textDocument/codeAction")],
    );
    server.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": train, "languageId": "python", "version": 1, "text": TRAIN}}),
    );
    let shown = server.diagnostics(&train, |d| !d.is_empty());
    let id = server.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": train}, "range": shown[0]["range"], "context": {"diagnostics": []}}),
    );
    let response = server.response(id);
    assert_eq!(response["error"]["code"], -32603, "{response}");
    let log = server.wait_for("a log message", |m| m["method"] == "window/logMessage");
    assert_eq!(log["params"]["type"], 1);
    assert!(
        log["params"]["message"]
            .as_str()
            .unwrap()
            .contains("internal error while handling `textDocument/codeAction`"),
        "{log}"
    );
    // Still serving: a change is checked, and shutdown is honoured.
    server.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": train, "version": 2}, "contentChanges": [{"text": "import tensorflow as tf\n"}]}),
    );
    server.diagnostics(&train, <[Value]>::is_empty);
    server.shut_down();
}

#[test]
fn a_change_in_one_module_shows_in_its_callers() {
    let dir = workspace();
    let (train, util) = (
        uri(&dir.path().join("train.py")),
        uri(&dir.path().join("util.py")),
    );
    let mut server = Server::start(dir.path(), json!({}), &[]);
    server.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": train, "languageId": "python", "version": 1, "text": TRAIN}}),
    );
    let shown = server.diagnostics(&train, |d| !d.is_empty());
    assert_eq!(codes(&shown), ["HY001", "HY101"]);
    server.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": util, "languageId": "python", "version": 1, "text": UTIL}}),
    );
    // Unsaved: `log` no longer mutates `history`, so `noisy_step` becomes
    // a candidate too.
    let pure = UTIL.replace("history.append(value)", "return value");
    server.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": util, "version": 2}, "contentChanges": [{"text": pure}]}),
    );
    let shown = server.diagnostics(&train, |d| codes(d) == ["HY001", "HY001"]);
    assert_eq!(shown[1]["range"]["start"]["line"], 9, "{shown:#?}");
    // Saved or not, the file on disk is as it was.
    assert_eq!(
        std::fs::read_to_string(dir.path().join("util.py")).unwrap(),
        UTIL
    );
    server.shut_down();
}

#[test]
fn a_panic_while_checking_is_logged_and_the_next_change_is_checked() {
    let dir = workspace();
    let train = uri(&dir.path().join("train.py"));
    let mut server = Server::start(
        dir.path(),
        json!({}),
        &[("HYBRIDIZE_SERVER_PANIC", "analysis")],
    );
    server.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": train, "languageId": "python", "version": 1,
                                "text": format!("{TRAIN}# panic here\n")}}),
    );
    let log = server.wait_for("a log message", |m| m["method"] == "window/logMessage");
    assert_eq!(log["params"]["type"], 1);
    assert!(
        log["params"]["message"]
            .as_str()
            .unwrap()
            .contains("internal error while checking the workspace"),
        "{log}"
    );
    server.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": train, "version": 2}, "contentChanges": [{"text": TRAIN}]}),
    );
    let shown = server.diagnostics(&train, |d| !d.is_empty());
    assert_eq!(codes(&shown), ["HY001", "HY101"]);
    server.shut_down();
}
