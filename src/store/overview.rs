//! What the Overview is computed from, read out of the store: workflows, instances (their
//! logs parsed here, once), tasks, and how fresh each data source is, indexed for
//! recomputing. Shared by the dashboard's tab, `hsn overview` and the benchmarks.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use color_eyre::eyre::Result;

use super::{RecordFilter, Store};
use crate::domain::models::{Task, Workflow, WorkflowInstance};
use crate::domain::overview::{
    InstanceFacts, Overview, OverviewIndex, OverviewInput, SourceFreshness, StuckRule, TaskFacts,
    WorkflowFacts, compute,
};
use crate::domain::schema::{DATABASES, DatabaseKey, database};

/// Reads what the Overview is computed from: workflows, instances (their logs parsed
/// here, once), tasks, and how fresh each data source is with its pending writes; and
/// indexes it, so that a recompute at another clock does only what the clock changes.
/// `data_source` says where a database syncs from.
pub fn load_overview_index(
    store: &Store,
    data_source: impl Fn(DatabaseKey) -> Option<String>,
) -> Result<OverviewIndex> {
    let all = RecordFilter::default();
    let workflows = store
        .records(DatabaseKey::WorkflowsLibrary, &all)?
        .iter()
        .map(|s| WorkflowFacts::from_workflow(&Workflow::from_record(&s.record)))
        .collect();
    let instances = store
        .records(DatabaseKey::ActiveWorkflowInstances, &all)?
        .iter()
        .map(|s| InstanceFacts::from_instance(&WorkflowInstance::from_record(&s.record)))
        .collect();
    let tasks = store
        .records(DatabaseKey::Tasks, &all)?
        .iter()
        .map(|s| TaskFacts::from_task(&Task::from_record(&s.record), Some(&s.created_time)))
        .collect();
    // Pending writes by the database of the pages they change (a handful at most).
    let mut pending: HashMap<DatabaseKey, usize> = HashMap::new();
    for write in store.unsettled_writes()? {
        let mut keys: Vec<DatabaseKey> = Vec::new();
        for page in &write.touched {
            if let Some(stored) = store.record(page)? {
                keys.push(stored.record.database);
            }
        }
        keys.sort();
        keys.dedup();
        for key in keys {
            *pending.entry(key).or_default() += 1;
        }
    }
    let freshness = OVERVIEW_SOURCES
        .iter()
        .chain(
            DATABASES
                .iter()
                .map(|d| &d.key)
                .filter(|k| !OVERVIEW_SOURCES.contains(k)),
        )
        .map(|&key| SourceFreshness {
            database: database(key).alias,
            last_sync: data_source(key)
                .and_then(|source| store.sync_state(&source).ok().flatten())
                .and_then(|s| s.last_refresh),
            pending_writes: pending.get(&key).copied().unwrap_or(0),
        })
        .collect();
    Ok(OverviewIndex::new(OverviewInput {
        workflows,
        instances,
        tasks,
        freshness,
    }))
}

/// The databases the Overview is computed from, first in its freshness list.
pub const OVERVIEW_SOURCES: [DatabaseKey; 3] = [
    DatabaseKey::ActiveWorkflowInstances,
    DatabaseKey::Tasks,
    DatabaseKey::WorkflowsLibrary,
];

/// The Overview at `now`, from the store.
pub fn load_overview(
    store: &Store,
    data_source: impl Fn(DatabaseKey) -> Option<String>,
    rule: &StuckRule,
    now: DateTime<Utc>,
) -> Result<Overview> {
    Ok(compute(
        &load_overview_index(store, data_source)?,
        rule,
        now,
    ))
}
