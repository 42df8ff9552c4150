//! Bearer tokens: HS256 JWTs that name a server-side session.
//!
//! The token alone proves nothing more than "this session id was issued by us"; every
//! request also loads the session (revocation) and the user (active flag and role).
use chrono::{DateTime, Utc};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use miaojing_domain::{Error, Result};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// JWT claims.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Claims {
    /// User id.
    pub sub: Uuid,
    /// Session id.
    pub sid: Uuid,
    /// Role at issue time (informational; authorization reads the store).
    pub role: String,
    /// Issued at (seconds).
    pub iat: i64,
    /// Expires at (seconds).
    pub exp: i64,
}

/// Signing and verification keys.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKeys(..)")
    }
}

impl TokenKeys {
    /// Keys from the `JWT_SECRET`.
    pub fn new(secret: &str) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub"]);
        Self { encoding: EncodingKey::from_secret(secret.as_bytes()), decoding: DecodingKey::from_secret(secret.as_bytes()), validation }
    }

    /// Signs a token for a session.
    pub fn issue(&self, user_id: Uuid, session_id: Uuid, role: &str, issued: DateTime<Utc>, expires: DateTime<Utc>) -> Result<String> {
        let claims = Claims { sub: user_id, sid: session_id, role: role.to_string(), iat: issued.timestamp(), exp: expires.timestamp() };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(|e| Error::internal(format!("jwt encode: {e}")))
    }

    /// Verifies signature, algorithm and expiry.
    pub fn verify(&self, token: &str) -> Result<Claims> {
        decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|d| d.claims)
            .map_err(|_| Error::unauthenticated("登录已失效，请重新登录"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use chrono::Duration;

    #[test]
    fn round_trip_tamper_and_expiry() {
        let keys = TokenKeys::new("secret-a");
        let now = Utc::now();
        let (u, s) = (Uuid::new_v4(), Uuid::new_v4());
        let t = keys.issue(u, s, "user", now, now + Duration::days(7)).unwrap();
        let c = keys.verify(&t).unwrap();
        assert_eq!((c.sub, c.sid), (u, s));
        assert_eq!(c.exp - c.iat, 7 * 24 * 3600);
        assert!(TokenKeys::new("secret-b").verify(&t).is_err());
        // Swap the payload for one claiming another user: signature no longer matches.
        let parts: Vec<&str> = t.split('.').collect();
        let forged = serde_json::json!({"sub": Uuid::new_v4(), "sid": s, "role": "admin", "iat": 0, "exp": c.exp});
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(forged.to_string());
        assert!(keys.verify(&format!("{}.{}.{}", parts[0], payload, parts[2])).is_err());
        let expired = keys.issue(u, s, "user", now - Duration::days(8), now - Duration::seconds(5)).unwrap();
        assert!(keys.verify(&expired).is_err());
        assert!(keys.verify("garbage").is_err());
    }

    #[test]
    fn refuses_the_none_algorithm() {
        let keys = TokenKeys::new("k");
        let header = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
        let body = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!(
            r#"{{"sub":"{}","sid":"{}","role":"admin","iat":0,"exp":9999999999}}"#,
            Uuid::new_v4(),
            Uuid::new_v4()
        ));
        assert!(keys.verify(&format!("{header}.{body}.")).is_err());
    }
}
