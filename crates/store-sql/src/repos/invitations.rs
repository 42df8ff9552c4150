//! Invitation referrals.

/// Implements `InvitationRepo` for a [`SqlStore`](crate::SqlStore) type (expanded by
/// [`impl_shared_repos!`](crate::impl_shared_repos)).
#[doc(hidden)]
#[macro_export]
macro_rules! __invitations_repo {
    ($store:ty) => {
        const _: () = {
            type Db = <$store as $crate::SqlStore>::Db;

            use $crate::__private::miaojing_domain::invitation::Referral;
            use $crate::__private::miaojing_domain::repo::InvitationRepo;
            use $crate::__private::miaojing_domain::{PageRequest, Paged, Result};
            use $crate::__private::sqlx::{self, QueryBuilder};
            use $crate::__private::uuid::Uuid;

            use $crate::errors::db_err;
            use $crate::rows;
            use $crate::sql::like_pattern;
            use $crate::sql::limit_offset;
            use $crate::SqlStore as _;

            const SELECT: &str = "SELECT f.id, f.invite_code, f.inviter_id, f.invitee_id, f.inviter_bonus, f.invitee_bonus, \
                 f.created_at, a.email AS inviter_email, a.display_nickname AS inviter_nickname, \
                 b.email AS invitee_email, b.display_nickname AS invitee_nickname \
                 FROM invitation_referrals f LEFT JOIN users a ON a.id = f.inviter_id LEFT JOIN users b ON b.id = f.invitee_id";

            const FROM: &str = "SELECT COUNT(*) FROM invitation_referrals f LEFT JOIN users a ON a.id = f.inviter_id \
                 LEFT JOIN users b ON b.id = f.invitee_id";

            enum Filter<'a> {
                Inviter(Uuid),
                Search(Option<&'a str>),
            }

            fn push_filter(qb: &mut QueryBuilder<'_, Db>, filter: &Filter<'_>) {
                match filter {
                    Filter::Inviter(id) => {
                        qb.push(" WHERE f.inviter_id = ").push_bind(*id);
                    }
                    Filter::Search(search) => {
                        let Some(term) = search.map(str::trim).filter(|s| !s.is_empty()) else {
                            return;
                        };
                        let pattern = like_pattern(&term.to_lowercase());
                        qb.push(" WHERE (");
                        let columns = [
                            "lower(f.invite_code)",
                            "lower(a.email)",
                            "lower(a.username)",
                            "lower(a.display_nickname)",
                            "lower(b.email)",
                            "lower(b.username)",
                            "lower(b.display_nickname)",
                        ];
                        for (i, column) in columns.into_iter().enumerate() {
                            if i > 0 {
                                qb.push(" OR ");
                            }
                            qb.push(column).push(" LIKE ").push_bind(pattern.clone()).push(" ESCAPE '\\'");
                        }
                        qb.push(")");
                    }
                }
            }

            async fn referral_page(store: &$store, filter: Filter<'_>, page: PageRequest) -> Result<Paged<Referral>> {
                let mut count: QueryBuilder<'_, Db> = QueryBuilder::new(FROM);
                push_filter(&mut count, &filter);
                let total: i64 = count.build_query_scalar().fetch_one(store.reader()).await.map_err(db_err)?;

                let (limit, offset) = limit_offset(page);
                let mut qb: QueryBuilder<'_, Db> = QueryBuilder::new(SELECT);
                push_filter(&mut qb, &filter);
                qb.push(format!(" ORDER BY f.created_at DESC, f.{} DESC LIMIT ", <$store as $crate::SqlStore>::ROW_ORDER))
                    .push_bind(limit)
                    .push(" OFFSET ")
                    .push_bind(offset);
                let found = qb.build().fetch_all(store.reader()).await.map_err(db_err)?;
                let items = found.iter().map(rows::referral).collect::<Result<Vec<_>>>()?;
                Ok(Paged { items, total })
            }

            #[$crate::__private::async_trait]
            impl InvitationRepo for $store {
                async fn referrals_by_inviter(&self, inviter_id: Uuid, page: PageRequest) -> Result<Paged<Referral>> {
                    referral_page(self, Filter::Inviter(inviter_id), page).await
                }

                async fn list_referrals(&self, search: Option<&str>, page: PageRequest) -> Result<Paged<Referral>> {
                    referral_page(self, Filter::Search(search), page).await
                }
            }
        };
    };
}
