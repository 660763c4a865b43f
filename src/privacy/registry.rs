//! The registry of personal data: every area that keeps something about a
//! user registers one owner here, which exports it as a named section and
//! erases it for a deregistration. A test walks the schema and fails for a
//! table that refers to users without an owner.
use std::{collections::HashSet, sync::Arc};

use async_trait::async_trait;
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};
use serde_json::Value;

use super::{
    consents::{Erasers, WithdrawalEraser},
    retention::{Retention, RetentionRule},
};
use crate::{error::AppResult, ids::UserId, state::AppState};

/// What every area registered at start-up: the owners of personal data, the
/// erasers a withdrawal runs, the retention rules and the hooks around an
/// erasure. The wiring builds it from each area's `register` function; the
/// rights area runs over it without knowing the areas.
#[derive(Clone, Default)]
pub struct Registries {
    pub personal_data: Registry,
    pub erasers: Erasers,
    pub retention: Retention,
    pub hooks: Vec<Arc<dyn ErasureHook>>,
}

impl Registries {
    pub fn personal_data(&mut self, owner: Arc<dyn PersonalData>) -> &mut Self {
        self.personal_data.register(owner);
        self
    }
    pub fn eraser(&mut self, eraser: Arc<dyn WithdrawalEraser>) -> &mut Self {
        self.erasers.register(eraser);
        self
    }
    pub fn retention_rule(&mut self, rule: Arc<dyn RetentionRule>) -> &mut Self {
        self.retention.register(rule);
        self
    }
    pub fn hook(&mut self, hook: Arc<dyn ErasureHook>) -> &mut Self {
        self.hooks.push(hook);
        self
    }
}

/// An area's part in an erasure beyond its own rows.
#[async_trait]
pub trait ErasureHook: Send + Sync + 'static {
    /// A deregistration was just requested (inside its transaction): end
    /// at once what must not wait for the cooling-off, and only what a
    /// cancellation would not miss (a pending application is withdrawn;
    /// a place already held stays until the erasure).
    async fn requested(&self, _txn: &DatabaseTransaction, _user: &str) -> AppResult<()> {
        Ok(())
    }
    /// `(target_type, id)` of this user's content that must stay for now
    /// (under an open report), with what it needs (`("upload", id)` for a
    /// held post's images); the erasure finishes once nothing is held.
    async fn held(&self, _state: &AppState, _user: &str) -> AppResult<Vec<(String, String)>> {
        Ok(Vec::new())
    }
    /// After one erasure committed: drop what was derived from the rows.
    async fn erased(&self, _state: &AppState, _after: &AfterCommit) {}
    /// After a whole purge run: make erased values leave derived stores.
    async fn purged(&self, _state: &AppState) -> anyhow::Result<()> {
        Ok(())
    }
}

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
}

/// One erasure: whose, how far, and what to keep for now.
pub struct Erasure {
    pub user: String,
    pub scope: Scope,
    pub content: Content,
    /// `(target_type, target_id)` of content under an open report, and of
    /// what it needs (`("upload", id)`).
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
    /// Rows erased (for the log: counts, never values).
    pub rows: u64,
    /// Objects to delete from the media store.
    pub media_keys: Vec<String>,
    /// Feed pages to drop: `None` is the plaza, `Some` a circle.
    pub feeds: Vec<Option<String>>,
    /// Posts whose cached views must go with them.
    pub posts: Vec<String>,
    /// Facts to publish (someone else's registration moved up from the
    /// waiting list into the place this one held).
    pub facts: Vec<crate::platform::facts::Fact>,
}

impl AfterCommit {
    /// Only rows, nothing outside the database.
    pub fn rows(rows: u64) -> Self {
        Self {
            rows,
            ..Self::default()
        }
    }

    pub fn extend(&mut self, other: AfterCommit) {
        self.rows += other.rows;
        self.media_keys.extend(other.media_keys);
        self.feeds.extend(other.feeds);
        self.posts.extend(other.posts);
        self.facts.extend(other.facts);
    }
}

/// When an owner erases, relative to the others: content before the
/// records about it, the account that everything hangs on last.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    /// What the user wrote and did (posts, messages, searches).
    #[default]
    Content,
    /// The consent layer's records.
    Records,
    /// The community profile.
    Profile,
    /// Stored files, once nothing refers to them.
    Files,
    /// The account itself.
    Account,
}

/// The owner of one kind of personal data.
#[async_trait]
pub trait PersonalData: Send + Sync + 'static {
    /// Where in an erasure this owner runs.
    fn stage(&self) -> Stage {
        Stage::Content
    }
    /// The sections of the export this owner writes, each with its type:
    /// the spec documents `GET /me/export` section by section from these.
    fn sections(&self) -> Vec<Section>;
    /// The catalog's items whose stored values those sections hold. A test
    /// holds every item the API collects and keeps to one owner's export.
    fn items(&self) -> &'static [&'static str];
    /// The tables whose rows about a user this owner exports and erases.
    fn tables(&self) -> &'static [&'static str];
    /// `(section, value)` for each of [`sections`](Self::sections), the
    /// value that section's type writes (`Section::value`).
    async fn export(
        &self,
        state: &AppState,
        user: &UserId,
    ) -> AppResult<Vec<(&'static str, Value)>>;
    /// Erases inside the deregistration's transaction.
    async fn erase(
        &self,
        state: &AppState,
        txn: &DatabaseTransaction,
        erasure: &Erasure,
    ) -> AppResult<AfterCommit>;
}

/// One section of the export: its name and the type of its value.
pub struct Section {
    pub name: &'static str,
    /// Registers the type's schema and answers a reference to it.
    pub schema: fn(&mut poem_openapi::registry::Registry) -> poem_openapi::registry::MetaSchemaRef,
}

impl Section {
    pub fn of<T: poem_openapi::types::Type>(name: &'static str) -> Self {
        fn schema<T: poem_openapi::types::Type>(
            registry: &mut poem_openapi::registry::Registry,
        ) -> poem_openapi::registry::MetaSchemaRef {
            T::register(registry);
            T::schema_ref()
        }
        Self {
            name,
            schema: schema::<T>,
        }
    }

    /// A section's value, written by its declared type, so that what the
    /// export holds and what the spec says it holds cannot drift apart.
    pub fn value<T: poem_openapi::types::ToJSON>(
        name: &'static str,
        value: &T,
    ) -> (&'static str, Value) {
        (name, value.to_json().unwrap_or(Value::Null))
    }
}

/// Every owner, in erasure order (content before the account it hangs on).
#[derive(Clone, Default)]
pub struct Registry(Vec<Arc<dyn PersonalData>>);

impl Registry {
    /// Adds an owner; owners erase by [`Stage`], then in registration order.
    pub fn register(&mut self, owner: Arc<dyn PersonalData>) {
        self.0.push(owner);
        self.0.sort_by_key(|o| o.stage());
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
            .flat_map(|o| o.sections().into_iter().map(|s| s.name))
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

crate::convert::mirror!(Scope, entity::enums::ErasureScope, [Service, Account]);

crate::convert::mirror!(Content, entity::enums::ErasureContent, [Delete, Anonymize]);
