//! Snapshot tests of the machine-readable output formats of `check`: what a
//! CI system or reviewdog reads. The fixture puts multi-byte characters
//! before a finding (so byte columns differ from character columns) and a
//! comma in the file name (which GitHub's property escaping must cover).

use std::path::Path;
use std::process::Command;

const FIXTURE: &str = r#"import tensorflow as tf


@tf.function(experimental_relax_shapes=True)
def smooth(x, y):
    label = "ß→"; print("größe: 100%, done", x.shape)
    return 0.9 * x + 0.1 * y
"#;

fn check(format: &str) -> String {
    let folder = tempfile::tempdir().unwrap();
    std::fs::create_dir(folder.path().join("models")).unwrap();
    std::fs::write(folder.path().join("models/naïve, v2.py"), FIXTURE).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_hybridize"))
        .current_dir(folder.path())
        .args([
            "check",
            "--unsafe-fixes",
            "--output-format",
            format,
            "models",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    String::from_utf8(output.stdout).unwrap()
}

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({
        snapshot_path => Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots"),
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!(name, text);
    });
}

#[test]
fn github_annotations_are_escaped() {
    let text = check("github");
    assert!(text.contains("file=models/naïve%2C v2.py"), "{text}");
    snapshot("format_github", &text);
}

#[test]
fn rdjson_counts_utf8_bytes_with_exclusive_ends() {
    let text = check("rdjson");
    let document: serde_json::Value = serde_json::from_str(&text).unwrap();
    let print = &document["diagnostics"][1];
    assert_eq!(print["code"]["value"], "HY011");
    // `    label = "ß→"; ` is 18 characters but 21 bytes.
    assert_eq!(print["location"]["range"]["start"]["column"], 22);
    assert_eq!(print["suggestions"][0]["range"]["end"]["column"], 27);
    assert_eq!(print["suggestions"][0]["text"], "tf.print");
    snapshot("format_rdjson", &text);
}

#[test]
fn rdjsonl_is_one_diagnostic_per_line() {
    let text = check("rdjsonl");
    for line in text.lines() {
        let diagnostic: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(diagnostic["source"]["name"], "hybridize");
    }
    snapshot("format_rdjsonl", &text);
}

#[test]
fn sarif_has_rules_results_and_fixes() {
    let text = check("sarif");
    let log: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for codemod in hybridize::codemods::CODEMODS {
        assert!(rules.iter().any(|rule| rule["id"] == codemod.code));
    }
    for result in run["results"].as_array().unwrap() {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        let replacement = &result["fixes"][0]["artifactChanges"][0]["replacements"][0];
        assert!(replacement["deletedRegion"]["startLine"].is_u64());
        assert!(replacement["insertedContent"]["text"].is_string());
    }
    // The rules carry each codemod's whole documentation, and `ruleIndex`
    // moves whenever a codemod is registered; the snapshot keeps the rest of
    // the results, which are what changes when the output changes.
    let mut results = run["results"].clone();
    for result in results.as_array_mut().unwrap() {
        result.as_object_mut().unwrap().remove("ruleIndex");
    }
    snapshot(
        "format_sarif_results",
        &serde_json::to_string_pretty(&results).unwrap(),
    );
}

#[test]
fn json_lines_is_the_json_array_one_per_line() {
    let lines = check("json-lines");
    let array: Vec<serde_json::Value> = serde_json::from_str(&check("json")).unwrap();
    let parsed: Vec<serde_json::Value> = lines
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(parsed, array);
}
