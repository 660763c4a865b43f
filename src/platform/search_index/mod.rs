//! Full-text search behind one trait: embedded tantivy (with a tokenizer
//! that segments Chinese) by default; Meilisearch is the scale-out engine.
pub mod meili;
pub mod tantivy;

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// What can be searched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocKind {
    Post,
    User,
    Circle,
}

impl DocKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Post => "post",
            Self::User => "user",
            Self::Circle => "circle",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "post" => Some(Self::Post),
            "user" => Some(Self::User),
            "circle" => Some(Self::Circle),
            _ => None,
        }
    }
}

/// One searchable document.
#[derive(Clone, Debug)]
pub struct Doc {
    pub kind: DocKind,
    pub id: String,
    pub title: String,
    pub body: String,
    pub circle_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug)]
pub enum IndexOp {
    Upsert(Doc),
    Delete(DocKind, String),
}

pub struct SearchQuery {
    pub text: String,
    pub kind: DocKind,
    pub circle_id: Option<String>,
    pub offset: usize,
    pub limit: usize,
}

#[derive(Clone, Debug)]
pub struct Hit {
    pub kind: DocKind,
    pub id: String,
    pub title: String,
    /// HTML with the matched words in `<b>`.
    pub snippet: String,
    pub circle_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[async_trait]
pub trait SearchIndex: Send + Sync + 'static {
    /// Applies a batch; all or nothing.
    async fn apply(&self, ops: Vec<IndexOp>) -> anyhow::Result<()>;
    /// One page of hits, best first; one more than `limit` tells of a next page.
    async fn search(&self, query: SearchQuery) -> anyhow::Result<Vec<Hit>>;
    /// Drops every document (before a reindex).
    async fn clear(&self) -> anyhow::Result<()>;
    async fn ping(&self) -> bool;
    fn kind(&self) -> &'static str;
    /// Gets the engine ready (index settings); retried until it works.
    async fn prepare(&self) -> anyhow::Result<()> {
        Ok(())
    }
}

pub type SharedSearch = Arc<dyn SearchIndex>;
