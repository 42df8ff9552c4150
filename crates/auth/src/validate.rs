//! Input rules for account fields ("parse, don't validate": each returns the clean value).
use miaojing_domain::ErrorCode;
use miaojing_domain::{Error, Result};

/// Longest username or display name, in characters.
pub const NAME_MAX: usize = 50;
/// Longest phone number, in characters.
pub const PHONE_MAX: usize = 30;
/// Longest e-mail address.
pub const EMAIL_MAX: usize = 254;
/// Longest password accepted (argon2 input is bounded to keep hashing cheap).
pub const PASSWORD_MAX: usize = 128;
/// Longest avatar value (data URLs are stored inline).
pub const AVATAR_MAX: usize = 200_000;

/// Characters of an address's local part besides letters and digits (RFC 5322 `atext`
/// without the apostrophe).
const LOCAL_EXTRA: &str = "!#$%&*+/=?^_`{|}~-";

/// Longest local part (RFC 5321).
const LOCAL_MAX: usize = 64;

/// A trimmed, lower-cased e-mail address: a local part (at most 64 characters) of ASCII letters, digits and
/// [`LOCAL_EXTRA`] in dot-separated runs, `@`, and a domain of ASCII labels (letters, digits,
/// inner hyphens; internationalised names in their `xn--` form) ending in a top-level
/// domain of 2–63 letters. [`EMAIL_PATTERN`] says the same as a regular expression.
pub fn email(input: &str) -> Result<String> {
    let e = input.trim().to_lowercase();
    let bad = || Error::validation(ErrorCode::InvalidEmail, "请输入正确的邮箱地址");
    if e.len() > EMAIL_MAX {
        return Err(bad());
    }
    let (local, domain) = e.split_once('@').ok_or_else(bad)?;
    let local_ok = local.len() <= LOCAL_MAX
        && local.split('.').all(|run| !run.is_empty() && run.chars().all(|c| c.is_ascii_alphanumeric() || LOCAL_EXTRA.contains(c)));
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |l: &&str| {
        (1..=63).contains(&l.len()) && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') && !l.starts_with('-') && !l.ends_with('-')
    };
    let tld_ok = labels.last().is_some_and(|t| (2..=63).contains(&t.len()) && t.chars().all(|c| c.is_ascii_alphabetic()));
    if !local_ok || labels.len() < 2 || !labels.iter().all(label_ok) || !tld_ok {
        return Err(bad());
    }
    Ok(e)
}

/// [`email`]'s rule as a regular expression (ECMA-262 and Python alike), for the API document
/// (which also declares `format: email`, whose checkers hold the local part to 64 characters).
pub const EMAIL_PATTERN: &str =
    r"^[A-Za-z0-9!#$%&*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&*+/=?^_`{|}~-]+)*@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$";

/// Registration and reset policy: 8–128 characters with at least one letter and one digit.
pub fn new_password(p: &str) -> Result<()> {
    let long_enough = p.chars().count() >= 8;
    let letter = p.chars().any(|c| c.is_ascii_alphabetic());
    let digit = p.chars().any(|c| c.is_ascii_digit());
    if p.chars().count() > PASSWORD_MAX {
        return Err(Error::validation(ErrorCode::PasswordTooLong, "密码过长（最多 128 个字符）"));
    }
    if !(long_enough && letter && digit) {
        return Err(Error::validation(ErrorCode::WeakPassword, "密码至少 8 位，并同时包含字母和数字"));
    }
    Ok(())
}

fn name_like(input: &str, max: usize, code: impl Into<&'static str> + Copy, what: &str) -> Result<String> {
    let v = input.trim();
    if v.is_empty() {
        return Err(Error::validation(code, format!("{what}不能为空")));
    }
    if v.chars().count() > max || v.chars().any(|c| c.is_control() || c == '<' || c == '>') {
        return Err(Error::validation(code, format!("{what}过长或包含无效字符")));
    }
    Ok(v.to_string())
}

/// A login username: 2–50 characters, no spaces, no `@` (so it never looks like an e-mail),
/// no control characters or angle brackets.
pub fn username(input: &str) -> Result<String> {
    let v = name_like(input, NAME_MAX, ErrorCode::InvalidUsername, "用户名")?;
    if v.chars().count() < 2 || v.contains('@') || v.chars().any(char::is_whitespace) {
        return Err(Error::validation(ErrorCode::InvalidUsername, "用户名需 2–50 个字符，不能包含空格或 @"));
    }
    Ok(v)
}

/// A display name: 1–50 characters, no control characters or angle brackets.
pub fn display_name(input: &str) -> Result<String> {
    name_like(input, NAME_MAX, ErrorCode::InvalidNickname, "昵称")
}

/// A phone number: digits with an optional leading `+` and separators, 5–30 characters.
pub fn phone(input: &str) -> Result<String> {
    let v = input.trim();
    let digits = v.chars().filter(char::is_ascii_digit).count();
    let ok = v.chars().count() <= PHONE_MAX
        && digits >= 5
        && v.chars().enumerate().all(|(i, c)| c.is_ascii_digit() || c == '-' || c == ' ' || (c == '+' && i == 0));
    if !ok {
        return Err(Error::validation(ErrorCode::InvalidPhone, "手机号格式不正确"));
    }
    Ok(v.to_string())
}

/// An avatar: a base64 PNG/JPEG/WebP/GIF data URL, a UTF-8 SVG data URL, an http(s) URL or
/// a stored file path (`/api/local-storage/…`).
pub fn avatar(input: &str) -> Result<String> {
    let v = input.trim();
    let ok = v.len() <= AVATAR_MAX
        && (["png", "jpeg", "jpg", "webp", "gif"].iter().any(|t| v.starts_with(&format!("data:image/{t};base64,")))
            || v.starts_with("data:image/svg+xml;charset=utf-8,")
            || ((v.starts_with("https://") || v.starts_with("http://")) && !v.chars().any(char::is_whitespace))
            || (v.starts_with("/api/local-storage/") && !v.contains("..")));
    if !ok {
        return Err(Error::validation(ErrorCode::InvalidAvatar, "头像图片无效"));
    }
    Ok(v.to_string())
}

/// An e-mail code as typed: 4–10 letters or digits, compared upper-case.
pub fn code(input: &str) -> Result<String> {
    let v = input.trim().to_ascii_uppercase();
    if !(4..=10).contains(&v.len()) || !v.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(Error::validation(ErrorCode::InvalidCodeFormat, "验证码格式不正确"));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(email("  Alice@Example.COM ").unwrap(), "alice@example.com");
        for bad in [
            "",
            "a",
            "a@b",
            "@b.c",
            "a@b..c",
            "a b@c.d",
            "a@b.c'; DROP TABLE users;--",
            &format!("{}@x.io", "a".repeat(260)),
            &format!("{}@x.io", "a".repeat(65)),
        ] {
            assert!(email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn passwords() {
        assert!(new_password("abcdefg1").is_ok());
        for bad in ["short1", "abcdefgh", "12345678", &format!("a1{}", "x".repeat(200))] {
            assert!(new_password(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_and_phones() {
        assert_eq!(username(" 画师_01 ").unwrap(), "画师_01");
        assert!(username("a").is_err());
        assert!(username("a b").is_err());
        assert!(username("me@x.io").is_err());
        assert!(username("<script>").is_err());
        assert!(username(&"x".repeat(51)).is_err());
        assert!(display_name("  ").is_err());
        assert!(display_name("云朵画师001").is_ok());
        assert_eq!(phone("+86 138-0000-0000").unwrap(), "+86 138-0000-0000");
        assert!(phone("12ab5").is_err());
        assert!(phone("1+2345").is_err());
    }

    #[test]
    fn avatars_and_codes() {
        assert!(avatar("data:image/png;base64,AAAA").is_ok());
        assert!(avatar("https://cdn.example.com/a.png").is_ok());
        assert!(avatar("/api/local-storage/avatars/a.png").is_ok());
        assert!(avatar("javascript:alert(1)").is_err());
        assert!(avatar("/api/local-storage/../etc/passwd").is_err());
        assert_eq!(code(" ab12cd ").unwrap(), "AB12CD");
        assert!(code("12").is_err());
        assert!(code("12-345").is_err());
    }
}
