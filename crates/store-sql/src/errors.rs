//! Database failures as domain errors: one table for both backends, so a violated
//! constraint or an unreachable database answers with the same status, code and message
//! whichever store hit it.
use miaojing_domain::{Error, ErrorKind};
use sqlx::error::{DatabaseError, ErrorKind as DbKind};

/// CHECK constraints on a balance: violating one means the account cannot pay.
const BALANCE_CHECKS: &[&str] = &["credits_balance", "balance_after"];

/// Maps a sqlx error: a missing row and a foreign-key violation are `not_found`, a unique
/// violation the conflict of its index, a CHECK violation `insufficient_credits` (on a
/// balance) or `invalid_value`, an unreachable database or an exhausted pool 503, anything
/// else 500 (with the database's words kept as the detail, for the log).
pub fn db_err(e: sqlx::Error) -> Error {
    match e {
        sqlx::Error::RowNotFound => Error::not_found("not_found", "记录不存在"),
        sqlx::Error::Database(db) => constraint_error(db.as_ref()),
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => unavailable(e.to_string()),
        other => Error::internal(other.to_string()),
    }
}

/// 503 `database_unavailable`, with `detail` for the log.
pub fn unavailable(detail: String) -> Error {
    Error::new(ErrorKind::Unavailable, "database_unavailable", "数据库暂时不可用，请稍后再试").with_detail(detail)
}

/// 402 `insufficient_credits`.
pub fn insufficient_credits() -> Error {
    Error::new(ErrorKind::InsufficientCredits, "insufficient_credits", "积分不足")
}

/// 402 `insufficient_credits` for a job whose cost the balance minus the open holds cannot cover.
pub fn short_of(cost: i64, held: i64, balance: i64) -> Error {
    Error::new(
        ErrorKind::InsufficientCredits,
        "insufficient_credits",
        format!("积分不足，本次生成需要 {cost} 积分，已排队任务预占 {held} 积分，当前余额 {balance} 积分"),
    )
}

/// A stored value the code does not understand (a 500: the data is corrupt, not the input).
pub fn bad_data(what: &str, value: impl std::fmt::Debug) -> Error {
    Error::internal(format!("unexpected stored {what} {value:?}"))
}

fn constraint_error(db: &dyn DatabaseError) -> Error {
    // PostgreSQL names the constraint; SQLite only says it in the message.
    let name = db.constraint().unwrap_or_else(|| db.message());
    let detail = format!("{} (code {:?}, constraint {:?})", db.message(), db.code(), db.constraint());
    let e = match db.kind() {
        DbKind::UniqueViolation => unique_conflict(name),
        DbKind::ForeignKeyViolation => Error::not_found("not_found", "关联的记录不存在"),
        DbKind::CheckViolation if BALANCE_CHECKS.iter().any(|c| name.contains(c)) => insufficient_credits(),
        DbKind::CheckViolation => Error::validation("invalid_value", "数据不符合要求"),
        // PostgreSQL's numeric_value_out_of_range (SQLite has no such failure).
        _ if db.code().as_deref() == Some("22003") => Error::validation("value_out_of_range", "数值超出范围"),
        _ => Error::internal(detail.clone()),
    };
    e.with_detail(detail)
}

/// The conflict for a violated unique index (`duplicate` when the index has no rule). An
/// index is known by the constraint PostgreSQL reports or by SQLite's message, which names the
/// index (`index 'users_username_key'`) or its columns (`users.email`).
pub fn unique_conflict(name: &str) -> Error {
    let on = |names: &[&str]| names.iter().any(|n| name.contains(n));
    if on(&["users_email_key", "users.email"]) {
        Error::conflict("email_taken", "该邮箱已被注册")
    } else if on(&["users_username_key", "users.username"]) {
        Error::conflict("username_taken", "该用户名已被使用")
    } else if on(&["users_phone_key", "users.phone"]) {
        Error::conflict("phone_taken", "该手机号已被使用")
    } else if on(&["users_invite_code_key", "users.invite_code"]) {
        Error::conflict("invite_code_taken", "邀请码已被占用")
    } else if on(&["redeem_codes_normalized_code_key", "redeem_codes_pkey", "redeem_codes.normalized_code", "redeem_codes.id"]) {
        Error::conflict("code_collision", "兑换码与已有兑换码重复")
    } else if on(&["invitation_referrals_invitee_id_key", "invitation_referrals.invitee_id"]) {
        Error::conflict("already_referred", "该用户已有邀请记录")
    } else {
        Error::conflict("duplicate", "记录已存在")
    }
}

/// A unique violation as its own conflict code (a duplicate provider name, preset label…).
pub fn named_conflict(e: sqlx::Error, code: &'static str, message: &str) -> Error {
    let mapped = db_err(e);
    if mapped.code == "duplicate" {
        Error::conflict(code, message)
    } else {
        mapped
    }
}

/// Maps sqlx results with [`db_err`].
pub trait DbResultExt<T> {
    /// The result with its error mapped by [`db_err`].
    fn db(self) -> Result<T, Error>;
}

impl<T> DbResultExt<T> for Result<T, sqlx::Error> {
    fn db(self) -> Result<T, Error> {
        self.map_err(db_err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_index_conflicts_of_either_backend() {
        for (name, code) in [
            ("UNIQUE constraint failed: users.email", "email_taken"),
            ("users_email_key", "email_taken"),
            ("UNIQUE constraint failed: index 'users_username_key'", "username_taken"),
            ("users_username_key", "username_taken"),
            ("UNIQUE constraint failed: users.phone", "phone_taken"),
            ("users_phone_key", "phone_taken"),
            ("UNIQUE constraint failed: redeem_codes.normalized_code", "code_collision"),
            ("redeem_codes_pkey", "code_collision"),
            ("invitation_referrals_invitee_id_key", "already_referred"),
            ("api_providers_name_key", "duplicate"),
        ] {
            assert_eq!(unique_conflict(name).code, code, "{name}");
        }
    }

    #[test]
    fn one_message_per_code() {
        let sqlite = unique_conflict("UNIQUE constraint failed: index 'users_username_key'");
        let postgres = unique_conflict("users_username_key");
        assert_eq!((sqlite.status(), sqlite.message.as_str()), (409, "该用户名已被使用"));
        assert_eq!((postgres.status(), postgres.message), (409, sqlite.message));
        let phone = unique_conflict("UNIQUE constraint failed: users.phone");
        assert_eq!(phone.message, "该手机号已被使用");
    }

    #[test]
    fn pool_failures_are_unavailable() {
        for e in [sqlx::Error::PoolTimedOut, sqlx::Error::PoolClosed] {
            let mapped = db_err(e);
            assert_eq!((mapped.status(), mapped.code.as_ref()), (503, "database_unavailable"));
            assert_eq!(mapped.message, "数据库暂时不可用，请稍后再试");
        }
        assert_eq!(db_err(sqlx::Error::RowNotFound).status(), 404);
    }
}
