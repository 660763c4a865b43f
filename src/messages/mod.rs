//! Private messages: conversations, messages of every kind, read state,
//! recall, blocks, presence, realtime delivery and notifications for
//! whoever is offline.
pub mod api;
pub mod conversations;
pub mod dto;
pub mod events;
pub mod notifications;
pub mod people_api;
pub mod personal;
pub mod realtime;
pub mod references;
pub mod refusals;
pub mod retention;
pub mod service;

use std::sync::Arc;

/// Messages as personal data, and the rule for messages nobody keeps.
pub fn register(r: &mut crate::privacy::registry::Registries) {
    r.personal_data(Arc::new(personal::MessagesData))
        .retention_rule(Arc::new(retention::UnreachableMessages));
}

/// Attachments, as references to uploads (opened with the data key).
pub fn upload_references(
    crypto: crate::platform::crypto::Crypto,
) -> Arc<dyn crate::platform::references::UploadReferences> {
    Arc::new(references::Attachments(crypto))
}

/// What messages subscribes to: presence follows profile changes.
pub fn subscribers() -> Vec<Arc<dyn crate::platform::facts::Subscriber>> {
    vec![
        Arc::new(events::PresenceSubscriber),
        Arc::new(notifications::DecisionSubscriber),
    ]
}
