//! The purge: deregistrations whose cooling-off is over are carried out
//! through the registry, and every retention rule runs. Inside `serve` it
//! runs periodically; `agora purge` runs it once. One instance at a time
//! (a lease); idempotent; it logs counts, never values.
use std::{collections::HashSet, time::Duration};

use anyhow::Context;
use chrono::Utc;
use entity::{deregistrations, users};
use sea_orm::{
    sea_query::Expr, ColumnTrait, EntityTrait, QueryFilter, QuerySelect, TransactionTrait,
};

use crate::{
    platform::{db, lease},
    privacy::registry::{AfterCommit, Erasure, Registries, Scope},
    state::AppState,
};

const LEASE: &str = "purge";
const LEASE_TTL: Duration = Duration::from_secs(600);

#[derive(Debug, Default)]
pub struct PurgeReport {
    /// Deregistrations carried out completely.
    pub completed: usize,
    /// Deregistrations carried out but for content under an open report.
    pub holding: usize,
    /// Deregistrations and retention rules that failed (logged with their
    /// cause; the next run tries again).
    pub failed: usize,
    /// Rows each retention rule removed.
    pub retention: Vec<(&'static str, u64)>,
    /// False when another instance was purging.
    pub ran: bool,
}

pub async fn run(state: &AppState, registries: &Registries) -> anyhow::Result<PurgeReport> {
    let mut report = PurgeReport::default();
    let _running = state.jobs.purging.lock().await;
    if !lease::acquire(&state.db, LEASE, &state.jobs.instance, LEASE_TTL).await? {
        return Ok(report);
    }
    report.ran = true;
    let result = purge_holding_lease(state, registries, &mut report).await;
    // Released whatever happened: a failed run must not keep the next
    // instance waiting for the lease to expire.
    let released = lease::release(&state.db, LEASE, &state.jobs.instance).await;
    result?;
    released?;
    tracing::info!(
        completed = report.completed,
        holding = report.holding,
        failed = report.failed,
        retention = ?report.retention,
        "purge ran"
    );
    Ok(report)
}

async fn purge_holding_lease(
    state: &AppState,
    registries: &Registries,
    report: &mut PurgeReport,
) -> anyhow::Result<()> {
    // Ids first, each row read on its own: one the code cannot read (an
    // unknown stored scope) fails loudly without holding up the others.
    let due: Vec<String> = deregistrations::Entity::find()
        .select_only()
        .column(deregistrations::Column::Id)
        .filter(deregistrations::Column::CompletedAt.is_null())
        .filter(deregistrations::Column::CancelledAt.is_null())
        .filter(deregistrations::Column::EffectiveAt.lte(Utc::now()))
        .into_tuple()
        .all(&state.db)
        .await?;
    // One failing deregistration or rule must not stop the others.
    for id in due {
        let outcome = match deregistrations::Entity::find_by_id(id.clone())
            .one(&state.db)
            .await
        {
            Ok(Some(d)) => carry_out(state, registries, &d).await,
            Ok(None) => continue,
            Err(err) => Err(err.into()),
        };
        match outcome {
            Ok(true) => report.completed += 1,
            Ok(false) => report.holding += 1,
            Err(err) => {
                report.failed += 1;
                tracing::error!(deregistration = %id, error = %format!("{err:#}"), "deregistration not carried out");
            }
        }
    }
    for rule in registries.retention.rules() {
        match rule.run(state).await {
            Ok(after) => {
                if after.rows > 0 || !after.media_keys.is_empty() {
                    after_commit(state, registries, &after).await;
                }
                report.retention.push((rule.name(), after.rows));
            }
            Err(err) => {
                report.failed += 1;
                tracing::error!(rule = rule.name(), error = %format!("{err:#}"), "retention rule failed");
            }
        }
    }
    // Derived stores (the search index) let go of what was erased.
    // A failing one is counted and logged; the others still run, and the
    // checkpoint and the lease's release are not skipped.
    for hook in &registries.hooks {
        if let Err(err) = hook.purged(state).await {
            report.failed += 1;
            tracing::error!(error = %format!("{err:#}"), "a derived store did not let go of erased data");
        }
    }
    db::checkpoint(&state.db).await?;
    Ok(())
}

/// Erases one user's data for their request; true when nothing is held.
async fn carry_out(
    state: &AppState,
    registries: &Registries,
    d: &deregistrations::Model,
) -> anyhow::Result<bool> {
    let Some(user) = d.user_id.clone() else {
        return Ok(true);
    };
    let mut held: HashSet<(String, String)> = HashSet::new();
    for hook in &registries.hooks {
        held.extend(hook.held(state, &user).await.context("held content")?);
    }
    let done = held.is_empty();
    let erasure = Erasure {
        user: user.clone(),
        scope: d.scope.into(),
        content: d.content.into(),
        held,
    };
    let txn = state.db.begin().await?;
    let mut after = AfterCommit::default();
    for owner in registries.personal_data.owners() {
        after.extend(
            owner
                .erase(state, &txn, &erasure)
                .await
                .with_context(|| format!("erasing {:?}", owner.tables()))?,
        );
    }
    if done {
        deregistrations::Entity::update_many()
            .col_expr(
                deregistrations::Column::CompletedAt,
                Expr::value(Some(Utc::now())),
            )
            .col_expr(
                deregistrations::Column::UserId,
                Expr::value(Option::<String>::None),
            )
            .filter(deregistrations::Column::Id.eq(d.id.as_str()))
            .exec(&txn)
            .await?;
        if erasure.scope == Scope::Service {
            users::Entity::update_many()
                .col_expr(
                    users::Column::DeregisterAt,
                    Expr::value(Option::<chrono::DateTime<Utc>>::None),
                )
                .filter(users::Column::Id.eq(user.as_str()))
                .exec(&txn)
                .await?;
        }
    }
    txn.commit().await?;
    after_commit(state, registries, &after).await;
    tracing::info!(
        deregistration = %d.id,
        scope = Scope::from(d.scope).as_str(),
        files = after.media_keys.len(),
        held = erasure.held.len(),
        "deregistration carried out"
    );
    Ok(done)
}

/// Once an erasure committed (a deregistration, a withdrawal): the files
/// go from the media store and the areas drop what they derived.
pub async fn after_commit(state: &AppState, registries: &Registries, after: &AfterCommit) {
    for key in &after.media_keys {
        if let Err(err) = state.media.delete(key).await {
            tracing::warn!(error = %format!("{err:#}"), "erased upload's file not deleted");
        }
    }
    for hook in &registries.hooks {
        hook.erased(state, after).await;
    }
    for fact in &after.facts {
        state.facts.publish(state, fact.clone()).await;
    }
    if after.rows > 0 {
        db::checkpoint_soon(&state.db);
    }
}

/// Runs [`run`] every `purge_interval` inside `serve`.
pub fn spawn(state: AppState, registries: Registries) {
    tokio::spawn(async move {
        let every = state.config.purge_interval;
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        loop {
            tick.tick().await;
            if let Err(err) = run(&state, &registries).await {
                tracing::warn!(error = %format!("{err:#}"), "purge failed");
            }
        }
    });
}
