//! sqlx errors → domain errors with stable codes.
use miaojing_domain::{Error, ErrorKind};

/// Maps a sqlx error: unique violations become `conflict` codes by index name, foreign-key
/// violations `not_found`, connection trouble 503, anything else 500 with the detail logged.
pub(crate) fn map_db_error(e: sqlx::Error) -> Error {
    match e {
        sqlx::Error::RowNotFound => Error::not_found("not_found", "记录不存在"),
        sqlx::Error::Database(db) => {
            let constraint = db.constraint().unwrap_or_default().to_string();
            let detail = format!("{db} (code {:?}, constraint {constraint:?})", db.code());
            match db.code().as_deref() {
                // unique_violation
                Some("23505") => unique_conflict(&constraint).with_detail(detail),
                // foreign_key_violation
                Some("23503") => Error::not_found("not_found", "关联的记录不存在").with_detail(detail),
                // check_violation
                Some("23514") if constraint.contains("credits_balance") || constraint.contains("balance_after") => {
                    insufficient_credits().with_detail(detail)
                }
                Some("23514") => Error::validation("invalid_value", "数据不符合要求").with_detail(detail),
                // numeric_value_out_of_range
                Some("22003") => Error::validation("value_out_of_range", "数值超出范围").with_detail(detail),
                _ => Error::internal(detail),
            }
        }
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => {
            Error::new(ErrorKind::Unavailable, "database_unavailable", "数据库暂时不可用，请稍后再试").with_detail(e.to_string())
        }
        other => Error::internal(other.to_string()),
    }
}

/// The conflict for a unique index or constraint.
pub(crate) fn unique_conflict(constraint: &str) -> Error {
    match constraint {
        "users_email_key" => Error::conflict("email_taken", "该邮箱已被注册"),
        "users_username_key" => Error::conflict("username_taken", "该用户名已被使用"),
        "users_phone_key" => Error::conflict("phone_taken", "该手机号已被使用"),
        "users_invite_code_key" => Error::conflict("invite_code_taken", "邀请码已被占用"),
        "redeem_codes_normalized_code_key" | "redeem_codes_pkey" => Error::conflict("code_collision", "兑换码与已有兑换码重复"),
        "invitation_referrals_invitee_id_key" => Error::conflict("already_referred", "该用户已有邀请记录"),
        _ => Error::conflict("duplicate", "记录已存在"),
    }
}

/// 402 `insufficient_credits`.
pub(crate) fn insufficient_credits() -> Error {
    Error::new(ErrorKind::InsufficientCredits, "insufficient_credits", "积分不足")
}

/// Maps sqlx results with [`map_db_error`].
pub(crate) trait DbResultExt<T> {
    fn db(self) -> Result<T, Error>;
}

impl<T> DbResultExt<T> for Result<T, sqlx::Error> {
    fn db(self) -> Result<T, Error> {
        self.map_err(map_db_error)
    }
}
