//! My consents, their receipts, the processing log about me, and
//! accepting a changed notice.
use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    ApiResponse, Object, OpenApi,
};

use crate::{
    api::{
        page::{split_page, Page},
        ApiTags, JsonBody, PageParams,
    },
    error::{AppError, AppResult},
    identity::{profiles, BearerAuth},
    privacy::{
        catalog::{self, Necessity, PURPOSES},
        consents, log, notice,
        receipts::{self, ConsentReceipt},
        registry::Registries,
    },
    state::AppState,
};

pub struct MyPrivacyApi;

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ConsentState {
    pub purpose: String,
    pub necessity: Necessity,
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
#[oai(skip_serializing_if_is_none, example)]
pub struct ConsentChange {
    /// Grant (`true`) or refuse / withdraw (`false`).
    /// privacy: not personal
    pub granted: bool,
}

impl poem_openapi::types::Example for ConsentChange {
    fn example() -> Self {
        Self { granted: true }
    }
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct NoticeAcceptance {
    /// The version of `GET /privacy/notice` I read and accept.
    /// privacy: not personal
    #[oai(validator(max_length = 64))]
    pub version: String,
}

impl poem_openapi::types::Example for NoticeAcceptance {
    fn example() -> Self {
        Self {
            version: "3f9a1c2e7b40d815".into(),
        }
    }
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct ProcessingRecord {
    pub id: String,
    pub operation_id: String,
    pub purpose: String,
    /// Item keys only, never values.
    pub items: Vec<String>,
    pub created_at: DateTime<Utc>,
    /// The staff member who looked at my data (a reveal), when it was staff.
    pub actor_id: Option<String>,
    /// Why, as they stated it.
    pub reason: Option<String>,
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
    Ok(Json<ConsentReceipt>),
}

#[derive(ApiResponse)]
pub enum ReceiptsResponse {
    /// My receipts, newest first.
    #[oai(status = 200)]
    Ok(Json<Page<ConsentReceipt>>),
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

#[OpenApi(prefix_path = "/me", tag = "ApiTags::Privacy")]
impl MyPrivacyApi {
    /// My consent state for every purpose.
    #[oai(path = "/consents", method = "get", operation_id = "me_list_consents")]
    async fn list_consents(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
    ) -> AppResult<ConsentsResponse> {
        let rows = consents::all(&state.db, auth.0.id.as_str()).await?;
        let states = PURPOSES
            .iter()
            .map(|p| {
                let row = rows.iter().find(|r| r.purpose == p.key);
                let sensitive = p.sensitive_items();
                let granted = row.is_some_and(|r| r.granted)
                    || (p.necessity == Necessity::Essential && sensitive.is_empty());
                ConsentState {
                    purpose: p.key.into(),
                    necessity: p.necessity,
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
        let (receipt, erased) = consents::set(
            &state.db,
            &registries.erasers,
            auth.0.id.as_str(),
            purpose,
            body.granted,
        )
        .await?;
        super::purge::after_commit(&state, &registries, &erased).await;
        Ok(ReceiptResponse::Ok(Json(receipts::typed(receipt)?)))
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
        let rows = consents::receipts(&state.db, auth.0.id.as_str(), &page).await?;
        let (rows, next_cursor) = split_page(rows, page.limit, |r| r.id.clone());
        // A receipt that does not parse is an error, not an empty entry.
        let items = rows
            .into_iter()
            .map(|r| {
                let document = serde_json::from_str(&r.document).map_err(AppError::internal)?;
                receipts::typed(document)
            })
            .collect::<AppResult<_>>()?;
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
        let rows = log::list(&state.db, auth.0.id.as_str(), &page).await?;
        let (rows, next_cursor) = split_page(rows, page.limit, |r| r.id.clone());
        let items = rows
            .into_iter()
            .map(|r| {
                Ok(ProcessingRecord {
                    items: serde_json::from_str(&r.items)?,
                    id: r.id,
                    operation_id: r.operation_id,
                    purpose: r.purpose,
                    created_at: r.created_at,
                    actor_id: r.actor_id,
                    reason: r.reason,
                })
            })
            .collect::<Result<_, serde_json::Error>>()
            .map_err(AppError::internal)?;
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
        // Not a version at all is a bad request; an earlier one conflicts
        // with the notice now in force.
        if !notice::is_version(&body.version) {
            return Err(AppError::invalid(
                "version",
                "invalid_format",
                "is not a notice version (16 hex digits)",
            ));
        }
        if body.version != notice::version() {
            return Err(AppError::outdated_notice("version", notice::version()));
        }
        profiles::set_accepted_notice(&state.db, auth.0.id.as_str(), notice::version()).await?;
        Ok(Accepted::Done)
    }
}

impl poem_openapi::types::Example for ProcessingRecord {
    fn example() -> Self {
        Self {
            id: crate::api::examples::id("ProcessingRecordId"),
            operation_id: "search_query".into(),
            purpose: "search_history".into(),
            items: vec!["search_query".into()],
            created_at: crate::api::examples::time(30, 7, 45),
            actor_id: None,
            reason: None,
        }
    }
}
