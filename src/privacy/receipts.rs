//! The consent receipt as the API shows it: the Kantara v1.1 / ISO/IEC TS
//! 27560 document each grant, refusal and withdrawal writes, typed so that
//! generated clients read it as a model, not as "any".
use chrono::{DateTime, Utc};
use poem_openapi::{types::ParseFromJSON, Object};
use serde_json::Value;

use super::catalog::{Necessity, Sensitivity};
use crate::error::{AppError, AppResult};

/// What a consent change was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename_all = "lowercase")]
pub enum ReceiptAction {
    Grant,
    Refusal,
    Withdrawal,
}

/// Who is responsible for the processing.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ReceiptController {
    pub name: String,
    pub contact: String,
}

/// One data item the purpose covers.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ReceiptItem {
    /// The catalog's item key.
    pub item: String,
    pub category: String,
    /// Its DPV personal-data class.
    pub dpv: String,
    pub sensitivity: Sensitivity,
}

/// A consent receipt (Kantara v1.1 / ISO/IEC TS 27560 shape).
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ConsentReceipt {
    pub receipt_version: String,
    pub receipt_id: String,
    pub timestamp: DateTime<Utc>,
    pub jurisdiction: String,
    pub collection_method: String,
    pub language: String,
    pub controller: ReceiptController,
    /// The user the receipt is about.
    pub pii_principal_id: String,
    /// The notice version in force when it was written.
    pub notice_version: String,
    pub policy_url: String,
    pub purpose: String,
    pub purpose_description: String,
    pub action: ReceiptAction,
    pub granted: bool,
    pub consent_type: String,
    /// A DPV legal basis.
    pub legal_basis: String,
    pub necessity: Necessity,
    pub items: Vec<ReceiptItem>,
    /// Whether the purpose covers sensitive items.
    pub sensitive: bool,
    pub retention: String,
    pub termination: String,
    pub third_parties: Vec<String>,
    pub third_party_disclosure: bool,
}

/// A stored receipt document as the model; one that does not read as one
/// is an error, never an empty receipt.
pub fn typed(document: Value) -> AppResult<ConsentReceipt> {
    ConsentReceipt::parse_from_json(Some(document))
        .map_err(|err| AppError::internal(anyhow::anyhow!("a stored receipt: {}", err.message())))
}
