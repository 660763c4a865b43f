//! Where the search index's documents come from. The area that owns a kind
//! of searchable thing says what its document is now (or that it is gone)
//! and lists them all for a rebuild; the search area only drains the
//! outbox through these sources, so it never reads another area's tables.
//! The wiring registers the sources at start-up.
use std::sync::Arc;

use async_trait::async_trait;
use sea_orm::DatabaseConnection;

use super::search_index::{Doc, DocKind, IndexOp};
use crate::error::{AppError, AppResult};

#[async_trait]
pub trait DocumentSource: Send + Sync + 'static {
    /// The kinds this source answers for.
    fn kinds(&self) -> &'static [DocKind];
    /// The document as the index should hold it now, `None` when it should
    /// not be found (gone, hidden, its owner closed their presence).
    async fn current(
        &self,
        db: &DatabaseConnection,
        kind: DocKind,
        id: &str,
    ) -> AppResult<Option<Doc>>;
    /// Every document of this source's kinds that the index should hold.
    async fn all(&self, db: &DatabaseConnection) -> AppResult<Vec<Doc>>;
}

/// Every registered source.
#[derive(Clone, Default)]
pub struct Documents(Arc<Vec<Arc<dyn DocumentSource>>>);

impl Documents {
    pub fn new(sources: Vec<Arc<dyn DocumentSource>>) -> Self {
        Self(Arc::new(sources))
    }

    /// What the index should do for `id` of `kind` now: hold its current
    /// document, or delete it. What it holds never carries the engines'
    /// match sentinels: a user who typed one would get a stray `<b>`.
    pub async fn current(
        &self,
        db: &DatabaseConnection,
        kind: DocKind,
        id: &str,
    ) -> AppResult<IndexOp> {
        // No source for a kind is a wiring fault: an error (the outbox row
        // waits), never a deletion from the index.
        let Some(source) = self.0.iter().find(|s| s.kinds().contains(&kind)) else {
            return Err(AppError::internal(anyhow::anyhow!(
                "no document source is registered for {}",
                kind.as_str()
            )));
        };
        let doc = source.current(db, kind, id).await?;
        Ok(match doc {
            Some(doc) => IndexOp::Upsert(doc.without_sentinels()),
            None => IndexOp::Delete(kind, id.to_owned()),
        })
    }

    /// Every document the index should hold, from every source.
    pub async fn all(&self, db: &DatabaseConnection) -> AppResult<Vec<Doc>> {
        let mut docs = Vec::new();
        for source in self.0.iter() {
            docs.extend(
                source
                    .all(db)
                    .await?
                    .into_iter()
                    .map(Doc::without_sentinels),
            );
        }
        Ok(docs)
    }
}
