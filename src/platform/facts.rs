//! Facts one area publishes and others act on, so that the publisher never
//! imports its subscribers: identity says "this user now hides (or shows)
//! their online status", messages tells the user's peers. The wiring
//! registers the subscribers at start-up.
use std::sync::Arc;

use async_trait::async_trait;

use crate::{error::AppResult, state::AppState};

/// Something that happened, as its publisher states it.
#[derive(Clone, Debug)]
pub enum Fact {
    /// A user turned "show my online status" on or off.
    PresenceVisibilityChanged { user: String, shown: bool },
    /// These uploads stopped being used where the publisher used them (a
    /// replaced avatar): the media layer deletes any nothing else uses.
    UploadsUnreferenced { ids: Vec<String> },
    /// Staff decided on a user's event registration (approved, rejected,
    /// waitlisted, or approved from the waiting list).
    RegistrationDecided { user: String, registration: String },
    /// A group manager decided on a user's help-group application
    /// (approved, rejected, or removed from the group).
    ApplicationDecided { user: String, application: String },
    /// A user's prize claim moved on (shipped, delivered, cancelled by
    /// staff).
    ClaimChanged { user: String, claim: String },
    /// Staff decided on a user's beta application (approved, rejected,
    /// waitlisted, removed, or approved from the waiting list).
    BetaApplicationDecided { user: String, application: String },
    /// What a user's posts show of them changed: their nickname or avatar,
    /// or their community profile closed. `erased` when an erasure did it:
    /// then no copy of what was shown may stay anywhere.
    AuthorChanged { user: String, erased: bool },
    /// A user published a post.
    PostPublished { author: String, post: String },
    /// A user published a comment.
    CommentPublished { author: String, comment: String },
    /// Someone liked a user's post.
    PostLiked {
        liker: String,
        author: String,
        post: String,
    },
}

impl Fact {
    /// What the logs call it (never its values).
    pub fn name(&self) -> &'static str {
        match self {
            Self::PresenceVisibilityChanged { .. } => "presence_visibility_changed",
            Self::UploadsUnreferenced { .. } => "uploads_unreferenced",
            Self::RegistrationDecided { .. } => "registration_decided",
            Self::ApplicationDecided { .. } => "application_decided",
            Self::ClaimChanged { .. } => "claim_changed",
            Self::BetaApplicationDecided { .. } => "beta_application_decided",
            Self::AuthorChanged { .. } => "author_changed",
            Self::PostPublished { .. } => "post_published",
            Self::CommentPublished { .. } => "comment_published",
            Self::PostLiked { .. } => "post_liked",
        }
    }
}

#[async_trait]
pub trait Subscriber: Send + Sync + 'static {
    async fn on(&self, state: &AppState, fact: &Fact) -> AppResult<()>;
}

/// Every subscriber, told of each fact in registration order.
#[derive(Clone, Default)]
pub struct Facts(Arc<Vec<Arc<dyn Subscriber>>>);

impl Facts {
    pub fn new(subscribers: Vec<Arc<dyn Subscriber>>) -> Self {
        Self(Arc::new(subscribers))
    }

    /// Tells every subscriber. A fact is published after the change it
    /// reports committed: a subscriber that fails is logged, the others
    /// still hear of it, and the change stands.
    pub async fn publish(&self, state: &AppState, fact: Fact) {
        for subscriber in self.0.iter() {
            if let Err(err) = subscriber.on(state, &fact).await {
                tracing::warn!(error = %format!("{err:#}"), fact = fact.name(), "a fact subscriber failed");
            }
        }
    }
}
