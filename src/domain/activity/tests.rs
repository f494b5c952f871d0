use chrono::TimeZone;
use serde_json::json;

use super::*;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 15, 0, 0).unwrap()
}

fn log(items: serde_json::Value) -> HistoryLog {
    HistoryLog::decode(&items.to_string())
}

#[test]
fn every_item_of_a_log_is_one_activity_of_its_kind() {
    let log = log(json!([
        {"timestamp": "2026-12-01T09:00:00", "action": "[BookingAgent] Transitioned from inquiry to booked via book", "details": {}},
        {"timestamp": "2026-12-02T10:00:00Z", "action": "[Solari] Created task: Call back", "details": {"actor": "Solari", "task_id": "TASK-0001"}},
        {"timestamp": "2026-12-03T10:00:00Z", "action": "[ops] Task TASK-0001: status To Do → Done", "details": {"actor": "ops", "task": "TASK-0001"}},
        {"timestamp": "2026-12-04T10:00:00", "action": "[BookingAgent] Error confirming booking in Amelia", "details": {"status_code": 502}},
        "not an entry",
        {"timestamp": "2026-12-05T10:00:00Z", "action": "[ops] Resolved error: Amelia down — retried", "details": {"actor": "ops", "correction": "resolve"}},
        {"timestamp": "2026-12-06T10:00:00Z", "action": "[Nyra] Lead scored 82", "details": {"actor": "Nyra", "note": "warm"}}
    ]));
    let rows = activities(&log, now());
    let kinds: Vec<ActivityKind> = rows.iter().map(|r| r.kind).collect();
    assert_eq!(
        kinds,
        [
            ActivityKind::Transition,
            ActivityKind::TaskCreated,
            ActivityKind::Task,
            ActivityKind::Error,
            ActivityKind::Unreadable,
            ActivityKind::Correction,
            ActivityKind::Other,
        ]
    );
    // The original agent's entry: actor from the prefix, states from the action.
    assert_eq!(rows[0].actor.as_deref(), Some("BookingAgent"));
    assert_eq!(rows[0].from.as_deref(), Some("inquiry"));
    assert_eq!(rows[0].to.as_deref(), Some("booked"));
    assert_eq!(
        rows[0].action,
        "Transitioned from inquiry to booked via book"
    );
    // A task edit's arrow is not a move.
    assert_eq!(rows[2].to, None);
    // The unreadable item keeps its text and sits at its neighbour's time.
    assert_eq!(rows[4].action, "\"not an entry\"");
    assert_eq!(rows[4].at, rows[3].at);
    assert_eq!(rows[4].position, 4);
    assert_eq!(rows[6].note.as_deref(), Some("warm"));
}

#[test]
fn a_log_that_is_not_json_is_one_unreadable_row_at_the_fallback_time() {
    let rows = activities(&HistoryLog::decode("moved by hand"), now());
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].kind, ActivityKind::Unreadable);
    assert_eq!(rows[0].at, now());
}

#[test]
fn filters_compose_with_and() {
    let log = log(json!([
        {"timestamp": "2026-12-06T09:00:00Z", "action": "[Solari] Transitioned from new to closed_lost", "details": {"actor": "Solari", "from": "new", "to": "closed_lost"}},
        {"timestamp": "2026-12-01T09:00:00Z", "action": "[Solari] Transitioned from a to closed_lost", "details": {"actor": "Solari", "from": "a", "to": "closed_lost"}},
        {"timestamp": "2026-12-06T09:00:00Z", "action": "[Nyra] Transitioned from new to closed_lost", "details": {"actor": "Nyra", "from": "new", "to": "closed_lost"}},
        {"timestamp": "2026-12-06T10:00:00Z", "action": "[Solari] Lead scored", "details": {"actor": "Solari"}}
    ]));
    let rows = activities(&log, now());
    let filter =
        ActivityFilter::parse("actor=sol kind=transition to=CLOSED_LOST since=2d", now()).unwrap();
    let kept: Vec<usize> = rows
        .iter()
        .filter(|r| filter.matches(r, "INST-1", Some("WF-CONSULT")))
        .map(|r| r.position)
        .collect();
    assert_eq!(kept, [0]);
    let other_workflow = ActivityFilter::parse("workflow=WF-SALES", now()).unwrap();
    assert!(!other_workflow.matches(&rows[0], "INST-1", Some("WF-CONSULT")));
    let this_one = ActivityFilter::parse("workflow=wf-consult instance=inst-1", now()).unwrap();
    assert!(this_one.matches(&rows[0], "INST-1", Some("WF-CONSULT")));
}

#[test]
fn times_read_relative_and_absolute_and_until_keeps_its_day() {
    assert_eq!(parse_since("2d", now()).unwrap(), now() - Duration::days(2));
    assert_eq!(
        parse_since("6h", now()).unwrap(),
        now() - Duration::hours(6)
    );
    assert_eq!(
        parse_since("yesterday", now()).unwrap(),
        Utc.with_ymd_and_hms(2026, 12, 6, 0, 0, 0).unwrap()
    );
    assert_eq!(
        parse_since("2026-12-01", now()).unwrap(),
        Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap()
    );
    assert_eq!(
        parse_until("2026-12-01", now()).unwrap(),
        Utc.with_ymd_and_hms(2026, 12, 2, 0, 0, 0).unwrap()
    );
    let err = parse_since("lastweek", now()).unwrap_err();
    assert!(err.contains("not a time"), "{err}");
}

#[test]
fn a_bad_filter_says_what_is_wrong() {
    assert!(
        ActivityFilter::parse("colour=red", now())
            .unwrap_err()
            .contains("actor")
    );
    assert!(
        ActivityFilter::parse("kind=blah", now())
            .unwrap_err()
            .contains("transition")
    );
    assert!(
        ActivityFilter::parse("Solari", now())
            .unwrap_err()
            .contains("key=value")
    );
    let quoted = ActivityFilter::parse("to=\"closed lost\" kind=task,error", now()).unwrap();
    assert_eq!(quoted.to.as_deref(), Some("closed lost"));
    assert_eq!(quoted.kinds, [ActivityKind::Task, ActivityKind::Error]);
    let mut cleared = quoted.clone();
    cleared.set("to", "", now()).unwrap();
    assert_eq!(cleared.to, None);
}
