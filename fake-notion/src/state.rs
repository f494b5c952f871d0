//! The in-memory workspace: databases, data sources, pages, blocks, plus the
//! server-side bookkeeping (cursors, clock, faults, request log).

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::RequestRecord;
use crate::error::{ApiError, ApiResult};
use crate::faults::FaultEntry;
use crate::ids;
use crate::limits::Limits;
use crate::time::floor_minute;

pub const V2025: &str = "2025-09-03";
pub const V2026: &str = "2026-03-11";
pub const V2026_12: &str = "2026-12-01";

/// The Notion-Version of a request. 2026-03-11 renamed `archived` to `in_trash` and
/// replaced `after` with `position`; 2026-12-01 keeps those shapes and lists pages with the
/// title only, and may give a person no name (notion-api-notes §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    V2025_09_03,
    V2026_03_11,
    V2026_12_01,
}

impl Version {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            V2025 => Some(Version::V2025_09_03),
            V2026 => Some(Version::V2026_03_11),
            V2026_12 => Some(Version::V2026_12_01),
            _ => None,
        }
    }

    /// 2025-09-03 responses carry the legacy `archived` beside `in_trash`.
    pub fn shows_archived(self) -> bool {
        self == Version::V2025_09_03
    }

    /// Without `filter_properties`, Search and Query show only each page's title.
    pub fn lists_title_only(self) -> bool {
        self == Version::V2026_12_01
    }

    /// A person without a name shows `"name": null` rather than `""`.
    pub fn null_person_names(self) -> bool {
        self == Version::V2026_12_01
    }
}

/// A person user of the workspace (`FakeNotion::add_person`).
#[derive(Debug, Clone)]
pub struct Person {
    pub id: String,
    pub name: Option<String>,
}

/// One property of a data source schema. `id` is kept URL-encoded, as Notion sends it.
#[derive(Debug, Clone)]
pub struct PropSchema {
    pub id: String,
    pub name: String,
    pub description: Value,
    pub kind: String,
    /// The type's configuration in response shape (`{"options":[...]}`, `{"format":"dollar"}`...).
    pub config: Value,
}

/// A property by name, by its stored (encoded) id, or by its decoded id.
pub fn prop_index(props: &[PropSchema], key: &str) -> Option<usize> {
    props
        .iter()
        .position(|p| p.name == key)
        .or_else(|| props.iter().position(|p| p.id == key))
        .or_else(|| {
            props
                .iter()
                .position(|p| ids::percent_decode(&p.id, false) == key)
        })
}

#[derive(Debug, Clone)]
pub struct Database {
    pub id: String,
    pub title: Value,
    pub description: Value,
    pub parent: Value,
    pub is_inline: bool,
    pub in_trash: bool,
    pub icon: Value,
    pub cover: Value,
    pub created: DateTime<Utc>,
    pub edited: DateTime<Utc>,
    pub data_sources: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct DataSource {
    pub id: String,
    pub database_id: String,
    pub seq: u64,
    pub title: Value,
    pub description: Value,
    pub icon: Value,
    pub props: Vec<PropSchema>,
    pub created: DateTime<Utc>,
    pub edited: DateTime<Utc>,
    pub in_trash: bool,
    /// Every page gets the next number at creation; `unique_id` properties show it.
    pub next_unique: u64,
}

impl DataSource {
    /// A property by name, by its stored (encoded) id, or by its decoded id.
    pub fn prop_index(&self, key: &str) -> Option<usize> {
        prop_index(&self.props, key)
    }

    pub fn prop(&self, key: &str) -> Option<&PropSchema> {
        self.prop_index(key).map(|i| &self.props[i])
    }

    /// The id of the title property, as a `filter_properties` list of one.
    pub fn title_ids(&self) -> Vec<String> {
        self.props
            .iter()
            .filter(|p| p.kind == "title")
            .map(|p| p.id.clone())
            .collect()
    }

    pub fn plain_title(&self) -> String {
        crate::values::plain_text(&self.title)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum PageParent {
    DataSource {
        data_source_id: String,
        database_id: String,
    },
    Page(String),
    Workspace,
}

#[derive(Debug, Clone)]
pub struct Page {
    pub id: String,
    pub seq: u64,
    pub parent: PageParent,
    /// Values in response shape (the part under the type key), keyed by property id.
    /// Relations hold every id; the 25-item cut happens when rendering.
    pub props: HashMap<String, Value>,
    /// Raw envelopes for names the schema does not know (seeded with `insert_page_raw`).
    pub extra: Vec<(String, Value)>,
    pub created: DateTime<Utc>,
    pub edited: DateTime<Utc>,
    pub in_trash: bool,
    pub is_archived: bool,
    pub is_locked: bool,
    pub icon: Value,
    pub cover: Value,
    pub unique_number: u64,
}

#[derive(Debug, Clone)]
pub struct Block {
    pub id: String,
    /// `("page_id" | "block_id", id)`.
    pub parent: (&'static str, String),
    pub kind: String,
    pub content: Value,
    pub created: DateTime<Utc>,
    pub edited: DateTime<Utc>,
    pub in_trash: bool,
}

/// Where an opaque cursor continues: the same listing (`scope`) from `offset`.
#[derive(Debug, Clone)]
pub struct Cursor {
    pub scope: String,
    pub offset: usize,
}

pub struct State {
    /// Every accepted bearer token: one per connection, all in this one workspace.
    pub tokens: BTreeSet<String>,
    pub bot_id: String,
    pub workspace_id: String,
    pub databases: HashMap<String, Database>,
    pub data_sources: HashMap<String, DataSource>,
    pub pages: Vec<Page>,
    pub page_index: HashMap<String, usize>,
    pub blocks: HashMap<String, Block>,
    pub children: HashMap<String, Vec<String>>,
    pub cursors: HashMap<String, Cursor>,
    seq: u64,
    prop_seq: u64,
    pub row_cap: usize,
    pub fixed_now: Option<DateTime<Utc>>,
    pub limits: Limits,
    /// 429s answered, by `rate_limit_reason`.
    pub rate_limited: BTreeMap<String, u64>,
    pub people: Vec<Person>,
    pub faults: VecDeque<FaultEntry>,
    pub requests: Vec<RequestRecord>,
    /// Every request fails with a dropped connection (`FakeNotion::set_down`).
    pub down: bool,
    /// The workspace is out of free blocks: block-creating requests get 403
    /// (`FakeNotion::set_block_limit`).
    pub block_limit: bool,
}

impl State {
    pub fn new(token: &str) -> Self {
        State {
            tokens: BTreeSet::from([token.to_string()]),
            bot_id: ids::new_id(),
            workspace_id: ids::new_id(),
            databases: HashMap::new(),
            data_sources: HashMap::new(),
            pages: Vec::new(),
            page_index: HashMap::new(),
            blocks: HashMap::new(),
            children: HashMap::new(),
            cursors: HashMap::new(),
            seq: 0,
            prop_seq: 0,
            row_cap: 10_000,
            fixed_now: None,
            limits: Limits::default(),
            rate_limited: BTreeMap::new(),
            people: Vec::new(),
            faults: VecDeque::new(),
            requests: Vec::new(),
            down: false,
            block_limit: false,
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.fixed_now.unwrap_or_else(Utc::now)
    }

    /// Pages and blocks store the minute-rounded time, as Notion does.
    pub fn now_minute(&self) -> DateTime<Utc> {
        floor_minute(self.now())
    }

    /// Creation order across every kind of object.
    pub fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// A property id not yet used in `ds`.
    pub fn new_prop_id(&mut self, taken: &[PropSchema]) -> String {
        loop {
            self.prop_seq += 1;
            let id = ids::property_id(self.prop_seq);
            if id != "title" && !taken.iter().any(|p| p.id == id) {
                return id;
            }
        }
    }

    pub fn user_ref(&self) -> Value {
        serde_json::json!({"object": "user", "id": self.bot_id})
    }

    pub fn data_source(&self, id: &str) -> ApiResult<&DataSource> {
        self.data_sources
            .get(id)
            .ok_or_else(|| ApiError::not_found("data source", id))
    }

    pub fn data_source_mut(&mut self, id: &str) -> ApiResult<&mut DataSource> {
        self.data_sources
            .get_mut(id)
            .ok_or_else(|| ApiError::not_found("data source", id))
    }

    pub fn database(&self, id: &str) -> ApiResult<&Database> {
        self.databases
            .get(id)
            .ok_or_else(|| ApiError::not_found("database", id))
    }

    pub fn page(&self, id: &str) -> Option<&Page> {
        self.page_index.get(id).map(|&i| &self.pages[i])
    }

    pub fn page_mut(&mut self, id: &str) -> Option<&mut Page> {
        self.page_index.get(id).map(|&i| &mut self.pages[i])
    }

    pub fn existing_page(&self, id: &str) -> ApiResult<&Page> {
        self.page(id).ok_or_else(|| ApiError::not_found("page", id))
    }

    pub fn push_page(&mut self, page: Page) {
        self.page_index.insert(page.id.clone(), self.pages.len());
        self.pages.push(page);
    }

    /// A new opaque cursor continuing `scope` at `offset`.
    pub fn new_cursor(&mut self, scope: String, offset: usize) -> String {
        let id = ids::new_id();
        self.cursors.insert(id.clone(), Cursor { scope, offset });
        id
    }

    /// The offset a `start_cursor` stands for; it must belong to the same listing.
    pub fn cursor_offset(&self, start_cursor: Option<&str>, scope: &str) -> ApiResult<usize> {
        let Some(raw) = start_cursor else {
            return Ok(0);
        };
        match self.cursors.get(raw) {
            Some(c) if c.scope == scope => Ok(c.offset),
            Some(_) => Err(ApiError::validation(
                "The start_cursor provided belongs to a different request: send the same filter and sorts with it.",
            )),
            None => Err(ApiError::validation(format!(
                "body failed validation: start_cursor `{raw}` is not a valid cursor."
            ))),
        }
    }
}
