//! JSON does not tell `3` from `3.0`, and JSON Schema's `integer` includes `3.0` and `3e2`,
//! but serde's integer fields refuse them. A request body's whole numbers written with a
//! fraction or an exponent are therefore rewritten as plain integers before it is read, so a
//! client whose JSON library writes every number as a float is understood.
use bytes::Bytes;

/// Largest whole number an `f64` holds exactly.
const EXACT: f64 = 9_007_199_254_740_992.0;

/// `body` with every whole number outside strings written as an integer (`12.0` → `12`,
/// `1e3` → `1000`); the same bytes when there is none.
pub fn rewrite(body: Bytes) -> Bytes {
    let mut out: Option<Vec<u8>> = None;
    let mut copied = 0;
    let mut i = 0;
    let b = &body[..];
    while i < b.len() {
        match b[i] {
            b'"' => i = string_end(b, i + 1),
            c if c == b'-' || c.is_ascii_digit() => {
                let start = i;
                while i < b.len() && matches!(b[i], b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') {
                    i += 1;
                }
                if let Some(whole) = whole_number(&b[start..i]) {
                    let o = out.get_or_insert_with(|| Vec::with_capacity(b.len()));
                    o.extend_from_slice(&b[copied..start]);
                    o.extend_from_slice(whole.as_bytes());
                    copied = i;
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

/// The index after the string that starts at `i` (after its opening quote).
fn string_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    i
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
        String::from_utf8(rewrite(Bytes::from(s.to_string())).to_vec()).unwrap()
    }

    #[test]
    fn whole_numbers_become_integers_and_nothing_else_changes() {
        assert_eq!(run(r#"{"a": 12.0, "b": [-3.00, 1e3, 2.5E0], "c": 1.5}"#), r#"{"a": 12, "b": [-3, 1000, 2.5E0], "c": 1.5}"#);
        assert_eq!(run(r#"{"s": "7.0 \" 8.0", "n": 0.0}"#), r#"{"s": "7.0 \" 8.0", "n": 0}"#);
        assert_eq!(run(r#"{"big": 1e300, "x": 12}"#), r#"{"big": 1e300, "x": 12}"#);
        let same = Bytes::from_static(br#"{"a": 1, "b": "2.0"}"#);
        assert_eq!(rewrite(same.clone()).as_ptr(), same.as_ptr(), "untouched bodies are not copied");
    }
}
