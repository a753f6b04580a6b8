//! Observing the user's program: `hybridize trace` runs it under a small
//! Python tracer and writes a profile ([`profile`]); `--profile` feeds the
//! observations to the codemods as facts ([`facts`]).

pub mod facts;
pub mod profile;
pub mod trace;

pub use profile::{Entry, Profile};
