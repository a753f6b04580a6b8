//! The server's settings: `[tool.hybridize]` from the workspace's
//! `pyproject.toml`, as on the command line, overridden by the client's
//! `initializationOptions`. A configuration that cannot be read is shown
//! on its file, and the defaults are used.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::settings::{Candidates, Settings};

/// What `initializationOptions` may override (the names of the command
/// line's flags and of `[tool.hybridize]`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(super) struct Overrides {
    select: Option<Vec<String>>,
    extend_select: Option<Vec<String>>,
    ignore: Option<Vec<String>>,
    unsafe_fixes: Option<bool>,
    exclude: Option<Vec<String>>,
    candidates: Option<String>,
    show_refusals: Option<bool>,
    include_tests: Option<bool>,
    tensorflow_version: Option<String>,
}

/// A configuration the server could not use: the file, the line (0-based)
/// the problem is on when known, and why.
#[derive(Debug, Clone)]
pub(super) struct ConfigProblem {
    pub(super) path: PathBuf,
    pub(super) line: u32,
    pub(super) message: String,
}

/// The settings for a workspace rooted at `root`, and what was wrong with
/// its configuration or the overrides (each made the server fall back).
pub(super) fn load(root: &Path, overrides: &Overrides) -> (Settings, Vec<ConfigProblem>) {
    let mut problems = Vec::new();
    let mut settings = match crate::config::load(root) {
        Ok((settings, _)) => settings,
        Err(error) => {
            if let Some(path) = nearest_pyproject(root) {
                let message = error.to_string();
                problems.push(ConfigProblem {
                    line: line_of(&message),
                    path,
                    message,
                });
            }
            Settings::default()
        }
    };
    if let Err(message) = apply(&mut settings, overrides) {
        problems.push(ConfigProblem {
            path: root.join("initializationOptions"),
            line: 0,
            message,
        });
    }
    (settings, problems)
}

fn apply(settings: &mut Settings, overrides: &Overrides) -> Result<(), String> {
    for selectors in [
        &overrides.select,
        &overrides.extend_select,
        &overrides.ignore,
    ]
    .into_iter()
    .flatten()
    {
        if let Some(unknown) = selectors
            .iter()
            .find(|s| !crate::settings::is_known_selector(s))
        {
            return Err(crate::settings::unknown_selector(unknown));
        }
    }
    if let Some(select) = &overrides.select {
        settings.select = select.clone();
    }
    if let Some(extend) = &overrides.extend_select {
        settings.select.extend(extend.iter().cloned());
    }
    if let Some(ignore) = &overrides.ignore {
        settings.ignore = ignore.clone();
    }
    if let Some(unsafe_fixes) = overrides.unsafe_fixes {
        settings.unsafe_fixes = unsafe_fixes;
    }
    if let Some(exclude) = &overrides.exclude {
        settings.exclude = exclude.clone();
    }
    if let Some(candidates) = &overrides.candidates {
        settings.candidates = candidates.parse::<Candidates>()?;
    }
    if let Some(show) = overrides.show_refusals {
        settings.show_refusals = show;
    }
    if let Some(include) = overrides.include_tests {
        settings.include_tests = include;
    }
    if let Some(version) = &overrides.tensorflow_version {
        settings.tensorflow_version = version.parse()?;
        settings.tensorflow_version_origin = "initializationOptions".to_string();
    }
    Ok(())
}

/// The nearest `pyproject.toml` at or above `root`.
fn nearest_pyproject(root: &Path) -> Option<PathBuf> {
    root.ancestors()
        .map(|folder| folder.join("pyproject.toml"))
        .find(|candidate| candidate.is_file())
}

/// The line a TOML error names ("TOML parse error at line 3, column 5"),
/// 0-based; the first line when it names none.
fn line_of(message: &str) -> u32 {
    message
        .split("at line ")
        .nth(1)
        .and_then(|rest| {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse::<u32>().ok()
        })
        .map_or(0, |line| line.saturating_sub(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_malformed_pyproject_is_a_problem_and_the_defaults_stand() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("pyproject.toml"),
            "[tool.hybridize]\nselect = [\"HY001\"\nignore = 3\n",
        )
        .unwrap();
        let (settings, problems) = load(dir.path(), &Overrides::default());
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].path.ends_with("pyproject.toml"));
        assert_eq!(problems[0].line, 2, "{}", problems[0].message);
        assert_eq!(settings.select, Settings::default().select);
    }

    #[test]
    fn overrides_win_over_the_configuration() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("pyproject.toml"),
            "[tool.hybridize]\nunsafe-fixes = false\n",
        )
        .unwrap();
        let overrides: Overrides =
            serde_json::from_value(serde_json::json!({"unsafe-fixes": true, "select": ["HY001"]}))
                .unwrap();
        let (settings, problems) = load(dir.path(), &overrides);
        assert!(problems.is_empty());
        assert!(settings.unsafe_fixes);
        assert_eq!(settings.select, ["HY001"]);
    }
}
