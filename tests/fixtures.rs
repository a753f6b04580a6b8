//! Every fixture under `codemods/<name>/*.py` runs through its codemod, with
//! unsafe fixes on. The snapshot shows what a user sees: the findings as
//! `hybridize check` prints them, then the diff `hybridize fix` prints. For
//! every fixture the harness also asserts that the fixed file parses, that a
//! second run proposes nothing, and that only lines an edit touches change.
//!
//! Each codemod's documented Example, fixed, must equal its "Use instead".
//!
//! There is one test per codemod, named after its module, so that
//! `cargo test add_tf_function` runs that codemod's fixtures alone.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use hybridize::codemod::Codemod;
use hybridize::codemods::CODEMODS;
use hybridize::render::{self, Emitter};
use hybridize::report::{self, FileReport};
use hybridize::run::{check_source, Mode};
use hybridize::settings::Settings;
use hybridize::source::SourceFile;
use ruff_source_file::LineIndex;
use ruff_text_size::Ranged;

fn settings_for(codemod: &Codemod) -> Settings {
    Settings {
        // A codemod's informational codes (its refusals) are part of what
        // a user sees for its fixtures.
        select: std::iter::once(codemod.code)
            .chain(
                codemod
                    .informational
                    .iter()
                    .map(|informational| informational.code),
            )
            .map(str::to_string)
            .collect(),
        unsafe_fixes: true,
        ..Settings::default()
    }
}

/// The settings a fixture asks for over its codemod's, in a comment among
/// its first lines: `# fixture: --candidates all --show-refusals`.
fn fixture_settings(text: &str, codemod_settings: &Settings) -> Settings {
    let mut settings = codemod_settings.clone();
    let Some(flags) = text
        .lines()
        .take(5)
        .find_map(|line| line.strip_prefix("# fixture:"))
    else {
        return settings;
    };
    let mut flags = flags.split_whitespace();
    while let Some(flag) = flags.next() {
        match flag {
            "--candidates" => {
                settings.candidates = flags
                    .next()
                    .expect("--candidates takes a policy")
                    .parse()
                    .expect("a candidate policy");
            }
            "--show-refusals" => settings.show_refusals = true,
            other => panic!("unknown fixture flag `{other}`"),
        }
    }
    settings
}

fn fixtures_of(codemod: &Codemod) -> Vec<PathBuf> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("codemods")
        .join(module_of(codemod));
    let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "py"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

fn fix(path: &Path, text: &str, settings: &Settings) -> FileReport {
    let file = SourceFile {
        path: path.to_path_buf(),
        text: text.to_string(),
    };
    check_source(file, settings, Mode::Fix)
}

/// The rows of the original text that an applicable fix edits.
fn edited_rows(report: &FileReport, text: &str, settings: &Settings) -> BTreeSet<usize> {
    let index = LineIndex::from_source_text(text);
    let mut rows = BTreeSet::new();
    for diagnostic in report
        .diagnostics
        .iter()
        .filter(|d| d.fix_applies(settings))
    {
        let fix = diagnostic.fix.as_ref().expect("an applicable fix");
        for edit in fix.edits() {
            let first = index.line_index(edit.start()).get();
            let last = index.line_index(edit.end()).get();
            rows.extend(first..=last);
        }
    }
    rows
}

/// The rows of `old` that a line diff to `new` removes or replaces.
fn changed_rows(old: &str, new: &str) -> BTreeSet<usize> {
    let diff = similar::TextDiff::from_lines(old, new);
    let mut rows = BTreeSet::new();
    for op in diff.ops() {
        if let similar::DiffOp::Delete {
            old_index, old_len, ..
        }
        | similar::DiffOp::Replace {
            old_index, old_len, ..
        } = *op
        {
            rows.extend(old_index + 1..=old_index + old_len);
        }
    }
    rows
}

fn snapshot_text(relative: &str, report: &FileReport, settings: &Settings) -> String {
    let mut out = Vec::new();
    let findings = report::file_findings(report, settings);
    render::Full { color: false }
        .emit(&mut out, &findings)
        .unwrap();
    let mut text = String::from_utf8(out).unwrap();
    match report.functions_left_quietly {
        0 => {}
        1 => text
            .push_str("(1 more function judged and left eager: `--show-refusals` shows why)\n\n"),
        n => text.push_str(&format!(
            "({n} more functions judged and left eager: `--show-refusals` shows why)\n\n"
        )),
    }
    text.push_str("----- hybridize fix --unsafe-fixes -----\n");
    match (&report.source, &report.fixed) {
        (Some(source), Some(fixed)) => {
            text.push_str(&hybridize::diff::unified_diff(relative, source, fixed))
        }
        _ => text.push_str("(no changes)\n"),
    }
    text
}

/// One test per codemod, named after its module in `codemods/`, and the
/// list of the modules tested.
macro_rules! codemod_tests {
    ($($module:ident),* $(,)?) => {
        $(
            #[test]
            fn $module() {
                check_codemod(stringify!($module));
            }
        )*

        const TESTED: &[&str] = &[$(stringify!($module)),*];
    };
}

codemod_tests!(
    add_tf_function,
    hoist_tf_function,
    input_signature,
    tensor_arguments,
    state_to_variable,
    print_to_tf_print,
    variable_created_per_call,
    python_iterator_in_graph,
    list_append_in_graph_loop,
    tensor_leak,
    remove_tf_function,
    deprecated_tf_function_args,
);

/// The module (and fixture folder) name of a codemod.
fn module_of(codemod: &Codemod) -> String {
    codemod.name.replace('-', "_")
}

#[test]
fn every_codemod_has_fixtures_and_its_own_test() {
    for codemod in CODEMODS {
        assert!(
            !fixtures_of(codemod).is_empty(),
            "{} has no fixtures in codemods/",
            codemod.code
        );
        assert!(
            TESTED.contains(&module_of(codemod).as_str()),
            "{} has no test: add `{}` to `codemod_tests!`",
            codemod.code,
            module_of(codemod)
        );
    }
    assert_eq!(TESTED.len(), CODEMODS.len(), "a test names no codemod");
}

/// Runs every fixture of one codemod, and its documented example.
fn check_codemod(module: &str) {
    let codemod = CODEMODS
        .iter()
        .find(|codemod| module_of(codemod) == module)
        .unwrap_or_else(|| panic!("no codemod is named `{module}`"));
    let codemod_settings = settings_for(codemod);
    let mut failures = Vec::new();
    for path in fixtures_of(codemod) {
        let relative = path
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(&path).unwrap();
        let settings = fixture_settings(&text, &codemod_settings);
        let report = fix(Path::new(&relative), &text, &settings);
        assert!(report.error.is_none(), "{relative}: {:?}", report.error);
        assert!(
            report.internal_errors.is_empty(),
            "{relative}: {:?}",
            report.internal_errors
        );
        if let Some(fixed) = &report.fixed {
            if let Err(err) = ruff_python_parser::parse_module(fixed) {
                failures.push(format!("{relative}: fixed text does not parse: {err}"));
            }
            let second = fix(Path::new(&relative), fixed, &settings);
            if second.fixed.is_some() {
                failures.push(format!("{relative}: a second run still changes the file"));
            }
            let outside = changed_rows(&text, fixed)
                .difference(&edited_rows(&report, &text, &settings))
                .copied()
                .collect::<Vec<_>>();
            if !outside.is_empty() {
                failures.push(format!(
                    "{relative}: rows {outside:?} changed but no edit touches them"
                ));
            }
        }
        let name = format!("{module}__{}", path.file_stem().unwrap().to_string_lossy());
        insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false, omit_expression => true}, {
            insta::assert_snapshot!(name, snapshot_text(&relative, &report, &settings));
        });
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    check_documented_example(codemod, &codemod_settings);
}

/// The first ```python block after a `## heading` line in a codemod's docs.
fn doc_block<'a>(doc: &'a str, heading: &str) -> Option<&'a str> {
    let after = &doc[doc.find(&format!("## {heading}\n"))?..];
    let start = after.find("```python\n")? + "```python\n".len();
    let end = after[start..].find("```")?;
    Some(&after[start..start + end])
}

/// The codemod's documented Example, fixed, is its "Use instead".
fn check_documented_example(codemod: &Codemod, settings: &Settings) {
    let example = doc_block(codemod.doc, "Example")
        .unwrap_or_else(|| panic!("{}: docs lack an Example", codemod.code));
    let expected = doc_block(codemod.doc, "Use instead")
        .unwrap_or_else(|| panic!("{}: docs lack a Use instead", codemod.code));
    let report = fix(Path::new("example.py"), example, settings);
    assert!(
        report.diagnostics.iter().any(|d| d.code == codemod.code),
        "{}: the documented example has no finding",
        codemod.code
    );
    let fixed = report.fixed.as_deref().unwrap_or(example);
    assert_eq!(
        fixed, expected,
        "{}: the documented fix differs from `Use instead`",
        codemod.code
    );
}
