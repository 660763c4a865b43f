//! The index outbox: every change to a post, comment, profile or circle
//! writes a row here in the change's own transaction ("document changed");
//! the search area drains the rows into the index. Areas publish here, so
//! none of them imports search.
use chrono::Utc;
use entity::{comments, search_outbox};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
};

pub use super::search_index::DocKind;
use crate::error::AppResult;

/// Records that `id` of `kind` changed; call inside the change's transaction.
pub async fn enqueue(db: &impl ConnectionTrait, kind: DocKind, id: &str) -> AppResult<()> {
    enqueue_many(db, kind, vec![id.to_owned()]).await
}

/// Records that a post changed and, with `comments_too`, its visible
/// comments: they show its title and are searchable only while it is
/// visible. Call inside the change's transaction.
pub async fn enqueue_post(
    db: &impl ConnectionTrait,
    id: &str,
    comments_too: bool,
) -> AppResult<()> {
    enqueue(db, DocKind::Post, id).await?;
    if comments_too {
        let ids = comments::Entity::find()
            .select_only()
            .column(comments::Column::Id)
            .filter(comments::Column::PostId.eq(id))
            .filter(comments::Column::Hidden.eq(false))
            .filter(comments::Column::DeletedAt.is_null())
            .into_tuple::<String>()
            .all(db)
            .await?;
        enqueue_many(db, DocKind::Comment, ids).await?;
    }
    Ok(())
}

pub async fn enqueue_many(
    db: &impl ConnectionTrait,
    kind: DocKind,
    ids: Vec<String>,
) -> AppResult<()> {
    let now = Utc::now();
    // Chunked: a statement takes a bounded number of parameters.
    for chunk in ids.chunks(500) {
        let rows = chunk.iter().map(|id| search_outbox::ActiveModel {
            id: Set(uuid::Uuid::now_v7().to_string()),
            kind: Set(kind.as_str().into()),
            doc_id: Set(id.clone()),
            attempts: Set(0),
            next_attempt_at: Set(now),
            created_at: Set(now),
        });
        search_outbox::Entity::insert_many(rows).exec(db).await?;
    }
    Ok(())
}
