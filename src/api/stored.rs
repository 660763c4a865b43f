//! `StoredJson<T>`: an answer serialised once and kept as the bytes it is
//! sent as (a cached page, a cached view). The spec documents it as `T`,
//! exactly as `Json<T>` would; a cache hit is sent without being parsed,
//! checked and serialised again.
use std::marker::PhantomData;

use bytes::Bytes;
use poem::{IntoResponse, Response};
use poem_openapi::{
    payload::{Json, Payload},
    registry::{MetaSchemaRef, Registry},
    types::{ToJSON, Type},
};

pub struct StoredJson<T> {
    bytes: Bytes,
    made_from: PhantomData<fn() -> T>,
}

impl<T: ToJSON> StoredJson<T> {
    /// Serialises `value` once, as `Json<T>` would send it.
    pub fn encode(value: &T) -> Self {
        let json = value.to_json().unwrap_or_default();
        Self::from_stored(Bytes::from(json.to_string()))
    }
}

impl<T> StoredJson<T> {
    /// Bytes that [`StoredJson::encode`] made earlier (from a cache).
    pub fn from_stored(bytes: impl Into<Bytes>) -> Self {
        Self {
            bytes: bytes.into(),
            made_from: PhantomData,
        }
    }

    /// What is sent, for keeping.
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }
}

impl<T: Type> Payload for StoredJson<T> {
    const CONTENT_TYPE: &'static str = <Json<T> as Payload>::CONTENT_TYPE;

    fn check_content_type(content_type: &str) -> bool {
        <Json<T> as Payload>::check_content_type(content_type)
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: Send> IntoResponse for StoredJson<T> {
    fn into_response(self) -> Response {
        Response::builder()
            .content_type(<Json<serde_json::Value> as Payload>::CONTENT_TYPE)
            .body(self.bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn stored_bytes_are_what_json_would_send() {
        let value = serde_json::json!({ "a": [1, "二"], "b": null });
        let stored = StoredJson::encode(&value);
        let sent = stored.into_response();
        assert_eq!(
            sent.content_type(),
            Some(<Json<serde_json::Value> as Payload>::CONTENT_TYPE)
        );
        let body = sent.into_body().into_bytes().await.unwrap();
        let direct = Json(value)
            .into_response()
            .into_body()
            .into_bytes()
            .await
            .unwrap();
        assert_eq!(body, direct);
    }
}
