//! The profile `hybridize trace` writes and `--profile` reads: what a run
//! of the user's program observed of each function of the project (calls,
//! time, what its parameters received, how often a graph function was
//! traced), keyed by file and qualified name, with a hash of the
//! function's source so that an entry about code that has changed since is
//! recognised and ignored. The format is documented in docs/observe.md.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{anyhow, Context, Result};
use ruff_python_ast::StmtFunctionDef;
use ruff_text_size::Ranged;
use serde::{Deserialize, Serialize};

/// The `format` field of every profile.
pub const FORMAT: &str = "hybridize-profile";
/// The version of the format this build reads and writes.
pub const VERSION: u64 = 1;
/// The profile `trace` writes and `--profile` reads by default.
pub const DEFAULT_FILE: &str = "hybridize-profile.json";

/// A profile as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProfileData {
    pub format: String,
    pub version: u64,
    /// The directory the command ran in: `file`s are relative to it.
    pub root: PathBuf,
    pub command: Vec<String>,
    /// The command's exit status (128 + N when signal N ended it).
    pub exit_status: i32,
    /// How many Python processes wrote observations.
    pub processes: u64,
    pub functions: Vec<Entry>,
}

/// What was observed of one function.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Entry {
    /// Relative to the root, with `/` separators.
    pub file: String,
    /// `f`, `Model.__call__`, `outer.inner`.
    pub function: String,
    /// The line of its `def`.
    pub line: u32,
    /// [`source_hash`] of the function when it was observed.
    pub source_hash: String,
    /// Calls of the Python function (a graph function's Python body runs
    /// only while tracing, so its calls are not counted).
    pub calls: u64,
    /// Time spent in it, callees included, over all calls.
    pub seconds: f64,
    /// For a graph function: how often it was traced.
    pub traces: Option<u64>,
    pub params: Vec<Param>,
}

/// What one parameter received: one [`Kind`] per sort of value, each
/// joined over the calls that passed it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Param {
    pub name: String,
    pub kinds: Vec<Kind>,
}

/// One sort of value a parameter received, joined over calls: a dimension
/// that took different sizes is `null`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Kind {
    Tensor {
        dtype: String,
        shape: Option<Vec<Option<i64>>>,
    },
    Variable {
        dtype: String,
        shape: Option<Vec<Option<i64>>>,
    },
    Ndarray {
        dtype: String,
        shape: Option<Vec<Option<i64>>>,
    },
    /// `None`, a bool, number, string or bytes: its type and the distinct
    /// values seen (as `repr`, at most 16).
    Scalar {
        #[serde(rename = "type")]
        type_name: String,
        values: Vec<String>,
    },
    Tuple {
        items: Vec<Kind>,
    },
    List {
        items: Vec<Kind>,
    },
    Dict {
        items: BTreeMap<String, Kind>,
    },
    /// Any other object, by its class (`module.Class`).
    Object {
        #[serde(rename = "type")]
        type_name: String,
    },
    /// Items of a container that were of different sorts in different calls.
    Mixed,
}

/// A profile read for a run, with its entries by file, and the notes the
/// run collects about entries that no longer match their source.
#[derive(Debug)]
pub struct Profile {
    pub path: PathBuf,
    pub data: ProfileData,
    /// Per file (absolute, as canonicalized), the indices of its entries.
    by_file: HashMap<PathBuf, Vec<usize>>,
    /// Entries (by index) found stale, and found current, during the run:
    /// a function whose text a fix changed is stale in later passes only.
    seen: Mutex<(BTreeSet<usize>, BTreeSet<usize>)>,
}

impl Profile {
    /// Reads `path`: a clear error when it is not a profile this build
    /// reads.
    pub fn load(path: &Path) -> Result<Profile> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the profile {}", path.display()))?;
        let value: serde_json::Value = serde_json::from_str(&text).map_err(|error| {
            anyhow!(
                "{} is not a profile: it is not valid JSON ({error})",
                path.display()
            )
        })?;
        if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
            return Err(anyhow!(
                "{} is not a profile: its `format` is not \"{FORMAT}\" (`hybridize trace` writes one)",
                path.display()
            ));
        }
        match value.get("version").and_then(|v| v.as_u64()) {
            Some(VERSION) => {}
            other => {
                return Err(anyhow!(
                    "{} is a profile of format version {}; this hybridize reads version {VERSION} (run `hybridize trace` again)",
                    path.display(),
                    other.map_or("(none)".to_string(), |v| v.to_string())
                ))
            }
        }
        let data: ProfileData = serde_json::from_value(value)
            .map_err(|error| anyhow!("{} is not a valid profile: {error}", path.display()))?;
        Ok(Profile::new(path, data))
    }

    pub fn new(path: &Path, data: ProfileData) -> Profile {
        // Files are found under the directory the command ran in; a profile
        // moved with its project (or verified in a copy) is read relative
        // to its own directory.
        let base = if data.root.is_dir() {
            data.root.clone()
        } else {
            path.parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
        };
        let mut by_file: HashMap<PathBuf, Vec<usize>> = HashMap::new();
        for (i, entry) in data.functions.iter().enumerate() {
            let file = base.join(&entry.file);
            let file = file.canonicalize().unwrap_or(file);
            by_file.entry(file).or_default().push(i);
        }
        Profile {
            path: path.to_path_buf(),
            data,
            by_file,
            seen: Mutex::new((BTreeSet::new(), BTreeSet::new())),
        }
    }

    /// The entry about each of `functions` (qualified name and def) of the
    /// file at `path` with text `source`, when there is one that matches
    /// its current source.
    pub fn entries_for<'f>(
        &self,
        path: &Path,
        source: &str,
        functions: impl Iterator<Item = (&'f str, &'f StmtFunctionDef)>,
    ) -> Vec<Option<&Entry>> {
        let Some(indices) = path
            .canonicalize()
            .ok()
            .and_then(|path| self.by_file.get(&path))
        else {
            return functions.map(|_| None).collect();
        };
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        functions
            .map(|(name, def)| {
                let candidates: Vec<usize> = indices
                    .iter()
                    .copied()
                    .filter(|&i| self.data.functions[i].function == name)
                    .collect();
                if candidates.is_empty() {
                    return None;
                }
                let hash = source_hash(source, def);
                match candidates
                    .iter()
                    .find(|&&i| self.data.functions[i].source_hash == hash)
                {
                    Some(&i) => {
                        seen.1.insert(i);
                        Some(&self.data.functions[i])
                    }
                    None => {
                        seen.0.extend(candidates);
                        None
                    }
                }
            })
            .collect()
    }

    /// Notes about the entries that were ignored because the source of
    /// their function changed since the profile was made.
    pub fn stale_notes(&self) -> Vec<String> {
        let seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.0
            .difference(&seen.1)
            .map(|&i| {
                let entry = &self.data.functions[i];
                format!(
                    "note: the profile's entry for `{}` ({}:{}) was ignored: the function changed since {} was made (run `hybridize trace` again)",
                    entry.function,
                    entry.file,
                    entry.line,
                    self.path.display()
                )
            })
            .collect()
    }
}

/// The hash the profile keeps of a function's source: FNV-1a (64 bits,
/// as 16 hex digits) of its bytes from the `def` keyword (`async` for a
/// coroutine) to the end of its last statement. Decorators are left out,
/// so that adding `@tf.function` keeps an entry current. The tracer
/// computes the same from Python's `ast` positions.
pub fn source_hash(source: &str, def: &StmtFunctionDef) -> String {
    let end = def.range().end().to_usize().min(source.len());
    let start = def_keyword_start(source, def).min(end);
    fnv1a(&source.as_bytes()[start..end])
}

/// Where the `def` (or `async def`) of `def` starts: before its name, past
/// the decorators.
fn def_keyword_start(source: &str, def: &StmtFunctionDef) -> usize {
    let name = def.name.range().start().to_usize();
    let before = source[..name].trim_end();
    let Some(before) = before.strip_suffix("def") else {
        return def.range().start().to_usize();
    };
    if def.is_async {
        if let Some(start) = before.trim_end().strip_suffix("async") {
            return start.len();
        }
    }
    before.len()
}

fn fnv1a(bytes: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_def(source: &str) -> String {
        let parsed = ruff_python_parser::parse_module(source).unwrap();
        let mut found = None;
        for stmt in &parsed.syntax().body {
            if let ruff_python_ast::Stmt::FunctionDef(def) = stmt {
                found = Some(source_hash(source, def));
                break;
            }
            if let ruff_python_ast::Stmt::ClassDef(class) = stmt {
                if let ruff_python_ast::Stmt::FunctionDef(def) = &class.body[0] {
                    found = Some(source_hash(source, def));
                    break;
                }
            }
        }
        found.unwrap()
    }

    #[test]
    fn the_hash_is_fnv1a_of_the_def_without_decorators() {
        // The values the tracer's `_fnv1a` gives for the same bytes.
        assert_eq!(fnv1a(b""), "cbf29ce484222325");
        assert_eq!(fnv1a(b"a"), "af63dc4c8601ec8c");
        let plain = "def f(x):\n    return x + 1  # one\n\n# after\n";
        let decorated = "@tf.function(jit_compile=True)\ndef f(x):\n    return x + 1  # one\n";
        assert_eq!(first_def(plain), fnv1a(b"def f(x):\n    return x + 1"));
        assert_eq!(first_def(plain), first_def(decorated));
        let method = "class M:\n    async  def step(self):\n        pass\n";
        assert_eq!(
            first_def(method),
            fnv1a(b"async  def step(self):\n        pass")
        );
    }
}
