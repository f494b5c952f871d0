//! Writes through the engine, as the dashboard and the commands make them, and the blind
//! agent of the original server: shared by the tests of the write path.

use chrono::Utc;
use hsn::cli::session::store_path;
use hsn::domain::history::HistoryLog;
use hsn::domain::models::{Workflow, WorkflowInstance};
use hsn::domain::schema::DatabaseKey;
use hsn::domain::workflow::StateMachine;
use hsn::domain::write::{TaskRequest, plan_advance, plan_new_task};
use hsn::notion::NotionClient;
use hsn::store::Store;
use hsn::sync::{Backend, Engine};
use serde_json::{Value, json};

use super::Workspace;

pub async fn engine(ws: &Workspace, name: &str) -> Engine {
    engine_with(ws, name, super::client_for(&ws.base)).await
}

/// `engine`, on a client of the caller's (a request budget, say).
pub async fn engine_with(ws: &Workspace, name: &str, client: NotionClient) -> Engine {
    let dir = ws.dir.path().join(name);
    let engine = Engine::new(
        Store::open(&store_path(&dir, &ws.sources)).unwrap(),
        Backend::Notion {
            client,
            sources: ws.sources.clone(),
        },
    );
    for key in [
        DatabaseKey::WorkflowsLibrary,
        DatabaseKey::ActiveWorkflowInstances,
    ] {
        engine.refresh(key, false).await.unwrap();
    }
    engine
}

pub fn machine(engine: &Engine, ws: &Workspace) -> StateMachine {
    let workflow = engine.store().record(&ws.workflow).unwrap().unwrap().record;
    StateMachine::from_workflow(&Workflow::from_record(&workflow)).unwrap()
}

pub fn queue_advance(engine: &Engine, ws: &Workspace, page: &str, to: &str, actor: &str) {
    let instance = engine.store().record(page).unwrap().unwrap().record;
    let (write, after) = plan_advance(
        &instance,
        &machine(engine, ws),
        None,
        to,
        None,
        actor,
        Utc::now(),
    )
    .unwrap();
    engine.submit(&write, vec![after]).unwrap();
}

/// Queues a task made from the instance `page`; returns its Task ID.
pub fn queue_task(engine: &Engine, page: &str, name: &str, actor: &str) -> String {
    let instance = engine.store().record(page).unwrap().unwrap().record;
    let task_id = format!("TASK-{:08x}", fastrand::u32(..));
    let request = TaskRequest {
        name: name.to_string(),
        ..Default::default()
    };
    let (write, task, after) = plan_new_task(
        &instance,
        &request,
        &task_id,
        &format!("local:{task_id}"),
        actor,
        Utc::now(),
    )
    .unwrap();
    engine.submit(&write, vec![task, after]).unwrap();
    task_id
}

/// The log as Notion holds it: the actions, in order.
pub async fn actions(client: &NotionClient, page: &str) -> Vec<String> {
    let page = client.retrieve_page(page).await.unwrap();
    HistoryLog::decode(&WorkflowInstance::from_page(&page).history_log)
        .history_entries()
        .map(|e| e.action().to_string())
        .collect()
}

/// The original agents' way: read the page, parse the whole array, append an entry with a
/// naive `isoformat()` timestamp, write the whole array back. No merge, no check.
pub async fn agent_read(client: &NotionClient, page: &str) -> Vec<Value> {
    let page = client.retrieve_page(page).await.unwrap();
    let text = WorkflowInstance::from_page(&page).history_log;
    if text.trim().is_empty() {
        Vec::new()
    } else {
        serde_json::from_str(&text).unwrap()
    }
}

pub async fn agent_write(client: &NotionClient, page: &str, mut log: Vec<Value>, what: &str) {
    log.push(json!({
        "timestamp": Utc::now().naive_utc().format("%Y-%m-%dT%H:%M:%S%.6f").to_string(),
        "action": format!("[LeadCaptureAgent] {what}"),
        "details": {"source": "typeform", "score": 80},
    }));
    let text = serde_json::to_string(&log).unwrap();
    let chunks: Vec<Value> = text
        .chars()
        .collect::<Vec<_>>()
        .chunks(2000)
        .map(|c| json!({"text": {"content": c.iter().collect::<String>()}}))
        .collect();
    client
        .update_page(page, json!({"History Log": {"rich_text": chunks}}))
        .await
        .unwrap();
}

/// An instance as Notion holds it now.
pub async fn instance(ws: &Workspace, page: &str) -> WorkflowInstance {
    WorkflowInstance::from_page(&ws.client.retrieve_page(page).await.unwrap())
}

/// The Master Tasks pages with this Task ID in Notion.
pub fn tasks_named(ws: &Workspace, task_id: &str) -> Vec<Value> {
    ws.fake
        .pages_in(&ws.source(DatabaseKey::Tasks))
        .into_iter()
        .filter(|p| p["properties"]["Task ID"]["title"][0]["plain_text"] == task_id)
        .collect()
}

/// The newest write of the engine's outbox.
pub fn last_seq(engine: &Engine) -> i64 {
    engine.store().all_writes().unwrap().last().unwrap().seq
}
