//! Events as iCalendar files: the event itself, for anyone, and my
//! approved registration's event, for me. Either is the event alone: no
//! registrant's details are ever in the file.
use poem::web::Data;
use poem_openapi::{param::Path, payload::PlainText, ApiResponse, OpenApi};

use super::{
    api::views,
    registrations, store,
    views::{EventView, RegistrationStatus},
};
use crate::{
    api::ApiTags,
    error::{AppError, AppResult, ErrorCode},
    identity::BearerAuth,
    ids::{EventId, RegistrationId},
    state::AppState,
};

pub struct EventCalendarApi;

#[derive(ApiResponse)]
pub enum CalendarResponse {
    /// The event as an iCalendar file: nobody's details in it.
    #[oai(status = 200, content_type = "text/calendar; charset=utf-8")]
    Ok(PlainText<String>),
}

/// The event as iCalendar, from the event alone.
fn calendar(event: &EventView) -> String {
    use icalendar::{Calendar, Component, Event, EventLike};
    let mut entry = Event::new();
    entry
        .uid(&format!("{}@agora", event.id))
        .summary(&event.title)
        .description(&event.description)
        .starts(event.starts_at)
        .ends(event.ends_at);
    entry.location(event.city.as_deref().unwrap_or("Online"));
    Calendar::new()
        .name(&event.title)
        .push(entry.done())
        .done()
        .to_string()
}

async fn file(state: &AppState, id: &EventId) -> AppResult<CalendarResponse> {
    let event = store::find(&state.db, id).await?;
    let view = views(state, vec![event]).await?.remove(0);
    Ok(CalendarResponse::Ok(PlainText(calendar(&view))))
}

#[OpenApi(tag = "ApiTags::Events")]
impl EventCalendarApi {
    /// The event as an iCalendar file.
    #[oai(
        path = "/events/:id/calendar.ics",
        method = "get",
        operation_id = "events_calendar"
    )]
    async fn event(
        &self,
        state: Data<&AppState>,
        /// privacy: not personal
        id: Path<EventId>,
    ) -> AppResult<CalendarResponse> {
        file(&state, &id.0).await
    }

    /// My approved registration's event as an iCalendar file (the event
    /// alone: nothing of mine in it).
    #[oai(
        path = "/me/event-registrations/:id/calendar.ics",
        method = "get",
        operation_id = "me_event_registration_calendar"
    )]
    async fn mine(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// privacy: not personal
        id: Path<RegistrationId>,
    ) -> AppResult<CalendarResponse> {
        let row = registrations::one_of_mine(&state.db, &auth.0.id, &id.0).await?;
        if RegistrationStatus::from(row.status) != RegistrationStatus::Approved {
            return Err(AppError::new(
                ErrorCode::Conflict,
                "only an approved registration has a place in a calendar",
            ));
        }
        file(&state, &EventId::from_stored(row.event_id)).await
    }
}
