//! Whether two people blocked each other: a relation between accounts
//! that every area honours (no conversation, message, presence or follow
//! across a block). Blocking itself is done in messages' people API.
use entity::user_blocks;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::error::{AppError, AppResult, ErrorCode};

fn between(a: &str, b: &str) -> Condition {
    Condition::any()
        .add(
            Condition::all()
                .add(user_blocks::Column::BlockerId.eq(a))
                .add(user_blocks::Column::BlockedId.eq(b)),
        )
        .add(
            Condition::all()
                .add(user_blocks::Column::BlockerId.eq(b))
                .add(user_blocks::Column::BlockedId.eq(a)),
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
