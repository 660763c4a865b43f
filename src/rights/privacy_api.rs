//! `/privacy/catalog`, `/privacy/notice` and my consents, receipts and
//! processing log.
use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::{Json, PlainText},
    ApiResponse, Enum, Object, OpenApi,
};
use serde_json::Value;

use crate::privacy::{
    catalog::{self, Necessity, PURPOSES},
    consents, log, notice,
    registry::Registries,
    tags::{Need, Tag},
};
use crate::{
    api::{
        page::{split_page, Page},
        ApiTags, JsonBody, PageParams,
    },
    error::{AppError, AppResult},
    identity::profiles,
    identity::BearerAuth,
    state::AppState,
};

pub struct PrivacyApi;
pub struct MyPrivacyApi;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum NoticeLang {
    En,
    Zh,
}

/// Where the API collects an item.
#[derive(Debug, Object)]
pub struct Collection {
    pub operation_id: String,
    /// `body`, `query`, `path` or `header`.
    pub location: String,
    pub field: String,
    /// `required` or `optional` (选填).
    pub necessity: String,
}

#[derive(Debug, Object)]
pub struct CatalogItem {
    pub key: String,
    /// Fideslang-style category.
    pub category: String,
    /// W3C DPV term (`ext:` where DPV has none).
    pub dpv: String,
    /// `personal` or `sensitive`.
    pub sensitivity: String,
    /// `user`, `child` or `guardian`.
    pub subject: String,
    /// `plain`, `encrypted`, `encrypted_blind_index`, `hashed`, `ephemeral`, `aggregated`.
    pub storage: String,
    pub name_en: String,
    pub name_zh: String,
    pub collected_by: Vec<Collection>,
}

#[derive(Debug, Object)]
pub struct CatalogPurpose {
    pub key: String,
    pub name_en: String,
    pub name_zh: String,
    pub description_en: String,
    pub description_zh: String,
    /// A DPV legal basis.
    pub legal_basis: String,
    /// `essential` (accepted with the notice) or `optional` (off until granted).
    pub necessity: String,
    /// `until_account_closure`, an ISO 8601 duration, `event + duration`, `ephemeral`, …
    pub retention: String,
    /// `delete` or `anonymise`, when retention ends.
    pub end_action: String,
    /// `allowed`, or `by_deregistration` for what the account needs.
    pub withdrawal: String,
    pub items: Vec<CatalogItem>,
}

#[derive(Debug, Object)]
pub struct Catalog {
    /// The notice version this catalog produces.
    pub notice_version: String,
    pub controller: String,
    pub jurisdiction: String,
    pub purposes: Vec<CatalogPurpose>,
}

#[derive(Debug, Object)]
pub struct ConsentState {
    pub purpose: String,
    /// `essential` or `optional`.
    pub necessity: String,
    /// For optional purposes: whether granted. For essential ones: whether
    /// the separate grant their sensitive items need is given (true when
    /// they have none).
    pub granted: bool,
    /// Items of the purpose that need the separate grant.
    pub sensitive_items: Vec<String>,
    /// When I last changed it; absent if never.
    pub updated_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Object)]
pub struct ConsentChange {
    /// Grant (`true`) or refuse / withdraw (`false`).
    /// privacy: not personal
    pub granted: bool,
}

#[derive(Debug, Object)]
pub struct NoticeAcceptance {
    /// The version of `GET /privacy/notice` I read and accept.
    /// privacy: not personal
    #[oai(validator(max_length = 64))]
    pub version: String,
}

#[derive(Debug, Object)]
pub struct ProcessingRecord {
    pub id: String,
    pub operation_id: String,
    pub purpose: String,
    /// Item keys only, never values.
    pub items: Vec<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(ApiResponse)]
pub enum CatalogResponse {
    /// The catalog.
    #[oai(status = 200)]
    Ok(Json<Catalog>),
}

#[derive(ApiResponse)]
pub enum NoticeResponse {
    /// The notice, in Markdown.
    #[oai(status = 200)]
    Ok(
        PlainText<String>,
        /// The notice version: accept it when registering.
        #[oai(header = "X-Notice-Version")]
        String,
    ),
}

#[derive(ApiResponse)]
pub enum ConsentsResponse {
    /// My state for every purpose.
    #[oai(status = 200)]
    Ok(Json<Vec<ConsentState>>),
}

#[derive(ApiResponse)]
pub enum ReceiptResponse {
    /// The consent receipt (Kantara v1.1 / ISO/IEC TS 27560 shape).
    #[oai(status = 200)]
    Ok(Json<Value>),
}

#[derive(ApiResponse)]
pub enum ReceiptsResponse {
    /// My receipts, newest first.
    #[oai(status = 200)]
    Ok(Json<Page<Value>>),
}

#[derive(ApiResponse)]
pub enum ProcessingLogResponse {
    /// What was collected about me, newest first.
    #[oai(status = 200)]
    Ok(Json<Page<ProcessingRecord>>),
}

#[derive(ApiResponse)]
pub enum Accepted {
    /// Accepted.
    #[oai(status = 204)]
    Done,
}

fn collections(purpose: &str, item: &str) -> Vec<Collection> {
    let mut out = Vec::new();
    for op in crate::privacy::spec::policies()
        .iter()
        .flat_map(|p| &p.operations)
    {
        for field in &op.fields {
            if let Tag::Personal {
                item: i,
                purpose: p,
                need,
            } = field.tag
            {
                if i.key == item && p.key == purpose {
                    out.push(Collection {
                        operation_id: op.operation_id.clone(),
                        location: format!("{:?}", field.location).to_lowercase(),
                        field: field.name.clone(),
                        necessity: if need == Need::Required {
                            "required"
                        } else {
                            "optional"
                        }
                        .into(),
                    });
                }
            }
        }
    }
    out
}

fn snake<T: serde::Serialize>(value: T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

pub fn catalog() -> Catalog {
    let purposes = PURPOSES
        .iter()
        .map(|p| CatalogPurpose {
            key: p.key.into(),
            name_en: p.name_en.into(),
            name_zh: p.name_zh.into(),
            description_en: p.description_en.into(),
            description_zh: p.description_zh.into(),
            legal_basis: p.legal_basis.dpv().into(),
            necessity: snake(p.necessity),
            retention: p.retention.rule(),
            end_action: snake(p.end_action),
            withdrawal: snake(p.withdrawal),
            items: p
                .item_defs()
                .map(|i| CatalogItem {
                    key: i.key.into(),
                    category: i.category.into(),
                    dpv: i.dpv.into(),
                    sensitivity: snake(i.sensitivity),
                    subject: snake(i.subject),
                    storage: snake(i.storage),
                    name_en: i.name_en.into(),
                    name_zh: i.name_zh.into(),
                    collected_by: collections(p.key, i.key),
                })
                .collect(),
        })
        .collect();
    Catalog {
        notice_version: notice::version().into(),
        controller: catalog::CONTROLLER.into(),
        jurisdiction: catalog::JURISDICTION.into(),
        purposes,
    }
}

#[OpenApi(prefix_path = "/privacy", tag = "ApiTags::Privacy")]
impl PrivacyApi {
    /// Every data item and purpose, generated from the code's tags.
    #[oai(
        path = "/catalog",
        method = "get",
        operation_id = "privacy_get_catalog"
    )]
    async fn get_catalog(&self) -> AppResult<CatalogResponse> {
        Ok(CatalogResponse::Ok(Json(catalog())))
    }

    /// The privacy notice, generated from the catalog (Markdown).
    #[oai(path = "/notice", method = "get", operation_id = "privacy_get_notice")]
    async fn get_notice(
        &self,
        /// `en` (default) or `zh`.
        /// privacy: not personal
        lang: Query<Option<NoticeLang>>,
    ) -> AppResult<NoticeResponse> {
        let lang = match lang.0 {
            Some(NoticeLang::Zh) => notice::Lang::Zh,
            _ => notice::Lang::En,
        };
        Ok(NoticeResponse::Ok(
            PlainText(notice::text(lang).to_owned()),
            notice::version().to_owned(),
        ))
    }
}

#[OpenApi(prefix_path = "/me", tag = "ApiTags::Privacy")]
impl MyPrivacyApi {
    /// My consent state for every purpose.
    #[oai(path = "/consents", method = "get", operation_id = "me_list_consents")]
    async fn list_consents(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
    ) -> AppResult<ConsentsResponse> {
        let rows = consents::all(&state.db, &auth.0.id).await?;
        let states = PURPOSES
            .iter()
            .map(|p| {
                let row = rows.iter().find(|r| r.purpose == p.key);
                let sensitive = p.sensitive_items();
                let granted = row.is_some_and(|r| r.granted)
                    || (p.necessity == Necessity::Essential && sensitive.is_empty());
                ConsentState {
                    purpose: p.key.into(),
                    necessity: snake(p.necessity),
                    granted,
                    sensitive_items: sensitive.into_iter().map(str::to_owned).collect(),
                    updated_at: row.map(|r| r.updated_at),
                }
            })
            .collect();
        Ok(ConsentsResponse::Ok(Json(states)))
    }

    /// Grant, refuse or withdraw a purpose. Takes effect at once: a
    /// withdrawal stops the processing and erases what was held only for it.
    #[oai(
        path = "/consents/:purpose",
        method = "put",
        operation_id = "me_set_consent"
    )]
    async fn set_consent(
        &self,
        state: Data<&AppState>,
        registries: Data<&Registries>,
        auth: BearerAuth,
        /// A purpose key from the catalog.
        /// privacy: not personal
        purpose: Path<String>,
        body: JsonBody<ConsentChange>,
    ) -> AppResult<ReceiptResponse> {
        let purpose = catalog::purpose(&purpose.0).ok_or_else(|| AppError::not_found("purpose"))?;
        let receipt = consents::set(
            &state.db,
            &registries.erasers,
            &auth.0.id,
            purpose,
            body.granted,
        )
        .await?;
        Ok(ReceiptResponse::Ok(Json(receipt)))
    }

    /// All my consent receipts: grants, refusals and withdrawals.
    #[oai(
        path = "/consent-receipts",
        method = "get",
        operation_id = "me_list_consent_receipts"
    )]
    async fn list_receipts(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// From `next_cursor` of the previous page.
        /// privacy: not personal
        cursor: Query<Option<String>>,
        /// 1 to 50, default 20.
        /// privacy: not personal
        limit: Query<Option<u32>>,
    ) -> AppResult<ReceiptsResponse> {
        let page = PageParams::parse(cursor.0, limit.0)?;
        let rows = consents::receipts(&state.db, &auth.0.id, &page).await?;
        let (rows, next_cursor) = split_page(rows, page.limit, |r| r.id.clone());
        let items = rows
            .into_iter()
            .map(|r| serde_json::from_str(&r.document).unwrap_or(Value::Null))
            .collect();
        Ok(ReceiptsResponse::Ok(Json(Page { items, next_cursor })))
    }

    /// What was collected about me, when and for which purpose (item keys, never values).
    #[oai(
        path = "/processing-log",
        method = "get",
        operation_id = "me_get_processing_log"
    )]
    async fn processing_log(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// From `next_cursor` of the previous page.
        /// privacy: not personal
        cursor: Query<Option<String>>,
        /// 1 to 50, default 20.
        /// privacy: not personal
        limit: Query<Option<u32>>,
    ) -> AppResult<ProcessingLogResponse> {
        let page = PageParams::parse(cursor.0, limit.0)?;
        let rows = log::list(&state.db, &auth.0.id, &page).await?;
        let (rows, next_cursor) = split_page(rows, page.limit, |r| r.id.clone());
        let items = rows
            .into_iter()
            .map(|r| ProcessingRecord {
                items: serde_json::from_str(&r.items).unwrap_or_default(),
                id: r.id,
                operation_id: r.operation_id,
                purpose: r.purpose,
                created_at: r.created_at,
            })
            .collect();
        Ok(ProcessingLogResponse::Ok(Json(Page { items, next_cursor })))
    }

    /// Accept the current privacy notice (needed when an essential purpose changed).
    #[oai(
        path = "/notice-acceptance",
        method = "put",
        operation_id = "me_accept_notice"
    )]
    async fn accept_notice(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<NoticeAcceptance>,
    ) -> AppResult<Accepted> {
        if body.version != notice::version() {
            return Err(AppError::invalid(
                "version",
                "outdated",
                format!("the current notice version is {}", notice::version()),
            ));
        }
        profiles::set_accepted_notice(&state.db, &auth.0.id, notice::version()).await?;
        Ok(Accepted::Done)
    }
}
