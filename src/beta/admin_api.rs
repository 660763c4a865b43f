//! `/admin/beta/programs`: admins open and edit beta programs.
use chrono::{DateTime, Utc};
use entity::enums::StaffAction;
use poem::web::Data;
use poem_openapi::{
    param::Path, payload::Json, types::MaybeUndefined, ApiResponse, Object, OpenApi,
};
use sea_orm::TransactionTrait;

use super::{
    api::views,
    store::{self, ProgramInput},
    views::{BetaProgramView, WatchedApp},
};
use crate::{
    api::{
        patch_field,
        text::{DeviceModelName, QuestionText},
        ApiTags, JsonBody,
    },
    error::AppResult,
    identity::AdminAuth,
    ids::BetaProgramId,
    privacy::access,
    state::AppState,
};

pub struct AdminBetaApi;

fn texts<T>(items: Vec<T>, inner: fn(T) -> String) -> Vec<String> {
    items.into_iter().map(inner).collect()
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct NewBetaProgram {
    /// privacy: not personal
    #[oai(validator(min_length = 1, max_length = 120, pattern = r"\S"))]
    pub name: String,
    /// privacy: not personal
    #[oai(validator(max_length = 5000))]
    pub description: String,
    /// The device models it tests (matched without regard to case).
    /// privacy: not personal
    #[oai(validator(min_items = 1, max_items = 50))]
    pub device_models: Vec<DeviceModelName>,
    /// privacy: not personal
    #[oai(validator(minimum(value = "1"), maximum(value = "100000")))]
    pub capacity: i32,
    /// privacy: not personal
    pub opens_at: DateTime<Utc>,
    /// privacy: not personal
    pub closes_at: DateTime<Utc>,
    /// privacy: not personal
    pub ends_at: DateTime<Utc>,
    /// Screening questions, each answered in order.
    /// privacy: not personal
    #[oai(default, validator(max_items = 10))]
    pub questions: Vec<QuestionText>,
    /// Why the program needs the installed-apps list; without it the
    /// program does not ask. Applicants read it.
    /// privacy: not personal
    #[oai(validator(min_length = 1, max_length = 500, pattern = r"\S"))]
    pub installed_apps_reason: Option<String>,
    /// The apps the list is checked for (needs the reason above).
    /// privacy: not personal
    #[oai(default, validator(max_items = 100))]
    pub watched_apps: Vec<WatchedApp>,
    /// privacy: not personal
    #[oai(validator(minimum(value = "0"), maximum(value = "100")))]
    pub min_level: Option<i32>,
    /// privacy: not personal
    #[oai(validator(minimum(value = "0"), maximum(value = "36500")))]
    pub min_account_days: Option<i32>,
}

impl poem_openapi::types::Example for NewBetaProgram {
    fn example() -> Self {
        let view = <BetaProgramView as poem_openapi::types::Example>::example();
        Self {
            name: view.name,
            description: view.description,
            device_models: vec![
                DeviceModelName::from_static("Xiaomi 15"),
                DeviceModelName::from_static("Xiaomi 15 Pro"),
            ],
            capacity: view.capacity,
            opens_at: view.opens_at,
            closes_at: view.closes_at,
            ends_at: view.ends_at,
            questions: vec![QuestionText::from_static(
                "How do you use your phone every day?",
            )],
            installed_apps_reason: view.installed_apps_reason,
            watched_apps: view.watched_apps,
            min_level: view.min_level,
            min_account_days: view.min_account_days,
        }
    }
}

/// A change to a program: only the fields sent change; `null` clears an
/// optional one.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct BetaProgramPatch {
    /// privacy: not personal
    #[oai(validator(min_length = 1, max_length = 120, pattern = r"\S"))]
    pub name: Option<String>,
    /// privacy: not personal
    #[oai(validator(max_length = 5000))]
    pub description: Option<String>,
    /// privacy: not personal
    #[oai(validator(min_items = 1, max_items = 50))]
    pub device_models: Option<Vec<DeviceModelName>>,
    /// Never below the testers approved; more places move the waiting list
    /// up.
    /// privacy: not personal
    #[oai(validator(minimum(value = "1"), maximum(value = "100000")))]
    pub capacity: Option<i32>,
    /// privacy: not personal
    pub opens_at: Option<DateTime<Utc>>,
    /// privacy: not personal
    pub closes_at: Option<DateTime<Utc>>,
    /// privacy: not personal
    pub ends_at: Option<DateTime<Utc>>,
    /// Fixed once someone answered them.
    /// privacy: not personal
    #[oai(validator(max_items = 10))]
    pub questions: Option<Vec<QuestionText>>,
    /// privacy: not personal
    #[oai(validator(min_length = 1, max_length = 500, pattern = r"\S"))]
    pub installed_apps_reason: MaybeUndefined<String>,
    /// privacy: not personal
    #[oai(validator(max_items = 100))]
    pub watched_apps: Option<Vec<WatchedApp>>,
    /// privacy: not personal
    #[oai(validator(minimum(value = "0"), maximum(value = "100")))]
    pub min_level: MaybeUndefined<i32>,
    /// privacy: not personal
    #[oai(validator(minimum(value = "0"), maximum(value = "36500")))]
    pub min_account_days: MaybeUndefined<i32>,
}

impl poem_openapi::types::Example for BetaProgramPatch {
    fn example() -> Self {
        Self {
            name: None,
            description: None,
            device_models: None,
            capacity: Some(800),
            opens_at: None,
            closes_at: None,
            ends_at: None,
            questions: None,
            installed_apps_reason: MaybeUndefined::Undefined,
            watched_apps: None,
            min_level: MaybeUndefined::Null,
            min_account_days: MaybeUndefined::Undefined,
        }
    }
}

#[derive(ApiResponse)]
pub enum ProgramCreated {
    /// Opened.
    #[oai(status = 201)]
    Created(Json<BetaProgramView>),
}

#[derive(ApiResponse)]
pub enum ProgramUpdated {
    /// The program as it is now.
    #[oai(status = 200)]
    Ok(Json<BetaProgramView>),
}

#[OpenApi(prefix_path = "/admin/beta/programs", tag = "ApiTags::Admin")]
impl AdminBetaApi {
    /// Open a beta program (admin).
    #[oai(
        path = "/",
        method = "post",
        operation_id = "admin_create_beta_program"
    )]
    async fn create(
        &self,
        state: Data<&AppState>,
        admin: AdminAuth,
        body: JsonBody<NewBetaProgram>,
    ) -> AppResult<ProgramCreated> {
        let what = format!("defined: {}", body.sent_fields());
        let b = body.0;
        let input = ProgramInput {
            name: Some(b.name),
            description: Some(b.description),
            device_models: Some(texts(b.device_models, DeviceModelName::into_inner)),
            capacity: Some(b.capacity),
            opens_at: Some(b.opens_at),
            closes_at: Some(b.closes_at),
            ends_at: Some(b.ends_at),
            questions: Some(texts(b.questions, QuestionText::into_inner)),
            installed_apps_reason: Some(b.installed_apps_reason),
            watched_apps: Some(b.watched_apps),
            min_level: Some(b.min_level),
            min_account_days: Some(b.min_account_days),
        };
        let txn = state.db.begin().await?;
        let program = store::create(&txn, &state.gates, input).await?;
        let target = ("beta_program", program.id.as_str());
        let admin = admin.0.id.as_str();
        access::record_change(&txn, admin, StaffAction::Create, target, &what).await?;
        txn.commit().await?;
        let view = views(&state.db, vec![program]).await?.remove(0);
        Ok(ProgramCreated::Created(Json(view)))
    }

    /// Edit a beta program (admin).
    #[oai(
        path = "/:id",
        method = "patch",
        operation_id = "admin_update_beta_program"
    )]
    async fn update(
        &self,
        state: Data<&AppState>,
        admin: AdminAuth,
        /// privacy: not personal
        id: Path<BetaProgramId>,
        body: JsonBody<BetaProgramPatch>,
    ) -> AppResult<ProgramUpdated> {
        let what = format!("changed: {}", body.sent_fields());
        let b = body.0;
        let input = ProgramInput {
            name: b.name,
            description: b.description,
            device_models: b
                .device_models
                .map(|m| texts(m, DeviceModelName::into_inner)),
            capacity: b.capacity,
            opens_at: b.opens_at,
            closes_at: b.closes_at,
            ends_at: b.ends_at,
            questions: b.questions.map(|q| texts(q, QuestionText::into_inner)),
            installed_apps_reason: patch_field(b.installed_apps_reason),
            watched_apps: b.watched_apps,
            min_level: patch_field(b.min_level),
            min_account_days: patch_field(b.min_account_days),
        };
        let txn = state.db.begin().await?;
        // Held like a decision: capacity and questions change under no one.
        store::hold(&txn, &id.0).await?;
        let program = store::update(&txn, &id.0, input).await?;
        // More places: the waiting list moves up into them.
        let promoted = super::review::promote(&txn, &id.0, None).await?;
        let target = ("beta_program", program.id.as_str());
        let admin = admin.0.id.as_str();
        access::record_change(&txn, admin, StaffAction::Update, target, &what).await?;
        txn.commit().await?;
        super::review_api::notify(&state, promoted).await;
        let view = views(&state.db, vec![program]).await?.remove(0);
        Ok(ProgramUpdated::Ok(Json(view)))
    }
}
