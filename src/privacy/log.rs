//! The processing log: user, operation, purpose and item keys — never values.
use chrono::Utc;
use entity::processing_log;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use crate::{
    api::PageParams,
    error::{AppError, AppResult},
};

pub async fn append(
    db: &impl ConnectionTrait,
    user_id: &str,
    operation_id: &str,
    entries: &[(&'static str, Vec<&'static str>)],
) -> AppResult<()> {
    append_by(db, user_id, operation_id, entries, None).await
}

/// [`append`], for an action someone else took on the user's data: who
/// (a staff member's id) and why, as they stated it.
pub async fn append_by(
    db: &impl ConnectionTrait,
    user_id: &str,
    operation_id: &str,
    entries: &[(&'static str, Vec<&'static str>)],
    by: Option<(&str, &str)>,
) -> AppResult<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let now = Utc::now();
    let rows = entries
        .iter()
        .map(|(purpose, items)| {
            Ok(processing_log::ActiveModel {
                id: Set(uuid::Uuid::now_v7().to_string()),
                user_id: Set(user_id.to_owned()),
                operation_id: Set(operation_id.to_owned()),
                purpose: Set((*purpose).to_owned()),
                items: Set(serde_json::to_string(items)?),
                created_at: Set(now),
                actor_id: Set(by.map(|(actor, _)| actor.to_owned())),
                reason: Set(by.map(|(_, reason)| reason.to_owned())),
            })
        })
        .collect::<Result<Vec<_>, serde_json::Error>>()
        .map_err(AppError::internal)?;
    processing_log::Entity::insert_many(rows).exec(db).await?;
    Ok(())
}

pub async fn list(
    db: &impl ConnectionTrait,
    user_id: &str,
    page: &PageParams,
) -> AppResult<Vec<processing_log::Model>> {
    let mut query = processing_log::Entity::find()
        .filter(processing_log::Column::UserId.eq(user_id))
        .order_by_desc(processing_log::Column::Id)
        .limit(page.limit + 1);
    if let Some(after) = &page.after {
        query = query.filter(processing_log::Column::Id.lt(after.as_str()));
    }
    Ok(query.all(db).await?)
}
