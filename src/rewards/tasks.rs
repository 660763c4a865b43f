//! Tasks: admins define them; users see what they can still do today,
//! and check in. Days are the community's (Beijing time, UTC+8).
use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use entity::{coin_ledger as entries, enums::LedgerKind, reward_tasks as tasks};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, ExprTrait,
    QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};

use super::{
    ledger::{self, Entry},
    refusals::Refusal,
};
use crate::{
    error::{AppError, AppResult},
    ids::TaskId,
};

/// The community's day of a moment: the date in Beijing (UTC+8, no
/// daylight saving).
pub fn day_of(at: DateTime<Utc>) -> String {
    (at + Duration::hours(8)).format("%Y-%m-%d").to_string()
}

/// A task as an admin describes it; `None` leaves a field as it is.
#[derive(Default)]
pub struct TaskInput {
    pub kind: Option<entity::enums::TaskKind>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub coins: Option<i64>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<Option<DateTime<Utc>>>,
}

pub async fn find(db: &impl ConnectionTrait, id: &TaskId) -> AppResult<tasks::Model> {
    tasks::Entity::find_by_id(id.as_str())
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("task"))
}

fn check(task: &tasks::Model) -> AppResult<()> {
    match task.ends_at {
        Some(end) if end < task.starts_at => Err(Refusal::EndsBeforeStart.into()),
        _ => Ok(()),
    }
}

pub async fn create(db: &impl ConnectionTrait, input: TaskInput) -> AppResult<tasks::Model> {
    let now = Utc::now();
    let task = tasks::Model {
        id: TaskId::generate().into_inner(),
        kind: input.kind.unwrap_or(entity::enums::TaskKind::CheckIn),
        title: input.title.unwrap_or_default().trim().to_owned(),
        description: input.description.unwrap_or_default(),
        coins: input.coins.unwrap_or(1),
        starts_at: input.starts_at.unwrap_or(now),
        ends_at: input.ends_at.flatten(),
        created_at: now,
        updated_at: now,
    };
    check(&task)?;
    Ok(tasks::ActiveModel::from(task).insert(db).await?)
}

pub async fn update(
    db: &impl ConnectionTrait,
    id: &TaskId,
    input: TaskInput,
) -> AppResult<tasks::Model> {
    let mut task = find(db, id).await?;
    if let Some(title) = input.title {
        task.title = title.trim().to_owned();
    }
    if let Some(description) = input.description {
        task.description = description;
    }
    if let Some(coins) = input.coins {
        task.coins = coins;
    }
    if let Some(starts_at) = input.starts_at {
        task.starts_at = starts_at;
    }
    if let Some(ends_at) = input.ends_at {
        task.ends_at = ends_at;
    }
    check(&task)?;
    task.updated_at = Utc::now();
    Ok(tasks::ActiveModel::from(task)
        .reset_all()
        .update(db)
        .await?)
}

/// Tasks running now, oldest first.
pub async fn running(db: &impl ConnectionTrait) -> AppResult<Vec<tasks::Model>> {
    let now = Utc::now();
    Ok(tasks::Entity::find()
        .filter(tasks::Column::StartsAt.lte(now))
        .filter(
            tasks::Column::EndsAt
                .is_null()
                .or(tasks::Column::EndsAt.gt(now)),
        )
        .order_by_asc(tasks::Column::Id)
        .all(db)
        .await?)
}

/// How often `user` completed each task, and which of them today.
pub async fn history(
    db: &impl ConnectionTrait,
    user: &str,
) -> AppResult<(HashMap<String, u64>, Vec<String>)> {
    let rows: Vec<(Option<String>, String)> = entries::Entity::find()
        .select_only()
        .column(entries::Column::TaskId)
        .column(entries::Column::IdempotencyKey)
        .filter(entries::Column::UserId.eq(user))
        .filter(entries::Column::TaskId.is_not_null())
        .into_tuple()
        .all(db)
        .await?;
    let today = day_of(Utc::now());
    let mut counts: HashMap<String, u64> = HashMap::new();
    let mut done_today = Vec::new();
    for (task, key) in rows {
        let Some(task) = task else { continue };
        if key.ends_with(&format!(":{today}")) {
            done_today.push(task.clone());
        }
        *counts.entry(task).or_default() += 1;
    }
    Ok((counts, done_today))
}

/// The key of a daily task's credit: one per task, user and day.
fn daily_key(task: &str, user: &str, day: &str) -> String {
    format!("task:{task}:{user}:{day}")
}

/// Checks `user` in to a check-in task: its coins, once a day, however
/// many devices ask at once.
pub async fn check_in(
    db: &DatabaseConnection,
    user: &str,
    id: &TaskId,
) -> AppResult<entries::Model> {
    let task = find(db, id).await?;
    if task.kind != entity::enums::TaskKind::CheckIn {
        return Err(Refusal::NotACheckIn.into());
    }
    let now = Utc::now();
    if task.starts_at > now || task.ends_at.is_some_and(|end| end <= now) {
        return Err(Refusal::NotActive.into());
    }
    let txn = db.begin().await?;
    let entry = ledger::post(
        &txn,
        Entry {
            user,
            kind: LedgerKind::Credit,
            amount: task.coins,
            task: Some(&task.id),
            key: daily_key(&task.id, user, &day_of(now)),
            reason: None,
            staff: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(entry)
}
