//! Beta programs: admins open and edit them; everyone lists the open ones
//! and reads one.
use chrono::{DateTime, Utc};
use entity::beta_programs as programs;
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::{refusals::Refusal, views::WatchedApp};
use crate::{
    api::PageParams,
    error::{AppError, AppResult},
    ids::BetaProgramId,
    platform::gates::{self, Gates},
};

/// A program as admins describe it; `None` leaves a field as it is, and
/// `Some(None)` clears an optional one.
#[derive(Default)]
pub struct ProgramInput {
    pub name: Option<String>,
    pub description: Option<String>,
    pub device_models: Option<Vec<String>>,
    pub capacity: Option<i32>,
    pub opens_at: Option<DateTime<Utc>>,
    pub closes_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub questions: Option<Vec<String>>,
    pub installed_apps_reason: Option<Option<String>>,
    pub watched_apps: Option<Vec<WatchedApp>>,
    pub min_level: Option<Option<i32>>,
    pub min_account_days: Option<Option<i32>>,
}

/// A program's lists, as stored.
pub struct Lists {
    pub device_models: Vec<String>,
    pub questions: Vec<String>,
    pub watched_apps: Vec<WatchedApp>,
}

fn read<T: serde::de::DeserializeOwned>(text: &str) -> AppResult<T> {
    serde_json::from_str(text).map_err(AppError::internal)
}

pub fn lists(program: &programs::Model) -> AppResult<Lists> {
    Ok(Lists {
        device_models: read(&program.device_models)?,
        questions: read(&program.questions)?,
        watched_apps: read(&program.watched_apps)?,
    })
}

fn to_json<T: serde::Serialize>(value: &T) -> AppResult<String> {
    serde_json::to_string(value).map_err(AppError::internal)
}

/// The rules a program's whole description keeps, checked as it would be
/// after the change.
fn check(program: &programs::Model, lists: &Lists) -> AppResult<()> {
    if program.opens_at > program.closes_at {
        return Err(Refusal::ClosesBeforeOpening.into());
    }
    if program.closes_at > program.ends_at {
        return Err(Refusal::EndsBeforeClosing.into());
    }
    for (i, model) in lists.device_models.iter().enumerate() {
        if model.trim().is_empty() || model.chars().count() > 64 {
            return Err(Refusal::BadText("device_models", i).into());
        }
        let same = |other: &String| other.trim().eq_ignore_ascii_case(model.trim());
        if lists.device_models[..i].iter().any(same) {
            return Err(Refusal::DuplicateModel(i).into());
        }
    }
    for (i, question) in lists.questions.iter().enumerate() {
        if question.trim().is_empty() || question.chars().count() > 500 {
            return Err(Refusal::BadText("questions", i).into());
        }
    }
    for (i, app) in lists.watched_apps.iter().enumerate() {
        if lists.watched_apps[..i]
            .iter()
            .any(|o| o.package == app.package)
        {
            return Err(Refusal::DuplicateApp(i).into());
        }
    }
    // Watching apps needs the list, and the list needs a reason to ask.
    if !lists.watched_apps.is_empty() && program.installed_apps_reason.is_none() {
        return Err(Refusal::WatchWithoutReason.into());
    }
    if program.installed_apps_reason.is_some() && lists.watched_apps.is_empty() {
        return Err(Refusal::ReasonWithoutWatch.into());
    }
    Ok(())
}

/// `input` over `program`, checked whole.
fn apply(mut program: programs::Model, input: ProgramInput) -> AppResult<programs::Model> {
    let mut lists = lists(&program)?;
    macro_rules! take {
        ($($field:ident),*) => { $(if let Some(v) = input.$field { program.$field = v; })* };
    }
    take!(
        name,
        description,
        capacity,
        opens_at,
        closes_at,
        ends_at,
        installed_apps_reason,
        min_level,
        min_account_days
    );
    if let Some(models) = input.device_models {
        lists.device_models = models.into_iter().map(|m| m.trim().to_owned()).collect();
    }
    if let Some(questions) = input.questions {
        lists.questions = questions;
    }
    if let Some(apps) = input.watched_apps {
        lists.watched_apps = apps;
    }
    check(&program, &lists)?;
    program.device_models = to_json(&lists.device_models)?;
    program.questions = to_json(&lists.questions)?;
    program.watched_apps = to_json(&lists.watched_apps)?;
    program.updated_at = Utc::now();
    Ok(program)
}

/// Opens a program, and with it its feedback circle (closed: its testers
/// and staff), in the caller's transaction.
pub async fn create(
    txn: &DatabaseTransaction,
    gates: &Gates,
    input: ProgramInput,
) -> AppResult<programs::Model> {
    let now = Utc::now();
    let blank = programs::Model {
        id: BetaProgramId::generate().into_inner(),
        name: String::new(),
        description: String::new(),
        device_models: "[]".into(),
        capacity: 1,
        opens_at: now,
        closes_at: now,
        ends_at: now,
        questions: "[]".into(),
        installed_apps_reason: None,
        watched_apps: "[]".into(),
        min_level: None,
        min_account_days: None,
        created_at: now,
        updated_at: now,
        feedback_circle_id: None,
    };
    let mut program = apply(blank, input)?;
    let gate = gates::gate(super::gate::KIND, &program.id);
    let about = format!(
        "Feedback from the testers of {}: seen by its testers and staff only.",
        program.name
    );
    let name = format!("{} · feedback", program.name);
    let circle = gates.open_circle(txn, &name, &about, &gate).await?;
    program.feedback_circle_id = Some(circle);
    Ok(programs::ActiveModel::from(program).insert(txn).await?)
}

/// Edits a program, inside a [`hold`]. The questions cannot change once
/// someone answered them, nor the capacity fall below the approvals.
pub async fn update(
    txn: &DatabaseTransaction,
    id: &BetaProgramId,
    input: ProgramInput,
) -> AppResult<programs::Model> {
    let program = find(txn, id).await?;
    if input.questions.is_some() && super::review::applied(txn, id).await? > 0 {
        let same = input.questions.as_ref() == Some(&lists(&program)?.questions);
        if !same {
            return Err(Refusal::QuestionsFrozen.into());
        }
    }
    if let Some(capacity) = input.capacity {
        if u64::try_from(capacity).unwrap_or(0) < super::review::approved(txn, id).await? {
            return Err(Refusal::CapacityBelowApprovals.into());
        }
    }
    let mut active: programs::ActiveModel = apply(program, input)?.into();
    active = active.reset_all();
    Ok(active.update(txn).await?)
}

/// Holds the program for this transaction: applications, decisions and
/// withdrawals on one program run one after the other (a row lock on
/// PostgreSQL, the write lock on SQLite, taken before anything is read).
pub async fn hold(txn: &DatabaseTransaction, id: &BetaProgramId) -> AppResult<()> {
    let done = programs::Entity::update_many()
        .col_expr(
            programs::Column::Capacity,
            Expr::col(programs::Column::Capacity),
        )
        .filter(programs::Column::Id.eq(id.as_str()))
        .exec(txn)
        .await?;
    if done.rows_affected == 0 {
        return Err(AppError::not_found("beta program"));
    }
    Ok(())
}

pub async fn find(db: &impl ConnectionTrait, id: &BetaProgramId) -> AppResult<programs::Model> {
    programs::Entity::find_by_id(id.as_str())
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("beta program"))
}

/// Programs still running (not ended), oldest first.
pub async fn running(
    db: &impl ConnectionTrait,
    page: &PageParams,
) -> AppResult<Vec<programs::Model>> {
    let mut query = programs::Entity::find().filter(programs::Column::EndsAt.gt(Utc::now()));
    if let Some(after) = &page.after {
        query = query.filter(programs::Column::Id.gt(after.as_str()));
    }
    Ok(query
        .order_by_asc(programs::Column::Id)
        .limit(page.limit + 1)
        .all(db)
        .await?)
}
