//! Notifications: what arrived while the user had no live connection.
use chrono::{DateTime, Utc};
use entity::notifications;
use sea_orm::{
    sea_query::Expr, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use super::dto::people;
use crate::{api::PageParams, error::AppResult, identity::views::AuthorView, state::AppState};

/// What a notification is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename_all = "lowercase")]
pub enum NotificationKind {
    /// A message arrived while you were offline.
    Message,
    /// Staff decided on one of your event registrations (`registration_id`).
    #[oai(rename = "event_decision")]
    EventDecision,
    /// A group manager decided on your help-group application
    /// (`application_id`).
    #[oai(rename = "help_group_decision")]
    HelpGroupDecision,
    /// One of your prize claims moved on: shipped, delivered (`claim_id`).
    #[oai(rename = "prize_claim")]
    PrizeClaim,
    /// Staff decided on one of your beta applications
    /// (`beta_application_id`).
    #[oai(rename = "beta_decision")]
    BetaDecision,
}

crate::convert::mirror!(
    NotificationKind,
    entity::enums::NotificationKind,
    [
        Message,
        EventDecision,
        HelpGroupDecision,
        PrizeClaim,
        BetaDecision
    ]
);

/// The fact that staff decided on a registration, a group manager on an
/// application, or that a prize claim moved on, as a notification.
pub struct DecisionSubscriber;

#[async_trait::async_trait]
impl crate::platform::facts::Subscriber for DecisionSubscriber {
    async fn on(&self, state: &AppState, fact: &crate::platform::facts::Fact) -> AppResult<()> {
        use crate::platform::facts::Fact;
        use entity::enums::NotificationKind as Kind;
        use sea_orm::ActiveValue::Set;
        let (user, kind, reference) = match fact {
            Fact::RegistrationDecided { user, registration } => {
                (user, Kind::EventDecision, registration)
            }
            Fact::ApplicationDecided { user, application } => {
                (user, Kind::HelpGroupDecision, application)
            }
            Fact::ClaimChanged { user, claim } => (user, Kind::PrizeClaim, claim),
            Fact::BetaApplicationDecided { user, application } => {
                (user, Kind::BetaDecision, application)
            }
            _ => return Ok(()),
        };
        let of = |k: Kind| (kind == k).then(|| reference.clone());
        notifications::Entity::insert(notifications::ActiveModel {
            id: Set(uuid::Uuid::now_v7().to_string()),
            user_id: Set(user.clone()),
            kind: Set(kind),
            actor_id: Set(None),
            conversation_id: Set(None),
            message_id: Set(None),
            registration_id: Set(of(Kind::EventDecision)),
            application_id: Set(of(Kind::HelpGroupDecision)),
            claim_id: Set(of(Kind::PrizeClaim)),
            beta_application_id: Set(of(Kind::BetaDecision)),
            created_at: Set(Utc::now()),
            read_at: Set(None),
        })
        .exec_without_returning(&state.db)
        .await?;
        Ok(())
    }
}

/// One notification; it carries references, never message content.
#[derive(Debug, poem_openapi::Object)]
#[oai(skip_serializing_if_is_none)]
pub struct NotificationView {
    pub id: String,
    pub kind: NotificationKind,
    /// Who caused it; absent when their account is gone.
    pub actor: Option<AuthorView>,
    pub conversation_id: Option<String>,
    pub message_id: Option<String>,
    /// For `event_decision`: the registration (`GET /me/event-registrations/{id}`).
    pub registration_id: Option<String>,
    /// For `help_group_decision`: the application
    /// (`GET /me/help-group-applications/{id}`).
    pub application_id: Option<String>,
    /// For `prize_claim`: the claim (`GET /me/claims/{id}`).
    pub claim_id: Option<String>,
    /// For `beta_decision`: the application
    /// (`GET /me/beta-applications/{id}`).
    pub beta_application_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub read: bool,
}

pub async fn list(
    db: &impl ConnectionTrait,
    user: &str,
    page: &PageParams,
) -> AppResult<Vec<notifications::Model>> {
    let mut query = notifications::Entity::find()
        .filter(notifications::Column::UserId.eq(user))
        .order_by_desc(notifications::Column::Id)
        .limit(page.limit + 1);
    if let Some(after) = &page.after {
        query = query.filter(notifications::Column::Id.lt(after.as_str()));
    }
    Ok(query.all(db).await?)
}

pub async fn unread_count(db: &impl ConnectionTrait, user: &str) -> AppResult<i64> {
    Ok(notifications::Entity::find()
        .filter(notifications::Column::UserId.eq(user))
        .filter(notifications::Column::ReadAt.is_null())
        .count(db)
        .await? as i64)
}

/// Marks my notifications read, up to `up_to` or all of them.
pub async fn mark_read(
    db: &impl ConnectionTrait,
    user: &str,
    up_to: Option<&str>,
) -> AppResult<()> {
    let mut query = notifications::Entity::update_many()
        .col_expr(notifications::Column::ReadAt, Expr::value(Utc::now()))
        .filter(notifications::Column::UserId.eq(user))
        .filter(notifications::Column::ReadAt.is_null());
    if let Some(up_to) = up_to {
        query = query.filter(notifications::Column::Id.lte(up_to));
    }
    query.exec(db).await?;
    Ok(())
}

pub async fn views(
    state: &AppState,
    rows: Vec<notifications::Model>,
) -> AppResult<Vec<NotificationView>> {
    let actors = people(state, rows.iter().map(|n| n.actor_id.clone())).await?;
    Ok(rows
        .into_iter()
        .map(|n| NotificationView {
            actor: n.actor_id.as_ref().and_then(|a| actors.get(a)).cloned(),
            read: n.read_at.is_some(),
            id: n.id,
            kind: n.kind.into(),
            conversation_id: n.conversation_id,
            message_id: n.message_id,
            registration_id: n.registration_id,
            application_id: n.application_id,
            claim_id: n.claim_id,
            beta_application_id: n.beta_application_id,
            created_at: n.created_at,
        })
        .collect())
}
