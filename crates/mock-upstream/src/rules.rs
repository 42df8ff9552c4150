//! Failure-injection rules.

use serde::{Deserialize, Serialize};

/// A failure rule: when a request matches `path` (exact, or a prefix when it ends with `*`) and
/// `model` (exact), `action` is applied. `times` limits how many requests it applies to; `None`
/// means forever. Rules are tried in insertion order and the first match wins.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Rule {
    /// Assigned by the server when the rule is added.
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub model: Option<String>,
    /// Remaining number of requests this rule applies to; `None` = unlimited.
    #[serde(default)]
    pub times: Option<u32>,
    pub action: Action,
}

/// What a matching rule does to the request.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Action {
    /// Answers with `status` (400, 401, 429, 500, 502, 503, 504, …) and an OpenAI-shaped error body,
    /// or `body` verbatim when given. 429 carries `Retry-After` (`retry_after`, default 1 s).
    Status {
        status: u16,
        #[serde(default)]
        retry_after: Option<u64>,
        #[serde(default)]
        message: Option<String>,
        #[serde(default)]
        body: Option<String>,
    },
    /// Sends nothing (not even headers) for `seconds`, then answers `status` (default 524, the
    /// Cloudflare "a timeout occurred" code) with a Cloudflare-like body.
    Idle {
        seconds: f64,
        #[serde(default = "default_idle_status")]
        status: u16,
    },
    /// Waits `ms` milliseconds, then answers normally.
    Delay { ms: u64 },
    /// Answers 200 with a `Content-Type: application/json` body that is not valid JSON.
    Garbage,
    /// Result URLs created by the matching request stop working after `after_seconds` and/or after
    /// `after_fetches` successful downloads (0 = never downloadable), answering `status` (default 410).
    ExpireUrls {
        #[serde(default)]
        after_seconds: Option<f64>,
        #[serde(default)]
        after_fetches: Option<u32>,
        #[serde(default = "default_expired_status")]
        status: u16,
    },
    /// A video task submitted by the matching request ends `failed` with `message`.
    FailTask {
        #[serde(default)]
        message: Option<String>,
    },
    /// An image request answers `count` images (1–10), whatever its `n` asked for: an upstream
    /// that ignores the requested number.
    ImageCount { count: u32 },
}

fn default_idle_status() -> u16 {
    524
}

fn default_expired_status() -> u16 {
    410
}

impl Action {
    /// A plain status failure with the default body.
    pub fn status(status: u16) -> Self {
        Action::Status { status, retry_after: None, message: None, body: None }
    }

    /// 429 with the given `Retry-After` seconds.
    pub fn rate_limited(retry_after: u64) -> Self {
        Action::Status { status: 429, retry_after: Some(retry_after), message: None, body: None }
    }

    /// Idles `seconds`, then answers 524.
    pub fn idle(seconds: f64) -> Self {
        Action::Idle { seconds, status: 524 }
    }

    /// Result URLs answer 403 from the first download on.
    pub fn forbid_urls() -> Self {
        Action::ExpireUrls { after_seconds: None, after_fetches: Some(0), status: 403 }
    }
}

impl Rule {
    /// A rule applying `action` to every request until narrowed with the builder methods.
    pub fn new(action: Action) -> Self {
        Rule { id: String::new(), path: None, model: None, times: None, action }
    }

    /// Only requests to `path` (a prefix when it ends with `*`).
    pub fn on_path(mut self, path: &str) -> Self {
        self.path = Some(path.to_string());
        self
    }

    /// Only requests naming `model`.
    pub fn for_model(mut self, model: &str) -> Self {
        self.model = Some(model.to_string());
        self
    }

    /// Only the next `n` matching requests.
    pub fn times(mut self, n: u32) -> Self {
        self.times = Some(n);
        self
    }

    pub(crate) fn matches(&self, path: &str, model: Option<&str>) -> bool {
        if self.times == Some(0) {
            return false;
        }
        if let Some(p) = &self.path {
            let ok = match p.strip_suffix('*') {
                Some(prefix) => path.starts_with(prefix),
                None => path == p,
            };
            if !ok {
                return false;
            }
        }
        if let Some(m) = &self.model {
            if model != Some(m.as_str()) {
                return false;
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matching_by_path_prefix_model_and_count() {
        let r = Rule::new(Action::Garbage).on_path("/v1/video/*").for_model("m");
        assert!(r.matches("/v1/video/generations/abc", Some("m")));
        assert!(!r.matches("/v1/video/generations/abc", Some("x")));
        assert!(!r.matches("/v1/images/generations", Some("m")));
        let exact = Rule::new(Action::Garbage).on_path("/v1/models").times(0);
        assert!(!exact.matches("/v1/models", None));
    }

    #[test]
    fn rules_parse_from_admin_json() {
        let r: Rule = serde_json::from_str(r#"{"path":"/v1/chat/completions","times":2,"action":{"type":"idle","seconds":0.5}}"#).unwrap();
        assert_eq!(r.action, Action::Idle { seconds: 0.5, status: 524 });
        assert_eq!(r.times, Some(2));
        let r: Rule = serde_json::from_str(r#"{"model":"x","action":{"type":"status","status":429,"retry_after":7}}"#).unwrap();
        assert_eq!(r.action, Action::rate_limited(7));
    }
}
