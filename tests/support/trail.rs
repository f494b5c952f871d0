//! Task edits through the engine and where their trail shows: the instance's log in
//! Notion, the audit log's index in the store. Shared by the reviews of the task trail.

use chrono::Utc;
use hsn::domain::activity::{ActivityFilter, ActivityKind};
use hsn::domain::history::{HistoryEntry, HistoryLog};
use hsn::domain::models::WorkflowInstance;
use hsn::domain::record::Record;
use hsn::domain::schema::DatabaseKey;
use hsn::domain::write::{TaskChanges, Write, plan_task_changes};
use hsn::store::{ActivityRow, OutboxState};
use hsn::sync::Engine;

use super::Workspace;
use super::writes::{queue_task, tasks_named};

/// The entries of the instance's log in Notion that record edits of `task_id`.
pub async fn edits_of(ws: &Workspace, task_id: &str) -> Vec<HistoryEntry> {
    let page = ws.client.retrieve_page(&ws.instance).await.unwrap();
    HistoryLog::decode(&WorkflowInstance::from_page(&page).history_log)
        .history_entries()
        .filter(|e| e.edited_task() == Some(task_id))
        .cloned()
        .collect()
}

/// The audit log's task rows (edits) of `task_id`, as the store indexes them.
pub fn indexed_edits(engine: &Engine, task_id: &str) -> Vec<ActivityRow> {
    let filter = ActivityFilter {
        kinds: vec![ActivityKind::Task],
        ..ActivityFilter::default()
    };
    engine
        .store()
        .activity(&filter, None)
        .unwrap()
        .into_iter()
        .filter(|row| row.activity.action.contains(&format!("Task {task_id}:")))
        .collect()
}

/// A task made from INST-0001 through the engine and confirmed; its Task ID and page.
pub async fn made_task(ws: &Workspace, engine: &Engine) -> (String, String) {
    let task_id = queue_task(engine, &ws.instance, "Call Jane", "alice");
    engine.drain().await.unwrap();
    let page = tasks_named(ws, &task_id)[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    (task_id, page)
}

pub fn status(value: &str, note: Option<&str>) -> TaskChanges {
    TaskChanges {
        status: Some(value.into()),
        note: note.map(str::to_string),
        ..TaskChanges::default()
    }
}

/// Plans and queues `changes` to the task `page` by alice: the write and its number.
pub fn queue_edit(engine: &Engine, page: &str, changes: &TaskChanges) -> (Write, i64) {
    let task = engine.store().record(page).unwrap().unwrap().record;
    let (write, after) = plan_task_changes(&task, changes, "alice", Utc::now()).unwrap();
    let seq = engine.submit(&write, vec![after]).unwrap();
    (write, seq)
}

/// The task's Status as Notion holds it.
pub async fn task_status(ws: &Workspace, page: &str) -> Option<String> {
    let task = ws.client.retrieve_page(page).await.unwrap();
    Record::from_page(DatabaseKey::Tasks, &task).get::<Option<String>>("Status")
}

pub fn state_of(engine: &Engine, seq: i64) -> OutboxState {
    engine.store().write_state(seq).unwrap().unwrap().state
}
