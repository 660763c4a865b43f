//! `/events` and `/me/event-registrations`.
use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    ApiResponse, Enum, Object, OpenApi,
};
use sea_orm::TransactionTrait;

use super::{
    registrations::{self, Given},
    store::{self, Listing},
    views::{CollectedItem, EventView, RegistrationDetails, RegistrationView},
};
use crate::{
    api::{
        page::{split_page, Page},
        ApiTags, JsonBody, PageParams,
    },
    error::{AppError, AppResult},
    identity::{caller::Viewer, profiles, views::Gender, BearerAuth},
    ids::{EventId, RegistrationId},
    platform::ratelimit::ActionClass,
    platform::storage::upload_keys,
    state::AppState,
};

pub struct EventsApi;

/// Upcoming or past events.
#[derive(Debug, Clone, Copy, Enum)]
#[oai(rename_all = "lowercase")]
pub enum When {
    Upcoming,
    Past,
}

/// A registration: exactly the items the event lists under `collects`,
/// no more and no fewer. The sensitive ones need the `event_registration`
/// grant first (`PUT /me/consents/event_registration`).
#[derive(Debug, Default, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct NewRegistration {
    /// privacy: real_name for event_registration, optional
    #[oai(validator(min_length = 1, max_length = 64, pattern = r"\S"))]
    pub real_name: Option<String>,
    /// privacy: gender for event_registration, optional
    pub gender: Option<Gender>,
    /// A mobile number, as for sign-up.
    /// privacy: contact_phone for event_registration, optional
    #[oai(validator(max_length = 40, pattern = r"^[\s()-]*\+?[\s()0-9-]{7,40}$"))]
    pub contact_phone: Option<String>,
    /// An 18-character resident ID number (GB 11643).
    /// privacy: national_id_number for event_registration, optional
    #[oai(validator(min_length = 18, max_length = 18, pattern = r"^[0-9]{17}[0-9Xx]$"))]
    pub national_id_number: Option<String>,
    /// privacy: shipping_address for event_registration, optional
    #[oai(validator(min_length = 1, max_length = 200, pattern = r"\S"))]
    pub shipping_address: Option<String>,
    /// privacy: city for event_registration, optional
    #[oai(validator(min_length = 1, max_length = 64, pattern = r"\S"))]
    pub city: Option<String>,
}

impl poem_openapi::types::Example for NewRegistration {
    fn example() -> Self {
        Self {
            real_name: Some("李雷".into()),
            contact_phone: Some("13800138000".into()),
            city: Some("Shenzhen".into()),
            ..Self::default()
        }
    }
}

#[derive(ApiResponse)]
pub enum EventsResponse {
    /// Events: upcoming soonest first (the viewer's own city first, with
    /// the `location` grant), past latest first.
    #[oai(status = 200)]
    Ok(Json<Page<EventView>>),
}

#[derive(ApiResponse)]
pub enum EventResponse {
    /// The event, with what registering collects and why.
    #[oai(status = 200)]
    Ok(Json<EventView>),
}

#[derive(ApiResponse)]
pub enum RegistrationCreated {
    /// Registered: pending until staff decide.
    #[oai(status = 201)]
    Created(Json<RegistrationView>),
}

#[derive(ApiResponse)]
pub enum RegistrationsResponse {
    /// My registrations, newest first.
    #[oai(status = 200)]
    Ok(Json<Page<RegistrationView>>),
}

#[derive(ApiResponse)]
pub enum RegistrationResponse {
    /// One of my registrations, with what I gave.
    #[oai(status = 200)]
    Ok(Json<RegistrationView>),
}

#[derive(ApiResponse)]
pub enum Withdrawn {
    /// Withdrawn: cancelled, and what I gave erased.
    #[oai(status = 204)]
    Done,
}

/// The public view of events.
pub async fn views(
    state: &AppState,
    rows: Vec<entity::events::Model>,
) -> AppResult<Vec<EventView>> {
    let keys = upload_keys(
        &state.db,
        rows.iter()
            .filter_map(|e| e.cover_upload_id.clone())
            .collect(),
    )
    .await?;
    rows.into_iter()
        .map(|e| {
            let collects = store::declared(&e)?.iter().map(CollectedItem::of).collect();
            let cover = e.cover_upload_id.as_ref().and_then(|id| keys.get(id));
            Ok(EventView {
                cover_url: cover.map(|key| state.config.media_url(key)),
                online: e.city.is_none(),
                id: e.id,
                title: e.title,
                description: e.description,
                city: e.city,
                starts_at: e.starts_at,
                ends_at: e.ends_at,
                registration_opens_at: e.registration_opens_at,
                registration_closes_at: e.registration_closes_at,
                capacity: e.capacity,
                ships: e.ships,
                collects,
                final_counts: match &e.registration_counts {
                    Some(json) => Some(serde_json::from_str(json).map_err(AppError::internal)?),
                    None => None,
                },
            })
        })
        .collect()
}

fn registration_view(
    r: entity::event_registrations::Model,
    details: Option<RegistrationDetails>,
) -> RegistrationView {
    RegistrationView {
        id: r.id,
        event_id: r.event_id,
        status: r.status.into(),
        reason: r.reason,
        created_at: r.created_at,
        decided_at: r.decided_at,
        guardian_consent_at: r.guardian_consent_at,
        details,
    }
}

#[OpenApi(tag = "ApiTags::Events")]
impl EventsApi {
    /// Upcoming events (or past ones), optionally in one city.
    #[oai(path = "/events", method = "get", operation_id = "events_list")]
    async fn list(
        &self,
        state: Data<&AppState>,
        viewer: Viewer,
        /// `upcoming` (the default) or `past`.
        /// privacy: not personal
        when: Query<Option<When>>,
        /// Only events in this city.
        /// privacy: not personal
        #[oai(validator(max_length = 64, pattern = r"\S"))]
        city: Query<Option<String>>,
        /// From `next_cursor` of the previous page.
        /// privacy: not personal
        cursor: Query<Option<String>>,
        /// 1 to 50, default 20.
        /// privacy: not personal
        limit: Query<Option<u32>>,
    ) -> AppResult<EventsResponse> {
        let page = PageParams::parse(cursor.0, limit.0)?;
        // Kept only with the `location` grant: its absence is no city.
        let first = match viewer.id() {
            Some(user) if city.0.is_none() => profiles::location(&state.db, user).await?,
            _ => None,
        };
        let past = matches!(when.0, Some(When::Past));
        let listing = Listing {
            past,
            city: city.0.as_deref(),
            first: first.as_deref(),
        };
        let rows = store::list(&state.db, &listing, &page).await?;
        let (rows, next_cursor) = split_page(rows, page.limit, |e| listing.key(e));
        let items = views(&state, rows).await?;
        Ok(EventsResponse::Ok(Json(Page { items, next_cursor })))
    }

    /// One event, with the items registering collects and why.
    #[oai(path = "/events/:id", method = "get", operation_id = "events_get")]
    async fn get(
        &self,
        state: Data<&AppState>,
        /// privacy: not personal
        id: Path<EventId>,
    ) -> AppResult<EventResponse> {
        let event = store::find(&state.db, &id.0).await?;
        Ok(EventResponse::Ok(Json(
            views(&state, vec![event]).await?.remove(0),
        )))
    }

    /// Register for an event with exactly the items it collects.
    #[oai(
        path = "/events/:id/registrations",
        method = "post",
        operation_id = "events_register"
    )]
    async fn register(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        client: crate::api::client::ClientInfo,
        /// privacy: not personal
        id: Path<EventId>,
        body: JsonBody<NewRegistration>,
    ) -> AppResult<RegistrationCreated> {
        let limited = ActionClass::EventRegister;
        crate::api::check_limit(&state, limited, auth.0.id.as_str()).await?;
        crate::api::check_limit(&state, ActionClass::ApplyIp, &client.limit_key()).await?;
        let b = body.0;
        let given = Given {
            real_name: b.real_name,
            gender: b.gender,
            contact_phone: b.contact_phone,
            national_id_number: b.national_id_number,
            shipping_address: b.shipping_address,
            city: b.city,
        };
        // Held like a decision: the items and the window change under no one.
        let txn = state.db.begin().await?;
        super::review::hold(&txn, &id.0).await?;
        let row = registrations::register(&txn, &state.crypto, &id.0, &auth.0.id, given).await?;
        txn.commit().await?;
        Ok(RegistrationCreated::Created(Json(registration_view(
            row, None,
        ))))
    }

    /// My event registrations and where they stand.
    #[oai(
        path = "/me/event-registrations",
        method = "get",
        operation_id = "me_list_event_registrations"
    )]
    async fn mine(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// From `next_cursor` of the previous page.
        /// privacy: not personal
        cursor: Query<Option<String>>,
        /// 1 to 50, default 20.
        /// privacy: not personal
        limit: Query<Option<u32>>,
    ) -> AppResult<RegistrationsResponse> {
        let page = PageParams::parse(cursor.0, limit.0)?;
        let rows = registrations::mine(&state.db, &auth.0.id, &page).await?;
        let (rows, next_cursor) = split_page(rows, page.limit, |r| r.id.clone());
        let items = rows
            .into_iter()
            .map(|r| registration_view(r, None))
            .collect();
        Ok(RegistrationsResponse::Ok(Json(Page { items, next_cursor })))
    }

    /// One of my registrations, with what I gave.
    #[oai(
        path = "/me/event-registrations/:id",
        method = "get",
        operation_id = "me_get_event_registration"
    )]
    async fn one(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// privacy: not personal
        id: Path<RegistrationId>,
    ) -> AppResult<RegistrationResponse> {
        let row = registrations::one_of_mine(&state.db, &auth.0.id, &id.0).await?;
        let shown = registrations::open_details(&state, &row)?;
        Ok(RegistrationResponse::Ok(Json(registration_view(
            row,
            Some(shown),
        ))))
    }

    /// Withdraw a registration: it is cancelled and what I gave erased.
    #[oai(
        path = "/me/event-registrations/:id",
        method = "delete",
        operation_id = "me_withdraw_event_registration"
    )]
    async fn withdraw(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// privacy: not personal
        id: Path<RegistrationId>,
    ) -> AppResult<Withdrawn> {
        let told = registrations::withdraw(&state.db, &auth.0.id, &id.0).await?;
        crate::platform::db::checkpoint_soon(&state.db);
        super::review_api::notify(&state, told).await;
        Ok(Withdrawn::Done)
    }
}
