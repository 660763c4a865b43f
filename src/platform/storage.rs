//! The media store, through `object_store`: a directory under the data dir
//! by default; any S3-compatible store uses the same crate.
use std::{collections::HashMap, sync::Arc};

use bytes::Bytes;
use entity::uploads;
use object_store::{
    local::LocalFileSystem, path::Path, ObjectStore, ObjectStoreExt, PutPayload, WriteMultipart,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use tokio::io::{AsyncRead, AsyncReadExt};

use crate::error::AppResult;

#[derive(Clone)]
pub struct MediaStore {
    store: Arc<dyn ObjectStore>,
}

impl MediaStore {
    pub fn local(dir: &std::path::Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir)?;
        Ok(Self {
            store: Arc::new(LocalFileSystem::new_with_prefix(dir)?),
        })
    }

    pub async fn put(&self, key: &str, bytes: Bytes) -> anyhow::Result<()> {
        self.store
            .put(&Path::from(key), PutPayload::from_bytes(bytes))
            .await?;
        Ok(())
    }

    /// Streams `reader` into the store a few MiB at a time, never holding
    /// the whole object in memory; a failure leaves no partial object.
    pub async fn put_stream(
        &self,
        key: &str,
        mut reader: impl AsyncRead + Unpin + Send,
    ) -> anyhow::Result<u64> {
        let upload = self.store.put_multipart(&Path::from(key)).await?;
        let mut writer = WriteMultipart::new(upload);
        let mut buf = vec![0u8; 1024 * 1024];
        let mut total = 0u64;
        loop {
            let n = match reader.read(&mut buf).await {
                Ok(n) => n,
                Err(err) => {
                    let _ = writer.abort().await;
                    return Err(err.into());
                }
            };
            if n == 0 {
                break;
            }
            total += n as u64;
            if let Err(err) = writer.wait_for_capacity(4).await {
                let _ = writer.abort().await;
                return Err(err.into());
            }
            writer.write(&buf[..n]);
        }
        writer.finish().await?;
        Ok(total)
    }

    /// The object as a stream of chunks; `None` when there is no such object.
    pub async fn get_stream(
        &self,
        key: &str,
    ) -> anyhow::Result<
        Option<impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static>,
    > {
        use futures_util::TryStreamExt;
        match self.store.get(&Path::from(key)).await {
            Ok(result) => Ok(Some(result.into_stream().map_err(std::io::Error::other))),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(err) => Err(err.into()),
        }
    }

    /// `None` when there is no such object.
    pub async fn get(&self, key: &str) -> anyhow::Result<Option<Bytes>> {
        match self.store.get(&Path::from(key)).await {
            Ok(result) => Ok(Some(result.bytes().await?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(err) => Err(err.into()),
        }
    }

    pub async fn delete(&self, key: &str) -> anyhow::Result<()> {
        match self.store.delete(&Path::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(err) => Err(err.into()),
        }
    }
}

/// Upload id → storage key, for a batch of uploads.
pub async fn upload_keys(
    db: &impl ConnectionTrait,
    ids: Vec<String>,
) -> AppResult<HashMap<String, String>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(uploads::Entity::find()
        .filter(uploads::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.storage_key))
        .collect())
}
