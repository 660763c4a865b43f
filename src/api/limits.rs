//! Per-IP limits on every request, and a cap on the size of any body:
//! the largest upload or JSON body allowed, and on the one route that takes
//! beta build packages, the package limit.
use std::io;

use poem::{http::Method, Body, Endpoint, IntoResponse, Request, Response};

use super::{check_limit, ClientInfo, HeadRequest, BASE_PATH};
use crate::{
    config::Config,
    error::{AppError, ErrorCode},
    platform::ratelimit::ActionClass,
    state::AppState,
};

/// Where admins upload beta build packages, under [`BASE_PATH`].
const PACKAGES_PATH: &str = "/uploads/packages";

/// The largest body a request may carry, by route.
#[derive(Clone, Copy, Debug)]
pub struct BodyCaps {
    /// Any route: the largest upload or JSON body, and a margin for the form.
    pub default: usize,
    /// `POST /uploads/packages`.
    pub packages: usize,
}

impl BodyCaps {
    pub fn from_config(config: &Config) -> Self {
        let margin = 1024 * 1024;
        let default = [
            config.upload_image_limit,
            config.upload_video_limit,
            config.upload_file_limit,
            config.json_body_limit,
        ]
        .into_iter()
        .max()
        .unwrap_or(0)
            + margin;
        Self {
            default,
            packages: config
                .upload_package_limit
                .saturating_add(margin)
                .max(default),
        }
    }

    fn for_path(self, path: &str) -> usize {
        match path.strip_prefix(BASE_PATH) {
            Some(PACKAGES_PATH) => self.packages,
            _ => self.default,
        }
    }
}

/// Per-IP limits for every request, and a cap on the size of any body.
pub async fn limit_request<E: Endpoint>(
    state: &AppState,
    caps: BodyCaps,
    ep: E,
    mut req: Request,
) -> poem::Result<Response> {
    let max_body = caps.for_path(req.uri().path());
    let client = ClientInfo::from_request(&req);
    let class = if req.method() == Method::GET || req.method() == Method::HEAD {
        ActionClass::ReadIp
    } else {
        ActionClass::WriteIp
    };
    check_limit(state, class, &client.limit_key()).await?;
    if req.method() == Method::HEAD {
        req.extensions_mut().insert(HeadRequest);
    }
    let too_large = || {
        AppError::new(
            ErrorCode::PayloadTooLarge,
            format!("bodies are limited to {max_body} bytes"),
        )
    };
    match req.header("content-length").map(str::parse::<usize>) {
        Some(Ok(len)) if len > max_body => return Err(too_large().into()),
        Some(Ok(_)) => {}
        Some(Err(_)) => {
            return Err(AppError::invalid("Content-Length", "invalid", "is not a number").into())
        }
        None => {
            // A streamed body of unknown length is cut off at the cap.
            let body = req.take_body();
            req.set_body(Body::from_bytes_stream(capped(body, max_body)));
        }
    }
    Ok(ep.call(req).await?.into_response())
}

fn capped(
    body: Body,
    max: usize,
) -> impl futures_util::Stream<Item = Result<bytes::Bytes, io::Error>> + Send + 'static {
    use futures_util::StreamExt;
    let mut seen = 0usize;
    body.into_bytes_stream().map(move |chunk| {
        let chunk = chunk?;
        seen += chunk.len();
        if seen > max {
            return Err(io::Error::other("body over the size limit"));
        }
        Ok(chunk)
    })
}
