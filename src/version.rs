//! TensorFlow versions: the target a project runs on, and the version each
//! API a fix introduces needs.

use std::fmt;
use std::str::FromStr;

/// A TensorFlow `major.minor` version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct TfVersion {
    pub major: u32,
    pub minor: u32,
}

impl TfVersion {
    /// The newest TensorFlow this tool knows, the default target.
    pub const NEWEST: TfVersion = TfVersion::new(2, 21);

    pub const fn new(major: u32, minor: u32) -> Self {
        Self { major, minor }
    }
}

impl fmt::Display for TfVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl FromStr for TfVersion {
    type Err = String;

    /// Accepts `2`, `2.9`, `2.9.1`, `2.9.0rc1` (the patch part is ignored).
    /// A major or minor part that is not a number, or is too large to be a
    /// version, is an error: it must not be read as some other version.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || {
            format!(
                "`{}` is not a version like `2.9`",
                crate::source::escape_control(text)
            )
        };
        let mut parts = text.trim().split('.');
        let major = parts.next().and_then(number).ok_or_else(invalid)?;
        let minor = match parts.next() {
            Some(part) => number(part).ok_or_else(invalid)?,
            None => 0,
        };
        Ok(Self::new(major, minor))
    }
}

/// The leading digits of a version part (`9` of `9rc1`), when there are
/// some and they fit a version number (at most four digits).
fn number(part: &str) -> Option<u32> {
    let digits = part.len() - part.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 || digits > 4 {
        return None;
    }
    part[..digits].parse().ok()
}

/// The oldest TensorFlow version a requirement specifier allows
/// (`tensorflow>=2.4,<3` → 2.4; `tensorflow==2.8.*` → 2.8). `None` when it
/// sets no lower bound.
pub fn lower_bound(specifier: &str) -> Option<TfVersion> {
    specifier
        .split(',')
        .filter_map(|clause| {
            let clause = clause.trim();
            let version = ["===", "==", "~=", ">="]
                .iter()
                .find_map(|op| clause.strip_prefix(op))
                .or_else(|| clause.strip_prefix('>'))?;
            version.trim().trim_end_matches(".*").parse().ok()
        })
        .max()
}

/// The TensorFlow version required by a requirement line such as
/// `tensorflow-cpu>=2.4,<2.10 ; python_version > "3.8"`, if the line is about
/// TensorFlow.
pub fn from_requirement(line: &str) -> Option<Option<TfVersion>> {
    let line = line.split('#').next()?.split(';').next()?.trim();
    let name_end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
        .unwrap_or(line.len());
    let name = line[..name_end].to_ascii_lowercase().replace('_', "-");
    let name = name.split('[').next().unwrap_or(&name);
    if !matches!(
        name,
        "tensorflow" | "tensorflow-cpu" | "tensorflow-gpu" | "tensorflow-macos" | "tf-nightly"
    ) {
        return None;
    }
    let rest = line[name_end..].trim_start();
    let rest = match rest.strip_prefix('[') {
        Some(extras) => extras.split_once(']').map_or("", |(_, after)| after),
        None => rest,
    };
    Some(lower_bound(rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirement_lines_give_their_lower_bound() {
        let v = |s: &str| from_requirement(s);
        assert_eq!(v("tensorflow==2.8.0"), Some(Some(TfVersion::new(2, 8))));
        assert_eq!(
            v("tensorflow-cpu>=2.4,<2.10"),
            Some(Some(TfVersion::new(2, 4)))
        );
        assert_eq!(
            v("tensorflow[and-cuda]~=2.15.0 ; python_version>'3.9'"),
            Some(Some(TfVersion::new(2, 15)))
        );
        assert_eq!(v("tensorflow<2.10"), Some(None));
        assert_eq!(v("tensorflow"), Some(None));
        assert_eq!(v("tensorflow-probability==0.25"), None);
        assert_eq!(v("numpy>=1.20"), None);
    }

    #[test]
    fn versions_parse_or_are_refused() {
        let parse = |s: &str| s.parse::<TfVersion>();
        assert_eq!(parse("2"), Ok(TfVersion::new(2, 0)));
        assert_eq!(parse("2.9"), Ok(TfVersion::new(2, 9)));
        assert_eq!(parse("2.9.0rc1"), Ok(TfVersion::new(2, 9)));
        assert_eq!(parse(" 2.15.1 "), Ok(TfVersion::new(2, 15)));
        for bad in ["", "x", "2.x", "2.", "2.999999999999999999999", "99999.1"] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
