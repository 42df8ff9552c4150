//! Download tokens: short-lived, stateless proofs of who is downloading, for plain anchor links
//! that cannot send an `Authorization` header (`GET /api/download?downloadToken=…`).
use std::sync::Arc;

use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use miaojing_domain::Error;
use sha2::Sha256;
use uuid::Uuid;

/// Lifetime of a download token.
pub const TOKEN_TTL_SECS: i64 = 300;

/// Stateless download tokens: `<user id>.<expiry unix>.<HMAC-SHA256>`.
#[derive(Clone)]
pub struct DownloadTokens {
    key: Arc<[u8]>,
}

impl DownloadTokens {
    /// Tokens keyed from the server secret (a separate derivation from session tokens).
    pub fn new(secret: &str) -> Self {
        Self { key: format!("miaojing-download-token:{secret}").into_bytes().into() }
    }

    fn sign(&self, payload: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key");
        mac.update(payload.as_bytes());
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    /// A token for `user` valid until the returned time.
    pub fn issue(&self, user: Uuid, now: DateTime<Utc>) -> (String, DateTime<Utc>) {
        let exp = now.timestamp() + TOKEN_TTL_SECS;
        let payload = format!("{}.{exp}", user.simple());
        let sig = self.sign(&payload);
        (format!("{payload}.{sig}"), DateTime::from_timestamp(exp, 0).unwrap_or(now))
    }

    /// The user of a valid, unexpired token.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<Uuid, Error> {
        let bad = || Error::unauthenticated("下载链接无效或已过期").with_detail("invalid download token");
        let (payload, sig) = token.rsplit_once('.').ok_or_else(bad)?;
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key");
        mac.update(payload.as_bytes());
        let sig = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(sig).map_err(|_| bad())?;
        mac.verify_slice(&sig).map_err(|_| bad())?;
        let (user, exp) = payload.split_once('.').ok_or_else(bad)?;
        let exp: i64 = exp.parse().map_err(|_| bad())?;
        if exp < now.timestamp() {
            return Err(bad());
        }
        Uuid::parse_str(user).map_err(|_| bad())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_expire_and_refuse_forgeries() {
        let t = DownloadTokens::new("secret-a");
        let user = Uuid::new_v4();
        let now = Utc::now();
        let (token, exp) = t.issue(user, now);
        assert_eq!(t.verify(&token, now).unwrap(), user);
        assert_eq!(exp.timestamp() - now.timestamp(), TOKEN_TTL_SECS);
        assert!(t.verify(&token, now + chrono::Duration::seconds(TOKEN_TTL_SECS + 1)).is_err(), "expired");
        assert!(DownloadTokens::new("secret-b").verify(&token, now).is_err(), "another key");
        let other = Uuid::new_v4().simple().to_string();
        let forged = format!("{other}{}", &token[32..]);
        assert!(t.verify(&forged, now).is_err(), "another user with the same signature");
        assert!(t.verify("garbage", now).is_err());
    }
}
