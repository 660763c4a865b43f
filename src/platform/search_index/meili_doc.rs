//! A document as agora keeps it in Meilisearch, and a hit read back.
use chrono::{TimeZone, Utc};
use serde::{Deserialize, Serialize};

use super::{snippet, Doc, DocKind, Hit};

#[derive(Serialize, Deserialize)]
pub(super) struct MeiliDoc {
    key: String,
    kind: String,
    id: String,
    /// Matched: empty for a comment, whose title is its post's.
    title: String,
    /// The title a hit shows; absent in documents written before comments
    /// were indexed, whose `title` is what they show.
    #[serde(default)]
    heading: Option<String>,
    body: String,
    circle_id: Option<String>,
    #[serde(default)]
    post_id: Option<String>,
    /// Whole seconds (sortable, and all that documents written before
    /// `created_ns` have).
    created_at: i64,
    /// Nanoseconds: the resource's own timestamp.
    #[serde(default)]
    created_ns: Option<i64>,
}

impl MeiliDoc {
    pub(super) fn from_doc(doc: Doc) -> Self {
        Self {
            key: key(doc.kind, &doc.id),
            kind: doc.kind.as_str().into(),
            title: doc.searchable_title().to_owned(),
            heading: Some(doc.title),
            id: doc.id,
            body: doc.body,
            circle_id: doc.circle_id,
            post_id: doc.post_id,
            created_at: doc.created_at.timestamp(),
            created_ns: Some(super::to_nanos(doc.created_at)),
        }
    }
}

pub(super) fn key(kind: DocKind, id: &str) -> String {
    format!("{}-{id}", kind.as_str())
}

pub(super) fn hit(hit: meilisearch_sdk::search::SearchResult<MeiliDoc>) -> anyhow::Result<Hit> {
    let snippet = hit
        .formatted_result
        .as_ref()
        .and_then(|f| f.get("body"))
        .and_then(|v| v.as_str())
        .map(snippet::to_html)
        .unwrap_or_else(|| snippet::plain(&hit.result.body, 160));
    let doc = hit.result;
    // The index holds what agora wrote: anything else is an error.
    let kind = DocKind::parse(&doc.kind)
        .ok_or_else(|| anyhow::anyhow!("indexed document of unknown kind {:?}", doc.kind))?;
    let created_at = match doc.created_ns {
        Some(nanos) => super::from_nanos(nanos),
        None => Utc
            .timestamp_opt(doc.created_at, 0)
            .single()
            .ok_or_else(|| anyhow::anyhow!("indexed document with an unreadable date"))?,
    };
    Ok(Hit {
        kind,
        id: doc.id,
        title: doc.heading.unwrap_or(doc.title),
        snippet,
        circle_id: doc.circle_id,
        post_id: doc.post_id,
        created_at,
    })
}
