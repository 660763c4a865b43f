//! Builds: the packages a program delivers. An admin adds one from a
//! package upload, which the program takes over (from then on the file is
//! the program's, whatever becomes of the uploader's account); testers
//! fetch the newest through links of their own (`delivery`). Each download
//! started is counted on its build, and nothing else about it is kept.
//! When the program ends its builds go, files and all.
use async_trait::async_trait;
use chrono::Utc;
use entity::{beta_builds as builds, beta_programs as programs};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait,
    DatabaseTransaction, EntityTrait, ExprTrait, QueryFilter, QueryOrder,
};

use super::refusals::Refusal;
use crate::{
    error::{AppError, AppResult},
    ids::{BetaBuildId, BetaProgramId, UploadId},
    privacy::{registry::AfterCommit, retention::RetentionRule},
    state::AppState,
    uploads::packages,
};

/// Adds a build to a running program from the package upload `upload`.
pub async fn add(
    txn: &DatabaseTransaction,
    program: &BetaProgramId,
    upload: &UploadId,
    notes: String,
) -> AppResult<builds::Model> {
    let program = super::store::find(txn, program).await?;
    if program.ends_at <= Utc::now() {
        return Err(Refusal::Ended.into());
    }
    let package = packages::take(txn, upload)
        .await?
        .ok_or(Refusal::NoPackage)?;
    let build = builds::ActiveModel {
        id: Set(BetaBuildId::generate().into_inner()),
        program_id: Set(program.id),
        notes: Set(notes),
        storage_key: Set(package.storage_key),
        content_type: Set(package.content_type),
        bytes: Set(package.bytes),
        downloads: Set(0),
        created_at: Set(Utc::now()),
    };
    Ok(build.insert(txn).await?)
}

/// A program's builds, newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    program: &BetaProgramId,
) -> AppResult<Vec<builds::Model>> {
    Ok(builds::Entity::find()
        .filter(builds::Column::ProgramId.eq(program.as_str()))
        .order_by_desc(builds::Column::Id)
        .all(db)
        .await?)
}

/// The build testers get: the program's newest.
pub async fn current(db: &impl ConnectionTrait, program: &str) -> AppResult<Option<builds::Model>> {
    Ok(builds::Entity::find()
        .filter(builds::Column::ProgramId.eq(program))
        .order_by_desc(builds::Column::Id)
        .one(db)
        .await?)
}

/// Counts a download of `build` (one statement: downloads at once are all
/// counted).
pub async fn count_download(db: &impl ConnectionTrait, build: &str) -> AppResult<()> {
    builds::Entity::update_many()
        .col_expr(
            builds::Column::Downloads,
            Expr::col(builds::Column::Downloads).add(1),
        )
        .filter(builds::Column::Id.eq(build))
        .exec(db)
        .await?;
    Ok(())
}

/// The builds of programs that ended go, with their files: no link works
/// after the end, so nothing is left to serve them to.
pub struct EndedBuilds;

#[async_trait]
impl RetentionRule for EndedBuilds {
    fn name(&self) -> &'static str {
        "beta_builds"
    }

    async fn run(&self, state: &AppState) -> AppResult<AfterCommit> {
        use sea_orm::sea_query::Query;
        let ended = Query::select()
            .column(programs::Column::Id)
            .from(programs::Entity)
            .and_where(programs::Column::EndsAt.lte(Utc::now()))
            .to_owned();
        let gone = builds::Entity::find()
            .filter(builds::Column::ProgramId.in_subquery(ended))
            .all(&state.db)
            .await?;
        if gone.is_empty() {
            return Ok(AfterCommit::default());
        }
        let ids: Vec<String> = gone.iter().map(|b| b.id.clone()).collect();
        let done = builds::Entity::delete_many()
            .filter(builds::Column::Id.is_in(ids))
            .exec(&state.db)
            .await
            .map_err(AppError::from)?;
        Ok(AfterCommit {
            rows: done.rows_affected,
            media_keys: gone.into_iter().map(|b| b.storage_key).collect(),
            ..AfterCommit::default()
        })
    }
}
