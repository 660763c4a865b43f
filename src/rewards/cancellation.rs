//! Cancelling a claim not yet shipped: by its winner before they gave
//! details, or by an admin (until it ships) who says why (audited; the winner is told and reads the reason in their
//! ledger). The unit goes back to the prize, the coins back to the winner
//! (a refund entry keyed by the claim: refunded once however often it is
//! asked), and what the winner gave is erased, all in one transaction.
use chrono::Utc;
use entity::{
    enums::{ClaimStatus, LedgerKind, StaffAction},
    reward_claims as claims, reward_prizes as prizes,
};
use sea_orm::{
    sea_query::Expr, ColumnTrait, EntityTrait, ExprTrait, QueryFilter, TransactionTrait,
};

use super::{
    claims::{erase_details, find, one_of_mine},
    ledger::{self, Entry},
    refusals::Refusal,
};
use crate::{
    error::AppResult,
    identity::guardian,
    ids::{ClaimId, UserId},
    platform::facts::Fact,
    privacy::access::{self, StaffRecord},
    state::AppState,
};

/// Who cancels.
pub enum Canceller<'a> {
    /// The winner, one of their own claims.
    Winner(&'a UserId),
    /// An admin, saying why.
    Staff { staff: &'a str, reason: &'a str },
}

pub async fn cancel(state: &AppState, id: &ClaimId, by: Canceller<'_>) -> AppResult<claims::Model> {
    use claims::Column as C;
    let txn = state.db.begin().await?;
    // A winner cancels only before giving details: once they are in, the
    // prize may be on a shipping list, and only staff cancel it.
    let (cancellable, why) = match &by {
        Canceller::Winner(_) => (
            vec![ClaimStatus::AwaitingDetails],
            "once the details are in, the prize is being prepared: ask the staff to cancel it",
        ),
        Canceller::Staff { .. } => (
            vec![ClaimStatus::AwaitingDetails, ClaimStatus::Submitted],
            "only a claim not yet shipped can be cancelled",
        ),
    };
    let mut update = claims::Entity::update_many()
        .col_expr(C::Status, Expr::value(ClaimStatus::Cancelled))
        .col_expr(C::CancelledAt, Expr::value(Utc::now()))
        .filter(C::Id.eq(id.as_str()))
        .filter(C::Status.is_in(cancellable));
    if let Canceller::Winner(user) = &by {
        update = update.filter(C::UserId.eq(user.as_str()));
    }
    if update.exec(&txn).await?.rows_affected == 0 {
        match &by {
            Canceller::Winner(user) => one_of_mine(&txn, user, id).await?,
            Canceller::Staff { .. } => find(&txn, id).await?,
        };
        return Err(Refusal::ClaimState(why).into());
    }
    let claim = find(&txn, id).await?;
    prizes::Entity::update_many()
        .col_expr(
            prizes::Column::Stock,
            Expr::col(prizes::Column::Stock).add(1),
        )
        .filter(prizes::Column::Id.eq(claim.prize_id.as_str()))
        .exec(&txn)
        .await?;
    let (reason, staff) = match &by {
        Canceller::Winner(_) => (None, None),
        Canceller::Staff { staff, reason } => (Some(*reason), Some(*staff)),
    };
    let refund = Entry {
        user: &claim.user_id,
        kind: LedgerKind::Refund,
        amount: claim.price,
        task: None,
        claim: Some(&claim.id),
        key: format!("refund:{}", claim.id),
        reason,
        staff,
    };
    ledger::post(&txn, refund).await?;
    erase_details(&txn, C::Id.eq(id.as_str())).await?;
    // Consent asked for and never used: nothing is left it could serve.
    guardian::forget(&txn, "prize_claim", Some(vec![claim.id.clone()]), None).await?;
    if let Canceller::Staff { staff, reason } = &by {
        let entry = StaffRecord {
            staff,
            subject: &claim.user_id,
            action: StaffAction::Cancel,
            target: ("prize_claim", &claim.id),
            purpose: "prize_delivery",
            items: vec![],
            reason,
            operation_id: "admin_cancel_claim",
        };
        access::record(&txn, entry).await?;
    }
    txn.commit().await?;
    // What was given is erased: out of the database's log soon too.
    crate::platform::db::checkpoint_soon(&state.db);
    if let Canceller::Staff { .. } = by {
        let fact = Fact::ClaimChanged {
            user: claim.user_id.clone(),
            claim: claim.id.clone(),
        };
        state.facts.publish(state, fact).await;
    }
    find(&state.db, id).await
}
