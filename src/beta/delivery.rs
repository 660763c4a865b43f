//! Delivering builds. An approved tester asks for a link
//! (`GET /me/beta-applications/{id}/build`) and gets one of their own,
//! signed, valid for an hour, to `/downloads/beta-builds/{build}`. The
//! download checks it against what is true then: the application still
//! approved, the program not ended, the build still the program's newest.
//! A tester who left or was removed, a program that ended, a build
//! replaced: the link no longer works. Downloads are counted per build;
//! who downloaded is not kept (the request log has no query strings).
use chrono::{DateTime, Utc};
use entity::{beta_applications as apps, beta_builds, enums::BetaStatus};
use poem::{
    handler,
    web::{Data, Path, Query},
    Response,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use subtle::ConstantTimeEq;

use super::{builds, refusals::Refusal};
use crate::{
    api::HeadRequest,
    error::{AppError, AppResult},
    ids::{BetaApplicationId, UserId},
    state::AppState,
    uploads::media::{respond, StoredFile},
};

/// How long a link works once given.
pub const LINK_SECS: i64 = 3600;

fn signature(state: &AppState, build: &str, application: &str, exp: i64) -> String {
    state
        .crypto
        .blind_index("beta-build-link", &format!("{build}|{application}|{exp}"))
}

/// A tester's link to a build.
pub struct Link {
    pub build: beta_builds::Model,
    pub url: String,
    pub expires_at: DateTime<Utc>,
}

/// Whether an application's program is still running.
async fn running(db: &impl ConnectionTrait, app: &apps::Model) -> AppResult<bool> {
    let id = crate::ids::BetaProgramId::from_stored(app.program_id.clone());
    Ok(super::store::find(db, &id).await?.ends_at > Utc::now())
}

/// A link to the newest build of the program `application` (mine) admits
/// me to.
pub async fn link(
    state: &AppState,
    user: &UserId,
    application: &BetaApplicationId,
) -> AppResult<Link> {
    let app = super::applications::one_of_mine(&state.db, user, application).await?;
    if app.status != BetaStatus::Approved {
        return Err(Refusal::NotATester.into());
    }
    if !running(&state.db, &app).await? {
        return Err(Refusal::Ended.into());
    }
    let build = builds::current(&state.db, &app.program_id)
        .await?
        .ok_or(Refusal::NoBuild)?;
    let expires_at = Utc::now() + chrono::Duration::seconds(LINK_SECS);
    let exp = expires_at.timestamp();
    let base = state.config.public_url.as_deref().unwrap_or("");
    let url = format!(
        "{}/downloads/beta-builds/{}?application={}&exp={exp}&sig={}",
        base.trim_end_matches('/'),
        build.id,
        app.id,
        signature(state, &build.id, &app.id, exp)
    );
    Ok(Link {
        build,
        url,
        expires_at,
    })
}

#[derive(serde::Deserialize)]
pub struct LinkParams {
    application: Option<String>,
    exp: Option<i64>,
    sig: Option<String>,
}

/// The build a valid link names, if the link still holds.
async fn checked(
    state: &AppState,
    build: &str,
    link: LinkParams,
) -> AppResult<Option<beta_builds::Model>> {
    let (Some(application), Some(exp), Some(sig)) = (link.application, link.exp, link.sig) else {
        return Ok(None);
    };
    let expected = signature(state, build, &application, exp);
    let signed: bool = expected.as_bytes().ct_eq(sig.as_bytes()).into();
    if !signed || exp <= Utc::now().timestamp() {
        return Ok(None);
    }
    let Some(app) = apps::Entity::find_by_id(application)
        .filter(apps::Column::Status.eq(BetaStatus::Approved))
        .one(&state.db)
        .await?
    else {
        return Ok(None);
    };
    if !running(&state.db, &app).await? {
        return Ok(None);
    }
    let current = builds::current(&state.db, &app.program_id).await?;
    Ok(current.filter(|b| b.id == build))
}

/// `GET /downloads/beta-builds/{build}`: the package, for a link that
/// still holds; anything else is a 404 (ask for a new link). A download is
/// counted once its file opened, and a HEAD is no download.
#[handler]
pub async fn download(
    state: Data<&AppState>,
    req: &poem::Request,
    Path(build): Path<String>,
    Query(link): Query<LinkParams>,
) -> Result<Response, AppError> {
    let build = checked(&state, &build, link)
        .await?
        .ok_or_else(|| AppError::not_found("beta build"))?;
    let extension = match build.content_type.as_str() {
        "application/vnd.android.package-archive" => "apk",
        _ => "zip",
    };
    let disposition = format!("attachment; filename=\"{}.{extension}\"", build.id);
    let file = StoredFile {
        key: &build.storage_key,
        content_type: &build.content_type,
        bytes: build.bytes,
    };
    let response = respond(&state, file, Some(&disposition), true).await?;
    if req.extensions().get::<HeadRequest>().is_none() {
        builds::count_download(&state.db, &build.id).await?;
    }
    Ok(response)
}
