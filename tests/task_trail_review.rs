//! What a fresh review of the task edit's trail tried to break: an edit Notion applied
//! whose entry failed and whose task was then changed by someone else, the audit log's
//! pending mark through refusal and confirmation, an entry a blind writer dropped, an
//! undo's own entry, a log with no room left.

mod support;

use chrono::Utc;
use fake_notion::Fault;
use hsn::domain::history::HistoryLog;
use hsn::domain::models::WorkflowInstance;
use hsn::domain::schema::DatabaseKey;
use hsn::domain::write::{plan_task_changes, plan_undo};
use hsn::store::OutboxState;
use serde_json::json;
use support::trail::{
    edits_of, indexed_edits, made_task, queue_edit, state_of, status, task_status,
};
use support::writes::{agent_read, agent_write, engine, last_seq, queue_task, tasks_named};

/// Notion applied the task's update (and said so), the entry's write then failed for now,
/// and before the retry someone else set the task on. hsn knew its edit landed: the retry
/// must still record it (it happened), not take it for an edit that may never have landed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_known_landed_keeps_its_entry_when_the_task_changes_before_the_retry() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    let (task_id, page) = made_task(&ws, &alice).await;
    let (_, seq) = queue_edit(&alice, &page, &status("Done", None));
    for _ in 0..20 {
        ws.fake.push_fault_for(
            "PATCH",
            &format!("/v1/pages/{}", &ws.instance[..8]),
            Fault::Status(500),
        );
    }
    let first = alice.drain().await.unwrap();
    ws.fake.clear_faults();
    assert_eq!((first.sent, first.waiting), (0, 1), "{first:?}");
    assert_eq!(task_status(&ws, &page).await.as_deref(), Some("Done"));
    assert!(edits_of(&ws, &task_id).await.is_empty());

    // Someone closes it another way before hsn tries again.
    ws.client
        .update_page(&page, json!({"Status": {"select": {"name": "Cancelled"}}}))
        .await
        .unwrap();
    let again = alice.drain().await.unwrap();
    assert_eq!(again.sent, 1, "{again:?}");
    assert_eq!(state_of(&alice, seq), OutboxState::Done);
    let edits = edits_of(&ws, &task_id).await;
    assert_eq!(
        edits.len(),
        1,
        "the edit landed (Notion answered it): its entry is owed: {:?}",
        again.notes
    );
    assert_eq!(
        edits[0].summary(),
        format!("Task {task_id}: status To Do → Done")
    );
    assert_eq!(
        task_status(&ws, &page).await.as_deref(),
        Some("Cancelled"),
        "the later change stands"
    );
}

/// The audit log's index follows the write: pending while queued, gone when Notion refuses
/// it, there once and no longer pending when confirmed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_indexed_entry_is_pending_then_gone_when_refused_and_once_when_confirmed() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    let (task_id, page) = made_task(&ws, &alice).await;

    let (_, refused) = queue_edit(&alice, &page, &status("Done", Some("first try")));
    let rows = indexed_edits(&alice, &task_id);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0].pending);
    ws.fake.push_fault_for(
        "PATCH",
        &format!("/v1/pages/{}", &page[..8]),
        Fault::Status(400),
    );
    alice.drain().await.unwrap();
    assert_eq!(state_of(&alice, refused), OutboxState::Failed);
    assert!(indexed_edits(&alice, &task_id).is_empty());
    assert!(edits_of(&ws, &task_id).await.is_empty());

    let (_, confirmed) = queue_edit(&alice, &page, &status("Done", Some("second try")));
    alice.drain().await.unwrap();
    assert_eq!(state_of(&alice, confirmed), OutboxState::Done);
    let rows = indexed_edits(&alice, &task_id);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(!rows[0].pending);
    assert_eq!(rows[0].activity.note.as_deref(), Some("second try"));
    // A later refresh of the instances changes nothing of it.
    alice
        .refresh(DatabaseKey::ActiveWorkflowInstances, true)
        .await
        .unwrap();
    let rows = indexed_edits(&alice, &task_id);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(!rows[0].pending);
}

/// A blind writer that read the log before the edit's entry and wrote after drops it: the
/// next sync queues it back, and the log holds it once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_edit_entry_a_blind_writer_drops_is_put_back() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    let (task_id, page) = made_task(&ws, &alice).await;
    let agent_saw = agent_read(&ws.client, &ws.instance).await;
    queue_edit(&alice, &page, &status("Done", None));
    assert_eq!(alice.drain().await.unwrap().sent, 1);
    assert_eq!(edits_of(&ws, &task_id).await.len(), 1);
    agent_write(&ws.client, &ws.instance, agent_saw, "Lead scored").await;
    assert!(
        edits_of(&ws, &task_id).await.is_empty(),
        "the agent dropped it"
    );

    let refreshed = alice
        .refresh(DatabaseKey::ActiveWorkflowInstances, false)
        .await
        .unwrap();
    assert_eq!(refreshed.restoring, 1);
    let report = alice.drain().await.unwrap();
    assert_eq!((report.sent, report.failed.len()), (1, 0), "{report:?}");
    assert_eq!(edits_of(&ws, &task_id).await.len(), 1);
    let rows = indexed_edits(&alice, &task_id);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(!rows[0].pending);
}

/// An undo of an edit is an edit of its own, recorded in the log after the edit it undoes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_undo_of_a_task_edit_records_its_own_entry() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    let (task_id, page) = made_task(&ws, &alice).await;
    let (edit, _) = queue_edit(&alice, &page, &status("Done", None));
    alice.drain().await.unwrap();
    let current = alice.store().record(&page).unwrap().unwrap().record;
    let (undo, back) = plan_undo(&edit, &current, "alice", Utc::now()).unwrap();
    let seq = alice
        .submit_undo(&undo, vec![back], last_seq(&alice))
        .unwrap();
    alice.drain().await.unwrap();
    assert_eq!(state_of(&alice, seq), OutboxState::Done);
    let summaries: Vec<String> = edits_of(&ws, &task_id)
        .await
        .iter()
        .map(|e| e.summary().to_string())
        .collect();
    assert_eq!(
        summaries,
        [
            format!("Task {task_id}: status To Do → Done"),
            format!("Task {task_id}: status Done → To Do"),
        ]
    );
}

/// Two edits of one task queued together go in order, each recorded from the value the
/// other left: `To Do → In Progress`, then `In Progress → Done`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_queued_edits_of_one_task_record_both_in_order() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    let (task_id, page) = made_task(&ws, &alice).await;
    queue_edit(&alice, &page, &status("In Progress", None));
    queue_edit(&alice, &page, &status("Done", None));
    let report = alice.drain().await.unwrap();
    assert_eq!(report.sent, 2, "{report:?}");
    let summaries: Vec<String> = edits_of(&ws, &task_id)
        .await
        .iter()
        .map(|e| e.summary().to_string())
        .collect();
    assert_eq!(
        summaries,
        [
            format!("Task {task_id}: status To Do → In Progress"),
            format!("Task {task_id}: status In Progress → Done"),
        ]
    );
    assert!(indexed_edits(&alice, &task_id).iter().all(|r| !r.pending));
}

/// A log with no room for the entry (a long note over a nearly full log). Seen in the
/// cache, the edit is refused before anything is queued; grown in Notion since the last
/// sync, the task is changed and the write is done with a partial outcome saying so, and
/// neither the cached instance nor the audit log's index keeps an entry Notion lacks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_entry_with_no_room_in_the_log_is_refused_or_a_partial_outcome_and_leaves_no_trace() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    let (task_id, page) = made_task(&ws, &alice).await;
    // The agent fills the log to about 197,000 characters.
    let mut log = agent_read(&ws.client, &ws.instance).await;
    let padding = "x".repeat(1800);
    while serde_json::to_string(&log).unwrap().len() < 197_000 {
        log.push(json!({
            "timestamp": "2026-01-01T00:00:00",
            "action": "[LeadCaptureAgent] Lead scored",
            "details": {"padding": padding},
        }));
    }
    agent_write(&ws.client, &ws.instance, log, "Lead scored").await;
    let note = "n".repeat(2000);

    let (_, seq) = queue_edit(&alice, &page, &status("Done", Some(&note)));
    let report = alice.drain().await.unwrap();
    assert_eq!(state_of(&alice, seq), OutboxState::Done, "{report:?}");
    let outcome = &report.notes[0].2;
    assert!(outcome.starts_with("partly done"), "{outcome}");
    assert_eq!(task_status(&ws, &page).await.as_deref(), Some("Done"));
    assert!(edits_of(&ws, &task_id).await.is_empty());
    let cached = alice.store().record(&ws.instance).unwrap().unwrap();
    let cached = HistoryLog::decode(&WorkflowInstance::from_record(&cached.record).history_log);
    assert!(
        !cached
            .history_entries()
            .any(|e| e.edited_task() == Some(&task_id))
    );
    assert!(indexed_edits(&alice, &task_id).is_empty());

    // Once a sync brings the full log, the next such edit is refused, nothing queued.
    alice
        .refresh(DatabaseKey::ActiveWorkflowInstances, true)
        .await
        .unwrap();
    let queued = alice.store().all_writes().unwrap().len();
    let task = alice.store().record(&page).unwrap().unwrap().record;
    let (write, after) =
        plan_task_changes(&task, &status("To Do", Some(&note)), "alice", Utc::now()).unwrap();
    let refused = alice.submit(&write, vec![after]).unwrap_err().to_string();
    assert!(
        refused.contains("does not fit in the History Log"),
        "{refused}"
    );
    assert_eq!(alice.store().all_writes().unwrap().len(), queued);
    let cached = alice.store().record(&page).unwrap().unwrap().record;
    assert_eq!(
        cached.get::<Option<String>>("Status").as_deref(),
        Some("Done")
    );
}

/// An edit of a task made in hsn and not yet confirmed (`local:TASK-…`): it follows the
/// real page, and its entry names that page, once, after the creation's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_of_a_task_not_yet_created_records_the_real_page() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    let task_id = queue_task(&alice, &ws.instance, "Call Jane", "alice");
    let (_, seq) = queue_edit(&alice, &format!("local:{task_id}"), &status("Done", None));
    let rows = indexed_edits(&alice, &task_id);
    assert_eq!(rows.len(), 1, "shown at once: {rows:?}");
    assert!(rows[0].pending);
    let report = alice.drain().await.unwrap();
    assert_eq!(report.sent, 2, "{report:?}");
    assert_eq!(state_of(&alice, seq), OutboxState::Done);
    let page = tasks_named(&ws, &task_id)[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let edits = edits_of(&ws, &task_id).await;
    assert_eq!(edits.len(), 1, "{edits:?}");
    assert_eq!(edits[0].details()["task_page"], page.as_str());
    let rows = indexed_edits(&alice, &task_id);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(!rows[0].pending);
    assert_eq!(rows[0].activity.details["task_page"], page.as_str());
}

/// Two processes on one store drain the same queued edit at once: one sends it, the task
/// is updated once and the log holds one entry.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_one_store_send_an_edit_once() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    let other = engine(&ws, "alice").await;
    let (task_id, page) = made_task(&ws, &alice).await;
    queue_edit(&alice, &page, &status("Done", None));
    // The task's update is slow: the other process drains meanwhile.
    ws.fake.push_fault_for(
        "PATCH",
        &format!("/v1/pages/{}", &page[..8]),
        Fault::Delay(std::time::Duration::from_millis(300)),
    );
    let before = ws.fake.requests().len();
    let (one, two) = tokio::join!(alice.drain(), other.drain());
    let (one, two) = (one.unwrap(), two.unwrap());
    assert_eq!(one.sent + two.sent, 1, "{one:?} {two:?}");
    let task_patches = ws.fake.requests()[before..]
        .iter()
        .filter(|r| r.method == "PATCH" && r.path.contains(&page[..8]))
        .count();
    assert_eq!(task_patches, 1);
    assert_eq!(edits_of(&ws, &task_id).await.len(), 1);
    other.drain().await.unwrap();
    alice.drain().await.unwrap();
    assert_eq!(edits_of(&ws, &task_id).await.len(), 1);
    assert_eq!(indexed_edits(&other, &task_id).len(), 1);
}

/// The task's update landed and the entry's write met the workspace's block limit (a
/// refusal no retry of hsn's fixes): the edit is done with a partial outcome naming why
/// the entry is missing, never held to be sent again over a later change of the task.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_entry_refused_by_the_block_limit_is_a_partial_outcome_never_resent() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    let (task_id, page) = made_task(&ws, &alice).await;
    let (_, seq) = queue_edit(&alice, &page, &status("Done", None));
    ws.fake.push_fault_for(
        "PATCH",
        &format!("/v1/pages/{}", &ws.instance[..8]),
        Fault::BlockLimit,
    );
    let report = alice.drain().await.unwrap();
    assert_eq!(state_of(&alice, seq), OutboxState::Done, "{report:?}");
    let outcome = &report.notes[0].2;
    assert!(
        outcome.starts_with("partly done") && outcome.contains("free blocks"),
        "{outcome}"
    );
    assert_eq!(task_status(&ws, &page).await.as_deref(), Some("Done"));
    assert!(edits_of(&ws, &task_id).await.is_empty());
    assert!(indexed_edits(&alice, &task_id).is_empty());

    ws.client
        .update_page(&page, json!({"Status": {"select": {"name": "Cancelled"}}}))
        .await
        .unwrap();
    let before = ws.fake.requests().len();
    assert_eq!(alice.drain().await.unwrap().sent, 0);
    assert!(
        !ws.fake.requests()[before..]
            .iter()
            .any(|r| r.method == "PATCH"),
        "nothing sent again"
    );
    assert_eq!(task_status(&ws, &page).await.as_deref(), Some("Cancelled"));
}

/// A queued edit the operator drops leaves the audit log's index with it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_edit_leaves_the_index() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    let (task_id, page) = made_task(&ws, &alice).await;
    let (_, seq) = queue_edit(&alice, &page, &status("Done", None));
    assert_eq!(indexed_edits(&alice, &task_id).len(), 1);
    alice.store().drop_write(seq).unwrap();
    assert!(indexed_edits(&alice, &task_id).is_empty());
    let cached = alice.store().record(&ws.instance).unwrap().unwrap();
    assert_eq!(cached.pending, 0);
}
