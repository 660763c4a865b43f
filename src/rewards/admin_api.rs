//! `/admin/rewards`: admins define tasks and correct ledgers.
use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    param::Path, payload::Json, types::MaybeUndefined, ApiResponse, Object, OpenApi,
};
use sea_orm::TransactionTrait;

use super::{
    api::task_view,
    ledger::{self, Entry},
    refusals::Refusal,
    tasks::{self, TaskInput},
    views::{LedgerEntryView, TaskKind, TaskView},
};
use entity::enums::StaffAction;

use crate::{
    api::{patch_field, reason::Reason, ApiTags, JsonBody},
    error::AppResult,
    identity::AdminAuth,
    ids::{PartnerId, TaskId, UserId},
    privacy::access::{self, StaffRecord},
    state::AppState,
};

pub struct AdminRewardsApi;

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct NewTask {
    /// privacy: not personal
    pub kind: TaskKind,
    /// For a `partner` task (and only for one): whose app or game.
    /// privacy: not personal
    pub partner_id: Option<PartnerId>,
    /// Credits per user per day; absent: 1 (a check-in is always 1).
    /// privacy: not personal
    #[oai(validator(minimum(value = "1"), maximum(value = "50")))]
    pub per_day: Option<i32>,
    /// Credits per user ever; absent: no limit but the daily one (a
    /// partner's task: once).
    /// privacy: not personal
    #[oai(validator(minimum(value = "1"), maximum(value = "100000")))]
    pub per_user_ever: Option<i32>,
    /// privacy: not personal
    #[oai(validator(min_length = 1, max_length = 80, pattern = r"\S"))]
    pub title: String,
    /// privacy: not personal
    #[oai(validator(max_length = 1000))]
    pub description: String,
    /// Coins each completion earns.
    /// privacy: not personal
    #[oai(validator(minimum(value = "1"), maximum(value = "10000")))]
    pub coins: i64,
    /// Absent: from now.
    /// privacy: not personal
    pub starts_at: Option<DateTime<Utc>>,
    /// After `starts_at`; absent: until changed.
    /// privacy: not personal
    pub ends_at: Option<DateTime<Utc>>,
}

impl poem_openapi::types::Example for NewTask {
    fn example() -> Self {
        Self {
            kind: TaskKind::CheckIn,
            partner_id: None,
            per_day: None,
            per_user_ever: None,
            title: "Daily check-in".into(),
            description: "Check in once a day.".into(),
            coins: 5,
            starts_at: None,
            ends_at: None,
        }
    }
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct TaskPatch {
    /// privacy: not personal
    #[oai(validator(min_length = 1, max_length = 80, pattern = r"\S"))]
    pub title: Option<String>,
    /// privacy: not personal
    #[oai(validator(max_length = 1000))]
    pub description: Option<String>,
    /// privacy: not personal
    #[oai(validator(minimum(value = "1"), maximum(value = "10000")))]
    pub coins: Option<i64>,
    /// privacy: not personal
    pub starts_at: Option<DateTime<Utc>>,
    /// After `starts_at`; `null`: no end.
    /// privacy: not personal
    pub ends_at: MaybeUndefined<DateTime<Utc>>,
}

impl poem_openapi::types::Example for TaskPatch {
    fn example() -> Self {
        Self {
            title: None,
            description: None,
            coins: Some(10),
            starts_at: None,
            ends_at: MaybeUndefined::Undefined,
        }
    }
}

#[derive(Debug, Object)]
#[oai(example)]
pub struct LedgerCorrection {
    /// Whose ledger.
    /// privacy: not personal
    pub user_id: UserId,
    /// An idempotency key of the admin's choosing: the same correction
    /// sent again (a retry) is refused with 409 `already_done`, never
    /// applied twice.
    /// privacy: not personal
    #[oai(validator(min_length = 1, max_length = 64, pattern = r"^[A-Za-z0-9._:-]+$"))]
    pub client_id: String,
    /// Coins to add (positive) or take back (negative), never zero; the
    /// balance never goes below zero.
    /// privacy: not personal
    #[oai(validator(minimum(value = "-1000000"), maximum(value = "1000000")))]
    pub amount: i64,
    /// Why: the user reads it in their ledger, and it goes to the audit
    /// log.
    /// privacy: not personal
    pub reason: Reason,
}

impl poem_openapi::types::Example for LedgerCorrection {
    fn example() -> Self {
        Self {
            user_id: UserId::from_stored(crate::api::examples::id("UserId")),
            client_id: "ticket-4711".into(),
            amount: -50,
            reason: Reason::from_static("Coins from a check-in script, taken back."),
        }
    }
}

#[derive(ApiResponse)]
pub enum TaskCreated {
    /// Defined.
    #[oai(status = 201)]
    Created(Json<TaskView>),
}

#[derive(ApiResponse)]
pub enum TaskUpdated {
    /// The task as it is now.
    #[oai(status = 200)]
    Ok(Json<TaskView>),
}

#[derive(ApiResponse)]
pub enum Corrected {
    /// The reversal entry.
    #[oai(status = 201)]
    Created(Json<LedgerEntryView>),
}

#[OpenApi(prefix_path = "/admin/rewards", tag = "ApiTags::Admin")]
impl AdminRewardsApi {
    /// Define a task (admin).
    #[oai(
        path = "/tasks",
        method = "post",
        operation_id = "admin_create_reward_task"
    )]
    async fn create(
        &self,
        state: Data<&AppState>,
        admin: AdminAuth,
        body: JsonBody<NewTask>,
    ) -> AppResult<TaskCreated> {
        let what = format!("defined: {}", body.sent_fields());
        let b = body.0;
        let input = TaskInput {
            kind: Some(b.kind.into()),
            partner: b.partner_id.map(PartnerId::into_inner),
            per_day: b.per_day,
            per_user_ever: b.per_user_ever,
            title: Some(b.title),
            description: Some(b.description),
            coins: Some(b.coins),
            starts_at: b.starts_at,
            ends_at: Some(b.ends_at),
        };
        let txn = state.db.begin().await?;
        let task = tasks::create(&txn, input).await?;
        let target = ("reward_task", task.id.as_str());
        access::record_change(
            &txn,
            admin.0.id.as_str(),
            StaffAction::Create,
            target,
            &what,
        )
        .await?;
        txn.commit().await?;
        Ok(TaskCreated::Created(Json(task_view(task, None))))
    }

    /// Edit a task (admin).
    #[oai(
        path = "/tasks/:id",
        method = "patch",
        operation_id = "admin_update_reward_task"
    )]
    async fn update(
        &self,
        state: Data<&AppState>,
        admin: AdminAuth,
        /// privacy: not personal
        id: Path<TaskId>,
        body: JsonBody<TaskPatch>,
    ) -> AppResult<TaskUpdated> {
        let what = format!("changed: {}", body.sent_fields());
        let b = body.0;
        let input = TaskInput {
            kind: None,
            partner: None,
            per_day: None,
            per_user_ever: None,
            title: b.title,
            description: b.description,
            coins: b.coins,
            starts_at: b.starts_at,
            ends_at: patch_field(b.ends_at),
        };
        let txn = state.db.begin().await?;
        let task = tasks::update(&txn, &id.0, input).await?;
        let target = ("reward_task", task.id.as_str());
        access::record_change(
            &txn,
            admin.0.id.as_str(),
            StaffAction::Update,
            target,
            &what,
        )
        .await?;
        txn.commit().await?;
        Ok(TaskUpdated::Ok(Json(task_view(task, None))))
    }

    /// Correct a user's ledger with a reversal entry, saying why; in the
    /// audit log (admin).
    #[oai(
        path = "/ledger-corrections",
        method = "post",
        operation_id = "admin_correct_ledger"
    )]
    async fn correct(
        &self,
        state: Data<&AppState>,
        admin: AdminAuth,
        body: JsonBody<LedgerCorrection>,
    ) -> AppResult<Corrected> {
        let b = body.0;
        if b.amount == 0 {
            return Err(Refusal::ZeroAmount.into());
        }
        let user = b.user_id.as_str();
        if crate::identity::profiles::existing(&state.db, vec![user.to_owned()])
            .await?
            .is_empty()
        {
            return Err(Refusal::UnknownUser.into());
        }
        let (staff, reason) = (admin.0.id.as_str(), b.reason.as_str().trim());
        let txn = state.db.begin().await?;
        let entry = ledger::post(
            &txn,
            Entry {
                user,
                kind: entity::enums::LedgerKind::Reversal,
                amount: b.amount,
                task: None,
                claim: None,
                key: format!("correction:{staff}:{}", b.client_id),
                reason: Some(reason),
                staff: Some(staff),
            },
        )
        .await?;
        access::record(
            &txn,
            StaffRecord {
                staff,
                subject: user,
                action: entity::enums::StaffAction::Correct,
                target: ("coin_ledger", &entry.id),
                purpose: "rewards",
                items: vec!["coin_ledger"],
                reason,
                operation_id: "admin_correct_ledger",
            },
        )
        .await?;
        txn.commit().await?;
        Ok(Corrected::Created(Json(LedgerEntryView::of(entry))))
    }
}
