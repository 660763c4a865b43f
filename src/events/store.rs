//! Events: staff create and edit them; everyone lists and reads them.
use chrono::{DateTime, Utc};
use entity::{event_registrations, events};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use super::{
    refusals::Refusal,
    views::{DeclaredItem, EventItem},
};
use crate::{
    api::PageParams,
    error::{AppError, AppResult},
    ids::{EventId, UploadId},
};

/// An event as staff describe it; `None` leaves a field as it is.
#[derive(Default)]
pub struct EventInput {
    pub title: Option<String>,
    pub description: Option<String>,
    pub cover_upload_id: Option<Option<UploadId>>,
    pub city: Option<Option<String>>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub registration_opens_at: Option<DateTime<Utc>>,
    pub registration_closes_at: Option<DateTime<Utc>>,
    pub capacity: Option<i32>,
    pub ships: Option<bool>,
    pub items: Option<Vec<DeclaredItem>>,
}

/// The items an event declared, as stored.
pub fn declared(event: &events::Model) -> AppResult<Vec<DeclaredItem>> {
    serde_json::from_str(&event.items).map_err(AppError::internal)
}

async fn check_cover(db: &impl ConnectionTrait, cover: &Option<Option<UploadId>>) -> AppResult<()> {
    if let Some(Some(id)) = cover {
        if !crate::uploads::media::is_public_image(db, id.as_str()).await? {
            return Err(Refusal::UnknownCover.into());
        }
    }
    Ok(())
}

/// The rules an event's whole description must keep, checked on the
/// event as it would be after the change.
fn check(event: &events::Model, items: &[DeclaredItem]) -> AppResult<()> {
    if event.registration_opens_at > event.registration_closes_at {
        return Err(Refusal::ClosesBeforeOpening.into());
    }
    if event.starts_at > event.ends_at {
        return Err(Refusal::EndsBeforeStart.into());
    }
    if event.registration_closes_at > event.ends_at {
        return Err(Refusal::ClosesAfterEnd.into());
    }
    for (i, item) in items.iter().enumerate() {
        if items[..i].iter().any(|other| other.item == item.item) {
            return Err(Refusal::DuplicateItem(i).into());
        }
        if item.reason.trim().is_empty() {
            return Err(Refusal::NoReason(i).into());
        }
        // An address only to send something.
        if item.item == EventItem::ShippingAddress && !event.ships {
            return Err(Refusal::AddressNotNeeded(i).into());
        }
    }
    Ok(())
}

pub async fn create(db: &impl ConnectionTrait, input: EventInput) -> AppResult<events::Model> {
    let now = Utc::now();
    let blank = events::Model {
        id: EventId::generate().into_inner(),
        title: String::new(),
        description: String::new(),
        cover_upload_id: None,
        city: None,
        starts_at: now,
        ends_at: now,
        registration_opens_at: now,
        registration_closes_at: now,
        capacity: 1,
        ships: false,
        items: "[]".into(),
        created_at: now,
        updated_at: now,
        registration_counts: None,
    };
    let event = apply(db, blank, input).await?;
    Ok(events::ActiveModel::from(event).insert(db).await?)
}

/// `input` over `event`, checked whole.
async fn apply(
    db: &impl ConnectionTrait,
    mut event: events::Model,
    input: EventInput,
) -> AppResult<events::Model> {
    check_cover(db, &input.cover_upload_id).await?;
    macro_rules! take {
        ($($field:ident),*) => { $(if let Some(v) = input.$field { event.$field = v; })* };
    }
    take!(
        title,
        description,
        starts_at,
        ends_at,
        registration_opens_at,
        registration_closes_at,
        capacity,
        ships,
        city
    );
    if let Some(cover) = input.cover_upload_id {
        event.cover_upload_id = cover.map(UploadId::into_inner);
    }
    let items = match input.items {
        Some(items) => items,
        None => declared(&event)?,
    };
    check(&event, &items)?;
    event.items = serde_json::to_string(&items).map_err(AppError::internal)?;
    event.updated_at = Utc::now();
    Ok(event)
}

/// Edits an event; also answers the cover it replaced. What it collects
/// cannot change once someone registered under the old list.
pub async fn update(
    db: &impl ConnectionTrait,
    id: &EventId,
    input: EventInput,
) -> AppResult<(events::Model, Option<String>)> {
    let event = find(db, id).await?;
    if let Some(capacity) = input.capacity {
        if u64::try_from(capacity).unwrap_or(0) < super::review::approved(db, id.as_str()).await? {
            return Err(Refusal::CapacityBelowApprovals.into());
        }
    }
    if input.items.is_some() && registered(db, id).await? > 0 {
        return Err(Refusal::ItemsFrozen.into());
    }
    let old_cover = event.cover_upload_id.clone();
    let updated = apply(db, event, input).await?;
    let replaced = old_cover.filter(|old| updated.cover_upload_id.as_ref() != Some(old));
    let active = events::ActiveModel::from(updated).reset_all();
    Ok((active.update(db).await?, replaced))
}

async fn registered(db: &impl ConnectionTrait, id: &EventId) -> AppResult<u64> {
    Ok(event_registrations::Entity::find()
        .filter(event_registrations::Column::EventId.eq(id.as_str()))
        .count(db)
        .await?)
}

pub async fn find(db: &impl ConnectionTrait, id: &EventId) -> AppResult<events::Model> {
    events::Entity::find_by_id(id.as_str())
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("event"))
}

/// Which events a list shows.
pub struct Listing<'a> {
    pub past: bool,
    pub city: Option<&'a str>,
    /// The viewer's own city (shared with the `location` grant): its
    /// events come first.
    pub first: Option<&'a str>,
}

/// Upcoming events soonest first, or past ones latest first; keyset pages
/// by id within the order of start times.
pub async fn list(
    db: &impl ConnectionTrait,
    listing: &Listing<'_>,
    page: &PageParams,
) -> AppResult<Vec<events::Model>> {
    let now = Utc::now();
    let mut query = events::Entity::find();
    query = if listing.past {
        query.filter(events::Column::EndsAt.lt(now))
    } else {
        query.filter(events::Column::EndsAt.gte(now))
    };
    if let Some(city) = listing.city {
        query = query.filter(events::Column::City.eq(city));
    }
    let mut rows = if listing.past {
        query
            .order_by_desc(events::Column::StartsAt)
            .order_by_desc(events::Column::Id)
    } else {
        query
            .order_by_asc(events::Column::StartsAt)
            .order_by_asc(events::Column::Id)
    }
    .all(db)
    .await?;
    if let Some(first) = listing.first {
        // A stable sort: the order within each part stays.
        rows.sort_by_key(|e| e.city.as_deref() != Some(first));
    }
    // Few events exist at a time: they are paged in memory, after the
    // cursor's place in the order (not its row, which may have ended or
    // moved since: the next page is then still the next one).
    let after = page.after.as_deref();
    Ok(rows
        .into_iter()
        .filter(|e| after.is_none_or(|after| listing.key(e).as_str() > after))
        .take(page.limit as usize + 1)
        .collect())
}

impl Listing<'_> {
    /// An event's place in this list's order, as a string that sorts the
    /// same way: the viewer's city first, then the start (latest first for
    /// past events), then the id.
    pub fn key(&self, event: &events::Model) -> String {
        let elsewhere = u8::from(self.first.is_some_and(|f| event.city.as_deref() != Some(f)));
        let micros = i128::from(event.starts_at.timestamp_micros());
        // Offset so that every start is a positive, fixed-width number;
        // past events run backwards. Wide enough for a start before 1970.
        let start = if self.past {
            i128::from(i64::MAX) - micros
        } else {
            micros - i128::from(i64::MIN / 2)
        };
        let id = if self.past {
            invert(&event.id)
        } else {
            event.id.clone()
        };
        format!("{elsewhere}|{start:020}|{id}")
    }
}

/// An id whose order runs backwards (hex digits mapped to their opposite).
fn invert(id: &str) -> String {
    id.chars()
        .map(|c| {
            c.to_digit(16)
                .and_then(|d| char::from_digit(15 - d, 16))
                .unwrap_or(c)
        })
        .collect()
}

/// Every event's cover among `ids`, for the media layer.
pub async fn covers_among(
    db: &sea_orm::DatabaseConnection,
    ids: &[String],
) -> AppResult<Vec<String>> {
    let covers: Vec<Option<String>> = events::Entity::find()
        .select_only()
        .column(events::Column::CoverUploadId)
        .filter(events::Column::CoverUploadId.is_in(ids.to_vec()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(covers.into_iter().flatten().collect())
}
