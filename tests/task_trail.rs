//! A task edit leaves its trail: one entry in the History Log of the task's workflow
//! instance, written after the task in the same write (never twice, whatever answer was
//! lost), or, for a task with no instance, a row of hsn's store once the edit is confirmed.

mod support;

use support::{hsn, stdout};

use chrono::Utc;
use fake_notion::Fault;
use hsn::domain::history::{EntryKind, HistoryEntry, HistoryLog};
use hsn::domain::models::WorkflowInstance;
use hsn::domain::schema::DatabaseKey;
use hsn::domain::write::{TaskChanges, plan_task_changes};
use hsn::notion::PageParent;
use hsn::store::OutboxState;
use hsn::sync::Engine;
use serde_json::json;
use support::writes::{engine, last_seq, queue_task, tasks_named};

/// The entries of the instance's log in Notion that record edits of `task_id`.
async fn edits_of(ws: &support::Workspace, instance: &str, task_id: &str) -> Vec<HistoryEntry> {
    let page = ws.client.retrieve_page(instance).await.unwrap();
    HistoryLog::decode(&WorkflowInstance::from_page(&page).history_log)
        .history_entries()
        .filter(|e| e.edited_task() == Some(task_id))
        .cloned()
        .collect()
}

/// The PATCHes of pages the fake received since request `from`, by page id prefix.
fn patched_pages(ws: &support::Workspace, from: usize) -> Vec<String> {
    ws.fake.requests()[from..]
        .iter()
        .filter(|r| r.method == "PATCH" && r.path.starts_with("/v1/pages/"))
        .map(|r| r.path["/v1/pages/".len()..].to_string())
        .collect()
}

fn page_of(ws: &support::Workspace, task_id: &str) -> String {
    tasks_named(ws, task_id)[0]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A task made from INST-0001 through the engine and confirmed; its Task ID and page.
async fn made_task(ws: &support::Workspace, engine: &Engine) -> (String, String) {
    let task_id = queue_task(engine, &ws.instance, "Call Jane", "alice");
    engine.drain().await.unwrap();
    let page = page_of(ws, &task_id);
    (task_id, page)
}

/// Queues `changes` to the task `page` by alice; the write's number.
fn queue_edit(engine: &Engine, page: &str, changes: &TaskChanges) -> i64 {
    let task = engine.store().record(page).unwrap().unwrap().record;
    let (write, after) = plan_task_changes(&task, changes, "alice", Utc::now()).unwrap();
    engine.submit(&write, vec![after]).unwrap()
}

fn status(value: &str) -> TaskChanges {
    TaskChanges {
        status: Some(value.into()),
        ..TaskChanges::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn task_set_records_one_entry_by_the_operator_in_the_instance() {
    let ws = support::workspace().await;
    let task_id = stdout(
        &hsn(
            &ws,
            &["task", "new", "--instance", "INST-0001", "--name", "Call"],
        )
        .await,
    )
    .trim()
    .to_string();
    stdout(
        &hsn(
            &ws,
            &[
                "task",
                "set",
                &task_id,
                "--status",
                "done",
                "--note",
                "she called back",
            ],
        )
        .await,
    );
    let edits = edits_of(&ws, &ws.instance, &task_id).await;
    assert_eq!(edits.len(), 1, "{edits:?}");
    let entry = &edits[0];
    assert_eq!(
        entry.action(),
        format!("[grace] Task {task_id}: status To Do → Done")
    );
    assert_eq!(entry.actor(), Some("grace"));
    assert_eq!(entry.note(), Some("she called back"));
    assert_eq!(entry.kind(), EntryKind::TaskEdit);
    assert_eq!(entry.transition_states(), None);
    assert_eq!(entry.details()["task"], task_id.as_str());
    assert_eq!(
        entry.details()["changes"],
        json!([{"column": "Status", "from": "To Do", "to": "Done"}])
    );
    // The instance did not move: its state is still its own.
    let page = ws.client.retrieve_page(&ws.instance).await.unwrap();
    assert_eq!(WorkflowInstance::from_page(&page).current_state, "inquiry");
}

/// The answer to the task's update is lost after Notion applied it: the retry finds the
/// task changed and writes only the entry, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_after_the_tasks_answer_was_lost_writes_the_entry_once() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    let (task_id, page) = made_task(&ws, &alice).await;
    let seq = queue_edit(&alice, &page, &status("Done"));
    ws.fake.push_fault_for(
        "PATCH",
        &format!("/v1/pages/{}", &page[..8]),
        Fault::DropAfterApply,
    );
    let first = alice.drain().await.unwrap();
    assert_eq!((first.sent, first.waiting), (0, 1), "the answer was lost");
    assert!(edits_of(&ws, &ws.instance, &task_id).await.is_empty());

    let before = ws.fake.requests().len();
    let again = alice.drain().await.unwrap();
    assert_eq!(again.sent, 1, "{again:?}");
    assert!(
        !patched_pages(&ws, before)
            .iter()
            .any(|p| p.starts_with(&page[..8])),
        "the task is not sent again"
    );
    assert_eq!(edits_of(&ws, &ws.instance, &task_id).await.len(), 1);
    // The cached instance is Notion's: one entry, nothing pending.
    let cached = alice.store().record(&ws.instance).unwrap().unwrap();
    let log = HistoryLog::decode(&WorkflowInstance::from_record(&cached.record).history_log);
    assert_eq!(
        log.history_entries()
            .filter(|e| e.edited_task() == Some(&task_id))
            .count(),
        1
    );
    assert_eq!(cached.pending, 0);
    assert_eq!(
        alice.store().write_state(seq).unwrap().unwrap().state,
        OutboxState::Done
    );
}

/// The answer to the entry's write is lost after Notion applied it: the retry finds the
/// entry in the log and sends nothing at all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_after_the_entrys_answer_was_lost_sends_nothing() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    let (task_id, page) = made_task(&ws, &alice).await;
    queue_edit(&alice, &page, &status("Done"));
    ws.fake.push_fault_for(
        "PATCH",
        &format!("/v1/pages/{}", &ws.instance[..8]),
        Fault::DropAfterApply,
    );
    let first = alice.drain().await.unwrap();
    assert_eq!((first.sent, first.waiting), (0, 1), "the answer was lost");
    assert_eq!(edits_of(&ws, &ws.instance, &task_id).await.len(), 1);

    let before = ws.fake.requests().len();
    let again = alice.drain().await.unwrap();
    assert_eq!(again.sent, 1);
    assert_eq!(again.notes[0].2, "already applied");
    assert!(patched_pages(&ws, before).is_empty(), "nothing sent again");
    assert_eq!(edits_of(&ws, &ws.instance, &task_id).await.len(), 1);
}

/// An undo refused because the task changed since writes no entry.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_undo_records_nothing() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    let (task_id, page) = made_task(&ws, &alice).await;
    let task = alice.store().record(&page).unwrap().unwrap().record;
    let (edit, edited) = plan_task_changes(&task, &status("Done"), "alice", Utc::now()).unwrap();
    alice.submit(&edit, vec![edited.clone()]).unwrap();
    alice.drain().await.unwrap();
    let (undo, back) = hsn::domain::write::plan_undo(&edit, &edited, "alice", Utc::now()).unwrap();
    alice.submit(&undo, vec![back]).unwrap();
    // Someone else sets the task on before the undo goes.
    ws.client
        .update_page(&page, json!({"Status": {"select": {"name": "Cancelled"}}}))
        .await
        .unwrap();
    alice.drain().await.unwrap();
    let seq = last_seq(&alice);
    assert_eq!(
        alice.store().write_state(seq).unwrap().unwrap().state,
        OutboxState::Failed
    );
    let edits = edits_of(&ws, &ws.instance, &task_id).await;
    assert_eq!(edits.len(), 1, "only the edit's, not the undo's: {edits:?}");
}

/// A task with no workflow instance: Notion gets only the task's update; the entry is kept
/// in hsn's store once the edit is confirmed, and the outcome says where.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_with_no_instance_keeps_its_trail_in_the_store_once_confirmed() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    let lone = |id: &str| {
        json!({
            "Task ID": {"title": [{"text": {"content": id}}]},
            "Task Name": {"rich_text": [{"text": {"content": "Water the plants"}}]},
            "Status": {"select": {"name": "To Do"}},
        })
    };
    let tasks = PageParent::DataSource(ws.source(DatabaseKey::Tasks));
    let page = ws
        .client
        .create_page(tasks.clone(), lone("TASK-0000aaaa"))
        .await
        .unwrap()
        .id;
    let refused_page = ws
        .client
        .create_page(tasks, lone("TASK-0000bbbb"))
        .await
        .unwrap()
        .id;
    alice.refresh(DatabaseKey::Tasks, false).await.unwrap();

    // Refused by Notion: no trail.
    queue_edit(&alice, &refused_page, &status("Done"));
    ws.fake.push_fault_for(
        "PATCH",
        &format!("/v1/pages/{}", &refused_page[..8]),
        Fault::Status(400),
    );
    alice.drain().await.unwrap();
    let seq = last_seq(&alice);
    assert_eq!(
        alice.store().write_state(seq).unwrap().unwrap().state,
        OutboxState::Failed
    );

    queue_edit(&alice, &page, &status("Done"));
    assert!(
        alice.store().task_trail(None).unwrap().is_empty(),
        "nothing kept before it is confirmed (nor for the refused edit)"
    );
    let before = ws.fake.requests().len();
    let report = alice.drain().await.unwrap();
    assert_eq!(report.sent, 1);
    assert_eq!(
        report.notes[0].2,
        "applied (no workflow instance: the trail is kept in hsn's store only)"
    );
    let patched = patched_pages(&ws, before);
    assert_eq!(patched.len(), 1, "the task only: {patched:?}");
    assert!(patched[0].starts_with(&page[..8]));

    let trail = alice.store().task_trail(None).unwrap();
    assert_eq!(trail.len(), 1, "{trail:?}");
    let (task_page, task_id, entry) = &trail[0];
    assert_eq!(
        (task_page.as_str(), task_id.as_str()),
        (page.as_str(), "TASK-0000aaaa")
    );
    assert_eq!(
        entry.action(),
        "[alice] Task TASK-0000aaaa: status To Do → Done"
    );
    let since_later = alice
        .store()
        .task_trail(Some(entry.timestamp() + chrono::Duration::seconds(1)))
        .unwrap();
    assert!(since_later.is_empty());
}

/// `hsn task set A B --priority High` on two tasks of one instance: two entries, neither
/// lost to the other (each write merges into the log as it is then).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_edit_of_two_tasks_of_one_instance_records_both() {
    let ws = support::workspace().await;
    let mut ids = Vec::new();
    for name in ["Call", "Write"] {
        let made = hsn(
            &ws,
            &["task", "new", "--instance", "INST-0001", "--name", name],
        )
        .await;
        ids.push(stdout(&made).trim().to_string());
    }
    let set = hsn(
        &ws,
        &[
            "task",
            "set",
            &ids[0],
            &ids[1],
            "--priority",
            "High",
            "--yes",
        ],
    )
    .await;
    stdout(&set);
    for id in &ids {
        let edits = edits_of(&ws, &ws.instance, id).await;
        assert_eq!(edits.len(), 1, "{id}: {edits:?}");
        assert_eq!(
            edits[0].summary(),
            format!("Task {id}: priority Medium → High")
        );
    }
    // And both creations: nothing of the log was lost.
    let page = ws.client.retrieve_page(&ws.instance).await.unwrap();
    let log = HistoryLog::decode(&WorkflowInstance::from_page(&page).history_log);
    let kinds: Vec<EntryKind> = log.history_entries().map(HistoryEntry::kind).collect();
    assert_eq!(
        kinds,
        [
            EntryKind::TaskCreated,
            EntryKind::TaskCreated,
            EntryKind::TaskEdit,
            EntryKind::TaskEdit
        ]
    );
}
