//! The outbox's promises, on a real SQLite file: one sender per write, order per record,
//! leases that outlive their holder only until it is known gone, and settling that never
//! hides a write still queued.

use std::collections::HashSet;

use chrono::{TimeZone, Utc};
use rusqlite::params;

use super::{Holder, Landed, OutboxState};
use crate::domain::record::Record;
use crate::domain::schema::DatabaseKey;
use crate::domain::write::{Write, plan_task_edit};
use crate::store::Store;
use crate::store::tests::task_page;

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("s.sqlite")).unwrap();
    (dir, store)
}

fn at() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap()
}

/// Queues an edit of the cached task `page` (planned as the dashboard and the CLI do).
fn edit(store: &mut Store, page: &str, status: Option<&str>, priority: Option<&str>) -> i64 {
    let task = store.record(page).unwrap().unwrap().record;
    let (write, after) =
        plan_task_edit(&task, status, priority, None, None, "alice", at()).unwrap();
    store
        .submit(
            &[(after, "ds-tasks".into())],
            write.kind(),
            &serde_json::to_value(&write).unwrap(),
            at(),
        )
        .unwrap()
}

fn with_task(store: &mut Store, page: &str) {
    store
        .upsert_pages(
            DatabaseKey::Tasks,
            "ds-tasks",
            &[task_page(page, "To Do", "2026-11-01T09:00:00.000Z")],
        )
        .unwrap();
}

fn claim(store: &mut Store, holder: &Holder) -> Option<i64> {
    store
        .claim_write(holder, &HashSet::new())
        .unwrap()
        .map(|c| c.entry.seq)
}

fn status_and_priority(store: &Store, page: &str) -> (Option<String>, Option<String>, u32) {
    let stored = store.record(page).unwrap().unwrap();
    (
        stored.record.get("Status"),
        stored.record.get("Priority"),
        stored.pending,
    )
}

#[test]
fn two_processes_never_claim_one_write_and_order_holds_per_record_only() {
    let (dir, mut a) = store();
    with_task(&mut a, "p1");
    with_task(&mut a, "p2");
    let first_on_p1 = edit(&mut a, "p1", Some("Done"), None);
    let second_on_p1 = edit(&mut a, "p1", None, Some("High"));
    let on_p2 = edit(&mut a, "p2", Some("On Hold"), None);
    // A second process on the same file.
    let mut b = Store::open(&dir.path().join("s.sqlite")).unwrap();
    let (alice, bob) = (Holder::this_process(), Holder::this_process());

    assert_eq!(claim(&mut a, &alice), Some(first_on_p1));
    assert_eq!(
        claim(&mut b, &bob),
        Some(on_p2),
        "p1's second write waits behind the first, p2 goes on"
    );
    assert_eq!(claim(&mut b, &bob), None, "nothing else may go");
    // A failure of p1's first write keeps p1's order: its second still waits.
    a.release_for_retry(
        first_on_p1,
        &alice,
        "Notion answered 500",
        std::time::Duration::ZERO,
    )
    .unwrap();
    let skip: HashSet<i64> = [first_on_p1].into();
    assert!(
        b.claim_write(&bob, &skip).unwrap().is_none(),
        "the second write on p1 never overtakes the first"
    );
    let again = b.claim_write(&bob, &HashSet::new()).unwrap().unwrap();
    assert_eq!(again.entry.seq, first_on_p1);
    assert!(
        again.may_have_landed,
        "sent once before: it may have landed"
    );
    assert_eq!(
        again.entry.last_error.as_deref(),
        Some("Notion answered 500")
    );
    // Settling needs the lease: alice's is gone.
    assert!(!a.confirm(first_on_p1, &alice, &Landed::default()).unwrap());
    assert!(b.confirm(first_on_p1, &bob, &Landed::default()).unwrap());
    assert_eq!(claim(&mut a, &alice), Some(second_on_p1));
}

#[test]
fn a_dead_holders_write_is_taken_over_and_a_live_ones_only_when_its_lease_expires() {
    let (_dir, mut store) = store();
    with_task(&mut store, "p1");
    let seq = edit(&mut store, "p1", Some("Done"), None);
    // A process of this machine that no longer runs (no such pid).
    let dead = Holder::named(&format!("{}/4000000000/0", Holder::this_host()));
    assert_eq!(claim(&mut store, &dead), Some(seq));
    let me = Holder::this_process();
    let taken = store.claim_write(&me, &HashSet::new()).unwrap().unwrap();
    assert!(taken.may_have_landed, "caught mid-send by a crash");
    assert_eq!(store.write_state(seq).unwrap().unwrap().attempts, 2);

    // A holder elsewhere (or alive) keeps it until the lease expires.
    let elsewhere = Holder::named("another-host/1/0");
    store
        .release_for_retry(seq, &me, "x", std::time::Duration::ZERO)
        .unwrap();
    assert_eq!(claim(&mut store, &elsewhere), Some(seq));
    assert_eq!(claim(&mut store, &me), None, "a live lease is respected");
    store
        .conn
        .execute(
            "UPDATE outbox SET lease_until = ?2 WHERE seq = ?1",
            params![seq, Utc::now().timestamp_millis() - 1],
        )
        .unwrap();
    assert_eq!(claim(&mut store, &me), Some(seq), "an expired one is not");
}

#[test]
fn a_rollback_replays_the_writes_still_queued_on_the_record() {
    let (_dir, mut store) = store();
    with_task(&mut store, "p1");
    let refused = edit(&mut store, "p1", Some("Done"), None);
    let _still_queued = edit(&mut store, "p1", None, Some("High"));
    assert_eq!(
        status_and_priority(&store, "p1"),
        (Some("Done".into()), Some("High".into()), 2)
    );
    let me = Holder::this_process();
    claim(&mut store, &me);
    assert!(
        store
            .reject(refused, &me, "Notion said no", &Default::default())
            .unwrap()
    );
    assert_eq!(
        status_and_priority(&store, "p1"),
        (Some("To Do".into()), Some("High".into()), 1),
        "Notion's status, and the priority still on its way"
    );
}

/// A create queued with a placeholder page, and an edit of that task queued after it.
fn create_then_edit(store: &mut Store) -> (i64, i64) {
    let write = Write::CreateTask {
        task_id: "TASK-00000001".into(),
        local_page: "local:TASK-00000001".into(),
        instance_page: "inst".into(),
        instance_id: "INST-1".into(),
        name: "Call Jane".into(),
        description: None,
        priority: "Medium".into(),
        due: None,
        assignee: None,
        actor: "alice".into(),
        at: at(),
    };
    let mut task = Record::new(DatabaseKey::Tasks);
    task.page_id = Some("local:TASK-00000001".into());
    task.set("Task ID", "TASK-00000001".to_string());
    task.set("Status", Some("To Do".to_string()));
    let create = store
        .submit(
            &[(task, "ds-tasks".into())],
            write.kind(),
            &serde_json::to_value(&write).unwrap(),
            at(),
        )
        .unwrap();
    let edit = edit(store, "local:TASK-00000001", Some("Done"), None);
    (create, edit)
}

#[test]
fn edits_of_a_task_still_being_created_follow_it_to_its_notion_page() {
    let (_dir, mut store) = store();
    let (create, edit) = create_then_edit(&mut store);
    let me = Holder::this_process();
    assert_eq!(claim(&mut store, &me), Some(create));
    assert_eq!(claim(&mut store, &me), None, "the edit waits for its task");
    let made = task_page("real-1", "To Do", "2026-12-01T09:00:00.000Z");
    store
        .confirm(
            create,
            &me,
            &Landed {
                pages: vec![(DatabaseKey::Tasks, "ds-tasks".into(), made)],
                created: Some(("local:TASK-00000001", "real-1")),
                ..Landed::default()
            },
        )
        .unwrap();
    assert!(store.record("local:TASK-00000001").unwrap().is_none());
    assert_eq!(
        status_and_priority(&store, "real-1"),
        (Some("Done".into()), None, 1),
        "Notion's new page with the queued edit on it"
    );
    let queued = store.claim_write(&me, &HashSet::new()).unwrap().unwrap();
    assert_eq!(queued.entry.seq, edit);
    assert_eq!(queued.entry.touched, ["real-1"]);
    match serde_json::from_value::<Write>(queued.entry.body).unwrap() {
        Write::EditTask { task_page, .. } => assert_eq!(task_page, "real-1"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_refused_create_takes_the_edits_queued_on_its_task_along() {
    let (_dir, mut store) = store();
    let (create, edit) = create_then_edit(&mut store);
    let me = Holder::this_process();
    claim(&mut store, &me);
    store
        .reject(create, &me, "the instance is gone", &Default::default())
        .unwrap();
    let edit = store.write_state(edit).unwrap().unwrap();
    assert_eq!(edit.state, OutboxState::Failed);
    assert!(
        edit.last_error
            .unwrap()
            .contains("never created: the instance is gone")
    );
    assert!(store.record("local:TASK-00000001").unwrap().is_none());
    assert!(store.unsettled_writes().unwrap().is_empty());
}

#[test]
fn a_held_write_waits_for_the_operator_and_a_dropped_one_restores_notions_copy() {
    let (_dir, mut store) = store();
    with_task(&mut store, "p1");
    let held = edit(&mut store, "p1", Some("Done"), None);
    let next = edit(&mut store, "p1", None, Some("Low"));
    let me = Holder::this_process();
    claim(&mut store, &me);
    store.hold_write(held, &me, "block limit").unwrap();
    assert_eq!(
        claim(&mut store, &me),
        None,
        "held, and p1's next waits behind it"
    );
    assert_eq!(
        status_and_priority(&store, "p1"),
        (Some("Done".into()), Some("Low".into()), 2),
        "a held write keeps its change"
    );
    store.retry_write(held).unwrap();
    assert_eq!(claim(&mut store, &me), Some(held));
    store
        .release_for_retry(held, &me, "x", std::time::Duration::ZERO)
        .unwrap();

    let dropped = store.drop_write(held).unwrap();
    assert_eq!(dropped.seq, held);
    let after = store.write_state(held).unwrap().unwrap();
    assert_eq!(after.state, OutboxState::Failed);
    assert_eq!(
        status_and_priority(&store, "p1"),
        (Some("To Do".into()), Some("Low".into()), 1),
        "Notion's copy, with the write still queued"
    );
    assert!(store.drop_write(held).is_err(), "dropped once");
    assert_eq!(claim(&mut store, &me), Some(next));
    assert!(store.drop_write(next).is_err(), "being sent: not dropped");
}

/// A task on its way to the trash is out of the tables from the moment it is queued; a
/// dropped trash shows it again, a confirmed one removes it.
#[test]
fn a_task_queued_for_the_trash_is_hidden_until_dropped_and_gone_once_confirmed() {
    let (_dir, mut store) = store();
    let listed = |store: &Store| {
        store
            .records(DatabaseKey::Tasks, &Default::default())
            .unwrap()
            .len()
    };
    let trash = |store: &mut Store, page: &str| {
        let task = store.record(page).unwrap().unwrap().record;
        let (write, after) = crate::domain::write::plan_trash(&task, at()).unwrap();
        store
            .submit(
                &[(after, "ds-tasks".into())],
                write.kind(),
                &serde_json::to_value(&write).unwrap(),
                at(),
            )
            .unwrap()
    };
    with_task(&mut store, "p1");
    assert_eq!(listed(&store), 1);
    let dropped = trash(&mut store, "p1");
    assert_eq!(listed(&store), 0, "hidden while queued");
    store.drop_write(dropped).unwrap();
    assert_eq!(listed(&store), 1, "back once dropped");

    let sent = trash(&mut store, "p1");
    let me = Holder::this_process();
    assert_eq!(claim(&mut store, &me), Some(sent));
    assert!(store.confirm(sent, &me, &Landed::default()).unwrap());
    assert_eq!(listed(&store), 0);
    assert!(store.record("p1").unwrap().is_none(), "gone from the cache");
}

/// The dashboard's undo: a write never sent is dropped (`drop_unsent`); one sent before
/// (its answer lost) is not, and its inverse is queued linked to it (`submit_undo`): the
/// write failing takes the inverse with it, and an inverse of a write failed already is
/// not queued.
#[test]
fn an_undo_drops_only_unsent_writes_and_an_inverse_fails_with_its_write() {
    let (_dir, mut store) = store();
    with_task(&mut store, "p1");
    let me = Holder::this_process();
    let unsent = edit(&mut store, "p1", Some("Done"), None);
    store.drop_unsent(unsent).unwrap();

    let sent = edit(&mut store, "p1", Some("Done"), None);
    assert_eq!(claim(&mut store, &me), Some(sent));
    store
        .release_for_retry(sent, &me, "answer lost", std::time::Duration::ZERO)
        .unwrap();
    assert!(store.drop_unsent(sent).is_err(), "it may have landed");

    let task = store.record("p1").unwrap().unwrap().record;
    let (inverse, after) =
        plan_task_edit(&task, Some("To Do"), None, None, None, "alice", at()).unwrap();
    let body = serde_json::to_value(&inverse).unwrap();
    let changes = [(after, "ds-tasks".to_string())];
    let undo = store
        .submit_undo(&changes, inverse.kind(), &body, at(), sent)
        .unwrap();
    assert_eq!(claim(&mut store, &me), Some(sent));
    store
        .reject(sent, &me, "refused", &Default::default())
        .unwrap();
    let inverse_state = store.write_state(undo).unwrap().unwrap();
    assert_eq!(inverse_state.state, OutboxState::Failed);
    assert!(
        inverse_state
            .last_error
            .unwrap()
            .contains("nothing to undo")
    );
    assert!(
        store
            .submit_undo(&changes, inverse.kind(), &body, at(), sent)
            .is_err(),
        "the write it undoes failed already"
    );
    assert_eq!(store.record("p1").unwrap().unwrap().pending, 0);
}
