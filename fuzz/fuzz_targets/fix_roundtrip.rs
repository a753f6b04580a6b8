//! Arbitrary bytes through the whole pipeline: decode → parse → semantic
//! model → every codemod (unsafe fixes on) → apply to a fixed point →
//! re-parse. Any panic, any internal error (a fix that broke the code or did
//! not converge) and any fixed text that does not parse is a crash.
//!
//! Inputs are tried twice: as they are, and behind `import tensorflow as tf`
//! so that mutations of plain Python still reach the TensorFlow codemods.

#![no_main]

use std::path::Path;

use hybridize::run::{check_source, Mode};
use hybridize::settings::Settings;
use hybridize::source::SourceFile;
use libfuzzer_sys::fuzz_target;

fn roundtrip(bytes: Vec<u8>) {
    let settings = Settings {
        unsafe_fixes: true,
        ..Settings::default()
    };
    let Ok(file) = SourceFile::from_bytes(Path::new("fuzz.py"), bytes) else {
        return;
    };
    let parses = ruff_python_parser::parse_module(&file.text).is_ok();
    let report = check_source(file, &settings, Mode::Fix);
    assert!(
        report.internal_errors.is_empty(),
        "{:?}",
        report.internal_errors
    );
    if let Some(fixed) = &report.fixed {
        assert!(parses, "a file that does not parse was fixed");
        assert!(
            ruff_python_parser::parse_module(fixed).is_ok(),
            "fixed text does not parse:\n{fixed}"
        );
        let again = check_source(
            SourceFile {
                path: "fuzz.py".into(),
                text: fixed.clone(),
            },
            &settings,
            Mode::Fix,
        );
        assert!(
            again.fixed.is_none(),
            "a second run still changes:\n{fixed}"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    roundtrip(data.to_vec());
    let mut prefixed = b"import tensorflow as tf\n".to_vec();
    prefixed.extend_from_slice(data);
    roundtrip(prefixed);
});
