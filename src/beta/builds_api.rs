//! `/admin/beta/programs/{id}/builds` (admins add builds, staff see their
//! download counts) and `/me/beta-applications/{id}/build` (an approved
//! tester's own link to the newest build).
use chrono::{DateTime, Utc};
use entity::{beta_builds, enums::StaffAction};
use poem::web::Data;
use poem_openapi::{param::Path, payload::Json, ApiResponse, Object, OpenApi};
use sea_orm::TransactionTrait;

use super::{builds, delivery};
use crate::{
    api::{ApiTags, JsonBody},
    error::AppResult,
    identity::{AdminAuth, BearerAuth, ModeratorAuth},
    ids::{BetaApplicationId, BetaProgramId, UploadId},
    privacy::access,
    state::AppState,
};

pub struct BetaBuildsApi;

pub struct AdminBetaBuildsApi;

/// A build to deliver: a package uploaded with `POST /uploads/packages`,
/// which the program takes over, and what changed in it.
#[derive(Debug, Object)]
#[oai(example)]
pub struct NewBetaBuild {
    /// privacy: not personal
    pub upload_id: UploadId,
    /// Release notes, shown to testers.
    /// privacy: not personal
    #[oai(validator(min_length = 1, max_length = 5000, pattern = r"\S"))]
    pub notes: String,
}

/// A build, as staff see it.
#[derive(Debug, Object)]
#[oai(example)]
pub struct BetaBuildView {
    pub id: String,
    pub program_id: String,
    pub notes: String,
    pub content_type: String,
    pub bytes: i64,
    /// Downloads started through testers' links (who downloaded is not
    /// kept).
    pub downloads: i64,
    pub created_at: DateTime<Utc>,
}

/// The newest build, with my own link to it.
#[derive(Debug, Object)]
#[oai(example)]
pub struct BetaBuildLink {
    pub build_id: String,
    pub notes: String,
    pub content_type: String,
    pub bytes: i64,
    pub created_at: DateTime<Utc>,
    /// Mine alone, signed; it works until `expires_at` while I am an
    /// approved tester, the program runs and this build is the newest
    /// (then ask again).
    pub url: String,
    pub expires_at: DateTime<Utc>,
}

fn view(b: beta_builds::Model) -> BetaBuildView {
    BetaBuildView {
        id: b.id,
        program_id: b.program_id,
        notes: b.notes,
        content_type: b.content_type,
        bytes: b.bytes,
        downloads: b.downloads,
        created_at: b.created_at,
    }
}

#[derive(ApiResponse)]
pub enum BuildAdded {
    /// Added: the program's testers get it from now on.
    #[oai(status = 201)]
    Created(Json<BetaBuildView>),
}

#[derive(ApiResponse)]
pub enum BuildsResponse {
    /// The program's builds, newest first, with their download counts.
    #[oai(status = 200)]
    Ok(Json<Vec<BetaBuildView>>),
}

#[derive(ApiResponse)]
pub enum BuildLinkResponse {
    /// The newest build and my link to it.
    #[oai(status = 200)]
    Ok(Json<BetaBuildLink>),
}

#[OpenApi(tag = "ApiTags::Admin")]
impl AdminBetaBuildsApi {
    /// Add a build to a running program (admin); testers get the newest.
    #[oai(
        path = "/admin/beta/programs/:id/builds",
        method = "post",
        operation_id = "admin_add_beta_build"
    )]
    async fn add(
        &self,
        state: Data<&AppState>,
        admin: AdminAuth,
        /// privacy: not personal
        id: Path<BetaProgramId>,
        body: JsonBody<NewBetaBuild>,
    ) -> AppResult<BuildAdded> {
        let b = body.0;
        let txn = state.db.begin().await?;
        let build = builds::add(&txn, &id.0, &b.upload_id, b.notes).await?;
        let target = ("beta_build", build.id.as_str());
        let what = format!("added to program {}", build.program_id);
        access::record_change(
            &txn,
            admin.0.id.as_str(),
            StaffAction::Create,
            target,
            &what,
        )
        .await?;
        txn.commit().await?;
        Ok(BuildAdded::Created(Json(view(build))))
    }

    /// A program's builds and how often each was downloaded (staff).
    #[oai(
        path = "/admin/beta/programs/:id/builds",
        method = "get",
        operation_id = "admin_list_beta_builds"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        _staff: ModeratorAuth,
        /// privacy: not personal
        id: Path<BetaProgramId>,
    ) -> AppResult<BuildsResponse> {
        super::store::find(&state.db, &id.0).await?;
        let rows = builds::list(&state.db, &id.0).await?;
        Ok(BuildsResponse::Ok(Json(
            rows.into_iter().map(view).collect(),
        )))
    }
}

#[OpenApi(tag = "ApiTags::Beta")]
impl BetaBuildsApi {
    /// My link to the newest build of a program I test (approved testers
    /// only: 403 otherwise; 404 while there is no build).
    #[oai(
        path = "/me/beta-applications/:id/build",
        method = "get",
        operation_id = "me_get_beta_build"
    )]
    async fn link(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// privacy: not personal
        id: Path<BetaApplicationId>,
    ) -> AppResult<BuildLinkResponse> {
        let link = delivery::link(&state, &auth.0.id, &id.0).await?;
        Ok(BuildLinkResponse::Ok(Json(BetaBuildLink {
            build_id: link.build.id,
            notes: link.build.notes,
            content_type: link.build.content_type,
            bytes: link.build.bytes,
            created_at: link.build.created_at,
            url: link.url,
            expires_at: link.expires_at,
        })))
    }
}

impl poem_openapi::types::Example for NewBetaBuild {
    fn example() -> Self {
        Self {
            upload_id: poem_openapi::types::Example::example(),
            notes: "Fixes the camera freezing after a video call; adds the new widgets.".into(),
        }
    }
}

impl poem_openapi::types::Example for BetaBuildView {
    fn example() -> Self {
        Self {
            id: crate::api::examples::id("BetaBuildId"),
            program_id: crate::api::examples::id("BetaProgramId"),
            notes: <NewBetaBuild as poem_openapi::types::Example>::example().notes,
            content_type: "application/vnd.android.package-archive".into(),
            bytes: 187_412_480,
            downloads: 312,
            created_at: crate::api::examples::time(28, 9, 30),
        }
    }
}

impl poem_openapi::types::Example for BetaBuildLink {
    fn example() -> Self {
        let build = <BetaBuildView as poem_openapi::types::Example>::example();
        let expires_at = build.created_at + chrono::Duration::seconds(delivery::LINK_SECS);
        Self {
            url: format!(
                "https://forum.example.com/downloads/beta-builds/{}?application={}&exp={}&sig=3f9a0c2e",
                build.id,
                crate::api::examples::id("BetaApplicationId"),
                expires_at.timestamp()
            ),
            build_id: build.id,
            notes: build.notes,
            content_type: build.content_type,
            bytes: build.bytes,
            created_at: build.created_at,
            expires_at,
        }
    }
}
