//! E-mail verification codes: generation and keyed hashing (only hashes are stored).
use hmac::{Hmac, Mac};
use miaojing_domain::email_code::CodePurpose;
use rand::Rng;
use sha2::Sha256;

/// Digits only: easy to type on phones.
const DIGITS: &[u8] = b"0123456789";

/// A random numeric code of `len` digits (clamped to 4–10).
pub fn generate(len: usize, rng: &mut impl Rng) -> String {
    (0..len.clamp(4, 10)).map(|_| DIGITS[rng.gen_range(0..DIGITS.len())] as char).collect()
}

/// HMAC-SHA256 hex of `purpose:email:CODE` keyed with the server secret.
pub fn hash(secret: &[u8], purpose: CodePurpose, email: &str, code: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC accepts any key length");
    mac.update(format!("{}:{}:{}", purpose.as_str(), email.to_lowercase(), code.to_ascii_uppercase()).as_bytes());
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_hashes() {
        let c = generate(6, &mut rand::thread_rng());
        assert_eq!(c.len(), 6);
        assert!(c.chars().all(|d| d.is_ascii_digit()));
        let h = hash(b"k", CodePurpose::Register, "A@x.io", "123456");
        assert_eq!(h, hash(b"k", CodePurpose::Register, "a@x.io", "123456"));
        assert_ne!(h, hash(b"k", CodePurpose::ResetPassword, "a@x.io", "123456"));
        assert_ne!(h, hash(b"other", CodePurpose::Register, "a@x.io", "123456"));
        assert_eq!(h.len(), 64);
    }
}
