//! `/rewards/tasks` and `/me/coins`.
use poem::web::Data;
use poem_openapi::{
    param::{Path, Query},
    payload::Json,
    ApiResponse, Object, OpenApi,
};

use super::{
    ledger, tasks,
    views::{LedgerEntryView, MembershipView, TaskView},
};
use crate::{
    api::{
        page::{split_page, Page},
        ApiTags, PageParams,
    },
    error::AppResult,
    identity::{membership, BearerAuth},
    ids::TaskId,
    state::AppState,
};

pub struct RewardsApi;

/// My coins: the balance, and the ledger that makes it up.
#[derive(Debug, Object)]
#[oai(example)]
pub struct CoinsView {
    /// The sum of every entry of my ledger; never below zero.
    pub balance: i64,
    /// My entries, newest first.
    pub ledger: Page<LedgerEntryView>,
}

impl poem_openapi::types::Example for CoinsView {
    fn example() -> Self {
        Self {
            balance: 125,
            ledger: Page {
                items: vec![LedgerEntryView::example()],
                next_cursor: None,
            },
        }
    }
}

#[derive(ApiResponse)]
pub enum TasksResponse {
    /// Tasks running now: those I have not done today first, then those I
    /// do most often.
    #[oai(status = 200)]
    Ok(Json<Vec<TaskView>>),
}

#[derive(ApiResponse)]
pub enum CheckedIn {
    /// Checked in: the entry crediting the task's coins.
    #[oai(status = 201)]
    Created(Json<LedgerEntryView>),
}

#[derive(ApiResponse)]
pub enum MembershipResponse {
    /// My level, experience and benefits.
    #[oai(status = 200)]
    Ok(Json<MembershipView>),
}

#[derive(ApiResponse)]
pub enum CoinsResponse {
    /// My balance and ledger.
    #[oai(status = 200)]
    Ok(Json<CoinsView>),
}

pub fn task_view(t: entity::reward_tasks::Model, mine: Option<(bool, u64)>) -> TaskView {
    TaskView {
        id: t.id,
        kind: t.kind.into(),
        partner_id: t.partner_id,
        per_day: t.per_day,
        per_user_ever: t.per_user_ever,
        title: t.title,
        description: t.description,
        coins: t.coins,
        starts_at: t.starts_at,
        ends_at: t.ends_at,
        done_today: mine.map(|m| m.0),
        completions: mine.map(|m| m.1),
    }
}

#[OpenApi(tag = "ApiTags::Rewards")]
impl RewardsApi {
    /// The tasks I can do, those still open to me today first, then by how
    /// often I do them (my own rewards history only).
    #[oai(
        path = "/rewards/tasks",
        method = "get",
        operation_id = "rewards_list_tasks"
    )]
    async fn list(&self, state: Data<&AppState>, auth: BearerAuth) -> AppResult<TasksResponse> {
        let user = auth.0.id.as_str();
        let (counts, today) = tasks::history(&state.db, user).await?;
        let mut items: Vec<TaskView> = tasks::running(&state.db)
            .await?
            .into_iter()
            .map(|t| {
                let done = counts.get(&t.id).copied().unwrap_or(0);
                let done_today = today.iter().filter(|id| **id == t.id).count();
                let closed = done_today >= usize::try_from(t.per_day).unwrap_or(1)
                    || t.per_user_ever
                        .is_some_and(|n| done >= u64::try_from(n).unwrap_or(1));
                task_view(t, Some((closed, done)))
            })
            .collect();
        // Stable: equal tasks keep their age order.
        items.sort_by_key(|t| (t.done_today, std::cmp::Reverse(t.completions)));
        Ok(TasksResponse::Ok(Json(items)))
    }

    /// The daily check-in: the task's coins, once a day (Beijing time).
    #[oai(
        path = "/rewards/tasks/:id/check-in",
        method = "post",
        operation_id = "rewards_check_in"
    )]
    async fn check_in(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// privacy: not personal
        id: Path<TaskId>,
    ) -> AppResult<CheckedIn> {
        let entry = tasks::check_in(&state, auth.0.id.as_str(), &id.0).await?;
        Ok(CheckedIn::Created(Json(LedgerEntryView::of(entry))))
    }

    /// My balance, and the ledger that makes it up.
    #[oai(path = "/me/coins", method = "get", operation_id = "me_get_coins")]
    async fn coins(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// From `next_cursor` of the previous page.
        /// privacy: not personal
        cursor: Query<Option<String>>,
        /// 1 to 50, default 20.
        /// privacy: not personal
        limit: Query<Option<u32>>,
    ) -> AppResult<CoinsResponse> {
        let page = PageParams::parse(cursor.0, limit.0)?;
        let user = auth.0.id.as_str();
        let rows = ledger::entries(&state.db, user, &page).await?;
        let (rows, next_cursor) = split_page(rows, page.limit, |e| e.id.clone());
        let items = rows.into_iter().map(LedgerEntryView::of).collect();
        let balance = ledger::balance(&state.db, user).await?;
        let ledger = Page { items, next_cursor };
        Ok(CoinsResponse::Ok(Json(CoinsView { balance, ledger })))
    }

    /// My membership level, my experience, the next level's threshold and
    /// what my level brings.
    #[oai(
        path = "/me/membership",
        method = "get",
        operation_id = "me_get_membership"
    )]
    async fn membership(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
    ) -> AppResult<MembershipResponse> {
        let levels = &state.config.membership_levels;
        let standing = membership::standing(&state.db, auth.0.id.as_str(), levels).await?;
        Ok(MembershipResponse::Ok(Json(MembershipView::of(standing))))
    }
}
