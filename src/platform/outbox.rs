//! The index outbox: every change to a post, comment, profile or circle
//! writes a row here in the change's own transaction ("document changed");
//! the search area drains the rows into the index. Areas publish here, so
//! none of them imports search.
use chrono::Utc;
use entity::search_outbox;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};

pub use super::search_index::DocKind;
use crate::error::AppResult;

/// Records that `id` of `kind` changed; call inside the change's transaction.
pub async fn enqueue(db: &impl ConnectionTrait, kind: DocKind, id: &str) -> AppResult<()> {
    enqueue_many(db, kind, vec![id.to_owned()]).await
}

/// Records that each of `ids` of `kind` changed; call inside the change's
/// transaction.
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

/// The kind of an outbox row that asks for a compaction rather than names
/// a document.
pub const COMPACT: &str = "compact";

/// The kind of an outbox row that asks for the whole index to be rebuilt
/// from the database.
pub const REBUILD: &str = "rebuild";

/// Asks whichever process holds the outbox to rebuild the index (`agora
/// reindex`, an index found lost or empty): the holder does it while no
/// change is applied, so none is lost to the switch, and applies the ones
/// queued meanwhile to the new index.
pub async fn request_rebuild(db: &impl ConnectionTrait) -> AppResult<()> {
    request(db, REBUILD).await
}

async fn request(db: &impl ConnectionTrait, kind: &str) -> AppResult<()> {
    let now = Utc::now();
    search_outbox::Entity::insert(search_outbox::ActiveModel {
        id: Set(uuid::Uuid::now_v7().to_string()),
        kind: Set(kind.into()),
        doc_id: Set(String::new()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        created_at: Set(now),
    })
    .exec(db)
    .await?;
    Ok(())
}

/// Asks whichever process holds the index to compact it once every change
/// queued before this request is applied (so that erased values leave the
/// index's files): what `agora purge` does when a running server holds
/// the embedded index.
pub async fn request_compaction(db: &impl ConnectionTrait) -> AppResult<()> {
    request(db, COMPACT).await
}
