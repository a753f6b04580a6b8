//! `hybridize server`: the Language Server Protocol on stdin and stdout
//! (`lsp-server` frames the messages, `lsp-types` types them). A sink like
//! the others: it shows the run's reports as diagnostics and code actions.
//! Nothing else in the tool imports it.
//!
//! The main thread answers the client; an analysis thread holds the
//! workspace's facts ([`crate::run::ProjectFacts`]: every file's summary,
//! gathered at start-up with `$/progress`, with the editor's unsaved texts
//! in place of the files) and, after every burst of changes, checks each
//! open document against them, the changed ones first: only the changed
//! file is parsed again before the facts are propagated. A report is
//! published only for the text it was computed on. A text that does not
//! parse gets its syntax error, and the facts keep its last text that did.
//! "Fix all" runs `hybridize fix`'s whole run on the unsaved texts.

mod actions;
mod analysis;
mod convert;
mod diagnostics;
mod settings;

use std::collections::{HashMap, HashSet, VecDeque};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use crossbeam_channel::{select, Receiver, Sender};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use lsp_types::{
    notification, request, CodeActionKind, CodeActionOptions, CodeActionOrCommand,
    CodeActionParams, CodeActionProviderCapability, Diagnostic, DiagnosticSeverity,
    DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    ExecuteCommandOptions, ExecuteCommandParams, InitializeParams, MessageType,
    PositionEncodingKind, ProgressParams, ProgressParamsValue, PublishDiagnosticsParams,
    ServerCapabilities, ServerInfo, ShowDocumentParams, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Uri,
    WorkDoneProgress, WorkDoneProgressBegin, WorkDoneProgressCreateParams, WorkDoneProgressEnd,
};

use self::analysis::{analysis_thread, Done, Job, OpenText};
use self::convert::{path_to_uri, uri_to_path, Encoding};
use self::settings::{ConfigProblem, Overrides};
use crate::exit_status::ExitStatus;
use crate::report::{FileReport, KeepReports};
use crate::run::{self, Mode, Overlay};
use crate::settings::Settings;

/// Serves one client on stdin/stdout until it says `exit`.
pub fn serve() -> Result<ExitStatus> {
    let (connection, io_threads) = Connection::stdio();
    let (id, params) = connection
        .initialize_start()
        .context("the client did not initialize")?;
    let params: InitializeParams =
        serde_json::from_value(params).context("malformed `initialize` parameters")?;
    let encoding = negotiated_encoding(&params);
    let capabilities = ServerCapabilities {
        position_encoding: Some(match encoding {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                ..TextDocumentSyncOptions::default()
            },
        )),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![
                CodeActionKind::QUICKFIX,
                CodeActionKind::new(actions::FIX_ALL),
            ]),
            ..CodeActionOptions::default()
        })),
        execute_command_provider: Some(ExecuteCommandOptions {
            commands: vec![actions::EXPLAIN.to_string()],
            ..ExecuteCommandOptions::default()
        }),
        ..ServerCapabilities::default()
    };
    let result = serde_json::json!({
        "capabilities": capabilities,
        "serverInfo": ServerInfo {
            name: "hybridize".to_string(),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        },
    });
    connection.initialize_finish(id, result)?;
    let mut server = Server::new(&connection, &params, encoding);
    let clean = server.main_loop(&connection.receiver)?;
    drop(server);
    drop(connection);
    // The reader stops at `exit`; the writer once the last sender is gone.
    io_threads.join()?;
    Ok(if clean {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

/// UTF-8 columns when the client offers them (no conversion), UTF-16
/// otherwise (the protocol's default).
fn negotiated_encoding(params: &InitializeParams) -> Encoding {
    let offered = params
        .capabilities
        .general
        .as_ref()
        .and_then(|general| general.position_encodings.as_ref());
    if offered.is_some_and(|kinds| kinds.contains(&PositionEncodingKind::UTF8)) {
        Encoding::Utf8
    } else {
        Encoding::Utf16
    }
}

/// An open document.
struct Document {
    uri: Uri,
    version: i32,
    text: String,
    /// The last text that parsed (what other files are checked against
    /// while this one does not parse).
    last_good: Option<String>,
}

struct Server {
    sender: Sender<Message>,
    encoding: Encoding,
    roots: Vec<PathBuf>,
    overrides: Overrides,
    settings: Settings,
    problems: Vec<ConfigProblem>,
    /// The workspace's Python files and which only give call sites.
    files: Vec<PathBuf>,
    call_sites_only: Vec<bool>,
    documents: HashMap<PathBuf, Document>,
    /// The last report of each open document, with the version it is about.
    reports: HashMap<PathBuf, (i32, FileReport)>,
    jobs: Sender<Job>,
    done: Receiver<Done>,
    /// A run is going on; another is due once it is done.
    busy: bool,
    dirty: bool,
    /// Documents changed since the last run started (checked first).
    changed: HashSet<PathBuf>,
    /// The workspace's facts are to be gathered again.
    regather: bool,
    /// Messages taken from the client while looking for cancellations.
    queue: VecDeque<Message>,
    cancelled: HashSet<RequestId>,
    shutting_down: bool,
    progress: bool,
    show_document: bool,
    next_request: i32,
}

const PROGRESS_TOKEN: &str = "hybridize/workspace";

impl Server {
    fn new(connection: &Connection, params: &InitializeParams, encoding: Encoding) -> Self {
        let mut roots: Vec<PathBuf> = params
            .workspace_folders
            .iter()
            .flatten()
            .filter_map(|folder| uri_to_path(&folder.uri))
            .collect();
        #[allow(deprecated)]
        if roots.is_empty() {
            roots.extend(params.root_uri.as_ref().and_then(uri_to_path));
        }
        let overrides = params
            .initialization_options
            .clone()
            .and_then(|options| serde_json::from_value::<Overrides>(options).ok())
            .unwrap_or_default();
        let (jobs, job_receiver) = crossbeam_channel::unbounded::<Job>();
        let (done_sender, done) = crossbeam_channel::unbounded::<Done>();
        std::thread::Builder::new()
            .name("hybridize-analysis".to_string())
            .spawn(move || analysis_thread(&job_receiver, &done_sender))
            .expect("cannot start the analysis thread");
        let window = params.capabilities.window.as_ref();
        let mut server = Server {
            sender: connection.sender.clone(),
            encoding,
            roots,
            overrides,
            settings: Settings::default(),
            problems: Vec::new(),
            files: Vec::new(),
            call_sites_only: Vec::new(),
            documents: HashMap::new(),
            reports: HashMap::new(),
            jobs,
            done,
            busy: false,
            dirty: false,
            changed: HashSet::new(),
            regather: false,
            queue: VecDeque::new(),
            cancelled: HashSet::new(),
            shutting_down: false,
            progress: window.and_then(|w| w.work_done_progress) == Some(true),
            show_document: window
                .and_then(|w| w.show_document.as_ref())
                .is_some_and(|s| s.support),
            next_request: 0,
        };
        server.load_settings();
        server.walk();
        server.start_run(true);
        server.watch_configuration(params);
        server
    }

    /// Handles messages until `exit`; whether `shutdown` came first.
    fn main_loop(&mut self, receiver: &Receiver<Message>) -> Result<bool> {
        loop {
            if self.dirty && !self.busy && self.queue.is_empty() {
                self.start_run(false);
            }
            let message = match self.queue.pop_front() {
                Some(message) => message,
                None => select! {
                    recv(receiver) -> message => match message {
                        Ok(message) => message,
                        // The client went away without `exit`.
                        Err(_) => return Ok(false),
                    },
                    recv(self.done) -> done => {
                        if let Ok(done) = done {
                            self.finish_run(done);
                        }
                        continue;
                    }
                },
            };
            match message {
                Message::Request(request) => self.on_request(request, receiver),
                Message::Notification(notification) => {
                    if notification.method == notification::Exit::METHOD {
                        return Ok(self.shutting_down);
                    }
                    self.guarded(&notification.method.clone(), |server| {
                        server.on_notification(notification)
                    });
                }
                Message::Response(_) => {}
            }
        }
    }

    /// Runs `work`; a panic is logged to the client, and the server goes
    /// on. Returns `None` after a panic.
    fn guarded<T>(&mut self, what: &str, work: impl FnOnce(&mut Self) -> T) -> Option<T> {
        match catch_unwind(AssertUnwindSafe(|| work(self))) {
            Ok(value) => Some(value),
            Err(panic) => {
                self.log(
                    MessageType::ERROR,
                    format!(
                        "internal error while handling `{what}`: {}. Please report this.",
                        panic_message(&*panic)
                    ),
                );
                None
            }
        }
    }

    /// Takes every message the client has sent so far, noting
    /// cancellations.
    fn drain(&mut self, receiver: &Receiver<Message>) {
        while let Ok(message) = receiver.try_recv() {
            match &message {
                Message::Notification(n) if n.method == notification::Cancel::METHOD => {
                    if let Ok(params) =
                        serde_json::from_value::<lsp_types::CancelParams>(n.params.clone())
                    {
                        self.cancelled.insert(match params.id {
                            lsp_types::NumberOrString::Number(n) => RequestId::from(n),
                            lsp_types::NumberOrString::String(s) => RequestId::from(s),
                        });
                    }
                }
                _ => self.queue.push_back(message),
            }
        }
    }

    fn on_request(&mut self, request: Request, receiver: &Receiver<Message>) {
        let id = request.id.clone();
        if self.shutting_down {
            self.respond(Response::new_err(
                id,
                ErrorCode::InvalidRequest as i32,
                "the server is shutting down".to_string(),
            ));
            return;
        }
        if request.method == request::Shutdown::METHOD {
            self.shutting_down = true;
            self.respond(Response::new_ok(id, ()));
            return;
        }
        self.drain(receiver);
        if self.cancelled.remove(&id) {
            self.respond(cancelled(id));
            return;
        }
        let method = request.method.clone();
        let response = self
            .guarded(&method, |server| server.answer(request))
            .unwrap_or_else(|| {
                Response::new_err(
                    id.clone(),
                    ErrorCode::InternalError as i32,
                    format!("internal error while handling `{method}` (see the log)"),
                )
            });
        // Cancelled while it was worked on: the answer is stale.
        self.drain(receiver);
        if self.cancelled.remove(&id) {
            self.respond(cancelled(id));
        } else {
            self.respond(response);
        }
    }

    fn answer(&mut self, request: Request) -> Response {
        let id = request.id.clone();
        // For the tests of robustness: a request that panics (not an
        // interface).
        if std::env::var_os("HYBRIDIZE_SERVER_PANIC").is_some_and(|m| m == *request.method) {
            panic!("`HYBRIDIZE_SERVER_PANIC` asked for a panic");
        }
        match request.method.as_str() {
            request::CodeActionRequest::METHOD => {
                match serde_json::from_value::<CodeActionParams>(request.params) {
                    Ok(params) => Response::new_ok(id, self.code_actions(params)),
                    Err(error) => invalid_params(id, &error),
                }
            }
            request::ExecuteCommand::METHOD => {
                match serde_json::from_value::<ExecuteCommandParams>(request.params) {
                    Ok(params) => {
                        self.execute(params);
                        Response::new_ok(id, serde_json::Value::Null)
                    }
                    Err(error) => invalid_params(id, &error),
                }
            }
            _ => Response::new_err(
                id,
                ErrorCode::MethodNotFound as i32,
                format!("`{}` is not supported", request.method),
            ),
        }
    }

    fn on_notification(&mut self, notification: Notification) {
        let params = notification.params;
        match notification.method.as_str() {
            notification::DidOpenTextDocument::METHOD => {
                let Ok(params) = serde_json::from_value::<DidOpenTextDocumentParams>(params) else {
                    return;
                };
                let document = params.text_document;
                let Some(path) = uri_to_path(&document.uri) else {
                    return;
                };
                if !self.files.contains(&path) && is_python(&path) {
                    self.files.push(path.clone());
                    self.call_sites_only.push(false);
                }
                self.changed.insert(path.clone());
                self.documents.insert(
                    path,
                    Document {
                        uri: document.uri,
                        version: document.version,
                        text: document.text,
                        last_good: None,
                    },
                );
                self.dirty = true;
            }
            notification::DidChangeTextDocument::METHOD => {
                let Ok(params) = serde_json::from_value::<DidChangeTextDocumentParams>(params)
                else {
                    return;
                };
                let Some(path) = uri_to_path(&params.text_document.uri) else {
                    return;
                };
                let Some(document) = self.documents.get_mut(&path) else {
                    return;
                };
                // Full synchronisation: the last change is the whole text.
                if let Some(change) = params.content_changes.into_iter().last() {
                    document.text = change.text;
                    document.version = params.text_document.version;
                    self.changed.insert(path);
                    self.dirty = true;
                }
            }
            notification::DidSaveTextDocument::METHOD => {
                // What other files see on disk has changed.
                self.dirty = true;
            }
            notification::DidChangeWatchedFiles::METHOD => {
                let Ok(params) =
                    serde_json::from_value::<lsp_types::DidChangeWatchedFilesParams>(params)
                else {
                    return;
                };
                let configuration = params.changes.iter().any(|change| {
                    uri_to_path(&change.uri).is_some_and(|p| p.ends_with("pyproject.toml"))
                });
                if configuration {
                    // The settings, the files they select, and every fact.
                    self.load_settings();
                    self.walk();
                    self.regather = true;
                    self.dirty = true;
                }
            }
            notification::DidCloseTextDocument::METHOD => {
                let Ok(params) = serde_json::from_value::<DidCloseTextDocumentParams>(params)
                else {
                    return;
                };
                if let Some(path) = uri_to_path(&params.text_document.uri) {
                    if let Some(document) = self.documents.remove(&path) {
                        self.reports.remove(&path);
                        self.publish(document.uri, None, Vec::new());
                    }
                    // What other files see is the file on disk again.
                    self.regather = true;
                    self.dirty = true;
                }
            }
            _ => {}
        }
    }

    /// Settings from the configuration and the overrides; a problem with
    /// either is shown on its file.
    fn load_settings(&mut self) {
        let root = self
            .roots
            .first()
            .cloned()
            .unwrap_or_else(|| PathBuf::from("."));
        let (settings, problems) = settings::load(&root, &self.overrides);
        self.settings = settings;
        // A problem fixed since is no longer shown.
        for old in &self.problems {
            if !problems.iter().any(|p| p.path == old.path) {
                self.publish(path_to_uri(&old.path), None, Vec::new());
            }
        }
        for problem in &problems {
            self.log(
                MessageType::WARNING,
                format!(
                    "{}; the default settings are used",
                    problem.message.lines().next().unwrap_or_default()
                ),
            );
            let line = problem.line;
            self.publish(
                path_to_uri(&problem.path),
                None,
                vec![Diagnostic {
                    range: lsp_types::Range::new(
                        lsp_types::Position::new(line, 0),
                        lsp_types::Position::new(line + 1, 0),
                    ),
                    severity: Some(DiagnosticSeverity::ERROR),
                    source: Some(diagnostics::SOURCE.to_string()),
                    message: format!("{}\nThe default settings are used.", problem.message),
                    ..Diagnostic::default()
                }],
            );
        }
        self.problems = problems;
    }

    /// Asks the client to say when a `pyproject.toml` changes (when it can
    /// watch files for the server).
    fn watch_configuration(&mut self, params: &InitializeParams) {
        let can = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|w| w.dynamic_registration)
            == Some(true);
        if !can {
            return;
        }
        let options = lsp_types::DidChangeWatchedFilesRegistrationOptions {
            watchers: vec![lsp_types::FileSystemWatcher {
                glob_pattern: lsp_types::GlobPattern::String("**/pyproject.toml".to_string()),
                kind: None,
            }],
        };
        self.next_request += 1;
        let register = Request::new(
            RequestId::from(format!("hybridize/{}", self.next_request)),
            request::RegisterCapability::METHOD.to_string(),
            lsp_types::RegistrationParams {
                registrations: vec![lsp_types::Registration {
                    id: "hybridize/pyproject".to_string(),
                    method: notification::DidChangeWatchedFiles::METHOD.to_string(),
                    register_options: serde_json::to_value(options).ok(),
                }],
            },
        );
        let _ = self.sender.send(register.into());
    }

    /// The workspace's Python files, as `check` would walk them.
    fn walk(&mut self) {
        let tests: &[String] = if self.settings.include_tests {
            &[]
        } else {
            &self.settings.test_files
        };
        match crate::walk::python_files_and_tests(&self.roots, &self.settings.exclude, tests) {
            Ok(walked) => {
                self.files = walked.files;
                self.call_sites_only = walked.tests;
            }
            Err(error) => self.log(
                MessageType::WARNING,
                format!("cannot list the workspace's files: {error}"),
            ),
        }
    }

    /// Starts a run over the workspace with the open documents' texts.
    fn start_run(&mut self, startup: bool) {
        self.dirty = false;
        self.busy = true;
        let mut open: Vec<OpenText> = self
            .documents
            .iter()
            .map(|(path, d)| OpenText {
                path: path.clone(),
                version: d.version,
                text: d.text.clone(),
                last_good: d.last_good.clone(),
            })
            .collect();
        open.sort_by_key(|o| !self.changed.contains(&o.path));
        self.changed.clear();
        let gather = startup || std::mem::take(&mut self.regather);
        if startup && self.progress {
            self.next_request += 1;
            let create = Request::new(
                RequestId::from(format!("hybridize/{}", self.next_request)),
                request::WorkDoneProgressCreate::METHOD.to_string(),
                WorkDoneProgressCreateParams {
                    token: lsp_types::NumberOrString::String(PROGRESS_TOKEN.to_string()),
                },
            );
            let _ = self.sender.send(create.into());
            self.send_progress(WorkDoneProgress::Begin(WorkDoneProgressBegin {
                title: "hybridize".to_string(),
                message: Some(format!("checking {} Python files", self.files.len())),
                ..WorkDoneProgressBegin::default()
            }));
        }
        let _ = self.jobs.send(Job {
            paths: self.files.clone(),
            call_sites_only: self.call_sites_only.clone(),
            settings: self.settings.clone(),
            open,
            gather,
            startup,
        });
    }

    fn finish_run(&mut self, done: Done) {
        if done.last {
            self.busy = false;
        }
        if done.last && done.startup && self.progress {
            self.send_progress(WorkDoneProgress::End(WorkDoneProgressEnd {
                message: Some("done".to_string()),
            }));
        }
        let reports = match done.outcome {
            Ok(reports) => reports,
            Err(panic) => {
                self.log(
                    MessageType::ERROR,
                    format!(
                        "internal error while checking the workspace: {panic}. Please report this."
                    ),
                );
                return;
            }
        };
        for (path, version, report) in reports {
            let Some(document) = self.documents.get_mut(&path) else {
                continue;
            };
            // Computed on a text that has changed since: a run is due.
            if document.version != version {
                continue;
            }
            if report.error.is_none() {
                document.last_good = Some(document.text.clone());
            }
            let uri = document.uri.clone();
            let root = self.roots.first().map(PathBuf::as_path);
            let shown = diagnostics::of_report(&report, &document.text, self.encoding, root);
            self.reports.insert(path.clone(), (version, report));
            // Published for every version, changed or not: the client
            // knows the diagnostics are about the text it has.
            self.publish(uri, Some(version), shown);
        }
    }

    fn code_actions(&mut self, params: CodeActionParams) -> Vec<CodeActionOrCommand> {
        let uri = params.text_document.uri;
        let Some(path) = uri_to_path(&uri) else {
            return Vec::new();
        };
        let Some(document) = self.documents.get(&path) else {
            return Vec::new();
        };
        let only = params.context.only.as_deref();
        let mut found = Vec::new();
        if actions::wanted(only, CodeActionKind::QUICKFIX.as_str()) {
            let text = document.text.clone();
            let version = document.version;
            if self.reports.get(&path).is_none_or(|(v, _)| *v != version) {
                // Asked before the run on this text is done: check now.
                let report = self.run_now(&path, Mode::Check);
                self.reports.insert(path.clone(), (version, report));
            }
            let report = &self.reports[&path].1;
            let root = self.roots.first().map(PathBuf::as_path);
            let shown = diagnostics::of_report(report, &text, self.encoding, root);
            found.extend(actions::quick_fixes(
                report,
                &text,
                &uri,
                params.range,
                self.encoding,
                &shown,
            ));
        }
        // The whole fixing run is made only when asked for by kind, or
        // when the file has a fix to apply (editors ask for every kind
        // whenever the cursor moves).
        let may_fix = only.is_some()
            || self
                .reports
                .get(&path)
                .is_none_or(|(_, r)| r.diagnostics.iter().any(|d| d.fix_applies(&self.settings)));
        if actions::wanted(only, actions::FIX_ALL) && may_fix {
            let report = self.run_now(&path, Mode::Fix);
            let text = &self.documents[&path].text;
            if let Some(fixed) = report.fixed.filter(|fixed| fixed != text) {
                found.push(CodeActionOrCommand::CodeAction(actions::fix_all(
                    text,
                    &fixed,
                    &uri,
                    self.encoding,
                )));
            }
        }
        found
    }

    /// The report on `path` from a run now, on the open documents' texts,
    /// in `mode` (in fix mode, its `fixed` is what `hybridize fix` writes).
    fn run_now(&self, path: &Path, mode: Mode) -> FileReport {
        let texts: Overlay = self
            .documents
            .iter()
            .map(|(p, d)| (p.clone(), d.text.clone()))
            .collect();
        let (paths, tests) = if self.files.iter().any(|f| f == path) {
            (self.files.clone(), self.call_sites_only.clone())
        } else {
            (vec![path.to_path_buf()], vec![false])
        };
        let hidden = indicatif::ProgressBar::hidden();
        run::run_with_texts(
            &paths,
            &tests,
            &texts,
            &self.settings,
            mode,
            &hidden,
            &KeepReports,
        )
        .into_iter()
        .find(|report| report.path == path)
        .unwrap_or_default()
    }

    fn execute(&mut self, params: ExecuteCommandParams) {
        if params.command != actions::EXPLAIN {
            return;
        }
        let Some(code) = params.arguments.first().and_then(|a| a.as_str()) else {
            return;
        };
        let Some(path) = diagnostics::doc_path(code) else {
            self.log(
                MessageType::WARNING,
                format!("no documentation for `{code}`"),
            );
            return;
        };
        if self.show_document {
            self.next_request += 1;
            let show = Request::new(
                RequestId::from(format!("hybridize/{}", self.next_request)),
                request::ShowDocument::METHOD.to_string(),
                ShowDocumentParams {
                    uri: path_to_uri(&path),
                    external: Some(false),
                    take_focus: Some(true),
                    selection: None,
                },
            );
            let _ = self.sender.send(show.into());
        } else {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            self.notify(
                notification::ShowMessage::METHOD,
                lsp_types::ShowMessageParams {
                    typ: MessageType::INFO,
                    message: text,
                },
            );
        }
    }

    fn publish(&self, uri: Uri, version: Option<i32>, diagnostics: Vec<Diagnostic>) {
        self.notify(
            notification::PublishDiagnostics::METHOD,
            PublishDiagnosticsParams {
                uri,
                diagnostics,
                version,
            },
        );
    }

    fn send_progress(&self, value: WorkDoneProgress) {
        self.notify(
            notification::Progress::METHOD,
            ProgressParams {
                token: lsp_types::NumberOrString::String(PROGRESS_TOKEN.to_string()),
                value: ProgressParamsValue::WorkDone(value),
            },
        );
    }

    fn log(&self, typ: MessageType, message: String) {
        self.notify(
            notification::LogMessage::METHOD,
            lsp_types::LogMessageParams { typ, message },
        );
    }

    fn notify(&self, method: &str, params: impl serde::Serialize) {
        let _ = self
            .sender
            .send(Notification::new(method.to_string(), params).into());
    }

    fn respond(&self, response: Response) {
        let _ = self.sender.send(response.into());
    }
}

pub(super) fn is_python(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "py")
}

fn cancelled(id: RequestId) -> Response {
    Response::new_err(
        id,
        ErrorCode::RequestCanceled as i32,
        "cancelled".to_string(),
    )
}

fn invalid_params(id: RequestId, error: &serde_json::Error) -> Response {
    Response::new_err(id, ErrorCode::InvalidParams as i32, error.to_string())
}

pub(super) fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".to_string())
}
