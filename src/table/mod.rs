//! A database's records as a table: its columns and rows read from the store
//! (`data.rs`: every cell string made once per load, so 100,000 records scroll as fast as
//! 100; `order.rs` each column's sort order), which rows show in which order (`view.rs`:
//! the rows `quick.rs` offers (quick filters of `domain::view`, column filters), the `/`
//! filter (`query.rs` what its words mean, `fuzzy.rs` scoring and ordering), the sort),
//! which are marked (`marks.rs`) and which columns show in a given width (`layout.rs`).
//! The dashboard draws it;
//! `hsn list --view` prints it: one definition of what a view shows.

pub mod activity;
pub mod data;
mod fuzzy;
pub mod layout;
pub mod marks;
mod order;
pub mod query;
pub mod quick;
pub mod view;

pub use data::*;
pub use marks::Marks;
pub use quick::*;
pub use view::*;

use std::collections::HashMap;

use color_eyre::eyre::Result;

use crate::domain::models::Workflow;
use crate::domain::record::{FieldValue, Record};
use crate::domain::schema::DatabaseKey;
use crate::domain::workflow::StateMachine;
use crate::store::{RecordFilter, Store};

/// The key a link column's first target goes by: its page id, or the ID text.
pub(crate) fn link_ref(record: &Record, column: &str) -> Option<String> {
    match record.value(column) {
        Some(FieldValue::Link(link)) => link.ids().into_iter().next(),
        _ => None,
    }
}

/// The state machine of each workflow, by page id and by Workflow ID (old text links).
pub(crate) fn machines(store: &Store) -> Result<HashMap<String, StateMachine>> {
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
