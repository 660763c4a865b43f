//! `/beta/programs` and `/me/beta-applications`.
use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    ApiResponse, Object, OpenApi,
};
use sea_orm::TransactionTrait;

use super::{
    applications::{self, Form},
    review, store,
    views::{BetaApplicationView, BetaProgramView},
};
use crate::{
    api::{
        check_limit,
        page::{split_page, Page},
        reason::Reason,
        text::{DeviceModelName, PackageName},
        ApiTags, JsonBody, PageParams,
    },
    error::AppResult,
    identity::BearerAuth,
    ids::{BetaApplicationId, BetaProgramId},
    platform::ratelimit::ActionClass,
    state::AppState,
};

pub struct BetaApi;

/// An application: the contact phone and device model, an answer to each
/// of the program's questions, and — only when the program asks
/// (`installed_apps_reason`) — the installed apps. The phone needs the
/// `beta_program` grant first (`PUT /me/consents/beta_program`).
#[derive(Object)]
#[oai(example)]
pub struct NewBetaApplication {
    /// A mobile number, as for sign-up.
    /// privacy: contact_phone for beta_program, required
    #[oai(validator(max_length = 40, pattern = r"^[\s()-]*\+?[\s()0-9-]{7,40}$"))]
    pub contact_phone: String,
    /// The device the build would run on, as the program lists it.
    /// privacy: device_model for beta_program, required
    pub device_model: DeviceModelName,
    /// One answer per question, in order (each 1 to 500 characters, not
    /// blank: the rule of a staff reason).
    /// privacy: screening_answers for beta_program, optional
    #[oai(default, validator(max_items = 10))]
    pub answers: Vec<Reason>,
    /// Package names of the installed apps, checked against the program's
    /// watched apps during this request and never kept.
    /// privacy: installed_apps for beta_program, optional
    #[oai(validator(max_items = 2000))]
    pub installed_apps: Option<Vec<PackageName>>,
}

// The list of installed apps never reaches a log, even by a Debug print.
impl std::fmt::Debug for NewBetaApplication {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewBetaApplication")
            .field("answers", &self.answers.len())
            .field(
                "installed_apps",
                &self.installed_apps.as_ref().map(Vec::len),
            )
            .finish_non_exhaustive()
    }
}

impl poem_openapi::types::Example for NewBetaApplication {
    fn example() -> Self {
        Self {
            contact_phone: "13800138000".into(),
            device_model: DeviceModelName::from_static("Xiaomi 15"),
            answers: vec![Reason::from_static("Photos and navigation, every day.")],
            installed_apps: Some(vec![
                PackageName::from_static("com.tencent.mm"),
                PackageName::from_static("com.example.notes"),
            ]),
        }
    }
}

#[derive(ApiResponse)]
pub enum ProgramsResponse {
    /// Programs still running, oldest first.
    #[oai(status = 200)]
    Ok(Json<Page<BetaProgramView>>),
}

#[derive(ApiResponse)]
pub enum ProgramResponse {
    /// The program, with what applying asks and why.
    #[oai(status = 200)]
    Ok(Json<BetaProgramView>),
}

#[derive(ApiResponse)]
pub enum Applied {
    /// Received and screened: `pending` until staff decide, or `rejected`
    /// with the screening's reason.
    #[oai(status = 201)]
    Created(Json<BetaApplicationView>),
}

#[derive(ApiResponse)]
pub enum ApplicationsResponse {
    /// My applications, newest first.
    #[oai(status = 200)]
    Ok(Json<Page<BetaApplicationView>>),
}

#[derive(ApiResponse)]
pub enum ApplicationResponse {
    /// One of my applications, with what I gave.
    #[oai(status = 200)]
    Ok(Json<BetaApplicationView>),
}

#[derive(ApiResponse)]
pub enum Withdrawn {
    /// Withdrawn: what I gave is erased, and my place, if I had one, goes
    /// to the waiting list.
    #[oai(status = 204)]
    Done,
}

/// The public view of programs.
pub async fn views(
    db: &impl sea_orm::ConnectionTrait,
    rows: Vec<entity::beta_programs::Model>,
) -> AppResult<Vec<BetaProgramView>> {
    let approved = review::approved_of(db, rows.iter().map(|p| p.id.clone()).collect()).await?;
    let mut out = Vec::with_capacity(rows.len());
    for p in rows {
        let lists = store::lists(&p)?;
        out.push(BetaProgramView {
            approved: approved.get(&p.id).copied().unwrap_or(0),
            id: p.id,
            name: p.name,
            description: p.description,
            device_models: lists.device_models,
            capacity: p.capacity,
            opens_at: p.opens_at,
            closes_at: p.closes_at,
            ends_at: p.ends_at,
            questions: lists.questions,
            installed_apps_reason: p.installed_apps_reason,
            watched_apps: lists.watched_apps,
            min_level: p.min_level,
            min_account_days: p.min_account_days,
            feedback_circle_id: p.feedback_circle_id,
        });
    }
    Ok(out)
}

fn application_view(
    state: &AppState,
    row: entity::beta_applications::Model,
    with_details: bool,
) -> AppResult<BetaApplicationView> {
    let details = match with_details {
        true => applications::open_details(state, &row)?,
        false => None,
    };
    Ok(BetaApplicationView {
        screening: applications::screening(&row)?,
        id: row.id,
        program_id: row.program_id,
        status: row.status.into(),
        reason: row.reason,
        created_at: row.created_at,
        decided_at: row.decided_at,
        details,
    })
}

#[OpenApi(tag = "ApiTags::Beta")]
impl BetaApi {
    /// Beta programs still running.
    #[oai(
        path = "/beta/programs",
        method = "get",
        operation_id = "beta_list_programs"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        /// From `next_cursor` of the previous page.
        /// privacy: not personal
        cursor: Query<Option<String>>,
        /// 1 to 50, default 20.
        /// privacy: not personal
        limit: Query<Option<u32>>,
    ) -> AppResult<ProgramsResponse> {
        let page = PageParams::parse(cursor.0, limit.0)?;
        let rows = store::running(&state.db, &page).await?;
        let (rows, next_cursor) = split_page(rows, page.limit, |p| p.id.clone());
        let items = views(&state.db, rows).await?;
        Ok(ProgramsResponse::Ok(Json(Page { items, next_cursor })))
    }

    /// One program: whom it admits, what applying asks and why.
    #[oai(
        path = "/beta/programs/:id",
        method = "get",
        operation_id = "beta_get_program"
    )]
    async fn get(
        &self,
        state: Data<&AppState>,
        /// privacy: not personal
        id: Path<BetaProgramId>,
    ) -> AppResult<ProgramResponse> {
        let program = store::find(&state.db, &id.0).await?;
        let view = views(&state.db, vec![program]).await?.remove(0);
        Ok(ProgramResponse::Ok(Json(view)))
    }

    /// Apply to a program; the screening answers at once.
    #[oai(
        path = "/beta/programs/:id/applications",
        method = "post",
        operation_id = "beta_apply"
    )]
    async fn apply(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        client: crate::api::client::ClientInfo,
        /// privacy: not personal
        id: Path<BetaProgramId>,
        body: JsonBody<NewBetaApplication>,
    ) -> AppResult<Applied> {
        check_limit(&state, ActionClass::BetaApply, auth.0.id.as_str()).await?;
        check_limit(&state, ActionClass::ApplyIp, &client.limit_key()).await?;
        let b = body.0;
        let form = Form {
            contact_phone: b.contact_phone,
            device_model: b.device_model.into_inner(),
            answers: b.answers.into_iter().map(Reason::into_inner).collect(),
            installed_apps: b
                .installed_apps
                .map(|apps| apps.into_iter().map(PackageName::into_inner).collect()),
        };
        let txn = state.db.begin().await?;
        store::hold(&txn, &id.0).await?;
        let row = applications::apply(&state, &txn, &id.0, &auth.0.id, form).await?;
        txn.commit().await?;
        Ok(Applied::Created(Json(application_view(
            &state, row, false,
        )?)))
    }

    /// My beta applications and where they stand.
    #[oai(
        path = "/me/beta-applications",
        method = "get",
        operation_id = "me_list_beta_applications"
    )]
    async fn mine(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// From `next_cursor` of the previous page.
        /// privacy: not personal
        cursor: Query<Option<String>>,
        /// 1 to 50, default 20.
        /// privacy: not personal
        limit: Query<Option<u32>>,
    ) -> AppResult<ApplicationsResponse> {
        let page = PageParams::parse(cursor.0, limit.0)?;
        let rows = applications::mine(&state.db, &auth.0.id, &page).await?;
        let (rows, next_cursor) = split_page(rows, page.limit, |r| r.id.clone());
        let items = rows
            .into_iter()
            .map(|r| application_view(&state, r, false))
            .collect::<AppResult<_>>()?;
        Ok(ApplicationsResponse::Ok(Json(Page { items, next_cursor })))
    }

    /// One of my beta applications, with what I gave.
    #[oai(
        path = "/me/beta-applications/:id",
        method = "get",
        operation_id = "me_get_beta_application"
    )]
    async fn one(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// privacy: not personal
        id: Path<BetaApplicationId>,
    ) -> AppResult<ApplicationResponse> {
        let row = applications::one_of_mine(&state.db, &auth.0.id, &id.0).await?;
        Ok(ApplicationResponse::Ok(Json(application_view(
            &state, row, true,
        )?)))
    }

    /// Withdraw an application, or leave a program I test.
    #[oai(
        path = "/me/beta-applications/:id",
        method = "delete",
        operation_id = "me_withdraw_beta_application"
    )]
    async fn withdraw(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// privacy: not personal
        id: Path<BetaApplicationId>,
    ) -> AppResult<Withdrawn> {
        let told = applications::withdraw(&state.db, &auth.0.id, &id.0).await?;
        crate::platform::db::checkpoint_soon(&state.db);
        super::review_api::notify(&state, told).await;
        Ok(Withdrawn::Done)
    }
}
