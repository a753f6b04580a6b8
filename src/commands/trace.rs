//! `hybridize trace [--output FILE] -- CMD`: runs CMD under the tracer and
//! writes the profile; exits with CMD's own status.

use std::path::Path;

use anyhow::Result;

use crate::cli::TraceArgs;
use crate::exit_status::ExitStatus;
use crate::observe::trace::{trace as run_traced, write_profile};

pub(super) fn trace(args: TraceArgs) -> Result<ExitStatus> {
    let traced = run_traced(&args.command, Path::new("."), &[])?;
    write_profile(&args.output, &traced.profile)?;
    let profile = &traced.profile;
    if profile.processes == 0 {
        eprintln!(
            "warning: no Python process ran under the tracer (is `{}` a Python program?): {} holds no observations",
            args.command[0],
            args.output.display()
        );
    } else {
        let calls: u64 = profile.functions.iter().map(|f| f.calls).sum();
        let graphs = profile
            .functions
            .iter()
            .filter(|f| f.traces.is_some())
            .count();
        eprintln!(
            "Observed {} of the project ({} calls, {} graph {}) in {}; wrote {}.",
            super::plural(profile.functions.len(), "function"),
            calls,
            graphs,
            if graphs == 1 { "function" } else { "functions" },
            super::plural(profile.processes as usize, "Python process"),
            args.output.display()
        );
    }
    if traced.status != 0 {
        eprintln!(
            "`{}` exited with status {}.",
            args.command[0], traced.status
        );
    }
    Ok(ExitStatus::Code(traced.status.clamp(0, 255) as u8))
}
