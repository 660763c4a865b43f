//! Applying to a help group with a contact phone, a QQ number and, if
//! given, a WeChat ID; seeing where my applications stand; withdrawing a
//! pending one (erased at once) or leaving a group (kept 90 days, then
//! erased).
use chrono::{DateTime, Utc};
use entity::{enums::ApplicationStatus, help_group_applications as apps};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait,
    ExprTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::{refusals::Refusal, store, views::ApplicationDetails};
use crate::{
    api::PageParams,
    error::{is_unique_violation, AppError, AppResult, ErrorCode},
    identity::phone::Phone,
    ids::{ApplicationId, HelpGroupId, UserId},
    platform::crypto::Crypto,
    privacy::retention::period,
};

/// What an applicant gives.
pub struct Given {
    pub contact_phone: String,
    pub qq_number: String,
    pub wechat_id: Option<String>,
}

pub async fn apply(
    db: &impl ConnectionTrait,
    crypto: &Crypto,
    group: &HelpGroupId,
    user: &UserId,
    given: Given,
) -> AppResult<apps::Model> {
    store::find(db, group).await?;
    if !store::has_managers(db, group.as_str()).await? {
        return Err(Refusal::NoManagers.into());
    }
    let phone =
        Phone::parse(&given.contact_phone).map_err(|e| AppError::from(Refusal::BadPhone(e)))?;
    let row = apps::ActiveModel {
        id: Set(ApplicationId::generate().into_inner()),
        group_id: Set(group.to_string()),
        user_id: Set(user.to_string()),
        status: Set(ApplicationStatus::Pending),
        reason: Set(None),
        contact_phone: Set(crypto.encrypt(phone.e164())),
        qq_number: Set(crypto.encrypt(given.qq_number.trim())),
        wechat_id: Set(given.wechat_id.map(|w| crypto.encrypt(w.trim()))),
        created_at: Set(Utc::now()),
        decided_at: Set(None),
        left_at: Set(None),
    };
    match row.insert(db).await {
        Ok(row) => Ok(row),
        Err(err) if is_unique_violation(&err) => Err(Refusal::AlreadyApplied.into()),
        Err(err) => Err(err.into()),
    }
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
    id: &ApplicationId,
) -> AppResult<apps::Model> {
    apps::Entity::find_by_id(id.as_str())
        .filter(apps::Column::UserId.eq(user.as_str()))
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("application"))
}

/// When what an application gave goes: the catalog's period after a
/// rejection, after its member left or was removed, or after it was sent
/// if nobody decided by then; a membership's stays while it lasts.
pub fn erased_after(row: &apps::Model) -> AppResult<Option<DateTime<Utc>>> {
    let since = match row.status {
        ApplicationStatus::Rejected => row.decided_at,
        ApplicationStatus::Left | ApplicationStatus::Removed => row.left_at,
        ApplicationStatus::Pending => Some(row.created_at),
        ApplicationStatus::Approved => None,
    };
    Ok(match since {
        Some(at) => Some(at + period("help_group_application")?),
        None => None,
    })
}

/// Withdraws one of mine: a pending application is deleted at once; a
/// member leaves the group (what they gave stays the catalog's period, for
/// the managers to settle what happened while they were a member).
pub async fn withdraw(
    db: &impl ConnectionTrait,
    user: &UserId,
    id: &ApplicationId,
) -> AppResult<()> {
    let row = one_of_mine(db, user, id).await?;
    let mine = apps::Column::Id
        .eq(row.id.as_str())
        .and(apps::Column::UserId.eq(user.as_str()));
    // Each change only from the status just read: a manager deciding at
    // the same moment wins, and the applicant is told to look again.
    let done = match row.status {
        ApplicationStatus::Pending => {
            apps::Entity::delete_many()
                .filter(mine)
                .filter(apps::Column::Status.eq(ApplicationStatus::Pending))
                .exec(db)
                .await?
                .rows_affected
        }
        ApplicationStatus::Approved => {
            apps::Entity::update_many()
                .col_expr(apps::Column::Status, Expr::value(ApplicationStatus::Left))
                .col_expr(apps::Column::LeftAt, Expr::value(Utc::now()))
                .filter(mine)
                .filter(apps::Column::Status.eq(ApplicationStatus::Approved))
                .exec(db)
                .await?
                .rows_affected
        }
        _ => {
            return Err(AppError::new(
                ErrorCode::Conflict,
                "this application is closed: what you gave is erased on the date it shows \
                 (withdraw the help_group_application consent to erase it now)",
            ))
        }
    };
    if done == 0 {
        return Err(AppError::new(
            ErrorCode::Conflict,
            "a manager decided on it meanwhile: look again",
        ));
    }
    Ok(())
}

/// What an application holds, decrypted: for its applicant, and for
/// managers to mask or reveal.
pub fn open_details(crypto: &Crypto, r: &apps::Model) -> AppResult<ApplicationDetails> {
    let open = |v: &str| crypto.decrypt(v).map_err(AppError::internal);
    Ok(ApplicationDetails {
        contact_phone: Some(open(&r.contact_phone)?),
        qq_number: Some(open(&r.qq_number)?),
        wechat_id: r.wechat_id.as_deref().map(open).transpose()?,
    })
}

/// Deletes every application (and membership) of `user`.
pub async fn delete_all(db: &impl ConnectionTrait, user: &str) -> AppResult<u64> {
    Ok(apps::Entity::delete_many()
        .filter(apps::Column::UserId.eq(user))
        .exec(db)
        .await?
        .rows_affected)
}
