//! Applications as personal data: exported with what I gave, deleted with
//! the account (a tester's place going to the waiting list), withdrawn and
//! erased when `beta_program` is withdrawn, and deleted the configured
//! period (at most the catalog's 90 days) after the program ends.
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use entity::{beta_applications as apps, beta_programs as programs, enums::BetaStatus};
use sea_orm::{
    sea_query::Expr, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde_json::Value;

use super::{
    applications,
    views::{BetaApplicationDetails, BetaStatus as Status, Screening},
};
use crate::{
    error::{AppError, AppResult},
    ids::{BetaProgramId, UserId},
    platform::facts::Fact,
    privacy::{
        consents::WithdrawalEraser,
        registry::{AfterCommit, Erasure, PersonalData, Section},
        retention::{period, RetentionRule},
    },
    state::AppState,
};

/// One application of mine, with what I gave, in the export.
#[derive(Debug, poem_openapi::Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ExportedBetaApplication {
    pub id: String,
    pub program_id: String,
    pub program_name: Option<String>,
    pub status: Status,
    pub reason: Option<String>,
    pub screening: Screening,
    /// Absent once erased.
    pub details: Option<BetaApplicationDetails>,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub erased_at: Option<DateTime<Utc>>,
}

pub struct BetaData;

#[async_trait]
impl PersonalData for BetaData {
    fn sections(&self) -> Vec<Section> {
        vec![Section::of::<Vec<ExportedBetaApplication>>(
            "beta_applications",
        )]
    }

    fn items(&self) -> &'static [&'static str] {
        &["contact_phone", "device_model", "screening_answers"]
    }

    fn tables(&self) -> &'static [&'static str] {
        &["beta_applications"]
    }

    async fn export(
        &self,
        state: &AppState,
        user: &UserId,
    ) -> AppResult<Vec<(&'static str, Value)>> {
        let rows = apps::Entity::find()
            .filter(apps::Column::UserId.eq(user.as_str()))
            .order_by_asc(apps::Column::Id)
            .all(&state.db)
            .await?;
        let ids: Vec<String> = rows.iter().map(|r| r.program_id.clone()).collect();
        let names: std::collections::HashMap<String, String> = programs::Entity::find()
            .filter(programs::Column::Id.is_in(ids))
            .all(&state.db)
            .await?
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect();
        let mut items = Vec::with_capacity(rows.len());
        for r in rows {
            items.push(ExportedBetaApplication {
                details: applications::open_details(state, &r)?,
                screening: applications::screening(&r)?,
                program_name: names.get(&r.program_id).cloned(),
                id: r.id,
                program_id: r.program_id,
                status: r.status.into(),
                reason: r.reason,
                created_at: r.created_at,
                decided_at: r.decided_at,
                erased_at: r.erased_at,
            });
        }
        Ok(vec![Section::value("beta_applications", &items)])
    }

    async fn erase(
        &self,
        _state: &AppState,
        txn: &DatabaseTransaction,
        erasure: &Erasure,
    ) -> AppResult<AfterCommit> {
        Ok(told(leave_all(txn, erasure.user.as_str(), true).await?))
    }
}

/// The rows a leaving applicant's applications took, and a decision to
/// tell each applicant the waiting list moved up into their places.
fn told((rows, promoted): (u64, Vec<(String, String)>)) -> AfterCommit {
    let mut after = AfterCommit::rows(rows);
    after.facts = promoted
        .into_iter()
        .map(|(user, application)| Fact::BetaApplicationDecided { user, application })
        .collect();
    after
}

/// The programs `user` has open applications to.
async fn open_programs(txn: &DatabaseTransaction, user: &str) -> AppResult<Vec<String>> {
    Ok(apps::Entity::find()
        .select_only()
        .column(apps::Column::ProgramId)
        .distinct()
        .filter(apps::Column::UserId.eq(user))
        .filter(apps::Column::Status.is_in(OPEN))
        .order_by_asc(apps::Column::ProgramId)
        .into_tuple()
        .all(txn)
        .await?)
}

const OPEN: [BetaStatus; 3] = [
    BetaStatus::Pending,
    BetaStatus::Approved,
    BetaStatus::Waitlisted,
];

/// Every application of `user` leaves, inside the caller's transaction:
/// deleted (`delete`), or withdrawn and erased; the places testers held go
/// to the waiting lists. The programs are held first, in one order, and
/// only then read, so that no decision slips in between. Answers the rows,
/// and whom the lists moved up.
async fn leave_all(
    txn: &DatabaseTransaction,
    user: &str,
    delete: bool,
) -> AppResult<(u64, Vec<(String, String)>)> {
    let mut held = std::collections::BTreeSet::new();
    loop {
        let programs = open_programs(txn, user).await?;
        let new: Vec<String> = programs.into_iter().filter(|p| !held.contains(p)).collect();
        if new.is_empty() {
            break;
        }
        for program in new {
            super::store::hold(txn, &BetaProgramId::from_stored(program.clone())).await?;
            held.insert(program);
        }
    }
    let tested: Vec<String> = apps::Entity::find()
        .select_only()
        .column(apps::Column::ProgramId)
        .filter(apps::Column::UserId.eq(user))
        .filter(apps::Column::Status.eq(BetaStatus::Approved))
        .into_tuple()
        .all(txn)
        .await?;
    let mine = apps::Column::UserId.eq(user);
    let rows = match delete {
        true => {
            apps::Entity::delete_many()
                .filter(mine)
                .exec(txn)
                .await?
                .rows_affected
        }
        false => {
            apps::Entity::update_many()
                .col_expr(apps::Column::Status, Expr::value(BetaStatus::Withdrawn))
                .col_expr(apps::Column::DecidedAt, Expr::value(Utc::now()))
                .filter(mine.clone())
                .filter(apps::Column::Status.is_in(OPEN))
                .exec(txn)
                .await?;
            applications::erase_where(txn, mine.into()).await?
        }
    };
    let mut promoted = Vec::new();
    for program in tested {
        let program = BetaProgramId::from_stored(program);
        promoted.extend(super::review::promote(txn, &program, None).await?);
    }
    Ok((rows, promoted))
}

/// A deregistration requested: what is still waiting for a decision (a
/// pending or waitlisted application) is withdrawn and what was given
/// erased at once; a tester's place stays until the erasure (a
/// cancellation would miss it), and goes to the waiting list then.
pub struct OnDeregistration;

#[async_trait]
impl crate::privacy::registry::ErasureHook for OnDeregistration {
    async fn requested(&self, txn: &DatabaseTransaction, user: &str) -> AppResult<()> {
        let waiting = sea_orm::Condition::all()
            .add(apps::Column::UserId.eq(user))
            .add(apps::Column::Status.is_in([BetaStatus::Pending, BetaStatus::Waitlisted]));
        let found: Vec<(String, String)> = apps::Entity::find()
            .select_only()
            .columns([apps::Column::ProgramId, apps::Column::Id])
            .filter(waiting.clone())
            .order_by_asc(apps::Column::ProgramId)
            .into_tuple()
            .all(txn)
            .await?;
        // Held in one order, like a decision holds its program: no decision
        // lands on an application between this read and the withdrawal.
        let programs: std::collections::BTreeSet<String> =
            found.iter().map(|(p, _)| p.clone()).collect();
        for program in programs {
            super::store::hold(txn, &BetaProgramId::from_stored(program)).await?;
        }
        let ids: Vec<String> = found.into_iter().map(|(_, id)| id).collect();
        if ids.is_empty() {
            return Ok(());
        }
        apps::Entity::update_many()
            .col_expr(apps::Column::Status, Expr::value(BetaStatus::Withdrawn))
            .col_expr(apps::Column::DecidedAt, Expr::value(Utc::now()))
            .filter(waiting)
            .filter(apps::Column::Id.is_in(ids.clone()))
            .exec(txn)
            .await?;
        // Only what this withdrew: an application staff approved in the
        // meantime is no longer waiting, and keeps what was given.
        let withdrawn = sea_orm::Condition::all()
            .add(apps::Column::Id.is_in(ids))
            .add(apps::Column::Status.eq(BetaStatus::Withdrawn));
        applications::erase_where(txn, withdrawn).await?;
        Ok(())
    }
}

/// Withdrawing `beta_program`: every open application of mine is withdrawn
/// and what I gave to any program erased at once.
pub struct BetaEraser;

#[async_trait]
impl WithdrawalEraser for BetaEraser {
    fn purpose(&self) -> &'static str {
        "beta_program"
    }
    async fn erase(&self, txn: &DatabaseTransaction, user_id: &str) -> AppResult<AfterCommit> {
        Ok(told(leave_all(txn, user_id, false).await?))
    }
}

/// The catalog's promise for `beta_program`: the applications to a program
/// are deleted the configured period (at most 90 days) after it ends.
pub struct AfterTheProgram;

#[async_trait]
impl RetentionRule for AfterTheProgram {
    fn name(&self) -> &'static str {
        "beta_applications"
    }
    async fn run(&self, state: &AppState) -> AppResult<AfterCommit> {
        let configured = chrono::Duration::from_std(state.config.beta_application_retention)
            .map_err(AppError::internal)?;
        let cutoff = Utc::now() - configured.min(period("beta_program")?);
        // Who was in a program's feedback circle says who tested: those
        // memberships go with the applications (the posts stay their
        // authors', as any post).
        let past: Vec<String> = programs::Entity::find()
            .select_only()
            .column(programs::Column::Id)
            .filter(programs::Column::EndsAt.lt(cutoff))
            .into_tuple()
            .all(&state.db)
            .await?;
        let mut rows = 0;
        for program in &past {
            let gate = crate::platform::gates::gate(super::gate::KIND, program);
            rows += state.gates.forget_members(&state.db, &gate).await?;
        }
        if past.is_empty() {
            return Ok(AfterCommit::rows(rows));
        }
        let done = apps::Entity::delete_many()
            .filter(apps::Column::ProgramId.is_in(past))
            .exec(&state.db)
            .await?;
        Ok(AfterCommit::rows(rows + done.rows_affected))
    }
}
