//! A task edit's trail when answers are lost and blind writers rewrite the log meanwhile,
//! and the store's trail of a task with no instance in the audit log's index.

mod support;

use fake_notion::Fault;
use hsn::domain::activity::{ActivityFilter, ActivityKind};
use hsn::domain::schema::DatabaseKey;
use hsn::notion::PageParent;
use hsn::store::OutboxState;
use serde_json::json;
use support::trail::{edits_of, made_task, queue_edit, state_of, status, task_status};
use support::writes::{agent_read, agent_write, engine};

/// Both answers are lost (the task's and the entry's, each after Notion applied it); a
/// blind writer then drops the entry and someone sets the task on. The retry puts the
/// entry back, once, and leaves the task as it now is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_entry_landed_unanswered_then_dropped_by_an_agent_is_written_again_once() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    let (task_id, page) = made_task(&ws, &alice).await;
    let agent_saw = agent_read(&ws.client, &ws.instance).await;
    let (_, seq) = queue_edit(&alice, &page, &status("Done", None));
    ws.fake.push_fault_for(
        "PATCH",
        &format!("/v1/pages/{}", &ws.instance[..8]),
        Fault::DropAfterApply,
    );
    let first = alice.drain().await.unwrap();
    assert_eq!((first.sent, first.waiting), (0, 1), "{first:?}");
    assert_eq!(edits_of(&ws, &task_id).await.len(), 1, "it landed");
    agent_write(&ws.client, &ws.instance, agent_saw, "Lead scored").await;
    ws.client
        .update_page(&page, json!({"Status": {"select": {"name": "Cancelled"}}}))
        .await
        .unwrap();
    assert!(
        edits_of(&ws, &task_id).await.is_empty(),
        "the agent dropped it"
    );

    let again = alice.drain().await.unwrap();
    assert_eq!(again.sent, 1, "{again:?}");
    assert_eq!(state_of(&alice, seq), OutboxState::Done);
    assert_eq!(edits_of(&ws, &task_id).await.len(), 1);
    assert_eq!(task_status(&ws, &page).await.as_deref(), Some("Cancelled"));
}

/// The edit of a task with no instance is in the audit log's index once it is confirmed,
/// once, not pending, and stays once through later syncs; nothing while it is queued.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_trail_is_indexed_once_when_confirmed() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    let tasks = PageParent::DataSource(ws.source(DatabaseKey::Tasks));
    let page = ws
        .client
        .create_page(
            tasks,
            json!({
                "Task ID": {"title": [{"text": {"content": "TASK-0000cccc"}}]},
                "Status": {"select": {"name": "To Do"}},
            }),
        )
        .await
        .unwrap()
        .id;
    alice.refresh(DatabaseKey::Tasks, false).await.unwrap();
    let rows = || {
        let filter = ActivityFilter {
            kinds: vec![ActivityKind::Task],
            ..ActivityFilter::default()
        };
        alice
            .store()
            .activity(&filter, None)
            .unwrap()
            .into_iter()
            .filter(|r| r.activity.action.contains("TASK-0000cccc"))
            .collect::<Vec<_>>()
    };
    queue_edit(&alice, &page, &status("Done", Some("watered")));
    assert!(rows().is_empty(), "nothing before it is confirmed");
    alice.drain().await.unwrap();
    let indexed = rows();
    assert_eq!(indexed.len(), 1, "{indexed:?}");
    assert!(!indexed[0].pending);
    assert_eq!(indexed[0].activity.note.as_deref(), Some("watered"));
    for key in [DatabaseKey::Tasks, DatabaseKey::ActiveWorkflowInstances] {
        alice.refresh(key, true).await.unwrap();
    }
    assert_eq!(rows().len(), 1);
}

/// The task changed in Notion after the last sync (another writer set it In Progress):
/// the entry of an edit planned over the stale copy should say what it changed in Notion,
/// `In Progress → Done`, not `To Do → Done`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_over_a_stale_copy_records_what_notion_held() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    let (task_id, page) = made_task(&ws, &alice).await;
    ws.client
        .update_page(
            &page,
            json!({"Status": {"select": {"name": "In Progress"}}}),
        )
        .await
        .unwrap();
    queue_edit(&alice, &page, &status("Done", None));
    alice.drain().await.unwrap();
    let edits = edits_of(&ws, &task_id).await;
    assert_eq!(edits.len(), 1);
    assert_eq!(
        edits[0].summary(),
        format!("Task {task_id}: status In Progress → Done")
    );
}
