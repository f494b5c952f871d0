//! Snapshots of the store the dashboard draws from, built off the event loop (on a
//! blocking thread) once per data load: one record's detail (`detail.rs`) and the queued
//! writes (`outbox.rs`); a tab's table is `crate::table`'s.

mod detail;
mod outbox;

pub use detail::*;
pub use outbox::*;

use std::collections::HashMap;

use color_eyre::eyre::Result;

use crate::domain::schema::DatabaseKey;
use crate::store::Store;

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
