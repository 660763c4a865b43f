//! Tasks: admins define them; users see what they can still do today,
//! and check in. Days are the community's (Beijing time, UTC+8).
use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use entity::{
    coin_ledger as entries,
    enums::{LedgerKind, TaskKind},
    reward_tasks as tasks,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, ExprTrait,
    QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};

use super::{
    ledger::{self, Entry},
    refusals::Refusal,
};
use crate::{
    error::{AppError, AppResult, ErrorCode},
    identity::membership,
    ids::TaskId,
    platform::facts::{Fact, Subscriber},
    state::AppState,
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
    /// A `partner` task's partner (required for one, refused for others).
    pub partner: Option<String>,
    /// Credits per user per day (default 1; a check-in is once a day).
    pub per_day: Option<i32>,
    /// Credits per user ever (a partner's task: once).
    pub per_user_ever: Option<i32>,
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

/// Defines a task, in the caller's transaction (which it leaves to roll
/// back when the task is refused).
pub async fn create(db: &DatabaseTransaction, input: TaskInput) -> AppResult<tasks::Model> {
    let now = Utc::now();
    let task = tasks::Model {
        id: TaskId::generate().into_inner(),
        kind: input.kind.unwrap_or(entity::enums::TaskKind::CheckIn),
        title: input.title.unwrap_or_default().trim().to_owned(),
        description: input.description.unwrap_or_default(),
        coins: input.coins.unwrap_or(1),
        partner_id: input.partner,
        per_day: input.per_day.unwrap_or(1),
        per_user_ever: match input.kind {
            Some(TaskKind::Partner) => Some(1),
            _ => input.per_user_ever,
        },
        starts_at: input.starts_at.unwrap_or(now),
        ends_at: input.ends_at.flatten(),
        created_at: now,
        updated_at: now,
    };
    check(&task)?;
    match (task.kind, &task.partner_id) {
        (TaskKind::Partner, None) => return Err(Refusal::PartnerRequired.into()),
        (TaskKind::Partner, Some(_)) | (_, None) => {}
        (_, Some(_)) => return Err(Refusal::PartnerOnlyForPartnerTasks.into()),
    }
    if task.kind == TaskKind::CheckIn && task.per_day != 1 {
        return Err(Refusal::CheckInOnceADay.into());
    }
    // Written first (the caller's transaction takes SQLite's write lock
    // before it reads); an unknown partner then undoes it.
    let task = tasks::ActiveModel::from(task).insert(db).await?;
    if let Some(partner) = &task.partner_id {
        if super::partners::find(db, partner).await?.is_none() {
            return Err(Refusal::UnknownPartner.into());
        }
    }
    Ok(task)
}

/// Edits a task: only the fields given are written (two admins editing
/// different fields both keep theirs), and the result must still make
/// sense, or nothing changes (the caller commits `txn`).
pub async fn update(
    txn: &DatabaseTransaction,
    id: &TaskId,
    input: TaskInput,
) -> AppResult<tasks::Model> {
    use sea_orm::sea_query::Expr;
    let mut update = tasks::Entity::update_many()
        .col_expr(tasks::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(tasks::Column::Id.eq(id.as_str()));
    if let Some(title) = input.title {
        update = update.col_expr(tasks::Column::Title, Expr::value(title.trim().to_owned()));
    }
    if let Some(description) = input.description {
        update = update.col_expr(tasks::Column::Description, Expr::value(description));
    }
    if let Some(coins) = input.coins {
        update = update.col_expr(tasks::Column::Coins, Expr::value(coins));
    }
    if let Some(starts_at) = input.starts_at {
        update = update.col_expr(tasks::Column::StartsAt, Expr::value(starts_at));
    }
    if let Some(ends_at) = input.ends_at {
        update = update.col_expr(tasks::Column::EndsAt, Expr::value(ends_at));
    }
    if update.exec(txn).await?.rows_affected == 0 {
        return Err(AppError::not_found("task"));
    }
    let task = find(txn, id).await?;
    check(&task)?;
    Ok(task)
}

/// Tasks running now, oldest first.
pub async fn running(db: &impl ConnectionTrait) -> AppResult<Vec<tasks::Model>> {
    running_of(db, None).await
}

/// Tasks running now, of `kind` if given (asked on every post and
/// comment: the filter is the database's), oldest first.
async fn running_of(
    db: &impl ConnectionTrait,
    kind: Option<TaskKind>,
) -> AppResult<Vec<tasks::Model>> {
    let now = Utc::now();
    let mut query = tasks::Entity::find();
    if let Some(kind) = kind {
        query = query.filter(tasks::Column::Kind.eq(kind));
    }
    Ok(query
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

/// When the community's day of `at` began (midnight in Beijing), in UTC.
pub fn day_start(at: DateTime<Utc>) -> DateTime<Utc> {
    let local = (at + Duration::hours(8)).date_naive();
    local.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() - Duration::hours(8)
}

/// How often `user` completed each task, and which of them today.
pub async fn history(
    db: &impl ConnectionTrait,
    user: &str,
) -> AppResult<(HashMap<String, u64>, Vec<String>)> {
    let mine = entries::Column::UserId
        .eq(user)
        .and(entries::Column::TaskId.is_not_null());
    let counts: Vec<(Option<String>, i64)> = entries::Entity::find()
        .select_only()
        .column(entries::Column::TaskId)
        .column_as(entries::Column::Id.count(), "n")
        .filter(mine.clone())
        .group_by(entries::Column::TaskId)
        .into_tuple()
        .all(db)
        .await?;
    let today: Vec<Option<String>> = entries::Entity::find()
        .select_only()
        .column(entries::Column::TaskId)
        .filter(mine)
        .filter(entries::Column::CreatedAt.gte(day_start(Utc::now())))
        .into_tuple()
        .all(db)
        .await?;
    let counts = counts
        .into_iter()
        .filter_map(|(task, n)| Some((task?, u64::try_from(n).unwrap_or(0))))
        .collect();
    Ok((counts, today.into_iter().flatten().collect()))
}

/// How often `user` was credited for `task` today, and ever.
async fn completions(db: &impl ConnectionTrait, user: &str, task: &str) -> AppResult<(i64, i64)> {
    use sea_orm::PaginatorTrait;
    let mine = || {
        entries::Entity::find()
            .filter(entries::Column::UserId.eq(user))
            .filter(entries::Column::TaskId.eq(task))
    };
    let today = mine()
        .filter(entries::Column::CreatedAt.gte(day_start(Utc::now())))
        .count(db)
        .await?;
    let ever = mine().count(db).await?;
    Ok((today as i64, ever as i64))
}

/// Checks `user` in to a check-in task: its coins, once a day, however
/// many devices ask at once.
pub async fn check_in(state: &AppState, user: &str, id: &TaskId) -> AppResult<entries::Model> {
    let task = find(&state.db, id).await?;
    if task.kind != entity::enums::TaskKind::CheckIn {
        return Err(Refusal::NotACheckIn.into());
    }
    let now = Utc::now();
    if task.starts_at > now || task.ends_at.is_some_and(|end| end <= now) {
        return Err(Refusal::NotActive.into());
    }
    credit(state, user, &task, &day_of(now)).await
}

/// The bonus a level earns on every task's coins: ten per cent a level
/// above the first, at most fifty.
pub fn bonus_percent(level: i32) -> i64 {
    (10 * (i64::from(level) - 1)).clamp(0, 50)
}

/// Credits `task` to `user` for `event` (the day of a check-in, the post
/// or comment made, the partner's ticket's task): its coins and the bonus
/// of their level, once per event and within the task's limits per day
/// and ever (counted while the user's account row is held, so two at once
/// cannot both fit; over a limit, or the same event again, is
/// `AlreadyDone`); the task's coins grow their experience in the same
/// transaction.
pub async fn credit(
    state: &AppState,
    user: &str,
    task: &tasks::Model,
    event: &str,
) -> AppResult<entries::Model> {
    let levels = &state.config.membership_levels;
    let level = membership::standing(&state.db, user, levels).await?.level;
    let amount = task.coins + task.coins * bonus_percent(level) / 100;
    let txn = state.db.begin().await?;
    ledger::hold(&txn, user).await?;
    let (today, ever) = completions(&txn, user, &task.id).await?;
    if today >= i64::from(task.per_day) || task.per_user_ever.is_some_and(|n| ever >= i64::from(n))
    {
        return Err(Refusal::AlreadyDone.into());
    }
    let key = format!("task:{}:{user}:{event}", task.id);
    let entry = ledger::post(
        &txn,
        Entry {
            user,
            kind: LedgerKind::Credit,
            amount,
            task: Some(&task.id),
            claim: None,
            key: key.clone(),
            reason: None,
            staff: None,
        },
    )
    .await?;
    super::experience::earn(&txn, levels, user, ("task", &key), task.coins).await?;
    txn.commit().await?;
    Ok(entry)
}

/// Credits posts and comments: the community says what was published,
/// the running tasks of that kind pay (within their limits).
pub struct ActivitySubscriber;

#[async_trait::async_trait]
impl Subscriber for ActivitySubscriber {
    async fn on(&self, state: &AppState, fact: &Fact) -> AppResult<()> {
        let (user, kind, event) = match fact {
            Fact::PostPublished { author, post } => (author, TaskKind::Post, post),
            Fact::CommentPublished { author, comment } => (author, TaskKind::Comment, comment),
            _ => return Ok(()),
        };
        for task in &running_of(&state.db, Some(kind)).await? {
            match credit(state, user, task, event).await {
                Err(err) if err.code == ErrorCode::AlreadyDone => {}
                other => {
                    other?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_day_turns_at_midnight_in_beijing() {
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        assert_eq!(day_of(at("2026-12-06T15:59:59Z")), "2026-12-06");
        assert_eq!(day_of(at("2026-12-06T16:00:00Z")), "2026-12-07");
        assert_eq!(
            day_start(at("2026-12-06T15:59:59Z")),
            at("2026-12-05T16:00:00Z")
        );
        assert_eq!(
            day_start(at("2026-12-06T16:00:00Z")),
            at("2026-12-06T16:00:00Z")
        );
    }
}
