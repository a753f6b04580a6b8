//! Strings that the analysis keeps as `&'static str` (codes, names, fixed
//! phrases), read back from the cache: each distinct one is leaked once,
//! so a long-lived process reading many entries does not grow with them.

use std::sync::Mutex;

use rustc_hash::FxHashSet;
use serde::{Deserialize, Deserializer};

/// The `&'static str` equal to `text`.
pub fn intern(text: &str) -> &'static str {
    static STRINGS: Mutex<Option<FxHashSet<&'static str>>> = Mutex::new(None);
    let mut strings = STRINGS.lock().unwrap_or_else(|e| e.into_inner());
    let strings = strings.get_or_insert_with(FxHashSet::default);
    if let Some(&found) = strings.get(text) {
        return found;
    }
    let leaked: &'static str = Box::leak(text.to_owned().into_boxed_str());
    strings.insert(leaked);
    leaked
}

/// Deserializes an `Option<(u32, &'static str)>` (a line and a fixed phrase).
pub fn line_and_static_str<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<(u32, &'static str)>, D::Error> {
    let pair = Option::<(u32, String)>::deserialize(deserializer)?;
    Ok(pair.map(|(line, text)| (line, intern(&text))))
}
