//! A real editor: headless Neovim with the configuration of
//! docs/editor.md (tests/editor/init.lua) starts `hybridize server`, opens
//! a file, waits for HY001, applies its quick fix and writes the file,
//! which must then equal what `hybridize fix --write` writes.
//!
//! Needs `nvim` (Debian's `neovim`). Without it the test is skipped with a
//! reason, unless `HYBRIDIZE_REQUIRE_EDITOR` is set (as `scripts/test`
//! sets it): then a missing editor fails the test.

use std::path::{Path, PathBuf};
use std::process::Command;

const UTIL: &str = "history = []\n\n\ndef log(value):\n    history.append(value)\n";

const TRAIN: &str = "\
import tensorflow as tf

from util import log


def train_step(x):
    return tf.reduce_sum(x * 2.0)


def noisy_step(x):
    log(x)
    return tf.reduce_sum(x)


for _ in range(10):
    train_step(tf.ones([3]))
    noisy_step(tf.ones([3]))
";

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("util.py"), UTIL).unwrap();
    std::fs::write(dir.path().join("train.py"), TRAIN).unwrap();
    std::fs::write(dir.path().join("pyproject.toml"), "[tool.hybridize]\n").unwrap();
    dir
}

fn nvim_available() -> bool {
    Command::new("nvim")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success())
}

fn editor_config(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/editor")
        .join(name)
}

#[test]
fn neovim_applies_the_quick_fix_as_fix_write_does() {
    if !nvim_available() {
        assert!(
            std::env::var_os("HYBRIDIZE_REQUIRE_EDITOR").is_none(),
            "`nvim` is required (HYBRIDIZE_REQUIRE_EDITOR is set): apt-get install neovim"
        );
        eprintln!("skipped: `nvim` is not installed (apt-get install neovim)");
        return;
    }
    let dir = workspace();
    let binary = Path::new(env!("CARGO_BIN_EXE_hybridize"));
    let path = format!(
        "{}:{}",
        binary.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let output = Command::new("timeout")
        .arg("120")
        .args(["nvim", "--headless", "--clean", "-u"])
        .arg(editor_config("init.lua"))
        .arg("-c")
        .arg(format!(
            "luafile {}",
            editor_config("apply_fix.lua").display()
        ))
        .arg("train.py")
        .current_dir(dir.path())
        .env("PATH", path)
        .env("XDG_CACHE_HOME", dir.path().join(".cache"))
        .env("XDG_STATE_HOME", dir.path().join(".state"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "nvim: {}\nstdout: {}\nstderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let edited = std::fs::read_to_string(dir.path().join("train.py")).unwrap();

    let copy = workspace();
    let fix = Command::new(binary)
        .args(["fix", "--write", "."])
        .current_dir(copy.path())
        .output()
        .unwrap();
    assert_eq!(fix.status.code(), Some(1), "{fix:?}");
    let expected = std::fs::read_to_string(copy.path().join("train.py")).unwrap();
    assert_ne!(expected, TRAIN, "fix --write changed nothing");
    assert_eq!(edited, expected);
}

#[test]
fn the_documented_neovim_configuration_is_the_tested_one() {
    let config = std::fs::read_to_string(editor_config("init.lua")).unwrap();
    let docs =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/editor.md"))
            .unwrap();
    assert!(
        docs.contains(&format!("```lua\n{config}```\n")),
        "docs/editor.md must show tests/editor/init.lua as it is"
    );
}

/// The fenced blocks of `language` in docs/editor.md.
fn documented(language: &str) -> Vec<String> {
    let docs =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/editor.md"))
            .unwrap();
    let fence = format!("```{language}\n");
    docs.split(&fence)
        .skip(1)
        .map(|rest| rest.split("```").next().unwrap().to_string())
        .collect()
}

#[test]
fn the_documented_vs_code_and_helix_settings_start_the_server() {
    // Not run in those editors here: at least they parse, and name the
    // command the tests run.
    let vscode = documented("json");
    assert_eq!(vscode.len(), 1);
    let settings: serde_json::Value = serde_json::from_str(&vscode[0]).unwrap();
    assert_eq!(settings["glspc.server.command"], "hybridize");
    assert_eq!(
        settings["glspc.server.commandArguments"],
        serde_json::json!(["server"])
    );
    let helix = documented("toml");
    assert_eq!(helix.len(), 1);
    let languages: toml::Value = toml::from_str(&helix[0]).unwrap();
    let server = &languages["language-server"]["hybridize"];
    assert_eq!(server["command"].as_str(), Some("hybridize"));
    assert_eq!(
        server["args"].as_array().unwrap(),
        &[toml::Value::String("server".into())]
    );
    assert!(languages["language"][0]["language-servers"]
        .as_array()
        .unwrap()
        .contains(&toml::Value::String("hybridize".into())));
}
