//! A JSON request body as the handlers read it, made in one pass over the bytes:
//! - JSON does not tell `3` from `3.0`, and JSON Schema's `integer` includes `3.0` and `2e1`,
//!   but serde's integer fields refuse them: a whole number written with a fraction or an
//!   exponent becomes a plain integer, so a client whose JSON library writes every number as a
//!   float is understood (decision 57);
//! - no text the platform keeps may hold a NUL (PostgreSQL refuses one, SQLite would keep it):
//!   `\u0000` escapes are left out of strings, alike for both stores (decision 64).
use bytes::Bytes;

/// Largest whole number an `f64` holds exactly.
const EXACT: f64 = 9_007_199_254_740_992.0;

/// `body` with its whole numbers as integers (`12.0` → `12`, `1e3` → `1000`) and its strings
/// without `\u0000`; the same bytes, not copied, when there is neither.
pub fn normalize(body: Bytes) -> Bytes {
    let b = &body[..];
    let mut out: Option<Vec<u8>> = None;
    let mut copied = 0;
    // Writes `b[copied..start]` then `with`, and skips to `end`.
    let splice = |out: &mut Option<Vec<u8>>, copied: &mut usize, start: usize, end: usize, with: &[u8]| {
        let o = out.get_or_insert_with(|| Vec::with_capacity(b.len()));
        o.extend_from_slice(&b[*copied..start]);
        o.extend_from_slice(with);
        *copied = end;
    };
    let (mut in_string, mut i) = (false, 0);
    while i < b.len() {
        match (in_string, b[i]) {
            (false, b'"') | (true, b'"') => {
                in_string = !in_string;
                i += 1;
            }
            (true, b'\\') if b.get(i + 1..i + 6) == Some(b"u0000".as_slice()) => {
                splice(&mut out, &mut copied, i, i + 6, b"");
                i += 6;
            }
            (true, b'\\') => i += 2,
            (false, c) if c == b'-' || c.is_ascii_digit() => {
                let start = i;
                while i < b.len() && matches!(b[i], b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') {
                    i += 1;
                }
                if let Some(whole) = whole_number(&b[start..i]) {
                    splice(&mut out, &mut copied, start, i, whole.as_bytes());
                }
            }
            _ => i += 1,
        }
    }
    match out {
        Some(mut o) => {
            o.extend_from_slice(&b[copied..]);
            Bytes::from(o)
        }
        None => body,
    }
}

/// The integer text of a number token with a fraction or exponent whose value is whole.
fn whole_number(token: &[u8]) -> Option<String> {
    if !token.iter().any(|c| matches!(c, b'.' | b'e' | b'E')) {
        return None;
    }
    let v: f64 = std::str::from_utf8(token).ok()?.parse().ok()?;
    (v.is_finite() && v.fract() == 0.0 && v.abs() <= EXACT).then(|| format!("{}", v as i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(s: &str) -> String {
        String::from_utf8(normalize(Bytes::from(s.to_string())).to_vec()).unwrap()
    }

    #[test]
    fn whole_numbers_become_integers_nul_escapes_go_and_nothing_else_changes() {
        assert_eq!(run(r#"{"a": 12.0, "b": [-3.00, 1e3, 2.5E0], "c": 1.5}"#), r#"{"a": 12, "b": [-3, 1000, 2.5E0], "c": 1.5}"#);
        assert_eq!(run(r#"{"s": "7.0 \" 8.0", "n": 0.0}"#), r#"{"s": "7.0 \" 8.0", "n": 0}"#);
        assert_eq!(run(r#"{"big": 1e300, "x": 12}"#), r#"{"big": 1e300, "x": 12}"#);
        let same = Bytes::from_static(br#"{"a": 1, "b": "2.0"}"#);
        assert_eq!(normalize(same.clone()).as_ptr(), same.as_ptr(), "untouched bodies are not copied");
        // NUL escapes are left out of strings; an escaped backslash before `u0000` is text.
        assert_eq!(run(r#"{"a": "x\u0000y\u0000", "b": 1.0}"#), r#"{"a": "xy", "b": 1}"#);
        assert_eq!(run(r#"{"a": "x\u0041y", "u0000": 1}"#), r#"{"a": "x\u0041y", "u0000": 1}"#);
        assert_eq!(run(r#"{"a": "\\u0000"}"#), r#"{"a": "\\u0000"}"#);
    }
}
