//! `[tool.hybridize]` in the nearest `pyproject.toml`, and the TensorFlow
//! version the project targets.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::settings::Settings;
use crate::version::{self, TfVersion};

/// The options `[tool.hybridize]` accepts. Unknown keys are an error, so a
/// typo never silently does nothing.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Options {
    pub select: Option<Vec<String>>,
    pub extend_select: Option<Vec<String>>,
    pub ignore: Option<Vec<String>>,
    pub unsafe_fixes: Option<bool>,
    pub exclude: Option<Vec<String>>,
    pub tensorflow_version: Option<String>,
    /// `hot` or `all`: which functions HY001 judges.
    pub candidates: Option<String>,
    /// Glob patterns of files that look like tests.
    pub test_files: Option<Vec<String>>,
    /// Where the cache is, relative to the `pyproject.toml`.
    pub cache_dir: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: cannot read: {reason}")]
    Unreadable { path: String, reason: String },
    #[error("{path}: invalid configuration: {reason}")]
    Invalid { path: String, reason: String },
}

#[derive(Deserialize)]
struct PyProject {
    tool: Option<Tool>,
    project: Option<Project>,
}

#[derive(Deserialize)]
struct Tool {
    hybridize: Option<toml::Value>,
}

#[derive(Deserialize)]
struct Project {
    dependencies: Option<Vec<String>>,
    #[serde(rename = "optional-dependencies")]
    optional_dependencies: Option<std::collections::BTreeMap<String, Vec<String>>>,
}

/// Settings for a run whose files are under `start`: the nearest
/// `pyproject.toml` with a `[tool.hybridize]` table, over the defaults, and
/// the TensorFlow version from it or from the project's requirements. Also
/// returns the configuration file used, if any.
pub fn load(start: &Path) -> Result<(Settings, Option<PathBuf>), ConfigError> {
    let mut settings = Settings::default();
    let mut used = None;
    let mut project_root: Option<PathBuf> = None;
    let start = std::path::absolute(start).unwrap_or_else(|_| start.to_path_buf());
    let start = if start.is_file() {
        start.parent().map(Path::to_path_buf).unwrap_or(start)
    } else {
        start
    };
    for folder in start.ancestors() {
        let candidate = folder.join("pyproject.toml");
        if !candidate.is_file() {
            continue;
        }
        let pyproject = read_pyproject(&candidate)?;
        project_root.get_or_insert_with(|| folder.to_path_buf());
        let Some(table) = pyproject.tool.and_then(|tool| tool.hybridize) else {
            continue;
        };
        let options: Options =
            table
                .try_into()
                .map_err(|err: toml::de::Error| ConfigError::Invalid {
                    path: crate::source::shown(&candidate),
                    reason: format!("[tool.hybridize]: {}", err.message()),
                })?;
        apply(&mut settings, options, &candidate)?;
        used = Some(candidate);
        break;
    }
    if settings.tensorflow_version_origin == Settings::default().tensorflow_version_origin {
        let root = used
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .or(project_root)
            .unwrap_or(start);
        if let Some((found, origin)) = required_version(&root)? {
            settings.tensorflow_version = found;
            settings.tensorflow_version_origin = origin;
        }
    }
    Ok((settings, used))
}

fn read_pyproject(path: &Path) -> Result<PyProject, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|err| ConfigError::Unreadable {
        path: crate::source::shown(path),
        reason: err.to_string(),
    })?;
    // The parser's message shows the line with a caret under the problem:
    // its lines are kept (each with its control characters escaped).
    toml::from_str(&text).map_err(|err: toml::de::Error| ConfigError::Invalid {
        path: crate::source::shown(path),
        reason: err
            .to_string()
            .trim_end()
            .lines()
            .map(crate::source::escape_control)
            .collect::<Vec<_>>()
            .join("\n"),
    })
}

fn apply(settings: &mut Settings, options: Options, path: &Path) -> Result<(), ConfigError> {
    for (key, selectors) in [
        ("select", &options.select),
        ("extend-select", &options.extend_select),
        ("ignore", &options.ignore),
    ] {
        let selectors = selectors.as_deref().unwrap_or_default();
        if let Some(unknown) = selectors
            .iter()
            .find(|selector| !crate::settings::is_known_selector(selector))
        {
            return Err(ConfigError::Invalid {
                path: crate::source::shown(path),
                reason: format!(
                    "[tool.hybridize] {key}: {}",
                    crate::settings::unknown_selector(unknown)
                ),
            });
        }
    }
    if let Some(select) = options.select {
        settings.select = select;
    }
    if let Some(extend) = options.extend_select {
        settings.select.extend(extend);
    }
    if let Some(ignore) = options.ignore {
        settings.ignore = ignore;
    }
    if let Some(unsafe_fixes) = options.unsafe_fixes {
        settings.unsafe_fixes = unsafe_fixes;
    }
    if let Some(exclude) = options.exclude {
        settings.exclude = exclude;
    }
    if let Some(text) = options.candidates {
        settings.candidates = text.parse().map_err(|reason| ConfigError::Invalid {
            path: crate::source::display(path),
            reason: format!("[tool.hybridize] candidates: {reason}"),
        })?;
    }
    if let Some(test_files) = options.test_files {
        settings.test_files = test_files;
    }
    if let Some(dir) = options.cache_dir {
        let folder = path.parent().unwrap_or(Path::new("."));
        settings.cache_dir = Some(folder.join(dir));
    }
    if let Some(text) = options.tensorflow_version {
        settings.tensorflow_version = text.parse().map_err(|reason| ConfigError::Invalid {
            path: crate::source::shown(path),
            reason: format!("[tool.hybridize] tensorflow-version: {reason}"),
        })?;
        settings.tensorflow_version_origin =
            format!("`tensorflow-version` in {}", crate::source::shown(path));
    }
    Ok(())
}

/// The lower bound of a `tensorflow` requirement in the project's
/// `pyproject.toml` or `requirements*.txt`, with where it was found.
fn required_version(root: &Path) -> Result<Option<(TfVersion, String)>, ConfigError> {
    let mut sources: Vec<(String, Vec<String>)> = Vec::new();
    let pyproject = root.join("pyproject.toml");
    if pyproject.is_file() {
        if let Some(project) = read_pyproject(&pyproject)?.project {
            let mut lines = project.dependencies.unwrap_or_default();
            lines.extend(
                project
                    .optional_dependencies
                    .unwrap_or_default()
                    .into_values()
                    .flatten(),
            );
            sources.push(("pyproject.toml".to_string(), lines));
        }
    }
    let mut requirement_files: Vec<PathBuf> = std::fs::read_dir(root)
        .map(|entries| {
            entries
                .flatten()
                .map(|entry| entry.path())
                .filter(|path| {
                    path.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|name| {
                            name.starts_with("requirements") && name.ends_with(".txt")
                        })
                })
                .collect()
        })
        .unwrap_or_default();
    requirement_files.sort();
    for path in requirement_files {
        if let Ok(text) = std::fs::read_to_string(&path) {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            sources.push((name, text.lines().map(str::to_string).collect()));
        }
    }
    for (origin, lines) in sources {
        for line in lines {
            if let Some(Some(found)) = version::from_requirement(&line) {
                return Ok(Some((found, format!("`{}` in {origin}", line.trim()))));
            }
        }
    }
    Ok(None)
}
