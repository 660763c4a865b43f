//! The embedded engine: a tantivy index in `$AGORA_DATA_DIR/search`, with
//! jieba segmentation (Chinese) and lowercasing (English).
mod query;
mod schema;
mod snippets;
#[cfg(test)]
mod tests;

use std::{
    path::Path,
    sync::{Arc, Mutex},
};

use async_trait::async_trait;

use tantivy::{
    collector::TopDocs,
    schema::Value,
    tokenizer::{LowerCaser, TextAnalyzer},
    Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term,
};

use self::schema::Fields;
use self::snippets::snippet_of;
use super::{Doc, DocKind, Hit, IndexOp, SearchIndex, SearchQuery};

#[derive(Clone)]
pub struct TantivyIndex {
    index: Index,
    reader: IndexReader,
    /// Opened on first write: the index takes one writer per directory, and
    /// commands such as `agora users grant-role` must not need it while the
    /// server holds it.
    writer: Arc<Mutex<Option<IndexWriter>>>,
    fields: Fields,
}

fn key(kind: DocKind, id: &str) -> String {
    format!("{}:{id}", kind.as_str())
}

impl TantivyIndex {
    /// Opens the index in `dir`; one written with another schema is
    /// replaced by an empty one, which [`SearchIndex::needs_rebuild`] reports.
    pub fn open(dir: &Path) -> anyhow::Result<Self> {
        let (schema, fields) = schema::schema();
        let index = schema::open_or_start_afresh(dir, schema)?;
        index.tokenizers().register(
            "jieba",
            TextAnalyzer::builder(tantivy_jieba::JiebaTokenizer::new())
                .filter(LowerCaser)
                .build(),
        );
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Self {
            index,
            reader,
            writer: Arc::new(Mutex::new(None)),
            fields,
        })
    }

    fn with_writer<T>(
        &self,
        f: impl FnOnce(&mut IndexWriter) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        let mut slot = self
            .writer
            .lock()
            .map_err(|_| anyhow::anyhow!("index writer poisoned"))?;
        if slot.is_none() {
            *slot = Some(self.index.writer_with_num_threads(1, 32_000_000)?);
        }
        match slot.as_mut() {
            Some(writer) => f(writer),
            None => Err(anyhow::anyhow!("no index writer")),
        }
    }

    fn write(&self, ops: Vec<IndexOp>) -> anyhow::Result<()> {
        self.with_writer(|writer| self.write_with(writer, ops))
    }

    fn write_with(&self, writer: &mut IndexWriter, ops: Vec<IndexOp>) -> anyhow::Result<()> {
        let f = self.fields;
        for op in ops {
            match op {
                IndexOp::Delete(kind, id) => {
                    writer.delete_term(Term::from_field_text(f.key, &key(kind, &id)));
                }
                IndexOp::Upsert(doc) => {
                    writer.delete_term(Term::from_field_text(f.key, &key(doc.kind, &doc.id)));
                    writer.add_document(self.document(doc))?;
                }
            }
        }
        writer.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    fn document(&self, doc: Doc) -> TantivyDocument {
        let f = self.fields;
        let mut d = TantivyDocument::default();
        d.add_text(f.key, key(doc.kind, &doc.id));
        d.add_text(f.kind, doc.kind.as_str());
        d.add_text(f.id, &doc.id);
        d.add_text(f.post, doc.post_id.as_deref().unwrap_or(""));
        d.add_text(f.circle, doc.circle_id.as_deref().unwrap_or(""));
        let matched = f.matched(doc.kind);
        d.add_text(matched.title, doc.searchable_title());
        d.add_text(matched.body, &doc.body);
        d.add_text(f.heading, &doc.title);
        d.add_text(f.body, &doc.body);
        d.add_i64(f.created_at, super::to_nanos(doc.created_at));
        d
    }

    fn find(&self, q: SearchQuery) -> anyhow::Result<Vec<Hit>> {
        let f = self.fields;
        let searcher = self.reader.searcher();
        let matched = f.matched(q.kind);
        let mut analyzer = self
            .index
            .tokenizers()
            .get("jieba")
            .ok_or_else(|| anyhow::anyhow!("no jieba tokenizer"))?;
        let circle = q
            .circle_id
            .as_deref()
            .map(|c| Term::from_field_text(f.circle, c));
        let query = query::build(&searcher, &mut analyzer, matched, circle, &q.text)?;
        let top = searcher.search(
            &query,
            &TopDocs::with_limit(q.limit + 1)
                .and_offset(q.offset)
                .order_by_score(),
        )?;
        let mut terms = Vec::new();
        query.query_terms(&mut |term, _| {
            if term.field() == matched.body {
                terms.extend(term.value().as_str().map(str::to_owned));
            }
        });
        terms.sort();
        terms.dedup();
        let mut hits = Vec::new();
        for (_, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            let text = |field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or("")
                    .to_owned()
            };
            let circle = text(f.circle);
            let post = text(f.post);
            let snippet = snippet_of(&terms, &text(f.body));
            // The index holds what agora wrote: anything else is an error.
            let stored_kind = text(f.kind);
            let kind = DocKind::parse(&stored_kind).ok_or_else(|| {
                anyhow::anyhow!("indexed document of unknown kind {stored_kind:?}")
            })?;
            let created_at = doc
                .get_first(f.created_at)
                .and_then(|v| v.as_i64())
                .map(super::from_nanos)
                .ok_or_else(|| anyhow::anyhow!("indexed document with an unreadable date"))?;
            hits.push(Hit {
                kind,
                id: text(f.id),
                title: text(f.heading),
                snippet,
                circle_id: (!circle.is_empty()).then_some(circle),
                post_id: (!post.is_empty()).then_some(post),
                created_at,
            });
        }
        Ok(hits)
    }
}

#[async_trait]
impl SearchIndex for TantivyIndex {
    async fn apply(&self, ops: Vec<IndexOp>) -> anyhow::Result<()> {
        let this = self.clone();
        tokio::task::spawn_blocking(move || this.write(ops)).await?
    }

    async fn search(&self, query: SearchQuery) -> anyhow::Result<Vec<Hit>> {
        let this = self.clone();
        tokio::task::spawn_blocking(move || this.find(query)).await?
    }

    async fn clear(&self) -> anyhow::Result<()> {
        self.rebuild(Vec::new()).await
    }

    async fn compact(&self) -> anyhow::Result<()> {
        let this = self.clone();
        tokio::task::spawn_blocking(move || {
            this.with_writer(|writer| {
                // Deletes are tombstones until their segments are rewritten.
                writer.commit()?;
                let segments = this.index.searchable_segment_ids()?;
                if !segments.is_empty() {
                    writer.merge(&segments).wait()?;
                }
                Ok(())
            })?;
            // Once no searcher uses the old segments, their files can go.
            this.reader.reload()?;
            this.with_writer(|writer| {
                writer.garbage_collect_files().wait()?;
                Ok(())
            })
        })
        .await?
    }

    async fn ping(&self) -> bool {
        true
    }

    fn kind(&self) -> &'static str {
        "tantivy"
    }

    async fn needs_rebuild(&self) -> bool {
        self.reader.searcher().num_docs() == 0
    }

    /// Every deletion and addition in one commit: readers reload only
    /// after it, so they see the old documents until the new ones are all
    /// in (the new segments are written aside until then).
    async fn rebuild(&self, docs: Vec<Doc>) -> anyhow::Result<()> {
        let this = self.clone();
        tokio::task::spawn_blocking(move || {
            this.with_writer(|writer| {
                writer.delete_all_documents()?;
                for doc in docs {
                    writer.add_document(this.document(doc))?;
                }
                writer.commit()?;
                Ok(())
            })?;
            this.reader.reload()?;
            Ok(())
        })
        .await?
    }
}
