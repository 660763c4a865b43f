//! Turns every error poem or poem-openapi raises into a problem document,
//! so that no non-2xx leaves the server in another shape.
use poem::{
    error::{MethodNotAllowedError, NotFoundError, ReadBodyError},
    http::StatusCode,
    Error, IntoResponse, Response,
};
use poem_openapi::error::{
    AuthorizationError, ContentTypeError, ParseMultipartError, ParseParamError, ParsePathError,
    ParseRequestPayloadError,
};

use crate::error::{AppError, ErrorCode};

pub async fn to_problem(err: Error) -> Response {
    if err.is::<AppError>() {
        return err.into_response();
    }
    match app_error(&err) {
        Some(problem) => problem,
        // Whatever else it was keeps its cause for the log.
        None => AppError::internal(anyhow::Error::new(err)),
    }
    .into_response()
}

/// The problem a client error stands for; `None` for a server error.
fn app_error(err: &Error) -> Option<AppError> {
    if let Some(e) = err.downcast_ref::<ParseParamError>() {
        return Some(AppError::invalid(e.name, "invalid", e.reason.clone()));
    }
    if let Some(e) = err.downcast_ref::<ParsePathError>() {
        return Some(AppError::invalid(e.name, "invalid", e.reason.clone()));
    }
    if let Some(e) = err.downcast_ref::<ParseRequestPayloadError>() {
        return Some(AppError::invalid("body", "invalid", e.reason.clone()));
    }
    if let Some(e) = err.downcast_ref::<ParseMultipartError>() {
        return Some(AppError::invalid(
            "body",
            "invalid_multipart",
            e.reason.clone(),
        ));
    }
    if let Some(e) = err.downcast_ref::<ContentTypeError>() {
        return Some(AppError::new(
            ErrorCode::UnsupportedMediaType,
            e.to_string(),
        ));
    }
    if err.is::<AuthorizationError>() {
        return Some(AppError::unauthorized("a bearer token is required"));
    }
    if err.is::<NotFoundError>() {
        return Some(AppError::new(ErrorCode::NotFound, "no such route"));
    }
    if err.is::<MethodNotAllowedError>() {
        return Some(AppError::new(
            ErrorCode::MethodNotAllowed,
            "method not allowed on this route",
        ));
    }
    if let Some(ReadBodyError::PayloadTooLarge) = err.downcast_ref::<ReadBodyError>() {
        return Some(AppError::new(
            ErrorCode::PayloadTooLarge,
            "the request body is too large",
        ));
    }
    Some(match err.status() {
        StatusCode::PAYLOAD_TOO_LARGE => {
            AppError::new(ErrorCode::PayloadTooLarge, "the request body is too large")
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            AppError::new(ErrorCode::UnsupportedMediaType, err.to_string())
        }
        StatusCode::NOT_FOUND => AppError::new(ErrorCode::NotFound, "not found"),
        StatusCode::UNAUTHORIZED => AppError::unauthorized(err.to_string()),
        StatusCode::FORBIDDEN => AppError::forbidden(err.to_string()),
        status if status.is_client_error() => AppError::invalid("body", "invalid", err.to_string()),
        _ => return None,
    })
}
