//! `POST /reports` and the moderator routes under `/admin`.
use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    ApiResponse, Object, OpenApi,
};

use super::moderation::{self, Action, ReportStatus, Target, TargetType};
use crate::ids::{CommentId, PostId};
use crate::{
    api::{
        page::{split_page, Page},
        reason::Reason,
        ApiTags, JsonBody, PageParams,
    },
    error::{AppResult, AtField},
    identity::{BearerAuth, ModeratorAuth},
    state::AppState,
};

pub struct ModerationApi;
pub struct AdminModerationApi;

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct NewReport {
    /// privacy: not personal
    pub target_type: TargetType,
    /// privacy: not personal
    pub target_id: crate::ids::ReportTargetId,
    /// Why; up to 500 characters.
    /// privacy: report_reason for security, required
    #[oai(validator(min_length = 1, max_length = 500, pattern = r"\S"))]
    pub reason: String,
}

impl poem_openapi::types::Example for NewReport {
    fn example() -> Self {
        Self {
            target_type: TargetType::Post,
            target_id: poem_openapi::types::Example::example(),
            reason: "Advertises a counterfeit charger.".into(),
        }
    }
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct ReportView {
    pub id: String,
    pub target_type: TargetType,
    pub target_id: String,
    pub reason: String,
    /// Absent once the reporter's account is gone.
    pub reporter_id: Option<String>,
    pub status: ReportStatus,
    pub created_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct ModerationRequest {
    /// What to do to the post.
    /// privacy: not personal
    pub action: Action,
    /// Written to the audit log.
    /// privacy: not personal
    pub reason: Reason,
}

/// What a moderator can do to a comment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename_all = "lowercase")]
pub enum CommentAction {
    Hide,
    Restore,
}

impl From<CommentAction> for Action {
    fn from(action: CommentAction) -> Self {
        match action {
            CommentAction::Hide => Action::Hide,
            CommentAction::Restore => Action::Restore,
        }
    }
}

/// A moderator's action on a comment: only hiding and restoring apply.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct CommentModerationRequest {
    /// privacy: not personal
    pub action: CommentAction,
    /// Written to the audit log.
    /// privacy: not personal
    pub reason: Reason,
}

impl poem_openapi::types::Example for CommentModerationRequest {
    fn example() -> Self {
        Self {
            action: CommentAction::Hide,
            reason: Reason::from_static("Insults another member."),
        }
    }
}

impl poem_openapi::types::Example for ModerationRequest {
    fn example() -> Self {
        Self {
            action: Action::Hide,
            reason: Reason::from_static("Spam: the same link posted in five circles."),
        }
    }
}

#[derive(ApiResponse)]
pub enum ReportResponse {
    /// Received; moderators will review it.
    #[oai(status = 201)]
    Created(Json<ReportView>),
}

#[derive(ApiResponse)]
pub enum ReportsResponse {
    /// Reports, oldest first.
    #[oai(status = 200)]
    Ok(Json<Page<ReportView>>),
}

#[derive(ApiResponse)]
pub enum Moderated {
    /// Done and logged.
    #[oai(status = 204)]
    Done,
}

fn view(r: entity::reports::Model) -> ReportView {
    ReportView {
        id: r.id,
        target_type: r.target_type.into(),
        target_id: r.target_id,
        reason: r.reason,
        reporter_id: r.reporter_id,
        status: r.status.into(),
        created_at: r.created_at,
        resolved_at: r.resolved_at,
    }
}

async fn moderate(
    state: &AppState,
    auth: &ModeratorAuth,
    target: Target,
    body: ModerationRequest,
) -> AppResult<Moderated> {
    moderation::moderate(
        state,
        &auth.0.id,
        &target,
        body.action,
        body.reason.as_str(),
    )
    .await?;
    Ok(Moderated::Done)
}

#[OpenApi(tag = "ApiTags::Community")]
impl ModerationApi {
    /// Report a post, comment or user to the moderators.
    #[oai(path = "/reports", method = "post", operation_id = "reports_create")]
    async fn report(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<NewReport>,
    ) -> AppResult<ReportResponse> {
        let body = body.0;
        let target = Target::parse(body.target_type, body.target_id.as_str()).at("target_id")?;
        let report = moderation::report(&state, &auth.0, &target, &body.reason).await?;
        Ok(ReportResponse::Created(Json(view(report))))
    }
}

#[OpenApi(tag = "ApiTags::Admin")]
impl AdminModerationApi {
    /// The review queue (moderators).
    #[oai(
        path = "/admin/reports",
        method = "get",
        operation_id = "admin_list_reports"
    )]
    async fn reports(
        &self,
        state: Data<&AppState>,
        _moderator: ModeratorAuth,
        /// `open` (default) or `resolved`.
        /// privacy: not personal
        status: Query<Option<ReportStatus>>,
        /// From `next_cursor` of the previous page.
        /// privacy: not personal
        cursor: Query<Option<String>>,
        /// 1 to 50, default 20.
        /// privacy: not personal
        limit: Query<Option<u32>>,
    ) -> AppResult<ReportsResponse> {
        let page = PageParams::parse(cursor.0, limit.0)?;
        let rows =
            moderation::list_reports(&state.db, status.0.unwrap_or(ReportStatus::Open), &page)
                .await?;
        let (rows, next_cursor) = split_page(rows, page.limit, |r| r.id.clone());
        Ok(ReportsResponse::Ok(Json(Page {
            items: rows.into_iter().map(view).collect(),
            next_cursor,
        })))
    }

    /// Hide, restore, pin, unpin, lock or unlock a post (moderators).
    #[oai(
        path = "/admin/posts/:id/moderation",
        method = "post",
        operation_id = "admin_moderate_post"
    )]
    async fn moderate_post(
        &self,
        state: Data<&AppState>,
        auth: ModeratorAuth,
        /// privacy: not personal
        id: Path<PostId>,
        body: JsonBody<ModerationRequest>,
    ) -> AppResult<Moderated> {
        moderate(&state, &auth, Target::Post(id.0), body.0).await
    }

    /// Hide or restore a comment (moderators).
    #[oai(
        path = "/admin/comments/:id/moderation",
        method = "post",
        operation_id = "admin_moderate_comment"
    )]
    async fn moderate_comment(
        &self,
        state: Data<&AppState>,
        auth: ModeratorAuth,
        /// privacy: not personal
        id: Path<CommentId>,
        body: JsonBody<CommentModerationRequest>,
    ) -> AppResult<Moderated> {
        let body = ModerationRequest {
            action: body.0.action.into(),
            reason: body.0.reason,
        };
        moderate(&state, &auth, Target::Comment(id.0), body).await
    }
}

impl poem_openapi::types::Example for ReportView {
    fn example() -> Self {
        Self {
            id: crate::api::examples::id("ReportId"),
            target_type: TargetType::Post,
            target_id: crate::api::examples::id("PostId"),
            reason: "Advertising a grey-market seller.".into(),
            reporter_id: Some(crate::api::examples::id("UserId")),
            status: ReportStatus::Open,
            created_at: crate::api::examples::time(29, 21, 4),
            resolved_at: None,
        }
    }
}
