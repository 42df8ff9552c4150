//! Admin redeem codes: batch creation, listing, revocation, deletion and CSV export.
use actix_web::{delete, get, post, put, web, HttpResponse};
use chrono::Utc;
use miaojing_api_types::admin::{RedeemBatch, RedeemBatchRequest, RedeemCodeList, RedeemCodeResponse, RedeemCodeToggle, RedeemCodeView};
use miaojing_api_types::error::ErrorBody;
use miaojing_api_types::Success;
use miaojing_credits::BatchSpec;
use miaojing_domain::redeem::{display_code, normalize_code, CodeStatus, RedeemCode, RedeemCodeRow, RedeemFilter};
use miaojing_domain::ErrorCode;
use miaojing_domain::{Error, PageRequest};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::http::error::ApiResult;
use crate::http::extract::Admin;
use crate::routes::clean_query;
use crate::routes::IdQuery;
use crate::state::AppState;

pub(super) fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_codes).service(create_codes).service(toggle_code).service(delete_code).service(export_codes);
}

fn view(row: &RedeemCodeRow) -> RedeemCodeView {
    let c = &row.code;
    let membership = c.grant.membership();
    RedeemCodeView {
        id: c.id,
        code: display_code(&c.normalized_code),
        code_type: c.grant.type_name().to_string(),
        credits_amount: c.grant.credits(),
        membership_tier: membership.map(|(t, _, _)| t),
        membership_duration_value: membership.map(|(_, v, _)| v),
        membership_duration_unit: membership.map(|(_, _, u)| u.as_str().to_string()),
        note: c.note.clone(),
        is_active: c.is_active,
        status: c.status(Utc::now()).as_str().to_string(),
        expires_at: c.expires_at,
        batch_id: c.batch_id,
        created_by: c.created_by,
        created_by_email: row.created_by_email.clone(),
        used_by: c.used_by,
        used_by_email: row.used_by_email.clone(),
        used_by_name: row.used_by_name.clone(),
        used_at: c.used_at,
        created_at: c.created_at,
    }
}

/// Filters: `status` all|unused|used|revoked|expired, `search` over code and note, `batchId`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct CodeQuery {
    pub search: Option<String>,
    pub status: Option<String>,
    #[serde(rename = "batchId")]
    #[param(rename = "batchId")]
    pub batch_id: Option<Uuid>,
    pub page: Option<i64>,
    #[serde(rename = "pageSize", alias = "limit")]
    #[param(rename = "pageSize")]
    pub page_size: Option<i64>,
}

impl CodeQuery {
    fn filter(&self) -> Result<RedeemFilter, Error> {
        Ok(RedeemFilter {
            // A pasted code (`MJ-ABCD-…`) is searched by its body; other text as typed.
            search: clean_query(self.search.clone(), 100).map(|s| normalize_code(&s).unwrap_or(s)),
            status: CodeStatus::parse(self.status.as_deref().unwrap_or("all"))?,
            batch_id: self.batch_id,
            now: Some(Utc::now()),
        })
    }
}

/// List codes, newest first.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", params(CodeQuery), responses((status = 200, body = RedeemCodeList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[get("/api/admin/redeem-codes")]
async fn list_codes(st: web::Data<AppState>, _admin: Admin, q: web::Query<CodeQuery>) -> ApiResult<web::Json<RedeemCodeList>> {
    let filter = q.filter()?;
    let page = PageRequest::clamped(q.page, q.page_size, 100, 1, 500);
    let rows = st.redeem.list(&filter, page).await?;
    Ok(web::Json(RedeemCodeList { codes: rows.items.iter().map(view).collect(), total: rows.total }))
}

/// Create a batch of credit or membership codes.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", request_body = RedeemBatchRequest, responses((status = 201, body = RedeemBatch), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[post("/api/admin/redeem-codes")]
async fn create_codes(st: web::Data<AppState>, admin: Admin, body: web::Json<RedeemBatchRequest>) -> ApiResult<HttpResponse> {
    let b = body.into_inner();
    let spec = BatchSpec {
        count: b.count,
        code_type: b.code_type,
        credits_amount: b.credits_amount,
        membership_tier: b.membership_tier,
        duration_value: b.membership_duration_value,
        duration_unit: b.membership_duration_unit,
        note: b.note,
        expires_at: b.expires_at,
    };
    let (batch_id, codes) = st.redeem.create_batch(&admin.0.user, &spec).await?;
    let email = Some(admin.0.user.email.clone());
    let views = codes
        .into_iter()
        .map(|code: RedeemCode| view(&RedeemCodeRow { code, created_by_email: email.clone(), used_by_email: None, used_by_name: None }))
        .collect();
    Ok(HttpResponse::Created().json(RedeemBatch { batch_id, codes: views }))
}

/// Revoke (`isActive: false`) or re-enable a code.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", request_body = RedeemCodeToggle, responses((status = 200, body = RedeemCodeResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[put("/api/admin/redeem-codes")]
async fn toggle_code(st: web::Data<AppState>, admin: Admin, body: web::Json<RedeemCodeToggle>) -> ApiResult<web::Json<RedeemCodeResponse>> {
    let id = body.id.ok_or_else(|| Error::validation(ErrorCode::MissingId, "缺少兑换码ID"))?;
    let row = st.redeem.set_active(&admin.0.user, id, body.is_active).await?;
    Ok(web::Json(RedeemCodeResponse { code: view(&row) }))
}

/// Delete a code that was never used.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", params(IdQuery), responses((status = 200, body = Success), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[delete("/api/admin/redeem-codes")]
async fn delete_code(st: web::Data<AppState>, _admin: Admin, q: web::Query<IdQuery>) -> ApiResult<web::Json<Success>> {
    let id = q.id.ok_or_else(|| Error::validation(ErrorCode::MissingId, "缺少兑换码ID"))?;
    st.redeem.delete_unused(id).await?;
    Ok(web::Json(Success::OK))
}

/// Every code matching the filters as CSV.
#[utoipa::path(security(("bearer" = ["admin"])), tag = "admin", params(CodeQuery), responses((status = 200, description = "CSV file", content_type = "text/csv"), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[get("/api/admin/redeem-codes/export")]
async fn export_codes(st: web::Data<AppState>, _admin: Admin, q: web::Query<CodeQuery>) -> ApiResult<HttpResponse> {
    let csv = st.redeem.export_csv(&q.filter()?).await?;
    let name = format!("redeem-codes-{}.csv", Utc::now().format("%Y%m%d-%H%M%S"));
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("content-disposition", format!("attachment; filename=\"{name}\"")))
        .body(format!("\u{feff}{csv}")))
}
