//! Small SQL helpers shared by the repositories.
use chrono::{DateTime, SubsecRound, Utc};
use miaojing_domain::PageRequest;
use sqlx::QueryBuilder;
use uuid::Uuid;

/// A `LIKE` pattern matching `input` as a substring: `%`, `_` and `\` in the input are
/// escaped for `ESCAPE '\'` (PostgreSQL's default escape character).
pub fn like_pattern(input: &str) -> String {
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

/// Pushes `(lower(c1) LIKE p ESCAPE '\' OR …)`: any of `columns` contains `term`, in any case
/// (SQLite's `LIKE` folds only ASCII, so both sides are lowercased).
pub fn push_contains_any<'a, DB>(q: &mut QueryBuilder<'a, DB>, columns: &[&str], term: &str)
where
    DB: sqlx::Database,
    String: 'a + sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    let pattern = like_pattern(&term.to_lowercase());
    q.push("(");
    for (i, column) in columns.iter().enumerate() {
        if i > 0 {
            q.push(" OR ");
        }
        q.push(format!("lower({column}) LIKE ")).push_bind(pattern.clone()).push(" ESCAPE '\\'");
    }
    q.push(")");
}

/// Pushes `(v1, v2, …)` with every value bound, for an `IN` list (the caller keeps it non-empty).
pub fn push_list<'a, DB, T>(q: &mut QueryBuilder<'a, DB>, values: impl IntoIterator<Item = T>)
where
    DB: sqlx::Database,
    T: 'a + sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    q.push("(");
    let mut sep = q.separated(", ");
    for v in values {
        sep.push_bind(v);
    }
    sep.push_unseparated(")");
}

/// Pushes `, column = value` onto an `UPDATE … SET` for each value that is `Some`:
/// `push_set_some!(qb, patch => { email, phone; role: patch.role.map(|r| r.as_str()) })` sets each
/// column named before the `;` from the field of the same name and the others as written.
#[macro_export]
macro_rules! push_set_some {
    ($qb:ident, $src:ident => { $($col:ident),* $(,)? $(; $($other:ident: $value:expr),* $(,)?)? }) => {
        $($crate::push_set_some!(@one $qb, $col, $src.$col);)*
        $($($crate::push_set_some!(@one $qb, $other, $value);)*)?
    };
    (@one $qb:ident, $col:ident, $value:expr) => {
        if let Some(v) = $value {
            $qb.push(concat!(", ", stringify!($col), " = ")).push_bind(v);
        }
    };
}

/// A search string trimmed, or `None` when empty.
pub fn search_term(search: Option<&str>) -> Option<&str> {
    search.map(str::trim).filter(|s| !s.is_empty())
}

/// `LIMIT` and `OFFSET` of a page (never negative).
pub fn limit_offset(page: PageRequest) -> (i64, i64) {
    let size = page.size.max(0);
    (size, PageRequest { page: page.page.max(1), size }.offset())
}

/// Whole seconds from `now` until `until`, rounded up and at least 1 (for `Retry-After`).
pub fn seconds_until(now: DateTime<Utc>, until: DateTime<Utc>) -> u64 {
    let d = until - now;
    if d <= chrono::Duration::zero() {
        return 1;
    }
    let secs = d.num_seconds() + i64::from(d.subsec_nanos() > 0);
    u64::try_from(secs).unwrap_or(1).max(1)
}

/// The current time at the databases' precision (microseconds).
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// A UUID if `s` is one.
pub fn as_uuid(s: &str) -> Option<Uuid> {
    Uuid::parse_str(s.trim()).ok()
}

#[cfg(test)]
mod tests {
    use chrono::Duration;
    use sqlx::sqlite::SqlitePoolOptions;
    use sqlx::Row;

    use super::*;

    #[test]
    fn escapes_like_metacharacters() {
        assert_eq!(like_pattern("a%b_c\\d"), "%a\\%b\\_c\\\\d%");
        assert_eq!(like_pattern(""), "%%");
    }

    #[test]
    fn rounds_retry_up() {
        let now = Utc::now();
        assert_eq!(seconds_until(now, now + Duration::milliseconds(1500)), 2);
        assert_eq!(seconds_until(now, now + Duration::seconds(60)), 60);
        assert_eq!(seconds_until(now, now - Duration::seconds(5)), 1);
        assert_eq!(seconds_until(now, now + Duration::microseconds(1)), 1);
    }

    #[test]
    fn pages() {
        assert_eq!(limit_offset(PageRequest { page: 3, size: 20 }), (20, 40));
        assert_eq!(limit_offset(PageRequest { page: 0, size: -5 }), (0, 0));
    }

    /// The shared SQL uses `$n` placeholders: sqlx's SQLite driver binds them by number,
    /// in any order and repeated, as PostgreSQL does.
    #[tokio::test]
    async fn sqlite_reads_numbered_placeholders() {
        let pool = SqlitePoolOptions::new().max_connections(1).connect("sqlite::memory:").await.expect("in-memory SQLite");
        let row = sqlx::query("SELECT $2 AS b, $1 AS a, $2 || $1 AS ba").bind("x").bind("y").fetch_one(&pool).await.expect("query");
        let got: (String, String, String) = (row.get("a"), row.get("b"), row.get("ba"));
        assert_eq!(got, ("x".into(), "y".into(), "yx".into()));
    }
}
