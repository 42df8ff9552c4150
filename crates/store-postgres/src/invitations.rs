//! Invitation referrals.
use async_trait::async_trait;
use miaojing_domain::invitation::Referral;
use miaojing_domain::repo::InvitationRepo;
use miaojing_domain::{PageRequest, Paged, Result};
use sqlx::{Postgres, QueryBuilder};
use uuid::Uuid;

use crate::errors::DbResultExt;
use crate::rows::ReferralRow;
use crate::sql::{contains_pattern, limit_offset, search_term};
use crate::PgStore;

const SELECT: &str = "SELECT r.*, a.email AS inviter_email, a.display_nickname AS inviter_nickname, \
     b.email AS invitee_email, b.display_nickname AS invitee_nickname \
     FROM invitation_referrals r \
     LEFT JOIN users a ON a.id = r.inviter_id \
     LEFT JOIN users b ON b.id = r.invitee_id";

const FROM: &str = "SELECT COUNT(*) FROM invitation_referrals r \
     LEFT JOIN users a ON a.id = r.inviter_id \
     LEFT JOIN users b ON b.id = r.invitee_id";

fn push_search(q: &mut QueryBuilder<'_, Postgres>, search: Option<&str>) {
    let Some(term) = search_term(search) else {
        return;
    };
    let p = contains_pattern(term);
    q.push(" WHERE (");
    let columns = ["a.email", "a.username", "a.display_nickname", "b.email", "b.username", "b.display_nickname", "r.invite_code"];
    for (i, column) in columns.iter().enumerate() {
        if i > 0 {
            q.push(" OR ");
        }
        q.push(*column);
        q.push(" ILIKE ");
        q.push_bind(p.clone());
    }
    q.push(")");
}

#[async_trait]
impl InvitationRepo for PgStore {
    async fn referrals_by_inviter(&self, inviter_id: Uuid, page: PageRequest) -> Result<Paged<Referral>> {
        let (limit, offset) = limit_offset(page);
        let rows: Vec<ReferralRow> =
            sqlx::query_as(&format!("{SELECT} WHERE r.inviter_id = $1 ORDER BY r.created_at DESC, r.id DESC LIMIT $2 OFFSET $3"))
                .bind(inviter_id)
                .bind(limit)
                .bind(offset)
                .fetch_all(&self.pool)
                .await
                .db()?;
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM invitation_referrals WHERE inviter_id = $1")
            .bind(inviter_id)
            .fetch_one(&self.pool)
            .await
            .db()?;
        Ok(Paged { items: rows.into_iter().map(Referral::from).collect(), total })
    }

    async fn list_referrals(&self, search: Option<&str>, page: PageRequest) -> Result<Paged<Referral>> {
        let (limit, offset) = limit_offset(page);
        let mut q: QueryBuilder<'_, Postgres> = QueryBuilder::new(SELECT);
        push_search(&mut q, search);
        q.push(" ORDER BY r.created_at DESC, r.id DESC LIMIT ");
        q.push_bind(limit);
        q.push(" OFFSET ");
        q.push_bind(offset);
        let rows: Vec<ReferralRow> = q.build_query_as().fetch_all(&self.pool).await.db()?;

        let mut count: QueryBuilder<'_, Postgres> = QueryBuilder::new(FROM);
        push_search(&mut count, search);
        let total: i64 = count.build_query_scalar().fetch_one(&self.pool).await.db()?;
        Ok(Paged { items: rows.into_iter().map(Referral::from).collect(), total })
    }
}
