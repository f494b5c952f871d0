//! The demo workspace: what hsn shows when there is no Notion token (DESIGN.md §6).
//!
//! The seed, `assets/demo.json`, holds realistic HigherSelf data in a compact, hand-readable
//! form. [`demo_pages`] turns it into pages in Notion's own response shape, so the store,
//! the views and every operation treat the demo exactly as they treat a real workspace.
//!
//! # The seed
//!
//! `{"<alias>": [record, …], …}`, keyed by the schema's aliases (`entities`, `agents`,
//! `workflows`, `instances`, `tasks`, …, `rewards`). A record is `{"<column>": value}` with
//! the schema's exact column names; a column left out is empty. Values by column kind:
//!
//! - title, text: a string. A text column also takes any other JSON (a `States` list, a
//!   `Key Data Payload` object), stored as compact JSON text.
//! - number: a number. select, status: an option the schema defines. multi-select: a
//!   list of names. email, phone, url: a string. `null`: empty.
//! - date: a relative time (below).
//! - link: the target's title (`"WF-WELL-BOOK"`, `"The 7 Space"`) or a list of titles.
//!   The synced side of the two-way relation (`Related Tasks`) is filled from the other
//!   side (`Related Workflow Instance`) and may not be given.
//!
//! Relative times count from the moment the demo is loaded, rounded down to the minute,
//! so the demo always looks current:
//!
//! | seed                          | means                                                 |
//! |-------------------------------|-------------------------------------------------------|
//! | `now`                         | the moment the demo is loaded                         |
//! | `-3d`, `-5h`, `-45m`, `-2w`   | that long ago (units: w, d, h, m)                     |
//! | `+2d`                         | that long from now                                    |
//! | `-26d 4h`                     | terms add up: 26 days and 4 hours ago                 |
//! | `day -3d`, `day +0d`          | the calendar date (UTC) of that moment, without a time |
//!
//! An instance's `History Log` is a list of items, oldest first, each at a strictly later
//! `at` (a moment, never in the future):
//!
//! - `{"at", "actor", "to", "note"?}`: a move to `to` from where the moves before left the
//!   instance (its workflow's initial state at first), written as hsn writes it;
//! - `{"at", "actor", "action", "details"?, "note"?}`: any other event, as hsn writes it;
//! - either with `"agent"` instead of `"actor"`: written as the original agents wrote it
//!   (`"[Agent] …"` action, naive timestamp, no `details.actor`).
//!
//! Every move must be legal in the instance's workflow. `Current State`, `Status` and
//! `Last Transition Date` may be left out: they follow from the history (`Completed` at a
//! terminal state, else `Active`); given, the first two must agree with it.

mod history;
mod page;
mod time;

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use serde_json::{Map, Value, json};

use super::schema::{Backlink, ColumnKind, DATABASES, DatabaseKey, DatabaseSchema, database};
use super::workflow::{StateMachine, WorkflowError};
use crate::notion::TextTooLong;

/// The seed, embedded in the binary.
pub const DEMO_SEED: &str = include_str!("../../assets/demo.json");

/// Fixed data source id of each database in the demo (deterministic, valid Notion-style UUIDs).
pub fn demo_data_source_id(key: DatabaseKey) -> String {
    page::data_source_id(key)
}

/// Fixed database id of each database in the demo (the `database_id` of its pages' parent).
pub fn demo_database_id(key: DatabaseKey) -> String {
    page::database_id(key)
}

/// Every demo page in Notion's response shape (as `GET /v1/pages/{id}` returns it), grouped
/// by database in schema order (all 16), times resolved against `now`. Page ids derive
/// from each database and record title, so every load gives the same ids.
pub fn demo_pages(now: DateTime<Utc>) -> Result<Vec<(DatabaseKey, Vec<Value>)>, DemoError> {
    pages_from_seed(DEMO_SEED, now)
}

/// [`demo_pages`] for another seed in the same syntax.
pub fn pages_from_seed(
    seed: &str,
    now: DateTime<Utc>,
) -> Result<Vec<(DatabaseKey, Vec<Value>)>, DemoError> {
    let seed = read_seed(seed)?;
    let mut ctx = Ctx {
        anchor: time::anchor(now),
        ids: HashMap::new(),
        machines: HashMap::new(),
    };
    for (schema, records) in &seed {
        for (title, _) in records {
            let id = page::page_id(schema.key, title);
            if ctx.ids.insert((schema.key, title.clone()), id).is_some() {
                let column = schema.title_column().name;
                return Err(fail(schema, title, column, Problem::DuplicateTitle));
            }
        }
    }
    for (schema, records) in seed
        .iter()
        .filter(|(s, _)| s.key == DatabaseKey::WorkflowsLibrary)
    {
        for (title, record) in records {
            let machine = state_machine(title, record).map_err(|(column, e)| {
                fail(schema, title, column, Problem::BadWorkflow(Box::new(e)))
            })?;
            ctx.machines.insert(title.clone(), machine);
        }
    }
    let mut drafts = Vec::new();
    for (schema, records) in &seed {
        let built = records
            .iter()
            .map(|(title, record)| draft(&ctx, schema, title, record))
            .collect::<Result<Vec<_>, _>>()?;
        drafts.push((schema.key, built));
    }
    fill_synced(&mut drafts);
    let pages = |(key, drafts): (DatabaseKey, Vec<Draft>)| {
        let pages = drafts.into_iter().map(|d| d.page(key, ctx.anchor));
        (key, pages.collect())
    };
    Ok(drafts.into_iter().map(pages).collect())
}

/// A seed that cannot be made into the demo, with where the problem is.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DemoError {
    #[error("the demo seed is not readable: {0}")]
    Seed(String),
    #[error("the demo seed names no database \"{0}\" (use a schema alias such as \"tasks\")")]
    UnknownDatabase(String),
    #[error("demo seed, {database} \"{record}\", column \"{column}\": {problem}")]
    Record {
        /// The database's alias, as the seed names it.
        database: &'static str,
        /// The record's title (or its position when it has none).
        record: String,
        column: String,
        problem: Problem,
    },
}

/// What is wrong at one place in the seed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Problem {
    #[error("the database has no such column")]
    UnknownColumn,
    #[error("the title is missing or empty")]
    MissingTitle,
    #[error("another record has the same title")]
    DuplicateTitle,
    #[error("expected {expected}")]
    WrongShape { expected: &'static str },
    #[error("{value:?} is not one of its options ({})", .options.join(", "))]
    UnknownOption {
        value: String,
        options: Vec<&'static str>,
    },
    #[error("{text:?} is not a relative time: {reason}")]
    BadTime { text: String, reason: &'static str },
    #[error("no {database} record is titled {title:?}")]
    UnknownTarget {
        database: &'static str,
        title: String,
    },
    #[error("it is filled from \"{0}\", the other side of the relation")]
    SyncedColumn(&'static str),
    /// Boxed, as the workflow's errors are large and rare.
    #[error("{0}")]
    BadWorkflow(Box<WorkflowError>),
    #[error("{0}")]
    IllegalMove(Box<WorkflowError>),
    #[error("history item {number} {reason}")]
    BadHistoryItem { number: usize, reason: String },
    #[error("{given:?} disagrees with the history, which gives {derived:?}")]
    Disagrees { given: String, derived: String },
    #[error("{0}")]
    TooLong(#[from] TextTooLong),
}

fn fail(schema: &DatabaseSchema, record: &str, column: &str, problem: Problem) -> DemoError {
    DemoError::Record {
        database: schema.alias,
        record: record.to_string(),
        column: column.to_string(),
        problem,
    }
}

type Records = Vec<(String, Map<String, Value>)>;

/// The seed's records by database, in schema order, each with its title.
fn read_seed(seed: &str) -> Result<Vec<(&'static DatabaseSchema, Records)>, DemoError> {
    let Value::Object(mut by_alias) =
        serde_json::from_str(seed).map_err(|e| DemoError::Seed(e.to_string()))?
    else {
        return Err(DemoError::Seed(
            "it must be an object keyed by database".into(),
        ));
    };
    if let Some(alias) = by_alias
        .keys()
        .find(|a| !DATABASES.iter().any(|d| d.alias == *a))
    {
        return Err(DemoError::UnknownDatabase(alias.clone()));
    }
    DATABASES
        .iter()
        .map(|schema| {
            let records = match by_alias.remove(schema.alias) {
                None => Vec::new(),
                Some(Value::Array(records)) => records,
                Some(_) => {
                    return Err(DemoError::Seed(format!(
                        "\"{}\" must be a list",
                        schema.alias
                    )));
                }
            };
            let title_column = schema.title_column().name;
            let records = records
                .into_iter()
                .enumerate()
                .map(|(index, record)| {
                    let position = format!("#{}", index + 1);
                    let Value::Object(record) = record else {
                        return Err(fail(
                            schema,
                            &position,
                            "",
                            Problem::WrongShape {
                                expected: "an object of column values",
                            },
                        ));
                    };
                    match record.get(title_column).and_then(Value::as_str) {
                        Some(title) if !title.trim().is_empty() => Ok((title.to_string(), record)),
                        _ => Err(fail(schema, &position, title_column, Problem::MissingTitle)),
                    }
                })
                .collect::<Result<_, _>>()?;
            Ok((schema, records))
        })
        .collect()
}

struct Ctx {
    anchor: DateTime<Utc>,
    /// Page id by database and title.
    ids: HashMap<(DatabaseKey, String), String>,
    /// Each workflow's machine, by Workflow ID.
    machines: HashMap<String, StateMachine>,
}

/// A page being built: its properties by column, and the times it mentions.
struct Draft {
    id: String,
    title: String,
    properties: Map<String, Value>,
    times: Vec<DateTime<Utc>>,
}

impl Draft {
    /// The page, created at the earliest past time it mentions and last edited at the
    /// latest; a record with no dates gets times spread over the last weeks by its title.
    fn page(self, key: DatabaseKey, anchor: DateTime<Utc>) -> Value {
        let past = self.times.iter().copied().filter(|t| *t <= anchor);
        let spread = |salt: &str, days: u64| {
            let days = page::spread(&[salt, &self.title], days) as i64;
            let hours = page::spread(&[salt, "hours", &self.title], 24) as i64;
            Duration::days(days) + Duration::hours(hours)
        };
        let created = past
            .clone()
            .min()
            .unwrap_or_else(|| anchor - Duration::days(60) - spread("created", 60));
        let edited = past
            .max()
            .unwrap_or_else(|| anchor - spread("edited", 21))
            .max(created);
        page::page(key, &self.id, &self.title, created, edited, self.properties)
    }
}

fn state_machine(
    id: &str,
    record: &Map<String, Value>,
) -> Result<StateMachine, (&'static str, WorkflowError)> {
    let field = |name| page::text_of(record.get(name).unwrap_or(&Value::Null));
    StateMachine::parse(
        id,
        &field("Initial State"),
        &field("States"),
        &field("Transitions"),
    )
    .map_err(|e| {
        let column = match &e {
            WorkflowError::UnknownInitialState { .. } => "Initial State",
            WorkflowError::InvalidJson { field, .. } | WorkflowError::BadShape { field, .. } => {
                field
            }
            WorkflowError::UnknownTransitionState { .. } => "Transitions",
            _ => "States",
        };
        (column, e)
    })
}

fn draft(
    ctx: &Ctx,
    schema: &'static DatabaseSchema,
    title: &str,
    record: &Map<String, Value>,
) -> Result<Draft, DemoError> {
    if let Some(name) = record.keys().find(|k| schema.column(k).is_none()) {
        return Err(fail(schema, title, name, Problem::UnknownColumn));
    }
    let mut times = Vec::new();
    let mut derived = Map::new();
    if schema.key == DatabaseKey::ActiveWorkflowInstances {
        history::instance_columns(ctx, title, record, &mut derived, &mut times)
            .map_err(|(column, problem)| fail(schema, title, column, problem))?;
    }
    let mut properties = Map::new();
    for (index, column) in schema.columns.iter().enumerate() {
        let body = match derived.remove(column.name) {
            Some(body) => body,
            None => {
                let value = record.get(column.name).unwrap_or(&Value::Null);
                page::body(ctx, schema.key, column, value, &mut times)
                    .map_err(|problem| fail(schema, title, column.name, problem))?
            }
        };
        let envelope = page::envelope(schema.key, index, column, body);
        properties.insert(column.name.to_string(), envelope);
    }
    Ok(Draft {
        id: page::page_id(schema.key, title),
        title: title.to_string(),
        properties,
        times,
    })
}

/// Fills the synced side of each two-way relation from the side that creates it, in the
/// order the linking pages come, as Notion keeps both sides in step.
fn fill_synced(drafts: &mut [(DatabaseKey, Vec<Draft>)]) {
    let mut links = Vec::new();
    for (key, pages) in drafts.iter() {
        for column in database(*key).columns {
            let ColumnKind::Relation {
                target,
                backlink: Backlink::Creates(synced),
            } = column.kind
            else {
                continue;
            };
            for page in pages {
                let related = page.properties[column.name]["relation"].as_array();
                for target_id in related.into_iter().flatten() {
                    let target_id = target_id["id"].as_str().unwrap_or_default().to_string();
                    links.push((target, synced, target_id, page.id.clone()));
                }
            }
        }
    }
    for (target, synced, target_id, source_id) in links {
        let pages = drafts.iter_mut().filter(|(key, _)| *key == target);
        let mut found = pages.flat_map(|(_, pages)| pages.iter_mut());
        if let Some(page) = found.find(|p| p.id == target_id)
            && let Some(Value::Array(ids)) = page.properties[synced].get_mut("relation")
        {
            ids.push(json!({"id": source_id}));
        }
    }
}

#[cfg(test)]
mod tests;
