//! What a codemod sees of a file: its text, AST, tokens, semantic model and
//! style, and a place to report findings.

use std::path::Path;

use ruff_python_ast::token::Tokens;
use ruff_python_ast::ModModule;
use ruff_python_codegen::Stylist;

use crate::diagnostic::Diagnostic;
use crate::importer::Importer;
use crate::semantic::SemanticModel;
use crate::settings::Settings;
use crate::version::TfVersion;

pub struct Checker<'a, 's: 'a> {
    pub path: &'a Path,
    pub source: &'a str,
    pub module: &'s ModModule,
    pub tokens: &'a Tokens,
    pub semantic: &'a SemanticModel<'s>,
    pub stylist: &'a Stylist<'a>,
    pub settings: &'a Settings,
    pub importer: Importer<'a>,
    /// Per function (by id): what a profiled run observed of it, when
    /// `--profile` gives an entry that matches its current source.
    observed: Vec<Option<&'a crate::observe::Entry>>,
    diagnostics: Vec<Diagnostic>,
}

impl<'a, 's: 'a> Checker<'a, 's> {
    /// The 1-based line of `offset` in the file.
    pub fn line_number(&self, offset: ruff_text_size::TextSize) -> usize {
        self.semantic.line_number(self.source, offset)
    }

    pub fn new(
        path: &'a Path,
        source: &'a str,
        module: &'s ModModule,
        tokens: &'a Tokens,
        semantic: &'a SemanticModel<'s>,
        stylist: &'a Stylist<'a>,
        settings: &'a Settings,
    ) -> Self {
        Self {
            path,
            source,
            module,
            tokens,
            semantic,
            stylist,
            settings,
            importer: Importer::new(source, module, &semantic.imports, stylist),
            observed: settings.profile.as_ref().map_or_else(Vec::new, |profile| {
                profile.entries_for(
                    path,
                    source,
                    semantic
                        .functions
                        .iter()
                        .map(|f| (f.qualified_name.as_str(), f.def)),
                )
            }),
            diagnostics: Vec::new(),
        }
    }

    /// What the profiled run (`--profile`) observed of function `id`.
    pub fn observed(&self, id: crate::semantic::FunctionId) -> Option<&'a crate::observe::Entry> {
        self.observed.get(id).copied().flatten()
    }

    pub fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diagnostics
    }

    /// `None` when the target TensorFlow version has `api`; otherwise the
    /// sentence that explains why a fix using it is not offered.
    pub fn missing_api(&self, api: &str, needs: TfVersion) -> Option<String> {
        let target = self.settings.tensorflow_version;
        (target < needs).then(|| {
            format!(
                "no fix offered: `{api}` needs TensorFlow {needs}, and the target is {target} ({})",
                self.settings.tensorflow_version_origin
            )
        })
    }
}
