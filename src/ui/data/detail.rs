//! One record as the detail view shows it: every property, its links by title, and for
//! an instance its audit trail and timeline.

use chrono::{DateTime, Utc};
use color_eyre::eyre::Result;

use crate::domain::history::{HistoryLog, LogEntry};
use crate::domain::models::{Workflow, WorkflowInstance};
use crate::domain::record::{FieldValue, Link, Record};
use crate::domain::schema::DatabaseKey;
use crate::domain::timeline::{Span, start_time, timeline};
use crate::domain::workflow::StateMachine;
use crate::present::{Titles, cell, cell_hint, for_people};
use crate::store::Store;
use crate::table::{link_ref, machines};

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
    /// The entry's `details` as indented JSON (made harmless), for showing it whole;
    /// empty when it has none.
    pub details: String,
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
    /// Per property holding a credential: what it looks like and what to do (see
    /// `domain::secrets::hint`); its value is shown masked.
    pub hints: Vec<(&'static str, String)>,
    /// A workflow: its state machine, or why its States and Transitions cannot be read.
    pub machine: Option<Result<StateMachine, String>>,
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
    let mut hints = Vec::new();
    let mut links = Vec::new();
    for column in definition.columns {
        if column.name == "History Log" {
            continue;
        }
        properties.push((
            column.name,
            cell(column.name, record.value(column.name), &titles),
        ));
        if let Some(hint) = cell_hint(column.name, record.value(column.name), &titles) {
            hints.push((column.name, hint));
        }
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
                title: for_people(&title, ""),
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
                    actor: for_people(e.actor().unwrap_or(""), ""),
                    action: for_people(e.summary(), "History Log"),
                    note: for_people(e.note().unwrap_or(""), "History Log"),
                    details: details_text(e.details()),
                },
                LogEntry::Raw(text) => AuditEntry {
                    at: None,
                    actor: String::new(),
                    action: format!("(unreadable) {}", for_people(text, "History Log")),
                    note: String::new(),
                    details: String::new(),
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
    let machine = (record.database == DatabaseKey::WorkflowsLibrary).then(|| {
        StateMachine::from_workflow(&Workflow::from_record(record))
            .map_err(|e| for_people(&e.to_string(), ""))
    });
    Ok(Some(Detail {
        page_id: page_id.to_string(),
        key: record.database,
        title: for_people(&record.title(), ""),
        pending: stored.pending > 0,
        properties,
        links,
        history,
        hints,
        machine,
    }))
}

/// An entry's details as indented JSON, each line made harmless (`present::inert` makes a
/// newline a space).
fn details_text(details: &serde_json::Map<String, serde_json::Value>) -> String {
    if details.is_empty() {
        return String::new();
    }
    serde_json::to_string_pretty(details)
        .unwrap_or_default()
        .lines()
        .map(|line| for_people(line, "History Log"))
        .collect::<Vec<_>>()
        .join("\n")
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
