//! Beta programs (内测): admins open programs for device models, with a
//! capacity, an application window, screening questions and rules;
//! users apply with a contact phone, their device model, their answers and,
//! only when a program says why it needs it, their installed apps, which
//! are checked during the request and never kept (only which watched apps
//! were present). The screening answers at once; staff approve under
//! capacity, reject or waitlist, seeing the phone masked unless they reveal
//! it with a reason. Admins add builds (packages the program takes over);
//! approved testers download the newest through links of their own. What
//! applicants gave goes after the program ends, the builds when it ends.
pub mod admin_api;
pub mod api;
pub mod applications;
pub mod builds;
pub mod builds_api;
pub mod delivery;
pub mod gate;
pub mod personal;
pub mod refusals;
pub mod review;
pub mod review_api;
pub mod screening;
pub mod store;
pub mod views;

use std::sync::Arc;

/// Who passes a program's gate (its feedback circle's): its testers.
pub fn gate() -> Arc<dyn crate::platform::gates::CircleGate> {
    Arc::new(gate::Testers)
}

/// Applications as personal data, their withdrawal eraser, their
/// retention rules (applications, builds) and what a deregistration
/// request ends at once.
pub fn register(r: &mut crate::privacy::registry::Registries) {
    r.personal_data(Arc::new(personal::BetaData))
        .eraser(Arc::new(personal::BetaEraser))
        .retention_rule(Arc::new(personal::AfterTheProgram))
        .retention_rule(Arc::new(builds::EndedBuilds))
        .hook(Arc::new(personal::OnDeregistration));
}
