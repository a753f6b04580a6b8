use std::process::ExitCode;

use clap::Parser;

// The analysis allocates many small strings and vectors per file on every
// worker thread; mimalloc's thread-local heaps make that markedly cheaper
// than the system allocator (as in ruff).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = hybridize::cli::Cli::parse();
    match hybridize::commands::run(cli) {
        Ok(status) => status.into(),
        Err(err) => {
            eprintln!("error: {err:#}");
            hybridize::commands::ExitStatus::Error.into()
        }
    }
}
