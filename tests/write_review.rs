//! A review of the write path: ways a write was lost, duplicated or reverted, each shown by
//! a test that runs the engine (as the dashboard and every command do) against the fake
//! Notion with the fault placed exactly. Each failed on the code before its fix; they stay
//! as regressions (and two cover promises no other test did).

mod support;

use std::time::Duration;

use chrono::Utc;
use fake_notion::Fault;
use hsn::domain::history::HistoryLog;
use hsn::domain::models::Task;
use hsn::domain::schema::DatabaseKey;
use hsn::domain::write::plan_task_edit;
use hsn::store::OutboxState;
use hsn::sync::Engine;
use serde_json::json;
use support::writes::{
    agent_read, agent_write, engine, instance, last_seq, queue_advance, queue_task, tasks_named,
};

fn task_in_notion(ws: &support::Workspace, task_id: &str) -> Task {
    let made = tasks_named(ws, task_id);
    assert_eq!(made.len(), 1, "one task {task_id} in Notion");
    Task::from_page(&hsn::notion::Page::from_json(made[0].clone()).unwrap())
}

/// Queues an edit of the cached task `task_id` (planned as the dashboard and the CLI do).
fn queue_edit(engine: &Engine, task_id: &str, status: Option<&str>, priority: Option<&str>) -> i64 {
    let task = engine
        .store()
        .find_by_title(DatabaseKey::Tasks, task_id)
        .unwrap()
        .remove(0)
        .record;
    let (write, after) =
        plan_task_edit(&task, status, priority, None, None, "alice", Utc::now()).unwrap();
    engine.submit(&write, vec![after]).unwrap()
}

/// A task made through hsn and confirmed; returns its Task ID and Notion page id.
async fn confirmed_task(ws: &support::Workspace, engine: &Engine) -> (String, String) {
    let task_id = queue_task(engine, &ws.instance, "Call Jane", "alice");
    let report = engine.drain().await.unwrap();
    assert_eq!((report.sent, report.waiting), (1, 0), "{report:?}");
    let page = tasks_named(ws, &task_id)[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    (task_id, page)
}

/// Lost answer, edit: the edit landed (Notion applied it, the answer broke off), then an
/// agent (or a person in Notion) moved the task on. The retry must find out first whether
/// it landed (error.rs: "every write hsn sends can be sent twice safely (it finds out first
/// whether it landed)"); instead it sends the old edit again and sets the task back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_edit_whose_answer_was_lost_never_sets_the_task_back() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    let (task_id, page) = confirmed_task(&ws, &alice).await;

    queue_edit(&alice, &task_id, Some("In Progress"), None);
    ws.fake
        .push_fault_for("PATCH", "/v1/pages/", Fault::DropAfterApply);
    let first = alice.drain().await.unwrap();
    assert_eq!((first.sent, first.waiting), (0, 1), "the answer was lost");
    assert_eq!(
        task_in_notion(&ws, &task_id).status.as_deref(),
        Some("In Progress"),
        "it landed"
    );

    // Solari finishes the task in Notion.
    ws.client
        .update_page(&page, json!({"Status": {"select": {"name": "Done"}}}))
        .await
        .unwrap();
    let again = alice.drain().await.unwrap();
    assert_eq!((again.sent, again.waiting), (1, 0), "{again:?}");
    assert_eq!(
        task_in_notion(&ws, &task_id).status.as_deref(),
        Some("Done"),
        "Solari's later change stands: the landed edit is not sent over it again"
    );
}

/// Lost answer, advance, then the instance moved on AND a blind writer dropped our entry:
/// the advance landed (the next move starts from its target state), yet the retry refuses
/// it as a conflict, reports it refused ("nothing was changed") and rolls it back; the
/// entry is never put back. Rule 6: once any part of a write landed it is never reported
/// as refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_landed_advance_whose_entry_was_dropped_and_state_moved_on_is_never_refused() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    queue_advance(&alice, &ws, &ws.instance, "consultation", "alice");
    let seq = last_seq(&alice);
    ws.fake
        .push_fault_for("PATCH", "/v1/pages/", Fault::DropAfterApply);
    let first = alice.drain().await.unwrap();
    assert_eq!((first.sent, first.waiting), (0, 1), "the answer was lost");
    assert_eq!(
        instance(&ws, &ws.instance).await.current_state,
        "consultation"
    );

    // A blind agent rewrites the log from a read made before our write (our entry goes),
    // then Solari moves the instance on from our state.
    agent_write(&ws.client, &ws.instance, Vec::new(), "Lead scored").await;
    let log = agent_read(&ws.client, &ws.instance).await;
    let mut log = log;
    log.push(json!({
        "timestamp": Utc::now().to_rfc3339(),
        "action": "[Solari] Transitioned from consultation to quote_provided",
        "details": {"actor": "Solari", "from": "consultation", "to": "quote_provided"},
    }));
    ws.client
        .update_page(
            &ws.instance,
            json!({
                "Current State": {"rich_text": [{"text": {"content": "quote_provided"}}]},
                "History Log": {"rich_text": [{"text": {"content": serde_json::to_string(&log).unwrap()}}]},
            }),
        )
        .await
        .unwrap();

    let again = alice.drain().await.unwrap();
    let entry = alice.store().write_state(seq).unwrap().unwrap();
    assert!(
        again.failed.is_empty() && entry.state == OutboxState::Done,
        "a landed advance reported refused: {:?} / {:?} {:?}",
        again.failed,
        entry.state,
        entry.last_error
    );
}

/// Lost answer, then `hsn outbox drop`: the create landed in Notion (its answer broke off),
/// and the operator drops the write. The outbox says "nothing was sent" and the task
/// vanishes from hsn, while Notion has it: making it again makes a second task.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_a_write_that_may_have_landed_never_says_nothing_was_sent() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    let task_id = queue_task(&alice, &ws.instance, "Call Jane", "alice");
    let seq = last_seq(&alice);
    ws.fake
        .push_fault_for("POST", "/v1/pages", Fault::DropAfterApply);
    let first = alice.drain().await.unwrap();
    assert_eq!((first.sent, first.waiting), (0, 1), "{first:?}");
    assert_eq!(tasks_named(&ws, &task_id).len(), 1, "the create landed");

    let dropped = alice.store().drop_write(seq);
    let shown = alice
        .store()
        .find_by_title(DatabaseKey::Tasks, &task_id)
        .unwrap()
        .len();
    let entry = alice.store().write_state(seq).unwrap().unwrap();
    let told = entry.last_error.clone().unwrap_or_default();
    assert!(
        dropped.is_err() || (!told.contains("nothing was sent") && shown == 1),
        "dropped a write that landed: told {told:?}, task shown {shown} time(s), Notion has {}",
        tasks_named(&ws, &task_id).len()
    );
}

/// A store error after a claim (here: another process holds SQLite's write lock longer
/// than the 5 s busy timeout while the answer is settled) makes `drain` return early with
/// the row left `sending` under this engine's own lease. The engine's lease thread renews
/// that lease for as long as the process lives, and `claim_write` skips a row under a live
/// lease even when the lease is its own: the write is never settled nor sent again by this
/// dashboard, `hsn outbox drop` and `retry` refuse it ("being sent right now"), and no
/// other process may take it over. Stuck until the process exits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_whose_settling_failed_is_not_stranded_under_its_own_lease() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    queue_advance(&alice, &ws, &ws.instance, "consultation", "alice");
    let seq = last_seq(&alice);
    ws.fake
        .push_fault_for("PATCH", "/v1/pages/", Fault::Delay(Duration::from_secs(2)));
    let before = ws.fake.requests().len();
    let draining = tokio::spawn({
        let alice = alice.clone();
        async move { alice.drain().await }
    });
    // The PATCH is in Notion's hands: another process takes the store's write lock now.
    while !ws.fake.requests()[before..]
        .iter()
        .any(|r| r.method == "PATCH" && r.path.starts_with("/v1/pages/") && r.answered.is_none())
    {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let path = hsn::cli::session::store_path(&ws.dir.path().join("alice"), &ws.sources);
    let other = rusqlite::Connection::open(&path).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let first = draining.await.unwrap();
    other.execute_batch("ROLLBACK").unwrap();
    drop(other);
    assert!(first.is_err(), "settling met the lock: {first:?}");
    assert_eq!(
        instance(&ws, &ws.instance).await.current_state,
        "consultation",
        "the advance landed; {first:?}"
    );

    // The lock is gone: the next drain of the same engine settles the write.
    let again = alice.drain().await.unwrap();
    let entry = alice.store().write_state(seq).unwrap().unwrap();
    assert_eq!(
        (again.sent, again.waiting, entry.state),
        (1, 0, OutboxState::Done),
        "{again:?} {:?}",
        alice.store().retry_write(seq).err()
    );
}

/// Dropping an edit of a task whose create is still queued (here held at the block limit,
/// just when an operator tidies the outbox): the outbox says "dropped … nothing was sent",
/// but the task keeps showing the dropped change. `rebuild` keeps a record Notion never had
/// "as it is (it holds its changes already)", so it cannot take one change out of it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_an_edit_of_a_queued_task_takes_its_change_back() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    ws.fake.set_block_limit(true);
    let task_id = queue_task(&alice, &ws.instance, "Call Jane", "alice");
    let report = alice.drain().await.unwrap();
    assert_eq!(report.held.len(), 1, "{report:?}");
    let edit = queue_edit(&alice, &task_id, Some("In Progress"), Some("High"));
    alice.store().drop_write(edit).unwrap();
    let shown = alice
        .store()
        .find_by_title(DatabaseKey::Tasks, &task_id)
        .unwrap()
        .remove(0)
        .record;
    assert_eq!(
        (
            shown.get::<Option<String>>("Status"),
            shown.get::<Option<String>>("Priority")
        ),
        (Some("To Do".to_string()), Some("Medium".to_string())),
        "the dropped edit is still shown"
    );
}

/// Two engines on one store file (as two hsn processes, or two engines of one process).
/// Alice claims a create and stalls before its POST (a suspended laptop, a stopped
/// process: long enough for its lease to lapse; the lapse is written here directly rather
/// than waited for). Bob takes the write over, finds no task by its Task ID, creates it and
/// settles it. Alice wakes up and POSTs the create she claimed, without asking whether she
/// still holds the write (`restamp_write`/`confirm` find out only afterwards, and
/// `create_task` only looks the task up when `may_have_landed`): a second task.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_holder_whose_lease_lapsed_never_sends_the_write_it_lost() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    let path = hsn::cli::session::store_path(&ws.dir.path().join("alice"), &ws.sources);
    let bob = Engine::new(
        hsn::store::Store::open(&path).unwrap(),
        hsn::sync::Backend::Notion {
            client: support::client_for(&ws.base),
            sources: ws.sources.clone(),
        },
    );
    let task_id = queue_task(&alice, &ws.instance, "Call Jane", "alice");
    let seq = last_seq(&alice);
    // Alice stalls on the read of the Tasks schema, just before her POST.
    ws.fake.push_fault_for(
        "GET",
        "/v1/data_sources/",
        Fault::Delay(Duration::from_secs(2)),
    );
    let before = ws.fake.requests().len();
    let stalled = tokio::spawn({
        let alice = alice.clone();
        async move { alice.drain().await }
    });
    while !ws.fake.requests()[before..].iter().any(|r| {
        r.method == "GET" && r.path.starts_with("/v1/data_sources/") && r.answered.is_none()
    }) {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Her lease lapses (LEASE without renewal).
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute(
            "UPDATE outbox SET lease_until = 0 WHERE seq = ?1",
            rusqlite::params![seq],
        )
        .unwrap();
    let taken = bob.drain().await.unwrap();
    assert_eq!(
        (taken.sent, taken.waiting),
        (1, 0),
        "Bob took it over: {taken:?}"
    );
    assert_eq!(tasks_named(&ws, &task_id).len(), 1);

    stalled.await.unwrap().unwrap();
    assert_eq!(
        tasks_named(&ws, &task_id).len(),
        1,
        "the task was created twice"
    );
}

/// Rule 5: a write is stamped when it is first sent, "so its history entry is never older
/// than entries written while it waited". A create held at the block limit was stamped at
/// its first try, which Notion refused outright (403, nothing saved); when `hsn outbox
/// retry` finally sends it, days later, it is not stamped again (`attempts > 0`) and its
/// entry lands older than every entry written while it was held.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_write_is_stamped_when_it_is_finally_sent() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    ws.fake.set_block_limit(true);
    let task_id = queue_task(&alice, &ws.instance, "Call Jane", "alice");
    let seq = last_seq(&alice);
    assert_eq!(alice.drain().await.unwrap().held.len(), 1);

    tokio::time::sleep(Duration::from_millis(20)).await;
    let log = agent_read(&ws.client, &ws.instance).await;
    agent_write(&ws.client, &ws.instance, log, "Lead scored").await;

    ws.fake.set_block_limit(false);
    alice.store().retry_write(seq).unwrap();
    assert_eq!(alice.drain().await.unwrap().sent, 1);
    let log = HistoryLog::decode(&instance(&ws, &ws.instance).await.history_log);
    let time_of = |needle: &str| {
        log.history_entries()
            .find(|e| e.action().contains(needle))
            .unwrap()
            .timestamp()
    };
    let (ours, agents) = (time_of("Created task: Call Jane"), time_of("Lead scored"));
    assert_eq!(tasks_named(&ws, &task_id).len(), 1);
    assert!(
        ours >= agents,
        "the entry of the write sent last is older ({ours}) than the agent's written while it was held ({agents})"
    );
}

/// Held (passes): a create whose POST answer is lost, and one whose history entry's PATCH
/// answer is lost, are each settled once: one task, one entry, no refusal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_answers_of_a_create_make_one_task_and_one_entry() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    let first = queue_task(&alice, &ws.instance, "Call Jane", "alice");
    ws.fake
        .push_fault_for("POST", "/v1/pages", Fault::DropAfterApply);
    assert_eq!(alice.drain().await.unwrap().waiting, 1);
    let report = alice.drain().await.unwrap();
    assert_eq!((report.sent, report.failed.len()), (1, 0), "{report:?}");

    let second = queue_task(&alice, &ws.instance, "Book room", "alice");
    ws.fake
        .push_fault_for("PATCH", "/v1/pages/", Fault::DropAfterApply);
    assert_eq!(alice.drain().await.unwrap().waiting, 1);
    let report = alice.drain().await.unwrap();
    assert_eq!((report.sent, report.failed.len()), (1, 0), "{report:?}");

    assert_eq!(tasks_named(&ws, &first).len(), 1);
    assert_eq!(tasks_named(&ws, &second).len(), 1);
    let log = HistoryLog::decode(&instance(&ws, &ws.instance).await.history_log);
    assert_eq!(log.len(), 2, "each entry once");
    assert_eq!(
        alice
            .store()
            .find_by_title(DatabaseKey::Tasks, &second)
            .unwrap()
            .len(),
        1
    );
}

/// Held (passes): the restoration of an entry a blind writer dropped, its answer lost, is
/// settled once on the retry: the entry back once, the agent's kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restoration_whose_answer_was_lost_puts_the_entry_back_once() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    queue_advance(&alice, &ws, &ws.instance, "consultation", "alice");
    assert_eq!(alice.drain().await.unwrap().sent, 1);
    agent_write(&ws.client, &ws.instance, Vec::new(), "Lead scored").await;
    let refreshed = alice
        .refresh(DatabaseKey::ActiveWorkflowInstances, false)
        .await
        .unwrap();
    assert_eq!(refreshed.restoring, 1);
    ws.fake
        .push_fault_for("PATCH", "/v1/pages/", Fault::DropAfterApply);
    assert_eq!(alice.drain().await.unwrap().waiting, 1);
    let report = alice.drain().await.unwrap();
    assert_eq!((report.sent, report.failed.len()), (1, 0), "{report:?}");
    let actions = support::writes::actions(&ws.client, &ws.instance).await;
    assert_eq!(
        actions,
        [
            "[alice] Transitioned from inquiry to consultation",
            "[LeadCaptureAgent] Lead scored"
        ]
    );
}
