//! Help groups and their managers: admins define them; everyone lists them.
use std::collections::HashMap;

use chrono::Utc;
use entity::{
    enums::ApplicationStatus, help_group_applications as apps, help_group_managers as managers,
    help_groups as groups,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use super::refusals::Refusal;
use crate::{
    api::PageParams,
    error::{AppError, AppResult},
    ids::{HelpGroupId, UserId},
};

/// A group as an admin describes it; `None` leaves a field as it is.
#[derive(Default)]
pub struct GroupInput {
    pub name: Option<String>,
    pub description: Option<String>,
    pub city: Option<Option<String>>,
    pub product: Option<Option<String>>,
    /// Replaces the whole list.
    pub managers: Option<Vec<UserId>>,
}

fn trimmed(v: Option<String>) -> Option<String> {
    v.map(|v| v.trim().to_owned())
}

pub async fn find(db: &impl ConnectionTrait, id: &HelpGroupId) -> AppResult<groups::Model> {
    groups::Entity::find_by_id(id.as_str())
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("help group"))
}

/// Every manager must have an account; the list replaces the old one.
async fn set_managers(db: &impl ConnectionTrait, group: &str, ids: Vec<UserId>) -> AppResult<()> {
    let sent: Vec<String> = ids.into_iter().map(UserId::into_inner).collect();
    let known = crate::identity::profiles::existing(db, sent.clone()).await?;
    // Named by its place in the list as sent.
    if let Some(i) = sent.iter().position(|id| !known.contains(id)) {
        return Err(Refusal::UnknownManager(i).into());
    }
    let mut seen = std::collections::HashSet::new();
    let ids: Vec<String> = sent
        .into_iter()
        .filter(|id| seen.insert(id.clone()))
        .collect();
    managers::Entity::delete_many()
        .filter(managers::Column::GroupId.eq(group))
        .exec(db)
        .await?;
    let now = Utc::now();
    for user in ids {
        managers::ActiveModel {
            group_id: Set(group.to_owned()),
            user_id: Set(user),
            created_at: Set(now),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// Creates a group (inside the caller's transaction).
pub async fn create(db: &impl ConnectionTrait, input: GroupInput) -> AppResult<groups::Model> {
    let now = Utc::now();
    let row = groups::ActiveModel {
        id: Set(HelpGroupId::generate().into_inner()),
        name: Set(trimmed(input.name).unwrap_or_default()),
        description: Set(input.description.unwrap_or_default()),
        city: Set(trimmed(input.city.flatten())),
        product: Set(trimmed(input.product.flatten())),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    set_managers(db, &row.id, input.managers.unwrap_or_default()).await?;
    Ok(row)
}

/// Edits a group (inside the caller's transaction). The change is the
/// first statement: SQLite takes its write lock there, not after a read
/// another writer could overtake.
pub async fn update(
    db: &impl ConnectionTrait,
    id: &HelpGroupId,
    input: GroupInput,
) -> AppResult<groups::Model> {
    use sea_orm::sea_query::Expr;
    let mut update = groups::Entity::update_many()
        .col_expr(groups::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(groups::Column::Id.eq(id.as_str()));
    if let Some(name) = trimmed(input.name) {
        update = update.col_expr(groups::Column::Name, Expr::value(name));
    }
    if let Some(description) = input.description {
        update = update.col_expr(groups::Column::Description, Expr::value(description));
    }
    if let Some(city) = input.city {
        update = update.col_expr(groups::Column::City, Expr::value(trimmed(city)));
    }
    if let Some(product) = input.product {
        update = update.col_expr(groups::Column::Product, Expr::value(trimmed(product)));
    }
    if update.exec(db).await?.rows_affected == 0 {
        return Err(AppError::not_found("help group"));
    }
    if let Some(ids) = input.managers {
        set_managers(db, id.as_str(), ids).await?;
    }
    find(db, id).await
}

/// Whether anyone manages `group` (an application needs someone to decide).
pub async fn has_managers(db: &impl ConnectionTrait, group: &str) -> AppResult<bool> {
    Ok(managers::Entity::find()
        .filter(managers::Column::GroupId.eq(group))
        .one(db)
        .await?
        .is_some())
}

/// Groups, oldest first, optionally in one city or for one product.
pub async fn list(
    db: &impl ConnectionTrait,
    city: Option<&str>,
    product: Option<&str>,
    page: &PageParams,
) -> AppResult<Vec<groups::Model>> {
    let mut query = groups::Entity::find();
    if let Some(city) = city {
        query = query.filter(groups::Column::City.eq(city.trim()));
    }
    if let Some(product) = product {
        query = query.filter(groups::Column::Product.eq(product.trim()));
    }
    if let Some(after) = &page.after {
        query = query.filter(groups::Column::Id.gt(after.as_str()));
    }
    Ok(query
        .order_by_asc(groups::Column::Id)
        .limit(page.limit + 1)
        .all(db)
        .await?)
}

/// Whether `user` manages `group`.
pub async fn manages(db: &impl ConnectionTrait, group: &str, user: &str) -> AppResult<bool> {
    Ok(
        managers::Entity::find_by_id((group.to_owned(), user.to_owned()))
            .one(db)
            .await?
            .is_some(),
    )
}

/// The managers of each group among `ids`.
pub async fn managers_of(
    db: &impl ConnectionTrait,
    ids: &[String],
) -> AppResult<HashMap<String, Vec<String>>> {
    let rows = managers::Entity::find()
        .filter(managers::Column::GroupId.is_in(ids.to_vec()))
        .order_by_asc(managers::Column::UserId)
        .all(db)
        .await?;
    let mut by_group: HashMap<String, Vec<String>> = HashMap::new();
    for row in rows {
        by_group.entry(row.group_id).or_default().push(row.user_id);
    }
    Ok(by_group)
}

/// The number of members of each group among `ids`.
pub async fn member_counts(
    db: &impl ConnectionTrait,
    ids: &[String],
) -> AppResult<HashMap<String, u64>> {
    let rows: Vec<(String, i64)> = apps::Entity::find()
        .select_only()
        .column(apps::Column::GroupId)
        .column_as(apps::Column::Id.count(), "members")
        .filter(apps::Column::GroupId.is_in(ids.to_vec()))
        .filter(apps::Column::Status.eq(ApplicationStatus::Approved))
        .group_by(apps::Column::GroupId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(group, n)| (group, u64::try_from(n).unwrap_or(0)))
        .collect())
}
