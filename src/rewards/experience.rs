//! Experience: what a user does grows it — a post (5), a comment (2), a
//! like their post receives (1, once per liker and post however often it
//! is taken back and given again), a task's coins — and their level
//! follows (identity keeps both). Each source event counts once: its key
//! is unique per user in `experience_log`, written first in the same
//! transaction as the growth.
use chrono::{DateTime, Utc};
use entity::experience_log as log;
use sea_orm::{
    sea_query::OnConflict, ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait,
    QueryFilter, QueryOrder, TransactionTrait,
};
use serde_json::Value;

use crate::{
    error::AppResult,
    identity::membership,
    ids::UserId,
    platform::facts::{Fact, Subscriber},
    privacy::registry::{AfterCommit, Erasure, PersonalData, Section},
    state::AppState,
};

/// Points for a post, a comment and a like received.
const POST: i64 = 5;
const COMMENT: i64 = 2;
const LIKE: i64 = 1;

/// Grows `user`'s experience by `points` for `source` (`key`: unique to
/// the event), inside `txn`; answers whether it counted (not before).
pub async fn earn(
    txn: &DatabaseTransaction,
    levels: &[i64],
    user: &str,
    (source, key): (&str, &str),
    points: i64,
) -> AppResult<bool> {
    let inserted = log::Entity::insert(log::ActiveModel {
        id: Set(uuid::Uuid::now_v7().to_string()),
        user_id: Set(user.to_owned()),
        source: Set(source.to_owned()),
        source_key: Set(key.to_owned()),
        points: Set(points),
        created_at: Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::columns([log::Column::UserId, log::Column::SourceKey])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(txn)
    .await?;
    if inserted == 0 {
        return Ok(false);
    }
    membership::grow(txn, user, points, levels).await?;
    Ok(true)
}

/// Posts, comments and likes received, as the community states them.
pub struct ExperienceSubscriber;

#[async_trait::async_trait]
impl Subscriber for ExperienceSubscriber {
    async fn on(&self, state: &AppState, fact: &Fact) -> AppResult<()> {
        let (user, source, key, points) = match fact {
            Fact::PostPublished { author, post } => (author, "post", post.clone(), POST),
            Fact::CommentPublished { author, comment } => {
                (author, "comment", comment.clone(), COMMENT)
            }
            // A like of one's own post earns nothing; the liker is kept
            // only as a keyed hash, never by id.
            Fact::PostLiked {
                liker,
                author,
                post,
            } if liker != author => {
                let key = state
                    .crypto
                    .blind_index("experience_like", &format!("{post}:{liker}"));
                (author, "like", key, LIKE)
            }
            _ => return Ok(()),
        };
        let txn = state.db.begin().await?;
        let levels = &state.config.membership_levels;
        earn(
            &txn,
            levels,
            user,
            (source, &format!("{source}:{key}")),
            points,
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }
}

/// One reason my experience grew, in the export.
#[derive(Debug, poem_openapi::Object)]
pub struct ExportedExperience {
    /// `post`, `comment`, `like` or `task`.
    pub source: String,
    pub points: i64,
    pub created_at: DateTime<Utc>,
}

/// The experience log as personal data: exported, and deleted with the
/// account (the level and total go with the account's row).
pub struct ExperienceData;

#[async_trait::async_trait]
impl PersonalData for ExperienceData {
    fn sections(&self) -> Vec<Section> {
        vec![Section::of::<Vec<ExportedExperience>>("experience")]
    }

    fn items(&self) -> &'static [&'static str] {
        &["level_experience"]
    }

    fn tables(&self) -> &'static [&'static str] {
        &["experience_log"]
    }

    async fn export(
        &self,
        state: &AppState,
        user: &UserId,
    ) -> AppResult<Vec<(&'static str, Value)>> {
        let rows: Vec<ExportedExperience> = log::Entity::find()
            .filter(log::Column::UserId.eq(user.as_str()))
            .order_by_asc(log::Column::Id)
            .all(&state.db)
            .await?
            .into_iter()
            .map(|r| ExportedExperience {
                source: r.source,
                points: r.points,
                created_at: r.created_at,
            })
            .collect();
        Ok(vec![Section::value("experience", &rows)])
    }

    async fn erase(
        &self,
        _state: &AppState,
        txn: &DatabaseTransaction,
        erasure: &Erasure,
    ) -> AppResult<AfterCommit> {
        let rows = log::Entity::delete_many()
            .filter(log::Column::UserId.eq(erasure.user.as_str()))
            .exec(txn)
            .await?
            .rows_affected;
        Ok(AfterCommit::rows(rows))
    }
}
