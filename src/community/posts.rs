//! Post rules: who may post, edit and delete, and what a post may carry.
use chrono::{DateTime, Utc};
use entity::{
    circles, comments,
    enums::{UploadKind, UploadPurpose},
    post_images, post_revisions, posts, uploads,
};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait,
    DatabaseConnection, EntityTrait, ExprTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};

use super::refusals::Refusal;
use crate::ids::{CircleId, PostId, UploadId, UserId};
use crate::{
    error::{is_unique_violation, AppError, AppResult},
    identity::{AuthUser, Role},
    platform::outbox::{self, DocKind},
};

/// Reddit's hot rank: log10 of the score plus creation time over a
/// constant. It never depends on the current time, so it is stored once
/// and updated only when the score changes.
pub fn hot_rank(score: i64, created_at: DateTime<Utc>) -> f64 {
    let order = (Ord::max(score.unsigned_abs(), 1) as f64).log10();
    let sign = score.signum() as f64;
    let seconds = created_at.timestamp() as f64 - 1_134_028_003.0;
    ((sign * order + seconds / 45_000.0) * 1e7).round() / 1e7
}

pub struct NewPost {
    pub client_id: Option<String>,
    pub circle_id: Option<CircleId>,
    pub title: String,
    pub body: String,
    pub image_upload_ids: Vec<UploadId>,
    pub device_model: Option<String>,
    pub log_upload_id: Option<UploadId>,
}

fn required_text(value: &str, empty: Refusal) -> AppResult<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(empty.into());
    }
    Ok(trimmed.to_owned())
}

/// Checks that every upload is the author's own (and an image, where asked).
async fn check_uploads(db: &impl ConnectionTrait, author: &str, post: &NewPost) -> AppResult<()> {
    let mut ids = post.image_upload_ids.clone();
    ids.extend(post.log_upload_id.clone());
    let found = uploads::Entity::find()
        .filter(uploads::Column::Id.is_in(ids))
        .filter(uploads::Column::OwnerId.eq(author))
        .all(db)
        .await?;
    for (i, id) in post.image_upload_ids.iter().enumerate() {
        if !found.iter().any(|u| {
            u.id == id.as_str() && u.kind == UploadKind::Image && u.purpose == UploadPurpose::Media
        }) {
            return Err(Refusal::NotYourImage(i).into());
        }
    }
    if post
        .image_upload_ids
        .iter()
        .enumerate()
        .any(|(i, id)| post.image_upload_ids[..i].contains(id))
    {
        return Err(Refusal::DuplicateImage.into());
    }
    if let Some(log) = &post.log_upload_id {
        if !found
            .iter()
            .any(|u| u.id == log.as_str() && u.purpose == UploadPurpose::Diagnostic)
        {
            return Err(Refusal::NotYourLog.into());
        }
    }
    Ok(())
}

pub async fn create(
    db: &DatabaseConnection,
    author: &UserId,
    post: NewPost,
) -> AppResult<posts::Model> {
    let title = required_text(&post.title, Refusal::EmptyTitle)?;
    let body = required_text(&post.body, Refusal::EmptyBody)?;
    // A closed circle's gate goes with each post (the caller checked that
    // the author passes it).
    let gate = match &post.circle_id {
        Some(circle) => {
            circles::Entity::find_by_id(circle.to_string())
                .one(db)
                .await?
                .ok_or(Refusal::UnknownCircle)?
                .gate
        }
        None => None,
    };
    check_uploads(db, author.as_str(), &post).await?;
    let now = Utc::now();
    let txn = db.begin().await?;
    let row = posts::ActiveModel {
        id: Set(uuid::Uuid::now_v7().to_string()),
        author_id: Set(Some(author.to_string())),
        circle_id: Set(post.circle_id.clone().map(CircleId::into_inner)),
        title: Set(title),
        body: Set(body),
        device_model: Set(post
            .device_model
            .map(|d| d.trim().to_owned())
            .filter(|d| !d.is_empty())),
        log_upload_id: Set(post.log_upload_id.map(UploadId::into_inner)),
        like_count: Set(0),
        comment_count: Set(0),
        hot_rank: Set(hot_rank(0, now)),
        pinned: Set(false),
        locked: Set(false),
        hidden: Set(false),
        deleted_at: Set(None),
        created_at: Set(now),
        edited_at: Set(None),
        client_id: Set(post.client_id.clone()),
        gate: Set(gate),
    }
    .insert(&txn)
    .await;
    let row = match row {
        Ok(row) => row,
        // The same request, raced: hand back the post that won.
        Err(err) if is_unique_violation(&err) => {
            drop(txn);
            if let Some(first) =
                by_client_id(db, author.as_str(), post.client_id.as_deref()).await?
            {
                return Ok(first);
            }
            return Err(err.into());
        }
        Err(err) => return Err(err.into()),
    };
    for (position, upload_id) in post.image_upload_ids.into_iter().enumerate() {
        post_images::ActiveModel {
            post_id: Set(row.id.clone()),
            position: Set(position as i32),
            upload_id: Set(upload_id.into_inner()),
        }
        .insert(&txn)
        .await?;
    }
    enqueue_post(&txn, &row.id, false).await?;
    if let Some(circle) = &post.circle_id {
        circles::Entity::update_many()
            .col_expr(
                circles::Column::PostCount,
                Expr::col(circles::Column::PostCount).add(1),
            )
            .filter(circles::Column::Id.eq(circle.as_str()))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(row)
}

/// The post an author already made with this idempotency key, if any.
pub async fn by_client_id(
    db: &impl ConnectionTrait,
    author: &str,
    client_id: Option<&str>,
) -> AppResult<Option<posts::Model>> {
    let Some(client_id) = client_id else {
        return Ok(None);
    };
    Ok(posts::Entity::find()
        .filter(posts::Column::AuthorId.eq(author))
        .filter(posts::Column::ClientId.eq(client_id))
        .one(db)
        .await?)
}

/// A post the viewer may see: [`present`], and in a closed circle only to
/// whom its gate admits. What a post leads to (its comments, likes) asks
/// this.
pub async fn visible(
    state: &crate::state::AppState,
    id: &PostId,
    viewer: Option<&AuthUser>,
) -> AppResult<posts::Model> {
    let post = present(&state.read_db, id, viewer).await?;
    if !super::closed::admitted(state, post.gate.as_deref(), viewer).await? {
        return Err(AppError::not_found("post"));
    }
    Ok(post)
}

/// [`visible`], or the viewer's own post wherever it is (an author who
/// left a closed circle still reads what they wrote, not the thread).
pub async fn readable(
    state: &crate::state::AppState,
    id: &PostId,
    viewer: Option<&AuthUser>,
) -> AppResult<posts::Model> {
    let post = present(&state.read_db, id, viewer).await?;
    let author = viewer.is_some_and(|v| post.author_id.as_deref() == Some(v.id.as_str()));
    if !author && !super::closed::admitted(state, post.gate.as_deref(), viewer).await? {
        return Err(AppError::not_found("post"));
    }
    Ok(post)
}

/// A post that is there: not deleted, and not hidden unless to a moderator
/// (what its author and moderators act on).
async fn present(
    db: &impl ConnectionTrait,
    id: &PostId,
    viewer: Option<&AuthUser>,
) -> AppResult<posts::Model> {
    let post = posts::Entity::find_by_id(id.to_string())
        .one(db)
        .await?
        .filter(|p| p.deleted_at.is_none())
        .ok_or_else(|| AppError::not_found("post"))?;
    let moderator = viewer.is_some_and(|v| v.role >= Role::Moderator);
    if post.hidden && !moderator {
        return Err(AppError::not_found("post"));
    }
    Ok(post)
}

pub struct PostEdit {
    pub title: Option<String>,
    pub body: Option<String>,
}

/// The author edits; the previous text is kept as a revision.
pub async fn edit(
    db: &DatabaseConnection,
    user: &AuthUser,
    id: &PostId,
    change: PostEdit,
) -> AppResult<posts::Model> {
    let post = present(db, id, Some(user)).await?;
    super::closed::refuse_unless_author(&post, user, false, "only the author can edit a post")?;
    let title = change
        .title
        .map(|t| required_text(&t, Refusal::EmptyTitle))
        .transpose()?;
    let body = change
        .body
        .map(|b| required_text(&b, Refusal::EmptyBody))
        .transpose()?;
    // Its comments show its title.
    let retitled = title.as_ref().is_some_and(|t| *t != post.title);
    let rebodied = body.as_ref().is_some_and(|b| *b != post.body);
    // Nothing changes (an empty patch, or the same text): no revision, no
    // "edited" mark.
    if !retitled && !rebodied {
        return Ok(post);
    }
    let now = Utc::now();
    let txn = db.begin().await?;
    post_revisions::ActiveModel {
        id: Set(uuid::Uuid::now_v7().to_string()),
        post_id: Set(post.id.clone()),
        title: Set(post.title.clone()),
        body: Set(post.body.clone()),
        created_at: Set(post.edited_at.unwrap_or(post.created_at)),
    }
    .insert(&txn)
    .await?;
    let mut active: posts::ActiveModel = post.into();
    if let Some(title) = title {
        active.title = Set(title);
    }
    if let Some(body) = body {
        active.body = Set(body);
    }
    active.edited_at = Set(Some(now));
    let post = active.update(&txn).await?;
    enqueue_post(&txn, &post.id, retitled).await?;
    txn.commit().await?;
    Ok(post)
}

/// Earlier versions, for the author and moderators.
pub async fn revisions(
    db: &impl ConnectionTrait,
    user: &AuthUser,
    id: &PostId,
) -> AppResult<Vec<post_revisions::Model>> {
    let post = present(db, id, Some(user)).await?;
    let why = "only the author and moderators see the edit history";
    super::closed::refuse_unless_author(&post, user, true, why)?;
    Ok(post_revisions::Entity::find()
        .filter(post_revisions::Column::PostId.eq(id))
        .order_by_desc(post_revisions::Column::Id)
        .all(db)
        .await?)
}

/// Hidden at once; purged later by the retention job. Returns the circle.
pub async fn delete(
    db: &DatabaseConnection,
    user: &AuthUser,
    id: &PostId,
) -> AppResult<Option<String>> {
    let post = present(db, id, Some(user)).await?;
    let why = "only the author or a moderator can delete a post";
    super::closed::refuse_unless_author(&post, user, true, why)?;
    let txn = db.begin().await?;
    posts::Entity::update_many()
        .col_expr(posts::Column::DeletedAt, Expr::value(Utc::now()))
        .filter(posts::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    enqueue_post(&txn, id.as_str(), true).await?;
    // During the grace (moderation, mistakes) its images are no longer
    // public: their plain links stop working, signed ones still open them.
    set_images_private(&txn, id.as_str(), true).await?;
    if let Some(circle) = &post.circle_id {
        circles::Entity::update_many()
            .col_expr(
                circles::Column::PostCount,
                Expr::col(circles::Column::PostCount).sub(1),
            )
            .filter(circles::Column::Id.eq(circle.as_str()))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(post.circle_id)
}

/// Makes a post's images private (signed links only) or public again.
pub async fn set_images_private(
    db: &impl ConnectionTrait,
    post_id: &str,
    private: bool,
) -> AppResult<()> {
    let images = post_images::Entity::find()
        .select_only()
        .column(post_images::Column::UploadId)
        .filter(post_images::Column::PostId.eq(post_id))
        .into_tuple::<String>()
        .all(db)
        .await?;
    uploads::Entity::update_many()
        .col_expr(uploads::Column::Private, Expr::value(private))
        .filter(uploads::Column::Id.is_in(images))
        .exec(db)
        .await?;
    Ok(())
}

/// Records that a post changed and, with `comments_too`, its visible
/// comments: they show its title and are searchable only while it is
/// visible (community's rule, so it lives here). Call inside the change's
/// transaction.
pub async fn enqueue_post(
    db: &impl ConnectionTrait,
    id: &str,
    comments_too: bool,
) -> AppResult<()> {
    outbox::enqueue(db, DocKind::Post, id).await?;
    if comments_too {
        let ids = comments::Entity::find()
            .select_only()
            .column(comments::Column::Id)
            .filter(comments::Column::PostId.eq(id))
            .filter(comments::Column::Hidden.eq(false))
            .filter(comments::Column::DeletedAt.is_null())
            .into_tuple::<String>()
            .all(db)
            .await?;
        outbox::enqueue_many(db, DocKind::Comment, ids).await?;
    }
    Ok(())
}
