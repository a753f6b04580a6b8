//! `hybridize trace -- CMD`: runs the user's command with the tracer
//! injected as `sitecustomize` (a directory of its own first on
//! `PYTHONPATH`; the program is not edited, and a `sitecustomize` of the
//! project's still runs), then writes the profile its Python processes
//! observed.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{anyhow, Context, Result};

use super::profile::{Entry, ProfileData, FORMAT, VERSION};

/// The tracer, as `sitecustomize.py`.
const TRACER: &str = include_str!("tracer.py");

/// What one traced run gave: the command's exit status and the profile.
pub struct Traced {
    /// The command's exit status (128 + N when signal N ended it).
    pub status: i32,
    pub profile: ProfileData,
}

/// Why a traced run did not happen.
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    #[error("`{0}` not found: no such command (is it installed, and on PATH?)")]
    NotFound(String),
    #[error("cannot run `{0}`: {1}")]
    Spawn(String, std::io::Error),
}

/// Runs `command` in `dir` under the tracer, with the project's root at
/// `dir`; extra environment in `env`.
pub fn trace(command: &[String], dir: &Path, env: &[(&str, OsString)]) -> Result<Traced> {
    let (program, args) = command
        .split_first()
        .ok_or_else(|| anyhow!("no command to trace: give one after `--`"))?;
    let scratch = tempfile::Builder::new()
        .prefix("hybridize-trace-")
        .tempdir()
        .context("cannot create a temporary directory for the tracer")?;
    let site = scratch.path().join("site");
    std::fs::create_dir(&site)?;
    std::fs::write(site.join("sitecustomize.py"), TRACER)?;
    let parts = scratch.path().join("observations.json");
    let root = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let mut python_path = OsString::from(site.as_os_str());
    if let Some(existing) = std::env::var_os("PYTHONPATH").filter(|p| !p.is_empty()) {
        python_path.push(":");
        python_path.push(existing);
    }
    let mut child = Command::new(program);
    child
        .args(args)
        .current_dir(dir)
        .env("PYTHONPATH", python_path)
        .env("HYBRIDIZE_TRACE_PATH", &parts)
        .env("HYBRIDIZE_TRACE_ROOT", &root);
    for (name, value) in env {
        child.env(name, value);
    }
    let status = {
        let _interrupts = ForwardedInterrupts::install();
        let mut running = child.spawn().map_err(|error| {
            if error.kind() == std::io::ErrorKind::NotFound {
                anyhow::Error::new(TraceError::NotFound(program.clone()))
            } else {
                anyhow::Error::new(TraceError::Spawn(program.clone(), error))
            }
        })?;
        running
            .wait()
            .with_context(|| format!("waiting for `{program}`"))?
    };
    let status = exit_code(status);
    let observed: Observed = match std::fs::read_to_string(&parts) {
        Ok(text) => serde_json::from_str(&text)
            .with_context(|| "the tracer wrote observations that cannot be read")?,
        Err(_) => Observed::default(),
    };
    let mut functions = observed.functions;
    functions.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    Ok(Traced {
        status,
        profile: ProfileData {
            format: FORMAT.to_string(),
            version: VERSION,
            root,
            command: command.to_vec(),
            exit_status: status,
            processes: observed.processes,
            functions,
        },
    })
}

/// What the tracers of all processes merged.
#[derive(Default, serde::Deserialize)]
struct Observed {
    processes: u64,
    functions: Vec<Entry>,
}

/// The exit status of a process as a shell reports it.
fn exit_code(status: std::process::ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    status
        .code()
        .or_else(|| status.signal().map(|signal| 128 + signal))
        .unwrap_or(1)
}

/// While the traced command runs, Ctrl-C (which the terminal sends to it
/// too) must not end this process before the command has ended and its
/// profile is written: SIGINT gets a handler that does nothing. (Ignoring
/// it would be inherited by the command; a handler is reset by `exec`.)
pub(super) struct ForwardedInterrupts {
    previous: libc::sigaction,
}

extern "C" fn do_nothing(_: libc::c_int) {}

impl ForwardedInterrupts {
    pub(super) fn install() -> Self {
        // SAFETY: installs a handler that does nothing, saving the old one.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = do_nothing as *const () as usize;
            libc::sigemptyset(&mut action.sa_mask);
            let mut previous: libc::sigaction = std::mem::zeroed();
            libc::sigaction(libc::SIGINT, &action, &mut previous);
            ForwardedInterrupts { previous }
        }
    }
}

impl Drop for ForwardedInterrupts {
    fn drop(&mut self) {
        // SAFETY: restores the handler saved by `install`.
        unsafe {
            libc::sigaction(libc::SIGINT, &self.previous, std::ptr::null_mut());
        }
    }
}

/// Writes `profile` to `path` (a temporary file renamed over it).
pub fn write_profile(path: &Path, profile: &ProfileData) -> Result<()> {
    let text = serde_json::to_string_pretty(profile)? + "\n";
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let mut temp = tempfile::NamedTempFile::new_in(&dir)
        .with_context(|| format!("cannot write {}", path.display()))?;
    std::io::Write::write_all(&mut temp, text.as_bytes())?;
    temp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
