//! One error type for every layer, carrying a stable snake_case code.
use std::borrow::Cow;
use std::fmt;

pub use miaojing_vocab::{ErrorCode, ParseError};

/// What went wrong, in terms of the HTTP status a client will see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// 400: the request is malformed or breaks a rule.
    Validation,
    /// 401: no valid session.
    Unauthenticated,
    /// 402: not enough credits.
    InsufficientCredits,
    /// 403: signed in but not allowed.
    Forbidden,
    /// 404.
    NotFound,
    /// 409: the state does not allow it (already used, duplicate, …).
    Conflict,
    /// 413.
    TooLarge,
    /// 415.
    UnsupportedMedia,
    /// 422: the upstream answered something unusable.
    Unprocessable,
    /// 429.
    RateLimited,
    /// 502: an upstream or the mail server failed.
    Upstream,
    /// 503: a dependency is unavailable.
    Unavailable,
    /// 504.
    UpstreamTimeout,
    /// 500: a bug or an unexpected infrastructure failure; details are logged, not shown.
    Internal,
}

/// An error with a stable code and a human message safe to show to users.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    pub code: Cow<'static, str>,
    pub message: String,
    /// Seconds a client should wait (rate limits).
    pub retry_after: Option<u64>,
    /// Internal detail for logs; never sent to clients.
    pub detail: Option<String>,
}

/// Result alias used across the workspace.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A new error of `kind` with a stable `code` (an [`ErrorCode`]) and a user-facing message.
    pub fn new(kind: ErrorKind, code: impl Into<&'static str>, message: impl Into<String>) -> Self {
        Self { kind, code: Cow::Borrowed(code.into()), message: message.into(), retry_after: None, detail: None }
    }

    /// 400 with a code.
    pub fn validation(code: impl Into<&'static str>, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Validation, code, message)
    }

    /// 401.
    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unauthenticated, ErrorCode::Unauthenticated, message)
    }

    /// 403 with a code.
    pub fn forbidden(code: impl Into<&'static str>, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Forbidden, code, message)
    }

    /// 404 with a code.
    pub fn not_found(code: impl Into<&'static str>, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, code, message)
    }

    /// 409 with a code.
    pub fn conflict(code: impl Into<&'static str>, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, code, message)
    }

    /// 429 with a code and the seconds to wait.
    pub fn rate_limited(code: impl Into<&'static str>, message: impl Into<String>, retry_after: u64) -> Self {
        let mut e = Self::new(ErrorKind::RateLimited, code, message);
        e.retry_after = Some(retry_after.max(1));
        e
    }

    /// 500: the detail is kept for logs only.
    pub fn internal(detail: impl Into<String>) -> Self {
        let mut e = Self::new(ErrorKind::Internal, ErrorCode::InternalError, "服务器内部错误，请稍后再试");
        e.detail = Some(detail.into());
        e
    }

    /// Adds a log-only detail.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// The HTTP status code for this error.
    pub fn status(&self) -> u16 {
        match self.kind {
            ErrorKind::Validation => 400,
            ErrorKind::Unauthenticated => 401,
            ErrorKind::InsufficientCredits => 402,
            ErrorKind::Forbidden => 403,
            ErrorKind::NotFound => 404,
            ErrorKind::Conflict => 409,
            ErrorKind::TooLarge => 413,
            ErrorKind::UnsupportedMedia => 415,
            ErrorKind::Unprocessable => 422,
            ErrorKind::RateLimited => 429,
            ErrorKind::Upstream => 502,
            ErrorKind::Unavailable => 503,
            ErrorKind::UpstreamTimeout => 504,
            ErrorKind::Internal => 500,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.code)?;
        if let Some(d) = &self.detail {
            write!(f, ": {d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// A word outside its list is a 400 with the list's code (an [`ErrorCode`], so always one
/// the table lists).
impl From<ParseError> for Error {
    fn from(e: ParseError) -> Self {
        let code = Cow::Borrowed(e.code.as_str());
        Self { kind: ErrorKind::Validation, code, message: e.message.to_string(), retry_after: None, detail: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_follow_kinds() {
        assert_eq!(Error::validation("x", "m").status(), 400);
        assert_eq!(Error::rate_limited("x", "m", 0).retry_after, Some(1));
        let e = Error::internal("db exploded");
        assert_eq!(e.status(), 500);
        assert!(!e.message.contains("db exploded"));
    }
}
