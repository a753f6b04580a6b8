//! The demand search of the first phase: which files that do not name
//! TensorFlow a run still needs summarised, because a function or class
//! they bind is used by a module that was (transitively, and through
//! re-exports).

use std::path::PathBuf;
use std::sync::Mutex;

use rustc_hash::{FxHashMap, FxHashSet};

use super::cached::demand_key;
use super::inputs::{read, Overlay};
use super::star::StarImports;
use crate::cache::Cache;
use crate::names::StarImport;
use crate::prescan;
use crate::propagate::summary::absolute_name;
use crate::propagate::{module_names, ModuleSummary};
use crate::semantic::effects::Callee;
use crate::semantic::{ModelInputs, SemanticModel};
use crate::source::SourceFile;

/// The search for the skipped files a run needs (see
/// [`super::first_look::first_phase`]).
pub(super) struct Demand<'a> {
    state: Mutex<DemandState<'a>>,
    summaries: Mutex<Vec<(usize, ModuleSummary)>>,
    paths: &'a [PathBuf],
    overlay: &'a Overlay,
    stars: &'a StarImports<'a>,
    cache: Option<&'a Cache>,
}

impl<'a> Demand<'a> {
    /// A search over the files of `paths`, none read yet.
    pub(super) fn new(
        paths: &'a [PathBuf],
        overlay: &'a Overlay,
        stars: &'a StarImports<'a>,
        cache: Option<&'a Cache>,
    ) -> Self {
        Demand {
            state: Mutex::new(DemandState {
                by_name: stars.files_by_name(),
                files: (0..paths.len())
                    .map(|_| FileDemand::Unread(Vec::new()))
                    .collect(),
                seen: Default::default(),
                ready: Vec::new(),
            }),
            summaries: Mutex::new(Vec::new()),
            paths,
            overlay,
            stars,
            cache,
        }
    }

    /// A file was summarised by the first look: looks for what it refers to.
    pub(super) fn summarised_first<'s>(&'s self, scope: &rayon::Scope<'s>, summary: &ModuleSummary)
    where
        'a: 's,
    {
        self.follow(scope, |state| state.follow(summary, &[]));
    }

    /// File `i` was skipped (it does not name TensorFlow): it is summarised
    /// now if what was looked for so far makes it needed; otherwise the
    /// names it may bind are kept for what is looked for later.
    pub(super) fn skipped<'s>(&'s self, scope: &rayon::Scope<'s>, i: usize, text: String)
    where
        'a: 's,
    {
        let bound = prescan::bound_names(&text)
            .into_iter()
            .map(Box::from)
            .collect();
        let stars = star_modules(&self.paths[i], &text);
        let wanted = self.state.lock().expect("demand").skipped(i, bound, stars);
        if wanted {
            self.summarise(scope, i, Some(text));
        }
    }

    /// File `i` could not be read or parsed: nothing is looked for in it.
    pub(super) fn unreadable(&self, i: usize) {
        self.state.lock().expect("demand").files[i] = FileDemand::Parsed;
    }

    /// The summaries of the skipped files found needed, in file order.
    pub(super) fn into_summaries(self) -> Vec<ModuleSummary> {
        let mut summaries = self.summaries.into_inner().expect("summaries");
        summaries.sort_unstable_by_key(|(i, _)| *i);
        summaries.into_iter().map(|(_, s)| s).collect()
    }

    /// Runs `look` on the state, then summarises the files it made ready.
    fn follow<'s>(&'s self, scope: &rayon::Scope<'s>, look: impl FnOnce(&mut DemandState))
    where
        'a: 's,
    {
        let ready = {
            let mut state = self.state.lock().expect("demand");
            look(&mut state);
            std::mem::take(&mut state.ready)
        };
        for i in ready {
            scope.spawn(move |scope| self.summarise(scope, i, None));
        }
    }

    /// Summarises skipped file `i` (its text when at hand) and looks for
    /// what it refers to.
    fn summarise<'s>(&'s self, scope: &rayon::Scope<'s>, i: usize, text: Option<String>)
    where
        'a: 's,
    {
        let text = match text {
            Some(text) => Some(text),
            None => read(&self.paths[i], self.overlay)
                .ok()
                .map(|file| file.text),
        };
        let summary = text.and_then(|text| {
            let file = SourceFile {
                path: self.paths[i].clone(),
                text,
            };
            let star_imports = self.stars.resolve(&file.path, &file.text);
            let Some(cache) = self.cache else {
                return summarise_file(&file, &star_imports);
            };
            let key = demand_key(cache, &file.path, &file.text, &star_imports);
            if let Some(summary) = cache.get::<Option<ModuleSummary>>(key) {
                return summary;
            }
            let summary = summarise_file(&file, &star_imports);
            cache.put(key, &summary);
            summary
        });
        self.follow(scope, |state| state.summarised(i, summary.as_ref()));
        if let Some(summary) = summary {
            self.summaries.lock().expect("summaries").push((i, summary));
        }
    }
}

/// The summary of a file, made to be propagated (`None`: it does not
/// parse).
pub(super) fn summarise_file(
    file: &SourceFile,
    star_imports: &[StarImport],
) -> Option<ModuleSummary> {
    let parsed = file.parse().ok()?;
    let inputs = ModelInputs {
        star_imports,
        ..ModelInputs::default()
    };
    // A panic here loses the names of a file that is no TensorFlow module:
    // calls into it stay unknown, as if it did not parse.
    super::contain::contained(&file.path, || {
        let semantic = SemanticModel::new(parsed.syntax(), &file.text, inputs);
        ModuleSummary::of_file(&semantic, &file.text, &file.path)
    })
    .ok()
}

/// What the search knows of each file, and what it has looked for.
struct DemandState<'a> {
    /// Every dotted name of every file → the files.
    by_name: &'a FxHashMap<String, Vec<usize>>,
    files: Vec<FileDemand>,
    /// The names looked for so far, as functions and as classes.
    seen: [FxHashSet<Box<str>>; 2],
    /// Skipped files found needed, to summarise.
    ready: Vec<usize>,
}

enum FileDemand {
    /// Not read yet: the names looked for in it so far (and whether as a
    /// class).
    Unread(Vec<(Box<str>, bool)>),
    /// Parsed in the first phase (or unreadable).
    Parsed,
    /// Skipped: the names it may bind (`def`, `class`, `import`), sorted,
    /// the modules it may star-import (absolute names), and whether it is
    /// needed.
    Skipped {
        bound: Vec<Box<str>>,
        stars: Vec<String>,
        wanted: Wanted,
    },
}

/// Whether a skipped file is needed: not (yet); yes, with the classes
/// looked for in it; or summarised, with the classes it imports.
enum Wanted {
    No,
    Pending(Vec<String>),
    Done(Vec<(String, String)>),
}

impl DemandState<'_> {
    /// Records that file `i` was skipped; whether the names looked for in it
    /// before it was read make it needed now.
    fn skipped(&mut self, i: usize, bound: Vec<Box<str>>, stars: Vec<String>) -> bool {
        let FileDemand::Unread(looked_for) =
            std::mem::replace(&mut self.files[i], FileDemand::Parsed)
        else {
            return false;
        };
        let binds = |name: &str| bound.binary_search_by(|b| (**b).cmp(name)).is_ok();
        let mut needed = false;
        let mut classes = Vec::new();
        let mut through_stars = Vec::new();
        for (name, class) in looked_for {
            if binds(&name) {
                needed = true;
                if class && !classes.iter().any(|c: &String| **c == *name) {
                    classes.push(name.into());
                }
            } else if !stars.is_empty() {
                // Perhaps defined in a module it star-imports: the
                // propagation looks there through its summary.
                needed = true;
                through_stars.push((name, class));
            }
        }
        let wanted = if needed {
            Wanted::Pending(classes)
        } else {
            Wanted::No
        };
        for (name, class) in through_stars {
            for star in &stars {
                self.look_for(&format!("{star}.{name}"), class);
            }
        }
        self.files[i] = FileDemand::Skipped {
            bound,
            stars,
            wanted,
        };
        needed
    }

    /// Records that skipped file `i` is summarised (`None`: it does not
    /// parse), and looks for what it refers to, with the classes looked
    /// for in it so far.
    fn summarised(&mut self, i: usize, summary: Option<&ModuleSummary>) {
        let imports = summary.map(|s| s.class_imports.clone()).unwrap_or_default();
        let FileDemand::Skipped { wanted, .. } = &mut self.files[i] else {
            return;
        };
        let Wanted::Pending(classes) = std::mem::replace(wanted, Wanted::Done(imports)) else {
            return;
        };
        if let Some(summary) = summary {
            self.follow(summary, &classes);
        }
    }

    /// Looks for what `summary` refers to in other modules: every function
    /// it calls and every class it derives from (bases are resolved through
    /// the module's own imports), and, of the classes it imports, those
    /// looked for in it (`classes`: it re-exports them).
    fn follow(&mut self, summary: &ModuleSummary, classes: &[String]) {
        for name in imported_calls(summary) {
            self.look_for(name, false);
        }
        for base in summary.classes.iter().flat_map(|class| &class.bases) {
            self.look_for(base, true);
        }
        for (local, qualified) in &summary.class_imports {
            if classes.contains(local) {
                self.look_for(qualified, true);
            }
        }
    }

    /// `a.b.f` may be `f` in module `a.b`, or `b.f` in package `a`: every
    /// skipped module named by a prefix that binds the next name is needed.
    fn look_for(&mut self, name: &str, class: bool) {
        // Looking for the same name again finds nothing new.
        let seen = &mut self.seen[usize::from(class)];
        if seen.contains(name) {
            return;
        }
        seen.insert(name.into());
        let mut later: Vec<(String, String)> = Vec::new();
        let mut through_stars: Vec<String> = Vec::new();
        let mut prefix = name;
        while let Some((head, _)) = prefix.rsplit_once('.') {
            prefix = head;
            let Some(files) = self.by_name.get(head) else {
                continue;
            };
            let rest = &name[head.len() + 1..];
            let first = rest.split('.').next().unwrap_or(rest);
            for &i in files {
                match &mut self.files[i] {
                    FileDemand::Parsed => {}
                    FileDemand::Unread(looked_for) => {
                        if !looked_for.iter().any(|(n, c)| **n == *first && *c == class) {
                            looked_for.push((first.into(), class));
                        }
                    }
                    FileDemand::Skipped {
                        bound,
                        stars,
                        wanted,
                    } => {
                        if bound.binary_search_by(|b| (**b).cmp(first)).is_err() {
                            if stars.is_empty() {
                                continue;
                            }
                            // Perhaps defined in a module it star-imports.
                            through_stars
                                .extend(stars.iter().map(|star| format!("{star}.{first}")));
                            if let Wanted::No = wanted {
                                *wanted = Wanted::Pending(Vec::new());
                                self.ready.push(i);
                            }
                            continue;
                        }
                        match wanted {
                            Wanted::No => {
                                let classes = if class {
                                    vec![first.to_string()]
                                } else {
                                    Vec::new()
                                };
                                *wanted = Wanted::Pending(classes);
                                self.ready.push(i);
                            }
                            Wanted::Pending(classes) => {
                                if class && !classes.iter().any(|c| c == first) {
                                    classes.push(first.to_string());
                                }
                            }
                            // Summarised already: follow its import of the
                            // class.
                            Wanted::Done(imports) => {
                                if class {
                                    later.extend(
                                        imports.iter().filter(|(local, _)| local == first).cloned(),
                                    );
                                }
                            }
                        }
                    }
                }
            }
        }
        for (_, qualified) in later {
            self.look_for(&qualified, true);
        }
        for name in through_stars {
            self.look_for(&name, class);
        }
    }
}

/// The names of the functions in other modules that this summary calls.
fn imported_calls(summary: &ModuleSummary) -> impl Iterator<Item = &str> {
    summary
        .functions
        .iter()
        .flat_map(|f| &f.calls)
        .chain(&summary.module_calls)
        .filter_map(|call| match &call.callee {
            Callee::External(name) => Some(name.as_str()),
            _ => None,
        })
}

/// The absolute names of the modules the text of the file at `path` may
/// star-import (see [`prescan::star_imports`]).
fn star_modules(path: &std::path::Path, text: &str) -> Vec<String> {
    let found = prescan::star_imports(text);
    if found.is_empty() {
        return Vec::new();
    }
    let names = module_names(path);
    let is_package = path.file_stem().is_some_and(|stem| stem == "__init__");
    found
        .into_iter()
        .filter_map(|(level, module)| {
            if level == 0 {
                return Some(module.to_string());
            }
            let relative = format!("{}{module}", ".".repeat(level as usize));
            absolute_name(&relative, &names, is_package)
        })
        .collect()
}
