//! `/posts`: write, read, edit, delete, revisions and likes.
use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{param::Path, payload::Json, ApiResponse, Object, OpenApi};

use super::{
    cached,
    dto::{log_view, post_views, PostView},
    likes,
    posts::{self, NewPost, PostEdit},
};
use crate::api::text::{PostText, PostTitle};
use crate::ids::{CircleId, PostId, UploadId};
use crate::{
    api::{check_limit, stored::StoredJson, ApiTags, JsonBody},
    error::AppResult,
    identity::{caller::Viewer, AuthUser, BearerAuth, Role},
    platform::{facts::Fact, ratelimit::ActionClass},
    state::AppState,
};

pub struct PostsApi;

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct NewPostBody {
    /// An idempotency key chosen by the client (e.g. a UUID): sending the
    /// same post again with it returns the first one instead of a duplicate.
    /// privacy: not personal
    #[oai(validator(max_length = 64))]
    pub client_id: Option<String>,
    /// Post to this circle; leave out to post to the plaza.
    /// privacy: not personal
    pub circle_id: Option<CircleId>,
    /// Up to 200 characters.
    /// privacy: post_title for posting, required
    pub title: PostTitle,
    /// Markdown, up to 50,000 characters.
    /// privacy: post_body for posting, required
    pub body: PostText,
    /// Up to 9 images I uploaded, in order.
    /// privacy: uploaded_media for posting, optional
    #[oai(validator(max_items = 9))]
    pub image_upload_ids: Option<Vec<UploadId>>,
    /// The device the post is about.
    /// privacy: device_model for posting, optional
    #[oai(validator(max_length = 64))]
    pub device_model: Option<String>,
    /// A diagnostic log I uploaded, for feedback posts (needs the optional
    /// `diagnostic_logs` grant).
    /// privacy: diagnostic_log for diagnostic_logs, optional
    pub log_upload_id: Option<UploadId>,
}

impl poem_openapi::types::Example for NewPostBody {
    fn example() -> Self {
        Self {
            client_id: Some("5b0e8c1a-post-1".into()),
            circle_id: Some(poem_openapi::types::Example::example()),
            title: PostTitle::from_static("小米14 Ultra 夜景样张"),
            body: PostText::from_static(
                "Shot handheld at the Shenzhen Bay bridge, 1/4 s, ISO 1600.",
            ),
            image_upload_ids: Some(vec![poem_openapi::types::Example::example()]),
            device_model: Some("Xiaomi 14 Ultra".into()),
            log_upload_id: None,
        }
    }
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct PostPatch {
    /// privacy: post_title for posting, optional
    pub title: Option<PostTitle>,
    /// privacy: post_body for posting, optional
    pub body: Option<PostText>,
}

impl poem_openapi::types::Example for PostPatch {
    fn example() -> Self {
        Self {
            title: Some(PostTitle::from_static("小米14 Ultra 夜景样张（更新）")),
            body: None,
        }
    }
}

/// An earlier version of a post, as its author and moderators read the
/// edit history (`GET /posts/{id}/revisions`). The export carries the
/// same versions as `ExportedRevision`, whose time is `created_at`.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct Revision {
    pub title: String,
    pub body: String,
    /// When this version was written (the post's publication, or the edit
    /// that made it).
    pub written_at: DateTime<Utc>,
}

impl poem_openapi::types::Example for Revision {
    fn example() -> Self {
        Self {
            title: "小米14 Ultra 夜景样张".into(),
            body: "Shot handheld at the Shenzhen Bay bridge.".into(),
            written_at: crate::api::examples::time(28, 21, 40),
        }
    }
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct LikeState {
    pub liked: bool,
    pub like_count: i64,
}

#[derive(ApiResponse)]
pub enum PostResponse {
    /// The post.
    #[oai(status = 200)]
    Ok(StoredJson<PostView>),
}

#[derive(ApiResponse)]
pub enum PostCreated {
    /// Published (or, for a repeated `client_id`, the post it published).
    #[oai(status = 201)]
    Created(Json<PostView>),
}

#[derive(ApiResponse)]
pub enum RevisionsResponse {
    /// Earlier versions, newest first.
    #[oai(status = 200)]
    Ok(Json<Vec<Revision>>),
}

#[derive(ApiResponse)]
pub enum LikeResponse {
    /// The like state after the call.
    #[oai(status = 200)]
    Ok(Json<LikeState>),
}

#[derive(ApiResponse)]
pub enum Deleted {
    /// Deleted.
    #[oai(status = 204)]
    Done,
}

async fn one(
    state: &AppState,
    post: entity::posts::Model,
    viewer: Option<&AuthUser>,
) -> AppResult<PostView> {
    let entitled = viewer.is_some_and(|v| {
        post.author_id.as_deref() == Some(v.id.as_str()) || v.role >= Role::Moderator
    });
    let log = match &post.log_upload_id {
        Some(id) if entitled => log_view(state, id).await?,
        _ => None,
    };
    let viewer = viewer.map(|v| v.id.as_str());
    let mut view = post_views(state, vec![post], viewer).await?.remove(0);
    view.diagnostic_log = log;
    Ok(view)
}

/// A post as anyone without a session reads it: the same for all of them,
/// so kept as sent. Only a post anyone may read is kept (no gate, not
/// hidden, not deleted), and every change to it drops the copy.
async fn anonymous(state: &AppState, id: &PostId) -> AppResult<StoredJson<PostView>> {
    if let Some(bytes) = cached::post_view(state, id.as_str()).await {
        return Ok(StoredJson::from_stored(bytes));
    }
    let post = posts::readable(state, id, None).await?;
    let view = StoredJson::encode(&one(state, post, None).await?);
    cached::keep_post_view(state, id.as_str(), view.bytes()).await;
    Ok(view)
}

#[OpenApi(tag = "ApiTags::Community")]
impl PostsApi {
    /// Publish a post to the plaza or a circle.
    #[oai(path = "/posts", method = "post", operation_id = "posts_create")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<NewPostBody>,
    ) -> AppResult<PostCreated> {
        let body = body.0;
        if let Some(first) =
            posts::by_client_id(&state.db, auth.0.id.as_str(), body.client_id.as_deref()).await?
        {
            return Ok(PostCreated::Created(Json(
                one(&state, first, Some(&auth.0)).await?,
            )));
        }
        check_limit(&state, ActionClass::PostCreate, auth.0.id.as_str()).await?;
        if let Some(circle) = &body.circle_id {
            if super::closed::shut_to(&state, circle, &auth.0).await? {
                return Err(super::refusals::Refusal::UnknownCircle.into());
            }
        }
        let post = posts::create(
            &state.db,
            &auth.0.id,
            NewPost {
                client_id: body.client_id,
                circle_id: body.circle_id,
                title: body.title.into_inner(),
                body: body.body.into_inner(),
                image_upload_ids: body.image_upload_ids.unwrap_or_default(),
                device_model: body.device_model,
                log_upload_id: body.log_upload_id,
            },
        )
        .await?;
        cached::post_changed(&state, &post.id, post.circle_id.as_deref()).await;
        let fact = Fact::PostPublished {
            author: auth.0.id.to_string(),
            post: post.id.clone(),
        };
        state.facts.publish(&state, fact).await;
        Ok(PostCreated::Created(Json(
            one(&state, post, Some(&auth.0)).await?,
        )))
    }

    /// A post.
    #[oai(path = "/posts/:id", method = "get", operation_id = "posts_get")]
    async fn get(
        &self,
        state: Data<&AppState>,
        viewer: Viewer,
        /// privacy: not personal
        id: Path<PostId>,
    ) -> AppResult<PostResponse> {
        let Some(viewer) = viewer.0.as_ref() else {
            return Ok(PostResponse::Ok(anonymous(&state, &id.0).await?));
        };
        let post = posts::readable(&state, &id.0, Some(viewer)).await?;
        let view = one(&state, post, Some(viewer)).await?;
        Ok(PostResponse::Ok(StoredJson::encode(&view)))
    }

    /// Edit my post; the earlier text is kept in its history.
    #[oai(path = "/posts/:id", method = "patch", operation_id = "posts_update")]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// privacy: not personal
        id: Path<PostId>,
        body: JsonBody<PostPatch>,
    ) -> AppResult<PostResponse> {
        let body = body.0;
        let post = posts::edit(
            &state.db,
            &auth.0,
            &id.0,
            PostEdit {
                title: body.title.map(PostTitle::into_inner),
                body: body.body.map(PostText::into_inner),
            },
        )
        .await?;
        cached::post_changed(&state, &post.id, post.circle_id.as_deref()).await;
        let view = one(&state, post, Some(&auth.0)).await?;
        Ok(PostResponse::Ok(StoredJson::encode(&view)))
    }

    /// Delete my post (moderators may delete any). It disappears at once.
    #[oai(path = "/posts/:id", method = "delete", operation_id = "posts_delete")]
    async fn delete(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// privacy: not personal
        id: Path<PostId>,
    ) -> AppResult<Deleted> {
        let circle = posts::delete(&state.db, &auth.0, &id.0).await?;
        cached::post_changed(&state, id.0.as_str(), circle.as_deref()).await;
        Ok(Deleted::Done)
    }

    /// The edit history of a post (its author and moderators).
    #[oai(
        path = "/posts/:id/revisions",
        method = "get",
        operation_id = "posts_list_revisions"
    )]
    async fn revisions(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// privacy: not personal
        id: Path<PostId>,
    ) -> AppResult<RevisionsResponse> {
        let rows = posts::revisions(&state.db, &auth.0, &id.0).await?;
        let items = rows
            .into_iter()
            .map(|r| Revision {
                title: r.title,
                body: r.body,
                written_at: r.created_at,
            })
            .collect();
        Ok(RevisionsResponse::Ok(Json(items)))
    }

    /// Like a post (idempotent).
    #[oai(path = "/posts/:id/like", method = "put", operation_id = "posts_like")]
    async fn like(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// privacy: likes for social, required
        id: Path<PostId>,
    ) -> AppResult<LikeResponse> {
        check_limit(&state, ActionClass::Like, auth.0.id.as_str()).await?;
        let post = posts::visible(&state, &id.0, Some(&auth.0)).await?;
        let like_count = likes::like_post(&state.db, &auth.0.id, &post, true).await?;
        cached::post_changed(&state, &post.id, post.circle_id.as_deref()).await;
        if let Some(author) = post.author_id.clone() {
            let liker = auth.0.id.to_string();
            let fact = Fact::PostLiked {
                liker,
                author,
                post: post.id.clone(),
            };
            state.facts.publish(&state, fact).await;
        }
        Ok(LikeResponse::Ok(Json(LikeState {
            liked: true,
            like_count,
        })))
    }

    /// Take my like back (idempotent).
    #[oai(
        path = "/posts/:id/like",
        method = "delete",
        operation_id = "posts_unlike"
    )]
    async fn unlike(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// privacy: not personal
        id: Path<PostId>,
    ) -> AppResult<LikeResponse> {
        let post = posts::visible(&state, &id.0, Some(&auth.0)).await?;
        let like_count = likes::like_post(&state.db, &auth.0.id, &post, false).await?;
        cached::post_changed(&state, &post.id, post.circle_id.as_deref()).await;
        Ok(LikeResponse::Ok(Json(LikeState {
            liked: false,
            like_count,
        })))
    }
}

impl poem_openapi::types::Example for LikeState {
    fn example() -> Self {
        Self {
            liked: true,
            like_count: 42,
        }
    }
}
