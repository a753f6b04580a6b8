//! Checking one file again against the facts of a whole run: the other
//! files' summaries are kept from the run, so only the changed file is
//! read, parsed and summarised before the facts are propagated again (for
//! an editor, after every change).

use std::path::{Path, PathBuf};

use super::file::check_source_with;
use super::first_look::{first_pass, first_phase};
use super::first_pass::FirstPass;
use super::inputs::{Overlay, Round};
use super::propagation::Modules;
use super::second_look::needs_second_look;
use super::star::StarImports;
use super::{in_worker_pool, Mode};
use crate::codemod::Dependencies;
use crate::propagate::{ModuleSummary, Propagation};
use crate::report::FileReport;
use crate::settings::Settings;
use crate::source::SourceFile;

/// What a run's first look found of every file: its summary for the
/// propagation (before calls of inherited methods are resolved), kept to
/// check one file again with the others as they were.
pub struct ProjectFacts {
    paths: Vec<PathBuf>,
    call_sites_only: Vec<bool>,
    /// Per path: its summary, if it has one.
    summaries: Vec<Option<ModuleSummary>>,
    /// The summaries the demand search added (files that do not name
    /// TensorFlow, used by those that do).
    callees: Vec<ModuleSummary>,
}

impl ProjectFacts {
    /// The facts of the project made of `paths` (`call_sites_only` per
    /// path, or empty), with `texts` in place of the files they name.
    pub fn gather(
        paths: &[PathBuf],
        call_sites_only: &[bool],
        texts: &Overlay,
        settings: &Settings,
    ) -> Self {
        in_worker_pool(|| {
            let stars = StarImports::new(paths, texts);
            let round = Round {
                settings,
                mode: Mode::Check,
                overlay: texts,
                depends: Dependencies::of(crate::codemods::selected(settings)),
                stars: &stars,
                call_sites_only,
                budgets: None,
                cache: None,
                contents: None,
            };
            let (firsts, callees) = first_phase(paths, &round);
            ProjectFacts {
                paths: paths.to_vec(),
                call_sites_only: if call_sites_only.is_empty() {
                    vec![false; paths.len()]
                } else {
                    call_sites_only.to_vec()
                },
                summaries: firsts.into_iter().map(|first| first.summary).collect(),
                callees,
            }
        })
    }

    /// The files of the project.
    pub fn paths(&self) -> &[PathBuf] {
        &self.paths
    }

    /// Checks `path` with `text`, against the other files' facts as they
    /// were gathered: the report a whole run with `text` in place of the
    /// file would give it, but for what the demand search would find anew
    /// (a file that does not name TensorFlow and that only the new text
    /// uses is not summarised: the facts are then more conservative). A
    /// text that parses replaces the file's summary; one that does not
    /// leaves the last summary that did (its report is the syntax error).
    pub fn check(&mut self, path: &Path, text: String, settings: &Settings) -> FileReport {
        let i = match self.paths.iter().position(|p| p == path) {
            Some(i) => i,
            None => {
                self.paths.push(path.to_path_buf());
                self.call_sites_only.push(false);
                self.summaries.push(None);
                self.paths.len() - 1
            }
        };
        let overlay: Overlay = Overlay::from([(path.to_path_buf(), text)]);
        in_worker_pool(|| {
            let stars = StarImports::new(&self.paths, &overlay);
            let round = Round {
                settings,
                mode: Mode::Check,
                overlay: &overlay,
                depends: Dependencies::of(crate::codemods::selected(settings)),
                stars: &stars,
                call_sites_only: &self.call_sites_only,
                budgets: None,
                cache: None,
                contents: None,
            };
            let (first, _) = first_pass(i, path, self.call_sites_only[i], &round);
            // A syntax error, or a test file (only its call sites count).
            if first.report.error.is_some() || self.call_sites_only[i] {
                if first.summary.is_some() {
                    self.summaries[i] = first.summary;
                }
                return first.report;
            }
            if first.summary.is_none() {
                // Not TensorFlow code (any more): its report stands alone;
                // if the run used it for what its functions do, it is
                // summarised again as the demand search does.
                self.summaries[i] = None;
                let shown = crate::source::display(path);
                if let Some(callee) = self.callees.iter_mut().find(|c| c.path == shown) {
                    if let Some(summary) = summarise(path, &overlay[path], &stars) {
                        *callee = summary;
                    }
                }
                return first.report;
            }
            self.summaries[i] = first.summary.clone();
            let mut firsts: Vec<FirstPass> = self
                .paths
                .iter()
                .zip(&self.summaries)
                .enumerate()
                .map(|(k, (p, summary))| {
                    if k == i {
                        FirstPass::summarised(p, first.summary.clone())
                    } else {
                        FirstPass::summarised(p, summary.clone())
                    }
                })
                .collect();
            let modules = Modules::gather(&mut firsts, self.callees.clone());
            let Some(m) = modules.module_of[i] else {
                return first.report;
            };
            let propagation = Propagation::new(&modules.summaries);
            // As in the whole run's second look: when the other files
            // change nothing the findings depend on, the first report
            // stands.
            if modules.tf_classes[i].is_empty()
                && !needs_second_look(&first, &propagation, m, &round.depends)
            {
                let mut report = first.report;
                if !report.diagnostics.is_empty() {
                    report.source = Some(overlay[path].clone());
                }
                return report;
            }
            let project: Vec<_> = modules.summaries[m]
                .functions
                .iter()
                .map(|f| f.qualified_name.clone())
                .zip(propagation.module_facts(m))
                .collect();
            let file = SourceFile {
                path: path.to_path_buf(),
                text: overlay[path].clone(),
            };
            check_source_with(
                file,
                settings,
                Mode::Check,
                Some(&project),
                &modules.tf_classes[i],
                &first.star_imports,
                None,
            )
        })
    }
}

/// The summary of a file that does not name TensorFlow, as the demand
/// search makes it (`None` when it does not parse).
fn summarise(path: &Path, text: &str, stars: &StarImports) -> Option<ModuleSummary> {
    let file = SourceFile {
        path: path.to_path_buf(),
        text: text.to_string(),
    };
    let star_imports = stars.resolve(&file.path, &file.text);
    let parsed = file.parse().ok()?;
    let inputs = crate::semantic::ModelInputs {
        star_imports: &star_imports,
        ..crate::semantic::ModelInputs::default()
    };
    let semantic = crate::semantic::SemanticModel::new(parsed.syntax(), &file.text, inputs);
    Some(ModuleSummary::of_file(&semantic, &file.text, &file.path))
}

#[cfg(test)]
mod tests {
    use super::*;

    const UTIL: &str = "history = []\n\n\ndef log(value):\n    history.append(value)\n";
    const TRAIN: &str = "import tensorflow as tf\n\nfrom util import log\n\n\ndef step(x):\n    log(x)\n    return tf.reduce_sum(tf.nn.relu(x) * x)\n\n\nfor _ in range(3):\n    step(tf.ones([2]))\n";

    /// The findings as `check` would list them: code, message, range.
    fn findings(report: &FileReport) -> Vec<(String, String, u32, u32)> {
        report
            .diagnostics
            .iter()
            .map(|d| {
                (
                    d.code.to_string(),
                    d.message.clone(),
                    d.range.start().to_u32(),
                    d.range.end().to_u32(),
                )
            })
            .collect()
    }

    fn whole_run(paths: &[PathBuf], texts: &Overlay, path: &Path) -> FileReport {
        super::super::run_with_texts(
            paths,
            &[],
            texts,
            &Settings::default(),
            Mode::Check,
            &indicatif::ProgressBar::hidden(),
            &crate::report::KeepReports,
        )
        .into_iter()
        .find(|r| r.path == path)
        .unwrap()
    }

    #[test]
    fn one_file_checked_again_gets_the_whole_runs_report() {
        let dir = tempfile::tempdir().unwrap();
        let (util, train) = (dir.path().join("util.py"), dir.path().join("train.py"));
        std::fs::write(&util, UTIL).unwrap();
        std::fs::write(&train, TRAIN).unwrap();
        let paths = vec![train.clone(), util.clone()];
        let settings = Settings::default();
        let mut facts = ProjectFacts::gather(&paths, &[], &Overlay::default(), &settings);
        let report = facts.check(&train, TRAIN.to_string(), &settings);
        let expected = whole_run(&paths, &Overlay::default(), &train);
        assert_eq!(findings(&report), findings(&expected));
        assert!(
            report.diagnostics.iter().any(|d| d.code == "HY101"),
            "{report:?}"
        );
        // `log` no longer mutates anything: `step` becomes a candidate,
        // once the changed module is checked against the facts.
        let pure = UTIL.replace("history.append(value)", "return value");
        let report = facts.check(&util, pure.clone(), &settings);
        assert!(report.diagnostics.is_empty());
        let report = facts.check(&train, TRAIN.to_string(), &settings);
        let texts = Overlay::from([(util.clone(), pure)]);
        assert_eq!(
            findings(&report),
            findings(&whole_run(&paths, &texts, &train))
        );
        assert!(report.diagnostics.iter().any(|d| d.code == "HY001"));
        // While a module does not parse, its last facts that did stay (a
        // module without TensorFlow is not parsed for its own findings, as
        // in `check`).
        let report = facts.check(&util, "def log(:\n".to_string(), &settings);
        assert!(report.diagnostics.is_empty() && report.error.is_none());
        let report = facts.check(&train, TRAIN.to_string(), &settings);
        assert!(report.diagnostics.iter().any(|d| d.code == "HY001"));
        // TensorFlow code that does not parse: its syntax error.
        let report = facts.check(&train, TRAIN.replace("(x)", "(x"), &settings);
        assert!(report.error.as_ref().is_some_and(|e| e.is_syntax()));
    }
}
