//! Applying to a beta program, seeing where my applications stand, and
//! withdrawing (which erases what I gave and frees my place).
use chrono::Utc;
use entity::{beta_applications as apps, enums::BetaStatus};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait,
    DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::{
    refusals::Refusal,
    screening::{self, Applicant, Rules},
    store,
    views::{BetaApplicationDetails, BetaRule, Screening},
};
use crate::{
    api::PageParams,
    error::{is_unique_violation, AppError, AppResult},
    identity::{membership, phone::Phone},
    ids::{BetaApplicationId, BetaProgramId, UserId},
    state::AppState,
};

/// What an applicant sends. The installed apps are borrowed by the
/// screening and dropped with this value, at the end of the request.
pub struct Form {
    pub contact_phone: String,
    pub device_model: String,
    pub answers: Vec<String>,
    pub installed_apps: Option<Vec<String>>,
}

/// The automatic screening's reason for the applicant, when it screens
/// them out.
fn screened_out(unmet: &[BetaRule]) -> String {
    let said: Vec<&str> = unmet
        .iter()
        .map(|rule| match rule {
            BetaRule::DeviceModel => "the program does not test this device model",
            BetaRule::MembershipLevel => "the membership level is below the program's minimum",
            BetaRule::AccountAge => "the account is younger than the program's minimum",
            BetaRule::BlockingApp => "an installed app does not work with this build",
        })
        .collect();
    format!("Screened out: {}.", said.join("; "))
}

/// Applies, inside the caller's transaction, after a [`store::hold`] on the
/// program. An application that fails the screening is kept, rejected with
/// the reason (the applicant sees why); one that passes waits for staff.
pub async fn apply(
    state: &AppState,
    txn: &DatabaseTransaction,
    program_id: &BetaProgramId,
    user: &UserId,
    form: Form,
) -> AppResult<apps::Model> {
    let program = store::find(txn, program_id).await?;
    let lists = store::lists(&program)?;
    let now = Utc::now();
    if now < program.opens_at || now > program.closes_at {
        return Err(Refusal::NotOpen.into());
    }
    match (&form.installed_apps, &program.installed_apps_reason) {
        (Some(_), None) => return Err(Refusal::AppsNotAsked.into()),
        (None, Some(_)) => return Err(Refusal::AppsMissing.into()),
        _ => {}
    }
    if form.answers.len() != lists.questions.len() {
        let expected = lists.questions.len();
        return Err(Refusal::AnswersMismatch { expected }.into());
    }
    let phone = Phone::parse(&form.contact_phone).map_err(Refusal::BadPhone)?;
    if turned_down(txn, program_id, user).await? {
        return Err(Refusal::TurnedDown.into());
    }
    let levels = &state.config.membership_levels;
    let standing = membership::standing(txn, user.as_str(), levels).await?;
    let rules = Rules {
        lists: &lists,
        min_level: program.min_level,
        min_account_days: program.min_account_days,
    };
    let who = Applicant {
        device_model: &form.device_model,
        level: standing.level,
        joined_at: standing.joined_at,
        installed_apps: form.installed_apps.as_deref(),
    };
    let verdict = screening::screen(&rules, &who, now);
    let (status, reason, decided_at) = match verdict.eligible() {
        true => (BetaStatus::Pending, None, None),
        false => (
            BetaStatus::Rejected,
            Some(screened_out(&verdict.unmet)),
            Some(now),
        ),
    };
    let row = apps::ActiveModel {
        id: Set(BetaApplicationId::generate().into_inner()),
        program_id: Set(program.id.clone()),
        user_id: Set(user.to_string()),
        status: Set(status),
        reason: Set(reason),
        contact_phone: Set(Some(state.crypto.encrypt(phone.e164()))),
        device_model: Set(Some(form.device_model.trim().to_owned())),
        answers: Set(Some(json(&form.answers)?)),
        eligible: Set(verdict.eligible()),
        unmet: Set(json(&verdict.unmet)?),
        watched_present: Set(verdict.watched_present.as_ref().map(json).transpose()?),
        created_at: Set(now),
        decided_at: Set(decided_at),
        erased_at: Set(None),
    };
    match row.insert(txn).await {
        Ok(row) => Ok(row),
        Err(err) if is_unique_violation(&err) => Err(Refusal::AlreadyApplied.into()),
        Err(err) => Err(err.into()),
    }
}

/// JSON text of a list an application keeps.
fn json<T: serde::Serialize>(value: &T) -> AppResult<String> {
    serde_json::to_string(value).map_err(AppError::internal)
}

/// Whether staff turned `user` down for `program` (a rejection of an
/// application the screening passed): a removed tester, or one refused
/// on review, does not apply again.
async fn turned_down(
    db: &impl ConnectionTrait,
    program: &BetaProgramId,
    user: &UserId,
) -> AppResult<bool> {
    use sea_orm::PaginatorTrait;
    Ok(apps::Entity::find()
        .filter(apps::Column::ProgramId.eq(program.as_str()))
        .filter(apps::Column::UserId.eq(user.as_str()))
        .filter(apps::Column::Status.eq(BetaStatus::Rejected))
        .filter(apps::Column::Eligible.eq(true))
        .count(db)
        .await?
        > 0)
}

/// The screening as stored.
pub fn screening(row: &apps::Model) -> AppResult<Screening> {
    let unmet = serde_json::from_str(&row.unmet).map_err(AppError::internal)?;
    let watched_present = match &row.watched_present {
        Some(text) => Some(serde_json::from_str(text).map_err(AppError::internal)?),
        None => None,
    };
    Ok(Screening {
        eligible: row.eligible,
        unmet,
        watched_present,
    })
}

/// What the applicant gave, in full; `None` once erased.
pub fn open_details(
    state: &AppState,
    row: &apps::Model,
) -> AppResult<Option<BetaApplicationDetails>> {
    if row.erased_at.is_some() {
        return Ok(None);
    }
    let phone = match &row.contact_phone {
        Some(text) => Some(state.crypto.decrypt(text).map_err(AppError::internal)?),
        None => None,
    };
    let answers = match &row.answers {
        Some(text) => Some(serde_json::from_str(text).map_err(AppError::internal)?),
        None => None,
    };
    Ok(Some(BetaApplicationDetails {
        contact_phone: phone,
        device_model: row.device_model.clone(),
        answers,
    }))
}

/// My applications, newest first.
pub async fn mine(
    db: &impl ConnectionTrait,
    user: &UserId,
    page: &PageParams,
) -> AppResult<Vec<apps::Model>> {
    let mut query = apps::Entity::find().filter(apps::Column::UserId.eq(user.as_str()));
    if let Some(after) = &page.after {
        query = query.filter(apps::Column::Id.lt(after.as_str()));
    }
    Ok(query
        .order_by_desc(apps::Column::Id)
        .limit(page.limit + 1)
        .all(db)
        .await?)
}

/// One of mine; someone else's is not found.
pub async fn one_of_mine(
    db: &impl ConnectionTrait,
    user: &UserId,
    id: &BetaApplicationId,
) -> AppResult<apps::Model> {
    apps::Entity::find_by_id(id.as_str())
        .filter(apps::Column::UserId.eq(user.as_str()))
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("beta application"))
}

/// Empties what the applicants of the rows `filter` selects gave, and what
/// was said of it (the phone, the device model, the answers, which watched
/// apps were there, the rules not met, the reason), keeping that they
/// applied and where it stands.
pub async fn erase_where(db: &impl ConnectionTrait, filter: sea_orm::Condition) -> AppResult<u64> {
    let none = || Expr::value(Option::<String>::None);
    Ok(apps::Entity::update_many()
        .col_expr(apps::Column::ContactPhone, none())
        .col_expr(apps::Column::DeviceModel, none())
        .col_expr(apps::Column::Answers, none())
        .col_expr(apps::Column::WatchedPresent, none())
        .col_expr(apps::Column::Reason, none())
        .col_expr(apps::Column::Unmet, Expr::value("[]"))
        .col_expr(apps::Column::ErasedAt, Expr::value(Utc::now()))
        .filter(filter)
        .filter(apps::Column::ErasedAt.is_null())
        .exec(db)
        .await?
        .rows_affected)
}

/// Withdraws one of mine: what I gave erased, an open one withdrawn (a
/// rejected one stays rejected), and, if I was a tester, my place to the
/// first on the waiting list. Answers whom to notify of their approval.
pub async fn withdraw(
    db: &sea_orm::DatabaseConnection,
    user: &UserId,
    id: &BetaApplicationId,
) -> AppResult<Vec<(String, String)>> {
    use sea_orm::TransactionTrait;
    let program = BetaProgramId::from_stored(one_of_mine(db, user, id).await?.program_id);
    let txn = db.begin().await?;
    store::hold(&txn, &program).await?;
    let row = one_of_mine(&txn, user, id).await?;
    let open = [
        BetaStatus::Pending,
        BetaStatus::Approved,
        BetaStatus::Waitlisted,
    ];
    apps::Entity::update_many()
        .col_expr(apps::Column::Status, Expr::value(BetaStatus::Withdrawn))
        .col_expr(apps::Column::DecidedAt, Expr::value(Utc::now()))
        .filter(apps::Column::Id.eq(row.id.as_str()))
        .filter(apps::Column::Status.is_in(open))
        .exec(&txn)
        .await?;
    erase_where(&txn, apps::Column::Id.eq(row.id.as_str()).into()).await?;
    let promoted = match row.status {
        BetaStatus::Approved => super::review::promote(&txn, &program, None).await?,
        _ => Vec::new(),
    };
    txn.commit().await?;
    Ok(promoted)
}
