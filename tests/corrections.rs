//! The write kinds beyond advance and create, end to end through the engine and the fake
//! Notion: corrections (resolve, hold, revert), a task moved to the trash, a due date
//! cleared, and undo of what already went to Notion. Each is refused or done in Notion as
//! planned, never applied twice.

mod support;

use chrono::{NaiveDate, Utc};
use fake_notion::Fault;
use hsn::domain::history::{EntryKind, HistoryLog};
use hsn::domain::models::Task;
use hsn::domain::record::{Link, Record};
use hsn::domain::schema::{DatabaseKey, INSTANCE_TASKS_COLUMN};
use hsn::domain::write::{TaskChanges, Write, plan_resolve, plan_task_changes, plan_undo};
use hsn::store::{OutboxState, RecordFilter};
use hsn::sync::Engine;
use serde_json::{Value, json};
use support::writes::{
    actions, engine, instance, last_seq, queue_advance, queue_task, tasks_named,
};

fn record(engine: &Engine, page: &str) -> Record {
    engine.store().record(page).unwrap().unwrap().record
}

/// The write queued as `seq`, as the outbox keeps it.
fn queued(engine: &Engine, seq: i64) -> Write {
    serde_json::from_value(engine.store().write_state(seq).unwrap().unwrap().body).unwrap()
}

fn state_of(engine: &Engine, seq: i64) -> OutboxState {
    engine.store().write_state(seq).unwrap().unwrap().state
}

/// The page id of the task `task_id` in Notion.
fn task_page(ws: &support::Workspace, task_id: &str) -> String {
    tasks_named(ws, task_id)[0]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The PATCHes of `page` the fake received since request `from`.
fn patches_of(ws: &support::Workspace, page: &str, from: usize) -> Vec<Value> {
    let prefix = format!("/v1/pages/{}", &page[..8]);
    ws.fake.requests()[from..]
        .iter()
        .filter(|r| r.method == "PATCH" && r.path.starts_with(&prefix))
        .filter_map(|r| r.body.clone())
        .collect()
}

/// An instance in Error with `message`; its page id.
async fn failing_instance(ws: &support::Workspace, id: &str, message: &str) -> String {
    let page = ws.add_instance(id, "payment_pending", "").await;
    ws.client
        .update_page(
            &page,
            json!({
                "Status": {"status": {"name": "Error"}},
                "Error Message": {"rich_text": [{"text": {"content": message}}]},
            }),
        )
        .await
        .unwrap();
    page
}

fn resolved_entries(log: &[String]) -> usize {
    log.iter()
        .filter(|a| a.starts_with("[alice] Resolved error: Stripe webhook timed out"))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_error_is_resolved_in_notion_with_its_entry() {
    let ws = support::workspace().await;
    let page = failing_instance(&ws, "INST-0002", "Stripe webhook timed out").await;
    let alice = engine(&ws, "alice").await;
    let (write, after) =
        plan_resolve(&record(&alice, &page), Some("re-sent"), "alice", Utc::now()).unwrap();
    alice.submit(&write, vec![after]).unwrap();
    let report = alice.drain().await.unwrap();
    assert_eq!(report.sent, 1, "{report:?}");

    let now = instance(&ws, &page).await;
    assert_eq!(now.status.as_deref(), Some("Active"));
    assert_eq!(now.error_message, "");
    let log = actions(&ws.client, &page).await;
    assert_eq!(
        log,
        ["[alice] Resolved error: Stripe webhook timed out — re-sent"]
    );
    let entry = HistoryLog::decode(&now.history_log)
        .history_entries()
        .next()
        .unwrap()
        .clone();
    assert_eq!(entry.kind(), EntryKind::Correction);
    let cached = alice.store().record(&page).unwrap().unwrap();
    assert_eq!(cached.pending, 0);
    assert_eq!(
        cached.record.get::<Option<String>>("Status").as_deref(),
        Some("Active")
    );
}

/// Notion applies the resolution but its answer is lost; the retry finds its entry and
/// sends nothing: one entry, not two.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resolution_whose_answer_was_lost_is_not_applied_twice() {
    let ws = support::workspace().await;
    let page = failing_instance(&ws, "INST-0002", "Stripe webhook timed out").await;
    let alice = engine(&ws, "alice").await;
    let (write, after) = plan_resolve(&record(&alice, &page), None, "alice", Utc::now()).unwrap();
    alice.submit(&write, vec![after]).unwrap();
    ws.fake
        .push_fault_for("PATCH", "/v1/pages/", Fault::DropAfterApply);
    let first = alice.drain().await.unwrap();
    assert_eq!((first.sent, first.waiting), (0, 1), "the answer was lost");
    assert_eq!(resolved_entries(&actions(&ws.client, &page).await), 1);

    let before = ws.fake.requests().len();
    let again = alice.drain().await.unwrap();
    assert_eq!(again.sent, 1);
    assert_eq!(again.notes[0].2, "already applied");
    assert!(
        patches_of(&ws, &page, before).is_empty(),
        "nothing sent again"
    );
    assert_eq!(resolved_entries(&actions(&ws.client, &page).await), 1);
}

/// Another writer moves the instance on after our advance: its undo (a revert) is refused
/// when planned against the fresh record, and, planned against the copy read before, when
/// sent, as a conflict naming the mover. Notion is left as the other writer made it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undoing_an_advance_someone_moved_on_is_refused_and_changes_nothing() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    queue_advance(&alice, &ws, &ws.instance, "consultation", "alice");
    let seq = last_seq(&alice);
    assert_eq!(alice.drain().await.unwrap().sent, 1);
    let advance = queued(&alice, seq);
    let stale = record(&alice, &ws.instance);

    // Solari moves it on, the way hsn's other operators do.
    let solari = engine(&ws, "solari").await;
    queue_advance(&solari, &ws, &ws.instance, "quote_provided", "Solari");
    assert_eq!(solari.drain().await.unwrap().sent, 1);
    let moved = instance(&ws, &ws.instance).await;

    alice
        .refresh(DatabaseKey::ActiveWorkflowInstances, false)
        .await
        .unwrap();
    let fresh = record(&alice, &ws.instance);
    let refused = plan_undo(&advance, &fresh, "alice", Utc::now()).unwrap_err();
    assert_eq!(
        refused.to_string(),
        "INST-0001 is now in \"quote_provided\", not \"consultation\" as when you read it \
         (moved by Solari); nothing was changed"
    );

    // Planned over the copy read before Solari's move: refused when sent.
    let (revert, after) = plan_undo(&advance, &stale, "alice", Utc::now()).unwrap();
    assert!(matches!(revert, Write::Correct { .. }));
    alice.submit(&revert, vec![after]).unwrap();
    let seq = last_seq(&alice);
    let before = ws.fake.requests().len();
    alice.drain().await.unwrap();
    assert_eq!(state_of(&alice, seq), OutboxState::Failed);
    let why = alice
        .store()
        .write_state(seq)
        .unwrap()
        .unwrap()
        .last_error
        .unwrap();
    assert!(
        why.contains("now in \"quote_provided\", not \"consultation\"") && why.contains("Solari"),
        "{why}"
    );
    assert!(
        patches_of(&ws, &ws.instance, before).is_empty(),
        "nothing sent"
    );
    let after = instance(&ws, &ws.instance).await;
    assert_eq!(after.current_state, "quote_provided");
    assert_eq!(after.history_log, moved.history_log, "no entry added");
    // The cache is Notion's copy again.
    assert_eq!(
        record(&alice, &ws.instance).get::<String>("Current State"),
        "quote_provided"
    );
}

/// The undo of an advance nobody moved on: the instance is back where it was, the revert
/// is a correction in its log, and the newest change of state is the revert.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undoing_an_advance_reverts_it() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    queue_advance(&alice, &ws, &ws.instance, "consultation", "alice");
    let seq = last_seq(&alice);
    alice.drain().await.unwrap();
    let advance = queued(&alice, seq);
    let (revert, after) =
        plan_undo(&advance, &record(&alice, &ws.instance), "alice", Utc::now()).unwrap();
    alice.submit(&revert, vec![after]).unwrap();
    assert_eq!(alice.drain().await.unwrap().sent, 1);
    let now = instance(&ws, &ws.instance).await;
    assert_eq!(now.current_state, "inquiry");
    let log = HistoryLog::decode(&now.history_log);
    let last = log.last_state_change().unwrap();
    assert_eq!(
        last.action(),
        "[alice] Reverted transition from inquiry to consultation"
    );
    assert_eq!(last.transition_states(), None);
    assert_eq!(
        log.last_transition().unwrap().transition_states(),
        Some(("inquiry", "consultation"))
    );
}

/// A revert whose answer was lost, after which someone advances the instance again: the
/// retry finds its entry and sends nothing (it never reverts the new move).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revert_whose_answer_was_lost_never_reverts_twice() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    queue_advance(&alice, &ws, &ws.instance, "consultation", "alice");
    let seq = last_seq(&alice);
    alice.drain().await.unwrap();
    let advance = queued(&alice, seq);
    let (revert, after) =
        plan_undo(&advance, &record(&alice, &ws.instance), "alice", Utc::now()).unwrap();
    alice.submit(&revert, vec![after]).unwrap();
    ws.fake
        .push_fault_for("PATCH", "/v1/pages/", Fault::DropAfterApply);
    let first = alice.drain().await.unwrap();
    assert_eq!((first.sent, first.waiting), (0, 1), "the answer was lost");
    assert_eq!(instance(&ws, &ws.instance).await.current_state, "inquiry");

    let solari = engine(&ws, "solari").await;
    queue_advance(&solari, &ws, &ws.instance, "consultation", "Solari");
    assert_eq!(solari.drain().await.unwrap().sent, 1);
    let before = ws.fake.requests().len();
    let again = alice.drain().await.unwrap();
    assert_eq!(again.sent, 1);
    assert_eq!(again.notes[0].2, "already applied");
    assert!(
        patches_of(&ws, &ws.instance, before).is_empty(),
        "nothing sent again"
    );
    assert_eq!(
        instance(&ws, &ws.instance).await.current_state,
        "consultation",
        "Solari's move stands"
    );
    let reverts = actions(&ws.client, &ws.instance)
        .await
        .into_iter()
        .filter(|a| a.contains("Reverted transition"))
        .count();
    assert_eq!(reverts, 1);
}

/// A task made in hsn is linked into its instance at once (under its placeholder), then by
/// its real page; its undo moves it to Notion's trash, and hsn stops showing it as soon as
/// the undo is queued.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undoing_a_created_task_moves_it_to_the_trash() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    let task_id = queue_task(&alice, &ws.instance, "Call Jane", "alice");
    let seq = last_seq(&alice);
    assert_eq!(
        record(&alice, &ws.instance).get::<Link>(INSTANCE_TASKS_COLUMN),
        Link::Pages(vec![format!("local:{task_id}")])
    );
    assert_eq!(alice.drain().await.unwrap().sent, 1);
    let page = task_page(&ws, &task_id);
    let linked = record(&alice, &ws.instance).get::<Link>(INSTANCE_TASKS_COLUMN);
    assert_eq!(
        linked,
        Link::Pages(vec![page.clone()]),
        "the real page, not the placeholder"
    );

    let create = queued(&alice, seq);
    let (trash, after) = plan_undo(&create, &record(&alice, &page), "alice", Utc::now()).unwrap();
    assert_eq!(trash.kind(), "trash_task");
    alice.submit(&trash, vec![after]).unwrap();
    let listed = |engine: &Engine| {
        engine
            .store()
            .records(DatabaseKey::Tasks, &RecordFilter::default())
            .unwrap()
            .len()
    };
    assert_eq!(listed(&alice), 0, "hidden as soon as queued");
    assert_eq!(alice.drain().await.unwrap().sent, 1);
    assert!(ws.client.retrieve_page(&page).await.unwrap().in_trash);
    assert!(alice.store().record(&page).unwrap().is_none());

    // Sent again (say its answer was lost): the task is in the trash already.
    let before = ws.fake.requests().len();
    let (again, _) = plan_undo(
        &create,
        &record_of_page(&ws, &page).await,
        "alice",
        Utc::now(),
    )
    .unwrap();
    alice.submit(&again, Vec::new()).unwrap();
    let report = alice.drain().await.unwrap();
    assert_eq!(report.notes[0].2, "already applied");
    assert!(patches_of(&ws, &page, before).is_empty());
}

async fn record_of_page(ws: &support::Workspace, page: &str) -> Record {
    Record::from_page(
        DatabaseKey::Tasks,
        &ws.client.retrieve_page(page).await.unwrap(),
    )
}

/// A task made and drained; its page id.
async fn made_task(ws: &support::Workspace, engine: &Engine) -> String {
    let task_id = queue_task(engine, &ws.instance, "Call Jane", "alice");
    engine.drain().await.unwrap();
    task_page(ws, &task_id)
}

fn edit(engine: &Engine, page: &str, changes: &TaskChanges) -> Write {
    let (write, after) =
        plan_task_changes(&record(engine, page), changes, "alice", Utc::now()).unwrap();
    engine.submit(&write, vec![after]).unwrap();
    write
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cleared_due_date_reaches_notion_as_null() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    let page = made_task(&ws, &alice).await;
    let due = NaiveDate::from_ymd_opt(2027, 1, 5);
    edit(
        &alice,
        &page,
        &TaskChanges {
            due: Some(due),
            ..Default::default()
        },
    );
    alice.drain().await.unwrap();
    assert!(
        Task::from_page(&ws.client.retrieve_page(&page).await.unwrap())
            .due_date
            .is_some()
    );

    let before = ws.fake.requests().len();
    edit(
        &alice,
        &page,
        &TaskChanges {
            due: Some(None),
            ..Default::default()
        },
    );
    assert_eq!(alice.drain().await.unwrap().sent, 1);
    let sent = patches_of(&ws, &page, before);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["properties"]["Due Date"], json!({"date": null}));
    let task = Task::from_page(&ws.client.retrieve_page(&page).await.unwrap());
    assert_eq!(task.due_date, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undoing_an_edit_puts_the_previous_values_back_unless_someone_changed_them() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    let page = made_task(&ws, &alice).await;
    let changes = TaskChanges {
        status: Some("Done".into()),
        assignee: Some("Ruvo".into()),
        due: Some(NaiveDate::from_ymd_opt(2027, 1, 5)),
        ..Default::default()
    };
    let landed = edit(&alice, &page, &changes);
    alice.drain().await.unwrap();

    let (undo, after) = plan_undo(&landed, &record(&alice, &page), "alice", Utc::now()).unwrap();
    alice.submit(&undo, vec![after]).unwrap();
    assert_eq!(alice.drain().await.unwrap().sent, 1);
    let task = Task::from_page(&ws.client.retrieve_page(&page).await.unwrap());
    assert_eq!(task.status.as_deref(), Some("To Do"));
    assert_eq!(task.assigned_to, "", "it had no assignee: cleared");
    assert_eq!(task.due_date, None, "it had no due date: cleared");

    // Again, but Nyra reassigns the task in Notion after the undo was planned: the undo is
    // refused when sent, and Nyra's change stands.
    let landed = edit(&alice, &page, &changes);
    alice.drain().await.unwrap();
    let (undo, after) = plan_undo(&landed, &record(&alice, &page), "alice", Utc::now()).unwrap();
    ws.client
        .update_page(
            &page,
            json!({"Assigned To": {"rich_text": [{"text": {"content": "Nyra"}}]}}),
        )
        .await
        .unwrap();
    alice.submit(&undo, vec![after]).unwrap();
    let seq = last_seq(&alice);
    alice.drain().await.unwrap();
    assert_eq!(state_of(&alice, seq), OutboxState::Failed);
    let why = alice
        .store()
        .write_state(seq)
        .unwrap()
        .unwrap()
        .last_error
        .unwrap();
    assert!(why.contains("its Assigned To is no longer"), "{why}");
    let task = Task::from_page(&ws.client.retrieve_page(&page).await.unwrap());
    assert_eq!(
        (task.status.as_deref(), task.assigned_to.as_str()),
        (Some("Done"), "Nyra")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hsn_resolve_hold_and_resume_from_the_shell() {
    let ws = support::workspace().await;
    failing_instance(&ws, "INST-0002", "Stripe webhook timed out").await;
    let run = |args: &[&str]| {
        let mut command = ws.hsn(&ws.dir.path().join("data"));
        command.args(args).env("HSN_OPERATOR", "grace");
        command.output()
    };
    let out = run(&["resolve", "INST-0002", "--note", "re-sent"])
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "INST-0002: error resolved"
    );
    let again = run(&["resolve", "INST-0002"]).await.unwrap();
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("not in Error"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    let out = run(&["hold", "INST-0002"]).await.unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "INST-0002: put on hold"
    );
    let readonly = run(&["--readonly", "resume", "INST-0002"]).await.unwrap();
    assert_eq!(readonly.status.code(), Some(2));
    let out = run(&["resume", "INST-0002", "--note", "client back"])
        .await
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "INST-0002: resumed"
    );

    let page = ws
        .fake
        .pages_in(&ws.source(DatabaseKey::ActiveWorkflowInstances))
        .into_iter()
        .find(|p| p["properties"]["Instance ID"]["title"][0]["plain_text"] == "INST-0002")
        .unwrap();
    let page = page["id"].as_str().unwrap();
    assert_eq!(
        actions(&ws.client, page).await,
        [
            "[grace] Resolved error: Stripe webhook timed out — re-sent",
            "[grace] Put on hold",
            "[grace] Resumed — client back",
        ]
    );
    assert_eq!(instance(&ws, page).await.status.as_deref(), Some("Active"));
    let history = run(&["history", "INST-0002", "--json"]).await.unwrap();
    let kinds: Vec<Value> = String::from_utf8_lossy(&history.stdout)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["kind"].clone())
        .collect();
    assert_eq!(
        kinds,
        [
            json!("correction"),
            json!("correction"),
            json!("correction")
        ]
    );
}
