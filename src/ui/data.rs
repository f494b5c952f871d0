//! Snapshots of the store the dashboard draws from, built off the event loop (on a
//! blocking thread) once per data load: every cell string is made here, so a frame only
//! slices rows that already exist. 100,000 records scroll as fast as 100.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use color_eyre::eyre::Result;

use crate::domain::history::{HistoryLog, LogEntry};
use crate::domain::models::{Workflow, WorkflowInstance};
use crate::domain::record::{FieldValue, Link, Record};
use crate::domain::schema::{ColumnKind, DatabaseKey, DatabaseSchema, database};
use crate::domain::timeline::{Span, start_time, timeline};
use crate::domain::workflow::StateMachine;
use crate::present::{Titles, cell, inert};
use crate::store::{RecordFilter, Store};

/// Where a table column's text comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnSource {
    Field(&'static str),
    /// Instances: how long since the last transition, computed against the clock at draw.
    TimeInState,
}

#[derive(Debug, Clone)]
pub struct TableColumn {
    pub source: ColumnSource,
    pub label: &'static str,
    /// The widest cell (capped), measured once per load.
    pub width: u16,
    /// For select and status columns, the schema's option order sorts (High before Low).
    pub choices: &'static [crate::domain::schema::Choice],
    pub numeric: bool,
}

/// One record as a table shows it.
#[derive(Debug, Clone)]
pub struct Row {
    pub page_id: String,
    pub title: String,
    /// One per column; empty for computed columns.
    pub cells: Vec<String>,
    /// Lower-case text of every visible cell, for the fuzzy filter.
    pub haystack: String,
    pub status: Option<String>,
    /// When the instance entered its current state.
    pub entered: Option<DateTime<Utc>>,
    pub pending: bool,
    /// Instances: the key of its workflow in [`TableData::machines`].
    pub workflow: Option<String>,
    pub current_state: String,
}

/// How fresh a database's cache is, as the footer says it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Freshness {
    pub last_refresh: Option<DateTime<Utc>>,
}

/// A database's table, ready to filter, sort and draw.
#[derive(Debug, Clone)]
pub struct TableData {
    pub key: DatabaseKey,
    pub columns: Vec<TableColumn>,
    pub rows: Vec<Row>,
    /// Instances: each workflow's state machine, by the reference rows hold.
    pub machines: HashMap<String, StateMachine>,
    pub freshness: Freshness,
    pub pending_writes: usize,
}

const MAX_WIDTH: usize = 32;

fn label(column: &'static str) -> &'static str {
    match column {
        "Client/Lead Name" => "Client",
        "Last Transition Date" => "Last Transition",
        "Related Workflow Instance" => "Instance",
        "Related Business Entity" => "Entity",
        other => other,
    }
}

/// The columns of a database's table: its title, then its summary (Instances add the
/// time spent in the current state before the last transition).
pub fn columns_of(definition: &'static DatabaseSchema) -> Vec<TableColumn> {
    let mut sources = vec![ColumnSource::Field(definition.title_column().name)];
    for name in definition.summary {
        if definition.key == DatabaseKey::ActiveWorkflowInstances && *name == "Last Transition Date"
        {
            sources.push(ColumnSource::TimeInState);
        }
        sources.push(ColumnSource::Field(name));
    }
    sources
        .into_iter()
        .map(|source| {
            let (label, choices, numeric) = match source {
                ColumnSource::TimeInState => ("In State", &[][..], true),
                ColumnSource::Field(name) => {
                    let kind = definition.column(name).map(|c| c.kind);
                    (
                        label(name),
                        kind.map(|k| k.choices()).unwrap_or_default(),
                        matches!(kind, Some(ColumnKind::Number)),
                    )
                }
            };
            TableColumn {
                source,
                label,
                width: label.chars().count() as u16,
                choices,
                numeric,
            }
        })
        .collect()
}

/// The key a link column's first target goes by: its page id, or the ID text.
fn link_ref(record: &Record, column: &str) -> Option<String> {
    match record.value(column) {
        Some(FieldValue::Link(link)) => link.ids().into_iter().next(),
        _ => None,
    }
}

/// The state machine of each workflow, by page id and by Workflow ID (old text links).
fn machines(store: &Store) -> Result<HashMap<String, StateMachine>> {
    let mut found = HashMap::new();
    for stored in store.records(DatabaseKey::WorkflowsLibrary, &RecordFilter::default())? {
        let workflow = Workflow::from_record(&stored.record);
        if let Ok(machine) = StateMachine::from_workflow(&workflow) {
            found.insert(workflow.workflow_id.clone(), machine.clone());
            if let Some(id) = &stored.record.page_id {
                found.insert(id.clone(), machine);
            }
        }
    }
    Ok(found)
}

/// Reads one database's table from the store.
/// `data_source` is where the database syncs from (for how fresh it is).
pub fn load_table(store: &Store, key: DatabaseKey, data_source: Option<&str>) -> Result<TableData> {
    let definition = database(key);
    let mut columns = columns_of(definition);
    let stored = store.records(key, &RecordFilter::default())?;
    let names: Vec<&str> = columns
        .iter()
        .filter_map(|c| match c.source {
            ColumnSource::Field(name) => Some(name),
            ColumnSource::TimeInState => None,
        })
        .collect();
    let refs: Vec<&Record> = stored.iter().map(|s| &s.record).collect();
    let titles = Titles::for_records(store, &refs, &names)?;
    let has_status = definition.column("Status").is_some();
    let is_instances = key == DatabaseKey::ActiveWorkflowInstances;
    let rows: Vec<Row> = stored
        .iter()
        .map(|s| {
            let record = &s.record;
            let cells: Vec<String> = columns
                .iter()
                .map(|c| match c.source {
                    ColumnSource::Field(name) => cell(record.value(name), &titles),
                    ColumnSource::TimeInState => String::new(),
                })
                .collect();
            let haystack = cells.join(" ").to_lowercase();
            let status = has_status
                .then(|| record.get::<Option<String>>("Status"))
                .flatten();
            let (entered, workflow, current_state) = if is_instances {
                let instance = WorkflowInstance::from_record(record);
                let entered = start_time(instance.last_transition_date.as_ref())
                    .or_else(|| start_time(instance.start_date.as_ref()));
                (
                    entered,
                    link_ref(record, "Workflow"),
                    instance.current_state,
                )
            } else {
                (None, None, String::new())
            };
            Row {
                page_id: record.page_id.clone().unwrap_or_default(),
                title: inert(&record.title()),
                cells,
                haystack,
                status,
                entered,
                pending: s.pending > 0,
                workflow,
                current_state,
            }
        })
        .collect();
    for (i, column) in columns.iter_mut().enumerate() {
        let widest = rows
            .iter()
            .map(|r| r.cells[i].chars().count())
            .max()
            .unwrap_or(0)
            .min(MAX_WIDTH);
        let minimum = if column.source == ColumnSource::TimeInState {
            8
        } else {
            0
        };
        column.width = column.width.max(widest as u16).max(minimum);
    }
    let freshness = Freshness {
        last_refresh: data_source
            .and_then(|source| store.sync_state(source).ok().flatten())
            .and_then(|s| s.last_refresh),
    };
    Ok(TableData {
        key,
        columns,
        rows,
        machines: if is_instances {
            machines(store)?
        } else {
            HashMap::new()
        },
        freshness,
        pending_writes: store.unsettled_writes()?.len(),
    })
}

/// A page another record links to, for jumping to it.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkItem {
    pub column: &'static str,
    pub page_id: Option<String>,
    pub title: String,
}

/// One history entry as the audit list shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub at: Option<DateTime<Utc>>,
    pub actor: String,
    pub action: String,
    pub note: String,
}

/// An instance's history: the audit trail and its state spans.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct History {
    pub entries: Vec<AuditEntry>,
    pub spans: Vec<Span>,
}

/// Everything the detail view shows of one record.
#[derive(Debug, Clone, PartialEq)]
pub struct Detail {
    pub page_id: String,
    pub key: DatabaseKey,
    pub title: String,
    pub pending: bool,
    pub properties: Vec<(&'static str, String)>,
    pub links: Vec<LinkItem>,
    pub history: Option<History>,
}

/// Reads one record with its links' titles and, for an instance, its history.
pub fn load_detail(store: &Store, page_id: &str) -> Result<Option<Detail>> {
    let Some(stored) = store.record(page_id)? else {
        return Ok(None);
    };
    let record = &stored.record;
    let definition = record.schema();
    let names: Vec<&str> = definition.columns.iter().map(|c| c.name).collect();
    let titles = Titles::for_records(store, &[record], &names)?;
    let mut properties = Vec::new();
    let mut links = Vec::new();
    for column in definition.columns {
        if column.name == "History Log" {
            continue;
        }
        properties.push((column.name, cell(record.value(column.name), &titles)));
        let (Some(target), Some(FieldValue::Link(link))) =
            (column.relation_target(), record.value(column.name))
        else {
            continue;
        };
        for id in link.ids() {
            let page_id = match link {
                Link::Pages(_) => Some(id.clone()),
                Link::Text(_) => store
                    .find_by_title(target, &id)?
                    .into_iter()
                    .next()
                    .and_then(|s| s.record.page_id),
            };
            let title = match &page_id {
                Some(page) => store.titles(std::slice::from_ref(page))?.remove(page),
                None => None,
            }
            .unwrap_or_else(|| id.clone());
            links.push(LinkItem {
                column: column.name,
                page_id,
                title: inert(&title),
            });
        }
    }
    let history = (record.database == DatabaseKey::ActiveWorkflowInstances).then(|| {
        let instance = WorkflowInstance::from_record(record);
        let log = HistoryLog::decode(&instance.history_log);
        let entries = log
            .entries()
            .iter()
            .map(|entry| match entry {
                LogEntry::Entry(e) => AuditEntry {
                    at: Some(e.timestamp()),
                    actor: inert(e.actor().unwrap_or("")),
                    action: inert(e.summary()),
                    note: inert(e.note().unwrap_or("")),
                },
                LogEntry::Raw(text) => AuditEntry {
                    at: None,
                    actor: String::new(),
                    action: format!("(unreadable) {}", inert(text)),
                    note: String::new(),
                },
            })
            .collect();
        let initial = link_ref(record, "Workflow")
            .and_then(|w| machines(store).ok()?.remove(&w))
            .map(|m| m.initial_state().to_string());
        let spans = timeline(
            start_time(instance.start_date.as_ref()),
            initial.as_deref(),
            &instance.current_state,
            &log,
        )
        .spans;
        History { entries, spans }
    });
    Ok(Some(Detail {
        page_id: page_id.to_string(),
        key: record.database,
        title: inert(&record.title()),
        pending: stored.pending > 0,
        properties,
        links,
        history,
    }))
}

/// The page's address in Notion, for `o` and `y`.
pub fn page_url(store: &Store, page_id: &str) -> Result<Option<String>> {
    Ok(store
        .raw_page(page_id)?
        .and_then(|page| page.get("url")?.as_str().map(str::to_string)))
}

/// The state machine of an instance's workflow, for planning an advance.
pub fn machine_of(store: &Store, instance: &Record) -> Result<StateMachine> {
    let reference = link_ref(instance, "Workflow").ok_or_else(|| {
        color_eyre::eyre::eyre!(
            "{} has no workflow, so it has no states to move through",
            instance.title()
        )
    })?;
    machines(store)?.remove(&reference).ok_or_else(|| {
        color_eyre::eyre::eyre!(
            "the workflow of {} is not in the store or its states cannot be read",
            instance.title()
        )
    })
}
