//! Community's searchable documents: a post while visible, a comment while
//! it and its post are visible, every circle. A comment carries its own
//! text only (the author is not in the document) and shows its post's
//! title and circle.
use std::collections::HashMap;

use async_trait::async_trait;
use entity::{circles, comments, posts};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::{
    error::AppResult,
    platform::{
        documents::DocumentSource,
        search_index::{Doc, DocKind},
    },
};

fn post_doc(p: posts::Model) -> Doc {
    Doc {
        kind: DocKind::Post,
        id: p.id,
        title: p.title,
        body: p.body,
        circle_id: p.circle_id,
        post_id: None,
        created_at: p.created_at,
    }
}

fn comment_doc(c: comments::Model, post: &posts::Model) -> Doc {
    Doc {
        kind: DocKind::Comment,
        id: c.id,
        title: post.title.clone(),
        body: c.body,
        circle_id: post.circle_id.clone(),
        post_id: Some(c.post_id),
        created_at: c.created_at,
    }
}

fn circle_doc(c: circles::Model) -> Doc {
    Doc {
        kind: DocKind::Circle,
        id: c.id,
        title: c.name,
        body: c.description,
        circle_id: None,
        post_id: None,
        created_at: c.created_at,
    }
}

/// Public: a closed circle's posts (and their comments) are never indexed.
fn post_is_visible(p: &posts::Model) -> bool {
    !p.hidden && p.deleted_at.is_none() && p.gate.is_none()
}

fn comment_is_visible(c: &comments::Model) -> bool {
    !c.hidden && c.deleted_at.is_none()
}

async fn comment(db: &impl ConnectionTrait, id: &str) -> AppResult<Option<Doc>> {
    let Some(comment) = comments::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
        .filter(comment_is_visible)
    else {
        return Ok(None);
    };
    Ok(posts::Entity::find_by_id(comment.post_id.clone())
        .one(db)
        .await?
        .filter(post_is_visible)
        .map(|post| comment_doc(comment, &post)))
}

pub struct CommunityDocuments;

#[async_trait]
impl DocumentSource for CommunityDocuments {
    fn kinds(&self) -> &'static [DocKind] {
        &[DocKind::Post, DocKind::Comment, DocKind::Circle]
    }

    async fn current(
        &self,
        db: &DatabaseConnection,
        kind: DocKind,
        id: &str,
    ) -> AppResult<Option<Doc>> {
        Ok(match kind {
            DocKind::Post => posts::Entity::find_by_id(id.to_owned())
                .one(db)
                .await?
                .filter(post_is_visible)
                .map(post_doc),
            DocKind::Comment => comment(db, id).await?,
            DocKind::Circle => circles::Entity::find_by_id(id.to_owned())
                .one(db)
                .await?
                .filter(|c| c.gate.is_none())
                .map(circle_doc),
            DocKind::User => None,
        })
    }

    async fn all(&self, db: &DatabaseConnection) -> AppResult<Vec<Doc>> {
        let mut docs: Vec<Doc> = circles::Entity::find()
            .filter(circles::Column::Gate.is_null())
            .all(db)
            .await?
            .into_iter()
            .map(circle_doc)
            .collect();
        let posts: HashMap<String, posts::Model> = posts::Entity::find()
            .filter(posts::Column::Hidden.eq(false))
            .filter(posts::Column::DeletedAt.is_null())
            .filter(posts::Column::Gate.is_null())
            .all(db)
            .await?
            .into_iter()
            .map(|p| (p.id.clone(), p))
            .collect();
        let comments = comments::Entity::find()
            .filter(comments::Column::Hidden.eq(false))
            .filter(comments::Column::DeletedAt.is_null())
            .all(db)
            .await?;
        for c in comments {
            if let Some(post) = posts.get(&c.post_id) {
                docs.push(comment_doc(c, post));
            }
        }
        docs.extend(posts.into_values().map(post_doc));
        Ok(docs)
    }
}
