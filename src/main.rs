use std::process::ExitCode;

use clap::Parser;

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
