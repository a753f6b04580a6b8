//! Command-line definitions (clap). The commands themselves are in
//! [`crate::commands`].

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "hybridize",
    version,
    about = "Migrate eager TensorFlow 2 code to graph execution safely, as reviewable diffs.",
    after_help = "Exit status: 0 nothing to do, 1 findings or changes, 2 usage, configuration or internal error."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Report findings (and why candidates were left as they are).
    Check(CheckArgs),
    /// Print the unified diff of what would change; `--write` applies it.
    Fix(FixArgs),
    /// Post the changes as a GitHub pull-request review with suggested changes.
    Review(ReviewArgs),
    /// Print a codemod's documentation.
    Explain {
        /// A code (`HY011`) or name (`print-to-tf-print`).
        code: String,
    },
    /// List every codemod: code, name, fix safety, summary.
    Codemods,
    /// Speak the Language Server Protocol on stdin/stdout (for editors:
    /// diagnostics as you type, quick fixes, explanations).
    Server,
    /// Remove the cache (`.hybridize_cache`, or where `cache-dir` or
    /// `HYBRIDIZE_CACHE_DIR` puts it) of the project at PATH.
    Clean {
        /// A folder or file of the project.
        #[arg(default_value = ".")]
        path: PathBuf,
    },
    /// Run a command under a tracer and write what it observed of the
    /// project's functions (calls, time, argument dtypes and shapes, traces)
    /// to a profile for `--profile`.
    Trace(TraceArgs),
    /// Run a command on a copy of the project before and after the fixes,
    /// and keep only the changes with which it passes and is not slower.
    Verify(VerifyArgs),
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Runs of the command per state (the median is compared).
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
    /// Seconds a run may take before it is stopped and counts as failed.
    #[arg(long)]
    pub timeout: Option<f64>,
    /// Apply the kept changes to the files instead of printing their diff.
    #[arg(long)]
    pub write: bool,
    /// A run passes only when the command's stdout also matches the
    /// baseline's, line by line: numbers within --rtol, all other text
    /// exactly.
    #[arg(long)]
    pub compare_output: bool,
    /// With --compare-output: the relative tolerance for numbers
    /// (|a - b| <= R * max(|a|, |b|); ints, floats, 1e-3, nan, inf).
    #[arg(
        long,
        value_name = "R",
        default_value_t = 1e-5,
        requires = "compare_output"
    )]
    pub rtol: f64,
    /// The command that must pass, after `--` (`-- pytest -q tests`).
    #[arg(last = true, required = true, value_name = "CMD")]
    pub command: Vec<String>,
}

#[derive(Debug, Args)]
pub struct TraceArgs {
    /// Where to write the profile.
    #[arg(long, short = 'o', default_value = crate::observe::profile::DEFAULT_FILE)]
    pub output: PathBuf,
    /// The command to run, after `--` (`-- python train.py`, `-- pytest tests/`).
    #[arg(last = true, required = true, value_name = "CMD")]
    pub command: Vec<String>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// How findings are printed.
    #[arg(long, value_enum, default_value_t = OutputFormat::Full)]
    pub output_format: OutputFormat,
    /// Exit 0 even when there are findings (errors still exit 2).
    #[arg(long)]
    pub exit_zero: bool,
}

#[derive(Debug, Args)]
pub struct FixArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Write the changes to the files instead of printing a diff.
    #[arg(long)]
    pub write: bool,
    /// Ask about each change (`[y,n,a,d,q,?]`) and write the accepted ones.
    #[arg(short = 'i', long, conflicts_with = "write")]
    pub interactive: bool,
    /// Exit 0 even when there are changes (errors still exit 2).
    #[arg(long)]
    pub exit_zero: bool,
}

#[derive(Debug, Args)]
pub struct ReviewArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// The pull request's base (`origin/main`); lines come from `git diff BASE...HEAD`.
    #[arg(long)]
    pub base: Option<String>,
    /// The repository (`OWNER/NAME`) of the pull request to review.
    #[arg(long)]
    pub repo: Option<String>,
    /// The pull request number.
    #[arg(long)]
    pub pr: Option<u64>,
    /// Print the review's JSON instead of posting it.
    #[arg(long)]
    pub dry_run: bool,
    /// The API root (GitHub Enterprise: `https://HOST/api/v3`).
    #[arg(long, default_value = "https://api.github.com")]
    pub api_url: String,
    /// At most this many comments; the rest are listed in the review body.
    #[arg(long, default_value_t = 50)]
    pub max_comments: usize,
    /// Exit 0 even when there are changes (errors still exit 2).
    #[arg(long)]
    pub exit_zero: bool,
}

#[derive(Debug, Args)]
pub struct CommonArgs {
    /// Files or directories to check; `-` reads one file from stdin.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Only these codes or code prefixes (comma-separated; `ALL` for all).
    #[arg(long, value_delimiter = ',')]
    pub select: Option<Vec<String>>,
    /// Also these codes or code prefixes, besides those of `--select` or
    /// the configuration (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub extend_select: Option<Vec<String>>,
    /// Leave out these codes or code prefixes (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub ignore: Option<Vec<String>>,
    /// Also apply fixes that may change behaviour.
    #[arg(long, overrides_with = "no_unsafe_fixes")]
    pub unsafe_fixes: bool,
    #[arg(long, hide = true)]
    pub no_unsafe_fixes: bool,
    /// Glob patterns of paths to leave out of directory walks.
    #[arg(long, value_delimiter = ',')]
    pub exclude: Option<Vec<String>>,
    /// The TensorFlow version the code must run on (default: from
    /// configuration or requirements, else the newest).
    #[arg(long)]
    pub tensorflow_version: Option<String>,
    /// The file name to report for source read from stdin (`-`).
    #[arg(long)]
    pub stdin_filename: Option<PathBuf>,
    /// When to colour output (`NO_COLOR` is honoured in `auto`).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Which functions may get `@tf.function`: `hot` ones (called in a
    /// loop, training and evaluation steps), judged on safety and benefit;
    /// or `all` functions and methods, judged on safety alone.
    #[arg(long, value_enum)]
    pub candidates: Option<CandidatesArg>,
    /// Also print why functions not worth converting were left eager.
    #[arg(long)]
    pub show_refusals: bool,
    /// Check files that look like tests too (`test_*.py`, `tests/`, ...);
    /// without it they only give call sites.
    #[arg(long)]
    pub include_tests: bool,
    /// Neither read nor write the cache (`.hybridize_cache`).
    #[arg(long)]
    pub no_cache: bool,
    /// A profile written by `hybridize trace`: observed calls, signatures
    /// and trace counts replace the analysis's guesses where they exist.
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
}

/// `--candidates`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CandidatesArg {
    Hot,
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Full,
    Concise,
    Json,
    JsonLines,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// SARIF 2.1.0.
    Sarif,
    /// Reviewdog Diagnostic Format, one document.
    Rdjson,
    /// Reviewdog Diagnostic Format, one diagnostic per line.
    Rdjsonl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Whether to colour a stream that is (or is not) a terminal.
    pub fn enabled(self, is_terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                is_terminal && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
            }
        }
    }
}
