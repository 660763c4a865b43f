//! `/admin/audit-log`: every staff action, newest first — content
//! moderation (community's own log) and actions on people's data
//! (reveals, decisions, shipping lists: the privacy core's trail),
//! merged by time.
use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::{param::Query, payload::Json, ApiResponse, Enum, Object, OpenApi};

use super::moderation::{self, Action, TargetType};
use crate::{
    api::{
        page::{split_page, Page},
        ApiTags, PageParams,
    },
    error::{AppError, AppResult},
    identity::ModeratorAuth,
    privacy::access,
    state::AppState,
};

pub struct AdminAuditApi;

/// What a staff action was about.
#[derive(Debug, Clone, Copy, Enum)]
#[oai(rename_all = "snake_case")]
pub enum AuditTarget {
    Post,
    Comment,
    User,
    EventRegistration,
    HelpGroupApplication,
    CoinLedger,
    PrizeClaim,
    RewardTask,
    Prize,
    Partner,
    BetaProgram,
    BetaApplication,
    BetaBuild,
}

/// What staff did.
#[derive(Debug, Clone, Copy, Enum)]
#[oai(rename_all = "snake_case")]
pub enum AuditAction {
    Hide,
    Restore,
    Pin,
    Unpin,
    Lock,
    Unlock,
    /// Saw masked items in full.
    Reveal,
    Approve,
    Reject,
    Waitlist,
    ShippingList,
    /// Took a member out of a help group.
    Remove,
    /// Corrected a coin ledger.
    Correct,
    /// Shipped a prize claim.
    Ship,
    /// Marked a prize claim delivered.
    Deliver,
    /// Cancelled a prize claim.
    Cancel,
    /// Defined a task, a prize or a partner.
    Create,
    /// Changed a task or a prize (`reason` names the fields).
    Update,
}

/// One staff action: a moderation (of a post, a comment, a user) or an
/// action on someone's data, which names whose and which items.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct AuditEntry {
    pub id: String,
    /// The staff member; absent once their account is gone.
    pub moderator_id: Option<String>,
    pub target_type: AuditTarget,
    pub target_id: String,
    pub action: AuditAction,
    pub reason: String,
    /// Whose data an action on people's data concerned.
    pub subject_id: Option<String>,
    /// The catalog items it touched (item keys, never values).
    pub items: Option<Vec<String>>,
    pub created_at: DateTime<Utc>,
}

/// A moderator saw a registrant's phone in full.
impl poem_openapi::types::Example for AuditEntry {
    fn example() -> Self {
        use crate::api::examples::{id, time};
        Self {
            id: id("StaffActionId"),
            moderator_id: Some(id("ModeratorId")),
            target_type: AuditTarget::EventRegistration,
            target_id: id("RegistrationId"),
            action: AuditAction::Reveal,
            reason: "The venue moved; calling to tell her.".into(),
            subject_id: Some(id("UserId")),
            items: Some(vec!["contact_phone".into()]),
            created_at: time(27, 10, 12),
        }
    }
}

#[derive(ApiResponse)]
pub enum AuditResponse {
    /// Staff actions, newest first.
    #[oai(status = 200)]
    Ok(Json<Page<AuditEntry>>),
}

fn moderation_entry(r: entity::moderation_log::Model) -> AuditEntry {
    let target_type = match TargetType::from(r.target_type) {
        TargetType::Post => AuditTarget::Post,
        TargetType::Comment => AuditTarget::Comment,
        TargetType::User => AuditTarget::User,
    };
    let action = match Action::from(r.action) {
        Action::Hide => AuditAction::Hide,
        Action::Restore => AuditAction::Restore,
        Action::Pin => AuditAction::Pin,
        Action::Unpin => AuditAction::Unpin,
        Action::Lock => AuditAction::Lock,
        Action::Unlock => AuditAction::Unlock,
    };
    AuditEntry {
        id: r.id,
        moderator_id: r.moderator_id,
        target_type,
        target_id: r.target_id,
        action,
        reason: r.reason,
        subject_id: None,
        items: None,
        created_at: r.created_at,
    }
}

fn staff_entry(r: entity::staff_actions::Model) -> AppResult<AuditEntry> {
    use entity::enums::StaffAction;
    let action = match r.action {
        StaffAction::Reveal => AuditAction::Reveal,
        StaffAction::Approve => AuditAction::Approve,
        StaffAction::Reject => AuditAction::Reject,
        StaffAction::Waitlist => AuditAction::Waitlist,
        StaffAction::ShippingList => AuditAction::ShippingList,
        StaffAction::Remove => AuditAction::Remove,
        StaffAction::Correct => AuditAction::Correct,
        StaffAction::Ship => AuditAction::Ship,
        StaffAction::Deliver => AuditAction::Deliver,
        StaffAction::Cancel => AuditAction::Cancel,
        StaffAction::Create => AuditAction::Create,
        StaffAction::Update => AuditAction::Update,
    };
    let target_type = match r.target_type.as_str() {
        "event_registration" => AuditTarget::EventRegistration,
        "help_group_application" => AuditTarget::HelpGroupApplication,
        "coin_ledger" => AuditTarget::CoinLedger,
        "prize_claim" => AuditTarget::PrizeClaim,
        "reward_task" => AuditTarget::RewardTask,
        "reward_prize" => AuditTarget::Prize,
        "reward_partner" => AuditTarget::Partner,
        "beta_program" => AuditTarget::BetaProgram,
        "beta_application" => AuditTarget::BetaApplication,
        "beta_build" => AuditTarget::BetaBuild,
        other => {
            return Err(AppError::internal(anyhow::anyhow!(
                "a staff action on `{other}`"
            )))
        }
    };
    Ok(AuditEntry {
        id: r.id,
        moderator_id: r.staff_id,
        target_type,
        target_id: r.target_id,
        action,
        reason: r.reason,
        subject_id: r.subject_id,
        items: Some(serde_json::from_str(&r.items).map_err(AppError::internal)?),
        created_at: r.created_at,
    })
}

#[OpenApi(tag = "ApiTags::Admin")]
impl AdminAuditApi {
    /// Every staff action: moderation, and reveals, decisions and
    /// shipping lists on people's data (moderators).
    #[oai(
        path = "/admin/audit-log",
        method = "get",
        operation_id = "admin_list_audit_log"
    )]
    async fn audit(
        &self,
        state: Data<&AppState>,
        _moderator: ModeratorAuth,
        /// From `next_cursor` of the previous page.
        /// privacy: not personal
        cursor: Query<Option<String>>,
        /// 1 to 50, default 20.
        /// privacy: not personal
        limit: Query<Option<u32>>,
    ) -> AppResult<AuditResponse> {
        let page = PageParams::parse(cursor.0, limit.0)?;
        // Both trails are keyed by time-ordered ids: a page of each after
        // the cursor, merged, is the page of the whole.
        let mut items: Vec<AuditEntry> = moderation::audit_log(&state.db, &page)
            .await?
            .into_iter()
            .map(moderation_entry)
            .collect();
        for row in access::entries(&state.db, &page).await? {
            items.push(staff_entry(row)?);
        }
        items.sort_by(|a, b| b.id.cmp(&a.id));
        items.truncate(page.limit as usize + 1);
        let (items, next_cursor) = split_page(items, page.limit, |e| e.id.clone());
        Ok(AuditResponse::Ok(Json(Page { items, next_cursor })))
    }
}
