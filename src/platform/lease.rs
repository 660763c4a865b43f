//! Leases in the database: of several app instances sharing a database,
//! one at a time runs a background job. A lease lapses by itself when its
//! holder stops renewing it (a crashed instance blocks nobody for long).
use std::time::Duration;

use chrono::Utc;
use entity::job_leases;
use sea_orm::{
    sea_query::{Expr, OnConflict},
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
};

/// Takes or renews the lease `name` for `holder`; false when another
/// instance holds it.
pub async fn acquire(
    db: &impl ConnectionTrait,
    name: &str,
    holder: &str,
    ttl: Duration,
) -> Result<bool, sea_orm::DbErr> {
    let now = Utc::now();
    let until = now + chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::seconds(30));
    let inserted = job_leases::Entity::insert(job_leases::ActiveModel {
        name: Set(name.to_owned()),
        holder: Set(holder.to_owned()),
        expires_at: Set(until),
    })
    .on_conflict(
        OnConflict::column(job_leases::Column::Name)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    if inserted == 1 {
        return Ok(true);
    }
    let taken = job_leases::Entity::update_many()
        .col_expr(job_leases::Column::Holder, Expr::value(holder))
        .col_expr(job_leases::Column::ExpiresAt, Expr::value(until))
        .filter(job_leases::Column::Name.eq(name))
        .filter(
            Condition::any()
                .add(job_leases::Column::Holder.eq(holder))
                .add(job_leases::Column::ExpiresAt.lt(now)),
        )
        .exec(db)
        .await?;
    Ok(taken.rows_affected == 1)
}

/// Gives the lease up early (it would lapse by itself).
pub async fn release(
    db: &impl ConnectionTrait,
    name: &str,
    holder: &str,
) -> Result<(), sea_orm::DbErr> {
    job_leases::Entity::delete_many()
        .filter(job_leases::Column::Name.eq(name))
        .filter(job_leases::Column::Holder.eq(holder))
        .exec(db)
        .await?;
    Ok(())
}
