//! The axum router. Every request passes the middleware in `gate` first; handlers are
//! thin: they lock the state and call into `ops`.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::extract::{Path, State as AxState};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde_json::Value;

use crate::error::{ApiError, ApiResult};
use crate::faults::error_response;
use crate::gate::{ReqCtx, gate, untag};
use crate::ops::{self, Ctx};
use crate::state::State;

pub type Shared = Arc<Mutex<State>>;

/// The state lock; a panic in another request must not wedge the fake.
pub fn lock(shared: &Shared) -> MutexGuard<'_, State> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

type Req = Extension<ReqCtx>;

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
async fn invalid_url(Extension(rc): Req) -> Response {
    respond(Err(ApiError::invalid_url()), &rc.request_id)
}

async fn users_me(AxState(s): AxState<Shared>, Extension(rc): Req) -> Response {
    run(&s, &rc, |st, _| Ok(ops::search::bot_user(st)))
}

async fn users_list(AxState(s): AxState<Shared>, Extension(rc): Req) -> Response {
    run(&s, &rc, |st, ctx| ops::search::users(st, ctx))
}

async fn user_get(
    AxState(s): AxState<Shared>,
    Extension(rc): Req,
    Path(id): Path<String>,
) -> Response {
    run(&s, &rc, |st, ctx| ops::search::user(st, ctx, &id))
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
