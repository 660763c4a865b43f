//! The events pushed over realtime connections, and presence.
use entity::{conversation_members as members, users};
use poem_openapi::types::ToJSON;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use serde_json::json;

use super::dto::MessageView;
use crate::{
    error::{AppError, AppResult},
    platform::{
        facts::{Fact, Subscriber},
        realtime::Frame,
    },
    state::AppState,
};

/// Peers told of a presence change, at most.
const PRESENCE_FANOUT: u64 = 1000;

fn frame(value: serde_json::Value) -> Frame {
    Frame::from(value.to_string())
}

/// Participants of a conversation, those whose accounts still exist.
fn both(member: &members::Model) -> Vec<String> {
    std::iter::once(member.user_id.clone())
        .chain(member.peer_id.clone())
        .collect()
}

pub async fn message_created(state: &AppState, member: &members::Model, message: &MessageView) {
    let event = json!({ "type": "message.created", "message": message.to_json() });
    state.realtime.send(&both(member), frame(event)).await;
}

pub async fn message_read(state: &AppState, member: &members::Model, up_to: &str) {
    let event = json!({
        "type": "message.read",
        "conversation_id": member.conversation_id,
        "reader_id": member.user_id,
        "up_to": up_to,
    });
    state.realtime.send(&both(member), frame(event)).await;
}

pub async fn message_recalled(state: &AppState, member: &members::Model, message_id: &str) {
    let event = json!({
        "type": "message.recalled",
        "conversation_id": member.conversation_id,
        "message_id": message_id,
    });
    state.realtime.send(&both(member), frame(event)).await;
}

/// Whether `viewer` may see `target`'s online status: the target shows it
/// and neither blocked the other.
pub async fn presence_visible(
    state: &AppState,
    viewer: Option<&str>,
    target: &users::Model,
) -> AppResult<bool> {
    if !target.show_online_status {
        return Ok(false);
    }
    match viewer {
        Some(viewer) => {
            Ok(!crate::identity::blocks::either_blocked(&state.db, viewer, &target.id).await?)
        }
        None => Ok(true),
    }
}

/// Tells the user's conversation peers that they came online or went
/// offline — only peers allowed to see it, and only if the user shows it.
pub async fn announce_presence(state: &AppState, user: &str, online: bool) -> AppResult<()> {
    let shows = users::Entity::find_by_id(user.to_owned())
        .one(&state.db)
        .await?
        .is_some_and(|u| u.show_online_status);
    if shows {
        tell_peers(state, user, online).await?;
    }
    Ok(())
}

/// Presence follows the facts identity publishes.
pub struct PresenceSubscriber;

#[async_trait::async_trait]
impl Subscriber for PresenceSubscriber {
    async fn on(&self, state: &AppState, fact: &Fact) -> AppResult<()> {
        match fact {
            Fact::PresenceVisibilityChanged { user, shown } => {
                visibility_changed(state, user, *shown).await
            }
            Fact::UploadsUnreferenced { .. }
            | Fact::RegistrationDecided { .. }
            | Fact::ClaimChanged { .. }
            | Fact::PostPublished { .. }
            | Fact::CommentPublished { .. }
            | Fact::PostLiked { .. }
            | Fact::ApplicationDecided { .. }
            | Fact::BetaApplicationDecided { .. }
            | Fact::AuthorChanged { .. } => Ok(()),
        }
    }
}

/// After the user changed "show my online status": peers see them go
/// offline, or come back if they are connected.
async fn visibility_changed(state: &AppState, user: &str, shows: bool) -> AppResult<()> {
    let online = state
        .realtime
        .bus
        .online(user)
        .await
        .map_err(AppError::internal)?;
    if online {
        tell_peers(state, user, shows).await?;
    }
    Ok(())
}

/// After a block: each side, if online, disappears for the other.
pub async fn blocked(state: &AppState, a: &str, b: &str) {
    for (user, other) in [(a, b), (b, a)] {
        let online = match state.realtime.bus.online(user).await {
            Ok(online) => online,
            Err(err) => {
                // The block stands; only the presence hint is lost.
                tracing::warn!(error = %format!("{err:#}"), "presence lookup failed after a block");
                continue;
            }
        };
        if online {
            let event = json!({ "type": "presence", "user_id": user, "online": false });
            state.realtime.send(&[other.to_owned()], frame(event)).await;
        }
    }
}

async fn tell_peers(state: &AppState, user: &str, online: bool) -> AppResult<()> {
    let peers: Vec<String> = members::Entity::find()
        .filter(members::Column::UserId.eq(user))
        .filter(members::Column::PeerId.is_not_null())
        .limit(PRESENCE_FANOUT)
        .all(&state.db)
        .await?
        .into_iter()
        .filter_map(|m| m.peer_id)
        .collect();
    let hidden = crate::identity::blocks::blocked_among(&state.db, user, &peers).await?;
    let to: Vec<String> = peers.into_iter().filter(|p| !hidden.contains(p)).collect();
    if !to.is_empty() {
        let event = json!({ "type": "presence", "user_id": user, "online": online });
        state.realtime.send(&to, frame(event)).await;
    }
    Ok(())
}
