//! `/admin/events`: moderators and admins publish and edit events.
use chrono::{DateTime, Duration, Utc};
use poem::web::Data;
use poem_openapi::{
    param::Path, payload::Json, types::MaybeUndefined, ApiResponse, Object, OpenApi,
};
use sea_orm::TransactionTrait;

use super::{
    api::views,
    store::{self, EventInput},
    views::{DeclaredItem, EventItem, EventView},
};
use crate::{
    api::{patch_field, ApiTags, JsonBody},
    error::AppResult,
    identity::ModeratorAuth,
    ids::{EventId, UploadId},
    state::AppState,
};

pub struct AdminEventsApi;

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct NewEvent {
    /// privacy: not personal
    #[oai(validator(min_length = 1, max_length = 120, pattern = r"\S"))]
    pub title: String,
    /// privacy: not personal
    #[oai(validator(max_length = 5000))]
    pub description: String,
    /// An uploaded image.
    /// privacy: not personal
    pub cover_upload_id: Option<UploadId>,
    /// Where it happens; absent for an online event.
    /// privacy: not personal
    #[oai(validator(min_length = 1, max_length = 64, pattern = r"\S"))]
    pub city: Option<String>,
    /// privacy: not personal
    pub starts_at: DateTime<Utc>,
    /// privacy: not personal
    pub ends_at: DateTime<Utc>,
    /// privacy: not personal
    pub registration_opens_at: DateTime<Utc>,
    /// privacy: not personal
    pub registration_closes_at: DateTime<Utc>,
    /// privacy: not personal
    #[oai(validator(minimum(value = "1"), maximum(value = "100000")))]
    pub capacity: i32,
    /// Whether registrants are sent something by post (only then may the
    /// event ask for a shipping address).
    /// privacy: not personal
    pub ships: bool,
    /// What registering collects, each item with the reason registrants
    /// will read.
    /// privacy: not personal
    #[oai(validator(max_items = 6))]
    pub items: Vec<DeclaredItem>,
}

impl poem_openapi::types::Example for NewEvent {
    fn example() -> Self {
        let start = DateTime::parse_from_rfc3339("2027-03-20T14:00:00+08:00")
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default();
        Self {
            title: "Xiaomi 15 launch meet-up".into(),
            description: "Hands-on with the new phones, and a Q&A with the camera team.".into(),
            cover_upload_id: None,
            city: Some("Shenzhen".into()),
            starts_at: start,
            ends_at: start + Duration::hours(3),
            registration_opens_at: start - Duration::days(30),
            registration_closes_at: start - Duration::days(2),
            capacity: 120,
            ships: false,
            items: vec![
                DeclaredItem {
                    item: EventItem::RealName,
                    reason: "Checked against the guest list at the door.".into(),
                },
                DeclaredItem {
                    item: EventItem::ContactPhone,
                    reason: "To reach you if the venue changes.".into(),
                },
            ],
        }
    }
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct EventPatch {
    /// privacy: not personal
    #[oai(validator(min_length = 1, max_length = 120, pattern = r"\S"))]
    pub title: Option<String>,
    /// privacy: not personal
    #[oai(validator(max_length = 5000))]
    pub description: Option<String>,
    /// privacy: not personal
    pub cover_upload_id: MaybeUndefined<UploadId>,
    /// `null` makes it an online event.
    /// privacy: not personal
    #[oai(validator(min_length = 1, max_length = 64, pattern = r"\S"))]
    pub city: MaybeUndefined<String>,
    /// privacy: not personal
    pub starts_at: Option<DateTime<Utc>>,
    /// privacy: not personal
    pub ends_at: Option<DateTime<Utc>>,
    /// privacy: not personal
    pub registration_opens_at: Option<DateTime<Utc>>,
    /// privacy: not personal
    pub registration_closes_at: Option<DateTime<Utc>>,
    /// privacy: not personal
    #[oai(validator(minimum(value = "1"), maximum(value = "100000")))]
    pub capacity: Option<i32>,
    /// privacy: not personal
    pub ships: Option<bool>,
    /// Replaces the whole list; refused (409) once anyone registered.
    /// privacy: not personal
    #[oai(validator(max_items = 6))]
    pub items: Option<Vec<DeclaredItem>>,
}

impl poem_openapi::types::Example for EventPatch {
    fn example() -> Self {
        Self {
            title: None,
            description: Some("Now with a raffle for a Xiaomi Pad.".into()),
            cover_upload_id: MaybeUndefined::Undefined,
            city: MaybeUndefined::Undefined,
            starts_at: None,
            ends_at: None,
            registration_opens_at: None,
            registration_closes_at: None,
            capacity: Some(150),
            ships: None,
            items: None,
        }
    }
}

#[derive(ApiResponse)]
pub enum EventCreated {
    /// Published.
    #[oai(status = 201)]
    Created(Json<EventView>),
}

#[derive(ApiResponse)]
pub enum EventUpdated {
    /// The event as it is now.
    #[oai(status = 200)]
    Ok(Json<EventView>),
}

#[OpenApi(prefix_path = "/admin/events", tag = "ApiTags::Admin")]
impl AdminEventsApi {
    /// Publish an event (moderator, admin).
    #[oai(path = "/", method = "post", operation_id = "admin_create_event")]
    async fn create(
        &self,
        state: Data<&AppState>,
        _staff: ModeratorAuth,
        body: JsonBody<NewEvent>,
    ) -> AppResult<EventCreated> {
        let b = body.0;
        let input = EventInput {
            title: Some(b.title),
            description: Some(b.description),
            cover_upload_id: Some(b.cover_upload_id),
            city: Some(b.city),
            starts_at: Some(b.starts_at),
            ends_at: Some(b.ends_at),
            registration_opens_at: Some(b.registration_opens_at),
            registration_closes_at: Some(b.registration_closes_at),
            capacity: Some(b.capacity),
            ships: Some(b.ships),
            items: Some(b.items),
        };
        let event = store::create(&state.db, input).await?;
        Ok(EventCreated::Created(Json(
            views(&state, vec![event]).await?.remove(0),
        )))
    }

    /// Edit an event (moderator, admin).
    #[oai(path = "/:id", method = "patch", operation_id = "admin_update_event")]
    async fn update(
        &self,
        state: Data<&AppState>,
        _staff: ModeratorAuth,
        /// privacy: not personal
        id: Path<EventId>,
        body: JsonBody<EventPatch>,
    ) -> AppResult<EventUpdated> {
        let b = body.0;
        let input = EventInput {
            title: b.title,
            description: b.description,
            cover_upload_id: patch_field(b.cover_upload_id),
            city: patch_field(b.city),
            starts_at: b.starts_at,
            ends_at: b.ends_at,
            registration_opens_at: b.registration_opens_at,
            registration_closes_at: b.registration_closes_at,
            capacity: b.capacity,
            ships: b.ships,
            items: b.items,
        };
        let txn = state.db.begin().await?;
        // Held like a decision: capacity and items change under no one.
        super::review::hold(&txn, &id.0).await?;
        let (event, replaced) = store::update(&txn, &id.0, input).await?;
        txn.commit().await?;
        crate::uploads::lifecycle::release_now(&state, replaced.into_iter().collect()).await;
        Ok(EventUpdated::Ok(Json(
            views(&state, vec![event]).await?.remove(0),
        )))
    }
}
