//! Durable index sync: every change to a post, profile or circle writes an
//! outbox row in its own transaction; this worker applies the rows to the
//! index from the current database state, retrying with backoff, so an
//! engine outage loses nothing and catches up when it returns.
use std::time::Duration;

use chrono::Utc;
use entity::{circles, posts, search_outbox, users};
use sea_orm::{
    sea_query::Expr, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait,
    QueryFilter, QueryOrder, QuerySelect,
};

use crate::{
    error::AppResult,
    platform::search_index::{Doc, DocKind, IndexOp},
    state::AppState,
};

const BATCH: u64 = 200;

/// Records that `id` of `kind` changed; call inside the change's transaction.
pub async fn enqueue(db: &impl ConnectionTrait, kind: DocKind, id: &str) -> AppResult<()> {
    let now = Utc::now();
    search_outbox::Entity::insert(search_outbox::ActiveModel {
        id: Set(uuid::Uuid::now_v7().to_string()),
        kind: Set(kind.as_str().into()),
        doc_id: Set(id.to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        created_at: Set(now),
    })
    .exec(db)
    .await?;
    Ok(())
}

/// What the index should hold for a document now: it, or nothing.
async fn current(db: &impl ConnectionTrait, kind: DocKind, id: &str) -> AppResult<IndexOp> {
    let doc = match kind {
        DocKind::Post => posts::Entity::find_by_id(id.to_owned())
            .one(db)
            .await?
            .filter(|p| !p.hidden && p.deleted_at.is_none())
            .map(|p| Doc {
                kind,
                id: p.id,
                title: p.title,
                body: p.body,
                circle_id: p.circle_id,
                created_at: p.created_at,
            }),
        DocKind::User => users::Entity::find_by_id(id.to_owned())
            .one(db)
            .await?
            .map(|u| Doc {
                kind,
                id: u.id,
                title: u.nickname,
                body: u.signature.unwrap_or_default(),
                circle_id: None,
                created_at: u.created_at,
            }),
        DocKind::Circle => circles::Entity::find_by_id(id.to_owned())
            .one(db)
            .await?
            .map(|c| Doc {
                kind,
                id: c.id,
                title: c.name,
                body: c.description,
                circle_id: None,
                created_at: c.created_at,
            }),
    };
    Ok(match doc {
        Some(doc) => IndexOp::Upsert(doc),
        None => IndexOp::Delete(kind, id.to_owned()),
    })
}

/// Applies every due row; returns how many were applied.
pub async fn drain(state: &AppState) -> anyhow::Result<usize> {
    let mut applied = 0;
    loop {
        let rows = search_outbox::Entity::find()
            .filter(search_outbox::Column::NextAttemptAt.lte(Utc::now()))
            .order_by_asc(search_outbox::Column::Id)
            .limit(BATCH)
            .all(&state.db)
            .await?;
        if rows.is_empty() {
            return Ok(applied);
        }
        let mut ops = Vec::new();
        for row in &rows {
            if let Some(kind) = DocKind::parse(&row.kind) {
                ops.push(
                    current(&state.db, kind, &row.doc_id)
                        .await
                        .map_err(|e| anyhow::anyhow!("{e}"))?,
                );
            }
        }
        let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
        match state.search.apply(ops).await {
            Ok(()) => {
                search_outbox::Entity::delete_many()
                    .filter(search_outbox::Column::Id.is_in(ids))
                    .exec(&state.db)
                    .await?;
                applied += rows.len();
            }
            Err(err) => {
                let attempts = rows.iter().map(|r| r.attempts).max().unwrap_or(0) + 1;
                let wait = Ord::min(2i64.saturating_pow(Ord::clamp(attempts, 0, 8) as u32), 300);
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
                tracing::warn!(error = %err, rows = rows.len(), retry_in_s = wait, "search index update failed");
                return Ok(applied);
            }
        }
    }
}

/// Runs [`drain`] in the background, twice a second, after getting the
/// engine ready (its index settings are applied at start, retried while it
/// is down).
pub fn spawn_worker(state: AppState) {
    tokio::spawn(async move {
        let mut wait = Duration::from_millis(500);
        while let Err(err) = state.search.prepare().await {
            tracing::warn!(error = %err, retry_in_ms = wait.as_millis() as u64, "search engine not ready");
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(Duration::from_secs(30));
        }
        let mut tick = tokio::time::interval(Duration::from_millis(500));
        loop {
            tick.tick().await;
            if let Err(err) = drain(&state).await {
                tracing::warn!(error = %err, "search outbox worker");
            }
        }
    });
}

/// `agora reindex`: rebuilds the whole index from the database.
pub async fn reindex(state: &AppState) -> anyhow::Result<usize> {
    state.search.clear().await?;
    let mut ops = Vec::new();
    for c in circles::Entity::find().all(&state.db).await? {
        ops.push(
            current(&state.db, DocKind::Circle, &c.id)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?,
        );
    }
    for u in users::Entity::find().all(&state.db).await? {
        ops.push(
            current(&state.db, DocKind::User, &u.id)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?,
        );
    }
    let visible = posts::Entity::find()
        .filter(posts::Column::Hidden.eq(false))
        .filter(posts::Column::DeletedAt.is_null())
        .all(&state.db)
        .await?;
    for p in visible {
        ops.push(IndexOp::Upsert(Doc {
            kind: DocKind::Post,
            id: p.id,
            title: p.title,
            body: p.body,
            circle_id: p.circle_id,
            created_at: p.created_at,
        }));
    }
    let count = ops.len();
    for chunk in ops.chunks(1000) {
        state.search.apply(chunk.to_vec()).await?;
    }
    Ok(count)
}
