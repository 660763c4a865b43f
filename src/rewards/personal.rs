//! Coins as personal data: the ledger (which holds the task completions)
//! and the balance, exported in full and deleted with the account. They
//! stay while the account does (the catalog: until account closure).
use async_trait::async_trait;
use entity::{coin_accounts as accounts, coin_ledger as entries};
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder};
use serde_json::Value;

use super::views::LedgerEntryView;
use crate::{
    error::AppResult,
    ids::UserId,
    privacy::registry::{AfterCommit, Erasure, PersonalData, Section},
    state::AppState,
};

/// My coins in the export.
#[derive(Debug, poem_openapi::Object)]
#[oai(example)]
pub struct ExportedCoins {
    pub balance: i64,
    /// Every entry, oldest first; those with a `task_id` are my task
    /// completions.
    pub ledger: Vec<LedgerEntryView>,
}

impl poem_openapi::types::Example for ExportedCoins {
    fn example() -> Self {
        let entry: LedgerEntryView = poem_openapi::types::Example::example();
        Self {
            balance: entry.balance_after,
            ledger: vec![entry],
        }
    }
}

pub struct CoinData;

#[async_trait]
impl PersonalData for CoinData {
    fn sections(&self) -> Vec<Section> {
        vec![Section::of::<ExportedCoins>("coins")]
    }

    fn items(&self) -> &'static [&'static str] {
        &["task_completions", "coin_ledger"]
    }

    fn tables(&self) -> &'static [&'static str] {
        &["coin_accounts", "coin_ledger"]
    }

    async fn export(
        &self,
        state: &AppState,
        user: &UserId,
    ) -> AppResult<Vec<(&'static str, Value)>> {
        let ledger = entries::Entity::find()
            .filter(entries::Column::UserId.eq(user.as_str()))
            .order_by_asc(entries::Column::Id)
            .all(&state.db)
            .await?
            .into_iter()
            .map(LedgerEntryView::of)
            .collect();
        let balance = super::ledger::balance(&state.db, user.as_str()).await?;
        let coins = ExportedCoins { balance, ledger };
        Ok(vec![Section::value("coins", &coins)])
    }

    async fn erase(
        &self,
        _state: &AppState,
        txn: &DatabaseTransaction,
        erasure: &Erasure,
    ) -> AppResult<AfterCommit> {
        let user = erasure.user.as_str();
        let mut rows = entries::Entity::delete_many()
            .filter(entries::Column::UserId.eq(user))
            .exec(txn)
            .await?
            .rows_affected;
        // Corrections I made as an admin stay in their users' ledgers,
        // without my name.
        rows += entries::Entity::update_many()
            .col_expr(
                entries::Column::StaffId,
                sea_orm::sea_query::Expr::value(Option::<String>::None),
            )
            .filter(entries::Column::StaffId.eq(user))
            .exec(txn)
            .await?
            .rows_affected;
        rows += accounts::Entity::delete_many()
            .filter(accounts::Column::UserId.eq(user))
            .exec(txn)
            .await?
            .rows_affected;
        Ok(AfterCommit::rows(rows))
    }
}
