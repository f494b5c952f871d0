//! The commands without a terminal: `--yes`, pipes, `--dry-run`, refusals, exit statuses.

use fake_notion::Fault;

use super::{add_tasks, hsn, notion_value, patches, support, text};

#[tokio::test]
async fn thirty_tasks_assigned_at_once_two_refused_by_notion_leave_28_applied_and_exit_3() {
    let ws = support::workspace().await;
    let pages = add_tasks(&ws, 30);
    // Notion refuses the change of TASK-0007 and TASK-0019, and only theirs.
    for refused in [&pages[6], &pages[18]] {
        ws.fake
            .push_fault_for("PATCH", &format!("/v1/pages/{refused}"), Fault::Status(400));
    }
    let ids: Vec<String> = (1..=30).map(|i| format!("TASK-{i:04}")).collect();
    let mut args = vec!["task", "set"];
    args.extend(ids.iter().map(String::as_str));
    args.extend(["--assignee", "Nyra", "--yes"]);
    let output = hsn(&ws, &args, None).await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(3), "{stdout}\n{stderr}");

    let refused: Vec<&str> = stdout.lines().filter(|l| l.contains("refused")).collect();
    assert_eq!(refused.len(), 2, "{stdout}");
    assert!(
        refused[0].starts_with("TASK-0007 Call lead 7: refused: ")
            && refused[0].contains("Unsupported request"),
        "Notion's reason: {stdout}"
    );
    assert!(refused[1].starts_with("TASK-0019 Call lead 19: refused: "));
    assert!(
        stdout.contains("TASK-0001 Call lead 1: applied: Grace → Nyra"),
        "{stdout}"
    );
    assert_eq!(
        stdout.lines().last(),
        Some("Assign 30 tasks to Nyra: 28 of 30 applied, 2 not")
    );
    assert!(
        stderr.contains("hsn: 2 of 30 tasks not applied"),
        "{stderr}"
    );

    // Notion: 28 changed, the 2 refused kept their assignee; nothing else was undone.
    for (i, page) in pages.iter().enumerate() {
        let expected = if i == 6 || i == 18 { "Grace" } else { "Nyra" };
        assert_eq!(
            notion_value(&ws, page, "Assigned To"),
            expected,
            "TASK-{:04}",
            i + 1
        );
    }
    // The store agrees: the refusals rolled back, nothing left queued.
    let listed = hsn(
        &ws,
        &["list", "tasks", "--assignee", "Nyra", "--json"],
        None,
    )
    .await;
    assert_eq!(text(&listed).0.lines().count(), 28);
    let queued = hsn(&ws, &["outbox", "--json"], None).await;
    assert_eq!(text(&queued).0, "", "nothing left queued");
}

#[tokio::test]
async fn the_json_lines_of_hsn_list_piped_in_are_the_tasks_changed() {
    let ws = support::workspace().await;
    let pages = add_tasks(&ws, 6);
    let listed = hsn(&ws, &["list", "tasks", "--json"], None).await;
    assert!(listed.status.success());
    // `hsn list tasks --json | grep -v 'lead [12]"' | hsn task set - …`
    let piped: String = text(&listed)
        .0
        .lines()
        .filter(|l| !l.contains("Call lead 1\"") && !l.contains("Call lead 2\""))
        .map(|l| format!("{l}\n\n"))
        .collect();
    let output = hsn(
        &ws,
        &["task", "set", "-", "--assignee", "Solari", "--yes"],
        Some(&piped),
    )
    .await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    assert_eq!(
        stdout.lines().last(),
        Some("Assign 4 tasks to Solari: all 4 applied")
    );
    let assignees: Vec<String> = pages
        .iter()
        .map(|p| notion_value(&ws, p, "Assigned To"))
        .collect();
    assert_eq!(
        assignees,
        ["Grace", "Grace", "Solari", "Solari", "Solari", "Solari"]
    );

    // The same records named twice (Task ID and page id) change once.
    let twice = format!("TASK-0001\n{}\n", pages[0]);
    let output = hsn(
        &ws,
        &["task", "set", "-", "TASK-0001", "--status", "done", "--yes"],
        Some(&twice),
    )
    .await;
    let (stdout, _) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert_eq!(
        stdout.lines().count(),
        2,
        "one record, one summary: {stdout}"
    );
    assert_eq!(notion_value(&ws, &pages[0], "Status"), "Done");
}

#[tokio::test]
async fn a_dry_run_shows_each_change_and_changes_nothing() {
    let ws = support::workspace().await;
    let pages = add_tasks(&ws, 3);
    let before = patches(&ws);
    let output = hsn(
        &ws,
        &[
            "task",
            "set",
            "TASK-0001",
            "TASK-0002",
            "TASK-4040",
            "--status",
            "done",
            "--dry-run",
        ],
        None,
    )
    .await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "Set 2 tasks to Done (dry run: nothing is changed)",
            "TASK-0001 Call lead 1: To Do → Done",
            "TASK-0002 Call lead 2: To Do → Done",
            "TASK-4040: would not change: no Task ID \"TASK-4040\" in Master Tasks Database",
        ]
    );
    let instance = ws.add_instance("INST-0002", "quote_provided", "").await;
    let output = hsn(
        &ws,
        &[
            "advance",
            "INST-0001",
            "INST-0002",
            "--to",
            "consultation",
            "--dry-run",
        ],
        None,
    )
    .await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("INST-0001 Jane Smith: inquiry → consultation"),
        "{stdout}"
    );
    assert!(
        stdout.contains("INST-0002 Jane Smith: would not change: "),
        "an illegal move is listed: {stdout}"
    );

    assert_eq!(patches(&ws), before, "nothing sent");
    assert_eq!(notion_value(&ws, &pages[0], "Status"), "To Do");
    assert_eq!(
        support::writes::instance(&ws, &instance)
            .await
            .current_state,
        "quote_provided"
    );
    let queued = hsn(&ws, &["outbox", "--json"], None).await;
    assert_eq!(text(&queued).0, "", "nothing queued");
}

#[tokio::test]
async fn without_yes_and_without_a_terminal_nothing_is_changed() {
    let ws = support::workspace().await;
    let pages = add_tasks(&ws, 2);
    let before = patches(&ws);
    let output = hsn(
        &ws,
        &["task", "set", "-", "--assignee", "Nyra"],
        Some("TASK-0001\nTASK-0002\n"),
    )
    .await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("add --yes to change 2 records without a question"),
        "{stderr}"
    );
    assert_eq!(patches(&ws), before);
    for page in &pages {
        assert_eq!(notion_value(&ws, page, "Assigned To"), "Grace");
    }
    let queued = hsn(&ws, &["outbox", "--json"], None).await;
    assert_eq!(text(&queued).0, "", "nothing queued");
}

#[tokio::test]
async fn a_bad_line_on_stdin_is_named_and_nothing_is_changed() {
    let ws = support::workspace().await;
    let pages = add_tasks(&ws, 2);
    let before = patches(&ws);
    // A table row of `hsn list tasks` is not an id.
    let output = hsn(
        &ws,
        &["task", "set", "-", "--assignee", "Nyra", "--yes"],
        Some("TASK-0001\n\nTASK-0002  Call lead 2  To Do\n"),
    )
    .await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stderr.starts_with("hsn: line 3 of stdin is neither an id nor a JSON object"),
        "{stderr}"
    );
    assert_eq!(patches(&ws), before);
    assert_eq!(notion_value(&ws, &pages[0], "Assigned To"), "Grace");
    let queued = hsn(&ws, &["outbox", "--json"], None).await;
    assert_eq!(text(&queued).0, "", "nothing queued");
}

#[tokio::test]
async fn several_instances_move_with_to_each_on_its_own_and_none_applied_exits_4() {
    let ws = support::workspace().await;
    let second = ws.add_instance("INST-0002", "inquiry", "").await;
    let stuck = ws.add_instance("INST-0003", "quote_provided", "").await;
    let output = hsn(
        &ws,
        &[
            "advance",
            "INST-0001",
            "INST-0002",
            "INST-0003",
            "--to",
            "consultation",
            "--note",
            "batch",
            "--yes",
        ],
        None,
    )
    .await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(3), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("INST-0003 Jane Smith: not changed: "),
        "the illegal move is listed with its reason: {stdout}"
    );
    for page in [&ws.instance, &second] {
        assert_eq!(
            support::writes::instance(&ws, page).await.current_state,
            "consultation"
        );
    }
    assert_eq!(
        support::writes::instance(&ws, &stuck).await.current_state,
        "quote_provided"
    );

    // Two arguments without --to: the second is the state, as always; a second instance
    // there is caught.
    let output = hsn(&ws, &["advance", "INST-0001", "INST-0002"], None).await;
    let (_, stderr) = text(&output);
    assert!(
        stderr.contains("\"INST-0002\" is an instance, not a state"),
        "{stderr}"
    );

    // Nothing applies: 4.
    let output = hsn(
        &ws,
        &[
            "task",
            "set",
            "TASK-4040",
            "TASK-4041",
            "--status",
            "done",
            "--yes",
        ],
        None,
    )
    .await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(4), "{stdout}\n{stderr}");
    assert!(stderr.contains("hsn: 2 of 2 tasks not applied"), "{stderr}");
}

#[tokio::test]
async fn read_only_refuses_a_bulk_change_with_2_but_lets_a_dry_run_show_it() {
    let ws = support::workspace().await;
    add_tasks(&ws, 2);
    let output = hsn(
        &ws,
        &[
            "--readonly",
            "task",
            "set",
            "TASK-0001",
            "TASK-0002",
            "--status",
            "done",
            "--yes",
        ],
        None,
    )
    .await;
    assert_eq!(output.status.code(), Some(2), "{:?}", text(&output));
    let output = hsn(
        &ws,
        &[
            "--readonly",
            "task",
            "set",
            "TASK-0001",
            "TASK-0002",
            "--status",
            "done",
            "--dry-run",
        ],
        None,
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{:?}", text(&output));
}

#[tokio::test]
async fn records_left_queued_while_notion_is_down_count_as_not_applied_until_a_sync() {
    let ws = support::workspace().await;
    let pages = add_tasks(&ws, 2);
    assert!(hsn(&ws, &["list", "tasks"], None).await.status.success());
    ws.fake.set_down(true);
    let output = hsn(
        &ws,
        &[
            "task",
            "set",
            "TASK-0001",
            "TASK-0002",
            "--priority",
            "high",
            "--yes",
        ],
        None,
    )
    .await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(4), "{stdout}\n{stderr}");
    assert_eq!(
        stdout.matches(": queued, not sent yet (").count(),
        2,
        "{stdout}"
    );
    ws.fake.set_down(false);
    assert!(hsn(&ws, &["sync"], None).await.status.success());
    for page in &pages {
        assert_eq!(notion_value(&ws, page, "Priority"), "High");
    }
}
