//! Sending SMS. The default `log` sender writes the text to the log with the
//! phone number masked; a provider plugs in behind the same trait.
use async_trait::async_trait;

#[async_trait]
pub trait SmsSender: Send + Sync + 'static {
    /// Sends `text` to `to`, a number already validated, in E.164 form.
    async fn send(&self, to: &str, text: &str) -> anyhow::Result<()>;

    /// [`send`](Self::send), for a number and a text that must leave no
    /// trace here (a guardian's): no log line, no stored copy, and errors
    /// that repeat neither. Every sender says how it keeps to that.
    async fn send_untraced(&self, to: &str, text: &str) -> anyhow::Result<()>;
}

pub struct LogSender;

#[async_trait]
impl SmsSender for LogSender {
    async fn send(&self, to: &str, text: &str) -> anyhow::Result<()> {
        tracing::info!(to = %mask_e164(to), text, "sms sent (log sender)");
        Ok(())
    }

    async fn send_untraced(&self, _to: &str, _text: &str) -> anyhow::Result<()> {
        tracing::info!("an untraced sms (a guardian code) was sent (log sender: neither number nor text is logged)");
        Ok(())
    }
}

/// Keeps the country code and prefix, hides the middle: `+86138****8000`.
pub fn mask_e164(e164: &str) -> String {
    let digits: Vec<char> = e164.chars().collect();
    if digits.len() <= 8 {
        return "****".into();
    }
    let head: String = digits[..digits.len() - 8].iter().collect();
    let tail: String = digits[digits.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}
