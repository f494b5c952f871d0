//! The middleware every request meets first (`gate`): the request log, injected faults,
//! auth, Notion-Version, the request limits, the block limit and JSON parsing; and, for the
//! faults that act after handling, what the answer becomes.

use std::time::{Instant, SystemTime};

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State as AxState};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use serde_json::Value;

use crate::RequestRecord;
use crate::error::{ApiError, ApiResult};
use crate::faults::{
    Fault, dropped_mid_body, error_response, fault_response, take_fault, with_retry_after,
};
use crate::ids;
use crate::ops::Ctx;
use crate::routes::{Shared, lock};
use crate::state::{State, V2025, V2026, V2026_12, Version};

/// Per-request context the gate hands to handlers.
#[derive(Clone)]
pub struct ReqCtx {
    pub ctx: Ctx,
    pub request_id: String,
}

/// The tag of a request made under `/c/{tag}/` (see [`untag`]).
#[derive(Clone)]
struct ClientTag(String);

/// A request under `/c/{tag}/…` is served as `/…` and logged with `client = tag`, so a
/// test can tell its clients apart (give each a base url `http://…/c/alice-3`).
pub async fn untag(mut req: Request) -> Request {
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

/// Logs the request, then answers it with a fault, a refusal from [`admit`] or the handler.
pub async fn gate(AxState(shared): AxState<Shared>, req: Request, next: Next) -> Response {
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
            rate_limit_reason: None,
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
    let record = |status: u16, rate_limit_reason: Option<&str>| {
        let mut st = lock(&shared);
        if let Some(reason) = rate_limit_reason {
            *st.rate_limited.entry(reason.to_string()).or_default() += 1;
        }
        let r = &mut st.requests[index];
        r.status = status;
        r.answered = Some(SystemTime::now());
        r.rate_limit_reason = rate_limit_reason.map(str::to_string);
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
            record(status, f.rate_limit_reason());
            return response;
        }
        None => {}
    }

    let admitted = {
        let mut st = lock(&shared);
        let incoming = Incoming {
            method: &method,
            path: &path,
            query: query.as_deref(),
            authorization: authorization.as_deref(),
            notion_version: notion_version.as_deref(),
            parsed: parsed.as_ref(),
            body: body_value.as_ref(),
        };
        admit(&mut st, &incoming).and_then(|version| {
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
            record(response.status().as_u16(), err.rate_limit_reason());
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
    record(status, None);
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

/// What the gate knows of a request before routing it.
struct Incoming<'a> {
    method: &'a str,
    path: &'a str,
    query: Option<&'a str>,
    authorization: Option<&'a str>,
    notion_version: Option<&'a str>,
    parsed: Option<&'a Result<Value, serde_json::Error>>,
    body: Option<&'a Value>,
}

/// The checks every request passes before routing, in Notion's order: token, version,
/// request limits, JSON body, then what no endpoint accepts. A refusal may carry a
/// `Retry-After`. Limits come after the token (they are counted per token) and before
/// validation, so a request refused as invalid was served and spent budget, as on Notion.
fn admit(st: &mut State, req: &Incoming) -> Result<Version, (ApiError, Option<u64>)> {
    let token = req
        .authorization
        .and_then(|a| a.strip_prefix("Bearer "))
        .filter(|t| st.tokens.contains(*t))
        .ok_or_else(|| {
            (
                ApiError::new(401, "unauthorized", "API token is invalid."),
                None,
            )
        })?;
    let Some(raw_version) = req.notion_version else {
        let msg = "Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`.";
        return Err((ApiError::new(400, "missing_version", msg), None));
    };
    let version = Version::parse(raw_version).ok_or_else(|| {
        let msg = format!(
            "Notion-Version header failed validation: this fake speaks `{V2025}`, `{V2026}` and `{V2026_12}`, instead was `{raw_version}`."
        );
        (ApiError::validation(msg), None)
    })?;
    st.limits
        .admit(token, req.method, req.path, Instant::now())
        .map_err(|r| {
            (
                ApiError::rate_limited_because(r.reason, r.retry_after),
                r.retry_after,
            )
        })?;
    if let Some(Err(_)) = req.parsed {
        return Err((ApiError::invalid_json(), None));
    }
    if !version.shows_archived()
        && let Some(archived) = req.body.and_then(|b| b.get("archived"))
    {
        let msg = format!(
            "body failed validation: body.archived should be not present, instead was `{archived}`. Use `in_trash` (Notion-Version 2026-03-11 and later)."
        );
        return Err((ApiError::validation(msg), None));
    }
    single_valued_query(req.query).map_err(|e| (e, None))?;
    Ok(version)
}

/// Pagination parameters must appear once in a query string. Notion refuses a repeated
/// `start_cursor` rather than picking one: a client that appends a cursor to a request
/// already carrying one would otherwise be served the same page forever.
fn single_valued_query(query: Option<&str>) -> ApiResult<()> {
    let pairs = ids::query_pairs(query);
    for key in ["start_cursor", "page_size"] {
        let values: Vec<&str> = pairs
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect();
        if values.len() > 1 {
            return Err(ApiError::validation(format!(
                "query failed validation: query.{key} should be defined once, instead was `{}`.",
                Value::from(values)
            )));
        }
    }
    Ok(())
}
