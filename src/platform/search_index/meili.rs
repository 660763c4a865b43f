//! The scale-out engine: Meilisearch through meilisearch-sdk. Index
//! settings are applied when the first write or search needs them, so that
//! agora starts (and reports itself not ready) while Meilisearch is down.
//! Every call is bounded by a timeout; an index deleted or recreated behind
//! agora's back is noticed (by readiness or by the search it breaks), its
//! settings applied again and its documents refilled by the worker; a
//! rebuild fills a second index and swaps it in.
use std::{
    future::Future,
    sync::atomic::{AtomicBool, Ordering},
    time::Duration,
};

use super::{
    meili_doc::{hit, key, MeiliDoc},
    meili_http::MeiliHttp,
    snippet, Doc, Hit, IndexOp, SearchIndex, SearchQuery,
};
use async_trait::async_trait;
use meilisearch_sdk::{
    client::{Client, SwapIndexes},
    errors::{Error as MeiliError, ErrorCode},
    indexes::Index,
    search::Selectors,
    settings::Settings,
    task_info::TaskInfo,
};

/// The attributes searches filter on: an index without them answers every
/// search with an error.
const FILTERABLE: [&str; 2] = ["kind", "circle_id"];

/// How long a task (indexing a batch, applying settings) may take.
const TASK_TIMEOUT: Duration = Duration::from_secs(60);

use crate::platform::tls::{TlsSettings, TlsState};

pub struct MeiliIndex {
    client: Client<MeiliHttp>,
    uid: String,
    /// The longest one HTTP call may take.
    timeout: Duration,
    /// Whether the live index is known to carry agora's settings.
    settled: AtomicBool,
    /// Set when the index turned out to have been lost (deleted, or
    /// recreated without its settings); the worker takes it and refills.
    lost: AtomicBool,
    /// Whether this process has dropped a leftover rebuild copy.
    leftovers_dropped: AtomicBool,
}

/// Filters take quoted values; ids are UUIDs, but quote defensively.
fn quoted(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Whether an error says the index is gone or lost its settings.
fn index_lost(err: &anyhow::Error) -> bool {
    matches!(
        err.chain().find_map(|e| e.downcast_ref::<MeiliError>()),
        Some(MeiliError::Meilisearch(e))
            if matches!(e.error_code, ErrorCode::IndexNotFound | ErrorCode::InvalidSearchFilter)
    )
}

impl MeiliIndex {
    /// `https://` is TLS, verified against the public roots and the CA
    /// file; the state of the wire comes back with the index.
    pub fn new(
        url: &str,
        api_key: Option<&str>,
        uid: &str,
        timeout: Duration,
        tls: &TlsSettings,
    ) -> anyhow::Result<(Self, TlsState)> {
        let parsed =
            reqwest::Url::parse(url).map_err(|e| anyhow::anyhow!("AGORA_MEILI_URL: {e}"))?;
        let state = match parsed.scheme() {
            "https" if tls.allow_unverified => TlsState::Unverified,
            "https" => TlsState::Verified,
            "http" => TlsState::Off,
            other => anyhow::bail!("AGORA_MEILI_URL: `{other}` is neither http nor https"),
        };
        tls.admit("Meilisearch", parsed.host_str().unwrap_or(""), state)?;
        let http = MeiliHttp::new(api_key, state != TlsState::Off, tls)?;
        let index = Self {
            client: Client::new_with_client(url, api_key, http),
            uid: uid.to_owned(),
            timeout,
            settled: AtomicBool::new(false),
            lost: AtomicBool::new(false),
            leftovers_dropped: AtomicBool::new(false),
        };
        Ok((index, state))
    }

    fn index(&self) -> Index<MeiliHttp> {
        self.client.index(&self.uid)
    }

    /// One call to Meilisearch, given up after the timeout: a stopped or
    /// unreachable engine makes search answer 503, never hang.
    async fn bounded<T>(
        &self,
        what: &str,
        call: impl Future<Output = Result<T, MeiliError>>,
    ) -> anyhow::Result<T> {
        match tokio::time::timeout(self.timeout, call).await {
            Ok(result) => Ok(result?),
            Err(_) => anyhow::bail!(
                "meilisearch did not answer {what} within {:?}",
                self.timeout
            ),
        }
    }

    async fn wait(&self, task: TaskInfo) -> anyhow::Result<()> {
        let waiting = task.wait_for_completion(
            &self.client,
            Some(Duration::from_millis(50)),
            Some(TASK_TIMEOUT),
        );
        let task = match tokio::time::timeout(TASK_TIMEOUT + self.timeout, waiting).await {
            Ok(task) => task?,
            Err(_) => anyhow::bail!("meilisearch did not finish a task within {TASK_TIMEOUT:?}"),
        };
        if task.is_failure() {
            return Err(
                anyhow::Error::from(MeiliError::Meilisearch(task.unwrap_failure()))
                    .context("a meilisearch task failed"),
            );
        }
        Ok(())
    }

    /// Searchable, filterable and sortable attributes on index `uid`
    /// (created if missing).
    async fn apply_settings(&self, uid: &str) -> anyhow::Result<()> {
        let settings = Settings::new()
            .with_searchable_attributes(["title", "body"])
            .with_filterable_attributes(FILTERABLE)
            .with_sortable_attributes(["created_at"]);
        let task = self
            .bounded(
                "to settings",
                self.client.index(uid).set_settings(&settings),
            )
            .await?;
        self.wait(task).await
    }

    /// The live index's settings, applied unless already known applied.
    async fn ensure_settings(&self) -> anyhow::Result<()> {
        if !self.settled.load(Ordering::Acquire) {
            self.apply_settings(&self.uid).await?;
            self.settled.store(true, Ordering::Release);
        }
        Ok(())
    }

    /// Reads the live index's filterable attributes, with the key: what a
    /// search needs, so readiness fails with a wrong key or a lost index.
    async fn settings_intact(&self) -> anyhow::Result<bool> {
        let index = self.index();
        match self
            .bounded("a settings read", index.get_filterable_attributes())
            .await
        {
            Ok(attributes) => Ok(FILTERABLE
                .iter()
                .all(|a| attributes.iter().any(|have| have == a))),
            Err(err) if index_lost(&err) => Ok(false),
            Err(err) => Err(err),
        }
    }

    /// Where a rebuild fills its copy before swapping it in.
    fn aside(&self) -> String {
        format!("{}__rebuild", self.uid)
    }

    /// Deletes the rebuild copy, if there is one.
    async fn drop_aside(&self) -> anyhow::Result<()> {
        let task = self
            .bounded("a delete", self.client.delete_index(self.aside()))
            .await?;
        match self.wait(task).await {
            Ok(()) => Ok(()),
            // Nothing to delete.
            Err(err) if index_lost(&err) => Ok(()),
            Err(err) => Err(err),
        }
    }

    /// The index was found without its settings: apply them again, and
    /// have the worker refill it.
    async fn recover(&self) -> anyhow::Result<()> {
        tracing::warn!(index = %self.uid, "the search index lost its settings or vanished; restoring and refilling it");
        self.settled.store(false, Ordering::Release);
        self.lost.store(true, Ordering::Release);
        self.ensure_settings().await
    }

    async fn find(&self, q: &SearchQuery) -> anyhow::Result<Vec<Hit>> {
        let mut filter = format!("kind = {}", quoted(q.kind.as_str()));
        if let Some(circle) = &q.circle_id {
            filter.push_str(&format!(" AND circle_id = {}", quoted(circle)));
        }
        let index = self.index();
        let crop = [("body", Some(30))];
        let mut search = index.search();
        search
            .with_query(&q.text)
            .with_filter(&filter)
            .with_offset(q.offset)
            .with_limit(q.limit + 1)
            .with_attributes_to_crop(Selectors::Some(&crop))
            .with_attributes_to_highlight(Selectors::Some(&["body"]))
            .with_highlight_pre_tag(snippet::MARK_START)
            .with_highlight_post_tag(snippet::MARK_END);
        let results = self
            .bounded("a search", search.execute::<MeiliDoc>())
            .await?;
        results.hits.into_iter().map(hit).collect()
    }

    /// Writes `docs` into index `uid`, a thousand at a time.
    async fn fill(&self, uid: &str, docs: Vec<Doc>) -> anyhow::Result<()> {
        let mut docs = docs.into_iter().peekable();
        while docs.peek().is_some() {
            let chunk: Vec<MeiliDoc> = docs.by_ref().take(1000).map(MeiliDoc::from_doc).collect();
            let index = self.client.index(uid);
            let task = self
                .bounded("a batch", index.add_or_replace(&chunk, Some("key")))
                .await?;
            self.wait(task).await?;
        }
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
                IndexOp::Upsert(doc) => upserts.push(MeiliDoc::from_doc(doc)),
                IndexOp::Delete(kind, id) => deletes.push(key(kind, &id)),
            }
        }
        let index = self.index();
        if !deletes.is_empty() {
            let task = self
                .bounded("a delete", index.delete_documents(&deletes))
                .await?;
            self.wait(task).await?;
        }
        if !upserts.is_empty() {
            let task = self
                .bounded("a batch", index.add_or_replace(&upserts, Some("key")))
                .await?;
            self.wait(task).await?;
        }
        Ok(())
    }

    async fn search(&self, q: SearchQuery) -> anyhow::Result<Vec<Hit>> {
        // Bounded like every call: a busy task queue is a 503, not a wait.
        tokio::time::timeout(self.timeout, self.ensure_settings())
            .await
            .map_err(|_| anyhow::anyhow!("the search index settings are being applied"))??;
        match self.find(&q).await {
            Err(err) if index_lost(&err) => {
                tokio::time::timeout(self.timeout, self.recover())
                    .await
                    .map_err(|_| anyhow::anyhow!("the search index is being restored"))??;
                self.find(&q).await
            }
            other => other,
        }
    }

    async fn clear(&self) -> anyhow::Result<()> {
        self.ensure_settings().await?;
        let task = self
            .bounded("a clear", self.index().delete_all_documents())
            .await?;
        self.wait(task).await
    }

    /// Ready when an authenticated read of the index's settings works and
    /// shows what searches need (the health route needs no key, so it
    /// would pass with a wrong one).
    async fn ping(&self) -> bool {
        match self.settings_intact().await {
            Ok(true) => !self.lost.load(Ordering::Acquire),
            // Not made yet (a first start): make it, nothing was lost.
            // Waiting on the settings task is bounded too: a readiness
            // probe answers within the timeout, whatever the queue holds.
            Ok(false) if !self.settled.load(Ordering::Acquire) => {
                match tokio::time::timeout(self.timeout, self.ensure_settings()).await {
                    Ok(Ok(())) => true,
                    Ok(Err(err)) => {
                        tracing::warn!(error = %format!("{err:#}"), "meilisearch is not ready");
                        false
                    }
                    Err(_) => false,
                }
            }
            Ok(false) => {
                if let Ok(Err(err)) = tokio::time::timeout(self.timeout, self.recover()).await {
                    tracing::warn!(error = %format!("{err:#}"), "restoring the search index settings");
                }
                false
            }
            Err(err) => {
                tracing::warn!(error = %format!("{err:#}"), "meilisearch is not ready");
                false
            }
        }
    }

    fn kind(&self) -> &'static str {
        "meilisearch"
    }

    async fn prepare(&self) -> anyhow::Result<()> {
        self.ensure_settings().await
    }

    /// A copy left by an interrupted rebuild would hold documents erased
    /// since, which no deletion reaches: dropped once per process, by the
    /// outbox's holder (never while another instance rebuilds).
    async fn drop_leftovers(&self) -> anyhow::Result<()> {
        if !self.leftovers_dropped.load(Ordering::Acquire) {
            self.drop_aside().await?;
            self.leftovers_dropped.store(true, Ordering::Release);
        }
        Ok(())
    }

    /// Meilisearch keeps deleted documents' bytes in its files until the
    /// index is compacted.
    async fn compact(&self) -> anyhow::Result<()> {
        let task = self.bounded("a compaction", self.index().compact()).await?;
        self.wait(task).await
    }

    /// An empty index at start-up (a new or wiped Meilisearch beside an
    /// existing database) is filled from the database.
    async fn needs_rebuild(&self) -> bool {
        // Unknown counts as empty: a fill only upserts what is there.
        match self.bounded("stats", self.index().get_stats()).await {
            Ok(stats) => stats.number_of_documents == 0,
            Err(_) => true,
        }
    }

    fn shared(&self) -> bool {
        true
    }

    fn take_lost(&self) -> bool {
        self.lost.swap(false, Ordering::AcqRel)
    }

    /// Fills a second index, then swaps it in: searches see the old
    /// documents until the new ones are all there.
    async fn rebuild(&self, docs: Vec<Doc>) -> anyhow::Result<()> {
        self.ensure_settings().await?;
        let aside = self.aside();
        self.drop_aside().await?;
        self.apply_settings(&aside).await?;
        self.fill(&aside, docs).await?;
        let swap = SwapIndexes {
            indexes: (self.uid.clone(), aside.clone()),
            rename: None,
        };
        let task = self
            .bounded("a swap", self.client.swap_indexes([&swap]))
            .await?;
        self.wait(task).await?;
        // `aside` now holds the old documents.
        let task = self
            .bounded("a delete", self.client.delete_index(&aside))
            .await?;
        self.wait(task).await?;
        self.lost.store(false, Ordering::Release);
        Ok(())
    }
}
