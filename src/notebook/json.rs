//! A JSON reader that keeps where each value is in the file: enough to find
//! a notebook's cells and the bytes of each cell's `source`, so that a
//! changed source can be spliced into the file instead of re-serialising it.
//! The text is validated by `serde_json` first; this reader only locates.

use std::ops::Range;

/// A value and the bytes it spans.
#[derive(Debug)]
pub struct Node {
    pub span: Range<usize>,
    pub value: Value,
}

#[derive(Debug)]
pub enum Value {
    /// Members in file order, with their keys decoded.
    Object(Vec<(String, Node)>),
    Array(Vec<Node>),
    /// A string; its span includes the quotes.
    String,
    /// A number, `true`, `false` or `null`.
    Other,
}

impl Node {
    /// The member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The decoded text of a string value.
    pub fn string(&self, text: &str) -> Option<String> {
        match self.value {
            Value::String => serde_json::from_str(&text[self.span.clone()]).ok(),
            _ => None,
        }
    }
}

/// Locates every value of `text`, a valid JSON document.
pub fn parse(text: &str) -> Option<Node> {
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        at: 0,
    };
    let node = reader.value()?;
    reader.whitespace();
    (reader.at == reader.bytes.len()).then_some(node)
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn whitespace(&mut self) {
        while self
            .bytes
            .get(self.at)
            .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        {
            self.at += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        self.whitespace();
        (self.bytes.get(self.at) == Some(&byte)).then(|| self.at += 1)
    }

    fn value(&mut self) -> Option<Node> {
        self.whitespace();
        let start = self.at;
        let value = match *self.bytes.get(self.at)? {
            b'{' => {
                self.at += 1;
                let mut members = Vec::new();
                self.whitespace();
                if self.bytes.get(self.at) == Some(&b'}') {
                    self.at += 1;
                } else {
                    loop {
                        self.whitespace();
                        let key = self.string_span()?;
                        let key: String = serde_json::from_str(&self.text[key]).ok()?;
                        self.expect(b':')?;
                        members.push((key, self.value()?));
                        self.whitespace();
                        match self.bytes.get(self.at)? {
                            b',' => self.at += 1,
                            b'}' => {
                                self.at += 1;
                                break;
                            }
                            _ => return None,
                        }
                    }
                }
                Value::Object(members)
            }
            b'[' => {
                self.at += 1;
                let mut items = Vec::new();
                self.whitespace();
                if self.bytes.get(self.at) == Some(&b']') {
                    self.at += 1;
                } else {
                    loop {
                        items.push(self.value()?);
                        self.whitespace();
                        match self.bytes.get(self.at)? {
                            b',' => self.at += 1,
                            b']' => {
                                self.at += 1;
                                break;
                            }
                            _ => return None,
                        }
                    }
                }
                Value::Array(items)
            }
            b'"' => {
                self.string_span()?;
                Value::String
            }
            _ => {
                while self.bytes.get(self.at).is_some_and(|b| {
                    !matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
                }) {
                    self.at += 1;
                }
                if self.at == start {
                    return None;
                }
                Value::Other
            }
        };
        Some(Node {
            span: start..self.at,
            value,
        })
    }

    /// The span of the string that starts here, quotes included.
    fn string_span(&mut self) -> Option<Range<usize>> {
        let start = self.at;
        (self.bytes.get(self.at) == Some(&b'"')).then_some(())?;
        self.at += 1;
        loop {
            match *self.bytes.get(self.at)? {
                b'\\' => self.at += 2,
                b'"' => {
                    self.at += 1;
                    return Some(start..self.at);
                }
                _ => self.at += 1,
            }
        }
    }
}

/// The byte offset, within `raw` (a JSON string with its quotes), of the
/// character at byte `decoded` of the decoded string (the end of `raw`'s
/// content when `decoded` is past it).
pub fn raw_offset(raw: &str, decoded: usize) -> usize {
    let bytes = raw.as_bytes();
    let end = raw.len().saturating_sub(1);
    let mut at = 1;
    let mut seen = 0;
    while at < end && seen < decoded {
        if bytes[at] == b'\\' {
            if bytes.get(at + 1) == Some(&b'u') {
                let code =
                    u32::from_str_radix(raw.get(at + 2..at + 6).unwrap_or("0"), 16).unwrap_or(0);
                if (0xd800..0xdc00).contains(&code) && raw.get(at + 6..at + 8) == Some("\\u") {
                    // A surrogate pair: one character of four bytes.
                    at += 12;
                    seen += 4;
                } else {
                    at += 6;
                    seen += char::from_u32(code).map_or(3, char::len_utf8);
                }
            } else {
                at += 2;
                seen += 1;
            }
        } else {
            let width = raw[at..].chars().next().map_or(1, char::len_utf8);
            at += width;
            seen += width;
        }
    }
    at.min(end.max(1))
}

/// `text` as a JSON string, escaped as Python's `json.dumps(...,
/// ensure_ascii=False)` escapes it (what `nbformat` writes).
pub fn quote(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_located_with_their_spans() {
        let text = r#"{"a": [1, "x\"y"], "b": {"c": null}}"#;
        let node = parse(text).unwrap();
        let a = node.get("a").unwrap();
        assert_eq!(&text[a.span.clone()], r#"[1, "x\"y"]"#);
        let Value::Array(items) = &a.value else {
            panic!()
        };
        assert_eq!(items[1].string(text).unwrap(), "x\"y");
        assert_eq!(&text[node.get("b").unwrap().span.clone()], r#"{"c": null}"#);
    }

    #[test]
    fn decoded_offsets_map_to_raw_offsets() {
        let raw = r#""a\"bé\u00e9\ud83d\ude00c""#;
        assert_eq!(raw_offset(raw, 0), 1);
        assert_eq!(raw_offset(raw, 1), 2);
        assert_eq!(raw_offset(raw, 2), 4); // after \"
        assert_eq!(raw_offset(raw, 3), 5); // after b
        assert_eq!(raw_offset(raw, 5), 7); // after é (2 bytes)
        assert_eq!(raw_offset(raw, 7), 13); // after \u00e9
        assert_eq!(raw_offset(raw, 11), 25); // after the surrogate pair
        assert_eq!(&raw[raw_offset(raw, 11)..], "c\"");
    }
}
