//! Conversations: one per pair of users, each participant with a view of
//! their own (listed or removed, cleared history, read position).
use chrono::{DateTime, Utc};
use entity::{conversation_members as members, conversations, messages, users};
use sea_orm::{
    sea_query::Expr, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};

use super::dto::{message_views, people, ConversationView};
use super::refusals::Refusal;
use crate::ids::{ConversationId, UserId};
use crate::{
    api::{page::split_page, PageParams},
    error::{is_unique_violation, AppError, AppResult},
    state::AppState,
};

fn pair<'a>(a: &'a str, b: &'a str) -> (&'a str, &'a str) {
    if a < b {
        (a, b)
    } else {
        (b, a)
    }
}

/// Checks that a conversation with `peer` may exist.
pub async fn check_peer(db: &impl ConnectionTrait, me: &UserId, peer: &UserId) -> AppResult<()> {
    if me == peer {
        return Err(Refusal::MessageSelf.into());
    }
    if users::Entity::find_by_id(peer.to_string())
        .one(db)
        .await?
        .is_none()
    {
        return Err(Refusal::UnknownPeer.into());
    }
    crate::identity::blocks::ensure_not_blocked(db, me.as_str(), peer.as_str()).await
}

/// The existing conversation of the pair, put back into my list.
pub async fn find_pair(
    db: &impl ConnectionTrait,
    me: &UserId,
    peer: &UserId,
) -> AppResult<Option<conversations::Model>> {
    let (low, high) = pair(me.as_str(), peer.as_str());
    let found = conversations::Entity::find()
        .filter(conversations::Column::UserLow.eq(low))
        .filter(conversations::Column::UserHigh.eq(high))
        .one(db)
        .await?;
    if let Some(c) = &found {
        members::Entity::update_many()
            .col_expr(members::Column::Listed, Expr::value(true))
            .filter(members::Column::ConversationId.eq(c.id.as_str()))
            .filter(members::Column::UserId.eq(me))
            .exec(db)
            .await?;
    }
    Ok(found)
}

/// Creates the pair's conversation; `false` when a concurrent call won.
pub async fn create(
    db: &DatabaseConnection,
    me: &UserId,
    peer: &UserId,
) -> AppResult<(conversations::Model, bool)> {
    let (low, high) = pair(me.as_str(), peer.as_str());
    let now = Utc::now();
    let id = uuid::Uuid::now_v7().to_string();
    let txn = db.begin().await?;
    let inserted = conversations::Entity::insert(conversations::ActiveModel {
        id: Set(id.clone()),
        user_low: Set(Some(low.to_owned())),
        user_high: Set(Some(high.to_owned())),
        last_message_id: Set(None),
        created_at: Set(now),
    })
    .exec_with_returning(&txn)
    .await;
    let conversation = match inserted {
        Ok(c) => c,
        Err(err) if is_unique_violation(&err) => {
            drop(txn);
            return find_pair(db, me, peer)
                .await?
                .map(|c| (c, false))
                .ok_or_else(|| AppError::internal(anyhow::anyhow!("conversation vanished")));
        }
        Err(err) => return Err(err.into()),
    };
    for (user, other) in [(me, peer), (peer, me)] {
        members::Entity::insert(members::ActiveModel {
            conversation_id: Set(id.clone()),
            user_id: Set(user.to_string()),
            peer_id: Set(Some(other.to_string())),
            // The peer sees it once a message arrives.
            listed: Set(user == me),
            cleared_before: Set(None),
            last_read_id: Set(None),
            activity_at: Set(now),
        })
        .exec_without_returning(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok((conversation, true))
}

/// My membership of a conversation; 404 for anyone who is not in it.
pub async fn membership(
    db: &impl ConnectionTrait,
    me: &UserId,
    conversation_id: &ConversationId,
) -> AppResult<members::Model> {
    members::Entity::find_by_id((conversation_id.to_string(), me.to_string()))
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("conversation"))
}

/// Takes a conversation off my list and clears my view of its history.
pub async fn remove(
    db: &impl ConnectionTrait,
    me: &UserId,
    conversation_id: &ConversationId,
) -> AppResult<()> {
    membership(db, me, conversation_id).await?;
    let last = conversations::Entity::find_by_id(conversation_id.to_string())
        .one(db)
        .await?
        .and_then(|c| c.last_message_id);
    members::Entity::update_many()
        .col_expr(members::Column::Listed, Expr::value(false))
        .col_expr(members::Column::ClearedBefore, Expr::value(last.clone()))
        .col_expr(members::Column::LastReadId, Expr::value(last))
        .filter(members::Column::ConversationId.eq(conversation_id))
        .filter(members::Column::UserId.eq(me))
        .exec(db)
        .await?;
    Ok(())
}

fn list_cursor(m: &members::Model) -> String {
    format!("{}|{}", m.activity_at.timestamp_micros(), m.conversation_id)
}

fn parse_list_cursor(after: &str) -> AppResult<(DateTime<Utc>, String)> {
    after
        .split_once('|')
        .and_then(|(ts, id)| {
            let ts = DateTime::from_timestamp_micros(ts.parse().ok()?)?;
            Some((ts, id.to_owned()))
        })
        .ok_or_else(|| Refusal::BadCursor.into())
}

/// My listed conversations, most recent activity first.
pub async fn list(
    db: &impl ConnectionTrait,
    me: &UserId,
    page: &PageParams,
) -> AppResult<(Vec<members::Model>, Option<String>)> {
    let mut query = members::Entity::find()
        .filter(members::Column::UserId.eq(me))
        .filter(members::Column::Listed.eq(true))
        .order_by_desc(members::Column::ActivityAt)
        .order_by_desc(members::Column::ConversationId)
        .limit(page.limit + 1);
    if let Some(after) = &page.after {
        let (ts, id) = parse_list_cursor(after)?;
        query = query.filter(
            Condition::any()
                .add(members::Column::ActivityAt.lt(ts))
                .add(
                    Condition::all()
                        .add(members::Column::ActivityAt.eq(ts))
                        .add(members::Column::ConversationId.lt(id)),
                ),
        );
    }
    let rows = query.all(db).await?;
    Ok(split_page(rows, page.limit, list_cursor))
}

/// Messages from the peer after `after` (or all), not recalled.
pub async fn unread(db: &impl ConnectionTrait, member: &members::Model) -> AppResult<i64> {
    let mut query = messages::Entity::find()
        .filter(messages::Column::ConversationId.eq(member.conversation_id.as_str()))
        .filter(messages::Column::RecalledAt.is_null())
        .filter(
            Condition::any()
                .add(messages::Column::SenderId.ne(member.user_id.as_str()))
                .add(messages::Column::SenderId.is_null()),
        );
    let seen = member
        .last_read_id
        .iter()
        .chain(member.cleared_before.iter())
        .max();
    if let Some(seen) = seen {
        query = query.filter(messages::Column::Id.gt(seen.as_str()));
    }
    Ok(query.count(db).await? as i64)
}

/// Views of my memberships: peers, last messages and unread counts.
pub async fn views(
    state: &AppState,
    rows: Vec<members::Model>,
) -> AppResult<Vec<ConversationView>> {
    let ids: Vec<String> = rows.iter().map(|m| m.conversation_id.clone()).collect();
    let last_ids: Vec<String> = conversations::Entity::find()
        .filter(conversations::Column::Id.is_in(ids))
        .all(&state.db)
        .await?
        .into_iter()
        .filter_map(|c| c.last_message_id)
        .collect();
    let lasts = messages::Entity::find()
        .filter(messages::Column::Id.is_in(last_ids))
        .all(&state.db)
        .await?;
    let mut lasts = message_views(state, lasts).await?;
    let peers = people(state, rows.iter().map(|m| m.peer_id.clone())).await?;
    let mut out = Vec::with_capacity(rows.len());
    for m in rows {
        let last = lasts
            .iter()
            .position(|l| {
                l.conversation_id == m.conversation_id
                    && m.cleared_before
                        .as_deref()
                        .is_none_or(|c| l.id.as_str() > c)
            })
            .map(|i| lasts.swap_remove(i));
        out.push(ConversationView {
            id: m.conversation_id.clone(),
            peer: m.peer_id.as_ref().and_then(|p| peers.get(p)).cloned(),
            last_message: last,
            unread_count: unread(&state.db, &m).await?,
            updated_at: m.activity_at,
        });
    }
    Ok(out)
}
