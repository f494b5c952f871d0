//! `fake-notion`: a stateful, in-memory fake of the Notion REST API (Notion-Version
//! 2026-12-01, 2026-03-11 and 2025-09-03) for hsn's tests, benchmarks and end-to-end runs.
//!
//! Start it in-process with [`FakeNotion::start`] (or [`FakeNotion::start_on_thread`] for
//! tests on tokio's paused clock), seed it directly with [`FakeNotion::create_data_source`]
//! and friends, point a client at the returned base url, then inspect what happened with
//! [`FakeNotion::requests`] and [`FakeNotion::page`].

mod error;
mod faults;
mod filter;
mod gate;
mod ids;
mod limits;
mod ops;
mod render;
mod routes;
mod schema;
mod seed;
mod state;
mod time;
mod values;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use serde_json::Value;

pub use faults::Fault;
pub use limits::{REASON_BLOCKED, REASON_ENDPOINT, REASON_TOKEN, REASON_WORKSPACE};

use faults::FaultEntry;
use render::{PageView, render_page};
use routes::{Shared, lock};
use state::{State, Version};

/// One HTTP request the fake received, with the status it answered (0 for a dropped connection).
#[derive(Clone, Debug)]
pub struct RequestRecord {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub status: u16,
    pub notion_version: Option<String>,
    pub body: Option<Value>,
    /// When the request reached the fake (before its body was read).
    pub received: SystemTime,
    /// When its answer was produced (handled, refused or faulted); `None` while in progress.
    /// For a dropped or delayed answer it is when the fake gave it to the connection.
    pub answered: Option<SystemTime>,
    /// The tag of a request made under `/c/{tag}/` (a client whose base url is
    /// `http://127.0.0.1:PORT/c/{tag}`), served as the path after it; `None` otherwise.
    pub client: Option<String>,
    /// `additional_data.rate_limit_reason` of a 429 the fake answered (from a limit or a
    /// [`Fault::RateLimited`]), so a test can tell which limit a client ran into.
    pub rate_limit_reason: Option<String>,
}

/// A handle on one fake workspace. Clones share the same state.
#[derive(Clone)]
pub struct FakeNotion {
    shared: Shared,
}

impl FakeNotion {
    /// A fresh, empty workspace that accepts only `Authorization: Bearer <token>`.
    pub fn new(token: &str) -> Self {
        FakeNotion {
            shared: Arc::new(Mutex::new(State::new(token))),
        }
    }

    /// Serves on 127.0.0.1:0 in the current tokio runtime; returns the base url
    /// (`http://127.0.0.1:PORT`, no trailing slash, no `/v1`).
    pub async fn start(&self) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let me = self.clone();
        tokio::spawn(async move { me.serve(listener).await });
        format!("http://{addr}")
    }

    /// Serves on 127.0.0.1:0 from a dedicated thread with its own real-clock runtime, so a
    /// test whose runtime pauses tokio's clock still gets real network timing. Returns the base url.
    pub fn start_on_thread(&self) -> String {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let addr = listener.local_addr().expect("local address");
        let me = self.clone();
        std::thread::Builder::new()
            .name("fake-notion".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .expect("tokio runtime");
                runtime.block_on(async move {
                    let listener =
                        tokio::net::TcpListener::from_std(listener).expect("tokio listener");
                    let _ = me.serve(listener).await;
                });
            })
            .expect("spawn fake-notion thread");
        format!("http://{addr}")
    }

    /// Serves on a given listener until the future is dropped or the listener fails.
    pub async fn serve(&self, listener: tokio::net::TcpListener) -> std::io::Result<()> {
        axum::serve(listener, routes::router(self.shared.clone())).await
    }

    /// Creates a database with one data source from a request-shape schema (as in
    /// `initial_data_source.properties`). Returns `(database_id, data_source_id)`.
    /// Unknown property types are accepted here, as future types seen in the wild.
    pub fn create_data_source(&self, title: &str, properties: Value) -> (String, String) {
        let mut st = lock(&self.shared);
        seed::create_data_source(&mut st, title, &properties)
    }

    /// Inserts a page from request-shape values, validated and converted as `POST /v1/pages`
    /// does. Panics on invalid input.
    pub fn insert_page(&self, data_source_id: &str, properties: Value) -> String {
        let mut st = lock(&self.shared);
        seed::insert_page(&mut st, data_source_id, &properties)
    }

    /// Inserts a page whose values are already in response shape, stored as given (for
    /// read-only and unknown types: formula, rollup, unique_id, verification, ...).
    pub fn insert_page_raw(&self, data_source_id: &str, properties: Value) -> String {
        let mut st = lock(&self.shared);
        seed::insert_page_raw(&mut st, data_source_id, &properties)
    }

    /// While `down`, every request's connection is dropped before an answer, as when the
    /// network is gone; state is kept for when it comes back.
    pub fn set_down(&self, down: bool) {
        lock(&self.shared).down = down;
    }

    /// A page at the top of the workspace, titled `title`; returns its id.
    pub fn create_workspace_page(&self, title: &str) -> String {
        let mut st = lock(&self.shared);
        seed::workspace_page(&mut st, title)
    }

    /// Makes a database and its data sources answer 404, as when it is no longer shared
    /// with the integration.
    pub fn unshare_database(&self, database_id: &str) {
        let mut st = lock(&self.shared);
        seed::unshare_database(&mut st, database_id)
    }

    /// Seeds the "Every Type" data source and one page holding a value of every type,
    /// including a relation of 30 pages. Returns `(data_source_id, page_id)`.
    pub fn seed_every_type(&self) -> (String, String) {
        let mut st = lock(&self.shared);
        seed::every_type(&mut st)
    }

    /// Every page of a data source (trashed ones too), rendered as `page` does, in creation
    /// order: test and benchmark data without HTTP.
    pub fn pages_in(&self, data_source_id: &str) -> Vec<Value> {
        let st = lock(&self.shared);
        let Some(id) = ids::normalize(data_source_id) else {
            return Vec::new();
        };
        let view = PageView {
            version: Version::V2025_09_03,
            relation_limit: None,
            parent_database: true,
            only: None,
        };
        st.pages
            .iter()
            .filter(|p| matches!(&p.parent, crate::state::PageParent::DataSource { data_source_id, .. } if *data_source_id == id))
            .map(|p| render_page(&st, p, view))
            .collect()
    }

    /// The stored page in response shape (2025-09-03 style, so with `archived` too), with
    /// complete relations and `database_id` in a data source parent.
    pub fn page(&self, page_id: &str) -> Option<Value> {
        let st = lock(&self.shared);
        let id = ids::normalize(page_id)?;
        let page = st.page(&id)?;
        let view = PageView {
            version: Version::V2025_09_03,
            relation_limit: None,
            parent_database: true,
            only: None,
        };
        Some(render_page(&st, page, view))
    }

    /// The most rows one query (a chain of cursors) returns; 10,000 by default.
    pub fn set_row_cap(&self, rows: usize) {
        lock(&self.shared).row_cap = rows;
    }

    /// While `on`, the workspace is out of free blocks (Notion's block limit): every
    /// block-creating request (`POST /v1/pages`, `POST /v1/databases`,
    /// `PATCH /v1/blocks/{id}/children`) gets 403 `restricted_resource` with
    /// `additional_data.block_limit`, and creates nothing. Reads and edits still work.
    pub fn set_block_limit(&self, on: bool) {
        lock(&self.shared).block_limit = on;
    }

    /// A fixed clock for created and edited times; `None` returns to the real clock.
    pub fn set_now(&self, now: Option<DateTime<Utc>>) {
        lock(&self.shared).fixed_now = now;
    }

    /// A server-side limit: requests beyond it get 429 `rate_limited` with `Retry-After`.
    /// The bucket holds one second's worth of requests (at least one). It is the older
    /// "three requests per second" limit, shared by every token, and is checked after the
    /// window budgets; its 429s give `rate_limit_reason` `public_api_request_rate_limit`.
    pub fn set_rate_limit(&self, requests_per_second: Option<f64>) {
        lock(&self.shared)
            .limits
            .per_second
            .set(requests_per_second);
    }

    /// Notion's 2026 per-connection limit (notes §3): at most `per_window` requests per
    /// window for each token. A token's window starts at its first served request and lasts
    /// the window length ([`set_window_length`](Self::set_window_length)); the first request
    /// after it ends starts the next. Beyond the budget: 429 `rate_limited`, reason
    /// `public_api_request_rate_limit`, `Retry-After` = whole seconds to the reset (rounded
    /// up, at least 1). Only served requests count: a 429 spends no budget. Setting it
    /// (or `None`, no limit) starts every token's window afresh.
    pub fn set_window_budget(&self, per_window: Option<u32>) {
        lock(&self.shared).limits.set_token_budget(per_window);
    }

    /// The length of every budget window; 60 s by default, as Notion's. Shorter windows let
    /// a test see a reset without waiting a minute.
    pub fn set_window_length(&self, length: Duration) {
        lock(&self.shared).limits.window = length;
    }

    /// Notion's per-workspace limit: at most `per_window` requests per window across all
    /// tokens ([`add_token`](Self::add_token)), in one window of its own. Beyond it: 429
    /// with reason `public_api_space_request_rate_limit`, even for a token within its own
    /// budget. Setting it starts the window afresh.
    pub fn set_workspace_budget(&self, per_window: Option<u32>) {
        lock(&self.shared).limits.set_workspace_budget(per_window);
    }

    /// The `Retry-After` of the workspace limit's 429s, rounded up to whole seconds: Notion
    /// may ask for more than a minute here, which a client must not cut short. `None`
    /// (the default) announces the time to the workspace window's reset.
    pub fn set_workspace_retry_after(&self, wait: Option<Duration>) {
        lock(&self.shared).limits.workspace_retry_after = wait;
    }

    /// An endpoint's own limit: at most `per_window` requests per window and per token for
    /// requests with this method (`"*"` for any) whose path starts with `path_prefix`.
    /// Beyond it: 429 with reason `public_api_endpoint_rate_limit`. Other requests neither
    /// meet nor spend it. `None` removes the limit of that method and prefix.
    pub fn set_endpoint_limit(&self, method: &str, path_prefix: &str, per_window: Option<u32>) {
        lock(&self.shared)
            .limits
            .set_endpoint(method, path_prefix, per_window);
    }

    /// While `on`, every request with a valid token gets 429 with reason
    /// `public_api_request_blocked`, with no `Retry-After` (and no `retry_after` in the
    /// body): Notion's word that retrying will not help.
    pub fn set_blocked(&self, on: bool) {
        lock(&self.shared).limits.blocked = on;
    }

    /// Accepts one more bearer token: another connection to the same workspace. Each token
    /// has its own window budget; the workspace budget spans them all.
    pub fn add_token(&self, token: &str) {
        lock(&self.shared).tokens.insert(token.to_string());
    }

    /// How many 429s the fake answered, by `rate_limit_reason` (limits and
    /// [`Fault::RateLimited`]; a `Fault::Status(429)` names no reason and is not counted).
    pub fn rate_limited_by_reason(&self) -> BTreeMap<String, u64> {
        lock(&self.shared).rate_limited.clone()
    }

    /// Sets a page's `is_archived` flag, which is not trash (notes §4): an archived page
    /// leaves default data source queries (`"is_archived": true` lists the archived ones)
    /// but is still found by id. Panics on an unknown page.
    pub fn archive_page(&self, page_id: &str, archived: bool) {
        let mut st = lock(&self.shared);
        let id = ids::normalize(page_id).unwrap_or_else(|| page_id.to_string());
        st.page_mut(&id)
            .unwrap_or_else(|| panic!("archive_page: no page {page_id}"))
            .is_archived = archived;
    }

    /// A person user of the workspace, listed by `GET /v1/users` and shown in full wherever
    /// a people, created_by or last_edited_by value names it. A person with no `name` shows
    /// `"name": null` on 2026-12-01 (notes §1) and `""` on older versions. Panics on a
    /// malformed id.
    pub fn add_person(&self, user_id: &str, name: Option<&str>) {
        let id = ids::normalize(user_id)
            .unwrap_or_else(|| panic!("add_person: {user_id} is not a uuid"));
        let mut st = lock(&self.shared);
        st.people.retain(|p| p.id != id);
        st.people.push(state::Person {
            id,
            name: name.map(str::to_string),
        });
    }

    /// A fault for the next request, whatever it is.
    pub fn push_fault(&self, fault: Fault) {
        lock(&self.shared).faults.push_back(FaultEntry {
            method: None,
            path_prefix: None,
            fault,
        });
    }

    /// A fault for the next request with this method (`"*"` for any) whose path starts with
    /// `path_prefix` (e.g. `"/v1/data_sources/"`).
    pub fn push_fault_for(&self, method: &str, path_prefix: &str, fault: Fault) {
        lock(&self.shared).faults.push_back(FaultEntry {
            method: Some(method.to_string()),
            path_prefix: Some(path_prefix.to_string()),
            fault,
        });
    }

    /// Removes every queued fault that has not fired yet; returns how many there were.
    pub fn clear_faults(&self) -> usize {
        let mut st = lock(&self.shared);
        let n = st.faults.len();
        st.faults.clear();
        n
    }

    /// Every HTTP request received so far, in order of arrival. A request still being
    /// handled shows status 0 until it is answered.
    pub fn requests(&self) -> Vec<RequestRecord> {
        lock(&self.shared).requests.clone()
    }
}
