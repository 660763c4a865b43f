//! An upload's end. It goes when the last reference to it goes (a message
//! recalled, a post removed for good, messages nobody keeps), when its
//! owner deletes it, or when nothing used it by `upload_orphan_after`. The
//! row goes first, so a signed link to the file stops working at once; the
//! file once that is final.
//!
//! A reference made at the very moment its upload is released can lose
//! the race (the file is gone when the post shows it): each release looks
//! only at uploads that were in use and just stopped being, or that are a
//! day old and were never used, where that moment does not come.
use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use chrono::Utc;
use entity::uploads;
use sea_orm::{sea_query::Expr, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::refusals::Refusal;
use crate::{
    error::{AppError, AppResult},
    ids::{UploadId, UserId},
    privacy::{registry::AfterCommit, retention::RetentionRule},
    state::AppState,
};

/// Deletes the rows of those of `ids` that nothing refers to any more;
/// their files are in the answer, to delete once that is final
/// ([`delete_files`]).
pub async fn release(state: &AppState, ids: Vec<String>) -> AppResult<AfterCommit> {
    // Without the areas' references wired, everything would look unused.
    if ids.is_empty() || !state.references.is_wired() {
        return Ok(AfterCommit::default());
    }
    let owned: Vec<(String, String)> = uploads::Entity::find()
        .select_only()
        .columns([uploads::Column::Id, uploads::Column::OwnerId])
        .filter(uploads::Column::Id.is_in(ids))
        .into_tuple()
        .all(&state.db)
        .await?;
    drop_unused(state, owned, false).await
}

/// Of `(id, owner)` rows, drops those nothing refers to; with `claim`, the
/// ones in use are marked claimed (the orphan sweep looks at each once).
async fn drop_unused(
    state: &AppState,
    rows: Vec<(String, String)>,
    claim: bool,
) -> AppResult<AfterCommit> {
    let mut released = AfterCommit::default();
    for (owner, ids) in by_owner(rows) {
        let used: HashSet<String> = state.references.in_use(&state.db, &owner, &ids).await?;
        if claim && !used.is_empty() {
            uploads::Entity::update_many()
                .col_expr(uploads::Column::Claimed, Expr::value(true))
                .filter(uploads::Column::Id.is_in(used.iter().cloned()))
                .exec(&state.db)
                .await?;
        }
        let free = ids.into_iter().filter(|id| !used.contains(id)).collect();
        released.extend(drop_rows(state, &owner, free).await?);
    }
    Ok(released)
}

/// [`release`], and the files at once: for callers whose own change is
/// already committed. A failure is logged (the change stands; the file
/// waits for its owner's deregistration).
pub async fn release_now(state: &AppState, ids: Vec<String>) {
    match release(state, ids).await {
        Ok(after) => delete_files(state, &after).await,
        Err(err) => {
            tracing::error!(error = %format!("{err:#}"), "uploads no longer used were not released")
        }
    }
}

fn by_owner(rows: Vec<(String, String)>) -> HashMap<String, Vec<String>> {
    let mut by_owner: HashMap<String, Vec<String>> = HashMap::new();
    for (id, owner) in rows {
        by_owner.entry(owner).or_default().push(id);
    }
    by_owner
}

async fn drop_rows(state: &AppState, owner: &str, ids: Vec<String>) -> AppResult<AfterCommit> {
    if ids.is_empty() {
        return Ok(AfterCommit::default());
    }
    let rows = uploads::Entity::find()
        .filter(uploads::Column::Id.is_in(ids))
        .filter(uploads::Column::OwnerId.eq(owner))
        .all(&state.db)
        .await?;
    // Row by row: a file goes only when this delete removed its row, never
    // when someone else took the row over in between (a beta program
    // taking its package).
    let mut after = AfterCommit::default();
    for u in rows {
        let done = uploads::Entity::delete_by_id(u.id).exec(&state.db).await?;
        if done.rows_affected == 1 {
            after.rows += 1;
            after.media_keys.push(u.storage_key);
        }
    }
    Ok(after)
}

/// Deletes released files from the media store (failures are logged: the
/// row is gone, so nothing serves the file any more).
pub async fn delete_files(state: &AppState, after: &AfterCommit) {
    for key in &after.media_keys {
        if let Err(err) = state.media.delete(key).await {
            tracing::warn!(error = %format!("{err:#}"), "a released upload's file was not deleted");
        }
    }
    if after.rows > 0 {
        crate::platform::db::checkpoint_soon(&state.db);
    }
}

/// `DELETE /uploads/{id}`: one of mine that nothing shows any more.
pub async fn delete_mine(state: &AppState, owner: &UserId, id: &UploadId) -> AppResult<()> {
    let mine = uploads::Entity::find_by_id(id.as_str())
        .filter(uploads::Column::OwnerId.eq(owner))
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::not_found("upload"))?;
    let ids = vec![mine.id];
    if !state
        .references
        .in_use(&state.db, owner.as_str(), &ids)
        .await?
        .is_empty()
    {
        return Err(Refusal::InUse.into());
    }
    let after = drop_rows(state, owner.as_str(), ids).await?;
    delete_files(state, &after).await;
    Ok(())
}

/// Uploads looked at per purge run.
const SWEEP_BATCH: u64 = 1000;

/// `posting`, `direct_messages`: an upload nothing used by
/// `upload_orphan_after` (sent to attach, then never attached) goes; one in
/// use is marked claimed and from then on goes with its last reference.
pub struct UnclaimedUploads;

#[async_trait]
impl RetentionRule for UnclaimedUploads {
    fn name(&self) -> &'static str {
        "unclaimed_uploads"
    }

    async fn run(&self, state: &AppState) -> AppResult<AfterCommit> {
        if !state.references.is_wired() {
            return Ok(AfterCommit::default());
        }
        let after = chrono::Duration::from_std(state.config.upload_orphan_after)
            .map_err(AppError::internal)?;
        let old: Vec<(String, String)> = uploads::Entity::find()
            .select_only()
            .columns([uploads::Column::Id, uploads::Column::OwnerId])
            .filter(uploads::Column::Claimed.eq(false))
            .filter(uploads::Column::CreatedAt.lt(Utc::now() - after))
            .order_by_asc(uploads::Column::Id)
            .limit(SWEEP_BATCH)
            .into_tuple()
            .all(&state.db)
            .await?;
        drop_unused(state, old, true).await
    }
}

/// What the media layer hears from the areas that cannot call it (those
/// below it, like identity's avatars).
pub struct ReleaseSubscriber;

#[async_trait]
impl crate::platform::facts::Subscriber for ReleaseSubscriber {
    async fn on(&self, state: &AppState, fact: &crate::platform::facts::Fact) -> AppResult<()> {
        if let crate::platform::facts::Fact::UploadsUnreferenced { ids } = fact {
            let after = release(state, ids.clone()).await?;
            delete_files(state, &after).await;
        }
        Ok(())
    }
}
