//! `verify --compare-output`: does a run print what the baseline printed?
//! Lines are compared in order; in a line, numbers (integers, decimals,
//! scientific notation, `nan`, `inf`) agree when they are within a
//! relative tolerance, and all other text must be the same.

/// Where two outputs first disagree: the line (1-based) and its text on
/// each side (`None` where that side has no such line).
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    pub line: usize,
    pub baseline: Option<String>,
    pub with: Option<String>,
}

/// The first line where `with` differs from `baseline` beyond `rtol`, or
/// `None` when they agree.
pub fn first_difference(baseline: &str, with: &str, rtol: f64) -> Option<Difference> {
    let mut expected = baseline.lines();
    let mut got = with.lines();
    let mut line = 0;
    loop {
        line += 1;
        match (expected.next(), got.next()) {
            (None, None) => return None,
            (a, b) => {
                let same = match (a, b) {
                    (Some(a), Some(b)) => lines_agree(a, b, rtol),
                    _ => false,
                };
                if !same {
                    return Some(Difference {
                        line,
                        baseline: a.map(str::to_string),
                        with: b.map(str::to_string),
                    });
                }
            }
        }
    }
}

#[derive(Debug, PartialEq)]
enum Token<'a> {
    Text(&'a str),
    Number(f64),
}

fn lines_agree(a: &str, b: &str, rtol: f64) -> bool {
    if a == b {
        return true;
    }
    let (a, b) = (tokens(a), tokens(b));
    a.len() == b.len()
        && a.iter().zip(&b).all(|pair| match pair {
            (Token::Text(x), Token::Text(y)) => x == y,
            (Token::Number(x), Token::Number(y)) => close(*x, *y, rtol),
            _ => false,
        })
}

/// Whether `a` and `b` agree within the relative tolerance `rtol` (two NaNs
/// agree; infinities only with themselves).
pub fn close(a: f64, b: f64, rtol: f64) -> bool {
    if a.is_nan() || b.is_nan() {
        return a.is_nan() && b.is_nan();
    }
    if a == b {
        return true;
    }
    if a.is_infinite() || b.is_infinite() {
        return false;
    }
    (a - b).abs() <= rtol * a.abs().max(b.abs())
}

/// A word character: a number glued to one (`float32`, `conv2d`,
/// `layer_2`) is part of a name, not a number.
fn word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// The line as text and numbers, text runs merged.
fn tokens(line: &str) -> Vec<Token<'_>> {
    let bytes = line.as_bytes();
    let mut out = Vec::new();
    let mut text_start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let starts_here = i == 0 || !word(bytes[i - 1]) && bytes[i - 1] != b'.';
        if let Some(end) = starts_here.then(|| number_end(bytes, i)).flatten() {
            if let Ok(value) = line[i..end].to_ascii_lowercase().parse::<f64>() {
                if text_start < i {
                    out.push(Token::Text(&line[text_start..i]));
                }
                out.push(Token::Number(value));
                i = end;
                text_start = end;
                continue;
            }
        }
        i += 1;
    }
    if text_start < bytes.len() {
        out.push(Token::Text(&line[text_start..]));
    }
    out
}

/// The end of the number that starts at `start`, if one does: an optional
/// sign, digits with an optional fraction (or a fraction alone), an
/// optional exponent; or `nan`, `inf`, `infinity` as a word.
fn number_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut i = start;
    if matches!(bytes.get(i), Some(b'+' | b'-')) {
        i += 1;
    }
    let rest = &bytes[i..];
    for name in [&b"infinity"[..], b"inf", b"nan"] {
        if rest.len() >= name.len()
            && rest[..name.len()].eq_ignore_ascii_case(name)
            && !rest.get(name.len()).copied().is_some_and(word)
        {
            return Some(i + name.len());
        }
    }
    let digits = |mut j: usize| {
        while bytes.get(j).is_some_and(u8::is_ascii_digit) {
            j += 1;
        }
        j
    };
    let whole = digits(i);
    let mut end = whole;
    if bytes.get(end) == Some(&b'.') {
        let fraction = digits(end + 1);
        if fraction > end + 1 || whole > i {
            end = fraction;
        }
    }
    if end == i || (end == whole && whole == i) {
        return None;
    }
    if matches!(bytes.get(end), Some(b'e' | b'E')) {
        let mut j = end + 1;
        if matches!(bytes.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        let exponent = digits(j);
        if exponent > j {
            end = exponent;
        }
    }
    Some(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_agree_within_the_tolerance_and_text_exactly() {
        let rtol = 1e-5;
        assert_eq!(first_difference("loss 0.25\n", "loss 0.25\n", rtol), None);
        assert_eq!(
            first_difference("loss 0.2500000\n", "loss 0.2500001\n", rtol),
            None
        );
        assert_eq!(
            first_difference("step 3 loss 1.5e-3\n", "step 3 loss 1.500001E-03\n", rtol),
            None
        );
        assert_eq!(
            first_difference("a nan b -inf\n", "a NaN b -Infinity\n", rtol),
            None
        );
        assert_eq!(
            first_difference("x=[1., .5]\n", "x=[1.0, 0.5]\n", rtol),
            None
        );
        let differs = first_difference(
            "epoch 1\nloss 0.25\nend\n",
            "epoch 1\nloss 0.31\nend\n",
            rtol,
        )
        .unwrap();
        assert_eq!(
            differs,
            Difference {
                line: 2,
                baseline: Some("loss 0.25".into()),
                with: Some("loss 0.31".into()),
            }
        );
        // Signs, names with digits, and other text count exactly.
        assert!(first_difference("loss -0.5", "loss 0.5", rtol).is_some());
        assert!(first_difference("dtype float32", "dtype float64", rtol).is_some());
        assert!(first_difference("loss 0.5", "Loss 0.5", rtol).is_some());
        assert!(first_difference("nan", "0.0", rtol).is_some());
        assert!(first_difference("inf", "-inf", rtol).is_some());
        assert!(first_difference("1 2", "1 2 3", rtol).is_some());
        // A missing or extra line.
        assert_eq!(
            first_difference("a\nb\n", "a\n", rtol),
            Some(Difference {
                line: 2,
                baseline: Some("b".into()),
                with: None
            })
        );
        assert_eq!(first_difference("a\n", "a\nb\n", rtol).unwrap().line, 2);
    }

    #[test]
    fn the_tolerance_is_relative() {
        assert!(close(1000.0, 1000.009, 1e-5));
        assert!(!close(1000.0, 1000.02, 1e-5));
        assert!(close(1e-12, 1.000001e-12, 1e-5));
        assert!(!close(0.0, 1e-12, 1e-5));
        assert!(close(0.0, -0.0, 0.0));
    }

    #[test]
    fn numbers_are_found_where_they_stand_alone() {
        assert_eq!(
            tokens("conv2d_1 loss=-1.5e-3, acc 97%"),
            vec![
                Token::Text("conv2d_1 loss="),
                Token::Number(-1.5e-3),
                Token::Text(", acc "),
                Token::Number(97.0),
                Token::Text("%"),
            ]
        );
        let nan = tokens("banana nan.");
        assert_eq!(nan.len(), 3, "{nan:?}");
        assert_eq!(nan[0], Token::Text("banana "));
        assert!(matches!(nan[1], Token::Number(n) if n.is_nan()));
        assert_eq!(nan[2], Token::Text("."));
        // A trailing dot is the number's; a dot before digits too.
        assert_eq!(tokens("v1.2"), vec![Token::Text("v1.2")]);
    }
}
