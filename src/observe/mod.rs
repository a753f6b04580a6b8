//! Observing the user's program: `hybridize trace` runs it under a small
//! Python tracer and writes a profile ([`profile`]); `--profile` feeds the
//! observations to the codemods as facts ([`facts`]); `hybridize verify`
//! keeps the changes that pass the user's command and do not slow it
//! ([`verify`]).

pub mod facts;
pub mod output;
pub mod profile;
pub mod trace;
pub mod verify;

pub use profile::{Entry, Profile};
