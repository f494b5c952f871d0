//! The headless commands as a real process: list, show, history, advance, task.

mod support;

use support::{hsn, stdout};

use std::process::Output;

use serde_json::Value;

fn json_lines(output: &Output) -> Vec<Value> {
    stdout(output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn stderr(output: &Output) -> String {
    assert!(!output.status.success(), "expected a failure");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[tokio::test]
async fn an_operator_lists_advances_reads_history_and_makes_a_task_from_the_shell() {
    let ws = support::workspace().await;

    let instances = json_lines(&hsn(&ws, &["list", "instances"]).await);
    assert_eq!(instances.len(), 1);
    let first = &instances[0]["properties"];
    assert_eq!(first["Instance ID"], "INST-0001");
    assert_eq!(first["Current State"], "inquiry");
    assert_eq!(
        first["Workflow"][0]["title"], "WF-WELL-BOOK",
        "relations by title"
    );
    assert_eq!(first["Status"], "Active");

    let moves = stdout(&hsn(&ws, &["advance", "INST-0001"]).await);
    assert_eq!(
        moves.trim(),
        "INST-0001 is in \"inquiry\" (WF-WELL-BOOK); it can move to: consultation, completed, canceled"
    );

    let refused = stderr(&hsn(&ws, &["advance", "INST-0001", "payment_confirmed"]).await);
    assert_eq!(refused.lines().count(), 1, "{refused}");
    assert!(
        refused.starts_with("hsn: ") && refused.contains("consultation"),
        "{refused}"
    );

    let moved = stdout(
        &hsn(
            &ws,
            &[
                "advance",
                "INST-0001",
                "consultation",
                "--note",
                "booked a call",
            ],
        )
        .await,
    );
    assert_eq!(moved.trim(), "INST-0001: inquiry → consultation");

    let conflict = stderr(
        &hsn(
            &ws,
            &["advance", "INST-0001", "canceled", "--from", "inquiry"],
        )
        .await,
    );
    assert!(
        conflict.contains("is now in \"consultation\", not \"inquiry\""),
        "{conflict}"
    );
    assert!(conflict.contains("(moved by grace)"), "{conflict}");

    let history = json_lines(&hsn(&ws, &["history", "INST-0001", "--json"]).await);
    assert_eq!(history.len(), 1);
    assert_eq!(history[0]["actor"], "grace");
    assert_eq!(history[0]["from"], "inquiry");
    assert_eq!(history[0]["to"], "consultation");
    assert_eq!(history[0]["note"], "booked a call");

    let created = stdout(
        &hsn(
            &ws,
            &[
                "task",
                "new",
                "--instance",
                "INST-0001",
                "--name",
                "Send the retreat quote",
                "--due",
                "2026-12-01",
                "--assignee",
                "Solari",
            ],
        )
        .await,
    );
    let task_id = created.trim().to_string();
    assert!(
        task_id.starts_with("TASK-") && task_id.len() == 13,
        "{task_id}"
    );

    let set = stdout(&hsn(&ws, &["task", "set", &task_id, "--status", "done"]).await);
    assert!(
        set.starts_with(&format!(
            "{task_id}: Done · Medium · Solari · due 2026-12-01"
        )),
        "{set}"
    );

    let tasks = json_lines(&hsn(&ws, &["list", "tasks", "--status", "Done"]).await);
    assert_eq!(tasks.len(), 1);
    assert_eq!(
        tasks[0]["properties"]["Related Workflow Instance"][0]["title"],
        "INST-0001"
    );

    let shown = json_lines(&hsn(&ws, &["show", &task_id, "--json"]).await);
    assert_eq!(
        shown[0]["properties"]["Task Name"],
        "Send the retreat quote"
    );
    assert_eq!(shown[0]["properties"]["Created By"], "grace");

    // The task's creation and its edit are in the instance's trail, as kind `task`.
    let history = json_lines(&hsn(&ws, &["history", "INST-0001"]).await);
    assert_eq!(history.len(), 3);
    assert_eq!(history[1]["action"], "Created task: Send the retreat quote");
    assert_eq!(history[1]["kind"], "task");
    assert_eq!(
        history[2]["action"],
        format!("Task {task_id}: status To Do → Done")
    );
    assert_eq!(history[2]["actor"], "grace");
    assert_eq!(history[2]["kind"], "task");
    assert_eq!(history[2]["from"], serde_json::Value::Null, "no transition");
}

#[tokio::test]
async fn bad_input_is_one_clear_line() {
    let ws = support::workspace().await;
    let err = stderr(&hsn(&ws, &["list", "nonsense"]).await);
    assert!(
        err.starts_with("hsn: no database called \"nonsense\": use one of entities, agents"),
        "{err}"
    );
    let err = stderr(&hsn(&ws, &["list", "contacts", "--state", "inquiry"]).await);
    assert!(
        err.contains("--state does not apply to Contacts & Profiles Database"),
        "{err}"
    );
    let err = stderr(&hsn(&ws, &["list", "instances", "--status", "Sleeping"]).await);
    assert!(err.contains("\"Sleeping\" is not a Status of Active Workflow Instances: use one of Active, Completed, Error, On Hold"), "{err}");
    let err = stderr(
        &hsn(
            &ws,
            &[
                "task",
                "new",
                "--instance",
                "INST-0001",
                "--name",
                "x",
                "--due",
                "tomorrow",
            ],
        )
        .await,
    );
    assert!(
        err.contains("\"tomorrow\" is not a date like 2026-12-01"),
        "{err}"
    );
    let err = stderr(&hsn(&ws, &["history", "INST-4040"]).await);
    assert_eq!(
        err,
        "hsn: no Instance ID \"INST-4040\" in Active Workflow Instances\n"
    );
}
