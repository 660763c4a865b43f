//! Feeds with keyset pagination that neither skips nor repeats when posts
//! arrive between pages: pinned first, then by stored hot rank or by id.
use entity::posts;
use poem_openapi::Enum;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::{
    api::page::Cursor,
    error::{AppError, AppResult},
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum Sort {
    Hot,
    New,
}

/// Where a page starts: after this (pinned, hot rank, id).
pub struct FeedKey {
    pinned: bool,
    rank: f64,
    id: String,
}

impl FeedKey {
    pub fn of(post: &posts::Model) -> String {
        Cursor::encode(&format!(
            "{}|{:?}|{}",
            u8::from(post.pinned),
            post.hot_rank,
            post.id
        ))
    }

    pub fn parse(cursor: &str) -> AppResult<Self> {
        let bad = || AppError::invalid("cursor", "invalid", "is not a cursor from this feed");
        let raw = Cursor::decode(cursor)?;
        let mut parts = raw.splitn(3, '|');
        let pinned = parts.next().ok_or_else(bad)? == "1";
        let rank = parts.next().and_then(|r| r.parse().ok()).ok_or_else(bad)?;
        let id = parts.next().ok_or_else(bad)?.to_owned();
        Ok(Self { pinned, rank, id })
    }
}

pub async fn page(
    db: &impl ConnectionTrait,
    circle: Option<&str>,
    sort: Sort,
    after: Option<FeedKey>,
    limit: u64,
) -> AppResult<Vec<posts::Model>> {
    let mut query = posts::Entity::find()
        .filter(posts::Column::Hidden.eq(false))
        .filter(posts::Column::DeletedAt.is_null())
        .order_by_desc(posts::Column::Pinned);
    if let Some(circle) = circle {
        query = query.filter(posts::Column::CircleId.eq(circle));
    }
    query = match sort {
        Sort::Hot => query.order_by_desc(posts::Column::HotRank),
        Sort::New => query,
    }
    .order_by_desc(posts::Column::Id);
    if let Some(key) = after {
        let same_pin = Condition::all().add(posts::Column::Pinned.eq(key.pinned));
        let within = match sort {
            Sort::Hot => Condition::any()
                .add(posts::Column::HotRank.lt(key.rank))
                .add(
                    Condition::all()
                        .add(posts::Column::HotRank.eq(key.rank))
                        .add(posts::Column::Id.lt(key.id.as_str())),
                ),
            Sort::New => Condition::all().add(posts::Column::Id.lt(key.id.as_str())),
        };
        let mut next = Condition::any().add(same_pin.add(within));
        if key.pinned {
            next = next.add(posts::Column::Pinned.eq(false));
        }
        query = query.filter(next);
    }
    Ok(query.limit(limit + 1).all(db).await?)
}
