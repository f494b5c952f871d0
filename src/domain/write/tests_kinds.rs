//! The write kinds beyond advance and create: corrections, trash, clearing a due date,
//! undo.

use super::*;
use crate::domain::workflow::StateMachine;
use chrono::TimeZone;

fn at(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 10, minute, 0).unwrap()
}

fn instance(state: &str, status: &str) -> Record {
    let mut record = Record::new(DatabaseKey::ActiveWorkflowInstances);
    record.page_id = Some("inst-page".into());
    record.set("Instance ID", "INST-0001".to_string());
    record.set("Current State", state.to_string());
    record.set("Status", Some(status.to_string()));
    record.set("Error Message", "Stripe webhook timed out".to_string());
    record
}

fn task() -> Record {
    let mut record = Record::new(DatabaseKey::Tasks);
    record.page_id = Some("task-page".into());
    record.set("Task ID", "TASK-00000001".to_string());
    record.set("Status", Some("To Do".to_string()));
    record.set("Priority", Some("Medium".to_string()));
    record.set("Assigned To", "Solari".to_string());
    record.set(
        "Due Date",
        date(NaiveDate::from_ymd_opt(2026, 12, 24).unwrap()),
    );
    record
}

fn round_trip(write: &Write) -> Write {
    serde_json::from_value(serde_json::to_value(write).unwrap()).unwrap()
}

fn entries(record: &Record) -> Vec<String> {
    HistoryLog::decode(&record.get::<String>("History Log"))
        .history_entries()
        .map(|e| e.action().to_string())
        .collect()
}

fn refusal(result: Result<(Write, Record), PlanError>) -> String {
    match result {
        Err(PlanError::Invalid(why)) => why,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn resolving_an_error_makes_the_instance_active_and_says_what_was_resolved() {
    let (write, after) = plan_resolve(
        &instance("payment_pending", "Error"),
        Some(" card re-sent "),
        "alice",
        at(0),
    )
    .unwrap();
    assert_eq!(write.kind(), "correct");
    assert_eq!(write.summary(), "INST-0001: error resolved");
    assert_eq!(
        after.get::<Option<String>>("Status").as_deref(),
        Some("Active")
    );
    assert_eq!(after.get::<String>("Error Message"), "");
    assert_eq!(
        entries(&after),
        ["[alice] Resolved error: Stripe webhook timed out — card re-sent"]
    );
    let queued = round_trip(&write);
    assert_eq!(queued, write);
    assert_eq!(
        queued.instance_page().map(String::as_str),
        Some("inst-page")
    );
    let entry = queued.history_entry().unwrap();
    assert_eq!(entry.kind(), crate::domain::history::EntryKind::Correction);
    assert_eq!(entry.transition_states(), None);
    // Stamped when first sent: the entry moves with it.
    let stamped = queued.stamped(at(9));
    assert_eq!(stamped.history_entry().unwrap().timestamp(), at(9));

    let why = refusal(plan_resolve(
        &instance("inquiry", "Active"),
        None,
        "alice",
        at(0),
    ));
    assert_eq!(
        why,
        "INST-0001 is Active, not in Error: there is no error to resolve; nothing was changed"
    );
}

#[test]
fn hold_and_resume_need_the_status_they_change() {
    let (hold, held) = plan_hold(&instance("inquiry", "Active"), None, "alice", at(0)).unwrap();
    assert_eq!(
        held.get::<Option<String>>("Status").as_deref(),
        Some("On Hold")
    );
    assert_eq!(entries(&held), ["[alice] Put on hold"]);
    assert_eq!(hold.summary(), "INST-0001: put on hold");
    let (_, resumed) = plan_resume(&held, Some("client back"), "bob", at(1)).unwrap();
    assert_eq!(
        resumed.get::<Option<String>>("Status").as_deref(),
        Some("Active")
    );
    assert_eq!(
        entries(&resumed),
        ["[alice] Put on hold", "[bob] Resumed — client back"]
    );
    assert!(refusal(plan_hold(&held, None, "alice", at(2))).contains("is On Hold"));
    assert!(refusal(plan_resume(&resumed, None, "alice", at(2))).contains("not On Hold"));
    assert!(matches!(
        plan_hold(
            &instance("inquiry", "Active"),
            Some("\u{1b}[2J"),
            "alice",
            at(0)
        ),
        Err(PlanError::Invalid(_))
    ));
}

#[test]
fn a_revert_moves_the_state_back_and_is_refused_once_the_instance_moved_on() {
    let mut moved = instance("completed", "Completed");
    let advance = HistoryEntry::transition("bob", "follow_up", "completed", None, at(0));
    moved.set(
        "History Log",
        serde_json::json!([advance.to_json()]).to_string(),
    );
    let (write, after) = plan_revert(
        &moved,
        "follow_up",
        "completed",
        Some("Active"),
        None,
        "alice",
        at(5),
    )
    .unwrap();
    assert_eq!(after.get::<String>("Current State"), "follow_up");
    assert_eq!(
        after.get::<Option<String>>("Status").as_deref(),
        Some("Active")
    );
    assert_eq!(
        after.get::<Option<DateValue>>("Last Transition Date"),
        instant(at(5))
    );
    assert_eq!(
        write.summary(),
        "INST-0001: completed → follow_up (reverted)"
    );
    let log = HistoryLog::decode(&after.get::<String>("History Log"));
    let entry = log.history_entries().last().unwrap();
    assert_eq!(
        entry.action(),
        "[alice] Reverted transition from follow_up to completed"
    );
    assert_eq!(entry.transition_states(), None, "not a transition");
    assert_eq!(log.last_state_change(), Some(entry));
    assert_eq!(round_trip(&write), write);

    let why = refusal(plan_revert(
        &instance("quote_provided", "Active"),
        "inquiry",
        "consultation",
        None,
        None,
        "alice",
        at(5),
    ));
    assert_eq!(
        why,
        "INST-0001 is now in \"quote_provided\", not \"consultation\" as when you read it; nothing was changed"
    );
}

#[test]
fn an_edit_clears_a_due_date_and_an_assignee_and_old_queued_json_still_reads() {
    let changes = TaskChanges {
        assignee: Some(String::new()),
        due: Some(None),
        ..TaskChanges::default()
    };
    let (write, after) = plan_task_changes(&task(), &changes, "alice", at(0)).unwrap();
    assert_eq!(after.get::<Option<DateValue>>("Due Date"), None);
    assert_eq!(after.get::<String>("Assigned To"), "");
    let Write::EditTask {
        due,
        clear_due,
        was,
        ..
    } = round_trip(&write)
    else {
        panic!("an edit");
    };
    assert_eq!((due, clear_due), (None, true));
    assert_eq!(was.len(), 2, "both columns as they were: {was:?}");
    assert!(matches!(
        plan_task_changes(&task(), &TaskChanges::default(), "alice", at(0)),
        Err(PlanError::Invalid(_))
    ));

    // Queued by a version without `clear_due`, `conditional` or `status_before`.
    let old: Write = serde_json::from_value(serde_json::json!({
        "op": "EditTask", "task_page": "p", "task_id": "TASK-1", "status": "Done",
        "priority": null, "assignee": null, "due": null, "at": "2026-12-01T10:00:00Z"
    }))
    .unwrap();
    assert!(matches!(
        old,
        Write::EditTask {
            clear_due: false,
            conditional: false,
            ..
        }
    ));
    let body = serde_json::to_value(&old).unwrap();
    assert!(body.get("clear_due").is_none(), "written as before: {body}");
}

#[test]
fn a_new_task_is_linked_into_its_instance() {
    let (write, _, after) = plan_new_task(
        &instance("inquiry", "Active"),
        &TaskRequest {
            name: "Call Jane".into(),
            ..TaskRequest::default()
        },
        "TASK-00000002",
        "local:TASK-00000002",
        "alice",
        at(0),
    )
    .unwrap();
    assert_eq!(
        after.get::<Link>(INSTANCE_TASKS_COLUMN),
        Link::Pages(vec!["local:TASK-00000002".into()])
    );
    let mut again = after.clone();
    write.apply(&mut again);
    assert_eq!(again, after, "applying twice links once");
}

#[test]
fn a_trash_is_planned_for_a_task_notion_has() {
    let (write, after) = plan_trash(&task(), at(0)).unwrap();
    assert_eq!(write.kind(), "trash_task");
    assert_eq!(write.trashed_page(), Some("task-page"));
    assert_eq!(write.summary(), "TASK-00000001 moved to the trash");
    assert_eq!(after, task());
    assert_eq!(round_trip(&write), write);
    let mut local = task();
    local.page_id = Some("local:TASK-00000001".into());
    assert!(refusal(plan_trash(&local, at(0))).contains("not in Notion yet"));
}

#[test]
fn undoing_an_edit_puts_the_values_back_while_the_task_holds_the_edit() {
    let changes = TaskChanges {
        status: Some("in progress".into()),
        assignee: Some("Ruvo".into()),
        due: Some(None),
        ..TaskChanges::default()
    };
    let (edit, edited) = plan_task_changes(&task(), &changes, "alice", at(0)).unwrap();
    let (undo, back) = plan_undo(&edit, &edited, "alice", at(1)).unwrap();
    for column in ["Status", "Assigned To", "Due Date"] {
        assert!(
            same_value(back.value(column), task().value(column)),
            "{column}: {:?}",
            back.value(column)
        );
    }
    assert!(matches!(
        undo,
        Write::EditTask {
            conditional: true,
            ..
        }
    ));

    // A column with no value before the edit is cleared by the undo.
    let mut bare = task();
    bare.values.remove("Assigned To");
    bare.values.remove("Due Date");
    let (edit, edited) = plan_task_edit(
        &bare,
        None,
        None,
        Some("Ruvo"),
        NaiveDate::from_ymd_opt(2027, 1, 5),
        "alice",
        at(0),
    )
    .unwrap();
    let (undo, back) = plan_undo(&edit, &edited, "alice", at(1)).unwrap();
    assert!(matches!(
        undo,
        Write::EditTask {
            clear_due: true,
            ..
        }
    ));
    assert_eq!(back.get::<String>("Assigned To"), "");
    assert_eq!(back.get::<Option<DateValue>>("Due Date"), None);

    // Someone reassigned the task since: refused, naming it.
    let mut changed = edited.clone();
    changed.set("Assigned To", "Nyra".to_string());
    let why = refusal(plan_undo(&edit, &changed, "alice", at(2)));
    assert!(
        why.contains("Assigned To is now \"Nyra\", not \"Ruvo\""),
        "{why}"
    );
}

#[test]
fn undoing_a_create_an_advance_or_a_correction() {
    let base = instance("inquiry", "Active");
    let (create, mut made, _) = plan_new_task(
        &base,
        &TaskRequest {
            name: "Call Jane".into(),
            ..TaskRequest::default()
        },
        "TASK-00000003",
        "local:TASK-00000003",
        "alice",
        at(0),
    )
    .unwrap();
    made.page_id = Some("real-task".into());
    let (trash, _) = plan_undo(&create, &made, "alice", at(1)).unwrap();
    assert_eq!(trash.trashed_page(), Some("real-task"));

    let machine = StateMachine::from_workflow(&crate::domain::models::Workflow {
        workflow_id: "WF".into(),
        initial_state: "inquiry".into(),
        states: r#"["inquiry","consultation","completed"]"#.into(),
        ..Default::default()
    })
    .unwrap();
    let (advance, advanced) =
        plan_advance(&base, &machine, None, "consultation", None, "bob", at(0)).unwrap();
    let (revert, reverted) = plan_undo(&advance, &advanced, "alice", at(1)).unwrap();
    assert!(matches!(
        &revert,
        Write::Correct { correction: Correction::Revert { from, to, status_before: None }, .. }
            if from == "inquiry" && to == "consultation"
    ));
    assert_eq!(reverted.get::<String>("Current State"), "inquiry");
    // Moved on by someone since: refused, naming who.
    let (_, moved_on) = plan_advance(
        &advanced,
        &machine,
        None,
        "completed",
        None,
        "Solari",
        at(2),
    )
    .unwrap();
    let why = refusal(plan_undo(&advance, &moved_on, "alice", at(3)));
    assert!(
        why.contains("now in \"completed\"") && why.contains("(moved by Solari)"),
        "{why}"
    );
    // A completing advance: the revert puts the Status back.
    let (complete, completed) =
        plan_advance(&advanced, &machine, None, "completed", None, "bob", at(2)).unwrap();
    let (_, reopened) = plan_undo(&complete, &completed, "alice", at(3)).unwrap();
    assert_eq!(
        reopened.get::<Option<String>>("Status").as_deref(),
        Some("Active")
    );
    // A revert and a resolution are not undone.
    assert!(refusal(plan_undo(&revert, &reverted, "alice", at(4))).contains("not undone"));
    let (resolve, resolved) =
        plan_resolve(&instance("inquiry", "Error"), None, "a", at(0)).unwrap();
    assert!(refusal(plan_undo(&resolve, &resolved, "alice", at(1))).contains("not put back"));
    // Hold and resume undo each other.
    let (hold, held) = plan_hold(&base, None, "a", at(0)).unwrap();
    let (resume, active) = plan_undo(&hold, &held, "alice", at(1)).unwrap();
    assert!(matches!(
        resume,
        Write::Correct {
            correction: Correction::Resume,
            ..
        }
    ));
    let (hold_again, _) = plan_undo(&resume, &active, "alice", at(2)).unwrap();
    assert!(matches!(
        hold_again,
        Write::Correct {
            correction: Correction::Hold,
            ..
        }
    ));
    // The wrong record: refused.
    assert!(refusal(plan_undo(&hold, &task(), "alice", at(1))).contains("not the one"));
}
