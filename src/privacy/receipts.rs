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
#[oai(skip_serializing_if_is_none, example)]
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

/// The receipt of a grant of `location`, as `PUT /me/consents/location`
/// writes it (`consents::receipt`), from the same catalog and constants.
impl poem_openapi::types::Example for ConsentReceipt {
    fn example() -> Self {
        use super::{
            catalog::{self, CONTROLLER, CONTROLLER_CONTACT, JURISDICTION},
            consents::{
                COLLECTION_METHOD, CONSENT_TYPE, POLICY_URL, RECEIPT_LANGUAGE, RECEIPT_VERSION,
            },
        };
        use crate::api::examples;
        use poem_openapi::types::ToJSON;
        let purpose = catalog::purpose("location").unwrap_or(&catalog::PURPOSES[0]);
        let termination = purpose.end_action.to_json();
        Self {
            receipt_version: RECEIPT_VERSION.into(),
            receipt_id: examples::id("ConsentReceiptId"),
            timestamp: examples::time(26, 8, 30),
            jurisdiction: JURISDICTION.into(),
            collection_method: COLLECTION_METHOD.into(),
            language: RECEIPT_LANGUAGE.into(),
            controller: ReceiptController {
                name: CONTROLLER.into(),
                contact: CONTROLLER_CONTACT.into(),
            },
            pii_principal_id: examples::id("UserId"),
            notice_version: examples::NOTICE_VERSION.into(),
            policy_url: POLICY_URL.into(),
            purpose: purpose.key.into(),
            purpose_description: purpose.description_en.into(),
            action: ReceiptAction::Grant,
            granted: true,
            consent_type: CONSENT_TYPE.into(),
            legal_basis: purpose.legal_basis.dpv().into(),
            necessity: purpose.necessity,
            items: purpose
                .item_defs()
                .map(|i| ReceiptItem {
                    item: i.key.into(),
                    category: i.category.into(),
                    dpv: i.dpv.into(),
                    sensitivity: i.sensitivity,
                })
                .collect(),
            sensitive: !purpose.sensitive_items().is_empty(),
            retention: purpose.retention.rule(),
            termination: termination
                .and_then(|t| t.as_str().map(str::to_owned))
                .unwrap_or_default(),
            third_parties: Vec::new(),
            third_party_disclosure: false,
        }
    }
}

/// A stored receipt document as the model; one that does not read as one
/// is an error, never an empty receipt.
pub fn typed(document: Value) -> AppResult<ConsentReceipt> {
    ConsentReceipt::parse_from_json(Some(document))
        .map_err(|err| AppError::internal(anyhow::anyhow!("a stored receipt: {}", err.message())))
}
