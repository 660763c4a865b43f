//! The registry of personal data: every area that keeps something about a
//! user registers one owner here, which exports it as a named section and
//! erases it for a deregistration. A test walks the schema and fails for a
//! table that refers to users without an owner.
use std::{collections::HashSet, sync::Arc};

use async_trait::async_trait;
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};
use serde_json::Value;

use crate::{error::AppResult, state::AppState};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The community profile and content go; the account stays.
    Service,
    /// Everything goes, phone and credentials included.
    Account,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Service => "service",
            Self::Account => "account",
        }
    }

    pub fn parse(s: &str) -> Self {
        if s == "account" {
            Self::Account
        } else {
            Self::Service
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Content {
    /// Posts and comments are deleted.
    Delete,
    /// Posts and comments stay, shown as by a deleted user, with no link back.
    Anonymize,
}

impl Content {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Delete => "delete",
            Self::Anonymize => "anonymize",
        }
    }

    pub fn parse(s: &str) -> Self {
        if s == "anonymize" {
            Self::Anonymize
        } else {
            Self::Delete
        }
    }
}

/// One erasure: whose, how far, and what to keep for now.
pub struct Erasure {
    pub user: String,
    pub scope: Scope,
    pub content: Content,
    /// `(target_type, target_id)` of content under an open report.
    pub held: HashSet<(String, String)>,
}

impl Erasure {
    pub fn holds(&self, target_type: &str, id: &str) -> bool {
        self.held.contains(&(target_type.to_owned(), id.to_owned()))
    }
}

/// What must happen outside the database once the erasure committed.
#[derive(Default)]
pub struct AfterCommit {
    /// Objects to delete from the media store.
    pub media_keys: Vec<String>,
    /// Feed pages to drop: `None` is the plaza, `Some` a circle.
    pub feeds: Vec<Option<String>>,
}

impl AfterCommit {
    pub fn extend(&mut self, other: AfterCommit) {
        self.media_keys.extend(other.media_keys);
        self.feeds.extend(other.feeds);
    }
}

/// The owner of one kind of personal data.
#[async_trait]
pub trait PersonalData: Send + Sync + 'static {
    /// The sections of the export this owner writes.
    fn sections(&self) -> &'static [&'static str];
    /// The tables whose rows about a user this owner exports and erases.
    fn tables(&self) -> &'static [&'static str];
    /// `(section, value)` for each of [`sections`](Self::sections).
    async fn export(&self, state: &AppState, user: &str) -> AppResult<Vec<(&'static str, Value)>>;
    /// Erases inside the deregistration's transaction.
    async fn erase(
        &self,
        state: &AppState,
        txn: &DatabaseTransaction,
        erasure: &Erasure,
    ) -> AppResult<AfterCommit>;
}

/// Every owner, in erasure order (content before the account it hangs on).
#[derive(Clone, Default)]
pub struct Registry(Vec<Arc<dyn PersonalData>>);

impl Registry {
    pub fn register(&mut self, owner: Arc<dyn PersonalData>) {
        self.0.push(owner);
    }

    pub fn owners(&self) -> impl Iterator<Item = &Arc<dyn PersonalData>> {
        self.0.iter()
    }

    pub fn tables(&self) -> Vec<&'static str> {
        self.0
            .iter()
            .flat_map(|o| o.tables().iter().copied())
            .collect()
    }

    pub fn sections(&self) -> Vec<&'static str> {
        self.0
            .iter()
            .flat_map(|o| o.sections().iter().copied())
            .collect()
    }
}

/// Deletes the rows of `E` whose `column` equals `value`; for the many
/// "everything of this user in that table" steps of an erasure.
pub async fn delete_where<E: EntityTrait>(
    txn: &DatabaseTransaction,
    column: E::Column,
    value: &str,
) -> AppResult<u64> {
    Ok(E::delete_many()
        .filter(column.eq(value))
        .exec(txn)
        .await?
        .rows_affected)
}
