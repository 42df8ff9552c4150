//! Minimal CSV writing (RFC 4180 quoting) for exports.

/// Quotes one field when it needs it; a leading `=`, `+`, `-` or `@` is prefixed with `'`
/// so spreadsheet programs do not run it as a formula.
pub fn field(value: &str) -> String {
    let v = if value.starts_with(['=', '+', '-', '@']) { format!("'{value}") } else { value.to_string() };
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v
    }
}

/// One CSV line (with CRLF).
pub fn line<S: AsRef<str>>(fields: &[S]) -> String {
    let mut out = fields.iter().map(|f| field(f.as_ref())).collect::<Vec<_>>().join(",");
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_neutralises_formulas() {
        assert_eq!(line(&["a", "b,c", "d\"e"]), "a,\"b,c\",\"d\"\"e\"\r\n");
        assert_eq!(field("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(field("plain"), "plain");
    }
}
