//! The error-code table against the codes the server can actually send.
//!
//! "Can send" is read from the workspace's sources: every function with a parameter
//! `code: &'static str` or `code: impl Into<&'static str>` (the `miaojing_domain::Error`
//! constructors, `with_code`, and local helpers that forward a code) is found, then every call
//! of it, and the argument in the code's position must be an `ErrorCode::…` name, a string
//! literal, a `const` holding one, or a forwarded parameter. Each code found must be listed in
//! `ErrorCode`, whose rows carry a Chinese and an English text.
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use miaojing_api_types::error_codes::{message_for, ErrorCode, MessageLang};

/// Source files of the crates whose errors reach clients (no tests, benches, test kits or the
/// mock upstream, which is not part of the server's answers).
fn sources() -> Vec<(PathBuf, String)> {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("crates dir").to_path_buf();
    let mut out = Vec::new();
    let mut stack = vec![crates];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir") {
            let path = entry.expect("dir entry").path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
            if path.is_dir() {
                if !matches!(name.as_str(), "tests" | "benches" | "target" | "mock-upstream" | "testkit" | "examples") {
                    stack.push(path);
                }
            } else if name.ends_with(".rs") && !matches!(name.as_str(), "testkit.rs" | "tests.rs") {
                let text = std::fs::read_to_string(&path).expect("read source");
                out.push((path, strip_test_modules(&strip_comments(&text))));
            }
        }
    }
    out.sort();
    out
}

/// Byte length of the string or char literal starting at `i`, if one starts there.
fn literal_len(b: &[u8], i: usize) -> Option<usize> {
    let raw = |j: usize| -> Option<usize> {
        // r"...", r#"..."#, br"..."
        let mut k = j;
        let mut hashes = 0;
        while b.get(k) == Some(&b'#') {
            hashes += 1;
            k += 1;
        }
        if b.get(k) != Some(&b'"') {
            return None;
        }
        k += 1;
        loop {
            if k >= b.len() {
                return Some(b.len() - i);
            }
            if b[k] == b'"' && b[k + 1..].iter().take(hashes).filter(|c| **c == b'#').count() == hashes {
                return Some(k + 1 + hashes - i);
            }
            k += 1;
        }
    };
    let prev_ident = i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
    match b[i] {
        b'"' => {
            let mut k = i + 1;
            while k < b.len() && b[k] != b'"' {
                k += if b[k] == b'\\' { 2 } else { 1 };
            }
            Some(k + 1 - i)
        }
        b'r' if !prev_ident && matches!(b.get(i + 1), Some(b'"') | Some(b'#')) => raw(i + 1),
        b'b' if !prev_ident && b.get(i + 1) == Some(&b'r') => raw(i + 2),
        b'\'' => {
            // A char literal ('x', '\n', '"'); a lifetime otherwise.
            if b.get(i + 1) == Some(&b'\\') {
                let mut k = i + 3;
                while k < b.len() && b[k] != b'\'' {
                    k += 1;
                }
                Some(k + 1 - i)
            } else {
                // The byte length of the UTF-8 character after the quote.
                let ch_len = match b.get(i + 1) {
                    Some(&c) if c >= 0xF0 => 4,
                    Some(&c) if c >= 0xE0 => 3,
                    Some(&c) if c >= 0x80 => 2,
                    _ => 1,
                };
                (b.get(i + 1 + ch_len) == Some(&b'\'')).then_some(ch_len + 2)
            }
        }
        _ => None,
    }
}

/// The source with comments blanked out (string literals kept).
fn strip_comments(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if let Some(n) = literal_len(b, i) {
            let end = (i + n).min(b.len());
            out.extend_from_slice(&b[i..end]);
            i = end;
        } else if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            let mut depth = 0;
            while i < b.len() {
                if b[i..].starts_with(b"/*") {
                    depth += 1;
                    i += 2;
                } else if b[i..].starts_with(b"*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if b[i] == b'\n' {
                        out.push(b'\n');
                    }
                    i += 1;
                }
            }
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("utf-8")
}

/// The index just past the bracket closing the one at `open`.
fn close_of(b: &[u8], open: usize) -> usize {
    let mut depth = 0usize;
    let mut i = open;
    while i < b.len() {
        if let Some(n) = literal_len(b, i) {
            i += n;
            continue;
        }
        match b[i] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    b.len()
}

/// The source without `#[cfg(test)] mod … { … }` blocks.
fn strip_test_modules(src: &str) -> String {
    let mut s = src.to_string();
    while let Some(at) = s.find("#[cfg(test)]") {
        let rest = s[at + "#[cfg(test)]".len()..].trim_start();
        if !rest.starts_with("mod ") {
            // Some other test-only item: blank the attribute and keep going.
            s.replace_range(at..at + "#[cfg(test)]".len(), "");
            continue;
        }
        // `mod tests;` (a file of its own, not scanned: see `sources`) or `mod tests { … }`.
        let after_attr = s.len() - rest.len();
        let end = match s[after_attr..].find(['{', ';']).map(|o| after_attr + o) {
            Some(i) if s.as_bytes()[i] == b'{' => close_of(s.as_bytes(), i),
            Some(i) => i + 1,
            None => s.len(),
        };
        s.replace_range(at..end, "");
    }
    s
}

/// The top-level arguments of the call whose `(` is at `open`, trimmed, without a trailing empty one.
fn call_args(src: &str, open: usize) -> Vec<String> {
    let b = src.as_bytes();
    let end = close_of(b, open);
    let mut args = Vec::new();
    let mut depth = 0usize;
    let mut start = open + 1;
    let mut i = open;
    while i < end {
        if let Some(n) = literal_len(b, i) {
            i += n;
            continue;
        }
        match b[i] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    args.push(src[start..i].trim().to_string());
                }
            }
            b',' if depth == 1 => {
                args.push(src[start..i].trim().to_string());
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    if args.last().is_some_and(String::is_empty) {
        args.pop();
    }
    args
}

fn is_ident_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// A function taking a code: its name, the code's argument index (without `self`) and arity.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct CodeFn {
    name: String,
    index: usize,
    arity: usize,
}

/// Every `fn` with a `code: &'static str` or `code: impl Into<&'static str> [+ Copy]` parameter.
fn code_functions(files: &[(PathBuf, String)]) -> BTreeSet<CodeFn> {
    let mut out = BTreeSet::new();
    for (_, src) in files {
        let b = src.as_bytes();
        let mut from = 0;
        while let Some(at) = src[from..].find("fn ").map(|o| from + o) {
            from = at + 3;
            if at > 0 && is_ident_byte(b[at - 1]) {
                continue;
            }
            let name: String = src[at + 3..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            let Some(open) = src[at..].find('(').map(|o| at + o) else { continue };
            let params: Vec<String> = call_args(src, open)
                .into_iter()
                .filter(|p| !p.is_empty() && !p.trim_start_matches('&').trim_start_matches("mut ").starts_with("self"))
                .collect();
            for (index, p) in params.iter().enumerate() {
                let compact: String = p.chars().filter(|c| !c.is_whitespace()).collect();
                let compact = compact.strip_suffix("+Copy").unwrap_or(&compact);
                if compact == "code:&'staticstr" || compact == "code:implInto<&'staticstr>" {
                    out.insert(CodeFn { name: name.clone(), index, arity: params.len() });
                }
            }
        }
    }
    out
}

/// `const NAME: &str = "value";` across the sources.
fn string_consts(files: &[(PathBuf, String)]) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for (_, src) in files {
        for line in src.lines() {
            let l = line.trim().trim_start_matches("pub ").trim_start_matches("pub(crate) ");
            let Some(rest) = l.strip_prefix("const ") else { continue };
            let Some((name, value)) = rest.split_once(':') else { continue };
            let Some((ty, lit)) = value.split_once('=') else { continue };
            if ty.trim().trim_start_matches('&').trim_start_matches("'static").trim() == "str" {
                let lit = lit.trim().trim_end_matches(';').trim();
                if lit.starts_with('"') && lit.ends_with('"') && lit.len() >= 2 {
                    out.insert(name.trim().to_string(), lit[1..lit.len() - 1].to_string());
                }
            }
        }
    }
    out
}

/// Every code the sources pass to a code-taking function, with where; and the calls whose
/// code argument could not be read (an expression the scan does not understand).
fn sent_codes() -> (BTreeMap<String, Vec<String>>, Vec<String>) {
    let files = sources();
    let fns = code_functions(&files);
    let consts = string_consts(&files);
    let names: HashMap<String, &str> = ErrorCode::ALL.iter().map(|c| (format!("{c:?}"), c.as_str())).collect();
    let mut codes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut unreadable = Vec::new();
    for (path, src) in &files {
        let b = src.as_bytes();
        for f in &fns {
            let pat = format!("{}(", f.name);
            let mut from = 0;
            while let Some(at) = src[from..].find(&pat).map(|o| from + o) {
                from = at + pat.len();
                if at > 0 && is_ident_byte(b[at - 1]) || src[..at].trim_end().ends_with("fn") {
                    continue;
                }
                let args = call_args(src, at + f.name.len());
                if args.len() != f.arity {
                    continue;
                }
                // `new` is only the error constructor when its first argument is an ErrorKind.
                if f.name == "new" && !args[0].contains("ErrorKind::") {
                    continue;
                }
                let line = src[..at].lines().count();
                let place = format!("{}:{line}", path.display());
                let arg = args[f.index].as_str();
                let last = arg.rsplit("::").next().unwrap_or(arg);
                if let Some(name) = arg.strip_prefix("ErrorCode::") {
                    match names.get(name) {
                        Some(code) => codes.entry(code.to_string()).or_default().push(place),
                        None => unreadable.push(format!("{place}: {arg} is not in the table")),
                    }
                } else if arg.starts_with('"') && arg.ends_with('"') && arg.len() >= 2 {
                    codes.entry(arg[1..arg.len() - 1].to_string()).or_default().push(place);
                } else if !last.is_empty() && last.bytes().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_') {
                    match consts.get(last) {
                        Some(v) => codes.entry(v.clone()).or_default().push(place),
                        None => unreadable.push(format!("{place}: constant {arg} not found")),
                    }
                } else if arg.is_empty() || !arg.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_') {
                    unreadable.push(format!("{place}: {}({arg}, …)", f.name));
                }
                // A lower-case identifier is a forwarded `code` parameter: its callers are scanned.
            }
        }
    }
    (codes, unreadable)
}

#[test]
fn every_code_the_server_sends_is_in_the_table() {
    let (codes, unreadable) = sent_codes();
    assert!(unreadable.is_empty(), "calls whose error code the scan cannot read (use a literal or a const):\n{}", unreadable.join("\n"));
    // The scan must see the codes made in every way the sources make them.
    for expected in ["unauthenticated", "internal_error", "model_busy", "invalid_credentials", "invalid_username", "provider_name_taken"] {
        assert!(codes.contains_key(expected), "the scan no longer finds `{expected}`: {:?}", codes.keys().collect::<Vec<_>>());
    }
    assert!(codes.len() >= 150, "only {} codes found", codes.len());
    let missing: Vec<String> =
        codes.iter().filter(|(c, _)| ErrorCode::parse(c).is_none()).map(|(c, at)| format!("{c} (at {})", at.join(", "))).collect();
    assert!(
        missing.is_empty(),
        "codes the server can send without a message in crates/api-types/src/error_codes.rs:\n{}",
        missing.join("\n")
    );
}

#[test]
fn every_listed_code_has_a_chinese_and_an_english_text() {
    let has_cjk = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    let mut seen = BTreeSet::new();
    for c in ErrorCode::ALL {
        let code = c.as_str();
        assert!(seen.insert(code), "{code} listed twice");
        assert!(
            !code.is_empty() && code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
            "{code}: not snake_case"
        );
        let (zh, en) = (c.text(MessageLang::Zh), c.text(MessageLang::En));
        assert!(has_cjk(zh), "{code}: the Chinese text {zh:?} has no Chinese");
        assert!(
            en.chars().filter(char::is_ascii_alphabetic).count() >= 3 && !has_cjk(en),
            "{code}: the English text {en:?} is not English"
        );
        assert_eq!(message_for(code, "服务器原文", MessageLang::En).as_deref(), Some(en));
    }
}

#[test]
fn the_scan_reads_codes_through_helpers_consts_and_multi_line_calls() {
    let src = strip_test_modules(&strip_comments(
        "const BUSY: &str = \"model_busy\";\n\
         fn helper(v: u8, code: &'static str) -> Error { Error::validation(code, \"m\") }\n\
         fn a() { helper(1, \"from_helper\"); Error::new(\n    ErrorKind::Upstream,\n    BUSY,\n    \"m\",\n); }\n\
         // Error::conflict(\"commented_out\", \"m\")\n\
         fn b() { let c = '\"'; Error::conflict(\"after_char\", \"m, with (parens)\"); }\n\
         #[cfg(test)]\nmod tests { fn t() { Error::forbidden(\"in_tests\", \"m\"); } }\n",
    ));
    let files = vec![(PathBuf::from("x.rs"), src.clone())];
    let fns = code_functions(&files);
    assert!(fns.contains(&CodeFn { name: "helper".into(), index: 1, arity: 2 }), "{fns:?}");
    assert!(!src.contains("commented_out") && !src.contains("in_tests"));
    assert!(src.contains("after_char"));
    let at = src.find("helper(1").unwrap() + "helper".len();
    assert_eq!(call_args(&src, at), vec!["1", "\"from_helper\""]);
    let at = src.find("new(").unwrap() + "new".len();
    assert_eq!(call_args(&src, at), vec!["ErrorKind::Upstream", "BUSY", "\"m\""]);
    assert_eq!(string_consts(&files).get("BUSY").map(String::as_str), Some("model_busy"));
}
