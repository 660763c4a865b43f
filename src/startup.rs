//! Builds the HTTP application: routes, middleware and the listener.
use std::{io, time::Instant};

use anyhow::Context;

use poem::{
    get, handler,
    http::{Method, StatusCode},
    listener::TcpAcceptor,
    web::{Data, Html, Json},
    Endpoint, EndpointExt, IntoResponse, Request, Response, Route, Server,
};
use poem_openapi::error::{ParseParamError, ParsePathError};
use serde_json::json;
use tracing::Instrument;

use crate::{
    api::{
        client::TrustForwardedFor,
        errors::to_problem,
        json::JsonLimit,
        limits::{limit_request, BodyCaps},
    },
    beta, community,
    config::Config,
    error::{AppError, ErrorCode},
    events, help_groups,
    identity::{self, caller::SessionCaller},
    messages, openapi,
    platform::{
        self, db, documents::Documents, facts::Facts, gates::Gates, references::References,
    },
    privacy::{self, registry::Registries, spec::OperationPolicy},
    rewards, rights, search,
    state::AppState,
    uploads,
};

pub struct Application {
    port: u16,
    listener: tokio::net::TcpListener,
    state: AppState,
    registries: Registries,
}

/// What every area registers: its personal data, withdrawal erasers,
/// retention rules and erasure hooks. The wiring lists areas, never their
/// internals; the order of owners in an erasure comes from their stage.
pub fn registries() -> Registries {
    let mut r = Registries::default();
    privacy::register(&mut r);
    identity::register(&mut r);
    uploads::register(&mut r);
    community::register(&mut r);
    messages::register(&mut r);
    events::register(&mut r);
    help_groups::register(&mut r);
    beta::register(&mut r);
    rewards::register(&mut r);
    search::register(&mut r);
    rights::register(&mut r);
    r
}

/// What every command works in: the privacy tags checked, the backends
/// connected and migrated, the notice version published, the registries
/// built.
pub async fn context(config: Config) -> anyhow::Result<(AppState, Registries)> {
    let problems = &openapi::annotated().problems;
    if !problems.is_empty() {
        anyhow::bail!("privacy tags are broken:\n{}", problems.join("\n"));
    }
    platform::files::private_data_dir(&config.data_dir)
        .with_context(|| format!("making {} private", config.data_dir.display()))?;
    let mut state = AppState::build(config).await?;
    state.facts = Facts::new(
        messages::subscribers()
            .into_iter()
            .chain(uploads::subscribers())
            .chain(rewards::subscribers())
            .chain(community::subscribers())
            .chain(identity::subscribers())
            .collect(),
    );
    state.documents = Documents::new(vec![identity::documents(), community::documents()]);
    state.gates = Gates::new(vec![beta::gate()], community::closed_circles());
    state.references = References::new(vec![
        identity::upload_references(),
        community::upload_references(),
        messages::upload_references(state.crypto.clone()),
        events::upload_references(),
    ]);
    privacy::notice::publish(&state.db)
        .await
        .context("publishing the notice version")?;
    Ok((state, registries()))
}

impl Application {
    /// Connects the backends, migrates and binds (port 0 picks a free port).
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let (state, registries) = context(config).await?;
        if state.config.redis_url.is_some() && state.config.meili_url.is_none() {
            // Redis is how instances share state; an embedded index is one
            // per instance, and only the instance whose worker applies an
            // update has it: searches would differ from one to the next.
            tracing::warn!(
                "AGORA_REDIS_URL is set (several instances) but search is the embedded index, one per instance: \
                 their results will differ; set AGORA_MEILI_URL to share one Meilisearch"
            );
        }
        search::outbox::spawn_worker(state.clone());
        rights::purge::spawn(state.clone(), registries.clone());
        let listener = tokio::net::TcpListener::bind(state.config.listen).await?;
        let port = listener.local_addr()?.port();
        Ok(Self {
            port,
            listener,
            state,
            registries,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    pub fn registries(&self) -> &Registries {
        &self.registries
    }

    pub async fn run_until_stopped(self) -> io::Result<()> {
        let app = routes(self.state, self.registries);
        Server::new_with_acceptor(TcpAcceptor::from_tokio(self.listener)?)
            .run(app)
            .await
    }
}

/// Every route and middleware, around the shared state.
pub fn routes(state: AppState, registries: Registries) -> impl Endpoint {
    let api = openapi::service();
    let spec = openapi::spec_json();
    // The interactive docs show the annotated spec, `x-privacy` included.
    let docs = api.swagger_ui_html().replacen(&api.spec(), &spec, 1);
    let json_limit = JsonLimit(state.config.json_body_limit);
    let trust = TrustForwardedFor(if state.config.trust_forwarded_for {
        state.config.trusted_proxies
    } else {
        0
    });
    let caps = BodyCaps::from_config(&state.config);
    let limits_state = state.clone();
    let consent_state = state.clone();
    Route::new()
        .nest(openapi::BASE_PATH, api)
        .at(
            "/api/openapi.json",
            get(poem::endpoint::make_sync(move |_| {
                Response::builder()
                    .content_type("application/json")
                    .body(spec.clone())
            })),
        )
        .at(
            "/docs",
            get(poem::endpoint::make_sync(move |_| Html(docs.clone()))),
        )
        .at("/healthz", get(healthz))
        .at("/readyz", get(readyz))
        .at("/media/:key", get(uploads::media::serve))
        .at(
            "/downloads/beta-builds/:build",
            get(crate::beta::delivery::download),
        )
        .at(
            format!("{}/realtime", openapi::BASE_PATH),
            get(crate::messages::realtime::connect),
        )
        .around(move |ep, req| {
            let state = consent_state.clone();
            // Identity resolves callers; the consent middleware only uses it.
            async move { privacy::middleware::enforce(&state, &SessionCaller, ep, req).await }
        })
        .around(move |ep, req| {
            let state = limits_state.clone();
            async move { limit_request(&state, caps, ep, req).await }
        })
        .data(state)
        .data(registries)
        .data(json_limit)
        .data(trust)
        .around(observe)
}

/// A request id on every request and response, one log line per request
/// (method, path, status, time — never query strings or bodies), and every
/// error rendered as a problem.
async fn observe<E: Endpoint>(ep: E, req: Request) -> poem::Result<Response> {
    let request_id = req
        .header("x-request-id")
        .filter(|id| id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    let span = tracing::info_span!(
        "request",
        id = %request_id,
        method = %req.method(),
        path = %req.uri().path(),
    );
    let operation = req
        .uri()
        .path()
        .strip_prefix(openapi::BASE_PATH)
        .zip(privacy::spec::policies())
        .and_then(|(path, table)| {
            let method = if req.method() == Method::HEAD {
                &Method::GET
            } else {
                req.method()
            };
            table.find(method, path)
        });
    // Kept (a cheap, shared clone) for a 405's `Allow`, worked out then.
    let uri = req.uri().clone();
    async move {
        let started = Instant::now();
        let mut resp = match ep.call(req).await {
            Ok(resp) => resp.into_response(),
            Err(err) => to_problem(name_path_param(err, operation)).await,
        };
        if resp.status() == poem::http::StatusCode::METHOD_NOT_ALLOWED {
            // What a 405 lists in `Allow` (RFC 9110): the methods the path serves.
            let allow = uri
                .path()
                .strip_prefix(openapi::BASE_PATH)
                .zip(privacy::spec::policies())
                .map(|(path, table)| allow_header(table.methods_at(path)));
            if let Some(Ok(value)) = allow.as_deref().map(str::parse) {
                resp.headers_mut().insert(poem::http::header::ALLOW, value);
            }
        }
        if let Ok(value) = request_id.parse() {
            resp.headers_mut().insert("x-request-id", value);
        }
        tracing::info!(
            status = resp.status().as_u16(),
            ms = started.elapsed().as_millis() as u64,
            "request"
        );
        Ok(resp)
    }
    .instrument(span)
    .await
}

/// `GET, HEAD, POST`: a GET route answers HEAD too.
fn allow_header(methods: Vec<&Method>) -> String {
    let mut names: Vec<&str> = methods.iter().map(|m| m.as_str()).collect();
    if names.contains(&"GET") {
        names.push("HEAD");
    }
    names.sort_unstable();
    names.dedup();
    names.join(", ")
}

/// poem-openapi names path parameters `param0`, `param1`… internally; a
/// problem names the one the spec shows (`id`).
fn name_path_param(err: poem::Error, operation: Option<&OperationPolicy>) -> poem::Error {
    let (internal, reason) = match (
        err.downcast_ref::<ParsePathError>(),
        err.downcast_ref::<ParseParamError>(),
    ) {
        (Some(e), _) => (e.name, e.reason.clone()),
        (None, Some(e)) => (e.name, e.reason.clone()),
        (None, None) => return err,
    };
    let name = internal
        .strip_prefix("param")
        .and_then(|n| n.parse::<usize>().ok())
        .and_then(|n| operation?.path_params().get(n).copied());
    match name {
        Some(name) => AppError::invalid(name, "invalid_format", reason).into(),
        None => err,
    }
}

/// Alive: the process answers.
#[handler]
fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// Ready: every backend answers. 503 names what is down. `checks.tls`
/// says what protects the wire to each backend: `embedded` (no wire),
/// `off`, `unverified` or `verified`.
#[handler]
async fn readyz(state: Data<&AppState>) -> Response {
    let database = db::ping(&state.db).await;
    let cache = state.cache.ping().await;
    let search = state.search.ping().await;
    let status = |up: bool| if up { "ok" } else { "down" };
    let checks = json!({
        "database": status(database),
        "cache": status(cache),
        "cache_kind": state.cache.kind(),
        "search": status(search),
        "search_kind": state.search.kind(),
        "tls": state.tls,
    });
    let down: Vec<&str> = [("database", database), ("cache", cache), ("search", search)]
        .into_iter()
        .filter(|(_, up)| !up)
        .map(|(name, _)| name)
        .collect();
    if down.is_empty() {
        (
            StatusCode::OK,
            Json(json!({ "status": "ok", "checks": checks })),
        )
            .into_response()
    } else {
        AppError::new(ErrorCode::Unavailable, format!("down: {}", down.join(", ")))
            .with_extensions(json!({ "checks": checks }))
            .into_response()
    }
}
