//! Follows and the feed of people I follow.
use chrono::Utc;
use entity::{follows, posts, users};
use sea_orm::{
    sea_query::Query, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use super::refusals::Refusal;
use crate::ids::UserId;
use crate::{
    api::PageParams,
    error::{AppError, AppResult},
};

pub async fn follow(
    db: &impl ConnectionTrait,
    follower: &UserId,
    followee: &UserId,
) -> AppResult<()> {
    if follower == followee {
        return Err(Refusal::FollowSelf.into());
    }
    if users::Entity::find_by_id(followee.to_string())
        .one(db)
        .await?
        .is_none()
    {
        return Err(AppError::not_found("user"));
    }
    // No follow across a block, either way.
    crate::identity::blocks::ensure_not_blocked(db, follower.as_str(), followee.as_str()).await?;
    follows::Entity::insert(follows::ActiveModel {
        follower_id: Set(follower.to_string()),
        followee_id: Set(followee.to_string()),
        created_at: Set(Utc::now()),
    })
    .on_conflict_do_nothing()
    .exec_without_returning(db)
    .await?;
    Ok(())
}

pub async fn unfollow(
    db: &impl ConnectionTrait,
    follower: &UserId,
    followee: &UserId,
) -> AppResult<()> {
    follows::Entity::delete_many()
        .filter(follows::Column::FollowerId.eq(follower))
        .filter(follows::Column::FolloweeId.eq(followee))
        .exec(db)
        .await?;
    Ok(())
}

/// Followers (`of_followee`) or followees of a user, by id.
pub async fn people(
    db: &impl ConnectionTrait,
    user: &UserId,
    followers: bool,
    page: &PageParams,
) -> AppResult<Vec<String>> {
    let (mine, theirs) = if followers {
        (follows::Column::FolloweeId, follows::Column::FollowerId)
    } else {
        (follows::Column::FollowerId, follows::Column::FolloweeId)
    };
    let mut query = follows::Entity::find()
        .filter(mine.eq(user))
        .order_by_asc(theirs)
        .limit(page.limit + 1);
    if let Some(after) = &page.after {
        query = query.filter(theirs.gt(after.as_str()));
    }
    Ok(query
        .all(db)
        .await?
        .into_iter()
        .map(|f| {
            if followers {
                f.follower_id
            } else {
                f.followee_id
            }
        })
        .collect())
}

/// Posts by people `user` follows, newest first.
pub async fn feed(
    db: &impl ConnectionTrait,
    user: &UserId,
    page: &PageParams,
) -> AppResult<Vec<posts::Model>> {
    let followees = Query::select()
        .column(follows::Column::FolloweeId)
        .from(follows::Entity)
        .and_where(follows::Column::FollowerId.eq(user))
        .to_owned();
    let mut query = posts::Entity::find()
        .filter(posts::Column::AuthorId.in_subquery(followees))
        .filter(posts::Column::Hidden.eq(false))
        .filter(posts::Column::DeletedAt.is_null())
        // A closed circle's posts stay in it.
        .filter(posts::Column::Gate.is_null())
        .order_by_desc(posts::Column::Id)
        .limit(page.limit + 1);
    if let Some(after) = &page.after {
        query = query.filter(posts::Column::Id.lt(after.as_str()));
    }
    Ok(query.all(db).await?)
}
