//! `/users/{id}/follow`, followers, following and `/feed/following`.
use super::{
    dto::{post_views, PostView},
    follows,
};
use crate::ids::UserId;
use crate::{
    api::{
        page::{split_page, Page},
        ApiTags, PageParams,
    },
    error::{AppError, AppResult},
    identity::views::{self, PublicUser},
    identity::{profiles, BearerAuth},
    state::AppState,
};
use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    ApiResponse, OpenApi,
};

pub struct FollowsApi;

#[derive(ApiResponse)]
pub enum Followed {
    /// Done (idempotent).
    #[oai(status = 204)]
    Done,
}

#[derive(ApiResponse)]
pub enum PeopleResponse {
    /// Users, by id.
    #[oai(status = 200)]
    Ok(Json<Page<PublicUser>>),
}

#[derive(ApiResponse)]
pub enum FollowingFeedResponse {
    /// Posts by people I follow, newest first.
    #[oai(status = 200)]
    Ok(Json<Page<PostView>>),
}

async fn people(
    state: &AppState,
    user: &UserId,
    followers: bool,
    cursor: Option<String>,
    limit: Option<u32>,
) -> AppResult<PeopleResponse> {
    let page = PageParams::parse(cursor, limit)?;
    if profiles::load(&state.db, user).await?.is_none() {
        return Err(AppError::not_found("user"));
    }
    let ids = follows::people(&state.db, user, followers, &page).await?;
    let (ids, next_cursor) = split_page(ids, page.limit, Clone::clone);
    let items = views::public_users(state, ids).await?;
    Ok(PeopleResponse::Ok(Json(Page { items, next_cursor })))
}

#[OpenApi(tag = "ApiTags::Community")]
impl FollowsApi {
    /// Follow a user (idempotent).
    #[oai(
        path = "/users/:id/follow",
        method = "put",
        operation_id = "users_follow"
    )]
    async fn follow(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The user to follow.
        /// privacy: follows for social, required
        id: Path<UserId>,
    ) -> AppResult<Followed> {
        follows::follow(&state.db, &auth.0.id, &id.0).await?;
        Ok(Followed::Done)
    }

    /// Stop following a user (idempotent).
    #[oai(
        path = "/users/:id/follow",
        method = "delete",
        operation_id = "users_unfollow"
    )]
    async fn unfollow(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// privacy: not personal
        id: Path<UserId>,
    ) -> AppResult<Followed> {
        follows::unfollow(&state.db, &auth.0.id, &id.0).await?;
        Ok(Followed::Done)
    }

    /// Who follows a user.
    #[oai(
        path = "/users/:id/followers",
        method = "get",
        operation_id = "users_list_followers"
    )]
    async fn followers(
        &self,
        state: Data<&AppState>,
        /// privacy: not personal
        id: Path<UserId>,
        /// From `next_cursor` of the previous page.
        /// privacy: not personal
        cursor: Query<Option<String>>,
        /// 1 to 50, default 20.
        /// privacy: not personal
        limit: Query<Option<u32>>,
    ) -> AppResult<PeopleResponse> {
        people(&state, &id.0, true, cursor.0, limit.0).await
    }

    /// Whom a user follows.
    #[oai(
        path = "/users/:id/following",
        method = "get",
        operation_id = "users_list_following"
    )]
    async fn following(
        &self,
        state: Data<&AppState>,
        /// privacy: not personal
        id: Path<UserId>,
        /// From `next_cursor` of the previous page.
        /// privacy: not personal
        cursor: Query<Option<String>>,
        /// 1 to 50, default 20.
        /// privacy: not personal
        limit: Query<Option<u32>>,
    ) -> AppResult<PeopleResponse> {
        people(&state, &id.0, false, cursor.0, limit.0).await
    }

    /// Posts by the people I follow.
    #[oai(
        path = "/feed/following",
        method = "get",
        operation_id = "feeds_following"
    )]
    async fn feed(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// From `next_cursor` of the previous page.
        /// privacy: not personal
        cursor: Query<Option<String>>,
        /// 1 to 50, default 20.
        /// privacy: not personal
        limit: Query<Option<u32>>,
    ) -> AppResult<FollowingFeedResponse> {
        let page = PageParams::parse(cursor.0, limit.0)?;
        let rows = follows::feed(&state.db, &auth.0.id, &page).await?;
        let (rows, next_cursor) = split_page(rows, page.limit, |p| p.id.clone());
        let items = post_views(&state, rows, Some(auth.0.id.as_str())).await?;
        Ok(FollowingFeedResponse::Ok(Json(Page { items, next_cursor })))
    }
}
