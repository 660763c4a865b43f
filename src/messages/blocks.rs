//! Blocking and unblocking: a blocked user can start no conversation with
//! the blocker, send them nothing and see nothing of their presence.
//! Blocking also ends follows both ways. History already exchanged stays
//! readable. Whether two people blocked each other is identity's read
//! (`identity::blocks`), which every area honours.
use chrono::Utc;
use entity::{follows, user_blocks, users};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};

use crate::ids::UserId;
use crate::{
    api::PageParams,
    error::{AppError, AppResult},
};

pub async fn block(db: &DatabaseConnection, blocker: &UserId, blocked: &UserId) -> AppResult<()> {
    if blocker == blocked {
        return Err(AppError::invalid("id", "self", "you cannot block yourself"));
    }
    let txn = db.begin().await?;
    if users::Entity::find_by_id(blocked.to_string())
        .one(&txn)
        .await?
        .is_none()
    {
        return Err(AppError::not_found("user"));
    }
    user_blocks::Entity::insert(user_blocks::ActiveModel {
        blocker_id: Set(blocker.to_string()),
        blocked_id: Set(blocked.to_string()),
        created_at: Set(Utc::now()),
    })
    .on_conflict_do_nothing()
    .exec_without_returning(&txn)
    .await?;
    follows::Entity::delete_many()
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(follows::Column::FollowerId.eq(blocker))
                        .add(follows::Column::FolloweeId.eq(blocked)),
                )
                .add(
                    Condition::all()
                        .add(follows::Column::FollowerId.eq(blocked))
                        .add(follows::Column::FolloweeId.eq(blocker)),
                ),
        )
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

pub async fn unblock(
    db: &impl ConnectionTrait,
    blocker: &UserId,
    blocked: &UserId,
) -> AppResult<()> {
    user_blocks::Entity::delete_many()
        .filter(user_blocks::Column::BlockerId.eq(blocker))
        .filter(user_blocks::Column::BlockedId.eq(blocked))
        .exec(db)
        .await?;
    Ok(())
}

/// The users I blocked, by id.
pub async fn list(
    db: &impl ConnectionTrait,
    blocker: &str,
    page: &PageParams,
) -> AppResult<Vec<String>> {
    let mut query = user_blocks::Entity::find()
        .filter(user_blocks::Column::BlockerId.eq(blocker))
        .order_by_asc(user_blocks::Column::BlockedId)
        .limit(page.limit + 1);
    if let Some(after) = &page.after {
        query = query.filter(user_blocks::Column::BlockedId.gt(after.as_str()));
    }
    Ok(query
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.blocked_id)
        .collect())
}
