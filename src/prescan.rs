//! What can be learnt about a file from its text before parsing it.

use std::sync::LazyLock;

use memchr::memmem::Finder;

/// Whether the text could import TensorFlow or Keras: whether it has
/// `tensorflow` or `keras` as a module name would be written in an import
/// (after a blank or a comma, before a dot, blank, comma, `;`, `)`, `#`,
/// backslash or the end), or `tf_keras` anywhere. Every import of them has
/// one, so a file for which this is false has nothing this tool reports: it
/// is not parsed unless the rest of the run needs its facts. Mentions such as
/// `tensorflow_probability` or `g-direct-tensorflow-import` do not count.
pub fn names_tensorflow(text: &str) -> bool {
    static FINDERS: LazyLock<[Finder<'static>; 3]> = LazyLock::new(|| {
        [
            Finder::new("tensorflow"),
            Finder::new("keras"),
            Finder::new("tf_keras"),
        ]
    });
    let [tensorflow, keras, tf_keras] = &*FINDERS;
    names_module(text, tensorflow)
        || names_module(text, keras)
        || tf_keras.find(text.as_bytes()).is_some()
}

fn names_module(text: &str, module: &Finder) -> bool {
    let bytes = text.as_bytes();
    let len = module.needle().len();
    module.find_iter(bytes).any(|at| {
        let before = at.checked_sub(1).map(|i| bytes[i]);
        let after = bytes.get(at + len).copied();
        matches!(
            before,
            None | Some(b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b',')
        ) && matches!(
            after,
            None | Some(
                b'.' | b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b',' | b';' | b')' | b'#' | b'\\'
            )
        )
    })
}

/// A byte that can be part of a Python name (any non-ASCII byte counts:
/// names may be Unicode).
fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// Every name the text may bind at the top of a module, sorted: each name
/// after `def` or `class`, and each name an `import` binds (`b` in
/// `import a.b as b` or `from a import b`, `a` in `import a.b`). A superset:
/// names in strings, comments and nested blocks count too.
pub fn bound_names(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut names = Vec::new();
    for keyword in ["def", "class"] {
        for at in keyword_offsets(text, keyword) {
            let mut i = at + keyword.len();
            if !matches!(bytes.get(i), Some(b' ' | b'\t')) {
                continue;
            }
            while matches!(bytes.get(i), Some(b' ' | b'\t')) {
                i += 1;
            }
            let start = i;
            while bytes.get(i).is_some_and(|&b| is_name_byte(b)) {
                i += 1;
            }
            // Non-ASCII bytes count as name bytes, so `i` is on a boundary.
            if i > start {
                names.push(&text[start..i]);
            }
        }
    }
    for at in keyword_offsets(text, "import") {
        names.extend(import_bindings(text, at + "import".len()));
    }
    names.sort_unstable();
    names.dedup();
    names
}

/// The star imports the text may have (`from common import *`, `from .ops
/// import *`): each as its level (leading dots) and module (empty for `from
/// . import *`). A superset, as for [`bound_names`]: the text of a string or
/// comment counts too; the tree tells which are real.
pub fn star_imports(text: &str) -> Vec<(u32, &str)> {
    let bytes = text.as_bytes();
    let blank = |b: u8| matches!(b, b' ' | b'\t' | b'\x0c' | b'\\' | b'\r' | b'\n');
    let mut found = Vec::new();
    for at in keyword_offsets(text, "import") {
        let mut i = at + "import".len();
        while bytes.get(i).is_some_and(|&b| blank(b)) {
            i += 1;
        }
        if bytes.get(i) != Some(&b'*') {
            continue;
        }
        // Back over the module (`a.b`, `..a`, `.`) to `from`.
        let mut end = at;
        while end > 0 && blank(bytes[end - 1]) {
            end -= 1;
        }
        let mut start = end;
        while start > 0 && (is_name_byte(bytes[start - 1]) || bytes[start - 1] == b'.') {
            start -= 1;
        }
        let module = &text[start..end];
        let mut from = start;
        while from > 0 && blank(bytes[from - 1]) {
            from -= 1;
        }
        if module.is_empty() || from < 4 || &text[from - 4..from] != "from" {
            continue;
        }
        if from > 4 && is_name_byte(bytes[from - 5]) {
            continue;
        }
        let name = module.trim_start_matches('.');
        let level = (module.len() - name.len()) as u32;
        found.push((level, name));
    }
    found
}

/// The offsets of `keyword` where it is a whole word.
fn keyword_offsets<'t>(text: &'t str, keyword: &'t str) -> impl Iterator<Item = usize> + 't {
    let bytes = text.as_bytes();
    memchr::memmem::find_iter(bytes, keyword.as_bytes()).filter(move |&at| {
        !(at > 0 && is_name_byte(bytes[at - 1])
            || bytes
                .get(at + keyword.len())
                .is_some_and(|&b| is_name_byte(b)))
    })
}

/// The names bound by the list after an `import` keyword that ends at
/// `from`: up to the end of the logical line, or the closing parenthesis.
fn import_bindings(text: &str, from: usize) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut i = from;
    while matches!(bytes.get(i), Some(b' ' | b'\t' | b'\x0c')) {
        i += 1;
    }
    let parenthesized = bytes.get(i) == Some(&b'(');
    if parenthesized {
        i += 1;
    }
    let start = i;
    while let Some(&b) = bytes.get(i) {
        let end = match b {
            b')' => parenthesized,
            b'#' | b';' => !parenthesized,
            b'\n' => !parenthesized && !text[..i].trim_end_matches('\r').ends_with('\\'),
            _ => false,
        };
        if end {
            break;
        }
        i += 1;
    }
    text[start..i]
        .lines()
        .map(|line| line.split('#').next().unwrap_or(line))
        .flat_map(|line| line.split(','))
        .filter_map(|item| {
            let words: Vec<&str> = item
                .split(|c: char| c.is_whitespace() || c == '\\')
                .filter(|w| !w.is_empty())
                .collect();
            let name = match words.as_slice() {
                [_, "as", alias, ..] => alias,
                [name, ..] => name.split('.').next()?,
                [] => return None,
            };
            (!name.is_empty() && name.bytes().all(is_name_byte)).then_some(name)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tensorflow_must_be_a_whole_name() {
        assert!(names_tensorflow("import tensorflow as tf\n"));
        assert!(names_tensorflow("from tensorflow.keras import layers\n"));
        assert!(names_tensorflow("import keras\n"));
        assert!(names_tensorflow("import tf_keras as keras\n"));
        assert!(names_tensorflow("import os, tensorflow"));
        assert!(!names_tensorflow(
            "import tensorflow_probability as tfp\n# The TensorFlow Authors\n"
        ));
        assert!(!names_tensorflow("from keras_tuner import x\n"));
        assert!(names_tensorflow("import os,tensorflow.compat.v1 as tf"));
        assert!(names_tensorflow(
            "import os, \\\n    tensorflow\\\n    as tf\n"
        ));
        assert!(!names_tensorflow(
            "# pylint: disable=g-direct-tensorflow-import\nimport numpy as np\n"
        ));
    }

    #[test]
    fn star_imports_are_found_with_their_level() {
        let text = "from common import *\nfrom .ops import  *  # re-export\nfrom . import *\nfrom ..a.b import \\\n    *\nfrom x import y\nimport *\nfromage import *\n";
        assert_eq!(
            star_imports(text),
            [(0, "common"), (1, "ops"), (1, ""), (2, "a.b")]
        );
        assert!(star_imports("import tensorflow as tf\n").is_empty());
    }

    #[test]
    fn bound_names_follow_def_class_and_import() {
        let text = "class Model(Base):\n    async def call(self):\n        pass\ndef  f\u{e9}(x): pass\nundefined = 1\nclassy = 2\n";
        assert_eq!(bound_names(text), ["Model", "call", "f\u{e9}"]);
        let text = "import a.b, c as d\nfrom e import (\n    F,  # why\n    G as H,\n)\nfrom . import i; import j\nfrom k import \\\n  l\nimportlib.import_module(m)\n";
        assert_eq!(bound_names(text), ["F", "H", "a", "d", "i", "j", "l"]);
    }
}
