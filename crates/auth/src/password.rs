//! Password hashing: argon2id for new hashes; bcrypt hashes from the original still verify.
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use miaojing_domain::{Error, Result};

/// argon2id cost: 19 MiB of memory, 2 passes, 1 lane (OWASP's recommended minimum).
pub const ARGON2_MEMORY_KIB: u32 = 19 * 1024;
/// argon2id passes.
pub const ARGON2_ITERATIONS: u32 = 2;
/// argon2id lanes.
pub const ARGON2_LANES: u32 = 1;

fn hasher() -> Argon2<'static> {
    let params = Params::new(ARGON2_MEMORY_KIB, ARGON2_ITERATIONS, ARGON2_LANES, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password with argon2id (blocking: call through [`hash_async`] on the runtime).
pub fn hash(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    hasher().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| Error::internal(format!("argon2: {e}")))
}

/// What a verification found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verified {
    No,
    Yes,
    /// Correct, but stored with an old scheme or cost: re-hash it.
    YesRehash,
}

/// Checks `password` against an argon2 PHC string or a bcrypt (`$2a$`/`$2b$`/`$2y$`) hash.
pub fn verify(password: &str, stored: &str) -> Verified {
    if stored.starts_with("$2") {
        return match bcrypt::verify(password, stored) {
            Ok(true) => Verified::YesRehash,
            _ => Verified::No,
        };
    }
    let Ok(parsed) = PasswordHash::new(stored) else {
        return Verified::No;
    };
    if hasher().verify_password(password.as_bytes(), &parsed).is_err() {
        return Verified::No;
    }
    let current = Params::try_from(&parsed).ok();
    let wanted = hasher().params().clone();
    match current {
        Some(p)
            if parsed.algorithm.as_str() == "argon2id"
                && p.m_cost() == wanted.m_cost()
                && p.t_cost() == wanted.t_cost()
                && p.p_cost() == wanted.p_cost() =>
        {
            Verified::Yes
        }
        _ => Verified::YesRehash,
    }
}

/// [`hash`] off the async runtime.
pub async fn hash_async(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || hash(&password)).await.map_err(|e| Error::internal(format!("hash task: {e}")))?
}

/// [`verify`] off the async runtime.
pub async fn verify_async(password: String, stored: String) -> Result<Verified> {
    tokio::task::spawn_blocking(move || verify(&password, &stored)).await.map_err(|e| Error::internal(format!("verify task: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2_round_trip() {
        let h = hash("s3cret-pass").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert_eq!(verify("s3cret-pass", &h), Verified::Yes);
        assert_eq!(verify("wrong-pass1", &h), Verified::No);
        assert_eq!(verify("x", "not a hash"), Verified::No);
    }

    #[test]
    fn bcrypt_from_the_original_verifies_and_asks_for_rehash() {
        // pgcrypto's gen_salt('bf') writes $2a$06$ hashes.
        let h = bcrypt::hash_with_result("legacy-pass1", 6).unwrap().format_for_version(bcrypt::Version::TwoA);
        assert!(h.starts_with("$2a$06$"));
        assert_eq!(verify("legacy-pass1", &h), Verified::YesRehash);
        assert_eq!(verify("legacy-pass2", &h), Verified::No);
    }

    #[test]
    fn weaker_argon2_params_ask_for_rehash() {
        let params = Params::new(8 * 1024, 1, 1, None).unwrap();
        let weak = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let h = weak.hash_password(b"pw-12345", &SaltString::generate(&mut OsRng)).unwrap().to_string();
        assert_eq!(verify("pw-12345", &h), Verified::YesRehash);
    }
}
