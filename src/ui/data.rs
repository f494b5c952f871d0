//! Snapshots of the store the dashboard draws from, built off the event loop (on a
//! blocking thread) once per data load: a tab's table (`table.rs`: every cell string is
//! made here, so a frame only slices rows that already exist; 100,000 records scroll as
//! fast as 100), one record's detail (`detail.rs`) and the queued writes (`outbox.rs`).

mod detail;
mod outbox;
mod table;

pub use detail::*;
pub use outbox::*;
pub use table::*;

use std::collections::HashMap;

use color_eyre::eyre::Result;

use crate::domain::models::Workflow;
use crate::domain::record::{FieldValue, Record};
use crate::domain::schema::DatabaseKey;
use crate::domain::workflow::StateMachine;
use crate::store::{RecordFilter, Store};

/// The key a link column's first target goes by: its page id, or the ID text.
pub(super) fn link_ref(record: &Record, column: &str) -> Option<String> {
    match record.value(column) {
        Some(FieldValue::Link(link)) => link.ids().into_iter().next(),
        _ => None,
    }
}

/// The state machine of each workflow, by page id and by Workflow ID (old text links).
pub(super) fn machines(store: &Store) -> Result<HashMap<String, StateMachine>> {
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

/// The names an assignee may be chosen from: every agent's name, and every assignee
/// already seen on a task or an instance, each once (first spelling kept), sorted.
pub fn load_names(store: &Store) -> Result<Vec<String>> {
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut keep = |name: String| {
        let name = name.trim().to_string();
        if !name.is_empty() {
            seen.entry(name.to_lowercase()).or_insert(name);
        }
    };
    store.each_record_summary(DatabaseKey::AgentRegistry, &["Name"], None, |s| {
        keep(s.record.get::<String>("Name"));
        Ok(())
    })?;
    for key in [DatabaseKey::Tasks, DatabaseKey::ActiveWorkflowInstances] {
        store.each_record_summary(key, &["Assigned To"], None, |s| {
            keep(s.record.get::<String>("Assigned To"));
            Ok(())
        })?;
    }
    let mut names: Vec<String> = seen.into_values().collect();
    names.sort_by_key(|n| n.to_lowercase());
    Ok(names)
}
