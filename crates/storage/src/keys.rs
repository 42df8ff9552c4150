//! Storage keys: the one discipline every backend and route uses.
//!
//! A key is a relative path of non-empty segments separated by `/`, with no `.` or `..`
//! segment, no backslash, no NUL or other control character, and no leading `/`. Keys taken
//! from URLs are percent-decoded exactly once, so `%2e%2e`, `%2f` and double encodings such as
//! `%252e` can never turn into a path step. The public URL of a stored file is always
//! `/api/local-storage/<key>`, whatever backend holds it.
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};

/// The URL prefix under which every stored file is served.
pub const PUBLIC_PREFIX: &str = "/api/local-storage/";
/// Longest key accepted.
pub const KEY_MAX: usize = 1024;
/// Longest segment: what every file system takes as one name.
pub const SEGMENT_MAX: usize = 255;
/// A regular expression (ECMA-262 and Python alike) for the keys a client can rely on:
/// segments of printable characters other than `/ \ : ? # %`, none of them `.` or `..`.
/// Every key it matches passes [`check_key`]; the API document declares it.
pub const KEY_PATTERN: &str = r"^[^/\\:?#%.\x00-\x1f\x7f-\x9f][^/\\:?#%\x00-\x1f\x7f-\x9f]{0,62}(?:/[^/\\:?#%.\x00-\x1f\x7f-\x9f][^/\\:?#%\x00-\x1f\x7f-\x9f]{0,62})*$";

/// Why a key was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("the key is empty")]
    Empty,
    #[error("the key is longer than {KEY_MAX} bytes")]
    TooLong,
    #[error("the key is not valid UTF-8 after decoding")]
    NotUtf8,
    #[error("the key contains a forbidden character or path step")]
    Forbidden,
    #[error("a segment of the key is longer than {SEGMENT_MAX} bytes")]
    SegmentTooLong,
}

/// Checks a key that is already plain text (not URL-encoded).
pub fn check_key(key: &str) -> Result<&str, KeyError> {
    if key.is_empty() {
        return Err(KeyError::Empty);
    }
    if key.len() > KEY_MAX {
        return Err(KeyError::TooLong);
    }
    if key.starts_with('/') || key.contains('\\') || key.chars().any(char::is_control) {
        return Err(KeyError::Forbidden);
    }
    if key.split('/').any(|seg| seg.is_empty() || seg == "." || seg == "..") {
        return Err(KeyError::Forbidden);
    }
    if key.split('/').any(|seg| seg.len() > SEGMENT_MAX) {
        return Err(KeyError::SegmentTooLong);
    }
    // A Windows drive prefix such as `C:` would make the key absolute there.
    if key.split('/').next().is_some_and(|first| first.len() == 2 && first.ends_with(':')) {
        return Err(KeyError::Forbidden);
    }
    Ok(key)
}

/// Turns the raw (still percent-encoded) path after [`PUBLIC_PREFIX`] into a checked key,
/// decoding exactly once.
pub fn key_from_url_path(raw: &str) -> Result<String, KeyError> {
    if raw.len() > KEY_MAX * 3 {
        return Err(KeyError::TooLong);
    }
    let decoded = percent_decode_str(raw).decode_utf8().map_err(|_| KeyError::NotUtf8)?;
    check_key(&decoded)?;
    Ok(decoded.into_owned())
}

/// Characters escaped in public URLs (everything but unreserved characters and `/`).
const URL_ESCAPES: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'\\')
    .add(b'^')
    .add(b'|')
    .add(b'[')
    .add(b']');

/// The public URL of a checked key.
pub fn public_url(key: &str) -> Result<String, KeyError> {
    Ok(format!("{PUBLIC_PREFIX}{}", utf8_percent_encode(check_key(key)?, URL_ESCAPES)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_matching_the_declared_pattern_are_accepted() {
        let pattern = regex_lite::Regex::new(KEY_PATTERN).unwrap();
        for key in ["generated/images/abc.png", "a/b.c/d", "日本/猫 1.png", "x"] {
            assert!(pattern.is_match(key) && check_key(key).is_ok(), "{key}");
        }
        let long = "x".repeat(64);
        assert!(!pattern.is_match(&long));
        assert_eq!(check_key(&"y".repeat(SEGMENT_MAX + 1)), Err(KeyError::SegmentTooLong));
        assert!(check_key(&"y".repeat(SEGMENT_MAX)).is_ok());
        for key in ["", ".", "..", "a/../b", "a//b", "/a", "c:/x", "a\\b", "a/\u{1}b", "a/./b"] {
            assert!(!pattern.is_match(key), "{key:?} matches");
        }
    }

    #[test]
    fn traversal_corpus_is_refused() {
        for raw in [
            "../etc/passwd",
            "a/../../etc/passwd",
            "%2e%2e/etc/passwd",
            "%2E%2E%2Fetc%2Fpasswd",
            "a%2f..%2f..%2fsecret",
            "..%5c..%5cwindows",
            "a\\b",
            "/etc/passwd",
            "%2fetc%2fpasswd",
            "a//b",
            "./a",
            "a/.",
            "a%00b",
            "C:/windows",
            "",
            "%ff%fe",
        ] {
            assert!(key_from_url_path(raw).is_err(), "{raw} must be refused");
        }
    }

    #[test]
    fn decodes_once_and_round_trips() {
        assert_eq!(key_from_url_path("generated/2026/a%20b.png").unwrap(), "generated/2026/a b.png");
        // Double encoding stays literal: `%252e` is the three characters `%2e`, not a dot.
        assert_eq!(key_from_url_path("x/%252e%252e/y").unwrap(), "x/%2e%2e/y");
        assert_eq!(key_from_url_path("图片/作品.webp").unwrap(), "图片/作品.webp");
        let url = public_url("图片/a b%.png").unwrap();
        assert!(url.starts_with(PUBLIC_PREFIX));
        assert_eq!(key_from_url_path(&url[PUBLIC_PREFIX.len()..]).unwrap(), "图片/a b%.png");
        assert!(public_url("../x").is_err());
        assert_eq!(key_from_url_path(&"a".repeat(KEY_MAX + 1)), Err(KeyError::TooLong));
    }
}
