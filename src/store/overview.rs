//! What the Overview is computed from, read out of the store: workflows, instances (their
//! logs parsed here, once), tasks, and how fresh each data source is, indexed for
//! recomputing. Shared by the dashboard's tab, `hsn overview` and the benchmarks.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use color_eyre::eyre::Result;

use super::{RecordFilter, Store};
use crate::domain::alerts::AlertFacts;
use crate::domain::models::{Task, Workflow, WorkflowInstance};
use crate::domain::overview::{
    InstanceFacts, Overview, OverviewIndex, OverviewInput, SourceFreshness, StuckRule, TaskFacts,
    WorkflowFacts, compute,
};
use crate::domain::schema::{DATABASES, DatabaseKey, database};

/// What [`InstanceFacts::from_instance`] reads of an instance (the History Log last: the
/// alerts read all but it).
const INSTANCE_FIELDS: [&str; 9] = [
    "Instance ID",
    "Workflow",
    "Current State",
    "Status",
    "Start Date",
    "Last Transition Date",
    "Error Message",
    "Priority",
    "History Log",
];

/// What [`TaskFacts::from_task`] reads of a task.
const TASK_FIELDS: [&str; 7] = [
    "Task ID",
    "Task Name",
    "Status",
    "Priority",
    "Due Date",
    "Created Date",
    "Assigned To",
];

/// Reads what the Overview is computed from: workflows, instances (their logs parsed
/// here, once), tasks, and how fresh each data source is with its pending writes; and
/// indexes it, so that a recompute at another clock does only what the clock changes.
/// `data_source` says where a database syncs from.
pub fn load_overview_index(
    store: &Store,
    data_source: impl Fn(DatabaseKey) -> Option<String>,
) -> Result<OverviewIndex> {
    load_index(store, data_source, &INSTANCE_FIELDS)
}

/// What alerts at `now` (see [`AlertFacts`]), read like the Overview but without the
/// History Logs (the most of an instance, which no alert reads).
pub fn load_alert_facts(
    store: &Store,
    data_source: impl Fn(DatabaseKey) -> Option<String>,
    rule: &StuckRule,
    operator: &str,
    now: DateTime<Utc>,
) -> Result<AlertFacts> {
    let without_history = &INSTANCE_FIELDS[..INSTANCE_FIELDS.len() - 1];
    let index = load_index(store, data_source, without_history)?;
    Ok(AlertFacts::of(&index, rule, operator, now))
}

fn load_index(
    store: &Store,
    data_source: impl Fn(DatabaseKey) -> Option<String>,
    instance_fields: &[&str],
) -> Result<OverviewIndex> {
    let all = RecordFilter::default();
    let workflows = store
        .records(DatabaseKey::WorkflowsLibrary, &all)?
        .iter()
        .map(|s| WorkflowFacts::from_workflow(&Workflow::from_record(&s.record)))
        .collect();
    // One record at a time, only the fields the facts read: 100,000 instances are never
    // all held as records (their History Logs parsed and dropped one by one).
    let mut instances = Vec::new();
    // One copy of each actor and action text (a handful, repeated in every log).
    let mut texts: HashSet<Arc<str>> = HashSet::new();
    let mut share = |text: &mut Arc<str>| match texts.get(text) {
        Some(shared) => *text = Arc::clone(shared),
        None => drop(texts.insert(Arc::clone(text))),
    };
    store.each_record_unordered(DatabaseKey::ActiveWorkflowInstances, instance_fields, |s| {
        let mut facts = InstanceFacts::from_instance(&WorkflowInstance::from_record(&s.record));
        for moment in &mut facts.history {
            share(&mut moment.actor);
            share(&mut moment.action);
        }
        instances.push(facts);
        Ok(())
    })?;
    let mut tasks = Vec::new();
    store.each_record_unordered(DatabaseKey::Tasks, &TASK_FIELDS, |s| {
        tasks.push(TaskFacts::from_task(
            &Task::from_record(&s.record),
            Some(&s.created_time),
        ));
        Ok(())
    })?;
    store.release_memory()?;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The loader reads only some fields of each record: the facts must be those of the
    /// whole record.
    #[test]
    fn facts_read_from_the_listed_fields_are_the_whole_records_facts() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.sqlite")).unwrap();
        store.seed_demo(chrono::Utc::now()).unwrap();
        let all = RecordFilter::default();
        let whole: Vec<InstanceFacts> = store
            .records(DatabaseKey::ActiveWorkflowInstances, &all)
            .unwrap()
            .iter()
            .map(|s| InstanceFacts::from_instance(&WorkflowInstance::from_record(&s.record)))
            .collect();
        let mut listed = Vec::new();
        store
            .each_record_summary(
                DatabaseKey::ActiveWorkflowInstances,
                &INSTANCE_FIELDS,
                None,
                |s| {
                    listed.push(InstanceFacts::from_instance(
                        &WorkflowInstance::from_record(&s.record),
                    ));
                    Ok(())
                },
            )
            .unwrap();
        assert!(whole.iter().any(|f| !f.history.is_empty()));
        assert_eq!(listed, whole);
        let whole: Vec<TaskFacts> = store
            .records(DatabaseKey::Tasks, &all)
            .unwrap()
            .iter()
            .map(|s| TaskFacts::from_task(&Task::from_record(&s.record), Some(&s.created_time)))
            .collect();
        let mut listed = Vec::new();
        store
            .each_record_summary(DatabaseKey::Tasks, &TASK_FIELDS, None, |s| {
                listed.push(TaskFacts::from_task(
                    &Task::from_record(&s.record),
                    Some(&s.created_time),
                ));
                Ok(())
            })
            .unwrap();
        assert!(!whole.is_empty());
        assert_eq!(listed, whole);
    }
}
