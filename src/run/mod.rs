//! One run: read and parse each file, build its semantic model, run the
//! selected codemods, and (when fixing) apply fixes to a fixed point with a
//! re-parse after every pass. Files are independent and run in parallel.
//!
//! This module orders the steps; each step is a file of its own: the
//! rounds of a fixing run ([`rounds`]); the three phases of one round
//! ([`phases`]: [`first_look`] with its [`demand`] search, [`propagation`],
//! [`second_look`]), with what every step of a round reads ([`inputs`]);
//! one file's check ([`file`]) and its fix loop ([`fix_loop`]); one file
//! checked again against the facts of a run ([`incremental`]); what star
//! imports of the run's files bind ([`star`]); the phase timers
//! ([`timing`]); and a panic kept to its file ([`contain`]).

mod after_edit;
mod cached;
mod contain;
mod demand;
mod file;
mod first_look;
mod first_pass;
mod fix_loop;
mod incremental;
mod inputs;
mod links;
mod overlay;
mod phases;
mod propagation;
mod replay;
mod rounds;
mod second_look;
mod star;
mod timing;

pub use file::check_source;
pub use fix_loop::{fix_to_fixed_point, FixOutcome, MAX_FIX_PASSES};
pub use incremental::ProjectFacts;
pub use overlay::Overlay;
pub use rounds::{run, run_cached, run_with_texts, MAX_PROJECT_ROUNDS};

/// Worker threads get a large stack so that deeply nested code (thousands of
/// levels of parentheses or blocks) cannot overflow it while parsing,
/// walking or dropping the tree.
pub const WORKER_STACK_SIZE: usize = 512 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Report findings only.
    Check,
    /// Report findings and compute the fixed text.
    Fix,
}

/// Runs `work` on a thread pool whose threads have [`WORKER_STACK_SIZE`].
/// The pool is built once and lives as long as the process: its threads
/// are not torn down (and their heaps not freed) after every round.
pub fn in_worker_pool<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    static POOL: std::sync::OnceLock<Option<rayon::ThreadPool>> = std::sync::OnceLock::new();
    let pool = POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .stack_size(WORKER_STACK_SIZE)
            .build()
            .ok()
    });
    match pool {
        Some(pool) => pool.install(work),
        None => work(),
    }
}
