//! What the beta-programs API shows and takes.
use chrono::{DateTime, Utc};
use poem_openapi::{Enum, Object};

use crate::api::examples;

/// Where a beta application stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum BetaStatus {
    /// Screened in; waiting for staff.
    Pending,
    /// A tester.
    Approved,
    /// Turned down (by the screening or by staff), or removed as a
    /// tester, with a reason.
    Rejected,
    /// On the waiting list: approved in order when a place frees (a
    /// withdrawal, a removal, more places).
    Waitlisted,
    /// The applicant withdrew (or left the program).
    Withdrawn,
}

crate::convert::mirror!(
    BetaStatus,
    entity::enums::BetaStatus,
    [Pending, Approved, Rejected, Waitlisted, Withdrawn]
);

/// A rule of a program's automatic screening.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum, serde::Serialize, serde::Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum BetaRule {
    /// The device model is not one the program tests.
    DeviceModel,
    /// The membership level is below the program's minimum.
    MembershipLevel,
    /// The account is younger than the program's minimum.
    AccountAge,
    /// An installed app the build is known not to work with.
    BlockingApp,
}

/// An app a program looks for in an installed-apps list.
#[derive(Clone, Debug, PartialEq, Eq, Object, serde::Serialize, serde::Deserialize)]
#[oai(example)]
pub struct WatchedApp {
    /// The app's package name.
    /// privacy: not personal
    #[oai(validator(
        min_length = 1,
        max_length = 255,
        pattern = r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+$"
    ))]
    pub package: String,
    /// Whether its presence makes the applicant ineligible (the build does
    /// not work with it); otherwise reviewers only see that it is there.
    /// privacy: not personal
    pub blocks: bool,
}

impl poem_openapi::types::Example for WatchedApp {
    fn example() -> Self {
        Self {
            package: "com.example.launcher".into(),
            blocks: true,
        }
    }
}

/// A beta program, as applicants see it: whom it admits and what applying
/// asks, and why.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct BetaProgramView {
    pub id: String,
    pub name: String,
    pub description: String,
    /// The device models it tests; an application from another is screened
    /// out.
    pub device_models: Vec<String>,
    pub capacity: i32,
    /// Testers approved so far.
    pub approved: u64,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    /// When the program ends: what applicants gave is deleted 90 days
    /// later at most (the server's `AGORA_BETA_APPLICATION_RETENTION`).
    pub ends_at: DateTime<Utc>,
    /// Screening questions; an application answers each, in order.
    pub questions: Vec<String>,
    /// Present when the program asks for the list of installed apps, and
    /// why. The list is checked during the request and never kept: only
    /// the verdict and which of `watched_apps` were present.
    pub installed_apps_reason: Option<String>,
    pub watched_apps: Vec<WatchedApp>,
    /// The lowest membership level it admits.
    pub min_level: Option<i32>,
    /// The youngest account it admits, in days.
    pub min_account_days: Option<i32>,
    /// The program's feedback circle: closed, seen only by its approved
    /// testers and staff (404 to anyone else). Testers post feedback there,
    /// with a diagnostic log if they like.
    pub feedback_circle_id: Option<String>,
}

impl poem_openapi::types::Example for BetaProgramView {
    fn example() -> Self {
        Self {
            id: examples::id("BetaProgramId"),
            name: "HyperOS 3 developer beta".into(),
            description: "Try the next system build a month early.".into(),
            device_models: vec!["Xiaomi 15".into(), "Xiaomi 15 Pro".into()],
            capacity: 500,
            approved: 120,
            opens_at: examples::time(20, 2, 0),
            closes_at: examples::time(27, 16, 0),
            ends_at: examples::time(30, 16, 0),
            questions: vec!["How do you use your phone every day?".into()],
            installed_apps_reason: Some(
                "The build breaks two known launchers; we check that you have neither.".into(),
            ),
            watched_apps: vec![WatchedApp::example()],
            min_level: Some(3),
            min_account_days: Some(30),
            feedback_circle_id: Some(examples::id("CircleId")),
        }
    }
}

/// What an applicant gave (shown to the applicant, in the export, and to
/// staff masked).
#[derive(Debug, Default, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct BetaApplicationDetails {
    pub contact_phone: Option<String>,
    pub device_model: Option<String>,
    pub answers: Option<Vec<String>>,
}

impl poem_openapi::types::Example for BetaApplicationDetails {
    fn example() -> Self {
        Self {
            contact_phone: Some("+8613800138000".into()),
            device_model: Some("Xiaomi 15".into()),
            answers: Some(vec!["Photos and navigation, every day.".into()]),
        }
    }
}

/// The automatic screening's verdict.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct Screening {
    pub eligible: bool,
    /// The rules not met (empty when eligible).
    pub unmet: Vec<BetaRule>,
    /// Which of the program's watched apps were installed; absent when no
    /// list was sent.
    pub watched_present: Option<Vec<String>>,
}

impl poem_openapi::types::Example for Screening {
    fn example() -> Self {
        Self {
            eligible: true,
            unmet: Vec::new(),
            watched_present: Some(Vec::new()),
        }
    }
}

/// An application of mine.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct BetaApplicationView {
    pub id: String,
    pub program_id: String,
    pub status: BetaStatus,
    /// Why it was rejected (by the screening or by staff).
    pub reason: Option<String>,
    pub screening: Screening,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    /// What I gave (on `GET /me/beta-applications/{id}`); absent once
    /// erased.
    pub details: Option<BetaApplicationDetails>,
}

impl poem_openapi::types::Example for BetaApplicationView {
    fn example() -> Self {
        Self {
            id: examples::id("BetaApplicationId"),
            program_id: examples::id("BetaProgramId"),
            status: BetaStatus::Pending,
            reason: None,
            screening: Screening::example(),
            created_at: examples::time(21, 9, 30),
            decided_at: None,
            details: None,
        }
    }
}

/// An application as staff see it: the phone masked.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct StaffBetaApplicationView {
    pub id: String,
    pub program_id: String,
    pub user_id: String,
    pub status: BetaStatus,
    pub reason: Option<String>,
    pub screening: Screening,
    /// Masked; absent once erased.
    pub details: Option<BetaApplicationDetails>,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

impl poem_openapi::types::Example for StaffBetaApplicationView {
    fn example() -> Self {
        Self {
            id: examples::id("BetaApplicationId"),
            program_id: examples::id("BetaProgramId"),
            user_id: examples::id("UserId"),
            status: BetaStatus::Pending,
            reason: None,
            screening: Screening::example(),
            details: Some(BetaApplicationDetails {
                contact_phone: Some("+86138****8000".into()),
                ..BetaApplicationDetails::example()
            }),
            created_at: examples::time(21, 9, 30),
            decided_at: None,
        }
    }
}
