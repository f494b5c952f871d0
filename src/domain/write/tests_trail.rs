//! A task edit records itself: its entry in the task's instance's log, or, for a task with
//! no instance, in hsn's store only.

use super::*;
use crate::domain::history::EntryKind;
use chrono::TimeZone;

fn at(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 10, minute, 0).unwrap()
}

fn task(instance: Option<Link>) -> Record {
    let mut record = Record::new(DatabaseKey::Tasks);
    record.page_id = Some("task-page".into());
    record.set("Task ID", "TASK-0042".to_string());
    record.set("Status", Some("To Do".to_string()));
    record.set("Priority", Some("Medium".to_string()));
    record.set(
        "Due Date",
        date(NaiveDate::from_ymd_opt(2026, 12, 9).unwrap()),
    );
    if let Some(link) = instance {
        record.set(TASK_INSTANCE_COLUMN, link);
    }
    record
}

fn instance() -> Record {
    let mut record = Record::new(DatabaseKey::ActiveWorkflowInstances);
    record.page_id = Some("inst-page".into());
    record.set("Instance ID", "INST-0001".to_string());
    record
}

fn linked() -> Record {
    task(Some(Link::Pages(vec!["inst-page".into()])))
}

fn done(note: Option<&str>) -> TaskChanges {
    TaskChanges {
        status: Some("done".into()),
        note: note.map(str::to_string),
        ..TaskChanges::default()
    }
}

#[test]
fn an_edit_carries_its_instance_and_its_entry_shows_in_the_instance_at_once() {
    let (write, _) =
        plan_task_changes(&linked(), &done(Some("called back")), "alice", at(0)).expect("planned");
    assert_eq!(write.instance_page().map(String::as_str), Some("inst-page"));
    assert!(write.store_trail().is_none());
    let queued: Write = serde_json::from_value(serde_json::to_value(&write).unwrap()).unwrap();
    assert_eq!(queued, write);
    let entry = queued.history_entry().expect("an edit records an entry");
    assert_eq!(
        entry.action(),
        "[alice] Task TASK-0042: status To Do → Done"
    );
    assert_eq!(entry.note(), Some("called back"));
    assert_eq!(entry.kind(), EntryKind::TaskEdit);
    assert_eq!(entry.details()["task_page"], "task-page");

    // The optimistic instance: the entry in its log, once however often applied.
    let mut after = instance();
    write.apply(&mut after);
    write.apply(&mut after);
    let log = HistoryLog::decode(&after.get::<String>("History Log"));
    assert_eq!(log.len(), 1);
    assert!(log.contains(&entry));
    // Its stamp, when first sent, is the entry's time.
    let stamped = write.stamped(at(9));
    assert_eq!(stamped.history_entry().unwrap().timestamp(), at(9));
}

#[test]
fn several_columns_and_a_cleared_due_date_read_from_what_the_task_held() {
    let changes = TaskChanges {
        status: Some("Done".into()),
        priority: Some("High".into()),
        assignee: Some("Nyra".into()),
        due: Some(None),
        note: Some("   ".into()),
    };
    let (write, _) = plan_task_changes(&linked(), &changes, "bob", at(1)).unwrap();
    let entry = write.history_entry().unwrap();
    assert_eq!(
        entry.summary(),
        "Task TASK-0042: status To Do → Done, priority Medium → High, \
         assignee (none) → Nyra, due 2026-12-09 → (none)"
    );
    assert_eq!(entry.note(), None, "a blank note is none");
    assert_eq!(entry.transition_states(), None);
}

#[test]
fn a_task_with_no_instance_keeps_its_trail_in_the_store() {
    let (write, _) = plan_task_changes(&task(None), &done(None), "alice", at(2)).unwrap();
    assert_eq!(write.instance_page(), None);
    let (page, task_id, entry) = write.store_trail().expect("kept in the store");
    assert_eq!((page, task_id), ("task-page", "TASK-0042"));
    assert_eq!(entry.summary(), "Task TASK-0042: status To Do → Done");

    // A link held as text (the original tool's workspace) names the instance by its ID.
    let legacy = task(Some(Link::Text("INST-0001".into())));
    let (write, _) = plan_task_changes(&legacy, &done(None), "alice", at(2)).unwrap();
    assert!(write.store_trail().is_none());
    assert!(matches!(
        &write,
        Write::EditTask { instance_id: Some(id), instance_page: None, .. } if id == "INST-0001"
    ));
}

#[test]
fn an_undo_records_itself_on_the_same_instance() {
    let (edit, edited) = plan_task_changes(&linked(), &done(None), "alice", at(0)).unwrap();
    let (undo, _) = plan_undo(&edit, &edited, "bob", at(3)).unwrap();
    assert_eq!(undo.instance_page().map(String::as_str), Some("inst-page"));
    assert_eq!(
        undo.history_entry().unwrap().action(),
        "[bob] Task TASK-0042: status Done → To Do"
    );
}

#[test]
fn an_edit_queued_before_the_trail_still_reads_and_records_nothing() {
    let was = serde_json::to_value(FieldValue::OptText(Some("To Do".into()))).unwrap();
    let old: Write = serde_json::from_value(serde_json::json!({
        "op": "EditTask", "task_page": "p", "task_id": "TASK-1", "status": "Done",
        "priority": null, "assignee": null, "due": null, "at": "2026-12-01T10:00:00Z",
        "was": {"Status": was}
    }))
    .unwrap();
    assert!(matches!(
        &old,
        Write::EditTask { actor, note: None, instance_page: None, instance_id: None, .. }
            if actor.is_empty()
    ));
    assert_eq!(old.history_entry(), None);
    assert!(old.store_trail().is_none());
    let body = serde_json::to_value(&old).unwrap();
    for field in ["actor", "note", "instance_page", "instance_id"] {
        assert!(body.get(field).is_none(), "written as before: {body}");
    }
}

#[test]
fn a_note_with_control_characters_is_refused() {
    let why = plan_task_changes(&linked(), &done(Some("ok\u{1b}[2J")), "alice", at(0));
    assert!(matches!(why, Err(PlanError::Invalid(w)) if w.contains("note")));
}

#[test]
fn a_column_set_to_the_value_it_held_is_not_in_the_trail() {
    let changes = TaskChanges {
        status: Some("To Do".into()),
        priority: Some("High".into()),
        ..TaskChanges::default()
    };
    let (write, _) = plan_task_changes(&linked(), &changes, "bob", at(2)).unwrap();
    assert_eq!(
        write.history_entry().unwrap().summary(),
        "Task TASK-0042: priority Medium → High"
    );
    let same = TaskChanges {
        status: Some("To Do".into()),
        ..TaskChanges::default()
    };
    let (write, _) = plan_task_changes(&linked(), &same, "bob", at(3)).unwrap();
    assert_eq!(write.history_entry(), None, "nothing changed: no entry");
}
