//! sqlx errors as domain errors.
use miaojing_domain::Error;

/// Maps a sqlx error: missing rows and foreign-key violations are `not_found`, unique
/// violations become the conflict code of the index they hit, everything else is internal.
pub(crate) fn db_err(e: sqlx::Error) -> Error {
    match &e {
        sqlx::Error::RowNotFound => Error::not_found("not_found", "记录不存在"),
        sqlx::Error::Database(db) if db.is_unique_violation() => unique_conflict(db.message()),
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
            Error::not_found("not_found", "关联的记录不存在").with_detail(db.message().to_string())
        }
        _ => Error::internal(format!("sqlite: {e}")),
    }
}

/// SQLite names a violated unique index by its columns (`users.email`) or, for an
/// index on an expression, by its name (`index 'users_username_key'`).
fn unique_conflict(message: &str) -> Error {
    let has = |names: &[&str]| names.iter().any(|n| message.contains(n));
    let e = if has(&["users.email", "users_email_key"]) {
        Error::conflict("email_taken", "该邮箱已被注册")
    } else if has(&["users.username", "users_username_key"]) {
        Error::conflict("username_taken", "该用户名已被占用")
    } else if has(&["users.phone", "users_phone_key"]) {
        Error::conflict("phone_taken", "该手机号已被绑定")
    } else if has(&["users.invite_code", "users_invite_code_key"]) {
        Error::conflict("invite_code_taken", "邀请码已存在")
    } else if has(&["redeem_codes.normalized_code", "redeem_codes.id"]) {
        Error::conflict("code_collision", "兑换码已存在")
    } else if has(&["invitation_referrals.invitee_id"]) {
        Error::conflict("already_referred", "该用户已有邀请记录")
    } else {
        Error::conflict("duplicate", "记录已存在")
    };
    e.with_detail(message.to_string())
}

/// A stored value the code does not understand.
pub(crate) fn bad_data(what: &str, value: impl std::fmt::Debug) -> Error {
    Error::internal(format!("sqlite: unexpected {what} {value:?}"))
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern and wraps it in `%…%`.
pub(crate) fn like_pattern(term: &str) -> String {
    let mut s = String::with_capacity(term.len() + 2);
    s.push('%');
    for c in term.chars() {
        if matches!(c, '%' | '_' | '\\') {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('%');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_wildcards() {
        assert_eq!(like_pattern(r"a%b_c\d"), r"%a\%b\_c\\d%");
    }

    #[test]
    fn maps_index_names() {
        assert_eq!(unique_conflict("UNIQUE constraint failed: users.email").code, "email_taken");
        assert_eq!(unique_conflict("UNIQUE constraint failed: index 'users_username_key'").code, "username_taken");
        assert_eq!(unique_conflict("UNIQUE constraint failed: redeem_codes.normalized_code").code, "code_collision");
    }
}
