//! Advances, new tasks and restorations: the entries they add.
use super::*;
use crate::domain::history::LogEntry;
use crate::domain::models::Workflow;
use crate::domain::workflow::StateMachine;
use chrono::TimeZone;
use serde_json::json;

fn instance(history: &str) -> Record {
    let mut record = Record::new(DatabaseKey::ActiveWorkflowInstances);
    record.page_id = Some("page-1".into());
    record.set("Instance ID", "INST-0001".to_string());
    record.set("Current State", "inquiry".to_string());
    record.set("History Log", history.to_string());
    record
}

fn machine() -> StateMachine {
    StateMachine::from_workflow(&Workflow {
        workflow_id: "WF".into(),
        initial_state: "inquiry".into(),
        states: r#"["inquiry","consultation","completed"]"#.into(),
        ..Workflow::default()
    })
    .unwrap()
}

fn at(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 10, minute, 0).unwrap()
        + chrono::Duration::nanoseconds(123_456_789)
}

/// The entry a queued write reports is the one its planned change added, even after a
/// trip through the outbox's JSON.
#[test]
fn a_write_knows_the_history_entry_it_adds() {
    let (write, after) = plan_advance(
        &instance(""),
        &machine(),
        None,
        "consultation",
        Some("  booked  "),
        "alice",
        at(0),
    )
    .unwrap();
    let (task_write, _, task_after) = plan_new_task(
        &instance(""),
        &TaskRequest {
            name: " Call Jane ".into(),
            assignee: Some("Solari".into()),
            due: NaiveDate::from_ymd_opt(2026, 12, 1),
            ..TaskRequest::default()
        },
        "TASK-00000001",
        "local:TASK-00000001",
        "alice",
        at(1),
    )
    .unwrap();
    for (write, after) in [(write, after), (task_write, task_after)] {
        let queued: Write = serde_json::from_value(serde_json::to_value(&write).unwrap()).unwrap();
        let entry = queued.history_entry().unwrap();
        let log = HistoryLog::decode(&after.get::<String>("History Log"));
        assert!(log.contains(&entry), "{write:?}");
        assert_eq!(log.len(), 1);
    }
}

#[test]
fn a_restoration_plans_only_what_is_missing_and_round_trips() {
    let ours = HistoryEntry::transition("alice", "inquiry", "consultation", None, at(0));
    let theirs = HistoryEntry::event("LeadCaptureAgent", "Lead scored", Map::new(), at(5));
    let dropped = instance(&json!([theirs.to_json()]).to_string());
    let (write, after) = plan_restore(&dropped, &[ours.clone(), theirs.clone()]).unwrap();
    assert_eq!(write.kind(), "restore_history");
    assert_eq!(
        write.summary(),
        "INST-0001: put back 1 dropped history entry"
    );
    let log = HistoryLog::decode(&after.get::<String>("History Log"));
    let order: Vec<&str> = log.history_entries().map(HistoryEntry::action).collect();
    assert_eq!(
        order,
        [
            "[alice] Transitioned from inquiry to consultation",
            "[LeadCaptureAgent] Lead scored"
        ]
    );
    let queued: Write = serde_json::from_value(serde_json::to_value(&write).unwrap()).unwrap();
    assert_eq!(queued, write);
    let entries = queued.restored_entries();
    assert_eq!(entries.len(), 1);
    assert!(entries[0].same_as(&ours));
    assert_eq!(entries[0].timestamp(), at(0), "every digit of the instant");
    assert!(queued.history_entry().is_none());

    // Nothing missing: nothing to plan.
    assert!(plan_restore(&after, &[ours]).is_none());
    assert!(matches!(log.entries()[1], LogEntry::Entry(_)));
}
