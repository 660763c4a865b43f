//! `/posts/{id}/comments` and `/comments/{id}`.
use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    ApiResponse, Object, OpenApi,
};

use super::{
    comments,
    dto::{comment_views, CommentView},
    likes, posts,
    posts_api::LikeState,
};
use crate::api::text::CommentText;
use crate::ids::{CommentId, PostId};
use crate::{
    api::{
        check_limit,
        page::{split_page, Page},
        ApiTags, JsonBody, PageParams,
    },
    error::AppResult,
    identity::{caller::Viewer, BearerAuth},
    platform::ratelimit::ActionClass,
    state::AppState,
};

pub struct CommentsApi;

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct NewComment {
    /// Up to 10,000 characters.
    /// privacy: comments for social, required
    pub body: CommentText,
    /// Reply to this top-level comment of the same post.
    /// privacy: not personal
    pub parent_id: Option<CommentId>,
}

impl poem_openapi::types::Example for NewComment {
    fn example() -> Self {
        Self {
            body: CommentText::from_static("Great shot! Which night mode setting did you use?"),
            parent_id: None,
        }
    }
}

#[derive(ApiResponse)]
pub enum CommentResponse {
    /// Published.
    #[oai(status = 201)]
    Created(Json<CommentView>),
}

#[derive(ApiResponse)]
pub enum CommentsResponse {
    /// Comments, oldest first; replies carry `parent_id`.
    #[oai(status = 200)]
    Ok(Json<Page<CommentView>>),
}

#[derive(ApiResponse)]
pub enum CommentLikeResponse {
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

#[OpenApi(tag = "ApiTags::Community")]
impl CommentsApi {
    /// A post's comments.
    #[oai(
        path = "/posts/:id/comments",
        method = "get",
        operation_id = "comments_list"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        viewer: Viewer,
        /// privacy: not personal
        id: Path<PostId>,
        /// From `next_cursor` of the previous page.
        /// privacy: not personal
        cursor: Query<Option<String>>,
        /// 1 to 50, default 20.
        /// privacy: not personal
        limit: Query<Option<u32>>,
    ) -> AppResult<CommentsResponse> {
        let page = PageParams::parse(cursor.0, limit.0)?;
        posts::visible(&state, &id.0, viewer.0.as_ref()).await?;
        let rows = comments::list(&state.db, &id.0, &page).await?;
        let (rows, next_cursor) = split_page(rows, page.limit, |c| c.id.clone());
        let liked = comments::liked(
            &state.db,
            viewer.id(),
            rows.iter().map(|c| c.id.clone()).collect(),
        )
        .await?;
        let items = comment_views(&state, rows, liked).await?;
        Ok(CommentsResponse::Ok(Json(Page { items, next_cursor })))
    }

    /// Comment on a post, or reply to a comment.
    #[oai(
        path = "/posts/:id/comments",
        method = "post",
        operation_id = "comments_create"
    )]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// privacy: not personal
        id: Path<PostId>,
        body: JsonBody<NewComment>,
    ) -> AppResult<CommentResponse> {
        check_limit(&state, ActionClass::CommentCreate, auth.0.id.as_str()).await?;
        let post = posts::visible(&state, &id.0, Some(&auth.0)).await?;
        let body = body.0;
        let comment = comments::create(
            &state.db,
            &auth.0.id,
            &post,
            body.parent_id,
            body.body.as_str(),
        )
        .await?;
        super::cached::post_changed(&state, &post.id, post.circle_id.as_deref()).await;
        let fact = crate::platform::facts::Fact::CommentPublished {
            author: auth.0.id.to_string(),
            comment: comment.id.clone(),
        };
        state.facts.publish(&state, fact).await;
        let view = comment_views(&state, vec![comment], Default::default())
            .await?
            .remove(0);
        Ok(CommentResponse::Created(Json(view)))
    }

    /// Delete my comment (moderators may delete any).
    #[oai(
        path = "/comments/:id",
        method = "delete",
        operation_id = "comments_delete"
    )]
    async fn delete(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// privacy: not personal
        id: Path<CommentId>,
    ) -> AppResult<Deleted> {
        let post_id = comments::delete(&state.db, &auth.0, &id.0).await?;
        super::cached::post_id_changed(&state, &post_id).await;
        Ok(Deleted::Done)
    }

    /// Like a comment (idempotent).
    #[oai(
        path = "/comments/:id/like",
        method = "put",
        operation_id = "comments_like"
    )]
    async fn like(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// privacy: likes for social, required
        id: Path<CommentId>,
    ) -> AppResult<CommentLikeResponse> {
        check_limit(&state, ActionClass::Like, auth.0.id.as_str()).await?;
        comments::visible(&state, &id.0, &auth.0).await?;
        let like_count = likes::like_comment(&state.db, &auth.0.id, &id.0, true).await?;
        Ok(CommentLikeResponse::Ok(Json(LikeState {
            liked: true,
            like_count,
        })))
    }

    /// Take my like back (idempotent).
    #[oai(
        path = "/comments/:id/like",
        method = "delete",
        operation_id = "comments_unlike"
    )]
    async fn unlike(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// privacy: not personal
        id: Path<CommentId>,
    ) -> AppResult<CommentLikeResponse> {
        comments::visible(&state, &id.0, &auth.0).await?;
        let like_count = likes::like_comment(&state.db, &auth.0.id, &id.0, false).await?;
        Ok(CommentLikeResponse::Ok(Json(LikeState {
            liked: false,
            like_count,
        })))
    }
}
