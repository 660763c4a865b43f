//! Who blocked whom: a relation between accounts that every area honours
//! (no conversation, message, presence or follow across a block). The
//! social graph — blocks and follows — is identity's; blocking ends the
//! follows both ways in its own transaction. History already exchanged
//! stays readable.
use chrono::Utc;
use entity::{follows, user_blocks, users};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};

use crate::{
    api::PageParams,
    error::{AppError, AppResult, ErrorCode},
    ids::UserId,
};

/// A row of a relation from `from` to `to` between `a` and `b`, either way.
fn either_way<C: ColumnTrait>(from: C, to: C, a: &str, b: &str) -> Condition {
    Condition::any()
        .add(Condition::all().add(from.eq(a)).add(to.eq(b)))
        .add(Condition::all().add(from.eq(b)).add(to.eq(a)))
}

fn between(a: &str, b: &str) -> Condition {
    either_way(
        user_blocks::Column::BlockerId,
        user_blocks::Column::BlockedId,
        a,
        b,
    )
}

/// Has either of the two blocked the other?
pub async fn either_blocked(db: &impl ConnectionTrait, a: &str, b: &str) -> AppResult<bool> {
    Ok(user_blocks::Entity::find()
        .filter(between(a, b))
        .count(db)
        .await?
        > 0)
}

/// 403 `blocked` when either of the two blocked the other.
pub async fn ensure_not_blocked(db: &impl ConnectionTrait, a: &str, b: &str) -> AppResult<()> {
    if either_blocked(db, a, b).await? {
        return Err(AppError::new(
            ErrorCode::Blocked,
            "one of you has blocked the other",
        ));
    }
    Ok(())
}

/// Of `others`, those who blocked `user` or whom `user` blocked.
pub async fn blocked_among(
    db: &impl ConnectionTrait,
    user: &str,
    others: &[String],
) -> AppResult<Vec<String>> {
    if others.is_empty() {
        return Ok(Vec::new());
    }
    let rows = user_blocks::Entity::find()
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(user_blocks::Column::BlockerId.eq(user))
                        .add(user_blocks::Column::BlockedId.is_in(others.to_vec())),
                )
                .add(
                    Condition::all()
                        .add(user_blocks::Column::BlockedId.eq(user))
                        .add(user_blocks::Column::BlockerId.is_in(others.to_vec())),
                ),
        )
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            if r.blocker_id == user {
                r.blocked_id
            } else {
                r.blocker_id
            }
        })
        .collect())
}

/// `blocker` blocks `blocked` (404 when there is no such user), and the
/// follows between them end in the same transaction.
pub async fn block(db: &DatabaseConnection, blocker: &UserId, blocked: &UserId) -> AppResult<()> {
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
        .filter(either_way(
            follows::Column::FollowerId,
            follows::Column::FolloweeId,
            blocker.as_str(),
            blocked.as_str(),
        ))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Lifts a block; nothing to lift is fine.
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
