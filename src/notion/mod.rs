//! A general client for Notion's public REST API.
//!
//! It knows nothing of HigherSelf: it speaks Notion's objects (pages, data sources,
//! databases, blocks, users) and handles what every Notion caller needs: the version
//! header, a shared request scheduler (Notion's per-window budget, writes first), retries that respect `Retry-After`, cursor pagination,
//! relations past 25 ids, the 10,000-row query cap, and property values that never fail
//! on a type Notion adds later. The token is held as a secret and never printed.

mod client;
mod config;
mod error;
mod http;
mod ids;
mod limits;
mod object;
mod page;
mod property;
mod query;
mod rate;
mod write;

pub use client::{AppendPosition, MaySend, NotionClient, PageParent, SearchObject};
pub use config::{ClientConfig, ConfigError, DEFAULT_BASE_URL, DEFAULT_VERSION};
pub use error::{ErrorCode, NotionError};
pub use ids::{InvalidId, NotionId};
pub use limits::{MAX_RETRY_AFTER, RateLimitReason, parse_retry_after};
pub use object::{
    Block, DataSource, DataSourceRef, Database, ListPage, Parent, Person, PropertySchema,
    RequestStatus, RichText, SearchResult, User, plain_text,
};
pub use page::{JsonKey, Page};
pub use property::{
    DateValue, FileRef, FormulaValue, Property, PropertyValue, RollupValue, SelectOption,
};
pub use query::DataSourceQuery;
pub use rate::{
    Budget, DEFAULT_BUDGET, LimitSeen, NOTION_WINDOW, Priority, RateGate, RateLimit, RateStatus,
};
pub use write::{
    RICH_TEXT_MAX_CHARS, RICH_TEXT_MAX_OBJECTS, TEXT_OBJECT_MAX, TextTooLong, checkbox_value,
    date_value, email_value, multi_select_value, number_value, phone_number_value, relation_value,
    rich_text_value, select_value, status_value, text_chunks, title_value, url_value,
};
