//! `hybridize explain CODE` and `hybridize codemods`: the documentation and
//! the list of codemods, from the one registration list.

use std::io::{self, Write};

use anyhow::{bail, Result};

use crate::codemods::CODEMODS;
use crate::exit_status::ExitStatus;

pub(super) fn explain(code: &str) -> Result<ExitStatus> {
    if let Some(doc) = crate::codemods::informational_doc(code) {
        print!("{doc}");
        return Ok(ExitStatus::Success);
    }
    let Some(codemod) = crate::codemods::find(code) else {
        bail!("unknown codemod `{code}`; `hybridize codemods` lists them all");
    };
    print!("{}", codemod.doc);
    Ok(ExitStatus::Success)
}

pub(super) fn codemods() -> Result<ExitStatus> {
    let mut out = io::stdout().lock();
    writeln!(out, "{:<7} {:<29} {:<22} SUMMARY", "CODE", "NAME", "FIX")?;
    for codemod in CODEMODS {
        writeln!(
            out,
            "{:<7} {:<29} {:<22} {}",
            codemod.code, codemod.name, codemod.safety, codemod.summary
        )?;
    }
    Ok(ExitStatus::Success)
}
