//! Closed circles (see `platform::gates`): community opens them for the
//! area behind the gate and keeps them shut. A closed circle and its posts
//! are in no circle list, no plaza or following feed and not in the search
//! index; the circle, its feed, its posts, their comments and likes answer
//! 404 to whoever the gate does not admit. Staff always pass, and an author
//! keeps seeing their own post.
use async_trait::async_trait;
use chrono::Utc;
use entity::circles;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter,
};

use crate::{
    error::{AppError, AppResult},
    identity::{AuthUser, Role},
    ids::CircleId,
    platform::gates::ClosedCircles,
    state::AppState,
};

/// Whether `viewer` may see what lies behind `gate` (anyone, without one).
pub async fn admitted(
    state: &AppState,
    gate: Option<&str>,
    viewer: Option<&AuthUser>,
) -> AppResult<bool> {
    let Some(gate) = gate else {
        return Ok(true);
    };
    match viewer {
        None => Ok(false),
        Some(v) if v.role >= Role::Moderator => Ok(true),
        Some(v) => state.gates.admits(&state.db, gate, v.id.as_str()).await,
    }
}

/// The circle, if `viewer` may see it; a closed one is not found otherwise.
pub async fn circle_for(
    state: &AppState,
    id: &CircleId,
    viewer: Option<&AuthUser>,
) -> AppResult<circles::Model> {
    let circle = super::circles::find(&state.read_db, id).await?;
    if !admitted(state, circle.gate.as_deref(), viewer).await? {
        return Err(AppError::not_found("circle"));
    }
    Ok(circle)
}

/// Whether the circle `id` exists, is closed and `viewer` may not see it
/// (posting there is then refused as if it did not exist).
pub async fn shut_to(state: &AppState, id: &CircleId, viewer: &AuthUser) -> AppResult<bool> {
    let gate = circles::Entity::find_by_id(id.as_str())
        .one(&state.db)
        .await?
        .and_then(|c| c.gate);
    Ok(gate.is_some() && !admitted(state, gate.as_deref(), Some(viewer)).await?)
}

/// Not the author's (nor a moderator's, with `moderators`): 403, or 404 in
/// a closed circle, whose posts no outsider may learn exist.
pub fn refuse_unless_author(
    post: &entity::posts::Model,
    user: &AuthUser,
    moderators: bool,
    why: &str,
) -> AppResult<()> {
    let author = post.author_id.as_deref() == Some(user.id.as_str());
    if author || (moderators && user.role >= Role::Moderator) {
        return Ok(());
    }
    Err(match post.gate {
        Some(_) => AppError::not_found("post"),
        None => AppError::forbidden(why.to_owned()),
    })
}

/// Longest circle name the schema keeps.
const NAME_MAX: usize = 64;

/// `name`, cut to fit with `suffix` after it.
fn fitted(name: &str, suffix: &str) -> String {
    let room = NAME_MAX - suffix.chars().count();
    let cut: String = name.trim().chars().take(room).collect();
    format!("{}{suffix}", cut.trim_end())
}

/// Opens closed circles for the areas behind their gates.
pub struct CommunityCircles;

#[async_trait]
impl ClosedCircles for CommunityCircles {
    async fn open(
        &self,
        txn: &DatabaseTransaction,
        name: &str,
        description: &str,
        gate: &str,
    ) -> AppResult<String> {
        let id = uuid::Uuid::now_v7().to_string();
        // Names are unique: a second program of the same name gets the
        // end of its circle's id after it (a taken name cannot be retried
        // inside the caller's transaction).
        let mut unique = fitted(name, "");
        let taken = circles::Entity::find()
            .filter(circles::Column::Name.eq(unique.as_str()))
            .one(txn)
            .await?
            .is_some();
        if taken {
            unique = fitted(name, &format!(" · {}", &id[id.len() - 6..]));
        }
        let now = Utc::now();
        // Never indexed for search: a closed circle is found through what
        // opened it.
        circles::Entity::insert(circles::ActiveModel {
            id: Set(id.clone()),
            name: Set(unique),
            kind: Set(entity::enums::CircleKind::Product),
            description: Set(description.to_owned()),
            icon_upload_id: Set(None),
            member_count: Set(0),
            post_count: Set(0),
            created_at: Set(now),
            updated_at: Set(now),
            gate: Set(Some(gate.to_owned())),
        })
        .exec_without_returning(txn)
        .await?;
        Ok(id)
    }

    async fn forget_members(&self, db: &DatabaseConnection, gate: &str) -> AppResult<u64> {
        use sea_orm::{sea_query::Expr, TransactionTrait};
        let Some(circle) = circles::Entity::find()
            .filter(circles::Column::Gate.eq(gate))
            .one(db)
            .await?
        else {
            return Ok(0);
        };
        let txn = db.begin().await?;
        let gone = entity::circle_members::Entity::delete_many()
            .filter(entity::circle_members::Column::CircleId.eq(circle.id.as_str()))
            .exec(&txn)
            .await?
            .rows_affected;
        if gone > 0 {
            circles::Entity::update_many()
                .col_expr(circles::Column::MemberCount, Expr::value(0))
                .filter(circles::Column::Id.eq(circle.id.as_str()))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(gone)
    }
}

#[cfg(test)]
mod tests {
    use super::{fitted, NAME_MAX};

    #[test]
    fn a_long_name_is_cut_to_leave_room_for_its_suffix() {
        let long = "测".repeat(80);
        let name = fitted(&long, " · a1b2c3");
        assert_eq!(name.chars().count(), NAME_MAX);
        assert!(name.ends_with(" · a1b2c3"));
        assert_eq!(fitted(" Short ", ""), "Short");
    }
}
