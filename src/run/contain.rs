//! A panic while one file is analysed is that file's internal error: the
//! run goes on with the other files, and the file is left as it is. (The
//! panic itself is printed by Rust's hook, for the bug report.)

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

/// `work`'s result, or the message naming `path` and the panic.
pub(super) fn contained<T>(path: &Path, work: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(work)).map_err(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".to_string());
        format!(
            "internal error: hybridize panicked while analysing {}: {what}; the file is left as it is. Please report this.",
            crate::source::shown(path)
        )
    })
}

/// For the tests of this containment (not an interface): panics in `phase`
/// (`first-look`, `second-look`) on a text holding `hybridize-test-panic`
/// when `HYBRIDIZE_TEST_PANIC` names that phase.
pub(super) fn test_panic(phase: &str, text: &str) {
    // Read once per process: this runs for every file.
    static ASKED: std::sync::OnceLock<Option<std::ffi::OsString>> = std::sync::OnceLock::new();
    let asked = ASKED.get_or_init(|| std::env::var_os("HYBRIDIZE_TEST_PANIC"));
    if asked.as_deref().is_some_and(|p| p == phase) && text.contains("hybridize-test-panic") {
        panic!("`HYBRIDIZE_TEST_PANIC` asked for a panic");
    }
}
