//! Reaching TensorFlow from new code: the module's own alias when it has
//! one, otherwise an `import` statement added in the same fix.

use ruff_diagnostics::Edit;
use ruff_python_ast::{ModModule, Stmt};
use ruff_python_codegen::Stylist;
use ruff_text_size::{Ranged, TextSize};

use crate::names::ImportMap;

pub struct Importer<'a> {
    source: &'a str,
    module: &'a ModModule,
    imports: &'a ImportMap<'a>,
    stylist: &'a Stylist<'a>,
}

impl<'a> Importer<'a> {
    pub fn new(
        source: &'a str,
        module: &'a ModModule,
        imports: &'a ImportMap<'a>,
        stylist: &'a Stylist<'a>,
    ) -> Self {
        Self {
            source,
            module,
            imports,
            stylist,
        }
    }

    /// The expression for `tensorflow.<attribute>` in this module (`tf.print`)
    /// and the edit that adds the import it needs, if any. `None` when every
    /// name for TensorFlow is taken by something else.
    pub fn tensorflow_attribute(&self, attribute: &str) -> Option<(String, Option<Edit>)> {
        if let Some(alias) = self.imports.tensorflow_alias() {
            return Some((format!("{alias}.{attribute}"), None));
        }
        // `from tensorflow import *` (or `from tensorflow import function`)
        // bound the name itself.
        if self
            .imports
            .binding(attribute)
            .is_some_and(|qualified| qualified.strip_prefix("tensorflow.") == Some(attribute))
        {
            return Some((attribute.to_string(), None));
        }
        let statement = if !self.imports.is_bound("tf") {
            ("tf", "import tensorflow as tf")
        } else if !self.imports.is_bound("tensorflow") {
            ("tensorflow", "import tensorflow")
        } else {
            return None;
        };
        Some((
            format!("{}.{attribute}", statement.0),
            Some(self.add_import(statement.1)),
        ))
    }

    /// An edit inserting `statement` on its own line after the module's
    /// top-level imports (or its docstring and `__future__` imports).
    fn add_import(&self, statement: &str) -> Edit {
        let line_ending = self.stylist.line_ending().as_str();
        let body = &self.module.body;
        let last_import = body
            .iter()
            .take_while(|stmt| is_preamble(stmt))
            .chain(
                body.iter()
                    .filter(|stmt| matches!(stmt, Stmt::Import(_) | Stmt::ImportFrom(_))),
            )
            .map(Ranged::end)
            .max();
        match last_import {
            Some(end) => {
                let (at, needs_newline) = self.next_line_start(end);
                let content = if needs_newline {
                    format!("{line_ending}{statement}{line_ending}")
                } else {
                    format!("{statement}{line_ending}")
                };
                Edit::insertion(content, at)
            }
            None => {
                let at = body.first().map_or_else(
                    || {
                        let len = self.source.len();
                        TextSize::try_from(len).unwrap_or_default()
                    },
                    |first| self.line_start(first.start()),
                );
                let needs_newline = at.to_usize() == self.source.len()
                    && !self.source.is_empty()
                    && !self.source.ends_with('\n')
                    && !self.source.ends_with('\r');
                let content = if needs_newline {
                    format!("{line_ending}{statement}{line_ending}")
                } else {
                    format!("{statement}{line_ending}")
                };
                Edit::insertion(content, at)
            }
        }
    }

    /// The start of the line after the one containing `offset`, and whether
    /// the file ends first (so a line break must be added before new text).
    fn next_line_start(&self, offset: TextSize) -> (TextSize, bool) {
        let rest = &self.source[offset.to_usize()..];
        match rest.find(['\n', '\r']) {
            Some(i) => {
                let mut end = offset.to_usize() + i;
                if self.source[end..].starts_with("\r\n") {
                    end += 2;
                } else {
                    end += 1;
                }
                (TextSize::try_from(end).unwrap_or_default(), false)
            }
            None => (
                TextSize::try_from(self.source.len()).unwrap_or_default(),
                true,
            ),
        }
    }

    fn line_start(&self, offset: TextSize) -> TextSize {
        let before = &self.source[..offset.to_usize()];
        let start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
        // Never insert in front of a byte-order mark.
        let start = if start == 0 && self.source.starts_with('\u{feff}') {
            3
        } else {
            start
        };
        TextSize::try_from(start).unwrap_or_default()
    }
}

/// A docstring or `from __future__ import` at the top of a module.
fn is_preamble(stmt: &Stmt) -> bool {
    match stmt {
        Stmt::Expr(expr) => expr.value.is_string_literal_expr(),
        Stmt::ImportFrom(import) => import
            .module
            .as_ref()
            .is_some_and(|m| m.id.as_str() == "__future__"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn import_for(source: &str) -> String {
        let parsed = ruff_python_parser::parse_module(source).unwrap();
        let stylist = Stylist::from_tokens(parsed.tokens(), source);
        let imports = ImportMap::from_module(parsed.syntax());
        let importer = Importer::new(source, parsed.syntax(), &imports, &stylist);
        let (expr, edit) = importer.tensorflow_attribute("print").unwrap();
        let mut out = source.to_string();
        if let Some(edit) = edit {
            out.insert_str(edit.start().to_usize(), edit.content().unwrap());
        }
        format!("{expr}\n---\n{out}")
    }

    #[test]
    fn uses_the_existing_alias() {
        assert_eq!(
            import_for("import tensorflow as tfx\n"),
            "tfx.print\n---\nimport tensorflow as tfx\n"
        );
    }

    #[test]
    fn adds_the_import_after_the_last_import_in_the_file_line_ending() {
        assert_eq!(
            import_for("\"\"\"Doc.\"\"\"\r\nimport os\r\nfrom tensorflow import function\r\n\r\nx = 1\r\n"),
            "tf.print\n---\n\"\"\"Doc.\"\"\"\r\nimport os\r\nfrom tensorflow import function\r\nimport tensorflow as tf\r\n\r\nx = 1\r\n"
        );
    }

    #[test]
    fn adds_the_import_before_the_first_statement_keeping_header_comments() {
        assert_eq!(
            import_for("#!/usr/bin/env python\nx = 1\n"),
            "tf.print\n---\n#!/usr/bin/env python\nimport tensorflow as tf\nx = 1\n"
        );
    }

    #[test]
    fn an_alias_imported_in_a_function_is_not_used_at_module_level() {
        assert_eq!(
            import_for("tf = None\n\n\ndef load():\n    global tf\n    import tensorflow as tf\n"),
            "tensorflow.print\n---\nimport tensorflow\ntf = None\n\n\ndef load():\n    global tf\n    import tensorflow as tf\n"
        );
    }

    #[test]
    fn avoids_a_taken_tf_name() {
        assert_eq!(
            import_for("import numpy as tf\n"),
            "tensorflow.print\n---\nimport numpy as tf\nimport tensorflow\n"
        );
    }
}
