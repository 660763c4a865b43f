//! The account as personal data: the masked phone, role and level, and the
//! signed-in devices. Erasing the account deletes the row itself (with its
//! phone ciphertext, blind index and password hash) — last, and only once
//! nothing is held for an open report.
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use entity::{sessions, sms_codes, users};
use poem_openapi::Object;
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder};
use serde_json::Value;

use super::guard::Role;
use crate::{
    error::AppResult,
    privacy::registry::{delete_where, AfterCommit, Erasure, PersonalData, Scope, Section, Stage},
    state::AppState,
};

/// The export's `account` section.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct ExportedAccount {
    pub id: String,
    /// Masked: the export never carries the whole number.
    pub phone_masked: String,
    pub role: Role,
    pub level: i32,
    pub experience: i64,
    pub accepted_notice_version: String,
    pub created_at: DateTime<Utc>,
}

/// One signed-in device in the export's `sessions` section.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, example)]
pub struct ExportedSession {
    pub id: String,
    pub device_model: Option<String>,
    pub os_version: Option<String>,
    pub app_version: Option<String>,
    pub language: Option<String>,
    /// The device identifier (`X-Device-Id`, kept with the `browsing` grant).
    pub device_id: Option<String>,
    pub timezone: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl poem_openapi::types::Example for ExportedAccount {
    fn example() -> Self {
        use crate::api::examples;
        Self {
            id: examples::id("UserId"),
            phone_masked: super::masking::phone("+8613800138000"),
            role: Role::User,
            level: 4,
            experience: 1260,
            accepted_notice_version: examples::NOTICE_VERSION.into(),
            created_at: examples::time(2, 9, 15),
        }
    }
}

impl poem_openapi::types::Example for ExportedSession {
    fn example() -> Self {
        let at = crate::api::examples::time;
        Self {
            id: crate::api::examples::id("SessionId"),
            device_model: Some("Xiaomi 15".into()),
            os_version: Some("HyperOS 2.0".into()),
            app_version: Some("5.2.1".into()),
            language: Some("zh-CN".into()),
            device_id: None,
            timezone: Some("Asia/Shanghai".into()),
            created_at: at(2, 8, 0),
            last_seen_at: at(30, 9, 12),
            expires_at: at(30, 9, 42),
        }
    }
}

pub struct AccountData;

#[async_trait]
impl PersonalData for AccountData {
    fn stage(&self) -> Stage {
        Stage::Account
    }

    fn sections(&self) -> Vec<Section> {
        vec![
            Section::of::<ExportedAccount>("account"),
            Section::of::<Vec<ExportedSession>>("sessions"),
        ]
    }

    fn items(&self) -> &'static [&'static str] {
        &[
            "phone_number",
            "device_model",
            "os_version",
            "app_version",
            "language",
            "timezone",
            "device_id",
        ]
    }

    fn tables(&self) -> &'static [&'static str] {
        &["users", "sessions"]
    }

    async fn export(
        &self,
        state: &AppState,
        user: &crate::ids::UserId,
    ) -> AppResult<Vec<(&'static str, Value)>> {
        let account = users::Entity::find_by_id(user.to_string())
            .one(&state.db)
            .await?
            .map(|u| -> AppResult<ExportedAccount> {
                Ok(ExportedAccount {
                    phone_masked: super::phone::masked_from_ciphertext(
                        &state.crypto,
                        &u.phone_ciphertext,
                    )?,
                    id: u.id,
                    role: u.role.into(),
                    level: u.level,
                    experience: u.experience,
                    accepted_notice_version: u.accepted_notice_version,
                    created_at: u.created_at,
                })
            })
            .transpose()?;
        let devices: Vec<ExportedSession> = sessions::Entity::find()
            .filter(sessions::Column::UserId.eq(user))
            .order_by_asc(sessions::Column::Id)
            .all(&state.db)
            .await?
            .into_iter()
            .map(|s| {
                // Stored encrypted (it needs the `browsing` grant).
                let device_id = state
                    .crypto
                    .decrypt_opt(&s.device_id)
                    .map_err(crate::error::AppError::internal)?;
                Ok(ExportedSession {
                    id: s.id,
                    device_model: s.device_model,
                    os_version: s.os_version,
                    app_version: s.app_version,
                    language: s.language,
                    device_id,
                    timezone: s.timezone,
                    created_at: s.created_at,
                    last_seen_at: s.last_seen_at,
                    expires_at: s.expires_at,
                })
            })
            .collect::<AppResult<_>>()?;
        Ok(vec![
            Section::value("account", &account),
            Section::value("sessions", &devices),
        ])
    }

    async fn erase(
        &self,
        _state: &AppState,
        txn: &DatabaseTransaction,
        erasure: &Erasure,
    ) -> AppResult<AfterCommit> {
        if erasure.scope != Scope::Account {
            return Ok(AfterCommit::default());
        }
        delete_where::<sessions::Entity>(txn, sessions::Column::UserId, erasure.user.as_str())
            .await?;
        if !erasure.held.is_empty() {
            return Ok(AfterCommit::default());
        }
        if let Some(u) = users::Entity::find_by_id(erasure.user.clone())
            .one(txn)
            .await?
        {
            delete_where::<sms_codes::Entity>(
                txn,
                sms_codes::Column::PhoneBlindIndex,
                &u.phone_blind_index,
            )
            .await?;
            users::Entity::delete_by_id(u.id).exec(txn).await?;
        }
        // The profile's and the author cards' kept copies go.
        Ok(AfterCommit {
            facts: vec![crate::platform::facts::Fact::AuthorChanged {
                user: erasure.user.clone(),
                erased: true,
            }],
            ..AfterCommit::default()
        })
    }
}
