//! AES-256-GCM encryption of secrets at rest.
//!
//! Stored form: `mjenc:v1:` + base64(12-byte nonce ‖ 16-byte tag ‖ ciphertext), with the
//! key = SHA-256 of the configured secret — the same envelope the original platform wrote,
//! so migrated rows keep working. Values without the prefix are legacy plaintext.
use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

const PREFIX: &str = "mjenc:v1:";
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;

/// Why a stored secret could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SecretError {
    #[error("the stored secret is not valid base64 or too short")]
    Malformed,
    #[error("the stored secret does not decrypt with this key (wrong DATA_ENCRYPTION_KEY?)")]
    WrongKey,
}

/// Encrypts and decrypts secrets with one key.
#[derive(Clone)]
pub struct SecretBox {
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(..)")
    }
}

impl SecretBox {
    /// Derives the key as SHA-256 of `secret` (the configured `DATA_ENCRYPTION_KEY`).
    pub fn new(secret: &str) -> Self {
        let key = Sha256::digest(secret.as_bytes());
        Self { cipher: Aes256Gcm::new_from_slice(&key).expect("SHA-256 output is 32 bytes") }
    }

    /// Encrypts `plain`; empty stays empty and an already-encrypted value is returned as is.
    pub fn encrypt(&self, plain: &str) -> String {
        if plain.is_empty() || plain.starts_with(PREFIX) {
            return plain.to_string();
        }
        let mut nonce = [0u8; NONCE_LEN];
        rand::thread_rng().fill_bytes(&mut nonce);
        // aes-gcm appends the tag to the ciphertext; the envelope puts it first.
        let sealed = self.cipher.encrypt(Nonce::from_slice(&nonce), plain.as_bytes()).expect("AES-GCM encryption of an in-memory buffer");
        let (ct, tag) = sealed.split_at(sealed.len() - TAG_LEN);
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(tag);
        out.extend_from_slice(ct);
        format!("{PREFIX}{}", base64::engine::general_purpose::STANDARD.encode(out))
    }

    /// Decrypts a stored value; legacy plaintext (no prefix) is returned unchanged.
    pub fn decrypt(&self, stored: &str) -> Result<String, SecretError> {
        let Some(b64) = stored.strip_prefix(PREFIX) else {
            return Ok(stored.to_string());
        };
        let raw = base64::engine::general_purpose::STANDARD.decode(b64.trim()).map_err(|_| SecretError::Malformed)?;
        if raw.len() < NONCE_LEN + TAG_LEN {
            return Err(SecretError::Malformed);
        }
        let (nonce, rest) = raw.split_at(NONCE_LEN);
        let (tag, ct) = rest.split_at(TAG_LEN);
        let mut sealed = Vec::with_capacity(rest.len());
        sealed.extend_from_slice(ct);
        sealed.extend_from_slice(tag);
        let plain = self.cipher.decrypt(Nonce::from_slice(nonce), sealed.as_slice()).map_err(|_| SecretError::WrongKey)?;
        String::from_utf8(plain).map_err(|_| SecretError::Malformed)
    }
}

/// A masked preview: `***` + the last four characters, or `****` for short secrets.
pub fn preview(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    if chars.len() <= 4 {
        "****".to_string()
    } else {
        format!("***{}", chars[chars.len() - 4..].iter().collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_legacy() {
        let b = SecretBox::new("k1");
        let enc = b.encrypt("sk-secret-value");
        assert!(enc.starts_with(PREFIX));
        assert!(!enc.contains("sk-secret"));
        assert_eq!(b.decrypt(&enc).unwrap(), "sk-secret-value");
        assert_eq!(b.encrypt(&enc), enc, "idempotent");
        assert_eq!(b.decrypt("plain-legacy").unwrap(), "plain-legacy");
        assert_eq!(b.encrypt(""), "");
        assert_eq!(SecretBox::new("k2").decrypt(&enc), Err(SecretError::WrongKey));
        assert_eq!(b.decrypt("mjenc:v1:%%%"), Err(SecretError::Malformed));
        assert_eq!(b.decrypt("mjenc:v1:AAAA"), Err(SecretError::Malformed));
    }

    #[test]
    fn previews() {
        assert_eq!(preview("sk-abcdef1234"), "***1234");
        assert_eq!(preview("abc"), "****");
        assert_eq!(preview(""), "****");
    }
}
