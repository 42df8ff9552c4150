//! Ledger, redeem codes and invitations as the user sees them.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::vocab::Tier;

/// One ledger row.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CreditRecord {
    pub id: Uuid,
    /// Positive = credit, negative = debit.
    pub amount: i64,
    pub balance_after: i64,
    /// `gift`, `invite`, `redeem`, `consume`, `refund` or `admin`.
    #[serde(rename = "type")]
    pub kind: String,
    pub description: String,
    pub created_at: DateTime<Utc>,
}

/// `GET /api/credit-transactions`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreditRecords {
    pub records: Vec<CreditRecord>,
    pub total: i64,
    pub page: i64,
    #[serde(rename = "pageSize")]
    pub page_size: i64,
}

/// `POST /api/redeem-codes/redeem`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct RedeemRequest {
    /// As displayed (`MJ-XXXX-XXXX-XXXX`) or without prefix and dashes, any case: 8–32 letters
    /// and digits once everything else is left out.
    #[cfg_attr(feature = "openapi", schema(required = true, pattern = r"^[^A-Za-z0-9]*(?:[A-Za-z0-9][^A-Za-z0-9]*){8,32}$"))]
    pub code: String,
}

/// Outcome of a redemption.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RedeemResponse {
    pub success: bool,
    pub code: String,
    /// `credits` or `membership`.
    pub code_type: String,
    pub credits_amount: i64,
    pub credits_balance: i64,
    pub membership_tier: Option<Tier>,
    pub membership_expires_at: Option<DateTime<Utc>>,
    pub membership_duration_value: Option<i64>,
    pub membership_duration_unit: Option<String>,
}

/// One invitation (referral) row.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Referral {
    pub id: Uuid,
    pub invite_code: String,
    pub inviter_user_id: Uuid,
    pub invitee_user_id: Uuid,
    pub inviter_bonus_credits: i64,
    pub invitee_bonus_credits: i64,
    pub created_at: DateTime<Utc>,
    pub inviter_email: Option<String>,
    pub inviter_nickname: Option<String>,
    pub invitee_email: Option<String>,
    pub invitee_nickname: Option<String>,
}

/// `GET /api/invitations/me`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct MyInvitations {
    pub invite_code: String,
    pub referrals: Vec<Referral>,
    pub referral_count: i64,
}
