//! The process exit status every command ends with.

/// 0 nothing to do, 1 findings or changes, 2 usage, configuration or
/// internal error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    Success,
    Failure,
    Error,
    /// A command's own exit status, passed through (`hybridize trace`).
    Code(u8),
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(status: ExitStatus) -> Self {
        std::process::ExitCode::from(match status {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Error => 2,
            ExitStatus::Code(code) => code,
        })
    }
}
