//! The automatic screening: a program's rules over what an applicant gave
//! and what the account is. An installed-apps list is only read here,
//! inside the request; what comes out is the verdict and which of the
//! program's watched apps were present.
use chrono::{DateTime, Duration, Utc};

use super::{store::Lists, views::BetaRule};

/// The rules of a program, as screening reads them.
pub struct Rules<'a> {
    pub lists: &'a Lists,
    pub min_level: Option<i32>,
    pub min_account_days: Option<i32>,
}

/// What screening looks at of an applicant.
pub struct Applicant<'a> {
    pub device_model: &'a str,
    pub level: i32,
    pub joined_at: DateTime<Utc>,
    /// The installed apps, when the program asks and the applicant sent
    /// them: borrowed for the call, never copied.
    pub installed_apps: Option<&'a [String]>,
}

#[derive(Debug, PartialEq, Eq)]
pub struct Verdict {
    pub unmet: Vec<BetaRule>,
    /// Which watched apps were installed; `None` when no list was sent.
    pub watched_present: Option<Vec<String>>,
}

impl Verdict {
    pub fn eligible(&self) -> bool {
        self.unmet.is_empty()
    }
}

pub fn screen(rules: &Rules, who: &Applicant, now: DateTime<Utc>) -> Verdict {
    let mut unmet = Vec::new();
    let model = who.device_model.trim();
    if !rules
        .lists
        .device_models
        .iter()
        .any(|m| m.eq_ignore_ascii_case(model))
    {
        unmet.push(BetaRule::DeviceModel);
    }
    if rules.min_level.is_some_and(|min| who.level < min) {
        unmet.push(BetaRule::MembershipLevel);
    }
    if rules
        .min_account_days
        .is_some_and(|days| now - who.joined_at < Duration::days(i64::from(days)))
    {
        unmet.push(BetaRule::AccountAge);
    }
    let watched_present = who.installed_apps.map(|installed| {
        rules
            .lists
            .watched_apps
            .iter()
            .filter(|w| installed.iter().any(|app| app.trim() == w.package))
            .collect::<Vec<_>>()
    });
    if watched_present
        .as_ref()
        .is_some_and(|present| present.iter().any(|w| w.blocks))
    {
        unmet.push(BetaRule::BlockingApp);
    }
    Verdict {
        unmet,
        watched_present: watched_present
            .map(|present| present.into_iter().map(|w| w.package.clone()).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::beta::views::WatchedApp;

    fn lists() -> Lists {
        Lists {
            device_models: vec!["Xiaomi 15".into()],
            questions: Vec::new(),
            watched_apps: vec![
                WatchedApp {
                    package: "com.bad.launcher".into(),
                    blocks: true,
                },
                WatchedApp {
                    package: "com.other.store".into(),
                    blocks: false,
                },
            ],
        }
    }

    #[test]
    fn only_watched_apps_come_out_and_a_blocking_one_screens_out() {
        let lists = lists();
        let rules = Rules {
            lists: &lists,
            min_level: Some(2),
            min_account_days: Some(30),
        };
        let now = Utc::now();
        let installed = vec!["com.private.diary".to_owned(), "com.other.store".to_owned()];
        let mut who = Applicant {
            device_model: " xiaomi 15 ",
            level: 2,
            joined_at: now - Duration::days(31),
            installed_apps: Some(&installed),
        };
        let verdict = screen(&rules, &who, now);
        assert!(verdict.eligible());
        assert_eq!(
            verdict.watched_present,
            Some(vec!["com.other.store".into()])
        );

        let installed = vec!["com.bad.launcher".to_owned()];
        who.installed_apps = Some(&installed);
        who.level = 1;
        who.joined_at = now - Duration::days(3);
        who.device_model = "Redmi K80";
        let verdict = screen(&rules, &who, now);
        assert_eq!(
            verdict.unmet,
            [
                BetaRule::DeviceModel,
                BetaRule::MembershipLevel,
                BetaRule::AccountAge,
                BetaRule::BlockingApp
            ]
        );
        who.installed_apps = None;
        assert_eq!(screen(&rules, &who, now).watched_present, None);
    }
}
