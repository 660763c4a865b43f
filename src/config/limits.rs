//! Rate-limit settings: the action classes (keys of `[rate_limits]`) and
//! their quotas. The limiters that apply them live in the platform.
use std::{collections::BTreeMap, fmt, str::FromStr, time::Duration};

use serde::{Deserialize, Serialize};

/// What a limit applies to. Keys of `[rate_limits]` in the configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionClass {
    /// SMS codes sent to one phone number.
    SmsPhone,
    /// SMS codes requested from one IP address.
    SmsIp,
    /// SMS-code checks for one phone number: bounds guessing across codes.
    SmsVerify,
    /// Login attempts from one IP address.
    LoginIp,
    /// Login attempts for one phone number.
    LoginAccount,
    /// Other writes (POST, PUT, PATCH, DELETE) from one IP address.
    WriteIp,
    /// Other writes by one account.
    WriteAccount,
    /// Reads from one IP address.
    ReadIp,
    /// Reads by one account.
    ReadAccount,
    /// New posts by one account (flood control).
    PostCreate,
    /// New comments by one account.
    CommentCreate,
    /// Likes by one account.
    Like,
    /// Private messages sent by one account.
    MessageSend,
    /// New conversations started by one account.
    ConversationCreate,
    /// Data exports by one account.
    DataExport,
    /// Event registrations by one account (each probes an ID number too).
    EventRegister,
    /// Help-group applications by one account.
    HelpGroupApply,
    /// Event registrations, help-group and beta applications from one IP
    /// address.
    ApplyIp,
    /// Guardian codes requested by one account.
    GuardianCode,
    /// Guardian-code checks by one account: bounds guessing.
    GuardianVerify,
    /// Prize redemptions by one account.
    Redeem,
    /// Delivery details given by one account (each probes an ID number).
    ClaimDelivery,
    /// Beta applications by one account.
    BetaApply,
}

impl ActionClass {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SmsPhone => "sms_phone",
            Self::SmsIp => "sms_ip",
            Self::SmsVerify => "sms_verify",
            Self::LoginIp => "login_ip",
            Self::LoginAccount => "login_account",
            Self::WriteIp => "write_ip",
            Self::WriteAccount => "write_account",
            Self::ReadIp => "read_ip",
            Self::ReadAccount => "read_account",
            Self::PostCreate => "post_create",
            Self::CommentCreate => "comment_create",
            Self::Like => "like",
            Self::MessageSend => "message_send",
            Self::ConversationCreate => "conversation_create",
            Self::DataExport => "data_export",
            Self::EventRegister => "event_register",
            Self::HelpGroupApply => "help_group_apply",
            Self::ApplyIp => "apply_ip",
            Self::GuardianCode => "guardian_code",
            Self::GuardianVerify => "guardian_verify",
            Self::Redeem => "redeem",
            Self::ClaimDelivery => "claim_delivery",
            Self::BetaApply => "beta_apply",
        }
    }

    pub fn defaults() -> BTreeMap<ActionClass, QuotaSpec> {
        let q = |count, secs| QuotaSpec {
            count,
            period: Duration::from_secs(secs),
        };
        BTreeMap::from([
            (Self::SmsPhone, q(1, 60)),
            (Self::SmsIp, q(10, 3600)),
            (Self::SmsVerify, q(20, 86_400)),
            (Self::LoginIp, q(10, 60)),
            (Self::LoginAccount, q(5, 60)),
            (Self::WriteIp, q(600, 60)),
            (Self::WriteAccount, q(300, 60)),
            (Self::ReadIp, q(3000, 60)),
            (Self::ReadAccount, q(1200, 60)),
            (Self::PostCreate, q(1, 15)),
            (Self::CommentCreate, q(1, 5)),
            (Self::Like, q(50, 60)),
            // One a second with a burst of ten.
            (Self::MessageSend, q(10, 10)),
            (Self::ConversationCreate, q(20, 86_400)),
            (Self::DataExport, q(1, 86_400)),
            (Self::EventRegister, q(20, 3600)),
            (Self::HelpGroupApply, q(10, 86_400)),
            (Self::ApplyIp, q(60, 3600)),
            (Self::GuardianCode, q(3, 3600)),
            (Self::GuardianVerify, q(5, 86_400)),
            (Self::Redeem, q(30, 60)),
            (Self::ClaimDelivery, q(20, 3600)),
            (Self::BetaApply, q(10, 86_400)),
        ])
    }
}

/// `count` actions per `period`, written `"10/1m"`: a burst of `count`,
/// refilled evenly over the period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct QuotaSpec {
    pub count: u32,
    pub period: Duration,
}

impl QuotaSpec {
    /// Time between two replenished actions.
    pub fn interval(&self) -> Duration {
        self.period / self.count.max(1)
    }
}

impl FromStr for QuotaSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (count, period) = s
            .split_once('/')
            .ok_or_else(|| format!("rate limit `{s}` is not of the form N/period, e.g. 10/1m"))?;
        let count: u32 = count
            .trim()
            .parse()
            .map_err(|_| format!("rate limit `{s}`: bad count"))?;
        let period = humantime::parse_duration(period.trim())
            .map_err(|e| format!("rate limit `{s}`: {e}"))?;
        if count == 0 || period.is_zero() {
            return Err(format!(
                "rate limit `{s}`: count and period must be positive"
            ));
        }
        Ok(Self { count, period })
    }
}

impl TryFrom<String> for QuotaSpec {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<QuotaSpec> for String {
    fn from(q: QuotaSpec) -> String {
        q.to_string()
    }
}

impl fmt::Display for QuotaSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}",
            self.count,
            humantime::format_duration(self.period)
        )
    }
}
