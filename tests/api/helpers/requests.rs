//! Sending requests, as nobody or as a session, and reading the answers.
use reqwest::{Method, RequestBuilder, Response};
use serde_json::Value;

use super::{TestApp, TestUser};

/// Whatever can sign a request: a user's first session, or a token.
pub trait Bearer {
    fn token(&self) -> &str;
}

impl Bearer for TestUser {
    fn token(&self) -> &str {
        &self.token
    }
}

impl Bearer for str {
    fn token(&self) -> &str {
        self
    }
}

impl Bearer for String {
    fn token(&self) -> &str {
        self
    }
}

/// The `id` of a created resource.
pub trait HasId {
    fn id(&self) -> String;
}

impl HasId for Value {
    fn id(&self) -> String {
        self["id"]
            .as_str()
            .unwrap_or_else(|| panic!("no id in {self}"))
            .to_owned()
    }
}

/// The ids of a list of resources.
pub fn ids_of(values: &[Value]) -> Vec<String> {
    values.iter().map(HasId::id).collect()
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.address)
    }

    /// A request to the API at `path` (below `/api/v1`).
    pub fn api(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.url(path))
    }

    pub fn get(&self, path: &str) -> RequestBuilder {
        self.api(Method::GET, path)
    }

    pub fn post(&self, path: &str) -> RequestBuilder {
        self.api(Method::POST, path)
    }

    /// A request to the API signed by `who`.
    pub fn api_as(
        &self,
        who: &(impl Bearer + ?Sized),
        method: Method,
        path: &str,
    ) -> RequestBuilder {
        self.api(method, path).bearer_auth(who.token())
    }

    /// A request outside the API (`/healthz`, `/media/…`, `/docs`).
    pub async fn get_root(&self, path: &str) -> Response {
        send(self.client.get(format!("{}{path}", self.address))).await
    }

    /// GET `path` anonymously.
    pub async fn get_anon(&self, path: &str) -> Response {
        send(self.get(path)).await
    }

    /// GET `path` as `who`.
    pub async fn get_as(&self, who: &(impl Bearer + ?Sized), path: &str) -> Response {
        send(self.api_as(who, Method::GET, path)).await
    }

    /// The JSON of a successful anonymous GET.
    pub async fn get_json(&self, path: &str) -> Value {
        success_json(self.get_anon(path).await).await
    }

    /// The JSON of a successful GET as `who`.
    pub async fn get_json_as(&self, who: &(impl Bearer + ?Sized), path: &str) -> Value {
        success_json(self.get_as(who, path).await).await
    }

    /// `method` on `path` as `who`, without a body.
    pub async fn send_as(
        &self,
        who: &(impl Bearer + ?Sized),
        method: Method,
        path: &str,
    ) -> Response {
        send(self.api_as(who, method, path)).await
    }

    /// `method` on `path` as `who`, with a JSON body.
    pub async fn send_json_as(
        &self,
        who: &(impl Bearer + ?Sized),
        method: Method,
        path: &str,
        body: &Value,
    ) -> Response {
        send(self.api_as(who, method, path).json(body)).await
    }

    /// POST a JSON body to `path` as `who`.
    pub async fn post_as(
        &self,
        who: &(impl Bearer + ?Sized),
        path: &str,
        body: &Value,
    ) -> Response {
        self.send_json_as(who, Method::POST, path, body).await
    }

    /// PATCH `path` with a JSON body as `who`.
    pub async fn patch_as(
        &self,
        who: &(impl Bearer + ?Sized),
        path: &str,
        body: &Value,
    ) -> Response {
        self.send_json_as(who, Method::PATCH, path, body).await
    }

    /// PUT `path` without a body as `who`.
    pub async fn put_as(&self, who: &(impl Bearer + ?Sized), path: &str) -> Response {
        self.send_as(who, Method::PUT, path).await
    }

    /// DELETE `path` as `who`.
    pub async fn delete_as(&self, who: &(impl Bearer + ?Sized), path: &str) -> Response {
        self.send_as(who, Method::DELETE, path).await
    }

    /// The ids of every item of a list, fetched `limit` at a time.
    pub async fn walk_pages(&self, who: &TestUser, path: &str, limit: usize) -> Vec<String> {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..10 {
            let mut query = vec![("limit", limit.to_string())];
            query.extend(cursor.take().map(|c| ("cursor", c)));
            let resp = send(self.api_as(who, Method::GET, path).query(&query)).await;
            assert_eq!(resp.status(), 200, "{path} {query:?}");
            let page = json_of(resp).await;
            let items = page["items"].as_array().unwrap();
            assert!(items.len() <= limit);
            seen.extend(ids_of(items));
            match page["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => return seen,
            }
        }
        panic!("{path} did not end within ten pages");
    }
}

/// Sends `req`; panics only when nothing answered.
pub async fn send(req: RequestBuilder) -> Response {
    req.send().await.unwrap()
}

/// The JSON body of a response.
pub async fn json_of(resp: Response) -> Value {
    resp.json().await.unwrap()
}

/// The `items` of a list page.
pub fn items_of(page: &Value) -> Vec<Value> {
    page["items"].as_array().unwrap().clone()
}

/// The JSON body of a response that must be a success.
async fn success_json(resp: Response) -> Value {
    let (path, status) = (resp.url().path().to_owned(), resp.status());
    assert!(status.is_success(), "{path}: {status}");
    json_of(resp).await
}

/// Asserts the status of `resp` and returns its JSON body (null when there
/// is none).
pub async fn expect_status(resp: Response, status: u16) -> Value {
    let (path, got) = (resp.url().path().to_owned(), resp.status().as_u16());
    let text = resp.text().await.unwrap();
    assert_eq!(got, status, "{path}: {text}");
    if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap()
    }
}

/// Sends `req`, asserts its status and returns the JSON body (null when
/// there is none).
pub async fn expect(req: RequestBuilder, status: u16) -> Value {
    expect_status(send(req).await, status).await
}

/// Asserts a problem+json answer with this status and code; returns the body.
pub async fn assert_problem(resp: Response, status: u16, code: &str) -> Value {
    assert_eq!(resp.status().as_u16(), status, "unexpected status");
    let content_type = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    assert!(
        content_type.starts_with("application/problem+json"),
        "content type was {content_type}"
    );
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status);
    assert!(body["type"].as_str().unwrap().ends_with(code));
    assert!(body["title"].is_string() && body["detail"].is_string());
    body
}

/// A validation problem naming exactly `field`, with that field's `code`
/// when given.
pub async fn assert_invalid(resp: Response, field: &str, code: Option<&str>) {
    let problem = assert_problem(resp, 400, "validation_failed").await;
    assert_eq!(fields(&problem), [field], "{problem}");
    if let Some(code) = code {
        assert_eq!(problem["errors"][0]["code"], code, "{problem}");
    }
}

/// A reference in the request to nothing the caller may use: 404, naming
/// exactly `field` (never saying whether it exists for someone else).
pub async fn assert_unknown(resp: Response, field: &str) {
    let problem = assert_problem(resp, 404, "not_found").await;
    assert_eq!(fields(&problem), [field], "{problem}");
}

/// The fields named by a validation problem.
pub fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["field"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// The `Retry-After` of a refusal, in seconds.
pub fn retry_after(resp: &Response) -> u64 {
    resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}
