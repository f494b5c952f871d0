//! The write path's promises, one regression test per way it once broke (issue 14): a
//! change is never lost, never applied twice, never sent over a record that moved on since;
//! what landed is never reported as refused; one stubborn write does not hold up the rest.
//! Each runs the engine (as the dashboard and every command do) against the fake Notion,
//! with the fault that broke it.

mod support;

use std::time::Duration;

use chrono::Utc;
use fake_notion::Fault;
use hsn::domain::history::HistoryLog;
use hsn::domain::models::{Task, WorkflowInstance};
use hsn::domain::schema::DatabaseKey;
use hsn::domain::write::plan_task_edit;
use hsn::notion::{ClientConfig, NotionClient, RateLimit};
use hsn::store::OutboxState;
use hsn::sync::Engine;
use secrecy::SecretString;
use serde_json::{Value, json};
use support::writes::{
    agent_read, agent_write, engine, instance, last_seq, queue_advance, queue_task, tasks_named,
};

/// The blind agent of the original server moves an instance: reads it, appends its
/// transition entry, writes the state and the whole log back.
async fn agent_moves(ws: &support::Workspace, page: &str, from: &str, to: &str) {
    let log = agent_read(&ws.client, page).await;
    agent_write(
        &ws.client,
        page,
        log,
        &format!("Transitioned from {from} to {to}"),
    )
    .await;
    // The agent's entry reads "[LeadCaptureAgent] …"; its move is by "Solari" here.
    let mut log = agent_read(&ws.client, page).await;
    let last = log.last_mut().unwrap();
    last["action"] = json!(format!("[Solari] Transitioned from {from} to {to}"));
    last["details"] = json!({"from": from, "to": to});
    let text = serde_json::to_string(&log).unwrap();
    ws.client
        .update_page(
            page,
            json!({
                "Current State": {"rich_text": [{"text": {"content": to}}]},
                "History Log": {"rich_text": [{"text": {"content": text}}]},
            }),
        )
        .await
        .unwrap();
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

fn state_of(engine: &Engine, seq: i64) -> OutboxState {
    engine.store().write_state(seq).unwrap().unwrap().state
}

/// Case 1: the answer to an advance is lost after Notion applied it, an agent moves the
/// instance on, and the advance is sent again. It must find its entry and send nothing:
/// before, it set the state back (B over the agent's C) and reported "1 sent".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_advance_whose_answer_was_lost_never_moves_the_instance_back() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    queue_advance(&alice, &ws, &ws.instance, "consultation", "alice");
    ws.fake
        .push_fault_for("PATCH", "/v1/pages/", Fault::DropAfterApply);
    let first = alice.drain().await.unwrap();
    assert_eq!((first.sent, first.waiting), (0, 1), "the answer was lost");
    assert_eq!(
        instance(&ws, &ws.instance).await.current_state,
        "consultation"
    );

    agent_moves(&ws, &ws.instance, "consultation", "quote_provided").await;
    let before = ws.fake.requests().len();
    let again = alice.drain().await.unwrap();
    assert_eq!(again.sent, 1, "settled as landed");
    assert_eq!(
        again.notes[0].2,
        "already applied; since moved on to \"quote_provided\" by Solari"
    );
    assert!(
        patches_of(&ws, &ws.instance, before).is_empty(),
        "nothing sent again"
    );
    let now = instance(&ws, &ws.instance).await;
    assert_eq!(
        now.current_state, "quote_provided",
        "the agent's move stands"
    );
    let log = HistoryLog::decode(&now.history_log);
    assert_eq!(
        log.last_transition().unwrap().transition_states(),
        Some(("consultation", "quote_provided"))
    );
    // The store shows Notion's state, and the outbox says what happened.
    let cached = alice.store().record(&ws.instance).unwrap().unwrap();
    assert_eq!(
        (
            WorkflowInstance::from_record(&cached.record).current_state,
            cached.pending
        ),
        ("quote_provided".to_string(), 0)
    );
}

/// Case 1, the other way round: the lost-answer advance landed and a blind agent then
/// dropped its entry (the state is still ours). The retry puts the entry back and sends
/// nothing else; it is not refused as a conflict with itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_advance_whose_entry_was_dropped_puts_back_only_the_entry() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    queue_advance(&alice, &ws, &ws.instance, "consultation", "alice");
    ws.fake
        .push_fault_for("PATCH", "/v1/pages/", Fault::DropAfterApply);
    alice.drain().await.unwrap();
    // A blind agent rewrites the log from before our write (the state stays ours).
    agent_write(&ws.client, &ws.instance, Vec::new(), "Lead scored").await;
    let before = ws.fake.requests().len();
    let again = alice.drain().await.unwrap();
    assert_eq!((again.sent, again.failed.len()), (1, 0), "{again:?}");
    let patches = patches_of(&ws, &ws.instance, before);
    assert_eq!(patches.len(), 1);
    let sent: Vec<&String> = patches[0]["properties"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(
        sent,
        ["History Log"],
        "only the history, not the state again"
    );
    let log = HistoryLog::decode(&instance(&ws, &ws.instance).await.history_log);
    let actions: Vec<&str> = log.history_entries().map(|e| e.action()).collect();
    assert!(actions.contains(&"[alice] Transitioned from inquiry to consultation"));
    assert!(actions.contains(&"[LeadCaptureAgent] Lead scored"));
}

/// Case 6: Notion saved the change and answered 503 "do not repeat the write". The write
/// is read back, never sent again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saved_but_answered_503_is_landed_and_never_sent_twice() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    queue_advance(&alice, &ws, &ws.instance, "consultation", "alice");
    ws.fake
        .push_fault_for("PATCH", "/v1/pages/", Fault::CommittedUnavailable);
    let before = ws.fake.requests().len();
    let done = alice.drain().await.unwrap();
    assert_eq!((done.sent, done.waiting), (1, 0), "{done:?}");
    assert_eq!(patches_of(&ws, &ws.instance, before).len(), 1);

    let task_id = queue_task(&alice, &ws.instance, "Call Jane", "alice");
    ws.fake
        .push_fault_for("POST", "/v1/pages", Fault::CommittedUnavailable);
    let made = alice.drain().await.unwrap();
    assert_eq!((made.sent, made.waiting), (1, 0), "{made:?}");
    assert_eq!(tasks_named(&ws, &task_id).len(), 1, "created once");
    let log = HistoryLog::decode(&instance(&ws, &ws.instance).await.history_log);
    assert_eq!(log.len(), 2, "the move and the task, each once");
}

/// Case 2: a task edited while its creation is still queued. The edit follows the task to
/// the page Notion gives it; before, it targeted `local:TASK-…` and was refused and lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_of_a_task_whose_creation_is_still_queued_follows_it() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    ws.fake.set_down(true);
    let task_id = queue_task(&alice, &ws.instance, "Call Jane", "alice");
    assert_eq!(alice.drain().await.unwrap().sent, 0, "offline");
    let local = alice
        .store()
        .find_by_title(DatabaseKey::Tasks, &task_id)
        .unwrap()
        .remove(0)
        .record;
    let (write, after) = plan_task_edit(
        &local,
        Some("In Progress"),
        Some("High"),
        None,
        None,
        "alice",
        Utc::now(),
    )
    .unwrap();
    alice.submit(&write, vec![after]).unwrap();

    ws.fake.set_down(false);
    let report = alice.drain().await.unwrap();
    assert_eq!(
        (report.sent, report.failed.len(), report.waiting),
        (2, 0, 0),
        "{report:?}"
    );
    let made = tasks_named(&ws, &task_id);
    assert_eq!(made.len(), 1);
    let task = Task::from_page(&hsn::notion::Page::from_json(made[0].clone()).unwrap());
    assert_eq!(
        (task.status.as_deref(), task.priority.as_deref()),
        (Some("In Progress"), Some("High"))
    );
    let cached = alice
        .store()
        .find_by_title(DatabaseKey::Tasks, &task_id)
        .unwrap();
    assert_eq!(cached.len(), 1, "one record, under Notion's id");
    assert!(
        !cached[0]
            .record
            .page_id
            .as_deref()
            .unwrap()
            .starts_with("local:")
    );
}

/// Case 3: the task is created, then its history entry meets a 409 on every round. It is
/// not refused (the task exists): it stays queued, and the retry only writes the entry.
/// Before, it was "refused", the local task vanished, and a retry made a duplicate.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_that_exists_in_notion_is_never_reported_refused() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    let task_id = queue_task(&alice, &ws.instance, "Call Jane", "alice");
    for _ in 0..4 {
        ws.fake
            .push_fault_for("PATCH", "/v1/pages/", Fault::Status(409));
    }
    let first = alice.drain().await.unwrap();
    assert!(first.failed.is_empty(), "{first:?}");
    assert_eq!(first.waiting, 1);
    assert_eq!(tasks_named(&ws, &task_id).len(), 1, "the task exists");
    let queued = alice.store().unsettled_writes().unwrap().remove(0);
    assert!(
        queued
            .last_error
            .as_deref()
            .unwrap()
            .contains("exists in Notion"),
        "{:?}",
        queued.last_error
    );
    assert_eq!(
        alice
            .store()
            .find_by_title(DatabaseKey::Tasks, &task_id)
            .unwrap()
            .len(),
        1,
        "still shown"
    );

    let again = alice.drain().await.unwrap();
    assert_eq!((again.sent, again.waiting), (1, 0), "{again:?}");
    assert_eq!(tasks_named(&ws, &task_id).len(), 1, "never created twice");
    let log = HistoryLog::decode(&instance(&ws, &ws.instance).await.history_log);
    assert_eq!(log.len(), 1, "the entry, once");
}

/// Case 3, lasting: the instance's log cannot take another entry. The task exists, so the
/// write is done, with a partial outcome that says what exists.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_whose_history_entry_cannot_be_written_is_a_partial_outcome() {
    let ws = support::workspace().await;
    // A log a few characters short of all Notion holds (100 text objects of 2,000).
    let entry = |filler: &str| {
        json!([{"timestamp": "2026-11-01T09:00:00", "action": "[Atlas] note", "details": {"text": filler}}])
            .to_string()
    };
    let log = entry(&"x".repeat(200_000 - 20 - entry("").len()));
    let chunks: Vec<Value> = log
        .as_bytes()
        .chunks(2000)
        .map(|c| json!({"text": {"content": String::from_utf8_lossy(c)}}))
        .collect();
    ws.client
        .update_page(&ws.instance, json!({"History Log": {"rich_text": chunks}}))
        .await
        .unwrap();
    let alice = engine(&ws, "alice").await;
    let task_id = queue_task(&alice, &ws.instance, "Call Jane", "alice");
    let report = alice.drain().await.unwrap();
    assert_eq!((report.sent, report.failed.len()), (1, 0), "{report:?}");
    let note = &report.notes[0].2;
    assert!(
        note.starts_with(&format!("partly done: {task_id} exists in Notion")),
        "{note}"
    );
    let seq = last_seq(&alice);
    let write = alice.store().write_state(seq).unwrap().unwrap();
    assert_eq!(write.outcome.as_deref(), Some(note.as_str()));
    assert_eq!(tasks_named(&ws, &task_id).len(), 1);
}

/// Case 5: one write keeps failing (500 on its instance); the writes on other records go
/// on, the later one on the same record waits, and the stubborn one shows its attempts and
/// last error. Before, it held back every write on every record.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_stubborn_write_holds_back_only_its_own_record() {
    let ws = support::workspace().await;
    let second = ws.add_instance("INST-0002", "inquiry", "").await;
    let alice = engine(&ws, "alice").await;
    queue_advance(&alice, &ws, &ws.instance, "consultation", "alice");
    queue_advance(&alice, &ws, &ws.instance, "quote_provided", "alice");
    queue_advance(&alice, &ws, &second, "consultation", "alice");
    let stubborn = format!("/v1/pages/{}", &ws.instance[..8]);
    for _ in 0..2 {
        ws.fake
            .push_fault_for("PATCH", &stubborn, Fault::Status(500));
    }
    for round in 1..=2 {
        let report = alice.drain().await.unwrap();
        assert_eq!((report.sent, report.waiting), (usize::from(round == 1), 2));
    }
    assert_eq!(instance(&ws, &second).await.current_state, "consultation");
    assert_eq!(instance(&ws, &ws.instance).await.current_state, "inquiry");
    let queued = alice.store().unsettled_writes().unwrap();
    assert_eq!(queued.len(), 2);
    assert_eq!(queued[0].attempts, 2);
    assert!(queued[0].last_error.as_deref().unwrap().contains("500"));
    assert_eq!(queued[1].attempts, 0, "the later move waits its turn");
    // The fault passes: both go, in order.
    let report = alice.drain().await.unwrap();
    assert_eq!(
        (report.sent, report.waiting),
        (2, 0),
        "{report:?} {:?}",
        alice.store().unsettled_writes().unwrap()
    );
    assert_eq!(
        instance(&ws, &ws.instance).await.current_state,
        "quote_provided"
    );
}

/// Case 6: the workspace has used its free blocks. The create is held (kept, with a
/// message that says what to do), other writes go on, and after the plan changes
/// `retry` sends it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_block_limit_holds_the_create_and_lets_the_others_go() {
    let ws = support::workspace().await;
    let second = ws.add_instance("INST-0002", "inquiry", "").await;
    let alice = engine(&ws, "alice").await;
    ws.fake.set_block_limit(true);
    let task_id = queue_task(&alice, &ws.instance, "Call Jane", "alice");
    let held = last_seq(&alice);
    queue_advance(&alice, &ws, &second, "consultation", "alice");
    let report = alice.drain().await.unwrap();
    assert_eq!((report.sent, report.held.len()), (1, 1), "{report:?}");
    assert!(report.stuck >= 1);
    let why = &report.held[0].2;
    assert!(
        why.contains("free blocks") && why.contains(&format!("hsn outbox retry {held}")),
        "{why}"
    );
    assert_eq!(state_of(&alice, held), OutboxState::Held);
    assert_eq!(instance(&ws, &second).await.current_state, "consultation");
    assert!(tasks_named(&ws, &task_id).is_empty());
    // Held: not retried by itself.
    assert_eq!(alice.drain().await.unwrap().sent, 0);

    ws.fake.set_block_limit(false);
    alice.store().retry_write(held).unwrap();
    assert_eq!(alice.drain().await.unwrap().sent, 1);
    assert_eq!(tasks_named(&ws, &task_id).len(), 1);
}

/// Case 8: the read of a History Log and the write made from it go back to back: paid for
/// together at the rate gate, and the write never retried after a wait.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_and_its_write_never_wait_at_the_gate_between_them() {
    let ws = support::workspace().await;
    let mut config = ClientConfig::new(SecretString::from(support::TOKEN));
    config.base_url = ws.base.clone();
    config.rate = RateLimit::per_window(2, Duration::from_millis(500));
    let client = NotionClient::new(config).unwrap();
    // The window's budget spent: the next request would wait.
    client.retrieve_page(&ws.instance).await.unwrap();
    client.retrieve_page(&ws.instance).await.unwrap();
    let budget = client.reserve(2).await;
    let paid = client.rate_wait();
    assert!(paid > Duration::ZERO, "the pair waited for its budget");
    client
        .retrieve_page_within(&budget, &ws.instance)
        .await
        .unwrap();
    ws.fake.push_fault_for(
        "PATCH",
        "/v1/pages/",
        Fault::RateLimited {
            retry_after_secs: 1,
        },
    );
    let before = ws.fake.requests().len();
    let refused = client
        .update_page_once(&budget, &ws.instance, json!({}))
        .await
        .unwrap_err();
    assert!(refused.is_rate_limit());
    assert_eq!(
        client.rate_wait(),
        paid,
        "no wait between the read and the write"
    );
    assert_eq!(
        ws.fake.requests().len() - before,
        1,
        "not retried: the caller reads again"
    );
    // Through the engine, the window is measured.
    let alice = engine(&ws, "alice").await;
    queue_advance(&alice, &ws, &ws.instance, "consultation", "alice");
    alice.drain().await.unwrap();
    assert!(hsn::operations::longest_read_write_gap() > Duration::ZERO);
}

/// Case 8, with a rate limit on the read: the read is retried after the `Retry-After`, and
/// the write made from it still follows at once (the prepaid turn is kept for it, not spent
/// by the retry). Before, the retry went at once on the budget and the write waited out the
/// `Retry-After`: a second between the read and the write.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_retried_after_a_429_keeps_its_write_right_behind_it() {
    let ws = support::workspace().await;
    let prefix = format!("/v1/pages/{}", &ws.instance[..8]);
    ws.fake.push_fault_for(
        "GET",
        &prefix,
        Fault::RateLimited {
            retry_after_secs: 1,
        },
    );
    let before = ws.fake.requests().len();
    let budget = ws.client.reserve(2).await;
    ws.client
        .retrieve_page_within(&budget, &ws.instance)
        .await
        .unwrap();
    ws.client
        .update_page_once(&budget, &ws.instance, json!({}))
        .await
        .unwrap();
    let log = &ws.fake.requests()[before..];
    let read = log.iter().rfind(|r| r.method == "GET").unwrap();
    let write = log.iter().find(|r| r.method == "PATCH").unwrap();
    let gap = write.received.duration_since(read.received).unwrap();
    assert!(
        gap < Duration::from_millis(500),
        "the write went {gap:?} after the read it was made from"
    );
}

/// A task whose create is queued can be held twice for a moment (its placeholder, and its
/// Notion page once a refresh read it): a command naming it finds the one task, not "2
/// pages are titled" (the randomized checker found this).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_held_twice_while_its_create_settles_is_found_once() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    ws.fake.set_down(true);
    let task_id = queue_task(&alice, &ws.instance, "Call Jane", "alice");
    ws.fake.set_down(false);
    // The create landed (another attempt's answer lost); a refresh reads it.
    ws.client
        .create_page(
            hsn::notion::PageParent::DataSource(ws.source(DatabaseKey::Tasks)),
            json!({"Task ID": {"title": [{"text": {"content": task_id}}]}}),
        )
        .await
        .unwrap();
    alice.refresh(DatabaseKey::Tasks, true).await.unwrap();
    assert_eq!(
        alice
            .store()
            .find_by_title(DatabaseKey::Tasks, &task_id)
            .unwrap()
            .len(),
        2
    );
    let session = hsn::cli::session::Session {
        engine: alice.clone(),
        operator: hsn::operations::Operator("alice".into()),
    };
    let found = session.find(DatabaseKey::Tasks, &task_id).unwrap();
    assert_eq!(
        found.page_id.as_deref(),
        Some(format!("local:{task_id}").as_str()),
        "the placeholder: the change follows the create"
    );
}

/// A blind agent read the instance before alice's move and wrote its own move after it,
/// stamped earlier, dropping her entry. Putting her entry back would make the newest
/// transition say "consultation" while the instance is "canceled": hsn leaves it out and
/// says so (the randomized checker found the contradiction).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_move_overwritten_by_a_blind_writer_is_reported_not_put_back() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    let read_at = Utc::now() - chrono::Duration::seconds(1);
    queue_advance(&alice, &ws, &ws.instance, "consultation", "alice");
    assert_eq!(alice.drain().await.unwrap().sent, 1);
    let overwrite = json!([{
        "timestamp": read_at.naive_utc().format("%Y-%m-%dT%H:%M:%S%.6f").to_string(),
        "action": "[LeadCaptureAgent] Transitioned from inquiry to canceled",
        "details": {"from": "inquiry", "to": "canceled"},
    }])
    .to_string();
    ws.client
        .update_page(
            &ws.instance,
            json!({
                "Current State": {"rich_text": [{"text": {"content": "canceled"}}]},
                "History Log": {"rich_text": [{"text": {"content": overwrite}}]},
            }),
        )
        .await
        .unwrap();
    let refreshed = alice
        .refresh(DatabaseKey::ActiveWorkflowInstances, false)
        .await
        .unwrap();
    assert_eq!((refreshed.restoring, refreshed.given_up), (0, 1));
    assert!(alice.store().unsettled_writes().unwrap().is_empty());
    let said = alice.store().failed_writes(1).unwrap().remove(0);
    assert!(
        said.last_error
            .as_deref()
            .unwrap()
            .contains("moved INST-0001 to \"canceled\" over hsn's"),
        "{:?}",
        said.last_error
    );
    let now = instance(&ws, &ws.instance).await;
    let log = HistoryLog::decode(&now.history_log);
    assert_eq!(now.current_state, "canceled");
    assert_eq!(
        log.last_transition().unwrap().transition_states(),
        Some(("inquiry", "canceled")),
        "the history agrees with the state"
    );
}
