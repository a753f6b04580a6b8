//! Between the protocol's terms and the tool's: positions (lines and
//! UTF-16 or UTF-8 columns) and byte offsets, `file:` URIs and paths.

use std::path::{Path, PathBuf};

use lsp_types::{Position, Range, Uri};

/// How columns are counted: UTF-16 code units (the protocol's default) or
/// bytes (when the client offers `utf-8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Encoding {
    Utf8,
    Utf16,
}

/// Where a text's lines start, to turn byte offsets into positions and back.
pub(super) struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
    encoding: Encoding,
}

impl<'a> Lines<'a> {
    pub(super) fn new(text: &'a str, encoding: Encoding) -> Self {
        let mut starts = vec![0];
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => starts.push(i + 1),
                // A lone `\r` ends a line too; `\r\n` is one line end.
                b'\r' if bytes.get(i + 1) != Some(&b'\n') => starts.push(i + 1),
                _ => {}
            }
            i += 1;
        }
        Self {
            text,
            starts,
            encoding,
        }
    }

    /// The position of byte `offset` (clamped to the text, and back to a
    /// character boundary).
    pub(super) fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&start| start <= offset) - 1;
        let prefix = &self.text[self.starts[line]..offset];
        let character = match self.encoding {
            Encoding::Utf8 => prefix.len(),
            Encoding::Utf16 => prefix.encode_utf16().count(),
        };
        Position::new(line as u32, character as u32)
    }

    pub(super) fn range(&self, start: usize, end: usize) -> Range {
        Range::new(self.position(start), self.position(end))
    }

    /// The byte offset of `position` (a column past the line's end is its
    /// end, as the protocol says; a line past the last is the text's end).
    pub(super) fn offset(&self, position: Position) -> usize {
        let Some(&start) = self.starts.get(position.line as usize) else {
            return self.text.len();
        };
        let end = self
            .starts
            .get(position.line as usize + 1)
            .copied()
            .unwrap_or(self.text.len());
        let line = self.text[start..end].trim_end_matches(['\n', '\r']);
        let mut units = 0usize;
        for (i, c) in line.char_indices() {
            if units >= position.character as usize {
                return start + i;
            }
            units += match self.encoding {
                Encoding::Utf8 => c.len_utf8(),
                Encoding::Utf16 => c.len_utf16(),
            };
        }
        start + line.len()
    }

    /// The byte range of line `row` (0-based), without its line end.
    pub(super) fn line_bounds(&self, row: usize) -> Option<(usize, usize)> {
        let start = *self.starts.get(row)?;
        let end = self.starts.get(row + 1).copied().unwrap_or(self.text.len());
        let line = self.text[start..end].trim_end_matches(['\n', '\r']);
        Some((start, start + line.len()))
    }
}

/// The path a `file:` URI names (`None` for other schemes).
pub(super) fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    // `file:///path` (empty authority) or `file://localhost/path`.
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    if !rest.starts_with('/') {
        return None;
    }
    let bytes = rest.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() + 1 {
            if let Some(byte) = rest
                .get(i + 1..i + 3)
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
            {
                decoded.push(byte);
                i += 3;
                continue;
            }
        }
        decoded.push(bytes[i]);
        i += 1;
    }
    use std::os::unix::ffi::OsStringExt;
    Some(PathBuf::from(std::ffi::OsString::from_vec(decoded)))
}

/// The `file:` URI of an absolute path (bytes outside the unreserved set
/// and `/` are percent-encoded).
pub(super) fn path_to_uri(path: &Path) -> Uri {
    use std::os::unix::ffi::OsStrExt;
    let mut uri = String::from("file://");
    for &byte in path.as_os_str().as_bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte) {
            uri.push(byte as char);
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri.parse()
        .unwrap_or_else(|_| "file:///".parse().expect("`file:///` is a valid URI"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units_or_bytes() {
        let text = "a = 'é😀'\nb = 1\r\nc";
        let utf16 = Lines::new(text, Encoding::Utf16);
        let end_of_first = text.find('\n').unwrap();
        assert_eq!(utf16.position(end_of_first), Position::new(0, 9));
        assert_eq!(utf16.offset(Position::new(0, 9)), end_of_first);
        assert_eq!(utf16.position(text.len()), Position::new(2, 1));
        let utf8 = Lines::new(text, Encoding::Utf8);
        assert_eq!(
            utf8.position(end_of_first),
            Position::new(0, end_of_first as u32)
        );
        // A column past the end of a line is its end, before `\r\n`.
        assert_eq!(utf8.offset(Position::new(1, 99)), text.find('\r').unwrap());
    }

    #[test]
    fn uris_round_trip_paths_with_spaces_and_accents() {
        let path = Path::new("/tmp/my project/modèle.py");
        let uri = path_to_uri(path);
        assert_eq!(uri.as_str(), "file:///tmp/my%20project/mod%C3%A8le.py");
        assert_eq!(uri_to_path(&uri).as_deref(), Some(path));
    }
}
