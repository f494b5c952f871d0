//! Advancing instances, their history, and tasks from instances, against the fake Notion.

mod support;

use chrono::{Duration, TimeZone, Utc};
use hsn::domain::history::{HistoryLog, LogEntry};
use hsn::domain::models::{Task, WorkflowInstance};
use hsn::domain::record::Link;
use hsn::domain::schema::INSTANCE_TASKS_COLUMN;
use hsn::notion::PropertyValue;
use hsn::operations::{
    Advance, NewTask, OperationError, Operator, SendGuard, TaskEdit, advance, create_task,
    edit_task, legal_moves, restore_history,
};

fn op(name: &str) -> Operator {
    Operator(name.to_string())
}

fn at(day: u32, hour: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0).unwrap()
}

async fn instance(ws: &support::Workspace, page_id: &str) -> WorkflowInstance {
    WorkflowInstance::from_page(&ws.client.retrieve_page(page_id).await.unwrap())
}

fn to(state: &str, expected_from: Option<&str>) -> Advance {
    Advance {
        instance: "INST-0001".into(),
        to: state.into(),
        note: None,
        expected_from: expected_from.map(str::to_string),
        ..Advance::default()
    }
}

#[tokio::test]
async fn advance_then_history_shows_the_new_entry() {
    let ws = support::workspace().await;
    let (_, _, moves) = legal_moves(&ws.client, &ws.sources, "INST-0001")
        .await
        .unwrap();
    assert_eq!(moves, ["consultation", "completed", "canceled"]);

    let mut request = to("consultation", None);
    request.note = Some("Called Jane; \"consult\" booked ✓".into());
    let done = advance(&ws.client, &ws.sources, &op("grace"), &request, at(20, 10))
        .await
        .unwrap();
    assert_eq!(
        (done.from.as_str(), done.to.as_str(), done.completed),
        ("inquiry", "consultation", false)
    );

    let after = instance(&ws, &ws.instance).await;
    assert_eq!(after.current_state, "consultation");
    assert_eq!(after.status.as_deref(), Some("Active"));
    assert!(
        after
            .last_transition_date
            .unwrap()
            .start
            .starts_with("2026-11-20T10:00:00")
    );
    let log = HistoryLog::decode(&after.history_log);
    let [LogEntry::Entry(entry)] = log.entries() else {
        panic!("one entry: {log:?}")
    };
    assert_eq!(entry.actor(), Some("grace"));
    assert_eq!(entry.transition_states(), Some(("inquiry", "consultation")));
    assert_eq!(entry.note(), Some("Called Jane; \"consult\" booked ✓"));
    assert_eq!(
        entry.action(),
        "[grace] Transitioned from inquiry to consultation"
    );
}

#[tokio::test]
async fn an_illegal_move_is_refused_with_the_legal_ones_and_changes_nothing() {
    let ws = support::workspace().await;
    let err = advance(
        &ws.client,
        &ws.sources,
        &op("grace"),
        &to("payment_confirmed", None),
        at(20, 10),
    )
    .await
    .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, OperationError::Workflow(_)), "{err:?}");
    assert!(
        text.contains("consultation") && text.contains("canceled"),
        "{text}"
    );
    let after = instance(&ws, &ws.instance).await;
    assert_eq!(after.current_state, "inquiry");
    assert!(after.history_log.is_empty());
}

#[tokio::test]
async fn two_operators_from_the_same_state_one_wins_one_gets_the_conflict() {
    let ws = support::workspace().await;
    // Both read the instance in "inquiry"; Ana moves first.
    advance(
        &ws.client,
        &ws.sources,
        &op("ana"),
        &to("consultation", Some("inquiry")),
        at(20, 10),
    )
    .await
    .unwrap();
    let err = advance(
        &ws.client,
        &ws.sources,
        &op("ben"),
        &to("canceled", Some("inquiry")),
        at(20, 11),
    )
    .await
    .unwrap_err();
    match &err {
        OperationError::Conflict {
            expected,
            found,
            by,
            ..
        } => {
            assert_eq!(
                (expected.as_str(), found.as_str()),
                ("inquiry", "consultation")
            );
            assert_eq!(by, " (moved by ana)");
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert!(err.to_string().contains("nothing was changed"));
    let after = instance(&ws, &ws.instance).await;
    assert_eq!(after.current_state, "consultation");
    assert_eq!(
        HistoryLog::decode(&after.history_log).entries().len(),
        1,
        "exactly one entry"
    );
}

#[tokio::test]
async fn a_terminal_state_completes_the_instance() {
    let ws = support::workspace().await;
    advance(
        &ws.client,
        &ws.sources,
        &op("grace"),
        &to("canceled", None),
        at(20, 10),
    )
    .await
    .unwrap();
    let after = instance(&ws, &ws.instance).await;
    assert_eq!(after.status.as_deref(), Some("Completed"));
    let (_, _, moves) = legal_moves(&ws.client, &ws.sources, "INST-0001")
        .await
        .unwrap();
    assert!(moves.is_empty());
}

#[tokio::test]
async fn entries_of_the_original_agents_are_kept_when_hsn_writes() {
    let ws = support::workspace().await;
    let original = r#"[{"timestamp": "2026-11-02T08:15:00.123456", "action": "[LeadCaptureAgent] Lead captured from typeform", "details": {"email": "jane@example.com", "source": "typeform"}}]"#;
    let page = ws.add_instance("INST-0002", "inquiry", original).await;
    let mut request = to("consultation", None);
    request.instance = "INST-0002".into();
    advance(&ws.client, &ws.sources, &op("grace"), &request, at(20, 10))
        .await
        .unwrap();
    let log = HistoryLog::decode(&instance(&ws, &page).await.history_log);
    let entries: Vec<_> = log
        .entries()
        .iter()
        .filter_map(|e| match e {
            LogEntry::Entry(e) => Some(e),
            _ => None,
        })
        .collect();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].actor(), Some("LeadCaptureAgent"));
    assert_eq!(
        entries[0].timestamp(),
        Utc.with_ymd_and_hms(2026, 11, 2, 8, 15, 0).unwrap() + Duration::microseconds(123_456)
    );
    assert_eq!(entries[1].actor(), Some("grace"));
}

#[tokio::test]
async fn a_task_from_an_instance_links_both_ways_and_enters_the_history() {
    let ws = support::workspace().await;
    let request = NewTask {
        instance: "INST-0001".into(),
        name: "Follow up with Jane Smith about retreat booking".into(),
        description: Some("She asked about the December retreat".into()),
        priority: Some("high".into()),
        due: Some(chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()),
        assignee: Some("Solari".into()),
        ..NewTask::default()
    };
    let task = create_task(
        &ws.client,
        &ws.sources,
        &op("grace"),
        &request,
        "TASK-1a2b3c4d",
        at(20, 10),
        false,
    )
    .await
    .unwrap()
    .task;
    assert_eq!(task.task_id, "TASK-1a2b3c4d");
    assert_eq!(task.status.as_deref(), Some("To Do"));
    assert_eq!(task.priority.as_deref(), Some("High"));
    assert_eq!(task.created_by, "grace");
    assert_eq!(
        task.related_workflow_instance,
        Link::Pages(vec![ws.instance.clone()])
    );
    assert_eq!(
        task.related_business_entity,
        Link::Pages(vec![ws.entity.clone()])
    );

    let page = ws.client.retrieve_page(&ws.instance).await.unwrap();
    assert_eq!(
        page.property(INSTANCE_TASKS_COLUMN).unwrap().value,
        PropertyValue::Relation {
            ids: vec![task.page_id.clone().unwrap()],
            has_more: false
        }
    );
    let log = HistoryLog::decode(&WorkflowInstance::from_page(&page).history_log);
    let [LogEntry::Entry(entry)] = log.entries() else {
        panic!("one entry: {log:?}")
    };
    assert_eq!(
        entry.summary(),
        "Created task: Follow up with Jane Smith about retreat booking"
    );
    assert_eq!(entry.details()["task_id"], "TASK-1a2b3c4d");
    assert_eq!(entry.details()["assigned_to"], "Solari");
    assert_eq!(entry.details()["due_date"], "2026-12-01");

    // Triage: status and assignee change, the rest stays.
    let edit = TaskEdit {
        task: "TASK-1a2b3c4d".into(),
        status: Some("in progress".into()),
        assignee: Some("Ruvo".into()),
        ..Default::default()
    };
    let edited = Task::from_page(
        &edit_task(&ws.client, &ws.sources, &edit, at(21, 9))
            .await
            .unwrap()
            .page,
    );
    assert_eq!(edited.status.as_deref(), Some("In Progress"));
    assert_eq!(edited.assigned_to, "Ruvo");
    assert_eq!(edited.priority.as_deref(), Some("High"));
    assert_eq!(
        edited.task_name,
        "Follow up with Jane Smith about retreat booking"
    );

    let bad = TaskEdit {
        task: "TASK-1a2b3c4d".into(),
        status: Some("Urgent".into()),
        ..Default::default()
    };
    let err = edit_task(&ws.client, &ws.sources, &bad, at(21, 9))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "\"Urgent\" is not a Status of Master Tasks Database: use one of To Do, In Progress, On Hold, Done, Cancelled"
    );
}

#[tokio::test]
async fn an_unknown_instance_is_named() {
    let ws = support::workspace().await;
    let err = advance(
        &ws.client,
        &ws.sources,
        &op("grace"),
        &Advance {
            instance: "INST-9999".into(),
            ..to("consultation", None)
        },
        at(20, 10),
    )
    .await
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "no Instance ID \"INST-9999\" in Active Workflow Instances"
    );
}

#[tokio::test]
async fn restoring_dropped_entries_puts_each_back_once_and_keeps_everyone_elses() {
    let ws = support::workspace().await;
    let done = advance(
        &ws.client,
        &ws.sources,
        &op("grace"),
        &to("consultation", None),
        at(20, 10),
    )
    .await
    .unwrap();
    // A blind agent rewrites the log from a read made before grace's move: one entry of its
    // own before hers in time, one after, and a raw item; hers is gone.
    let agent = |hour: u32, what: &str| {
        serde_json::json!({
            "timestamp": format!("2026-11-20T{hour:02}:00:00"),
            "action": format!("[LeadCaptureAgent] {what}"),
            "details": {"source": "typeform"},
        })
    };
    let text = serde_json::json!([
        agent(9, "Lead captured"),
        "not an entry",
        agent(11, "Lead scored")
    ])
    .to_string();
    ws.client
        .update_page(
            &ws.instance,
            serde_json::json!({"History Log": {"rich_text": [{"text": {"content": text}}]}}),
        )
        .await
        .unwrap();
    let summaries = |log: &HistoryLog| -> Vec<String> {
        log.entries()
            .iter()
            .map(|e| match e {
                LogEntry::Entry(e) => e.action().to_string(),
                LogEntry::Raw(raw) => raw.clone(),
            })
            .collect()
    };
    let want = [
        "[LeadCaptureAgent] Lead captured",
        "\"not an entry\"",
        "[grace] Transitioned from inquiry to consultation",
        "[LeadCaptureAgent] Lead scored",
    ];

    let first = restore_history(
        &ws.client,
        &ws.instance,
        "INST-0001",
        &[done.entry.clone(), done.entry.clone()],
        &SendGuard::default(),
    )
    .await
    .unwrap();
    assert_eq!(first.restored.len(), 1, "each entry once");
    assert!(first.restored[0].same_as(&done.entry));
    let log = HistoryLog::decode(&instance(&ws, &ws.instance).await.history_log);
    assert_eq!(summaries(&log), want, "back in its place in time");
    assert_eq!(
        HistoryLog::decode(&WorkflowInstance::from_page(&first.page).history_log),
        log,
        "the page returned is the read-back"
    );

    // Sent again (a retry after an uncertain send, or a second restoration): it re-reads,
    // finds the entry there, and writes nothing.
    let patches = |ws: &support::Workspace| {
        ws.fake
            .requests()
            .iter()
            .filter(|r| r.method == "PATCH")
            .count()
    };
    let before = patches(&ws);
    let again = restore_history(
        &ws.client,
        &ws.instance,
        "INST-0001",
        std::slice::from_ref(&done.entry),
        &SendGuard::default(),
    )
    .await
    .unwrap();
    assert!(again.restored.is_empty());
    assert_eq!(patches(&ws), before, "nothing written");
    let log = HistoryLog::decode(&instance(&ws, &ws.instance).await.history_log);
    assert_eq!(summaries(&log), want, "exactly one copy");
    // The move itself is untouched.
    assert_eq!(
        instance(&ws, &ws.instance).await.current_state,
        "consultation"
    );
}
