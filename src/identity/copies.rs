//! A public profile (`GET /users/{id}`) kept as sent: it is the same for
//! every reader. A change to what it shows drops the copy once committed:
//! a profile edit, a role, a closed profile, an erased account. A level
//! that grew with someone's activity shows within the time to live.
use std::time::Duration;

use bytes::Bytes;

use crate::{
    platform::{
        copies,
        facts::{Fact, Subscriber},
    },
    state::AppState,
};

const TTL: Duration = Duration::from_secs(30);

fn key(user: &str) -> String {
    format!("view:user:{user}")
}

pub async fn public_profile(state: &AppState, user: &str) -> Option<Bytes> {
    copies::get(state.cache.as_ref(), &key(user)).await
}

pub async fn keep_public_profile(state: &AppState, user: &str, bytes: &[u8]) {
    copies::keep(state.cache.as_ref(), &key(user), bytes, TTL).await;
}

pub async fn forget_public_profile(state: &AppState, user: &str) {
    copies::forget(state.cache.as_ref(), &[key(user)]).await;
}

/// An erasure's [`Fact::AuthorChanged`] (published once it committed)
/// drops the profile's copy too.
pub struct ProfileCopies;

#[async_trait::async_trait]
impl Subscriber for ProfileCopies {
    async fn on(&self, state: &AppState, fact: &Fact) -> crate::error::AppResult<()> {
        if let Fact::AuthorChanged { user, .. } = fact {
            forget_public_profile(state, user).await;
        }
        Ok(())
    }
}
