//! Notion's objects as this client reads them: data sources, databases, users, blocks,
//! lists (pages, and how they are read from Notion's text, are in `page.rs`).
//!
//! Every struct ignores fields it does not know, and every object keeps the raw JSON it was
//! read from, so nothing Notion sends is lost to a field we did not model.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::page::Page;

/// One piece of rich text. Only what callers need is typed; the rest stays in Notion's JSON.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RichText {
    #[serde(default, rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub plain_text: String,
    #[serde(default)]
    pub href: Option<String>,
}

/// The concatenated plain text of a rich text array.
pub fn plain_text(items: &[RichText]) -> String {
    items.iter().map(|t| t.plain_text.as_str()).collect()
}

/// A user as Notion sends it: often only `{object, id}`; name and email when shared.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct User {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub avatar_url: Option<String>,
    #[serde(default)]
    pub person: Option<Person>,
    #[serde(default)]
    pub bot: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Person {
    #[serde(default)]
    pub email: Option<String>,
}

impl User {
    /// The workspace a bot user (the integration, from `users/me`) belongs to.
    pub fn workspace_name(&self) -> Option<&str> {
        self.bot.as_ref()?.get("workspace_name")?.as_str()
    }
}

/// Where an object lives. Notion names one of these ids depending on `kind`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct Parent {
    #[serde(default, rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub data_source_id: Option<String>,
    /// Present in query results, absent from a retrieved page's parent.
    #[serde(default)]
    pub database_id: Option<String>,
    #[serde(default)]
    pub page_id: Option<String>,
    #[serde(default)]
    pub block_id: Option<String>,
    #[serde(default)]
    pub workspace: Option<bool>,
}

/// Fields shared by the objects that can be trashed: `in_trash` since 2025-09-03,
/// `archived` before 2026-03-11. Both may be present.
#[derive(Debug, Clone, Default, Deserialize)]
pub(super) struct TrashFlags {
    #[serde(default)]
    pub(super) in_trash: Option<bool>,
    #[serde(default)]
    pub(super) archived: Option<bool>,
}

impl TrashFlags {
    pub(super) fn in_trash(&self) -> bool {
        self.in_trash.or(self.archived).unwrap_or(false)
    }
}

/// One column of a data source's schema.
#[derive(Debug, Clone, PartialEq)]
pub struct PropertySchema {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub description: Option<String>,
    /// The type's configuration (`{"options": […]}` for a select, `{"data_source_id", …}`
    /// for a relation), as Notion sent it.
    pub config: Value,
}

impl PropertySchema {
    fn from_json(name: &str, raw: &Value) -> PropertySchema {
        let kind = raw
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        PropertySchema {
            id: raw
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            name: raw
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or(name)
                .to_string(),
            description: raw
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_string),
            config: raw.get(&kind).cloned().unwrap_or(Value::Null),
            kind,
        }
    }

    /// Option names of a select, multi_select or status column, in Notion's order.
    pub fn option_names(&self) -> Vec<String> {
        self.config
            .get("options")
            .and_then(Value::as_array)
            .map(|options| {
                options
                    .iter()
                    .filter_map(|o| o.get("name")?.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The data source a relation column points to.
    pub fn relation_target(&self) -> Option<&str> {
        self.config.get("data_source_id")?.as_str()
    }
}

/// A data source: the schema and rows of a database (most databases have exactly one).
#[derive(Debug, Clone)]
pub struct DataSource {
    pub id: String,
    pub title: String,
    pub parent: Parent,
    pub in_trash: bool,
    pub properties: Vec<PropertySchema>,
    pub raw: Value,
}

#[derive(Deserialize)]
struct DataSourceFields {
    id: String,
    #[serde(default)]
    title: Vec<RichText>,
    #[serde(default)]
    parent: Parent,
    #[serde(flatten)]
    trash: TrashFlags,
    #[serde(default)]
    properties: serde_json::Map<String, Value>,
}

impl DataSource {
    pub fn from_json(raw: Value) -> Result<DataSource, serde_json::Error> {
        let fields = DataSourceFields::deserialize(&raw)?;
        Ok(DataSource {
            id: fields.id,
            title: plain_text(&fields.title),
            parent: fields.parent,
            in_trash: fields.trash.in_trash(),
            properties: fields
                .properties
                .iter()
                .map(|(name, value)| PropertySchema::from_json(name, value))
                .collect(),
            raw,
        })
    }

    pub fn property(&self, name: &str) -> Option<&PropertySchema> {
        self.properties.iter().find(|p| p.name == name)
    }

    /// The database this data source belongs to.
    pub fn database_id(&self) -> Option<&str> {
        self.parent.database_id.as_deref()
    }
}

/// A database: a container of data sources, with a title and a place in the workspace.
#[derive(Debug, Clone)]
pub struct Database {
    pub id: String,
    pub title: String,
    pub parent: Parent,
    pub in_trash: bool,
    pub url: Option<String>,
    pub data_sources: Vec<DataSourceRef>,
    pub raw: Value,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DataSourceRef {
    pub id: String,
    #[serde(default)]
    pub name: String,
}

#[derive(Deserialize)]
struct DatabaseFields {
    id: String,
    #[serde(default)]
    title: Vec<RichText>,
    #[serde(default)]
    parent: Parent,
    #[serde(flatten)]
    trash: TrashFlags,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    data_sources: Vec<DataSourceRef>,
}

impl Database {
    pub fn from_json(raw: Value) -> Result<Database, serde_json::Error> {
        let fields = DatabaseFields::deserialize(&raw)?;
        Ok(Database {
            id: fields.id,
            title: plain_text(&fields.title),
            parent: fields.parent,
            in_trash: fields.trash.in_trash(),
            url: fields.url,
            data_sources: fields.data_sources,
            raw,
        })
    }
}

/// A block (a paragraph, a child database, …). Its content stays in `raw`.
#[derive(Debug, Clone)]
pub struct Block {
    pub id: String,
    pub kind: String,
    pub has_children: bool,
    pub created_time: Option<DateTime<Utc>>,
    pub raw: Value,
}

#[derive(Deserialize)]
struct BlockFields {
    id: String,
    #[serde(default, rename = "type")]
    kind: String,
    #[serde(default)]
    has_children: bool,
    #[serde(default)]
    created_time: Option<DateTime<Utc>>,
}

impl Block {
    pub fn from_json(raw: Value) -> Result<Block, serde_json::Error> {
        let fields = BlockFields::deserialize(&raw)?;
        Ok(Block {
            id: fields.id,
            kind: fields.kind,
            has_children: fields.has_children,
            created_time: fields.created_time,
            raw,
        })
    }

    /// The plain text of a text block (paragraph, heading, …); empty for others.
    pub fn plain_text(&self) -> String {
        self.raw
            .get(&self.kind)
            .and_then(|body| body.get("rich_text"))
            .and_then(|items| Vec::<RichText>::deserialize(items).ok())
            .map(|items| plain_text(&items))
            .unwrap_or_default()
    }

    /// The title of a `child_database` or `child_page` block.
    pub fn child_title(&self) -> Option<&str> {
        self.raw.get(&self.kind)?.get("title")?.as_str()
    }
}

/// A search hit: a page or a data source (Notion may add other objects).
#[derive(Debug, Clone)]
pub enum SearchResult {
    Page(Box<Page>),
    DataSource(Box<DataSource>),
    Other(Value),
}

/// One page of a paginated list, as Notion sends it. Its items are parsed JSON, or with
/// `T = Box<RawValue>` each item's text as Notion sent it.
#[derive(Debug, Clone, Deserialize)]
pub struct ListPage<T = Value> {
    #[serde(default = "Vec::new")]
    pub results: Vec<T>,
    #[serde(default)]
    pub next_cursor: Option<String>,
    #[serde(default)]
    pub has_more: bool,
    #[serde(default)]
    pub request_status: Option<RequestStatus>,
}

/// Whether a query returned everything (`complete`) or stopped at Notion's row cap.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RequestStatus {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub incomplete_reason: Option<String>,
}

impl<T> ListPage<T> {
    pub fn is_incomplete(&self) -> bool {
        self.request_status
            .as_ref()
            .is_some_and(|s| s.kind == "incomplete")
    }
}
