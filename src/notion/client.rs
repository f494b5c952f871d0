//! The endpoints hsn uses, as typed methods over the shared transport.

use std::sync::Arc;

use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use serde_json::{Value, json};

use super::config::ClientConfig;
use super::error::NotionError;
use super::http::{Request, Transport};
use super::ids::NotionId;
use super::object::{Block, DataSource, Database, ListPage, SearchResult, User};
use super::page::Page;
use super::property::PropertyValue;
use super::query::DataSourceQuery;
use super::rate::{Budget, Priority, RateStatus};

/// A Notion API client. Cheap to clone; clones share one connection pool and one rate gate,
/// so every request of the process counts against the same budget. A clone made with
/// [`NotionClient::background`] yields to the operator's requests.
#[derive(Clone)]
pub struct NotionClient {
    transport: Arc<Transport>,
    priority: Priority,
    /// Asked right before each request that changes something, on every attempt (after any
    /// wait at the gate): `false` withdraws it (`NotionError::Withdrawn`).
    may_send: Option<MaySend>,
}

/// Whether a write may still go (see [`NotionClient::guarded`]).
pub type MaySend = Arc<dyn Fn() -> bool + Send + Sync>;

impl std::fmt::Debug for NotionClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let config = self.transport.config();
        f.debug_struct("NotionClient")
            .field("base_url", &config.base_url)
            .field("version", &config.version)
            .field("priority", &self.priority)
            .finish_non_exhaustive()
    }
}

/// Where a new page goes.
#[derive(Debug, Clone)]
pub enum PageParent {
    DataSource(String),
    Page(String),
}

/// Where appended blocks go among a block's children.
#[derive(Debug, Clone)]
pub enum AppendPosition {
    Start,
    End,
    After(String),
}

/// What a search looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchObject {
    Page,
    DataSource,
}

/// Reads a list endpoint to the end, following `next_cursor` from `cursor` (`None`: from
/// the start). `first` carries no cursor of its own: each request carries exactly one.
pub(crate) async fn collect_list(
    client: &NotionClient,
    first: Request,
    mut cursor: Option<String>,
) -> Result<Vec<Value>, NotionError> {
    debug_assert!(first.query.iter().all(|(key, _)| key != "start_cursor"));
    let mut results = Vec::new();
    loop {
        let mut request = first.clone();
        if let Some(cursor) = &cursor {
            match request.body.as_mut() {
                Some(body) => body["start_cursor"] = json!(cursor),
                None => request = request.with_query("start_cursor", cursor.clone()),
            }
        }
        let page: ListPage = client.send_as(&request).await?;
        results.extend(page.results);
        match page.next_cursor.filter(|_| page.has_more) {
            Some(next) => cursor = Some(next),
            None => return Ok(results),
        }
    }
}

fn decode<V, T>(
    request: &Request,
    value: V,
    read: impl FnOnce(V) -> Result<T, serde_json::Error>,
) -> Result<T, NotionError> {
    read(value).map_err(|e| NotionError::Decode {
        request: format!("{} /v1{}", request.method, request.path),
        reason: e.to_string(),
    })
}

impl NotionClient {
    pub fn new(config: ClientConfig) -> Result<Self, NotionError> {
        Ok(NotionClient {
            transport: Arc::new(Transport::new(config)?),
            priority: Priority::Interactive,
            may_send: None,
        })
    }

    /// This client, asking `may_send` right before every request that changes something,
    /// on every attempt and after any wait for the budget: a caller that may lose the right
    /// to send (a lease another process can take over) never sends after it lost it.
    pub fn guarded(&self, may_send: MaySend) -> NotionClient {
        NotionClient {
            may_send: Some(may_send),
            ..self.clone()
        }
    }

    /// This client for background work (refreshes, syncs): it leaves the reserve of the
    /// budget to the operator's requests, which never queue behind it.
    pub fn background(&self) -> NotionClient {
        NotionClient {
            priority: Priority::Background,
            ..self.clone()
        }
    }

    /// The request budget as the gate sees it now: spent, believed, recent 429s.
    pub fn rate_status(&self) -> RateStatus {
        self.transport.gate().status()
    }

    pub fn config(&self) -> &ClientConfig {
        self.transport.config()
    }

    /// Total time requests have waited at the rate gate (the limit, and any Retry-After).
    pub fn rate_wait(&self) -> std::time::Duration {
        self.transport.gate().total_wait()
    }

    /// HTTP requests sent so far by this client and its clones, retries included.
    pub fn requests_sent(&self) -> u64 {
        self.transport.requests_sent()
    }

    pub(crate) async fn send(&self, request: &Request) -> Result<Value, NotionError> {
        self.transport
            .send(request, self.priority, self.may_send.as_ref())
            .await
    }

    pub(crate) async fn send_as<T: DeserializeOwned>(
        &self,
        request: &Request,
    ) -> Result<T, NotionError> {
        let value = self.send(request).await?;
        decode(request, value, serde_json::from_value)
    }

    /// Sends `request` and reads the answer straight from the bytes Notion sent: no
    /// intermediate JSON tree, and `RawValue`s in `T` keep their text as sent.
    pub(crate) async fn send_read<T: DeserializeOwned>(
        &self,
        request: &Request,
    ) -> Result<T, NotionError> {
        let bytes = self
            .transport
            .send_bytes(request, self.priority, self.may_send.as_ref())
            .await?;
        decode(request, &bytes, |bytes| serde_json::from_slice(bytes))
    }

    /// The integration's own bot user, with its workspace name.
    pub async fn me(&self) -> Result<User, NotionError> {
        self.send_as(&Request::get("/users/me")).await
    }

    /// Every page or data source whose title matches `query`.
    pub async fn search(
        &self,
        query: &str,
        object: Option<SearchObject>,
    ) -> Result<Vec<SearchResult>, NotionError> {
        let mut body = json!({"query": query, "page_size": 100});
        if let Some(object) = object {
            let value = match object {
                SearchObject::Page => "page",
                SearchObject::DataSource => "data_source",
            };
            body["filter"] = json!({"property": "object", "value": value});
        }
        let request = Request::read_post("/search", body);
        let results = collect_list(self, request.clone(), None).await?;
        results
            .into_iter()
            .map(|raw| match raw.get("object").and_then(Value::as_str) {
                Some("page") => {
                    decode(&request, raw, Page::from_json).map(|p| SearchResult::Page(Box::new(p)))
                }
                Some("data_source") => decode(&request, raw, DataSource::from_json)
                    .map(|d| SearchResult::DataSource(Box::new(d))),
                _ => Ok(SearchResult::Other(raw)),
            })
            .collect()
    }

    /// The pages edited most recently among those shared with the integration, newest
    /// first, in one request, and whether older ones exist. Each page holds only its title
    /// (nothing else is needed to tell what changed). Notion's search index can lag the data
    /// a little: a page edited seconds ago may show only in a later call.
    pub async fn recently_edited_pages(
        &self,
        count: usize,
    ) -> Result<(Vec<Page>, bool), NotionError> {
        let body = json!({
            "filter": {"property": "object", "value": "page"},
            "sort": {"timestamp": "last_edited_time", "direction": "descending"},
            "page_size": count.clamp(1, 100),
        });
        let request =
            Request::read_post("/search", body).with_query("filter_properties[]", "title");
        let list: ListPage = self.send_as(&request).await?;
        let pages = list
            .results
            .into_iter()
            .filter(|raw| raw.get("object").and_then(Value::as_str) == Some("page"))
            .map(|raw| decode(&request, raw, Page::from_json))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((pages, list.has_more))
    }

    pub async fn retrieve_database(&self, database_id: &str) -> Result<Database, NotionError> {
        let id = NotionId::parse(database_id)?;
        let request = Request::get(format!("/databases/{id}"));
        let value = self.send(&request).await?;
        decode(&request, value, Database::from_json)
    }

    /// Creates a database under a page with its first data source. `properties` is the
    /// schema in Notion's request shape (`{"Name": {"title": {}}, …}`).
    pub async fn create_database(
        &self,
        parent_page_id: &str,
        title: &str,
        description: &str,
        properties: Value,
    ) -> Result<Database, NotionError> {
        let parent = NotionId::parse(parent_page_id)?;
        let body = json!({
            "parent": {"type": "page_id", "page_id": parent.as_str()},
            "title": [{"type": "text", "text": {"content": title}}],
            "description": [{"type": "text", "text": {"content": description}}],
            "initial_data_source": {"properties": properties},
        });
        let request = Request::write(Method::POST, "/databases", body);
        let value = self.send(&request).await?;
        decode(&request, value, Database::from_json)
    }

    pub async fn retrieve_data_source(
        &self,
        data_source_id: &str,
    ) -> Result<DataSource, NotionError> {
        let id = NotionId::parse(data_source_id)?;
        let request = Request::get(format!("/data_sources/{id}"));
        let value = self.send(&request).await?;
        decode(&request, value, DataSource::from_json)
    }

    /// Changes a data source's schema or title. `body` is Notion's request
    /// (`{"properties": {"Old": null, "New": {"rich_text": {}}}}`).
    pub async fn update_data_source(
        &self,
        data_source_id: &str,
        body: Value,
    ) -> Result<DataSource, NotionError> {
        let id = NotionId::parse(data_source_id)?;
        let request = Request::write(Method::PATCH, format!("/data_sources/{id}"), body);
        let value = self.send(&request).await?;
        decode(&request, value, DataSource::from_json)
    }

    /// Starts a query of a data source; see [`DataSourceQuery`] for filters and paging.
    pub fn query_data_source(&self, data_source_id: &str) -> Result<DataSourceQuery, NotionError> {
        Ok(DataSourceQuery::new(
            self.clone(),
            NotionId::parse(data_source_id)?,
        ))
    }

    pub async fn create_page(
        &self,
        parent: PageParent,
        properties: Value,
    ) -> Result<Page, NotionError> {
        let parent = match parent {
            PageParent::DataSource(id) => {
                json!({"type": "data_source_id", "data_source_id": NotionId::parse(&id)?.as_str()})
            }
            PageParent::Page(id) => {
                json!({"type": "page_id", "page_id": NotionId::parse(&id)?.as_str()})
            }
        };
        let request = Request::write(
            Method::POST,
            "/pages",
            json!({"parent": parent, "properties": properties}),
        );
        self.page_from(&request).await
    }

    /// A page with every related id, even past Notion's 25 per relation.
    pub async fn retrieve_page(&self, page_id: &str) -> Result<Page, NotionError> {
        let id = NotionId::parse(page_id)?;
        self.page_from(&Request::get(format!("/pages/{id}"))).await
    }

    /// Changes the given properties of a page; the others stay as they are.
    pub async fn update_page(&self, page_id: &str, properties: Value) -> Result<Page, NotionError> {
        let id = NotionId::parse(page_id)?;
        let request = Request::write(
            Method::PATCH,
            format!("/pages/{id}"),
            json!({"properties": properties}),
        );
        self.page_from(&request).await
    }

    /// Pays at the rate gate for `requests` to go back to back (a read of a page and the
    /// write made from it): see [`NotionClient::retrieve_page_within`] and
    /// [`NotionClient::update_page_once`].
    pub async fn reserve(&self, requests: u32) -> Arc<Budget> {
        Arc::new(
            self.transport
                .gate()
                .acquire(self.priority, "PATCH /pages/{id}", requests)
                .await,
        )
    }

    /// `retrieve_page`, spending a request of `budget` (no wait at the gate), and nothing
    /// more: a relation past 25 ids stays cut (`has_more`), because completing it would
    /// put requests (and their waits at the gate) between this read and the write made
    /// from it. Complete it with [`NotionClient::complete_relations`] once that write went,
    /// or was not needed.
    pub async fn retrieve_page_within(
        &self,
        budget: &Arc<Budget>,
        page_id: &str,
    ) -> Result<Page, NotionError> {
        let id = NotionId::parse(page_id)?;
        let request = Request::get(format!("/pages/{id}")).within(budget);
        let raw: Box<RawValue> = self.send_read(&request).await?;
        decode(&request, raw, Page::from_raw)
    }

    /// `update_page` sent once, on `budget`: no wait at the gate and no retry after a
    /// wait, so nothing stands between the read it was made from and the write. A caller
    /// that meets a rate limit or a conflict reads again and remakes the write. The page
    /// comes back as Notion answered (a relation past 25 ids cut): completing it would only
    /// delay the answer.
    pub async fn update_page_once(
        &self,
        budget: &Arc<Budget>,
        page_id: &str,
        properties: Value,
    ) -> Result<Page, NotionError> {
        let id = NotionId::parse(page_id)?;
        let request = Request::write(
            Method::PATCH,
            format!("/pages/{id}"),
            json!({"properties": properties}),
        )
        .within(budget)
        .once();
        // As answered: completing a long relation would only delay the answer.
        let raw: Box<RawValue> = self.send_read(&request).await?;
        decode(&request, raw, Page::from_raw)
    }

    /// Moves a page to the trash or back, in the configured version's words.
    pub async fn set_page_trashed(
        &self,
        page_id: &str,
        trashed: bool,
    ) -> Result<Page, NotionError> {
        let id = NotionId::parse(page_id)?;
        let field = if self.config().uses_2026_shapes() {
            "in_trash"
        } else {
            "archived"
        };
        let request = Request::write(
            Method::PATCH,
            format!("/pages/{id}"),
            json!({ field: trashed }),
        );
        self.page_from(&request).await
    }

    async fn page_from(&self, request: &Request) -> Result<Page, NotionError> {
        let raw: Box<RawValue> = self.send_read(request).await?;
        let mut page = decode(request, raw, Page::from_raw)?;
        self.complete_relations(&mut page).await?;
        Ok(page)
    }

    /// Replaces every relation Notion cut at 25 ids with the whole list.
    pub async fn complete_relations(&self, page: &mut Page) -> Result<(), NotionError> {
        let cut: Vec<(String, String)> = page
            .properties
            .iter()
            .filter(|(_, p)| matches!(p.value, PropertyValue::Relation { has_more: true, .. }))
            .map(|(name, p)| (name.clone(), p.id.clone()))
            .collect();
        for (name, property_id) in cut {
            let items = self.page_property_items(&page.id, &property_id).await?;
            let ids = items
                .iter()
                .filter_map(|item| {
                    item.get("relation")?
                        .get("id")?
                        .as_str()
                        .map(str::to_string)
                })
                .collect();
            if let Some(property) = page.property_mut(&name) {
                property.value = PropertyValue::Relation {
                    ids,
                    has_more: false,
                };
            }
        }
        Ok(())
    }

    /// Every item of a paginated page property (relation, people, title, rich_text), or the
    /// single property item of any other type. `property_id` is used as Notion gave it: it is
    /// already URL-encoded.
    pub async fn page_property_items(
        &self,
        page_id: &str,
        property_id: &str,
    ) -> Result<Vec<Value>, NotionError> {
        let id = NotionId::parse(page_id)?;
        let request = Request::get(format!("/pages/{id}/properties/{property_id}"))
            .with_query("page_size", "100");
        let first = self.send(&request).await?;
        if first.get("object").and_then(Value::as_str) != Some("list") {
            return Ok(vec![first]);
        }
        let page: ListPage = decode(&request, first, serde_json::from_value)?;
        let mut items = page.results;
        if let Some(cursor) = page.next_cursor.filter(|_| page.has_more) {
            items.extend(collect_list(self, request, Some(cursor)).await?);
        }
        Ok(items)
    }

    /// Every child block of a block or page, in order.
    pub async fn list_block_children(&self, block_id: &str) -> Result<Vec<Block>, NotionError> {
        let id = NotionId::parse(block_id)?;
        let request = Request::get(format!("/blocks/{id}/children")).with_query("page_size", "100");
        let results = collect_list(self, request.clone(), None).await?;
        results
            .into_iter()
            .map(|raw| decode(&request, raw, Block::from_json))
            .collect()
    }

    /// Appends up to 100 blocks (Notion's limit per request) and returns them as created.
    pub async fn append_block_children(
        &self,
        block_id: &str,
        children: Vec<Value>,
        position: AppendPosition,
    ) -> Result<Vec<Block>, NotionError> {
        let id = NotionId::parse(block_id)?;
        let mut body = json!({"children": children});
        match (position, self.config().uses_2026_shapes()) {
            (AppendPosition::End, _) => {}
            (AppendPosition::Start, true) => body["position"] = json!({"type": "start"}),
            (AppendPosition::After(block), true) => {
                body["position"] = json!({"type": "after_block", "after_block": {"id": block}})
            }
            (AppendPosition::After(block), false) => body["after"] = json!(block),
            (AppendPosition::Start, false) => {
                return Err(NotionError::Unsupported(
                    "appending blocks at the start needs Notion-Version 2026-03-11".into(),
                ));
            }
        }
        let request = Request::write(Method::PATCH, format!("/blocks/{id}/children"), body);
        let list: ListPage = self.send_as(&request).await?;
        list.results
            .into_iter()
            .map(|raw| decode(&request, raw, Block::from_json))
            .collect()
    }
}
