//! Small SQL helpers shared by the modules.
use chrono::{DateTime, Duration, SubsecRound, Utc};
use miaojing_domain::PageRequest;

/// A `LIKE`/`ILIKE` pattern matching `input` as a substring: `%`, `_` and `\` in the input
/// are escaped (PostgreSQL's default escape character is `\`).
pub(crate) fn contains_pattern(input: &str) -> String {
    let mut p = String::with_capacity(input.len() + 2);
    p.push('%');
    for c in input.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// A search string trimmed, or `None` when empty.
pub(crate) fn search_term(search: Option<&str>) -> Option<&str> {
    search.map(str::trim).filter(|s| !s.is_empty())
}

/// `LIMIT` and `OFFSET` of a page (never negative).
pub(crate) fn limit_offset(page: PageRequest) -> (i64, i64) {
    let size = page.size.max(0);
    (size, PageRequest { page: page.page.max(1), size }.offset())
}

/// Whole seconds until `until` (rounded up), for `Retry-After`.
pub(crate) fn seconds_until(until: DateTime<Utc>, now: DateTime<Utc>) -> u64 {
    let d = until - now;
    if d <= Duration::zero() {
        return 1;
    }
    let secs = d.num_seconds() + i64::from(d.subsec_nanos() > 0);
    u64::try_from(secs).unwrap_or(1)
}

/// The current time at the database's precision (microseconds).
pub(crate) fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_metacharacters() {
        assert_eq!(contains_pattern("a%b_c\\d"), "%a\\%b\\_c\\\\d%");
        assert_eq!(contains_pattern(""), "%%");
    }

    #[test]
    fn rounds_retry_up() {
        let now = Utc::now();
        assert_eq!(seconds_until(now + Duration::milliseconds(1500), now), 2);
        assert_eq!(seconds_until(now + Duration::seconds(60), now), 60);
        assert_eq!(seconds_until(now - Duration::seconds(5), now), 1);
    }

    #[test]
    fn pages() {
        assert_eq!(limit_offset(PageRequest { page: 3, size: 20 }), (20, 40));
        assert_eq!(limit_offset(PageRequest { page: 0, size: -5 }), (0, 0));
    }
}
