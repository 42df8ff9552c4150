//! Credits as the user sees them: ledger, redemption, invitations.
use actix_web::{get, post, web};
use miaojing_api_types::credits::{CreditRecord, CreditRecords, MyInvitations, RedeemRequest, RedeemResponse, Referral};
use miaojing_api_types::error::ErrorBody;
use miaojing_domain::invitation::Referral as DomainReferral;
use miaojing_domain::ledger::LedgerEntry;
use miaojing_domain::redeem::display_code;
use miaojing_domain::PageRequest;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::http::error::ApiResult;
use crate::http::extract::Authed;
use crate::state::AppState;

pub(super) fn configure(cfg: &mut ServiceConfig) {
    cfg.service(credit_transactions).service(redeem).service(my_invitations);
}

/// Page parameters (`limit` is accepted as an alias of `pageSize`).
#[derive(Debug, Deserialize, IntoParams)]
pub struct PageQuery {
    pub page: Option<i64>,
    #[serde(rename = "pageSize", alias = "limit")]
    #[param(rename = "pageSize")]
    pub page_size: Option<i64>,
}

/// A ledger row on the wire.
pub fn record(e: &LedgerEntry) -> CreditRecord {
    CreditRecord {
        id: e.id,
        amount: e.amount,
        balance_after: e.balance_after,
        kind: e.kind.as_str().to_string(),
        description: e.description.clone(),
        created_at: e.created_at,
    }
}

/// A referral on the wire.
pub fn referral(r: &DomainReferral) -> Referral {
    Referral {
        id: r.id,
        invite_code: r.invite_code.clone(),
        inviter_user_id: r.inviter_id,
        invitee_user_id: r.invitee_id,
        inviter_bonus_credits: r.inviter_bonus,
        invitee_bonus_credits: r.invitee_bonus,
        created_at: r.created_at,
        inviter_email: r.inviter_email.clone(),
        inviter_nickname: r.inviter_nickname.clone(),
        invitee_email: r.invitee_email.clone(),
        invitee_nickname: r.invitee_nickname.clone(),
    }
}

/// The caller's ledger, newest first.
#[utoipa::path(security(("bearer" = [])), tag = "credits", params(PageQuery), responses((status = 200, body = CreditRecords), (status = 401, body = ErrorBody)))]
#[get("/api/credit-transactions")]
async fn credit_transactions(st: web::Data<AppState>, me: Authed, q: web::Query<PageQuery>) -> ApiResult<web::Json<CreditRecords>> {
    let page = PageRequest::clamped(q.page, q.page_size, 20, 1, 300);
    let rows = st.credits.ledger(me.0.user.id, page).await?;
    Ok(web::Json(CreditRecords {
        records: rows.items.iter().map(record).collect(),
        total: rows.total,
        page: page.page,
        page_size: page.size,
    }))
}

/// Redeem a code (as displayed, or without prefix and dashes, any case).
#[utoipa::path(security(("bearer" = [])), tag = "credits", request_body = RedeemRequest, responses(
    (status = 200, body = RedeemResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
    (status = 409, description = "Used, revoked or expired code, or a lower membership tier", body = ErrorBody)))]
#[post("/api/redeem-codes/redeem")]
async fn redeem(st: web::Data<AppState>, me: Authed, body: web::Json<RedeemRequest>) -> ApiResult<web::Json<RedeemResponse>> {
    let (code, user) = st.redeem.redeem(&me.0.user, &body.code).await?;
    let membership = code.grant.membership();
    Ok(web::Json(RedeemResponse {
        success: true,
        code: display_code(&code.normalized_code),
        code_type: code.grant.type_name().to_string(),
        credits_amount: code.grant.credits(),
        credits_balance: user.credits_balance,
        membership_tier: membership.map(|_| user.effective_tier(chrono::Utc::now())),
        membership_expires_at: membership.and(user.membership_expires_at),
        membership_duration_value: membership.map(|(_, v, _)| v),
        membership_duration_unit: membership.map(|(_, _, u)| u.as_str().to_string()),
    }))
}

/// The caller's invite code and the people who signed up with it.
#[utoipa::path(security(("bearer" = [])), tag = "credits", params(PageQuery), responses((status = 200, body = MyInvitations), (status = 401, body = ErrorBody)))]
#[get("/api/invitations/me")]
async fn my_invitations(st: web::Data<AppState>, me: Authed, q: web::Query<PageQuery>) -> ApiResult<web::Json<MyInvitations>> {
    let page = PageRequest::clamped(q.page, q.page_size, 100, 1, 100);
    let rows = st.store.referrals_by_inviter(me.0.user.id, page).await?;
    Ok(web::Json(MyInvitations {
        invite_code: me.0.user.invite_code.clone(),
        referrals: rows.items.iter().map(referral).collect(),
        referral_count: rows.total,
    }))
}
