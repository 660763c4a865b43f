//! `/admin/help-groups`: admins define help groups and name their managers.
use poem::web::Data;
use poem_openapi::{
    param::Path, payload::Json, types::MaybeUndefined, ApiResponse, Object, OpenApi,
};
use sea_orm::TransactionTrait;

use super::{
    api::views,
    store::{self, GroupInput},
    views::HelpGroupView,
};
use crate::{
    api::{patch_field, ApiTags, JsonBody},
    error::AppResult,
    identity::AdminAuth,
    ids::{HelpGroupId, UserId},
    state::AppState,
};

pub struct AdminHelpGroupsApi;

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct NewHelpGroup {
    /// privacy: not personal
    #[oai(validator(min_length = 1, max_length = 80, pattern = r"\S"))]
    pub name: String,
    /// privacy: not personal
    #[oai(validator(max_length = 2000))]
    pub description: String,
    /// privacy: not personal
    #[oai(validator(min_length = 1, max_length = 64, pattern = r"\S"))]
    pub city: Option<String>,
    /// privacy: not personal
    #[oai(validator(min_length = 1, max_length = 64, pattern = r"\S"))]
    pub product: Option<String>,
    /// The users who review applications and see members' contact
    /// details (masked, unless revealed with a logged reason). Shown
    /// publicly on the group.
    /// privacy: not personal
    #[oai(validator(max_items = 20))]
    pub manager_ids: Vec<UserId>,
}

impl poem_openapi::types::Example for NewHelpGroup {
    fn example() -> Self {
        Self {
            name: "深圳米粉互助组".into(),
            description: "Fans in Shenzhen helping each other with repairs and set-up.".into(),
            city: Some("Shenzhen".into()),
            product: None,
            manager_ids: vec![UserId::from_stored(crate::api::examples::id("UserId"))],
        }
    }
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct HelpGroupPatch {
    /// privacy: not personal
    #[oai(validator(min_length = 1, max_length = 80, pattern = r"\S"))]
    pub name: Option<String>,
    /// privacy: not personal
    #[oai(validator(max_length = 2000))]
    pub description: Option<String>,
    /// `null` clears it.
    /// privacy: not personal
    #[oai(validator(min_length = 1, max_length = 64, pattern = r"\S"))]
    pub city: MaybeUndefined<String>,
    /// `null` clears it.
    /// privacy: not personal
    #[oai(validator(min_length = 1, max_length = 64, pattern = r"\S"))]
    pub product: MaybeUndefined<String>,
    /// Replaces the whole list.
    /// privacy: not personal
    #[oai(validator(max_items = 20))]
    pub manager_ids: Option<Vec<UserId>>,
}

impl poem_openapi::types::Example for HelpGroupPatch {
    fn example() -> Self {
        Self {
            name: None,
            description: Some("Now meeting every second Saturday.".into()),
            city: MaybeUndefined::Undefined,
            product: MaybeUndefined::Value("Xiaomi 15".into()),
            manager_ids: None,
        }
    }
}

#[derive(ApiResponse)]
pub enum GroupCreated {
    /// Defined.
    #[oai(status = 201)]
    Created(Json<HelpGroupView>),
}

#[derive(ApiResponse)]
pub enum GroupUpdated {
    /// The group as it is now.
    #[oai(status = 200)]
    Ok(Json<HelpGroupView>),
}

#[OpenApi(prefix_path = "/admin/help-groups", tag = "ApiTags::Admin")]
impl AdminHelpGroupsApi {
    /// Define a help group and name its managers (admin).
    #[oai(path = "/", method = "post", operation_id = "admin_create_help_group")]
    async fn create(
        &self,
        state: Data<&AppState>,
        _admin: AdminAuth,
        body: JsonBody<NewHelpGroup>,
    ) -> AppResult<GroupCreated> {
        let b = body.0;
        let input = GroupInput {
            name: Some(b.name),
            description: Some(b.description),
            city: Some(b.city),
            product: Some(b.product),
            managers: Some(b.manager_ids),
        };
        let txn = state.db.begin().await?;
        let group = store::create(&txn, input).await?;
        txn.commit().await?;
        Ok(GroupCreated::Created(Json(
            views(&state, vec![group]).await?.remove(0),
        )))
    }

    /// Edit a help group, or change its managers (admin).
    #[oai(
        path = "/:id",
        method = "patch",
        operation_id = "admin_update_help_group"
    )]
    async fn update(
        &self,
        state: Data<&AppState>,
        _admin: AdminAuth,
        /// privacy: not personal
        id: Path<HelpGroupId>,
        body: JsonBody<HelpGroupPatch>,
    ) -> AppResult<GroupUpdated> {
        let b = body.0;
        let input = GroupInput {
            name: b.name,
            description: b.description,
            city: patch_field(b.city),
            product: patch_field(b.product),
            managers: b.manager_ids,
        };
        let txn = state.db.begin().await?;
        let group = store::update(&txn, &id.0, input).await?;
        txn.commit().await?;
        Ok(GroupUpdated::Ok(Json(
            views(&state, vec![group]).await?.remove(0),
        )))
    }
}
