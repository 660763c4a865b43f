//! Reports and moderation: every moderator action is written to the audit
//! log, in the same transaction as the action itself.
use chrono::Utc;
use entity::{comments, moderation_log, posts, reports, users};
use poem_openapi::Enum;
use sea_orm::ActiveEnum;
use sea_orm::{
    sea_query::Expr, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
};

use super::refusals::Refusal;
use crate::error::Invalid;
use crate::ids::{CommentId, PostId, UserId};
use crate::{
    api::PageParams,
    error::{AppError, AppResult},
    platform::outbox,
    platform::search_index::DocKind,
    state::AppState,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum TargetType {
    Post,
    Comment,
    User,
}

impl TargetType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Post => "post",
            Self::Comment => "comment",
            Self::User => "user",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum Action {
    Hide,
    Restore,
    Pin,
    Unpin,
    Lock,
    Unlock,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hide => "hide",
            Self::Restore => "restore",
            Self::Pin => "pin",
            Self::Unpin => "unpin",
            Self::Lock => "lock",
            Self::Unlock => "unlock",
        }
    }
}

crate::convert::mirror!(
    Action,
    entity::enums::ModerationAction,
    [Hide, Restore, Pin, Unpin, Lock, Unlock]
);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum ReportStatus {
    Open,
    Resolved,
}

/// What a report is about, its id parsed once at the edge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Post(PostId),
    Comment(CommentId),
    User(UserId),
}

impl Target {
    pub fn parse(kind: TargetType, id: &str) -> Result<Self, Invalid> {
        Ok(match kind {
            TargetType::Post => Self::Post(PostId::parse(id)?),
            TargetType::Comment => Self::Comment(CommentId::parse(id)?),
            TargetType::User => Self::User(UserId::parse(id)?),
        })
    }

    pub fn kind(&self) -> TargetType {
        match self {
            Self::Post(_) => TargetType::Post,
            Self::Comment(_) => TargetType::Comment,
            Self::User(_) => TargetType::User,
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Self::Post(id) => id.as_str(),
            Self::Comment(id) => id.as_str(),
            Self::User(id) => id.as_str(),
        }
    }
}

/// Reports a post, a comment or a user the reporter can see: a closed
/// circle's post or comment only when its gate admits the reporter.
pub async fn report(
    state: &crate::state::AppState,
    reporter: &crate::identity::AuthUser,
    target: &Target,
    reason: &str,
) -> AppResult<reports::Model> {
    let db = &state.db;
    let post = match target {
        Target::Post(id) => Some(id.as_str().to_owned()),
        Target::Comment(id) => comments::Entity::find_by_id(id.as_str())
            .one(db)
            .await?
            .filter(|c| c.deleted_at.is_none())
            .map(|c| c.post_id),
        Target::User(_) => None,
    };
    let exists = match (target, post) {
        (Target::User(id), _) => users::Entity::find_by_id(id.as_str())
            .one(db)
            .await?
            .is_some(),
        (_, None) => false,
        (_, Some(post)) => match posts::Entity::find_by_id(post).one(db).await? {
            Some(p) if p.deleted_at.is_none() => {
                super::closed::admitted(state, p.gate.as_deref(), Some(reporter)).await?
            }
            _ => false,
        },
    };
    let reporter = &reporter.id;
    if !exists {
        return Err(Refusal::UnknownReportTarget.into());
    }
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Refusal::EmptyReason.into());
    }
    let row = reports::ActiveModel {
        id: Set(uuid::Uuid::now_v7().to_string()),
        reporter_id: Set(Some(reporter.to_string())),
        target_type: Set(target.kind().into()),
        target_id: Set(target.id().to_owned()),
        reason: Set(reason.to_owned()),
        status: Set(entity::enums::ReportStatus::Open),
        created_at: Set(Utc::now()),
        resolved_at: Set(None),
    };
    Ok(reports::Entity::insert(row).exec_with_returning(db).await?)
}

pub async fn list_reports(
    db: &impl ConnectionTrait,
    status: ReportStatus,
    page: &PageParams,
) -> AppResult<Vec<reports::Model>> {
    let status = entity::enums::ReportStatus::from(status);
    let mut query = reports::Entity::find()
        .filter(reports::Column::Status.eq(status))
        .order_by_asc(reports::Column::Id)
        .limit(page.limit + 1);
    if let Some(after) = &page.after {
        query = query.filter(reports::Column::Id.gt(after.as_str()));
    }
    Ok(query.all(db).await?)
}

/// Applies a moderator action, logs it, resolves the target's open reports
/// and, once committed, drops the feed pages that showed it.
pub async fn moderate(
    state: &AppState,
    moderator: &UserId,
    target: &Target,
    action: Action,
    reason: &str,
) -> AppResult<()> {
    let (target_type, id) = (target.kind(), target.id());
    let txn = state.db.begin().await?;
    let affected = match target_type {
        TargetType::Post => {
            let (column, value) = match action {
                Action::Hide => (posts::Column::Hidden, true),
                Action::Restore => (posts::Column::Hidden, false),
                Action::Pin => (posts::Column::Pinned, true),
                Action::Unpin => (posts::Column::Pinned, false),
                Action::Lock => (posts::Column::Locked, true),
                Action::Unlock => (posts::Column::Locked, false),
            };
            posts::Entity::update_many()
                .col_expr(column, Expr::value(value))
                .filter(posts::Column::Id.eq(id))
                .filter(posts::Column::DeletedAt.is_null())
                .exec(&txn)
                .await?
                .rows_affected
        }
        TargetType::Comment => {
            let hidden = match action {
                Action::Hide => true,
                Action::Restore => false,
                _ => return Err(Refusal::NotForComments.into()),
            };
            comments::Entity::update_many()
                .col_expr(comments::Column::Hidden, Expr::value(hidden))
                .filter(comments::Column::Id.eq(id))
                .filter(comments::Column::DeletedAt.is_null())
                .exec(&txn)
                .await?
                .rows_affected
        }
        TargetType::User => return Err(Refusal::NotForUsers.into()),
    };
    if affected == 0 {
        return Err(AppError::not_found(target_type.as_str()));
    }
    match target_type {
        // Hiding or restoring a post takes its comments out or back too.
        TargetType::Post => {
            let visibility = matches!(action, Action::Hide | Action::Restore);
            super::posts::enqueue_post(&txn, id, visibility).await?;
            // A hidden post's images are not public either; restoring it
            // makes them public again.
            if visibility {
                super::posts::set_images_private(&txn, id, action == Action::Hide).await?;
            }
        }
        TargetType::Comment => outbox::enqueue(&txn, DocKind::Comment, id).await?,
        TargetType::User => {}
    }
    moderation_log::Entity::insert(moderation_log::ActiveModel {
        id: Set(uuid::Uuid::now_v7().to_string()),
        moderator_id: Set(Some(moderator.to_string())),
        target_type: Set(target_type.into()),
        target_id: Set(id.to_owned()),
        action: Set(action.into()),
        reason: Set(reason.trim().to_owned()),
        created_at: Set(Utc::now()),
    })
    .exec(&txn)
    .await?;
    reports::Entity::update_many()
        .col_expr(
            reports::Column::Status,
            Expr::value(entity::enums::ReportStatus::Resolved.to_value()),
        )
        .col_expr(reports::Column::ResolvedAt, Expr::value(Utc::now()))
        .filter(reports::Column::TargetType.eq(target_type.as_str()))
        .filter(reports::Column::TargetId.eq(id))
        .filter(reports::Column::Status.eq(entity::enums::ReportStatus::Open))
        .exec(&txn)
        .await?;
    // The post whose feeds showed the target.
    let post_id = match target {
        Target::Comment(id) => comments::Entity::find_by_id(id.as_str())
            .one(&txn)
            .await?
            .map(|c| c.post_id),
        Target::Post(id) => Some(id.to_string()),
        Target::User(_) => None,
    };
    txn.commit().await?;
    if let Some(post_id) = post_id {
        super::cached::post_id_changed(state, &post_id).await;
    }
    tracing::info!(
        moderator_id = %moderator,
        target = target_type.as_str(),
        target_id = id,
        action = action.as_str(),
        "moderation"
    );
    Ok(())
}

pub async fn audit_log(
    db: &impl ConnectionTrait,
    page: &PageParams,
) -> AppResult<Vec<moderation_log::Model>> {
    let mut query = moderation_log::Entity::find()
        .order_by_desc(moderation_log::Column::Id)
        .limit(page.limit + 1);
    if let Some(after) = &page.after {
        query = query.filter(moderation_log::Column::Id.lt(after.as_str()));
    }
    Ok(query.all(db).await?)
}

crate::convert::mirror!(TargetType, entity::enums::TargetType, [Post, Comment, User]);

crate::convert::mirror!(ReportStatus, entity::enums::ReportStatus, [Open, Resolved]);
