//! `/help-groups` and `/me/help-group-applications`.
use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    ApiResponse, Object, OpenApi,
};

use super::{
    applications::{self, Given},
    store,
    views::{ApplicationDetails, ApplicationView, HelpGroupView},
};
use crate::{
    api::{
        client::ClientInfo,
        page::{split_page, Page},
        ApiTags, JsonBody, PageParams,
    },
    error::AppResult,
    identity::BearerAuth,
    ids::{ApplicationId, HelpGroupId},
    platform::ratelimit::ActionClass,
    state::AppState,
};

pub struct HelpGroupsApi;

/// An application to join a help group. Its managers see these details
/// masked, unless one reveals an item with a reason you will see in your
/// processing log. Needs the `help_group_application` grant first
/// (`PUT /me/consents/help_group_application`): the phone is sensitive.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct NewApplication {
    /// A mobile number, as for sign-up.
    /// privacy: contact_phone for help_group_application, required
    #[oai(validator(max_length = 40, pattern = r"^[\s()-]*\+?[\s()0-9-]{7,40}$"))]
    pub contact_phone: String,
    /// 5 to 12 digits, not starting with 0.
    /// privacy: qq_number for help_group_application, required
    #[oai(validator(min_length = 5, max_length = 12, pattern = r"^[1-9][0-9]{4,11}$"))]
    pub qq_number: String,
    /// 6 to 20 letters, digits, `_` or `-`, starting with a letter; kept
    /// only when given.
    /// privacy: wechat_id for help_group_application, optional
    #[oai(validator(
        min_length = 6,
        max_length = 20,
        pattern = r"^[A-Za-z][A-Za-z0-9_-]{5,19}$"
    ))]
    pub wechat_id: Option<String>,
}

impl poem_openapi::types::Example for NewApplication {
    fn example() -> Self {
        Self {
            contact_phone: "13800138000".into(),
            qq_number: "123456789".into(),
            wechat_id: None,
        }
    }
}

#[derive(ApiResponse)]
pub enum GroupsResponse {
    /// Help groups, oldest first.
    #[oai(status = 200)]
    Ok(Json<Page<HelpGroupView>>),
}

#[derive(ApiResponse)]
pub enum Applied {
    /// Applied: pending until a manager decides.
    #[oai(status = 201)]
    Created(Json<ApplicationView>),
}

#[derive(ApiResponse)]
pub enum ApplicationsResponse {
    /// My applications, newest first.
    #[oai(status = 200)]
    Ok(Json<Page<ApplicationView>>),
}

#[derive(ApiResponse)]
pub enum ApplicationResponse {
    /// One of my applications, with what I gave.
    #[oai(status = 200)]
    Ok(Json<ApplicationView>),
}

#[derive(ApiResponse)]
pub enum Withdrawn {
    /// A pending application is deleted; a member has left the group.
    #[oai(status = 204)]
    Done,
}

/// The public view of groups: member counts and managers.
pub async fn views(
    state: &AppState,
    rows: Vec<entity::help_groups::Model>,
) -> AppResult<Vec<HelpGroupView>> {
    let ids: Vec<String> = rows.iter().map(|g| g.id.clone()).collect();
    let counts = store::member_counts(&state.db, &ids).await?;
    let mut managers = store::managers_of(&state.db, &ids).await?;
    let people: Vec<String> = managers.values().flatten().cloned().collect();
    let people = crate::identity::views::public_users(state, people).await?;
    Ok(rows
        .into_iter()
        .map(|g| {
            let theirs = managers.remove(&g.id).unwrap_or_default();
            HelpGroupView {
                members: counts.get(&g.id).copied().unwrap_or(0),
                managers: people
                    .iter()
                    .filter(|p| theirs.contains(&p.id))
                    .cloned()
                    .collect(),
                id: g.id,
                name: g.name,
                description: g.description,
                city: g.city,
                product: g.product,
                created_at: g.created_at,
            }
        })
        .collect())
}

/// An application as its applicant sees it.
pub fn application_view(
    r: entity::help_group_applications::Model,
    details: Option<ApplicationDetails>,
) -> AppResult<ApplicationView> {
    Ok(ApplicationView {
        erased_after: applications::erased_after(&r)?,
        id: r.id,
        group_id: r.group_id,
        status: r.status.into(),
        reason: r.reason,
        created_at: r.created_at,
        decided_at: r.decided_at,
        left_at: r.left_at,
        details,
    })
}

#[OpenApi(tag = "ApiTags::Events")]
impl HelpGroupsApi {
    /// Help groups, optionally in one city or for one product.
    #[oai(
        path = "/help-groups",
        method = "get",
        operation_id = "help_groups_list"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        /// Only groups in this city.
        /// privacy: not personal
        #[oai(validator(max_length = 64, pattern = r"\S"))]
        city: Query<Option<String>>,
        /// Only groups for this product.
        /// privacy: not personal
        #[oai(validator(max_length = 64, pattern = r"\S"))]
        product: Query<Option<String>>,
        /// From `next_cursor` of the previous page.
        /// privacy: not personal
        cursor: Query<Option<String>>,
        /// 1 to 50, default 20.
        /// privacy: not personal
        limit: Query<Option<u32>>,
    ) -> AppResult<GroupsResponse> {
        let page = PageParams::parse(cursor.0, limit.0)?;
        let rows = store::list(&state.db, city.0.as_deref(), product.0.as_deref(), &page).await?;
        let (rows, next_cursor) = split_page(rows, page.limit, |g| g.id.clone());
        let items = views(&state, rows).await?;
        Ok(GroupsResponse::Ok(Json(Page { items, next_cursor })))
    }

    /// Apply to join a help group.
    #[oai(
        path = "/help-groups/:id/applications",
        method = "post",
        operation_id = "help_groups_apply"
    )]
    async fn apply(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        client: ClientInfo,
        /// privacy: not personal
        id: Path<HelpGroupId>,
        body: JsonBody<NewApplication>,
    ) -> AppResult<Applied> {
        let limited = ActionClass::HelpGroupApply;
        crate::api::check_limit(&state, limited, auth.0.id.as_str()).await?;
        crate::api::check_limit(&state, ActionClass::ApplyIp, &client.limit_key()).await?;
        let b = body.0;
        let given = Given {
            contact_phone: b.contact_phone,
            qq_number: b.qq_number,
            wechat_id: b.wechat_id,
        };
        let row = applications::apply(&state.db, &state.crypto, &id.0, &auth.0.id, given).await?;
        Ok(Applied::Created(Json(application_view(row, None)?)))
    }

    /// My help-group applications and memberships.
    #[oai(
        path = "/me/help-group-applications",
        method = "get",
        operation_id = "me_list_help_group_applications"
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
            .map(|r| application_view(r, None))
            .collect::<AppResult<_>>()?;
        Ok(ApplicationsResponse::Ok(Json(Page { items, next_cursor })))
    }

    /// One of my applications, with what I gave.
    #[oai(
        path = "/me/help-group-applications/:id",
        method = "get",
        operation_id = "me_get_help_group_application"
    )]
    async fn one(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// privacy: not personal
        id: Path<ApplicationId>,
    ) -> AppResult<ApplicationResponse> {
        let row = applications::one_of_mine(&state.db, &auth.0.id, &id.0).await?;
        let details = applications::open_details(&state.crypto, &row)?;
        Ok(ApplicationResponse::Ok(Json(application_view(
            row,
            Some(details),
        )?)))
    }

    /// Withdraw a pending application (deleted at once) or leave a group
    /// (what I gave stays 90 days, then goes).
    #[oai(
        path = "/me/help-group-applications/:id",
        method = "delete",
        operation_id = "me_withdraw_help_group_application"
    )]
    async fn withdraw(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// privacy: not personal
        id: Path<ApplicationId>,
    ) -> AppResult<Withdrawn> {
        applications::withdraw(&state.db, &auth.0.id, &id.0).await?;
        crate::platform::db::checkpoint_soon(&state.db);
        Ok(Withdrawn::Done)
    }
}
