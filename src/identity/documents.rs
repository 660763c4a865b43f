//! A profile as a searchable document: nickname and signature, while the
//! user keeps their community presence open.
use async_trait::async_trait;
use entity::users;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::{
    error::AppResult,
    platform::{
        documents::DocumentSource,
        search_index::{Doc, DocKind},
    },
};

fn user_doc(u: users::Model) -> Doc {
    Doc {
        kind: DocKind::User,
        id: u.id,
        title: u.nickname,
        body: u.signature.unwrap_or_default(),
        circle_id: None,
        post_id: None,
        created_at: u.created_at,
    }
}

pub struct ProfileDocuments;

#[async_trait]
impl DocumentSource for ProfileDocuments {
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::User]
    }

    async fn current(
        &self,
        db: &DatabaseConnection,
        _kind: DocKind,
        id: &str,
    ) -> AppResult<Option<Doc>> {
        // A user who closed their community presence is not searchable.
        Ok(users::Entity::find_by_id(id.to_owned())
            .one(db)
            .await?
            .filter(|u| u.community_closed_at.is_none())
            .map(user_doc))
    }

    async fn all(&self, db: &DatabaseConnection) -> AppResult<Vec<Doc>> {
        Ok(users::Entity::find()
            .filter(users::Column::CommunityClosedAt.is_null())
            .all(db)
            .await?
            .into_iter()
            .map(user_doc)
            .collect())
    }
}
