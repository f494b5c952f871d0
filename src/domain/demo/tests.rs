use super::time::{When, anchor, resolve};
use super::*;
use crate::notion::NotionId;
use chrono::{NaiveDate, TimeZone};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 14, 9, 30, 27).unwrap()
}

fn minute() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 14, 9, 30, 0).unwrap()
}

#[test]
fn relative_times_count_from_the_minute_the_demo_is_loaded() {
    let at = anchor(now());
    assert_eq!(at, minute());
    let instant = |text| match resolve(text, at) {
        Ok(When::Instant(t)) => t - at,
        other => panic!("{text}: {other:?}"),
    };
    assert_eq!(instant("now"), Duration::zero());
    assert_eq!(instant("-3d"), -Duration::days(3));
    assert_eq!(instant("-5h"), -Duration::hours(5));
    assert_eq!(instant("-45m"), -Duration::minutes(45));
    assert_eq!(instant("+2w"), Duration::weeks(2));
    assert_eq!(
        instant("-26d 4h"),
        -(Duration::days(26) + Duration::hours(4))
    );
    assert_eq!(instant("-26d4h 30m"), -Duration::minutes(26 * 1440 + 270));
    assert_eq!(instant(" +2d "), Duration::days(2));

    let day = |y, m, d| When::Day(NaiveDate::from_ymd_opt(y, m, d).unwrap());
    assert_eq!(resolve("day -3d", at), Ok(day(2026, 3, 11)));
    assert_eq!(resolve("day +0d", at), Ok(day(2026, 3, 14)));
    assert_eq!(resolve("day -10h", at), Ok(day(2026, 3, 13)));
    assert_eq!(resolve("day now", at), Ok(day(2026, 3, 14)));

    assert_eq!(
        resolve("-1d", at).unwrap().notion_start(),
        "2026-03-13T09:30:00.000+00:00"
    );
    assert_eq!(resolve("day +2d", at).unwrap().notion_start(), "2026-03-16");
}

#[test]
fn bad_relative_times_say_why() {
    let at = minute();
    for text in [
        "",
        "3d",
        "yesterday",
        "-",
        "+ ",
        "-3",
        "-3x",
        "--3d",
        "-3d -4h",
        "-d",
        "day",
        "day day -1d",
        "2026-03-14",
        "-99999999999999999999d",
        "-9999999999999d",
    ] {
        assert!(resolve(text, at).is_err(), "{text:?} was accepted");
    }
    assert_eq!(
        resolve("-3x", at),
        Err("a unit is missing or unknown (use w, d, h or m)")
    );
}

#[test]
fn ids_are_deterministic_valid_and_distinct() {
    let sources: Vec<String> = DATABASES
        .iter()
        .map(|d| demo_data_source_id(d.key))
        .collect();
    let databases: Vec<String> = DATABASES.iter().map(|d| demo_database_id(d.key)).collect();
    let mut all: Vec<&String> = sources.iter().chain(&databases).collect();
    for id in &all {
        assert_eq!(NotionId::parse(id).unwrap().as_str(), id.as_str());
        assert_eq!(&id[14..15], "8", "version 8: {id}");
        assert!("89ab".contains(&id[19..20]), "RFC variant: {id}");
    }
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 32);
    // Pinned: a demo loaded by a later build must find the pages an earlier one stored.
    assert_eq!(
        page::page_id(DatabaseKey::Tasks, "TASK-1a2b3c4d"),
        "6f78895e-7010-8ac5-822d-9addb89e7add"
    );
    assert_ne!(
        page::page_id(DatabaseKey::Tasks, "TASK-1a2b3c4d"),
        page::page_id(DatabaseKey::Tasks, "TASK-1a2b3c4e")
    );
    assert_ne!(
        page::uuid(&["ab", "c"]),
        page::uuid(&["a", "bc"]),
        "parts are delimited"
    );

    for db in &DATABASES {
        let mut ids: Vec<String> = db
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| page::property_id(db.key, i, c))
            .collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), db.columns.len(), "{}", db.title);
    }
}

/// A small seed: one entity, one path workflow, one instance, one task.
const SEED: &str = r#"{
  "entities": [{"Name": "The 7 Space", "Entity Type": "WELLNESS_CENTER"}],
  "workflows": [{"Workflow ID": "WF-X", "Business Entity": "The 7 Space",
                 "Initial State": "inquiry", "States": ["inquiry", "consultation", "completed"]}],
  "instances": [{"Instance ID": "INST-0000000a", "Workflow": "WF-X", "Start Date": "-3d",
                 "History Log": [
                   {"at": "-3d", "agent": "LeadCaptureAgent", "action": "Lead captured from typeform",
                    "details": {"source": "typeform"}},
                   {"at": "-2d", "actor": "Nyra", "to": "consultation", "note": "called back"}
                 ]}],
  "tasks": [{"Task ID": "TASK-0000000b", "Status": "To Do", "Due Date": "day +1d",
             "Related Workflow Instance": "INST-0000000a"}]
}"#;

fn pages(seed: &str) -> Vec<(DatabaseKey, Vec<Value>)> {
    pages_from_seed(seed, now()).unwrap()
}

fn only(pages: &[(DatabaseKey, Vec<Value>)], key: DatabaseKey) -> &Value {
    let (_, found) = pages.iter().find(|(k, _)| *k == key).unwrap();
    assert_eq!(found.len(), 1);
    &found[0]
}

#[test]
fn reloading_gives_the_same_ids_and_moves_the_times() {
    let first = pages(SEED);
    let later = pages_from_seed(SEED, now() + Duration::days(9)).unwrap();
    assert_eq!(first.len(), 16);
    let ids = |pages: &[(DatabaseKey, Vec<Value>)]| -> Vec<Value> {
        pages
            .iter()
            .flat_map(|(_, p)| p.iter().map(|p| p["id"].clone()))
            .collect()
    };
    assert_eq!(ids(&first), ids(&later));
    let instance = only(&first, DatabaseKey::ActiveWorkflowInstances);
    let moved = only(&later, DatabaseKey::ActiveWorkflowInstances);
    assert_eq!(instance["created_time"], "2026-03-11T09:30:00.000Z");
    assert_eq!(moved["created_time"], "2026-03-20T09:30:00.000Z");
    assert_eq!(instance["last_edited_time"], "2026-03-12T09:30:00.000Z");
    let properties = &instance["properties"];
    assert_eq!(
        properties["Current State"]["rich_text"][0]["plain_text"],
        "consultation"
    );
    assert_eq!(properties["Status"]["status"]["name"], "Active");
    assert_eq!(
        properties["Last Transition Date"]["date"]["start"],
        "2026-03-12T09:30:00.000+00:00"
    );
    let task = only(&first, DatabaseKey::Tasks);
    assert_eq!(
        properties["Related Tasks"],
        json!({"id": properties["Related Tasks"]["id"], "type": "relation",
               "relation": [{"id": task["id"]}], "has_more": false})
    );
    assert_eq!(
        task["properties"]["Due Date"]["date"]["start"],
        "2026-03-15"
    );
    assert_eq!(
        task["parent"]["data_source_id"],
        demo_data_source_id(DatabaseKey::Tasks)
    );
}

/// The seed with `from` replaced by `to`, which must be there.
fn broken(from: &str, to: &str) -> DemoError {
    assert!(SEED.contains(from), "{from}");
    pages_from_seed(&SEED.replace(from, to), now()).unwrap_err()
}

fn place(err: &DemoError) -> (&str, &str, &str, &Problem) {
    match err {
        DemoError::Record {
            database,
            record,
            column,
            problem,
        } => (database, record, column, problem),
        other => panic!("{other}"),
    }
}

#[test]
fn a_bad_seed_names_the_database_record_and_column() {
    let err = broken("\"Due Date\"", "\"Due\"");
    assert_eq!(
        err.to_string(),
        "demo seed, tasks \"TASK-0000000b\", column \"Due\": the database has no such column"
    );

    let err = broken("\"Workflow\": \"WF-X\"", "\"Workflow\": \"WF-Y\"");
    let (database, record, column, problem) = place(&err);
    assert_eq!(
        (database, record, column),
        ("instances", "INST-0000000a", "Workflow")
    );
    assert!(matches!(problem, Problem::UnknownTarget { title, .. } if title == "WF-Y"));

    let err = broken("day +1d", "tomorrow");
    assert_eq!((place(&err).0, place(&err).2), ("tasks", "Due Date"));
    assert!(
        err.to_string()
            .contains("\"tomorrow\" is not a relative time")
    );

    let err = broken("\"to\": \"consultation\"", "\"to\": \"inquiry\"");
    let (_, record, column, problem) = place(&err);
    assert_eq!((record, column), ("INST-0000000a", "History Log"));
    assert!(matches!(problem, Problem::IllegalMove(_)), "{problem}");
    assert!(
        err.to_string()
            .contains("cannot move from inquiry to inquiry")
    );

    let err = broken("{\"at\": \"-2d\"", "{\"at\": \"-3d\"");
    assert!(
        err.to_string().contains("history item 2 is not later"),
        "{err}"
    );

    let err = broken("\"Status\": \"To Do\"", "\"Status\": \"Todo\"");
    assert!(matches!(place(&err).3, Problem::UnknownOption { .. }));

    let err = broken(
        "\"Start Date\": \"-3d\"",
        "\"Start Date\": \"-3d\", \"Related Tasks\": \"TASK-0000000b\"",
    );
    assert!(matches!(place(&err).3, Problem::SyncedColumn(_)));

    let err = broken(
        "\"Start Date\": \"-3d\"",
        "\"Start Date\": \"-3d\", \"Current State\": \"inquiry\"",
    );
    assert!(matches!(place(&err).3, Problem::Disagrees { .. }));

    let err = broken("\"entities\"", "\"entity\"");
    assert_eq!(err, DemoError::UnknownDatabase("entity".into()));
}
