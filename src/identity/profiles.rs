//! Profile rules.
use chrono::{NaiveDate, Utc};
use entity::{uploads, users};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait};

use crate::ids::{UploadId, UserId};
use crate::{
    error::{AppResult, Invalid},
    identity::Role,
    platform::facts::Fact,
    state::AppState,
};

pub const NICKNAME_MAX: usize = 32;

/// 1 to 32 characters after trimming, no control characters.
#[derive(Debug, Clone)]
pub struct Nickname(String);

impl Nickname {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let trimmed = input.trim();
        let len = trimmed.chars().count();
        if len == 0 {
            return Err(Invalid::new("required", "must not be empty"));
        }
        if len > NICKNAME_MAX {
            return Err(Invalid::new(
                "too_long",
                format!("must be at most {NICKNAME_MAX} characters"),
            ));
        }
        if trimmed.chars().any(char::is_control) {
            return Err(Invalid::new(
                "invalid_characters",
                "must not contain control characters",
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// After a profile change committed: peers hear of a changed presence
/// setting, whoever shows the author's card of a changed one, and a
/// replaced avatar is handed to the media layer.
pub async fn announce_change(state: &AppState, before: &users::Model, after: &users::Model) {
    super::copies::forget_public_profile(state, &after.id).await;
    if after.nickname != before.nickname
        || after.avatar_upload_id != before.avatar_upload_id
        || after.community_closed_at != before.community_closed_at
    {
        let fact = Fact::AuthorChanged {
            user: after.id.clone(),
            erased: false,
        };
        state.facts.publish(state, fact).await;
    }
    if after.show_online_status != before.show_online_status {
        let fact = Fact::PresenceVisibilityChanged {
            user: after.id.clone(),
            shown: after.show_online_status,
        };
        state.facts.publish(state, fact).await;
    }
    if let Some(old) = &before.avatar_upload_id {
        if after.avatar_upload_id.as_ref() != Some(old) {
            let fact = Fact::UploadsUnreferenced {
                ids: vec![old.clone()],
            };
            state.facts.publish(state, fact).await;
        }
    }
}

/// A user and the storage key of their avatar, if any.
pub async fn load(
    db: &impl ConnectionTrait,
    id: &UserId,
) -> AppResult<Option<(users::Model, Option<String>)>> {
    let Some(user) = users::Entity::find_by_id(id.to_string()).one(db).await? else {
        return Ok(None);
    };
    let key = match &user.avatar_upload_id {
        Some(upload_id) => uploads::Entity::find_by_id(upload_id.clone())
            .one(db)
            .await?
            .map(|u| u.storage_key),
        None => None,
    };
    Ok(Some((user, key)))
}

/// A change to a profile; `None` leaves a field alone, `Some(None)` clears it.
#[derive(Default)]
pub struct ProfileChange {
    pub nickname: Option<Nickname>,
    pub avatar_upload_id: Option<Option<UploadId>>,
    pub gender: Option<Option<entity::enums::Gender>>,
    pub birthday: Option<Option<NaiveDate>>,
    pub region: Option<Option<String>>,
    pub signature: Option<Option<String>>,
    pub show_online_status: Option<bool>,
}

pub fn check_birthday(date: NaiveDate) -> Result<NaiveDate, Invalid> {
    let earliest = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or_default();
    if date < earliest || date > Utc::now().date_naive() {
        return Err(Invalid::new(
            "out_of_range",
            "must be a past date after 1900-01-01",
        ));
    }
    Ok(date)
}

pub async fn update_profile(
    db: &impl ConnectionTrait,
    user: users::Model,
    change: ProfileChange,
) -> AppResult<users::Model> {
    if let Some(Some(upload_id)) = &change.avatar_upload_id {
        let upload = uploads::Entity::find_by_id(upload_id.to_string())
            .one(db)
            .await?;
        match upload {
            Some(u)
                if u.owner_id == user.id
                    && u.kind == entity::enums::UploadKind::Image
                    && u.purpose == entity::enums::UploadPurpose::Avatar => {}
            _ => return Err(super::refusals::Refusal::UnknownAvatar.into()),
        }
    }
    let mut active: users::ActiveModel = user.into();
    if let Some(nickname) = change.nickname {
        active.nickname = Set(nickname.into_inner());
    }
    if let Some(v) = change.avatar_upload_id {
        active.avatar_upload_id = Set(v.map(UploadId::into_inner));
    }
    if let Some(v) = change.gender {
        active.gender = Set(v);
    }
    if let Some(v) = change.birthday {
        active.birthday = Set(v);
    }
    if let Some(v) = change.region {
        active.region = Set(v);
    }
    if let Some(v) = change.signature {
        active.signature = Set(v);
    }
    if let Some(v) = change.show_online_status {
        active.show_online_status = Set(v);
    }
    active.updated_at = Set(Utc::now());
    let user = active.update(db).await?;
    crate::platform::outbox::enqueue(db, crate::platform::search_index::DocKind::User, &user.id)
        .await?;
    Ok(user)
}

pub async fn set_role(
    db: &impl ConnectionTrait,
    user: users::Model,
    role: Role,
) -> AppResult<users::Model> {
    let mut active: users::ActiveModel = user.into();
    active.role = Set(role.into());
    active.updated_at = Set(Utc::now());
    Ok(active.update(db).await?)
}

pub async fn set_password(
    db: &impl ConnectionTrait,
    user: users::Model,
    password_hash: String,
) -> AppResult<users::Model> {
    let mut active: users::ActiveModel = user.into();
    active.password_hash = Set(password_hash);
    active.updated_at = Set(Utc::now());
    Ok(active.update(db).await?)
}

pub async fn set_accepted_notice(
    db: &impl ConnectionTrait,
    user_id: &str,
    version: &str,
) -> AppResult<()> {
    use sea_orm::{ColumnTrait, QueryFilter};
    users::Entity::update_many()
        .col_expr(
            users::Column::AcceptedNoticeVersion,
            sea_orm::sea_query::Expr::value(version),
        )
        .filter(users::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Which of `ids` have an account.
pub async fn existing(db: &impl ConnectionTrait, ids: Vec<String>) -> AppResult<Vec<String>> {
    use sea_orm::{ColumnTrait, QueryFilter, QuerySelect};
    Ok(users::Entity::find()
        .select_only()
        .column(users::Column::Id)
        .filter(users::Column::Id.is_in(ids))
        .into_tuple()
        .all(db)
        .await?)
}

/// The city a user shares, if any.
pub async fn location(db: &impl ConnectionTrait, user_id: &str) -> AppResult<Option<String>> {
    Ok(
        entity::user_locations::Entity::find_by_id(user_id.to_owned())
            .one(db)
            .await?
            .map(|l| l.city),
    )
}

pub async fn set_location(db: &impl ConnectionTrait, user_id: &str, city: &str) -> AppResult<()> {
    use entity::user_locations;
    use sea_orm::sea_query::OnConflict;
    user_locations::Entity::insert(user_locations::ActiveModel {
        user_id: Set(user_id.to_owned()),
        city: Set(city.to_owned()),
        updated_at: Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::column(user_locations::Column::UserId)
            .update_columns([
                user_locations::Column::City,
                user_locations::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec(db)
    .await?;
    Ok(())
}

pub async fn clear_location(db: &impl ConnectionTrait, user_id: &str) -> AppResult<u64> {
    Ok(
        entity::user_locations::Entity::delete_by_id(user_id.to_owned())
            .exec(db)
            .await?
            .rows_affected,
    )
}

/// Withdrawing `location` forgets the city.
pub struct LocationEraser;

#[async_trait::async_trait]
impl crate::privacy::consents::WithdrawalEraser for LocationEraser {
    fn purpose(&self) -> &'static str {
        "location"
    }
    async fn erase(
        &self,
        txn: &sea_orm::DatabaseTransaction,
        user_id: &str,
    ) -> AppResult<crate::privacy::registry::AfterCommit> {
        Ok(crate::privacy::registry::AfterCommit::rows(
            clear_location(txn, user_id).await?,
        ))
    }
}
