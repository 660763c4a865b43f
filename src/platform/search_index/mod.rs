//! Full-text search behind one trait: embedded tantivy (with a tokenizer
//! that segments Chinese) by default; Meilisearch is the scale-out engine.
pub mod meili;
mod meili_doc;
mod meili_http;
pub mod snippet;
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
    /// A comment, found by its text and shown under its post's title.
    Comment,
}

impl DocKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Post => "post",
            Self::User => "user",
            Self::Circle => "circle",
            Self::Comment => "comment",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "post" => Some(Self::Post),
            "user" => Some(Self::User),
            "circle" => Some(Self::Circle),
            "comment" => Some(Self::Comment),
            _ => None,
        }
    }
}

/// One searchable document.
#[derive(Clone, Debug)]
pub struct Doc {
    pub kind: DocKind,
    pub id: String,
    /// Shown with the hit; a comment's is its post's title.
    pub title: String,
    pub body: String,
    /// A post's circle; a comment's is its post's, so that the circle
    /// filter applies to comments too.
    pub circle_id: Option<String>,
    /// The post a comment is on; `None` for every other kind.
    pub post_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl Doc {
    /// The document with the engines' match sentinels
    /// ([`snippet::MARK_START`], [`snippet::MARK_END`]) taken out of its
    /// text, so that only a real match is ever marked.
    pub fn without_sentinels(self) -> Self {
        let clean = |text: String| -> String {
            if text.contains(['\u{E000}', '\u{E001}']) {
                text.replace(['\u{E000}', '\u{E001}'], "")
            } else {
                text
            }
        };
        Self {
            title: clean(self.title),
            body: clean(self.body),
            ..self
        }
    }

    /// The title as far as matching goes: a comment's title is its post's,
    /// shown but not searched, or every comment on a post would match the
    /// post's title.
    pub fn searchable_title(&self) -> &str {
        match self.kind {
            DocKind::Comment => "",
            _ => &self.title,
        }
    }
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
    /// The post a comment is on; `None` for every other kind.
    pub post_id: Option<String>,
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
    /// Rewrites the index without deleted documents, so that erased text
    /// leaves its files (engines that do this themselves need nothing).
    async fn compact(&self) -> anyhow::Result<()> {
        Ok(())
    }
    /// True when the index holds nothing at start-up (first start, or
    /// started afresh after its schema changed) and must be filled from the
    /// database before the outbox is applied.
    async fn needs_rebuild(&self) -> bool {
        false
    }
    /// Whether every instance uses this same index (Meilisearch) rather
    /// than one of its own (the embedded index): a shared index is rebuilt
    /// by whichever instance holds the outbox, an own one by its instance.
    fn shared(&self) -> bool {
        false
    }
    /// Drops what an interrupted rebuild left (a copy that no deletion
    /// reaches); called by the outbox's holder, so never during a rebuild.
    async fn drop_leftovers(&self) -> anyhow::Result<()> {
        Ok(())
    }
    /// True (once) when the index turned out lost while running (deleted
    /// or recreated behind agora's back): the worker fills it again.
    fn take_lost(&self) -> bool {
        false
    }
    /// Replaces every document with `docs` so that no search sees an
    /// emptied or half-filled index: built aside, then switched in.
    async fn rebuild(&self, docs: Vec<Doc>) -> anyhow::Result<()>;
}

pub type SharedSearch = Arc<dyn SearchIndex>;

/// A document's time as the engines keep it: nanoseconds since the epoch,
/// so that a hit carries the very timestamp of its resource (whole seconds
/// would cut it). Good until the year 2262.
pub fn to_nanos(at: DateTime<Utc>) -> i64 {
    at.timestamp_nanos_opt().unwrap_or(i64::MAX)
}

pub fn from_nanos(nanos: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_nanos(nanos)
}
