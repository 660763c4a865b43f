//! Closed circles: a circle another area opens behind a gate
//! (`"<kind>:<key>"`, e.g. `beta_program:<id>` for a beta program's
//! feedback circle), seen and used only by staff and by whom the gate's
//! area admits. Community owns circles and enforces the gate; the area
//! behind it answers who passes ([`CircleGate`]) and opens its circle
//! through [`ClosedCircles`], which community implements. The wiring sets
//! both on `AppState::gates`, so the areas never import each other.
use std::sync::Arc;

use async_trait::async_trait;
use sea_orm::{DatabaseConnection, DatabaseTransaction};

use crate::error::{AppError, AppResult};

/// Who passes the gates of one kind.
#[async_trait]
pub trait CircleGate: Send + Sync + 'static {
    /// The gates this answers for: `kind` in `"<kind>:<key>"`.
    fn kind(&self) -> &'static str;
    /// Whether `user` passes the gate `key` now.
    async fn admits(&self, db: &DatabaseConnection, key: &str, user: &str) -> AppResult<bool>;
}

/// Opening a closed circle (implemented by the area that owns circles).
#[async_trait]
pub trait ClosedCircles: Send + Sync + 'static {
    /// Opens a circle behind `gate` in the caller's transaction; its id.
    /// `name` is made unique if a circle has it already.
    async fn open(
        &self,
        txn: &DatabaseTransaction,
        name: &str,
        description: &str,
        gate: &str,
    ) -> AppResult<String>;
    /// Ends every membership of the circle behind `gate` (who was in it
    /// says who passed the gate); answers how many.
    async fn forget_members(&self, db: &DatabaseConnection, gate: &str) -> AppResult<u64>;
}

/// The registered gates and the circles' owner.
#[derive(Clone, Default)]
pub struct Gates {
    gates: Arc<Vec<Arc<dyn CircleGate>>>,
    circles: Option<Arc<dyn ClosedCircles>>,
}

/// A gate for `kind` with `key`, as stored on a circle.
pub fn gate(kind: &str, key: &str) -> String {
    format!("{kind}:{key}")
}

impl Gates {
    pub fn new(gates: Vec<Arc<dyn CircleGate>>, circles: Arc<dyn ClosedCircles>) -> Self {
        Self {
            gates: Arc::new(gates),
            circles: Some(circles),
        }
    }

    /// Whether `user` passes `gate`; a gate of a kind nobody answers for
    /// admits no one (closed stays closed).
    pub async fn admits(&self, db: &DatabaseConnection, gate: &str, user: &str) -> AppResult<bool> {
        let Some((kind, key)) = gate.split_once(':') else {
            return Ok(false);
        };
        match self.gates.iter().find(|g| g.kind() == kind) {
            Some(g) => g.admits(db, key, user).await,
            None => Ok(false),
        }
    }

    /// Opens a closed circle behind `gate`; its id.
    pub async fn open_circle(
        &self,
        txn: &DatabaseTransaction,
        name: &str,
        description: &str,
        gate: &str,
    ) -> AppResult<String> {
        let circles = self
            .circles
            .as_ref()
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("no owner of circles is wired")))?;
        circles.open(txn, name, description, gate).await
    }

    /// Ends every membership of the circle behind `gate`.
    pub async fn forget_members(&self, db: &DatabaseConnection, gate: &str) -> AppResult<u64> {
        match &self.circles {
            Some(circles) => circles.forget_members(db, gate).await,
            None => Ok(0),
        }
    }
}
