use std::process::ExitCode;

use clap::Parser;

// The analysis allocates many small strings and vectors per file on every
// worker thread; mimalloc's thread-local heaps make that markedly cheaper
// than the system allocator (as in ruff). Parse trees go to a per-thread
// arena instead (see `hybridize::arena`).
#[global_allocator]
static GLOBAL: hybridize::arena::Allocator = hybridize::arena::Allocator;

/// `mi_option_purge_delay` in mimalloc's `mi_option_t` (the same position
/// in its v2 and v3 headers).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> ExitCode {
    // Freed memory goes back to the system 50 ms after it is freed, not
    // after v3's default of a second: memory freed by one phase of a run
    // (a file's tree, the propagation's work lists) is then not counted
    // again in its peak: the peak of `check` is lower for it, at no time
    // that could be measured (the figures are in docs/performance.md).
    // SAFETY: sets an integer option; mimalloc reads options atomically.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 50) };
    hybridize::arena::enable();
    let cli = hybridize::cli::Cli::parse();
    match hybridize::commands::run(cli) {
        Ok(status) => status.into(),
        Err(err) => {
            // The message may quote a server's words (and so a token).
            eprintln!("error: {}", hybridize::secrets::redact(&format!("{err:#}")));
            hybridize::exit_status::ExitStatus::Error.into()
        }
    }
}
