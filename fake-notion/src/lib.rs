//! `fake-notion`: a stateful, in-memory fake of the Notion REST API (Notion-Version
//! 2026-03-11 and 2025-09-03) for hsn's tests, benchmarks and end-to-end runs.
//!
//! Start it in-process with [`FakeNotion::start`] (or [`FakeNotion::start_on_thread`] for
//! tests on tokio's paused clock), seed it directly with [`FakeNotion::create_data_source`]
//! and friends, point a client at the returned base url, then inspect what happened with
//! [`FakeNotion::requests`] and [`FakeNotion::page`].

mod error;
mod faults;
mod filter;
mod ids;
mod ops;
mod render;
mod routes;
mod schema;
mod seed;
mod state;
mod time;
mod values;

use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use chrono::{DateTime, Utc};
use serde_json::Value;

pub use faults::Fault;

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

    /// The stored page in response shape (2025-09-03 style, so with `archived` too), with
    /// complete relations and `database_id` in a data source parent.
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
    /// The bucket holds one second's worth of requests (at least one).
    pub fn set_rate_limit(&self, requests_per_second: Option<f64>) {
        lock(&self.shared).rate.set(requests_per_second);
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
