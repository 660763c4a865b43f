//! Membership levels: a user's experience grows with what they do (the
//! rewards area adds the coins each task credits) and their level follows
//! it, by the configured thresholds. Identity owns both columns, as it
//! shows the level beside every author.
use sea_orm::{
    sea_query::{CaseStatement, Expr},
    ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait, QueryFilter,
};

use entity::users;

use crate::error::{AppError, AppResult};

/// Where a user stands.
pub struct Standing {
    pub level: i32,
    pub experience: i64,
    /// The experience the next level starts at; `None` at the top.
    pub next_level_at: Option<i64>,
    /// When the account was created (what "account age" rules read).
    pub joined_at: chrono::DateTime<chrono::Utc>,
}

/// Adds `points` to `user`'s experience and moves their level with it, in
/// one statement (two credits at once both count).
pub async fn grow(
    db: &impl ConnectionTrait,
    user: &str,
    points: i64,
    thresholds: &[i64],
) -> AppResult<()> {
    let after = Expr::col(users::Column::Experience).add(points);
    let mut level = CaseStatement::new();
    for (i, threshold) in thresholds.iter().enumerate().rev() {
        let n = i32::try_from(i + 1).unwrap_or(i32::MAX);
        level = level.case(after.clone().gte(*threshold), Expr::value(n));
    }
    users::Entity::update_many()
        .col_expr(users::Column::Experience, after.clone())
        .col_expr(users::Column::Level, level.finally(Expr::value(1)).into())
        .filter(users::Column::Id.eq(user))
        .exec(db)
        .await?;
    Ok(())
}

/// Sets `user`'s level from their experience under `thresholds` (which
/// may have changed since it last grew): at login.
pub async fn settle(db: &impl ConnectionTrait, user: &str, thresholds: &[i64]) -> AppResult<()> {
    grow(db, user, 0, thresholds).await
}

/// `user`'s standing.
pub async fn standing(
    db: &impl ConnectionTrait,
    user: &str,
    thresholds: &[i64],
) -> AppResult<Standing> {
    let row = users::Entity::find_by_id(user)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("user"))?;
    let next_level_at = thresholds
        .get(usize::try_from(row.level).unwrap_or(0))
        .copied();
    Ok(Standing {
        level: row.level,
        experience: row.experience,
        next_level_at,
        joined_at: row.created_at,
    })
}
