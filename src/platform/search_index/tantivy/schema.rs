//! The index's fields, and what happens to an index written with others:
//! it is derived data, so it is discarded and started afresh, and the
//! outbox worker fills the new one from the database.
use std::{io, path::Path};

use tantivy::{
    directory::MmapDirectory,
    schema::{
        Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, STORED, STRING,
    },
    Index, TantivyError,
};

use super::super::DocKind;

#[derive(Clone, Copy)]
pub(super) struct Fields {
    pub key: Field,
    pub kind: Field,
    pub id: Field,
    /// The post a comment is on.
    pub post: Field,
    pub circle: Field,
    /// Stored, not matched: the title a hit shows.
    pub heading: Field,
    /// Stored, not matched: the text a snippet is cut from.
    pub body: Field,
    pub created_at: Field,
    /// What is matched, one pair of fields per kind (in [`KINDS`] order).
    /// A query names its kind by the fields it searches, with no filter
    /// clause: a filter would rule out tantivy's block-max pruning, and a
    /// common word would have every document it is in scored.
    matched: [Matched; 4],
}

/// The fields a kind's text is matched in.
#[derive(Clone, Copy)]
pub(super) struct Matched {
    /// A comment's is empty: its post's title is shown, not searched.
    pub title: Field,
    pub body: Field,
}

const KINDS: [DocKind; 4] = [
    DocKind::Post,
    DocKind::User,
    DocKind::Circle,
    DocKind::Comment,
];

impl Fields {
    pub fn matched(&self, kind: DocKind) -> Matched {
        let at = KINDS.iter().position(|k| *k == kind).unwrap_or_default();
        self.matched[at]
    }
}

pub(super) fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let indexing = TextFieldIndexing::default()
        .set_tokenizer("jieba")
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let text = TextOptions::default().set_indexing_options(indexing);
    let matched = KINDS.map(|kind| Matched {
        title: builder.add_text_field(&format!("{}_title", kind.as_str()), text.clone()),
        body: builder.add_text_field(&format!("{}_body", kind.as_str()), text.clone()),
    });
    let fields = Fields {
        key: builder.add_text_field("key", STRING),
        kind: builder.add_text_field("kind", STORED),
        id: builder.add_text_field("id", STRING | STORED),
        post: builder.add_text_field("post_id", STORED),
        circle: builder.add_text_field("circle_id", STRING | STORED),
        heading: builder.add_text_field("heading", STORED),
        body: builder.add_text_field("body", STORED),
        // Nanoseconds; renamed from the seconds it once held, so that an
        // index written before is replaced and refilled, never misread.
        created_at: builder.add_i64_field("created_at_ns", STORED | FAST),
        matched,
    };
    (builder.build(), fields)
}

/// Opens the index in `dir`, or creates it. One written with another
/// schema (an older agora) or in a format this tantivy cannot read is
/// removed and replaced by an empty one.
pub(super) fn open_or_start_afresh(dir: &Path, schema: Schema) -> anyhow::Result<Index> {
    std::fs::create_dir_all(dir)?;
    let directory = MmapDirectory::open(dir)?;
    if Index::exists(&directory)? {
        match Index::open(directory) {
            Ok(index) if index.schema() == schema => return Ok(index),
            Ok(_) => tracing::warn!("the search index has another schema; starting afresh"),
            Err(TantivyError::IncompatibleIndex(why)) => {
                tracing::warn!(?why, "the search index cannot be read; starting afresh");
            }
            Err(err) => return Err(err.into()),
        }
        empty(dir)?;
    }
    Ok(Index::create_in_dir(dir, schema)?)
}

/// Removes everything in `dir`, which stays.
fn empty(dir: &Path) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            std::fs::remove_dir_all(entry.path())?;
        } else {
            std::fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}
