//! Staff moving a claim on (shipped, delivered) and seeing its details:
//! each step in the audit log; a reveal also in the winner's processing
//! log; the winner told of each step.
use chrono::Utc;
use entity::{
    enums::{ClaimStatus, StaffAction},
    reward_claims as claims,
};
use sea_orm::{sea_query::Expr, TransactionTrait};

use super::{
    claims::{advance, find, open},
    views::{ClaimItem, DeliveryDetails},
};
use crate::{
    error::{AppError, AppResult, ErrorCode},
    ids::ClaimId,
    platform::facts::Fact,
    privacy::access::{self, StaffRecord},
    state::AppState,
};

/// The audit entry of a step `staff` took on `claim`.
fn record<'a>(
    staff: &'a str,
    claim: &'a claims::Model,
    action: StaffAction,
    items: Vec<&'static str>,
    reason: &'a str,
    operation_id: &'static str,
) -> StaffRecord<'a> {
    StaffRecord {
        staff,
        subject: &claim.user_id,
        action,
        target: ("prize_claim", &claim.id),
        purpose: "prize_delivery",
        items,
        reason,
        operation_id,
    }
}

async fn tell(state: &AppState, claim: &claims::Model) {
    let fact = Fact::ClaimChanged {
        user: claim.user_id.clone(),
        claim: claim.id.clone(),
    };
    state.facts.publish(state, fact).await;
}

/// Ships a claim whose details are in: `parcel` is the carrier and its
/// tracking number.
pub async fn ship(
    state: &AppState,
    staff: &str,
    id: &ClaimId,
    (carrier, tracking): (&str, &str),
) -> AppResult<claims::Model> {
    use claims::Column as C;
    let txn = state.db.begin().await?;
    let cols = vec![
        (C::Status, Expr::value(ClaimStatus::Shipped)),
        (C::Carrier, Expr::value(carrier.to_owned())),
        (C::TrackingNumber, Expr::value(tracking.to_owned())),
        (C::ShippedAt, Expr::value(Utc::now())),
    ];
    let why = "only a claim whose details are in, and not yet shipped, ships";
    let claim = advance(&txn, id, ClaimStatus::Submitted, cols, why).await?;
    let reason = format!("shipped with {carrier}");
    let entry = record(
        staff,
        &claim,
        StaffAction::Ship,
        vec![],
        &reason,
        "admin_ship_claim",
    );
    access::record(&txn, entry).await?;
    txn.commit().await?;
    tell(state, &claim).await;
    Ok(claim)
}

/// Closes a shipped claim as delivered.
pub async fn deliver(state: &AppState, staff: &str, id: &ClaimId) -> AppResult<claims::Model> {
    use claims::Column as C;
    let txn = state.db.begin().await?;
    let cols = vec![
        (C::Status, Expr::value(ClaimStatus::Delivered)),
        (C::DeliveredAt, Expr::value(Utc::now())),
    ];
    let why = "only a shipped claim is delivered";
    let claim = advance(&txn, id, ClaimStatus::Shipped, cols, why).await?;
    let entry = record(
        staff,
        &claim,
        StaffAction::Deliver,
        vec![],
        "delivered",
        "admin_deliver_claim",
    );
    access::record(&txn, entry).await?;
    txn.commit().await?;
    tell(state, &claim).await;
    Ok(claim)
}

/// The `items` of a claim in full, for `staff`, who says why.
pub async fn reveal(
    state: &AppState,
    staff: &str,
    id: &ClaimId,
    items: &[ClaimItem],
    reason: &str,
) -> AppResult<DeliveryDetails> {
    let claim = find(&state.db, id).await?;
    let Some(full) = open(&state.crypto, &claim)? else {
        return Err(AppError::new(
            ErrorCode::Conflict,
            "nothing to reveal: no details were given, or they are erased",
        ));
    };
    let keys = items.iter().map(|i| i.key()).collect();
    let txn = state.db.begin().await?;
    let entry = record(
        staff,
        &claim,
        StaffAction::Reveal,
        keys,
        reason,
        "admin_reveal_claim",
    );
    access::record(&txn, entry).await?;
    txn.commit().await?;
    let wanted = |item: ClaimItem| items.contains(&item);
    Ok(DeliveryDetails {
        real_name: full.real_name.filter(|_| wanted(ClaimItem::RealName)),
        national_id_number: full
            .national_id_number
            .filter(|_| wanted(ClaimItem::NationalIdNumber)),
        contact_phone: full
            .contact_phone
            .filter(|_| wanted(ClaimItem::ContactPhone)),
        shipping_address: full
            .shipping_address
            .filter(|_| wanted(ClaimItem::ShippingAddress)),
    })
}

/// The shipping list: each claim whose details are in and that waits to
/// ship, with the prize, the winner's name, phone and address, as CSV for
/// the courier. Every winner on it gets the disclosure in their processing
/// log, with the reason.
pub async fn shipping_list(state: &AppState, staff: &str, reason: &str) -> AppResult<String> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let rows = claims::Entity::find()
        .filter(claims::Column::Status.eq(ClaimStatus::Submitted))
        .filter(claims::Column::DetailsErasedAt.is_null())
        .order_by_asc(claims::Column::Id)
        .all(&state.db)
        .await?;
    let listed: Vec<String> = rows.iter().map(|c| c.prize_id.clone()).collect();
    let names: std::collections::HashMap<String, String> = entity::reward_prizes::Entity::find()
        .filter(entity::reward_prizes::Column::Id.is_in(listed))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    let mut csv = String::from("claim_id,prize,real_name,contact_phone,shipping_address\r\n");
    let txn = state.db.begin().await?;
    for claim in &rows {
        let Some(d) = open(&state.crypto, claim)? else {
            continue;
        };
        let prize = names.get(&claim.prize_id).map_or("", String::as_str);
        let fields = [
            prize,
            &d.real_name.unwrap_or_default(),
            &d.contact_phone.unwrap_or_default(),
            &d.shipping_address.unwrap_or_default(),
        ]
        .map(crate::api::csv::cell);
        csv.push_str(&claim.id);
        for field in fields {
            csv.push(',');
            csv.push_str(&field);
        }
        csv.push_str("\r\n");
        let items = vec!["real_name", "contact_phone", "shipping_address"];
        let entry = record(
            staff,
            claim,
            StaffAction::ShippingList,
            items,
            reason,
            "admin_claims_shipping_list",
        );
        access::record(&txn, entry).await?;
    }
    txn.commit().await?;
    Ok(csv)
}
