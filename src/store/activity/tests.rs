//! The audit log's index on a real SQLite file: filled at sync and by local writes, a
//! queued entry marked pending and then replaced (never doubled) by Notion's copy.

use std::collections::HashSet;

use chrono::{TimeZone, Utc};
use serde_json::json;

use super::*;
use crate::domain::history::HistoryEntry;
use crate::domain::write::plan_hold;
use crate::store::outbox::{Holder, Landed};

fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 9, 0, 0).unwrap()
}

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("s.sqlite")).unwrap();
    (dir, store)
}

fn text(content: &str) -> serde_json::Value {
    json!([{"type": "text", "text": {"content": content}, "plain_text": content}])
}

/// An instance of `WF-CONSULT` (page `wf-1`) holding `log`.
fn instance(id: &str, status: &str, log: &serde_json::Value, edited: &str) -> Page {
    Page::from_json(json!({
        "object": "page", "id": format!("page-{id}"),
        "created_time": "2026-11-01T09:00:00.000Z", "last_edited_time": edited,
        "parent": {"type": "data_source_id", "data_source_id": "ds-inst"},
        "properties": {
            "Instance ID": {"id": "title", "type": "title", "title": text(id)},
            "Workflow": {"id": "w", "type": "relation", "relation": [{"id": "wf-1"}]},
            "Current State": {"id": "c", "type": "rich_text", "rich_text": text("booked")},
            "Status": {"id": "s", "type": "status", "status": {"name": status}},
            "History Log": {"id": "h", "type": "rich_text", "rich_text": text(&log.to_string())}
        }
    }))
    .unwrap()
}

fn workflow() -> Page {
    Page::from_json(json!({
        "object": "page", "id": "wf-1",
        "created_time": "2026-11-01T09:00:00.000Z", "last_edited_time": "2026-11-01T09:00:00.000Z",
        "parent": {"type": "data_source_id", "data_source_id": "ds-wf"},
        "properties": {"Workflow ID": {"id": "title", "type": "title", "title": text("WF-CONSULT")}}
    }))
    .unwrap()
}

fn original_log() -> serde_json::Value {
    json!([
        {"timestamp": "2026-12-05T09:00:00", "action": "[BookingAgent] Transitioned from inquiry to booked via book", "details": {}},
        "garbled",
        {"timestamp": "2026-12-06T09:00:00Z", "action": "[Solari] Lead scored 82", "details": {"actor": "Solari"}}
    ])
}

fn synced(store: &mut Store, pages: &[Page]) {
    store
        .upsert_pages(DatabaseKey::WorkflowsLibrary, "ds-wf", &[workflow()])
        .unwrap();
    store
        .upsert_pages(DatabaseKey::ActiveWorkflowInstances, "ds-inst", pages)
        .unwrap();
}

fn rows(store: &Store, filter: &str) -> Vec<ActivityRow> {
    store
        .activity(&ActivityFilter::parse(filter, at()).unwrap(), None)
        .unwrap()
}

#[test]
fn a_sync_indexes_every_item_of_every_log_newest_first() {
    let (_dir, mut store) = store();
    let other = json!([{"timestamp": "2026-12-07T08:00:00Z", "action": "[Nyra] Transitioned from new to closed_lost", "details": {"actor": "Nyra", "from": "new", "to": "closed_lost"}}]);
    synced(
        &mut store,
        &[
            instance(
                "INST-1",
                "Active",
                &original_log(),
                "2026-12-06T09:00:00.000Z",
            ),
            instance("INST-2", "Active", &other, "2026-12-07T08:00:00.000Z"),
        ],
    );
    let all = rows(&store, "");
    let seen: Vec<(&str, ActivityKind)> = all
        .iter()
        .map(|r| (r.instance_id.as_str(), r.activity.kind))
        .collect();
    assert_eq!(
        seen,
        [
            ("INST-2", ActivityKind::Transition),
            ("INST-1", ActivityKind::Other),
            // The unreadable item sits at its neighbour's time, after it in the log.
            ("INST-1", ActivityKind::Unreadable),
            ("INST-1", ActivityKind::Transition),
        ]
    );
    assert_eq!(all[0].workflow.as_deref(), Some("WF-CONSULT"));
    assert_eq!(all[3].activity.actor.as_deref(), Some("BookingAgent"));
    assert!(all.iter().all(|r| !r.pending));
    assert_eq!(store.activity_count(&ActivityFilter::default()).unwrap(), 4);

    // A changed log replaces the instance's rows; nothing is doubled.
    let shorter = json!([original_log()[0].clone()]);
    synced(
        &mut store,
        &[instance(
            "INST-1",
            "Active",
            &shorter,
            "2026-12-07T10:00:00.000Z",
        )],
    );
    assert_eq!(rows(&store, "instance=inst-1").len(), 1);
    // A page moved to the trash takes its rows with it.
    let mut gone = instance("INST-2", "Active", &other, "2026-12-07T11:00:00.000Z");
    gone.in_trash = true;
    synced(&mut store, &[gone]);
    assert!(rows(&store, "instance=INST-2").is_empty());
}

#[test]
fn the_filters_compose_in_sql_as_the_domain_defines_them() {
    let (_dir, mut store) = store();
    let log = json!([
        {"timestamp": "2026-12-06T09:00:00Z", "action": "[Solari] Transitioned from new to closed_lost", "details": {"actor": "Solari", "from": "new", "to": "closed_lost"}},
        {"timestamp": "2026-12-01T09:00:00Z", "action": "[Solari] Transitioned from a to closed_lost", "details": {"actor": "Solari", "from": "a", "to": "closed_lost"}},
        {"timestamp": "2026-12-06T10:00:00Z", "action": "[Nyra] Transitioned from new to closed_lost", "details": {"actor": "Nyra", "from": "new", "to": "closed_lost"}},
        {"timestamp": "2026-12-06T11:00:00Z", "action": "[Solari] Lead scored", "details": {"actor": "Solari"}}
    ]);
    synced(
        &mut store,
        &[instance(
            "INST-1",
            "Active",
            &log,
            "2026-12-06T11:00:00.000Z",
        )],
    );
    let everything = rows(&store, "");
    for filter in [
        "actor=sol kind=transition to=CLOSED_LOST since=2d",
        "actor=Solari",
        "kind=transition,other until=2026-12-05",
        "workflow=wf-consult to=closed_lost",
        "workflow=WF-SALES",
        "instance=INST-1 actor=nyra",
        "actor=%",
    ] {
        let parsed = ActivityFilter::parse(filter, at()).unwrap();
        let expected: Vec<usize> = everything
            .iter()
            .filter(|r| parsed.matches(&r.activity, &r.instance_id, r.workflow.as_deref()))
            .map(|r| r.activity.position)
            .collect();
        let got: Vec<usize> = rows(&store, filter)
            .iter()
            .map(|r| r.activity.position)
            .collect();
        assert_eq!(got, expected, "{filter}");
    }
    assert_eq!(
        rows(&store, "actor=sol kind=transition since=2d")
            .iter()
            .map(|r| r.activity.position)
            .collect::<Vec<_>>(),
        [0]
    );
    let limited = store.activity(&ActivityFilter::default(), Some(2)).unwrap();
    assert_eq!(limited.len(), 2);
}

#[test]
fn a_queued_entry_is_pending_until_notion_confirms_it_and_is_never_doubled() {
    let (_dir, mut store) = store();
    synced(
        &mut store,
        &[instance(
            "INST-1",
            "Active",
            &original_log(),
            "2026-12-06T09:00:00.000Z",
        )],
    );
    let cached = store.record("page-INST-1").unwrap().unwrap().record;
    let (write, after) = plan_hold(&cached, Some("waiting on the client"), "ops", at()).unwrap();
    let seq = store
        .submit(
            &[(after, "ds-inst".into())],
            write.kind(),
            &serde_json::to_value(&write).unwrap(),
            at(),
        )
        .unwrap();
    let queued = rows(&store, "instance=INST-1");
    assert_eq!(queued.len(), 4);
    assert!(queued[0].pending, "the hold's entry waits for Notion");
    assert_eq!(queued[0].activity.kind, ActivityKind::Correction);
    assert_eq!(queued[0].activity.actor.as_deref(), Some("ops"));
    assert!(
        queued[1..].iter().all(|r| !r.pending),
        "Notion's own entries are not pending"
    );

    // Notion applied it: its copy holds the same entry.
    let entry: HistoryEntry = write.history_entry().unwrap();
    let mut log = original_log();
    log.as_array_mut().unwrap().push(json!(entry.to_json()));
    let holder = Holder::this_process();
    let claimed = store
        .claim_write(&holder, &HashSet::new())
        .unwrap()
        .unwrap();
    assert_eq!(claimed.entry.seq, seq);
    let landed = Landed {
        pages: vec![(
            DatabaseKey::ActiveWorkflowInstances,
            "ds-inst".into(),
            instance("INST-1", "On Hold", &log, "2026-12-07T09:01:00.000Z"),
        )],
        ..Landed::default()
    };
    assert!(store.confirm(seq, &holder, &landed).unwrap());
    let confirmed = rows(&store, "instance=INST-1");
    assert_eq!(
        confirmed.len(),
        4,
        "the confirmed entry replaced the pending one"
    );
    assert!(confirmed.iter().all(|r| !r.pending));
    assert_eq!(confirmed[0].activity.action, queued[0].activity.action);
}

#[test]
fn a_store_from_before_the_index_is_indexed_once_when_opened() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite");
    {
        let mut store = Store::open(&path).unwrap();
        synced(
            &mut store,
            &[instance(
                "INST-1",
                "Active",
                &original_log(),
                "2026-12-06T09:00:00.000Z",
            )],
        );
        // As an older hsn left it: no rows, and the flag the migration sets.
        store
            .conn
            .execute_batch(
                "DELETE FROM entries; INSERT INTO store_flags VALUES ('rebuild_entries');",
            )
            .unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(rows(&store, "").len(), 3);
    let flags: i64 = store
        .conn
        .query_row("SELECT count(*) FROM store_flags", [], |r| r.get(0))
        .unwrap();
    assert_eq!(flags, 0);
}

#[test]
fn the_trail_of_a_task_with_no_instance_is_in_the_audit_log_once() {
    use crate::domain::history::TaskChange;
    let (_dir, mut store) = store();
    let entry = HistoryEntry::task_edit(
        "ops",
        "TASK-9",
        "page-task-9",
        &[TaskChange::new(
            "Status",
            Some("To Do".into()),
            Some("Done".into()),
        )],
        Some("closed by phone"),
        at(),
    );
    for _ in 0..2 {
        let tx = store.write_transaction().unwrap();
        crate::store::task_trail::keep_in(
            &tx,
            &("page-task-9".into(), "TASK-9".into(), entry.clone()),
        )
        .unwrap();
        tx.commit().unwrap();
    }
    let kept = rows(&store, "kind=task");
    assert_eq!(kept.len(), 1, "kept once");
    assert_eq!(kept[0].page_id, "page-task-9");
    assert_eq!(kept[0].instance_id, "", "no instance");
    assert_eq!(kept[0].activity.actor.as_deref(), Some("ops"));
    assert_eq!(kept[0].activity.note.as_deref(), Some("closed by phone"));
    assert!(
        kept[0]
            .activity
            .action
            .starts_with("Task TASK-9: status To Do → Done")
    );
}

#[test]
fn a_write_settled_without_a_copy_from_notion_leaves_nothing_pending() {
    // The demo settles its writes locally: no page comes back, the raw page stays the
    // seed's, and the entry must stop being pending all the same.
    let (_dir, mut store) = store();
    synced(
        &mut store,
        &[instance(
            "INST-1",
            "Active",
            &original_log(),
            "2026-12-06T09:00:00.000Z",
        )],
    );
    let cached = store.record("page-INST-1").unwrap().unwrap().record;
    let (write, after) = plan_hold(&cached, None, "ops", at()).unwrap();
    let seq = store
        .submit(
            &[(after, "ds-inst".into())],
            write.kind(),
            &serde_json::to_value(&write).unwrap(),
            at(),
        )
        .unwrap();
    assert!(rows(&store, "instance=INST-1")[0].pending);
    let holder = Holder::this_process();
    store
        .claim_write(&holder, &HashSet::new())
        .unwrap()
        .unwrap();
    assert!(store.confirm(seq, &holder, &Landed::default()).unwrap());
    let settled = rows(&store, "instance=INST-1");
    assert_eq!(settled.len(), 4);
    assert!(settled.iter().all(|r| !r.pending), "{settled:#?}");
}
