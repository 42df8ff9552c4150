//! The signed-in session, persisted in localStorage under [`AUTH_KEY`] as
//! `{ "accessToken": "...", "user": {...}, "isLoggedIn": true, "expiresAt": "..." }`,
//! and mirrored in a signal provided as context.
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use miaojing_api_types::auth::{AuthResponse, UserView};
use serde::{Deserialize, Serialize};

use crate::storage;

/// localStorage key of the session (same key as the original web client).
pub const AUTH_KEY: &str = "miaojing_auth";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredAuth {
    pub access_token: String,
    pub user: UserView,
    pub is_logged_in: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
}

impl StoredAuth {
    fn is_valid(&self) -> bool {
        if !self.is_logged_in || self.access_token.is_empty() {
            return false;
        }
        match self.expires_at {
            Some(exp) => (exp.timestamp_millis() as f64) > js_sys::Date::now(),
            None => true,
        }
    }
}

/// Reads the stored session; an expired or malformed one is removed and reads as `None`.
pub fn load() -> Option<StoredAuth> {
    let raw = storage::get(AUTH_KEY)?;
    match serde_json::from_str::<StoredAuth>(&raw) {
        Ok(auth) if auth.is_valid() => Some(auth),
        _ => {
            storage::remove(AUTH_KEY);
            None
        }
    }
}

/// The bearer token of the stored session, if any (used by the API client).
pub fn access_token() -> Option<String> {
    load().map(|a| a.access_token)
}

fn save(auth: &StoredAuth) {
    if let Ok(json) = serde_json::to_string(auth) {
        storage::set(AUTH_KEY, &json);
    }
}

/// The session context.
#[derive(Clone, Copy)]
pub struct Session {
    pub auth: RwSignal<Option<StoredAuth>>,
}

impl Session {
    pub fn is_logged_in(self) -> bool {
        self.auth.with(Option::is_some)
    }

    /// Like [`Session::is_logged_in`], without subscribing.
    pub fn is_logged_in_untracked(self) -> bool {
        self.auth.with_untracked(Option::is_some)
    }

    pub fn user(self) -> Option<UserView> {
        self.auth.with(|a| a.as_ref().map(|a| a.user.clone()))
    }

    /// Stores a fresh login/register answer.
    pub fn sign_in(self, resp: AuthResponse) {
        let auth = StoredAuth {
            access_token: resp.session.access_token,
            user: resp.user,
            is_logged_in: true,
            expires_at: Some(resp.session.expires_at),
        };
        save(&auth);
        self.auth.set(Some(auth));
    }

    /// Replaces the cached user (e.g. after `GET /api/profile`).
    pub fn update_user(self, user: UserView) {
        self.edit_user(|u| *u = user);
    }

    /// Changes the cached user in place and saves it.
    pub fn edit_user(self, f: impl FnOnce(&mut UserView)) {
        let next = self.auth.with_untracked(|a| {
            a.clone().map(|mut a| {
                f(&mut a.user);
                a
            })
        });
        if let Some(a) = next {
            if self.auth.with_untracked(|cur| cur.as_ref() != Some(&a)) {
                save(&a);
                self.auth.set(Some(a));
            }
        }
    }

    /// Forgets the session locally.
    pub fn clear(self) {
        storage::remove(AUTH_KEY);
        self.auth.set(None);
    }
}

pub fn provide_session() -> Session {
    let s = Session { auth: RwSignal::new(load()) };
    provide_context(s);
    s
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}

/// The name shown for a user: display nickname, else nickname, else username.
pub fn display_name(u: &UserView) -> String {
    [&u.display_nickname, &u.nickname, &u.username].into_iter().find(|s| !s.trim().is_empty()).cloned().unwrap_or_default()
}
