//! `JsonBody<T>`: a JSON request payload whose schema is the one in the
//! spec, checked field by field so that every error names its field.
use std::ops::Deref;

use poem::{Request, RequestBody};
use poem_openapi::{
    payload::{ParsePayload, Payload},
    registry::{MetaMediaType, MetaRequest, MetaSchemaRef, Registry},
    types::{ParseFromJSON, Type},
    ApiExtractor, ApiExtractorType, ExtractParamOptions,
};
use serde_json::Value;

use super::validate;
use crate::error::{AppError, ErrorCode};

/// Whether a `Content-Type` is JSON (`application/json`, `…+json`, any case).
/// The consent middleware asks the very same question.
pub fn is_json(content_type: &str) -> bool {
    matches!(content_type.parse::<mime::Mime>(), Ok(m) if m.type_() == "application"
        && (m.subtype() == "json" || m.suffix().is_some_and(|s| s == "json")))
}

/// Writes every number with no fraction (`3741.0`) as the integer it is:
/// JSON Schema counts it as one, so an integer field takes it.
fn whole_numbers(value: &mut Value) {
    match value {
        Value::Number(n) if !(n.is_i64() || n.is_u64()) => {
            if let Some(f) = n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15) {
                *value = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers),
        Value::Object(fields) => fields.values_mut().for_each(whole_numbers),
        _ => {}
    }
}

/// The largest JSON body accepted; put into request data at start-up.
#[derive(Clone, Copy, Debug)]
pub struct JsonLimit(pub usize);

#[derive(Clone)]
pub struct JsonBody<T>(pub T, bytes::Bytes);

/// The parsed value only: the raw bytes would print what the value's own
/// `Debug` masks (a password, a phone number).
impl<T: std::fmt::Debug> std::fmt::Debug for JsonBody<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("JsonBody").field(&self.0).finish()
    }
}

impl<T> JsonBody<T> {
    /// The body as it arrived, byte for byte (what a signature covers).
    pub fn raw(&self) -> &[u8] {
        &self.1
    }

    /// The names of the fields sent, sorted (for an audit entry: names,
    /// never values).
    pub fn sent_fields(&self) -> String {
        let sent: Option<serde_json::Map<String, Value>> = serde_json::from_slice(&self.1).ok();
        let mut names: Vec<String> = sent
            .into_iter()
            .flat_map(|m| m.into_iter().map(|(k, _)| k))
            .collect();
        names.sort();
        names.join(", ")
    }
}

impl<T> Deref for JsonBody<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Type> Payload for JsonBody<T> {
    const CONTENT_TYPE: &'static str = "application/json; charset=utf-8";

    fn check_content_type(content_type: &str) -> bool {
        is_json(content_type)
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: ParseFromJSON + 'static> ParsePayload for JsonBody<T> {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        let limit = request
            .data::<JsonLimit>()
            .map_or(1024 * 1024, |limit| limit.0);
        let bytes = body
            .take()?
            .into_bytes_limit(limit)
            .await
            .map_err(|err| match err {
                poem::error::ReadBodyError::PayloadTooLarge => AppError::new(
                    ErrorCode::PayloadTooLarge,
                    format!("JSON bodies are limited to {limit} bytes"),
                ),
                other => AppError::new(ErrorCode::MalformedJson, other.to_string()),
            })?;
        let mut value: Value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).map_err(|err| {
                AppError::new(ErrorCode::MalformedJson, format!("invalid JSON: {err}"))
            })?
        };
        whole_numbers(&mut value);
        validate::against::<T>(&value)?;
        T::parse_from_json(Some(value))
            .map(|parsed| JsonBody(parsed, bytes))
            .map_err(|err| AppError::invalid("body", "invalid", err.into_message()).into())
    }
}

impl<'a, T: ParseFromJSON + 'static> ApiExtractor<'a> for JsonBody<T> {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        <Self as Payload>::register(registry);
    }

    fn request_meta() -> Option<MetaRequest> {
        Some(MetaRequest {
            description: None,
            content: vec![MetaMediaType {
                content_type: <Self as Payload>::CONTENT_TYPE,
                schema: <Self as Payload>::schema_ref(),
            }],
            required: true,
        })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        match request.content_type() {
            Some(ct) if Self::check_content_type(ct) => {
                <Self as ParsePayload>::from_request(request, body).await
            }
            Some(ct) => Err(AppError::new(
                ErrorCode::UnsupportedMediaType,
                format!("expected application/json, got {ct}"),
            )
            .into()),
            None => Err(AppError::new(
                ErrorCode::UnsupportedMediaType,
                "the Content-Type header is missing; send application/json",
            )
            .into()),
        }
    }
}
