//! The console views (one module per sidebar area) and the small helpers they share.
pub mod announcements;
pub mod catalog;
pub mod demo_models;
pub mod gallery;
pub mod logs;
pub mod models;
pub mod redeem;
pub mod settings;
pub mod tasks;
pub mod users;

use chrono::{DateTime, Utc};
use miaojing_api_types::vocab::{JobStatus, MediaType, Tier};
use uuid::Uuid;

use super::text::C;
use crate::browser::local_minute;

/// The first 8 characters of an id.
pub fn short_id(id: Uuid) -> String {
    id.to_string()[..8].to_string()
}

/// A time for a `datetime-local` input, in the browser's zone.
pub fn to_local_input(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| local_minute(t).replace(' ', "T")).unwrap_or_default()
}

/// Parses a `datetime-local` value (browser zone); empty or invalid gives `None`.
pub fn from_local_input(s: &str) -> Option<DateTime<Utc>> {
    if s.trim().is_empty() {
        return None;
    }
    let ms = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(s.trim())).get_time();
    if ms.is_nan() {
        return None;
    }
    DateTime::from_timestamp_millis(ms as i64)
}

/// The browser's current time.
pub fn now() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(crate::browser::now_millis()).unwrap_or_default()
}

/// A time for a table cell (`—` when absent).
pub fn when(t: Option<DateTime<Utc>>) -> String {
    t.map(local_minute).unwrap_or_else(|| "—".into())
}

/// Membership tiers.
pub const TIERS: [(&str, C); 4] = [
    (Tier::Free.as_str(), C::TierFree),
    (Tier::Pro.as_str(), C::TierPro),
    (Tier::Max.as_str(), C::TierMax),
    (Tier::Ultra.as_str(), C::TierUltra),
];

/// Media types of models and providers.
pub const MEDIA: [(&str, C); 3] =
    [(MediaType::Image.as_str(), C::MediaImage), (MediaType::Video.as_str(), C::MediaVideo), (MediaType::Text.as_str(), C::MediaText)];

/// Page sizes offered by list views.
pub const PAGE_SIZES: [(&str, C); 3] = [("20", C::Size20), ("50", C::Size50), ("100", C::Size100)];

/// Badge tone of a job or call status.
pub fn status_tone(s: &str) -> &'static str {
    match s {
        "succeeded" | "unused" | "active" => "ok",
        "failed" | "revoked" | "expired" => "bad",
        "queued" | "running" | "scheduled" => "warn",
        _ => "",
    }
}

/// The label of a job/call status.
pub fn status_label(s: &str) -> C {
    if let Ok(job) = JobStatus::parse(s) {
        return job_status_label(job);
    }
    match s {
        "unused" => C::StUnused,
        "used" => C::StUsed,
        "revoked" => C::StRevoked,
        "expired" => C::StExpired,
        _ => C::StOther,
    }
}

/// The label of a job status.
pub fn job_status_label(s: JobStatus) -> C {
    match s {
        JobStatus::Queued => C::StQueued,
        JobStatus::Running => C::StRunning,
        JobStatus::Succeeded => C::StSucceeded,
        JobStatus::Failed => C::StFailed,
        JobStatus::Cancelled => C::StCancelled,
    }
}

/// A label from a fixed list, or the raw value when it is not in the list.
pub fn label_of(list: &[(&str, C)], v: &str) -> Option<C> {
    list.iter().find(|(k, _)| *k == v).map(|(_, l)| *l)
}
