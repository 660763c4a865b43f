//! Durable index sync: every change to a post, comment, profile or circle
//! writes an outbox row in its own transaction; this worker applies the
//! rows to the index from the current database state, retrying with
//! backoff, so an engine outage loses nothing and catches up when it returns.
use std::{future::Future, time::Duration};

use chrono::Utc;
use entity::search_outbox;
use sea_orm::{
    sea_query::Expr, ColumnTrait, EntityTrait, ExprTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use crate::{
    platform::search_index::{DocKind, IndexOp},
    platform::{lease, outbox},
    state::AppState,
};

const BATCH: u64 = 200;

/// The lease that lets one instance at a time apply the outbox: two
/// drains interleaving could leave an older state of a document in the
/// index.
const LEASE: &str = "search_outbox";
const LEASE_TTL: Duration = Duration::from_secs(30);

/// Applies every due row, unless another instance is doing so; returns how
/// many were applied.
pub async fn drain(state: &AppState) -> anyhow::Result<usize> {
    // One drain at a time in this process, one instance at a time in all.
    let _running = state.jobs.draining.lock().await;
    if !lease::acquire(&state.db, LEASE, &state.jobs.instance, LEASE_TTL).await? {
        return Ok(0);
    }
    if let Err(err) = state.search.drop_leftovers().await {
        tracing::warn!(error = %format!("{err:#}"), "dropping a leftover rebuild copy");
    }
    rebuild_if_asked(state).await?;
    let mut applied = 0;
    loop {
        let rows = search_outbox::Entity::find()
            .filter(search_outbox::Column::NextAttemptAt.lte(Utc::now()))
            .filter(search_outbox::Column::Kind.is_not_in([outbox::COMPACT, outbox::REBUILD]))
            .order_by_asc(search_outbox::Column::Id)
            .limit(BATCH)
            .all(&state.db)
            .await?;
        if rows.is_empty() {
            compact_if_asked(state).await?;
            return Ok(applied);
        }
        // Row by row: one that cannot be applied (an unknown kind, a
        // document that cannot be read) waits its own backoff and never
        // holds up the rest of the queue.
        let mut ops = Vec::new();
        let mut ready = Vec::new();
        let mut stuck = Vec::new();
        for row in rows {
            match op_for(state, &row).await {
                Ok(op) => {
                    ops.push(op);
                    ready.push(row);
                }
                Err(err) => {
                    tracing::error!(error = %format!("{err:#}"), outbox_row = %row.id, kind = %row.kind, attempts = row.attempts, "search outbox row cannot be applied; it waits and is retried");
                    stuck.push(row);
                }
            }
        }
        postpone(state, &stuck).await?;
        if ready.is_empty() {
            continue;
        }
        match state.search.apply(ops).await {
            Ok(()) => {
                let ids: Vec<String> = ready.iter().map(|r| r.id.clone()).collect();
                search_outbox::Entity::delete_many()
                    .filter(search_outbox::Column::Id.is_in(ids))
                    .exec(&state.db)
                    .await?;
                applied += ready.len();
            }
            Err(err) => {
                let wait = postpone(state, &ready).await?;
                tracing::warn!(error = %format!("{err:#}"), rows = ready.len(), retry_in_s = wait, "search index update failed");
                return Ok(applied);
            }
        }
    }
}

/// Rows older than a compaction request that still block it: a row that
/// failed this often is left to its backoff rather than hold up erasure.
const BLOCKING_ATTEMPTS: i32 = 5;

/// Compacts the index if a process that could not (`agora purge` beside a
/// running server) asked for it, once the changes queued before the
/// request are applied.
async fn compact_if_asked(state: &AppState) -> anyhow::Result<()> {
    let Some(request) = search_outbox::Entity::find()
        .filter(search_outbox::Column::Kind.eq(outbox::COMPACT))
        .filter(search_outbox::Column::NextAttemptAt.lte(Utc::now()))
        .order_by_desc(search_outbox::Column::Id)
        .one(&state.db)
        .await?
    else {
        return Ok(());
    };
    let pending = search_outbox::Entity::find()
        .filter(search_outbox::Column::Id.lt(request.id.as_str()))
        .filter(search_outbox::Column::Kind.is_not_in([outbox::COMPACT, outbox::REBUILD]))
        .filter(search_outbox::Column::Attempts.lt(BLOCKING_ATTEMPTS))
        .count(&state.db)
        .await?;
    if pending > 0 {
        return Ok(());
    }
    match state.search.compact().await {
        Ok(()) => {
            search_outbox::Entity::delete_many()
                .filter(search_outbox::Column::Kind.eq(outbox::COMPACT))
                .filter(search_outbox::Column::Id.lte(request.id.as_str()))
                .exec(&state.db)
                .await?;
            tracing::info!("search index compacted on request");
        }
        Err(err) => {
            // Every due request waits, not only the newest.
            let due = search_outbox::Entity::find()
                .filter(search_outbox::Column::Kind.eq(outbox::REBUILD))
                .filter(search_outbox::Column::NextAttemptAt.lte(Utc::now()))
                .all(&state.db)
                .await?;
            let wait = postpone(state, &due).await?;
            tracing::warn!(error = %format!("{err:#}"), retry_in_s = wait, "requested compaction failed");
        }
    }
    Ok(())
}

/// Rebuilds the index if asked, under the outbox lease (the caller holds
/// it, and this process's drain lock): no change is applied while the
/// copy is built from the database, so the switch loses none; the ones
/// queued meanwhile are applied to the new index right after. The lease
/// is renewed while the rebuild runs. Returns how many documents it wrote.
async fn rebuild_if_asked(state: &AppState) -> anyhow::Result<Option<usize>> {
    let Some(request) = search_outbox::Entity::find()
        .filter(search_outbox::Column::Kind.eq(outbox::REBUILD))
        .filter(search_outbox::Column::NextAttemptAt.lte(Utc::now()))
        .order_by_desc(search_outbox::Column::Id)
        .one(&state.db)
        .await?
    else {
        return Ok(None);
    };
    let built = rebuild_now(state).await;
    let count = match built {
        Ok(count) => count,
        Err(err) => {
            // The engine is down or busy: the request waits its backoff,
            // and the rows behind it are tried as usual.
            let wait = postpone(state, std::slice::from_ref(&request)).await?;
            tracing::warn!(error = %format!("{err:#}"), retry_in_s = wait, "search index rebuild failed");
            return Ok(None);
        }
    };
    search_outbox::Entity::delete_many()
        .filter(search_outbox::Column::Kind.eq(outbox::REBUILD))
        .filter(search_outbox::Column::Id.lte(request.id.as_str()))
        .exec(&state.db)
        .await?;
    tracing::info!(documents = count, "search index rebuilt from the database");
    Ok(Some(count))
}

/// Reads every document and rebuilds the index from them, renewing the
/// outbox lease (which the caller holds) while it runs, however long.
async fn rebuild_now(state: &AppState) -> anyhow::Result<usize> {
    let renew = {
        let (db, holder) = (state.db.clone(), state.jobs.instance.clone());
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(LEASE_TTL / 3).await;
                let _ = lease::acquire(&db, LEASE, &holder, LEASE_TTL).await;
            }
        })
    };
    let built = async {
        let docs = state
            .documents
            .all(&state.db)
            .await
            .map_err(anyhow::Error::from)?;
        let count = docs.len();
        state.search.rebuild(docs).await?;
        anyhow::Ok(count)
    }
    .await;
    renew.abort();
    built
}

/// An index found empty at start, or lost while running, is rebuilt: a
/// shared one by the instance holding the outbox (asked through it), this
/// instance's own one here, under its drain lock, so no change of this
/// instance's is applied meanwhile and lost to the switch.
async fn refill(state: &AppState) -> anyhow::Result<()> {
    if state.search.shared() {
        outbox::request_rebuild(&state.db).await?;
    } else {
        let _running = state.jobs.draining.lock().await;
        let count = rebuild_now(state).await?;
        tracing::info!(documents = count, "search index filled from the database");
    }
    Ok(())
}

/// What a row asks of the index, from the document's current state.
async fn op_for(state: &AppState, row: &search_outbox::Model) -> anyhow::Result<IndexOp> {
    let kind = DocKind::parse(&row.kind)
        .ok_or_else(|| anyhow::anyhow!("unknown document kind {:?}", row.kind))?;
    Ok(state
        .documents
        .current(&state.db, kind, &row.doc_id)
        .await?)
}

/// Counts a failed attempt on these rows and makes them wait (2^attempts
/// seconds, at most five minutes); returns the wait.
async fn postpone(state: &AppState, rows: &[search_outbox::Model]) -> anyhow::Result<i64> {
    if rows.is_empty() {
        return Ok(0);
    }
    let attempts = rows.iter().map(|r| r.attempts).max().unwrap_or(0) + 1;
    let wait = Ord::min(2i64.saturating_pow(Ord::clamp(attempts, 0, 8) as u32), 300);
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    search_outbox::Entity::update_many()
        .col_expr(
            search_outbox::Column::Attempts,
            Expr::col(search_outbox::Column::Attempts).add(1),
        )
        .col_expr(
            search_outbox::Column::NextAttemptAt,
            Expr::value(Utc::now() + chrono::Duration::seconds(wait)),
        )
        .filter(search_outbox::Column::Id.is_in(ids))
        .exec(&state.db)
        .await?;
    Ok(wait)
}

/// Retries `attempt` with backoff (0.5 s doubling to 30 s) until it works.
async fn retry<T, F: Future<Output = anyhow::Result<T>>>(
    what: &str,
    mut attempt: impl FnMut() -> F,
) -> T {
    let mut wait = Duration::from_millis(500);
    loop {
        match attempt().await {
            Ok(done) => return done,
            Err(err) => {
                tracing::warn!(error = %format!("{err:#}"), retry_in_ms = wait.as_millis() as u64, "{what}");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(30));
            }
        }
    }
}

/// Runs [`drain`] in the background, twice a second, after getting the
/// engine ready (its index settings are applied at start, retried while it
/// is down) and filling it if it starts empty (see
/// [`SearchIndex::needs_rebuild`](crate::platform::search_index::SearchIndex::needs_rebuild)).
pub fn spawn_worker(state: AppState) {
    tokio::spawn(async move {
        retry("search engine not ready", || state.search.prepare()).await;
        if state.search.needs_rebuild().await {
            retry("filling the search index", || refill(&state)).await;
        }
        let mut tick = tokio::time::interval(Duration::from_millis(500));
        loop {
            tick.tick().await;
            if state.search.take_lost() {
                retry("refilling the search index", || refill(&state)).await;
            }
            if let Err(err) = drain(&state).await {
                tracing::warn!(error = %format!("{err:#}"), "search outbox worker");
            }
        }
    });
}

/// `agora reindex`: asks for a rebuild and, if this process can take the
/// outbox (no server holds it), does it now: `Some(documents)`. Beside a
/// running server, `None`: the server rebuilds at its next tick. Either
/// way the index is built aside and switched in, so searches meanwhile
/// see the old one.
pub async fn reindex(state: &AppState) -> anyhow::Result<Option<usize>> {
    let _running = state.jobs.draining.lock().await;
    if !lease::acquire(&state.db, LEASE, &state.jobs.instance, LEASE_TTL).await? {
        outbox::request_rebuild(&state.db).await?;
        return Ok(None);
    }
    let started = Utc::now();
    let built = rebuild_now(state).await;
    // A server started meanwhile takes the outbox at once, not when the
    // lease lapses, and applies what was queued during the rebuild.
    lease::release(&state.db, LEASE, &state.jobs.instance).await?;
    let count = built?;
    // Requests made before this rebuild began are answered by it.
    search_outbox::Entity::delete_many()
        .filter(search_outbox::Column::Kind.eq(outbox::REBUILD))
        .filter(search_outbox::Column::CreatedAt.lte(started))
        .exec(&state.db)
        .await?;
    Ok(Some(count))
}

/// After a purge: the index applies the deletions now, and compacts so
/// that erased values leave its files.
pub struct IndexHook;

#[async_trait::async_trait]
impl crate::privacy::registry::ErasureHook for IndexHook {
    async fn purged(&self, state: &AppState) -> anyhow::Result<()> {
        drain(state).await?;
        // Compact now, for what this drain applied; and ask the outbox's
        // holder to compact again once every deletion queued before this
        // request is applied: this drain may not have held the outbox (a
        // purge beside a running server, another instance), or left rows
        // waiting out a backoff, and the embedded index may be busy.
        if let Err(err) = state.search.compact().await {
            tracing::info!(error = %format!("{err:#}"), "search index busy; its holder will compact it");
        }
        crate::platform::outbox::request_compaction(&state.db).await?;
        Ok(())
    }
}
