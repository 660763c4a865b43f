//! Sending SMS. The default `log` sender writes the text to the log with the
//! phone number masked; a provider plugs in behind the same trait.
use async_trait::async_trait;

use crate::identity::phone::Phone;

#[async_trait]
pub trait SmsSender: Send + Sync + 'static {
    async fn send(&self, to: &Phone, text: &str) -> anyhow::Result<()>;
}

pub struct LogSender;

#[async_trait]
impl SmsSender for LogSender {
    async fn send(&self, to: &Phone, text: &str) -> anyhow::Result<()> {
        tracing::info!(to = %to.masked(), text, "sms sent (log sender)");
        Ok(())
    }
}
