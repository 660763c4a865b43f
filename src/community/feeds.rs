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
#[derive(Clone)]
pub struct FeedKey {
    pinned: bool,
    rank: f64,
    id: String,
}

impl FeedKey {
    /// The key after `post` in a feed ordered by its stored rank.
    pub fn of(post: &posts::Model) -> String {
        Self::with_score(post, post.hot_rank)
    }

    /// The key after a post whose effective score is `score`; `split_page`
    /// wraps it into an opaque cursor.
    pub fn with_score(post: &posts::Model, score: f64) -> String {
        format!("{}|{:?}|{}", u8::from(post.pinned), score, post.id)
    }

    pub fn parse(cursor: &str) -> AppResult<Self> {
        let bad = || AppError::from(super::refusals::Refusal::BadCursor);
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
    query = match circle {
        Some(circle) => query.filter(posts::Column::CircleId.eq(circle)),
        // The plaza shows no closed circle's posts.
        None => query.filter(posts::Column::Gate.is_null()),
    };
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

/// How much a joined circle lifts a post for a user who granted
/// `personalized_recommendations`: as much as ten times the likes, or
/// 12.5 hours of freshness.
pub const BOOST: f64 = 1.0;

/// The plaza, hot, with posts from `joined` circles lifted by [`BOOST`].
pub async fn boosted_page(
    db: &impl ConnectionTrait,
    joined: &[String],
    after: Option<FeedKey>,
    limit: u64,
) -> AppResult<Vec<(posts::Model, f64)>> {
    use sea_orm::{
        sea_query::{Expr, ExprTrait},
        Order,
    };
    let boost: sea_orm::sea_query::Expr = Expr::case(
        posts::Column::CircleId.is_in(joined.to_vec()),
        Expr::val(BOOST),
    )
    .finally(Expr::val(0.0))
    .into();
    let score = Expr::col(posts::Column::HotRank).add(boost);
    let mut query = posts::Entity::find()
        .filter(posts::Column::Hidden.eq(false))
        .filter(posts::Column::DeletedAt.is_null())
        .filter(posts::Column::Gate.is_null())
        .order_by_desc(posts::Column::Pinned)
        .order_by(score.clone(), Order::Desc)
        .order_by_desc(posts::Column::Id);
    if let Some(key) = after {
        let within = Condition::any().add(score.clone().lt(key.rank)).add(
            Condition::all()
                .add(score.clone().eq(key.rank))
                .add(posts::Column::Id.lt(key.id.as_str())),
        );
        let mut next = Condition::any().add(
            Condition::all()
                .add(posts::Column::Pinned.eq(key.pinned))
                .add(within),
        );
        if key.pinned {
            next = next.add(posts::Column::Pinned.eq(false));
        }
        query = query.filter(next);
    }
    let rows = query.limit(limit + 1).all(db).await?;
    Ok(rows
        .into_iter()
        .map(|p| {
            let lift = if p.circle_id.as_ref().is_some_and(|c| joined.contains(c)) {
                BOOST
            } else {
                0.0
            };
            let score = p.hot_rank + lift;
            (p, score)
        })
        .collect())
}
