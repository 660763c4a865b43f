//! `/circles`, `/me/circles` and `/admin/circles`.
use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    types::MaybeUndefined,
    ApiResponse, Object, OpenApi,
};
use sea_orm::TransactionTrait;

use super::{
    cached,
    circles::{self, CircleInput},
    dto::{circle_view, CircleKind, CircleView},
};
use crate::ids::{CircleId, UploadId, UserId};
use crate::{
    api::{
        page::{split_page, Page},
        patch_field,
        stored::StoredJson,
        ApiTags, JsonBody, PageParams,
    },
    error::AppResult,
    identity::{caller::Viewer, AdminAuth, BearerAuth},
    platform::storage::upload_keys,
    state::AppState,
};

pub struct CirclesApi;
pub struct AdminCirclesApi;

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct NewCircle {
    /// 1 to 64 characters, unique.
    /// privacy: not personal
    #[oai(validator(min_length = 1, max_length = 64, pattern = r"\S"))]
    pub name: String,
    /// privacy: not personal
    pub kind: CircleKind,
    /// privacy: not personal
    #[oai(validator(max_length = 2000))]
    pub description: String,
    /// An uploaded image.
    /// privacy: not personal
    pub icon_upload_id: Option<UploadId>,
}

impl poem_openapi::types::Example for NewCircle {
    fn example() -> Self {
        Self {
            name: "小米14 Ultra 摄影圈".into(),
            kind: CircleKind::Product,
            description: "Night shots, portraits and raw files from the 14 Ultra.".into(),
            icon_upload_id: Some(poem_openapi::types::Example::example()),
        }
    }
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct CirclePatch {
    /// privacy: not personal
    #[oai(validator(min_length = 1, max_length = 64, pattern = r"\S"))]
    pub name: Option<String>,
    /// privacy: not personal
    pub kind: Option<CircleKind>,
    /// privacy: not personal
    #[oai(validator(max_length = 2000))]
    pub description: Option<String>,
    /// privacy: not personal
    pub icon_upload_id: MaybeUndefined<UploadId>,
}

impl poem_openapi::types::Example for CirclePatch {
    fn example() -> Self {
        Self {
            name: None,
            kind: None,
            description: Some("Night shots, portraits and raw files from the 14 Ultra.".into()),
            icon_upload_id: poem_openapi::types::MaybeUndefined::Undefined,
        }
    }
}

#[derive(ApiResponse)]
pub enum CircleResponse {
    /// The circle.
    #[oai(status = 200)]
    Ok(Json<CircleView>),
}

#[derive(ApiResponse)]
pub enum CircleCreated {
    /// Created.
    #[oai(status = 201)]
    Created(Json<CircleView>),
}

#[derive(ApiResponse)]
pub enum CirclesResponse {
    /// Circles.
    #[oai(status = 200)]
    Ok(StoredJson<Page<CircleView>>),
}

async fn views(
    state: &AppState,
    rows: Vec<entity::circles::Model>,
    viewer: Option<&UserId>,
) -> AppResult<Vec<CircleView>> {
    let keys = upload_keys(
        &state.read_db,
        rows.iter()
            .filter_map(|c| c.icon_upload_id.clone())
            .collect(),
    )
    .await?;
    let joined = match viewer {
        Some(user) => {
            circles::joined(
                &state.read_db,
                user,
                rows.iter().map(|c| c.id.clone()).collect(),
            )
            .await?
        }
        None => Vec::new(),
    };
    Ok(rows
        .into_iter()
        .map(|c| {
            let key = c.icon_upload_id.as_ref().and_then(|i| keys.get(i)).cloned();
            let is_member = joined.contains(&c.id);
            circle_view(state, c, key.as_deref(), is_member)
        })
        .collect())
}

async fn one(state: &AppState, id: &CircleId, viewer: Option<&UserId>) -> AppResult<CircleView> {
    let circle = circles::find(&state.read_db, id).await?;
    Ok(views(state, vec![circle], viewer).await?.remove(0))
}

#[OpenApi(tag = "ApiTags::Community")]
impl CirclesApi {
    /// List circles, optionally of one kind.
    #[oai(path = "/circles", method = "get", operation_id = "circles_list")]
    async fn list(
        &self,
        state: Data<&AppState>,
        viewer: Viewer,
        /// `product`, `city` or `club`.
        /// privacy: not personal
        kind: Query<Option<CircleKind>>,
        /// From `next_cursor` of the previous page.
        /// privacy: not personal
        cursor: Query<Option<String>>,
        /// 1 to 50, default 20.
        /// privacy: not personal
        limit: Query<Option<u32>>,
    ) -> AppResult<CirclesResponse> {
        let page = PageParams::parse(cursor.0, limit.0)?;
        // The first page, as anyone without a session sees it, is kept.
        let shared = viewer.0.is_none() && page.after.is_none() && limit.0.is_none();
        if shared {
            if let Some(bytes) = cached::circle_list(&state, kind.0).await {
                return Ok(CirclesResponse::Ok(StoredJson::from_stored(bytes)));
            }
        }
        let rows = circles::list(&state.read_db, kind.0, &page).await?;
        let (rows, next_cursor) = split_page(rows, page.limit, |c| c.id.clone());
        let items = views(&state, rows, viewer.user_id()).await?;
        let answer = StoredJson::encode(&Page { items, next_cursor });
        if shared {
            cached::keep_circle_list(&state, kind.0, answer.bytes()).await;
        }
        Ok(CirclesResponse::Ok(answer))
    }

    /// One circle.
    #[oai(path = "/circles/:id", method = "get", operation_id = "circles_get")]
    async fn get(
        &self,
        state: Data<&AppState>,
        viewer: Viewer,
        /// privacy: not personal
        id: Path<CircleId>,
    ) -> AppResult<CircleResponse> {
        let circle = super::closed::circle_for(&state, &id.0, viewer.0.as_ref()).await?;
        let view = views(&state, vec![circle], viewer.user_id())
            .await?
            .remove(0);
        Ok(CircleResponse::Ok(Json(view)))
    }

    /// Join a circle (idempotent).
    #[oai(
        path = "/circles/:id/membership",
        method = "put",
        operation_id = "circles_join"
    )]
    async fn join(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The circle to join.
        /// privacy: circle_memberships for social, required
        id: Path<CircleId>,
    ) -> AppResult<CircleResponse> {
        super::closed::circle_for(&state, &id.0, Some(&auth.0)).await?;
        circles::join(&state.db, &id.0, &auth.0.id).await?;
        cached::circles_changed(&state).await;
        Ok(CircleResponse::Ok(Json(
            one(&state, &id.0, Some(&auth.0.id)).await?,
        )))
    }

    /// Leave a circle (idempotent).
    #[oai(
        path = "/circles/:id/membership",
        method = "delete",
        operation_id = "circles_leave"
    )]
    async fn leave(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// privacy: not personal
        id: Path<CircleId>,
    ) -> AppResult<CircleResponse> {
        // A member the gate no longer admits may still leave (their
        // membership is theirs); to anyone else a closed circle is not there.
        if let Err(err) = super::closed::circle_for(&state, &id.0, Some(&auth.0)).await {
            let member = circles::joined(&state.db, &auth.0.id, vec![id.0.to_string()]).await?;
            if member.is_empty() {
                return Err(err);
            }
        }
        circles::leave(&state.db, &id.0, &auth.0.id).await?;
        cached::circles_changed(&state).await;
        Ok(CircleResponse::Ok(Json(
            one(&state, &id.0, Some(&auth.0.id)).await?,
        )))
    }

    /// The circles I joined.
    #[oai(path = "/me/circles", method = "get", operation_id = "me_list_circles")]
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
    ) -> AppResult<CirclesResponse> {
        let page = PageParams::parse(cursor.0, limit.0)?;
        let rows = circles::my_circles(&state.db, &auth.0.id, &page).await?;
        let (rows, next_cursor) = split_page(rows, page.limit, |c| c.id.clone());
        let items = views(&state, rows, Some(&auth.0.id)).await?;
        Ok(CirclesResponse::Ok(StoredJson::encode(&Page {
            items,
            next_cursor,
        })))
    }
}

#[OpenApi(prefix_path = "/admin/circles", tag = "ApiTags::Admin")]
impl AdminCirclesApi {
    /// Create a circle (admin).
    #[oai(path = "/", method = "post", operation_id = "admin_create_circle")]
    async fn create(
        &self,
        state: Data<&AppState>,
        _admin: AdminAuth,
        body: JsonBody<NewCircle>,
    ) -> AppResult<CircleCreated> {
        let body = body.0;
        let txn = state.db.begin().await?;
        let circle = circles::create(
            &txn,
            CircleInput {
                name: Some(body.name),
                kind: Some(body.kind),
                description: Some(body.description),
                icon_upload_id: Some(body.icon_upload_id),
            },
        )
        .await?;
        txn.commit().await?;
        cached::circles_changed(&state).await;
        Ok(CircleCreated::Created(Json(
            one(&state, &CircleId::from_stored(circle.id), None).await?,
        )))
    }

    /// Edit a circle (admin).
    #[oai(path = "/:id", method = "patch", operation_id = "admin_update_circle")]
    async fn update(
        &self,
        state: Data<&AppState>,
        _admin: AdminAuth,
        /// privacy: not personal
        id: Path<CircleId>,
        body: JsonBody<CirclePatch>,
    ) -> AppResult<CircleResponse> {
        let body = body.0;
        let icon = patch_field(body.icon_upload_id);
        let txn = state.db.begin().await?;
        let (_, replaced) = circles::update(
            &txn,
            &id.0,
            CircleInput {
                name: body.name,
                kind: body.kind,
                description: body.description,
                icon_upload_id: icon,
            },
        )
        .await?;
        txn.commit().await?;
        cached::circles_changed(&state).await;
        crate::uploads::lifecycle::release_now(&state, replaced.into_iter().collect()).await;
        Ok(CircleResponse::Ok(Json(one(&state, &id.0, None).await?)))
    }
}
