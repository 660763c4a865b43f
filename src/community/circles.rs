//! Circle rules: admins create and edit; users join and leave.
use chrono::Utc;
use entity::{circle_members, circles};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait,
    DatabaseConnection, EntityTrait, ExprTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};

use super::{dto::CircleKind, refusals::Refusal};
use crate::ids::{CircleId, UploadId, UserId};
use crate::{
    api::PageParams,
    error::{is_unique_violation, AppError, AppResult},
};

pub struct CircleInput {
    pub name: Option<String>,
    pub kind: Option<CircleKind>,
    pub description: Option<String>,
    pub icon_upload_id: Option<Option<UploadId>>,
}

async fn check_icon(db: &impl ConnectionTrait, icon: &Option<Option<UploadId>>) -> AppResult<()> {
    if let Some(Some(id)) = icon {
        if !crate::uploads::media::is_public_image(db, id.as_str()).await? {
            return Err(Refusal::UnknownIcon.into());
        }
    }
    Ok(())
}

pub async fn create(db: &impl ConnectionTrait, input: CircleInput) -> AppResult<circles::Model> {
    check_icon(db, &input.icon_upload_id).await?;
    let name = input.name.unwrap_or_default().trim().to_owned();
    if name.is_empty() {
        return Err(Refusal::EmptyCircleName.into());
    }
    let now = Utc::now();
    let row = circles::ActiveModel {
        id: Set(uuid::Uuid::now_v7().to_string()),
        name: Set(name),
        kind: Set(input.kind.unwrap_or(CircleKind::Product).into()),
        description: Set(input.description.unwrap_or_default()),
        icon_upload_id: Set(input.icon_upload_id.flatten().map(UploadId::into_inner)),
        member_count: Set(0),
        post_count: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        gate: Set(None),
    };
    match circles::Entity::insert(row).exec_with_returning(db).await {
        Ok(c) => {
            crate::platform::outbox::enqueue(
                db,
                crate::platform::search_index::DocKind::Circle,
                &c.id,
            )
            .await?;
            Ok(c)
        }
        Err(err) if is_unique_violation(&err) => Err(Refusal::CircleNameTaken.into()),
        Err(err) => Err(err.into()),
    }
}

/// Updates a circle; also answers the icon it replaced, for the caller to
/// release once this committed.
pub async fn update(
    db: &impl ConnectionTrait,
    id: &CircleId,
    input: CircleInput,
) -> AppResult<(circles::Model, Option<String>)> {
    check_icon(db, &input.icon_upload_id).await?;
    let circle = find(db, id).await?;
    let replaced = match &input.icon_upload_id {
        Some(new) if new.as_ref().map(UploadId::as_str) != circle.icon_upload_id.as_deref() => {
            circle.icon_upload_id.clone()
        }
        _ => None,
    };
    let mut active: circles::ActiveModel = circle.into();
    if let Some(name) = input.name {
        let name = name.trim().to_owned();
        if name.is_empty() {
            return Err(Refusal::EmptyCircleName.into());
        }
        active.name = Set(name);
    }
    if let Some(kind) = input.kind {
        active.kind = Set(kind.into());
    }
    if let Some(description) = input.description {
        active.description = Set(description);
    }
    if let Some(icon) = input.icon_upload_id {
        active.icon_upload_id = Set(icon.map(UploadId::into_inner));
    }
    active.updated_at = Set(Utc::now());
    match active.update(db).await {
        Ok(c) => {
            crate::platform::outbox::enqueue(
                db,
                crate::platform::search_index::DocKind::Circle,
                &c.id,
            )
            .await?;
            Ok((c, replaced))
        }
        Err(err) if is_unique_violation(&err) => Err(Refusal::CircleNameTaken.into()),
        Err(err) => Err(err.into()),
    }
}

pub async fn find(db: &impl ConnectionTrait, id: &CircleId) -> AppResult<circles::Model> {
    circles::Entity::find_by_id(id.to_string())
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("circle"))
}

pub async fn list(
    db: &impl ConnectionTrait,
    kind: Option<CircleKind>,
    page: &PageParams,
) -> AppResult<Vec<circles::Model>> {
    // Closed circles are reached through what opened them.
    let mut query = circles::Entity::find()
        .filter(circles::Column::Gate.is_null())
        .order_by_asc(circles::Column::Id)
        .limit(page.limit + 1);
    if let Some(kind) = kind {
        query = query.filter(circles::Column::Kind.eq(kind.as_str()));
    }
    if let Some(after) = &page.after {
        query = query.filter(circles::Column::Id.gt(after.as_str()));
    }
    Ok(query.all(db).await?)
}

/// The ids, among `circle_ids`, that `user_id` joined.
pub async fn joined(
    db: &impl ConnectionTrait,
    user_id: &UserId,
    circle_ids: Vec<String>,
) -> AppResult<Vec<String>> {
    Ok(circle_members::Entity::find()
        .filter(circle_members::Column::UserId.eq(user_id))
        .filter(circle_members::Column::CircleId.is_in(circle_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.circle_id)
        .collect())
}

pub async fn my_circles(
    db: &impl ConnectionTrait,
    user_id: &UserId,
    page: &PageParams,
) -> AppResult<Vec<circles::Model>> {
    let mut query = circles::Entity::find()
        .inner_join(circle_members::Entity)
        .filter(circle_members::Column::UserId.eq(user_id))
        .filter(circles::Column::Gate.is_null())
        .order_by_asc(circles::Column::Id)
        .limit(page.limit + 1);
    if let Some(after) = &page.after {
        query = query.filter(circles::Column::Id.gt(after.as_str()));
    }
    Ok(query.all(db).await?)
}

/// Joins (idempotent); the member count moves only when membership does.
pub async fn join(
    db: &DatabaseConnection,
    circle_id: &CircleId,
    user_id: &UserId,
) -> AppResult<()> {
    find(db, circle_id).await?;
    let txn = db.begin().await?;
    let inserted = circle_members::Entity::insert(circle_members::ActiveModel {
        circle_id: Set(circle_id.to_string()),
        user_id: Set(user_id.to_string()),
        joined_at: Set(Utc::now()),
    })
    .on_conflict_do_nothing()
    .exec_without_returning(&txn)
    .await?;
    if matches!(inserted, sea_orm::TryInsertResult::Inserted(n) if n > 0) {
        bump_members(&txn, circle_id.as_str(), 1).await?;
    }
    txn.commit().await?;
    Ok(())
}

pub async fn leave(
    db: &DatabaseConnection,
    circle_id: &CircleId,
    user_id: &UserId,
) -> AppResult<()> {
    find(db, circle_id).await?;
    let txn = db.begin().await?;
    let removed = circle_members::Entity::delete_many()
        .filter(circle_members::Column::CircleId.eq(circle_id))
        .filter(circle_members::Column::UserId.eq(user_id))
        .exec(&txn)
        .await?
        .rows_affected;
    if removed > 0 {
        bump_members(&txn, circle_id.as_str(), -1).await?;
    }
    txn.commit().await?;
    Ok(())
}

async fn bump_members(db: &impl ConnectionTrait, circle_id: &str, by: i64) -> AppResult<()> {
    circles::Entity::update_many()
        .col_expr(
            circles::Column::MemberCount,
            Expr::col(circles::Column::MemberCount).add(by),
        )
        .filter(circles::Column::Id.eq(circle_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Every circle `user_id` joined.
pub async fn joined_all(db: &impl ConnectionTrait, user_id: &UserId) -> AppResult<Vec<String>> {
    Ok(circle_members::Entity::find()
        .filter(circle_members::Column::UserId.eq(user_id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.circle_id)
        .collect())
}
