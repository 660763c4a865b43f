//! The scale-out engine: Meilisearch through meilisearch-sdk. Index
//! settings are applied when the first write or search needs them, so that
//! agora starts (and reports itself not ready) while Meilisearch is down.
use std::time::Duration;

use async_trait::async_trait;
use chrono::{TimeZone, Utc};
use meilisearch_sdk::{
    client::Client, indexes::Index, search::Selectors, settings::Settings, task_info::TaskInfo,
};
use serde::{Deserialize, Serialize};
use tokio::sync::OnceCell;

use super::{snippet, DocKind, Hit, IndexOp, SearchIndex, SearchQuery};

#[derive(Serialize, Deserialize)]
struct MeiliDoc {
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
    created_at: i64,
}

pub struct MeiliIndex {
    client: Client,
    uid: String,
    ready: OnceCell<()>,
}

fn key(kind: DocKind, id: &str) -> String {
    format!("{}-{id}", kind.as_str())
}

/// Filters take quoted values; ids are UUIDs, but quote defensively.
fn quoted(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

impl MeiliIndex {
    pub fn new(url: &str, api_key: Option<&str>, uid: &str) -> anyhow::Result<Self> {
        Ok(Self {
            client: Client::new(url, api_key)?,
            uid: uid.to_owned(),
            ready: OnceCell::new(),
        })
    }

    fn index(&self) -> Index {
        self.client.index(&self.uid)
    }

    async fn wait(&self, task: TaskInfo) -> anyhow::Result<()> {
        let task = task
            .wait_for_completion(
                &self.client,
                Some(Duration::from_millis(50)),
                Some(Duration::from_secs(30)),
            )
            .await?;
        if task.is_failure() {
            anyhow::bail!("meilisearch task failed: {:?}", task.unwrap_failure());
        }
        Ok(())
    }

    /// Searchable, filterable and sortable attributes, once per process.
    async fn ensure_settings(&self) -> anyhow::Result<()> {
        self.ready
            .get_or_try_init(|| async {
                let settings = Settings::new()
                    .with_searchable_attributes(["title", "body"])
                    .with_filterable_attributes(["kind", "circle_id"])
                    .with_sortable_attributes(["created_at"]);
                let task = self.index().set_settings(&settings).await?;
                self.wait(task).await
            })
            .await?;
        Ok(())
    }
}

#[async_trait]
impl SearchIndex for MeiliIndex {
    async fn apply(&self, ops: Vec<IndexOp>) -> anyhow::Result<()> {
        self.ensure_settings().await?;
        let mut upserts = Vec::new();
        let mut deletes = Vec::new();
        for op in ops {
            match op {
                IndexOp::Upsert(doc) => upserts.push(MeiliDoc {
                    key: key(doc.kind, &doc.id),
                    kind: doc.kind.as_str().into(),
                    title: doc.searchable_title().to_owned(),
                    heading: Some(doc.title),
                    id: doc.id,
                    body: doc.body,
                    circle_id: doc.circle_id,
                    post_id: doc.post_id,
                    created_at: doc.created_at.timestamp(),
                }),
                IndexOp::Delete(kind, id) => deletes.push(key(kind, &id)),
            }
        }
        if !deletes.is_empty() {
            let task = self.index().delete_documents(&deletes).await?;
            self.wait(task).await?;
        }
        if !upserts.is_empty() {
            let task = self.index().add_or_replace(&upserts, Some("key")).await?;
            self.wait(task).await?;
        }
        Ok(())
    }

    async fn search(&self, q: SearchQuery) -> anyhow::Result<Vec<Hit>> {
        self.ensure_settings().await?;
        let mut filter = format!("kind = {}", quoted(q.kind.as_str()));
        if let Some(circle) = &q.circle_id {
            filter.push_str(&format!(" AND circle_id = {}", quoted(circle)));
        }
        let index = self.index();
        let crop = [("body", Some(30))];
        let results = index
            .search()
            .with_query(&q.text)
            .with_filter(&filter)
            .with_offset(q.offset)
            .with_limit(q.limit + 1)
            .with_attributes_to_crop(Selectors::Some(&crop))
            .with_attributes_to_highlight(Selectors::Some(&["body"]))
            .with_highlight_pre_tag(snippet::MARK_START)
            .with_highlight_post_tag(snippet::MARK_END)
            .execute::<MeiliDoc>()
            .await?;
        results
            .hits
            .into_iter()
            .map(|hit| {
                let snippet = hit
                    .formatted_result
                    .as_ref()
                    .and_then(|f| f.get("body"))
                    .and_then(|v| v.as_str())
                    .map(snippet::to_html)
                    .unwrap_or_else(|| snippet::plain(&hit.result.body, 160));
                let doc = hit.result;
                // The index holds what agora wrote: anything else is an error.
                let kind = DocKind::parse(&doc.kind).ok_or_else(|| {
                    anyhow::anyhow!("indexed document of unknown kind {:?}", doc.kind)
                })?;
                let created_at = Utc
                    .timestamp_opt(doc.created_at, 0)
                    .single()
                    .ok_or_else(|| anyhow::anyhow!("indexed document with an unreadable date"))?;
                Ok(Hit {
                    kind,
                    id: doc.id,
                    title: doc.heading.unwrap_or(doc.title),
                    snippet,
                    circle_id: doc.circle_id,
                    post_id: doc.post_id,
                    created_at,
                })
            })
            .collect()
    }

    async fn clear(&self) -> anyhow::Result<()> {
        self.ensure_settings().await?;
        let task = self.index().delete_all_documents().await?;
        self.wait(task).await
    }

    async fn ping(&self) -> bool {
        self.client.health().await.is_ok()
    }

    fn kind(&self) -> &'static str {
        "meilisearch"
    }

    async fn prepare(&self) -> anyhow::Result<()> {
        self.ensure_settings().await
    }
}
