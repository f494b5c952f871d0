//! What a break-it review of the write kinds of issue 16 (bulk, undo, corrections, trash,
//! a cleared due date, conditional edits) found: each test failed before its fix.

mod support;

use chrono::Utc;
use fake_notion::Fault;
use hsn::domain::models::Task;
use hsn::domain::record::Record;
use hsn::domain::schema::DatabaseKey;
use hsn::domain::write::{TaskChanges, Write, plan_resolve, plan_task_changes, plan_undo};
use hsn::store::{OutboxState, RecordFilter};
use hsn::sync::Engine;
use hsn::ui::app::Msg;
use hsn::ui::bulk::{Queued, UndoStep};
use hsn::ui::submit::undo;
use serde_json::json;
use support::writes::{engine, instance, last_seq, queue_advance, queue_task, tasks_named};

fn record(engine: &Engine, page: &str) -> Record {
    engine.store().record(page).unwrap().unwrap().record
}

fn state_of(engine: &Engine, seq: i64) -> OutboxState {
    engine.store().write_state(seq).unwrap().unwrap().state
}

/// A task made and drained; its page id.
async fn made_task(ws: &support::Workspace, engine: &Engine) -> String {
    let task_id = queue_task(engine, &ws.instance, "Call Jane", "alice");
    engine.drain().await.unwrap();
    tasks_named(ws, &task_id)[0]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The dashboard's undo of an edit still queued, but sent once already with its answer
/// lost (Notion has it): dropping it would leave the change in Notion while the dashboard
/// says it was undone. It must be answered by its inverse instead, so Notion ends as it was.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undoing_a_queued_edit_that_may_have_landed_sets_it_back_in_notion() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    let page = made_task(&ws, &alice).await;
    let (write, after) = plan_task_changes(
        &record(&alice, &page),
        &TaskChanges {
            assignee: Some("Ruvo".into()),
            ..Default::default()
        },
        "alice",
        Utc::now(),
    )
    .unwrap();
    let seq = alice.submit(&write, vec![after]).unwrap();
    ws.fake
        .push_fault_for("PATCH", "/v1/pages/", Fault::DropAfterApply);
    let first = alice.drain().await.unwrap();
    assert_eq!((first.sent, first.waiting), (0, 1), "the answer was lost");
    assert_eq!(state_of(&alice, seq), OutboxState::Pending);
    let task = Task::from_page(&ws.client.retrieve_page(&page).await.unwrap());
    assert_eq!(task.assigned_to, "Ruvo", "Notion has the edit");

    let said = undo(
        &alice,
        "alice",
        UndoStep {
            label: "Assign Call Jane to Ruvo".into(),
            writes: vec![Queued {
                seq,
                write: write.clone(),
                title: "Call Jane".into(),
            }],
        },
    );
    assert!(
        !said.iter().any(|m| matches!(m, Msg::Dropped(_))),
        "a write that may be in Notion is not dropped: {said:?}"
    );
    alice.drain().await.unwrap();
    let task = Task::from_page(&ws.client.retrieve_page(&page).await.unwrap());
    assert_eq!(task.assigned_to, "", "the undo set it back in Notion");
    let cached = alice.store().record(&page).unwrap().unwrap();
    assert_eq!(cached.pending, 0);
    assert_eq!(Task::from_record(&cached.record).assigned_to, "");
}

/// A resolution planned for one error is not sent over another: an agent set the
/// instance in Error again, with a new message, before it went. Resolving would clear the
/// new error unseen, under an entry naming the old one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resolution_is_not_sent_over_a_new_error() {
    let ws = support::workspace().await;
    let page = ws.add_instance("INST-0002", "payment_pending", "").await;
    let set_error = |message: &'static str| {
        let client = ws.client.clone();
        let page = page.clone();
        async move {
            client
                .update_page(
                    &page,
                    json!({
                        "Status": {"status": {"name": "Error"}},
                        "Error Message": {"rich_text": [{"text": {"content": message}}]},
                    }),
                )
                .await
                .unwrap();
        }
    };
    set_error("Stripe webhook timed out").await;
    let alice = engine(&ws, "alice").await;
    let (write, after) = plan_resolve(&record(&alice, &page), None, "alice", Utc::now()).unwrap();
    assert!(matches!(write, Write::Correct { .. }));
    alice.submit(&write, vec![after]).unwrap();
    let seq = last_seq(&alice);
    set_error("Card declined").await;

    alice.drain().await.unwrap();
    assert_eq!(state_of(&alice, seq), OutboxState::Failed);
    let now = instance(&ws, &page).await;
    assert_eq!(now.status.as_deref(), Some("Error"));
    assert_eq!(now.error_message, "Card declined", "the new error stands");
}

/// The undo of an advance that completed the instance sets its Status back too: not over a
/// Status another writer set since (an agent put the finished instance in Error). The
/// revert is refused when sent, and the agent's Error stands.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reverting_a_completion_is_not_sent_over_a_status_set_since() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    queue_advance(&alice, &ws, &ws.instance, "canceled", "alice");
    let seq = last_seq(&alice);
    alice.drain().await.unwrap();
    assert_eq!(
        instance(&ws, &ws.instance).await.status.as_deref(),
        Some("Completed")
    );
    let advance: Write =
        serde_json::from_value(alice.store().write_state(seq).unwrap().unwrap().body).unwrap();
    let (revert, after) =
        plan_undo(&advance, &record(&alice, &ws.instance), "alice", Utc::now()).unwrap();
    ws.client
        .update_page(
            &ws.instance,
            json!({
                "Status": {"status": {"name": "Error"}},
                "Error Message": {"rich_text": [{"text": {"content": "refund failed"}}]},
            }),
        )
        .await
        .unwrap();
    let revert_seq = alice.submit(&revert, vec![after]).unwrap();
    alice.drain().await.unwrap();
    assert_eq!(state_of(&alice, revert_seq), OutboxState::Failed);
    let now = instance(&ws, &ws.instance).await;
    assert_eq!(
        (now.current_state.as_str(), now.status.as_deref()),
        ("canceled", Some("Error")),
        "the agent's Error stands"
    );
    let why = alice
        .store()
        .write_state(revert_seq)
        .unwrap()
        .unwrap()
        .last_error
        .unwrap();
    assert!(why.contains("Error"), "{why}");
}

/// Rule 7 for a trash: a refresh batch read before the trash landed, stored after the
/// drain confirmed it (the runner's refresh beside `drain_now`), does not put the task
/// back: it is in Notion's trash, and the dashboard would show it (and take edits Notion
/// refuses) until a full read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refresh_batch_read_before_a_trash_landed_does_not_bring_the_task_back() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    let task_id = queue_task(&alice, &ws.instance, "Call Jane", "alice");
    let create_seq = last_seq(&alice);
    alice.drain().await.unwrap();
    let page = tasks_named(&ws, &task_id)[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // What the refresh's query returned, before the trash.
    let read_at = Utc::now().timestamp_millis();
    let stale = ws.client.retrieve_page(&page).await.unwrap();

    let create: Write =
        serde_json::from_value(alice.store().write_state(create_seq).unwrap().unwrap().body)
            .unwrap();
    let (trash, after) = plan_undo(&create, &record(&alice, &page), "alice", Utc::now()).unwrap();
    alice.submit(&trash, vec![after]).unwrap();
    assert_eq!(alice.drain().await.unwrap().sent, 1);
    assert!(ws.client.retrieve_page(&page).await.unwrap().in_trash);

    alice
        .store()
        .upsert_read(
            DatabaseKey::Tasks,
            &ws.source(DatabaseKey::Tasks),
            &[stale],
            read_at,
        )
        .unwrap();
    let listed = alice
        .store()
        .records(DatabaseKey::Tasks, &RecordFilter::default())
        .unwrap();
    assert!(
        listed.is_empty(),
        "a page read before the trash landed brought the trashed task back"
    );
}

/// Undo while the write is being sent (the engine has it: it cannot be dropped) queues
/// its inverse behind it. If Notion then refuses the write (an agent had made the same
/// move itself), the inverse has nothing of ours to undo: sent, it would revert the
/// agent's move. It fails with the write it undoes.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_undo_of_a_write_notion_refuses_is_never_sent() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    queue_advance(&alice, &ws, &ws.instance, "consultation", "alice");
    let seq = last_seq(&alice);
    let advance: Write =
        serde_json::from_value(alice.store().write_state(seq).unwrap().unwrap().body).unwrap();
    // The agent makes the same move first: hsn's advance will be refused (a conflict).
    ws.client
        .update_page(
            &ws.instance,
            json!({"Current State": {"rich_text": [{"text": {"content": "consultation"}}]}}),
        )
        .await
        .unwrap();
    // The advance's first read is slow: the undo comes while the write is being sent.
    let prefix = format!("/v1/pages/{}", &ws.instance[..8]);
    ws.fake.push_fault_for(
        "GET",
        &prefix,
        Fault::Delay(std::time::Duration::from_millis(1500)),
    );
    let draining = {
        let alice = alice.clone();
        tokio::spawn(async move { alice.drain().await.unwrap() })
    };
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(state_of(&alice, seq), OutboxState::Sending);
    let undoing = alice.clone();
    let said = tokio::task::spawn_blocking(move || {
        undo(
            &undoing,
            "alice",
            UndoStep {
                label: "Advance INST-0001".into(),
                writes: vec![Queued {
                    seq,
                    write: advance,
                    title: "INST-0001".into(),
                }],
            },
        )
    })
    .await
    .unwrap();
    let Some(Msg::Submitted { queued, .. }) = said.first() else {
        panic!("the inverse is queued: {said:?}")
    };
    let revert_seq = queued[0].seq;
    draining.await.unwrap();
    alice.drain().await.unwrap();
    assert_eq!(
        state_of(&alice, seq),
        OutboxState::Failed,
        "the advance was refused"
    );
    assert_eq!(
        state_of(&alice, revert_seq),
        OutboxState::Failed,
        "nothing to undo"
    );
    assert_eq!(
        instance(&ws, &ws.instance).await.current_state,
        "consultation",
        "the agent's move stands"
    );
}

/// Notes are the operator's text in the History Log: JSON-looking, long (past Notion's
/// 2,000 characters a text), or in another script, they land whole, read back as the one
/// entry they are, and never as a transition.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_notes_land_whole_and_never_read_as_a_transition() {
    use hsn::domain::history::HistoryLog;
    use hsn::domain::write::{plan_hold, plan_resume};
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    let json_like = r#"{"from":"inquiry","to":"canceled","actor":"Solari"}"}] ["#;
    let long = format!("שלום {}", "x".repeat(4500));
    for (i, note) in [json_like.to_string(), long.clone()].iter().enumerate() {
        let plan = if i % 2 == 0 { plan_hold } else { plan_resume };
        let (write, after) = plan(
            &record(&alice, &ws.instance),
            Some(note),
            "alice",
            Utc::now(),
        )
        .unwrap();
        let seq = alice.submit(&write, vec![after]).unwrap();
        alice.drain().await.unwrap();
        assert_eq!(state_of(&alice, seq), OutboxState::Done);
    }
    let now = instance(&ws, &ws.instance).await;
    assert_eq!(now.current_state, "inquiry");
    let log = HistoryLog::decode(&now.history_log);
    let entries: Vec<_> = log.history_entries().collect();
    assert_eq!(entries.len(), 2, "{:?}", now.history_log.len());
    assert_eq!(
        entries[0].action(),
        format!("[alice] Put on hold — {json_like}")
    );
    assert_eq!(entries[1].action(), format!("[alice] Resumed — {long}"));
    assert!(entries.iter().all(|e| e.transition_states().is_none()));
    assert!(log.last_transition().is_none());
    // A control character is refused before anything is queued.
    assert!(
        plan_hold(
            &record(&alice, &ws.instance),
            Some("ok\u{202e}kO"),
            "alice",
            Utc::now()
        )
        .is_err()
    );
}

/// An advance and its revert, then a blind agent writes back the log it read before both:
/// the refresh puts both entries back (the advance with the revert that undid it), so the
/// history ends where the instance is, never at the undone move.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blind_writer_over_an_advance_and_its_revert_leaves_the_history_where_the_instance_is() {
    use hsn::domain::history::HistoryLog;
    use hsn::domain::schema::DatabaseKey::ActiveWorkflowInstances;
    use support::writes::{agent_read, agent_write};
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    let before_both = agent_read(&ws.client, &ws.instance).await;
    queue_advance(&alice, &ws, &ws.instance, "consultation", "alice");
    let seq = last_seq(&alice);
    alice.drain().await.unwrap();
    let advance: Write =
        serde_json::from_value(alice.store().write_state(seq).unwrap().unwrap().body).unwrap();
    let (revert, after) =
        plan_undo(&advance, &record(&alice, &ws.instance), "alice", Utc::now()).unwrap();
    alice.submit(&revert, vec![after]).unwrap();
    assert_eq!(alice.drain().await.unwrap().sent, 1);
    agent_write(&ws.client, &ws.instance, before_both, "Lead scored").await;
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;

    alice.refresh(ActiveWorkflowInstances, true).await.unwrap();
    alice.drain().await.unwrap();
    let now = instance(&ws, &ws.instance).await;
    assert_eq!(now.current_state, "inquiry");
    let log = HistoryLog::decode(&now.history_log);
    let actions: Vec<&str> = log.history_entries().map(|e| e.action()).collect();
    assert!(
        actions.contains(&"[alice] Reverted transition from inquiry to consultation"),
        "{actions:?}"
    );
    assert_eq!(
        log.last_transition().unwrap().transition_states(),
        Some(("inquiry", "consultation")),
        "the advance is back too: {actions:?}"
    );
    let last = log.last_state_change().unwrap();
    assert_eq!(
        last.action(),
        "[alice] Reverted transition from inquiry to consultation",
        "{actions:?}"
    );
}

/// The undo of an advance that completed the instance, its answer lost: the instance is
/// back where it was and Active, and the retry finds its entry and sends nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_completion_reverted_with_its_answer_lost_is_active_again_once() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    queue_advance(&alice, &ws, &ws.instance, "canceled", "alice");
    let seq = last_seq(&alice);
    alice.drain().await.unwrap();
    let advance: Write =
        serde_json::from_value(alice.store().write_state(seq).unwrap().unwrap().body).unwrap();
    let (revert, after) =
        plan_undo(&advance, &record(&alice, &ws.instance), "alice", Utc::now()).unwrap();
    let revert_seq = alice.submit(&revert, vec![after]).unwrap();
    ws.fake
        .push_fault_for("PATCH", "/v1/pages/", Fault::DropAfterApply);
    let first = alice.drain().await.unwrap();
    assert_eq!((first.sent, first.waiting), (0, 1), "the answer was lost");
    let again = alice.drain().await.unwrap();
    assert_eq!(again.notes[0].2, "already applied");
    assert_eq!(state_of(&alice, revert_seq), OutboxState::Done);
    let now = instance(&ws, &ws.instance).await;
    assert_eq!(
        (now.current_state.as_str(), now.status.as_deref()),
        ("inquiry", Some("Active"))
    );
    let reverts = support::writes::actions(&ws.client, &ws.instance)
        .await
        .into_iter()
        .filter(|a| a.contains("Reverted transition"))
        .count();
    assert_eq!(reverts, 1);
}

/// The undo of an edit (a conditional edit) whose answer is lost, after which an agent
/// reassigns the task: the retry neither sends it again nor takes the agent's change back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_undone_edit_whose_answer_was_lost_is_not_sent_over_a_later_change() {
    let ws = support::workspace().await;
    let alice = engine(&ws, "alice").await;
    let page = made_task(&ws, &alice).await;
    let (write, after) = plan_task_changes(
        &record(&alice, &page),
        &TaskChanges {
            assignee: Some("Ruvo".into()),
            due: Some(None),
            ..Default::default()
        },
        "alice",
        Utc::now(),
    )
    .unwrap();
    alice.submit(&write, vec![after]).unwrap();
    alice.drain().await.unwrap();
    let (inverse, after) = plan_undo(&write, &record(&alice, &page), "alice", Utc::now()).unwrap();
    let seq = alice.submit(&inverse, vec![after]).unwrap();
    ws.fake
        .push_fault_for("PATCH", "/v1/pages/", Fault::DropAfterApply);
    let first = alice.drain().await.unwrap();
    assert_eq!((first.sent, first.waiting), (0, 1), "the answer was lost");
    assert_eq!(
        Task::from_page(&ws.client.retrieve_page(&page).await.unwrap()).assigned_to,
        ""
    );
    ws.client
        .update_page(
            &page,
            json!({"Assigned To": {"rich_text": [{"text": {"content": "Nyra"}}]}}),
        )
        .await
        .unwrap();
    let before = ws.fake.requests().len();
    alice.drain().await.unwrap();
    assert_eq!(state_of(&alice, seq), OutboxState::Done);
    let patched = ws.fake.requests()[before..]
        .iter()
        .filter(|r| r.method == "PATCH")
        .count();
    assert_eq!(patched, 0, "nothing sent again");
    assert_eq!(
        Task::from_page(&ws.client.retrieve_page(&page).await.unwrap()).assigned_to,
        "Nyra"
    );
}
