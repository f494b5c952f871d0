//! The axum router. A middleware (`gate`) does what every request meets first: the
//! request log, injected faults, auth, Notion-Version, the rate limit, the block limit and
//! JSON parsing; and, for the faults that act after handling, what the answer becomes.
//! Handlers are thin: they lock the state and call into `ops`.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::SystemTime;

use axum::body::{Body, to_bytes};
use axum::extract::{Path, Request, State as AxState};
use axum::http::HeaderValue;
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde_json::Value;

use crate::RequestRecord;
use crate::error::{ApiError, ApiResult};
use crate::faults::{
    Fault, dropped_mid_body, error_response, fault_response, take_fault, with_retry_after,
};
use crate::ids;
use crate::ops::{self, Ctx};
use crate::state::{State, V2025, V2026, Version};

pub type Shared = Arc<Mutex<State>>;

/// The state lock; a panic in another request must not wedge the fake.
pub fn lock(shared: &Shared) -> MutexGuard<'_, State> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Per-request context the gate hands to handlers.
#[derive(Clone)]
struct ReqCtx {
    ctx: Ctx,
    request_id: String,
}

type Req = Extension<ReqCtx>;

/// The tag of a request made under `/c/{tag}/` (see [`untag`]).
#[derive(Clone)]
struct ClientTag(String);

/// A request under `/c/{tag}/…` is served as `/…` and logged with `client = tag`, so a
/// test can tell its clients apart (give each a base url `http://…/c/alice-3`).
async fn untag(mut req: Request) -> Request {
    let Some((tag, rest)) = req
        .uri()
        .path()
        .strip_prefix("/c/")
        .and_then(|p| p.split_once('/'))
        .map(|(tag, rest)| (tag.to_string(), rest.to_string()))
    else {
        return req;
    };
    let target = match req.uri().query() {
        Some(q) => format!("/{rest}?{q}"),
        None => format!("/{rest}"),
    };
    let mut parts = req.uri().clone().into_parts();
    if let Ok(path_and_query) = target.parse() {
        parts.path_and_query = Some(path_and_query);
        if let Ok(uri) = axum::http::Uri::from_parts(parts) {
            *req.uri_mut() = uri;
            req.extensions_mut().insert(ClientTag(tag));
        }
    }
    req
}

pub fn router(shared: Shared) -> Router {
    // The tag comes off before routing: an outer router whose only route is the API.
    Router::new()
        .fallback_service(api(shared))
        .layer(axum::middleware::map_request(untag))
}

fn api(shared: Shared) -> Router {
    Router::new()
        .route("/v1/users/me", get(users_me))
        .route("/v1/users", get(users_list))
        .route("/v1/users/{id}", get(user_get))
        .route("/v1/search", post(search))
        .route("/v1/databases", post(database_create))
        .route(
            "/v1/databases/{id}",
            get(database_get).patch(database_update),
        )
        .route("/v1/data_sources", post(data_source_create))
        .route(
            "/v1/data_sources/{id}",
            get(data_source_get).patch(data_source_update),
        )
        .route("/v1/data_sources/{id}/query", post(data_source_query))
        .route("/v1/pages", post(page_create))
        .route("/v1/pages/{id}", get(page_get).patch(page_update))
        .route(
            "/v1/pages/{id}/properties/{property_id}",
            get(property_item),
        )
        .route("/v1/blocks/{id}", get(block_get))
        .route(
            "/v1/blocks/{id}/children",
            get(children_list).patch(children_append),
        )
        .fallback(invalid_url)
        .method_not_allowed_fallback(invalid_url)
        .layer(from_fn_with_state(shared.clone(), gate))
        .with_state(shared)
}

fn respond(result: ApiResult, request_id: &str) -> Response {
    match result {
        Ok(mut body) => {
            if let Some(obj) = body.as_object_mut() {
                obj.insert("request_id".into(), Value::String(request_id.into()));
            }
            Json(body).into_response()
        }
        Err(e) => error_response(&e, request_id),
    }
}

fn run(shared: &Shared, rc: &ReqCtx, f: impl FnOnce(&mut State, &Ctx) -> ApiResult) -> Response {
    let result = f(&mut lock(shared), &rc.ctx);
    respond(result, &rc.request_id)
}

async fn gate(AxState(shared): AxState<Shared>, req: Request, next: Next) -> Response {
    let received = SystemTime::now();
    let request_id = ids::new_id();
    let (parts, body) = req.into_parts();
    let method = parts.method.as_str().to_string();
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().map(str::to_string);
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let notion_version = header("notion-version");
    let authorization = header("authorization");
    let client = parts.extensions.get::<ClientTag>().map(|t| t.0.clone());
    let bytes = to_bytes(body, 16 * 1024 * 1024).await.unwrap_or_default();
    let parsed: Option<Result<Value, _>> =
        (!bytes.iter().all(u8::is_ascii_whitespace)).then(|| serde_json::from_slice(&bytes));
    let body_value = parsed.as_ref().and_then(|p| p.as_ref().ok()).cloned();

    let (index, fault) = {
        let mut st = lock(&shared);
        st.requests.push(RequestRecord {
            method: method.clone(),
            path: path.clone(),
            query: query.clone(),
            status: 0,
            notion_version: notion_version.clone(),
            body: body_value.clone(),
            received,
            answered: None,
            client,
        });
        let index = st.requests.len() - 1;
        // While "down", every connection dies, as when the network is gone.
        let fault = if st.down {
            Some(Fault::DropConnection)
        } else {
            take_fault(&mut st.faults, &method, &path)
        };
        (index, fault)
    };
    let record = |status: u16| {
        let mut st = lock(&shared);
        let r = &mut st.requests[index];
        r.status = status;
        r.answered = Some(SystemTime::now());
    };

    let mut after = None;
    match fault {
        Some(Fault::Delay(d)) => tokio::time::sleep(d).await,
        Some(f) if f.after_apply() => after = Some(f),
        Some(f) => {
            let response =
                fault_response(&f, &request_id).expect("a fault answered before handling");
            let status = if matches!(f, Fault::DropConnection) {
                0
            } else {
                response.status().as_u16()
            };
            record(status);
            return response;
        }
        None => {}
    }

    let admitted = {
        let mut st = lock(&shared);
        admit(
            &mut st,
            authorization.as_deref(),
            notion_version.as_deref(),
            parsed.as_ref(),
            body_value.as_ref(),
        )
        .and_then(|version| {
            if st.block_limit && creates_blocks(&method, &path) {
                Err((ApiError::block_limit(), None))
            } else {
                Ok(version)
            }
        })
    };
    let version = match admitted {
        Ok(v) => v,
        Err((err, retry_after)) => {
            let mut response = error_response(&err, &request_id);
            if let Some(secs) = retry_after {
                response = with_retry_after(response, secs);
            }
            record(response.status().as_u16());
            return response;
        }
    };

    let mut req = Request::from_parts(parts, Body::from(bytes));
    req.extensions_mut().insert(ReqCtx {
        ctx: Ctx {
            version,
            query,
            body: body_value.unwrap_or(Value::Null),
        },
        request_id: request_id.clone(),
    });
    let mut response = next.run(req).await;
    if let Some(f) = &after {
        response = spoil(f, response, &path, &request_id).await;
    }
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-notion-request-id", v);
    }
    let status = if matches!(after, Some(Fault::DropAfterApply)) {
        0
    } else {
        response.status().as_u16()
    };
    record(status);
    response
}

/// Requests that create blocks, which a workspace out of free blocks refuses: page and
/// database creation (a page is a block) and appending children.
fn creates_blocks(method: &str, path: &str) -> bool {
    let path = path.trim_end_matches('/');
    match method {
        "POST" => path == "/v1/pages" || path == "/v1/databases",
        "PATCH" => path.starts_with("/v1/blocks/") && path.ends_with("/children"),
        _ => false,
    }
}

/// The answer of a request that was handled (and applied), as an after-apply fault turns it.
async fn spoil(fault: &Fault, response: Response, path: &str, request_id: &str) -> Response {
    let (parts, body) = response.into_parts();
    let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
    match fault {
        Fault::DropAfterApply => {
            let text = String::from_utf8_lossy(&bytes);
            let cut = text
                .char_indices()
                .nth(text.chars().count() / 2)
                .map_or(0, |(i, _)| i);
            dropped_mid_body(parts.status, &text[..cut])
        }
        Fault::CommittedUnavailable if parts.status.is_success() => {
            let answer: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            error_response(&committed_error(&answer, path), request_id)
        }
        _ => Response::from_parts(parts, Body::from(bytes)),
    }
}

/// The 503 for a saved write: the object in the handler's answer, or for appended children
/// the parent (from the path) and the new children.
fn committed_error(answer: &Value, path: &str) -> ApiError {
    let id = |v: &Value| v["id"].clone();
    if answer["object"] == "list" {
        let parent = path
            .trim_end_matches('/')
            .trim_end_matches("/children")
            .rsplit('/')
            .next()
            .and_then(ids::normalize)
            .map_or(Value::Null, Value::String);
        let children: Vec<Value> = answer["results"]
            .as_array()
            .map(|r| r.iter().map(id).collect())
            .unwrap_or_default();
        ApiError::committed_unavailable(&[
            ("committed_resource_id", parent),
            ("committed_child_ids", Value::Array(children)),
        ])
    } else {
        ApiError::committed_unavailable(&[("committed_resource_id", id(answer))])
    }
}

/// The checks every request passes before routing, in Notion's order: token, version,
/// rate limit, JSON body. A refusal may carry a `Retry-After`.
fn admit(
    st: &mut State,
    authorization: Option<&str>,
    notion_version: Option<&str>,
    parsed: Option<&Result<Value, serde_json::Error>>,
    body: Option<&Value>,
) -> Result<Version, (ApiError, Option<u64>)> {
    if authorization != Some(format!("Bearer {}", st.token).as_str()) {
        return Err((
            ApiError::new(401, "unauthorized", "API token is invalid."),
            None,
        ));
    }
    let Some(raw_version) = notion_version else {
        let msg = "Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`.";
        return Err((ApiError::new(400, "missing_version", msg), None));
    };
    let version = Version::parse(raw_version).ok_or_else(|| {
        let msg = format!(
            "Notion-Version header failed validation: this fake speaks `{V2025}` and `{V2026}`, instead was `{raw_version}`."
        );
        (ApiError::validation(msg), None)
    })?;
    st.rate
        .check()
        .map_err(|secs| (ApiError::rate_limited(secs), Some(secs)))?;
    if let Some(Err(_)) = parsed {
        return Err((ApiError::invalid_json(), None));
    }
    if version == Version::V2026_03_11
        && let Some(archived) = body.and_then(|b| b.get("archived"))
    {
        let msg = format!(
            "body failed validation: body.archived should be not present, instead was `{archived}`. Use `in_trash` (Notion-Version 2026-03-11)."
        );
        return Err((ApiError::validation(msg), None));
    }
    Ok(version)
}

async fn invalid_url(Extension(rc): Req) -> Response {
    respond(Err(ApiError::invalid_url()), &rc.request_id)
}

async fn users_me(AxState(s): AxState<Shared>, Extension(rc): Req) -> Response {
    run(&s, &rc, |st, _| Ok(ops::search::bot_user(st)))
}

async fn users_list(AxState(s): AxState<Shared>, Extension(rc): Req) -> Response {
    run(&s, &rc, |st, _| ops::search::users(st))
}

async fn user_get(
    AxState(s): AxState<Shared>,
    Extension(rc): Req,
    Path(id): Path<String>,
) -> Response {
    run(&s, &rc, |st, _| ops::search::user(st, &id))
}

async fn search(AxState(s): AxState<Shared>, Extension(rc): Req) -> Response {
    run(&s, &rc, ops::search::search)
}

async fn database_create(AxState(s): AxState<Shared>, Extension(rc): Req) -> Response {
    run(&s, &rc, ops::databases::create_database)
}

async fn database_get(
    AxState(s): AxState<Shared>,
    Extension(rc): Req,
    Path(id): Path<String>,
) -> Response {
    run(&s, &rc, |st, ctx| {
        ops::databases::retrieve_database(st, ctx, &id)
    })
}

async fn database_update(
    AxState(s): AxState<Shared>,
    Extension(rc): Req,
    Path(id): Path<String>,
) -> Response {
    run(&s, &rc, |st, ctx| {
        ops::databases::update_database(st, ctx, &id)
    })
}

async fn data_source_create(AxState(s): AxState<Shared>, Extension(rc): Req) -> Response {
    run(&s, &rc, ops::databases::create_data_source)
}

async fn data_source_get(
    AxState(s): AxState<Shared>,
    Extension(rc): Req,
    Path(id): Path<String>,
) -> Response {
    run(&s, &rc, |st, ctx| {
        ops::databases::retrieve_data_source(st, ctx, &id)
    })
}

async fn data_source_update(
    AxState(s): AxState<Shared>,
    Extension(rc): Req,
    Path(id): Path<String>,
) -> Response {
    run(&s, &rc, |st, ctx| {
        ops::databases::update_data_source(st, ctx, &id)
    })
}

async fn data_source_query(
    AxState(s): AxState<Shared>,
    Extension(rc): Req,
    Path(id): Path<String>,
) -> Response {
    run(&s, &rc, |st, ctx| ops::databases::query(st, ctx, &id))
}

async fn page_create(AxState(s): AxState<Shared>, Extension(rc): Req) -> Response {
    run(&s, &rc, ops::pages::create)
}

async fn page_get(
    AxState(s): AxState<Shared>,
    Extension(rc): Req,
    Path(id): Path<String>,
) -> Response {
    run(&s, &rc, |st, ctx| ops::pages::retrieve(st, ctx, &id))
}

async fn page_update(
    AxState(s): AxState<Shared>,
    Extension(rc): Req,
    Path(id): Path<String>,
) -> Response {
    run(&s, &rc, |st, ctx| ops::pages::update(st, ctx, &id))
}

/// `Path` decodes the property id once, which is what the id in the schema is encoded for.
async fn property_item(
    AxState(s): AxState<Shared>,
    Extension(rc): Req,
    Path((id, property_id)): Path<(String, String)>,
) -> Response {
    run(&s, &rc, |st, ctx| {
        ops::pages::property_item(st, ctx, &id, &property_id)
    })
}

async fn block_get(
    AxState(s): AxState<Shared>,
    Extension(rc): Req,
    Path(id): Path<String>,
) -> Response {
    run(&s, &rc, |st, ctx| ops::blocks::retrieve(st, ctx, &id))
}

async fn children_list(
    AxState(s): AxState<Shared>,
    Extension(rc): Req,
    Path(id): Path<String>,
) -> Response {
    run(&s, &rc, |st, ctx| ops::blocks::list_children(st, ctx, &id))
}

async fn children_append(
    AxState(s): AxState<Shared>,
    Extension(rc): Req,
    Path(id): Path<String>,
) -> Response {
    run(&s, &rc, |st, ctx| {
        ops::blocks::append_children(st, ctx, &id)
    })
}
