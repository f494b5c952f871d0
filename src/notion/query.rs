//! Querying a data source to the end.
//!
//! A query follows every `next_cursor`. Notion also stops any one query at 10,000 rows
//! (`request_status.type == "incomplete"`); past that, the query continues in windows of
//! `created_time` (stable, unlike `last_edited_time`), each starting at the newest creation
//! minute seen so far, with rows already handed out skipped. Nothing partial is ever handed
//! out as complete: either every row comes back, or an error says why not.

use std::collections::HashSet;

use chrono::{DateTime, SecondsFormat, Utc};
use futures::{Stream, TryStreamExt};
use serde_json::value::RawValue;
use serde_json::{Value, json};

use super::client::NotionClient;
use super::error::NotionError;
use super::http::Request;
use super::ids::NotionId;
use super::object::ListPage;
use super::page::Page;

/// Notion's largest page of results.
const MAX_PAGE_SIZE: usize = 100;

/// A query of one data source, read batch by batch (one request per batch).
pub struct DataSourceQuery {
    client: NotionClient,
    data_source: NotionId,
    filter: Option<Value>,
    sorts: Vec<Value>,
    filter_properties: Vec<String>,
    archived: bool,
    limit: Option<usize>,
    page_size: usize,
    cursor: Option<String>,
    /// Set once the row cap was hit: the `created_time` the current window starts at
    /// (`Some(None)` for a window from the very beginning).
    window: Option<Option<DateTime<Utc>>>,
    /// The newest creation time among the rows of the current chain of cursors.
    chain_newest: Option<DateTime<Utc>>,
    seen: HashSet<String>,
    returned: usize,
    done: bool,
    requests: usize,
}

impl DataSourceQuery {
    pub(crate) fn new(client: NotionClient, data_source: NotionId) -> Self {
        DataSourceQuery {
            client,
            data_source,
            filter: None,
            sorts: Vec::new(),
            filter_properties: Vec::new(),
            archived: false,
            limit: None,
            page_size: MAX_PAGE_SIZE,
            cursor: None,
            window: None,
            chain_newest: None,
            seen: HashSet::new(),
            returned: 0,
            done: false,
            requests: 0,
        }
    }

    /// A Notion filter object (`{"property": "Status", "status": {"equals": "Active"}}`).
    pub fn filter(mut self, filter: Value) -> Self {
        self.filter = Some(filter);
        self
    }

    /// Notion sort objects, most significant first.
    pub fn sorts(mut self, sorts: Vec<Value>) -> Self {
        self.sorts = sorts;
        self
    }

    /// Only these properties (names or ids) come back: smaller, faster answers.
    pub fn filter_properties(mut self, properties: Vec<String>) -> Self {
        self.filter_properties = properties;
        self
    }

    /// Only the archived pages (Notion leaves them out of a query unless asked).
    pub fn archived(mut self) -> Self {
        self.archived = true;
        self
    }

    /// Rows per request, at most 100.
    pub fn page_size(mut self, size: usize) -> Self {
        self.page_size = size.clamp(1, MAX_PAGE_SIZE);
        self
    }

    /// Stops after this many rows.
    pub fn limit(mut self, rows: usize) -> Self {
        self.limit = Some(rows);
        self
    }

    /// Requests made so far.
    pub fn requests(&self) -> usize {
        self.requests
    }

    /// The next batch of pages, or `None` once every row was returned. Relations past 25
    /// are completed before a page is handed out.
    pub async fn next_batch(&mut self) -> Result<Option<Vec<Page>>, NotionError> {
        while !self.done {
            let batch = self.fetch().await?;
            if !batch.is_empty() {
                return Ok(Some(batch));
            }
        }
        Ok(None)
    }

    /// Every remaining page.
    pub async fn collect_all(mut self) -> Result<Vec<Page>, NotionError> {
        let mut pages = Vec::new();
        while let Some(batch) = self.next_batch().await? {
            pages.extend(batch);
        }
        Ok(pages)
    }

    /// The pages one by one, as a stream.
    pub fn into_stream(self) -> impl Stream<Item = Result<Page, NotionError>> {
        futures::stream::try_unfold(self, |mut query| async move {
            let batch = query.next_batch().await?;
            Ok::<_, NotionError>(batch.map(|batch| (batch, query)))
        })
        .map_ok(|batch| futures::stream::iter(batch.into_iter().map(Ok)))
        .try_flatten()
    }

    fn remaining(&self) -> usize {
        self.limit.map_or(usize::MAX, |limit| limit - self.returned)
    }

    fn request(&self) -> Request {
        let mut body = json!({"page_size": self.page_size.min(self.remaining())});
        let window_filter = self.window.flatten().map(|start| {
            let start = start.to_rfc3339_opts(SecondsFormat::Millis, true);
            json!({"timestamp": "created_time", "created_time": {"on_or_after": start}})
        });
        let filter = match (self.filter.clone(), window_filter) {
            (None, None) => None,
            (Some(filter), None) => Some(filter),
            (None, Some(window)) => Some(window),
            // Extend a top-level `and` rather than nest it: Notion limits filter depth.
            (Some(mut filter), Some(window)) => {
                match filter.get_mut("and").and_then(Value::as_array_mut) {
                    Some(all) => {
                        all.push(window);
                        Some(filter)
                    }
                    None => Some(json!({"and": [filter, window]})),
                }
            }
        };
        if let Some(filter) = filter {
            body["filter"] = filter;
        }
        // Windows need rows in creation order; without a requested order, use it from the
        // start so the first window is one too.
        let by_creation = json!([{"timestamp": "created_time", "direction": "ascending"}]);
        if self.window.is_some() || self.sorts.is_empty() {
            body["sorts"] = by_creation;
        } else {
            body["sorts"] = json!(self.sorts);
        }
        if let Some(cursor) = &self.cursor {
            body["start_cursor"] = json!(cursor);
        }
        if self.archived {
            body["is_archived"] = json!(true);
        }
        let mut request =
            Request::read_post(format!("/data_sources/{}/query", self.data_source), body);
        for property in &self.filter_properties {
            request = request.with_query("filter_properties[]", property.clone());
        }
        request
    }

    async fn fetch(&mut self) -> Result<Vec<Page>, NotionError> {
        let request = self.request();
        self.requests += 1;
        // Each row is kept as the text Notion sent: the page's raw JSON at no extra cost.
        let list: ListPage<Box<RawValue>> = self.client.send_read(&request).await?;
        let mut batch = Vec::new();
        let cursor = list.next_cursor.clone().filter(|_| list.has_more);
        let incomplete = list.is_incomplete();
        for raw in list.results {
            let page = Page::from_listed(raw).map_err(|e| NotionError::Decode {
                request: format!("POST /v1/data_sources/{}/query", self.data_source),
                reason: e.to_string(),
            })?;
            // Wiki data sources can list data sources among their rows.
            let Some(mut page) = page else {
                continue;
            };
            self.chain_newest = self.chain_newest.max(Some(page.created_time));
            if !self.seen.insert(page.id.clone()) || self.remaining() == batch.len() {
                continue;
            }
            self.client.complete_relations(&mut page).await?;
            batch.push(page);
        }
        self.returned += batch.len();
        self.cursor = cursor;
        if self.remaining() == 0 {
            self.done = true;
        } else if self.cursor.is_none() {
            if incomplete {
                self.next_window()?;
            } else {
                self.done = true;
            }
        }
        Ok(batch)
    }

    /// The row cap was hit: start the next `created_time` window.
    fn next_window(&mut self) -> Result<(), NotionError> {
        let newest = self.chain_newest.take();
        let next = match self.window {
            // First time at the cap, rows in a requested order: the rows seen are scattered
            // over time, so windows start over from the beginning, skipping them.
            None if !self.sorts.is_empty() => None,
            // Otherwise the rows came in creation order: carry on from the newest minute.
            _ => match newest {
                Some(newest) => Some(newest),
                None => return Err(self.window_exhausted(None)),
            },
        };
        // A whole window inside one minute: Notion cannot give us the rest.
        if self.window.flatten().is_some() && self.window.flatten() == next {
            return Err(self.window_exhausted(next));
        }
        self.window = Some(next);
        Ok(())
    }

    fn window_exhausted(&self, minute: Option<DateTime<Utc>>) -> NotionError {
        NotionError::QueryWindowExhausted {
            data_source: self.data_source.to_string(),
            rows: self.seen.len(),
            minute: minute.map(|m| m.to_rfc3339()).unwrap_or_default(),
        }
    }
}
