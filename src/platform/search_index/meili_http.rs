//! The HTTP client meilisearch-sdk sends through: reqwest with rustls, the
//! public roots plus `AGORA_TLS_CA_FILE`, so that `https://` Meilisearch
//! works with a private CA (the SDK's own client takes no certificates).
use async_trait::async_trait;
use meilisearch_sdk::{
    errors::Error,
    request::{parse_response, HttpClient, Method},
    reqwest::ReaderStream,
};
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use serde::{de::DeserializeOwned, Serialize};

use crate::platform::tls::TlsSettings;

#[derive(Clone)]
pub struct MeiliHttp {
    client: reqwest::Client,
}

impl MeiliHttp {
    /// With `https`, nothing is ever sent in clear: no redirect is
    /// followed (one to `http://` would carry the key) and plain `http`
    /// is refused.
    pub fn new(api_key: Option<&str>, https: bool, tls: &TlsSettings) -> anyhow::Result<Self> {
        let mut headers = HeaderMap::new();
        headers.insert(USER_AGENT, HeaderValue::from_static("agora"));
        if let Some(key) = api_key {
            let mut value = HeaderValue::from_str(&format!("Bearer {key}"))
                .map_err(|_| anyhow::anyhow!("AGORA_MEILI_KEY is not a valid header value"))?;
            value.set_sensitive(true);
            headers.insert(AUTHORIZATION, value);
        }
        let mut builder = reqwest::Client::builder()
            .default_headers(headers)
            .redirect(reqwest::redirect::Policy::none())
            .https_only(https);
        if let Some(pem) = &tls.ca_pem {
            for cert in reqwest::Certificate::from_pem_bundle(pem)? {
                builder = builder.add_root_certificate(cert);
            }
        }
        if tls.allow_unverified {
            builder = builder.danger_accept_invalid_certs(true);
        }
        Ok(Self {
            client: builder.build()?,
        })
    }
}

fn verb<Q, B>(method: &Method<Q, B>) -> reqwest::Method {
    match method {
        Method::Get { .. } => reqwest::Method::GET,
        Method::Delete { .. } => reqwest::Method::DELETE,
        Method::Post { .. } => reqwest::Method::POST,
        Method::Put { .. } => reqwest::Method::PUT,
        Method::Patch { .. } => reqwest::Method::PATCH,
    }
}

#[async_trait]
impl HttpClient for MeiliHttp {
    async fn stream_request<
        Query: Serialize + Send + Sync,
        Body: futures_util::AsyncRead + Send + Sync + 'static,
        Output: DeserializeOwned + 'static,
    >(
        &self,
        url: &str,
        method: Method<Query, Body>,
        content_type: &str,
        expected_status_code: u16,
    ) -> Result<Output, Error> {
        let query = yaup::to_string(method.query())?;
        let url = format!("{url}{query}");
        let mut request = self.client.request(verb(&method), &url);
        if let Some(body) = method.into_body() {
            request = request
                .header(CONTENT_TYPE, content_type)
                .body(reqwest::Body::wrap_stream(ReaderStream::new(body)));
        }
        let response = self.client.execute(request.build()?).await?;
        let status = response.status().as_u16();
        let mut body = response.text().await?;
        if body.is_empty() {
            body = "null".to_owned();
        }
        parse_response(status, expected_status_code, &body, url)
    }

    fn is_tokio(&self) -> bool {
        true
    }
}
