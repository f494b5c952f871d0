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
