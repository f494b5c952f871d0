//! Text from Notion cannot drive the operator's terminal from the command line (issue 14,
//! item 10): a workflow, an instance, a task and history entries whose titles, states,
//! actors and notes hold an OSC 52 clipboard write, a CSI clear-screen, the 8-bit CSI and
//! OSC (U+009B, U+009D) and a right-to-left override are printed by the real `hsn` binary,
//! through a pipe and in a pseudo-terminal. Every human-readable line comes out inert; JSON
//! output escapes those characters and parses back to exactly what Notion holds.

mod support;

use support::hsn;

use std::process::Output;

use hsn::domain::history::{HistoryEntry, HistoryLog};
use hsn::domain::schema::DatabaseKey;
use hsn::notion::PageParent;
use serde_json::{Value, json};

/// What a hostile page carries: OSC 52 (set the clipboard to "hi"), CSI 2J (clear the
/// screen), 8-bit CSI and OSC, BEL, DEL and a right-to-left override.
const HOSTILE: &str =
    "\u{1b}]52;c;aGk=\u{7}\u{1b}[2J\u{9b}31m\u{9d}0;pwned\u{9c}\u{7f}\u{202e}txt.exe";

fn hostile(prefix: &str) -> String {
    format!("{prefix}{HOSTILE}")
}

/// A character a terminal acts on: C0 and C1 controls, DEL, bidi embeddings, overrides and
/// isolates (written out here, not taken from `hsn`, so the test checks the crate).
fn acts_on_terminal(c: char) -> bool {
    (c.is_control() && c != '\n') || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The problems found, all reported at the end (one run shows every command that leaks).
#[derive(Default)]
struct Problems(Vec<String>);

impl Problems {
    /// `bytes` (what a command wrote) are UTF-8, hold none of the characters a terminal
    /// acts on, and show `expected` (so the hostile text was printed at all).
    fn inert(&mut self, what: &str, bytes: &[u8], expected: &str) {
        let text = match std::str::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => return self.0.push(format!("{what}: not UTF-8 ({e})")),
        };
        let bad: Vec<String> = text
            .chars()
            .filter(|c| acts_on_terminal(*c))
            .map(|c| format!("U+{:04X}", u32::from(c)))
            .collect();
        if !bad.is_empty() {
            self.0
                .push(format!("{what}: prints {} raw: {text:?}", bad.join(" ")));
        }
        if !text.contains(expected) {
            self.0
                .push(format!("{what}: {expected:?} not shown in {text:?}"));
        }
    }

    fn equal(&mut self, what: &str, got: &Value, want: &str) {
        if got.as_str() != Some(want) {
            self.0.push(format!("{what}: {got} instead of {want:?}"));
        }
    }

    fn check(self) {
        assert!(
            self.0.is_empty(),
            "text from Notion reached the terminal:\n{}",
            self.0.join("\n")
        );
    }
}

struct Hostile {
    ws: support::Workspace,
    workflow_id: String,
    instance_page: String,
    instance_id: String,
    first_state: String,
    second_state: String,
    task_page: String,
    task_id: String,
}

/// Who made the instance's first move, by its history entry.
fn actor() -> String {
    hostile("mallory")
}

fn note() -> String {
    hostile("note")
}

/// A workspace where Notion holds a workflow, an instance (with a history entry) and a
/// task whose titles, states, actor, note, name and assignee are hostile. (`hsn` refuses
/// such text when an operator types it, so it comes from Notion, as it would from another
/// integration or the Notion app.)
async fn hostile_workspace() -> Hostile {
    let ws = support::workspace().await;
    let workflow_id = hostile("WF-EVIL");
    let first_state = hostile("new");
    let second_state = hostile("next");
    let states = serde_json::to_string(&[&first_state, &second_state, "completed"]).unwrap();
    let text = |content: &str| json!([{"text": {"content": content}}]);
    let workflow = ws
        .client
        .create_page(
            PageParent::DataSource(ws.source(DatabaseKey::WorkflowsLibrary)),
            json!({
                "Workflow ID": {"title": text(&workflow_id)},
                "Name": {"rich_text": text("Hostile")},
                "Initial State": {"rich_text": text(&first_state)},
                "States": {"rich_text": text(&states)},
                "Status": {"select": {"name": "Active"}},
            }),
        )
        .await
        .unwrap()
        .id;
    let instance_id = hostile("INST-EVIL");
    let mut log = HistoryLog::decode("");
    log.push(HistoryEntry::transition(
        &actor(),
        &hostile("before"),
        &first_state,
        Some(&note()),
        chrono::Utc::now() - chrono::Duration::hours(1),
    ));
    let history = log.encode_text();
    let instance_page = ws
        .client
        .create_page(
            PageParent::DataSource(ws.source(DatabaseKey::ActiveWorkflowInstances)),
            json!({
                "Instance ID": {"title": text(&instance_id)},
                "Workflow": {"relation": [{"id": workflow}]},
                "Business Entity": {"relation": [{"id": ws.entity}]},
                "Current State": {"rich_text": text(&first_state)},
                "Status": {"status": {"name": "Active"}},
                "Client/Lead Name": {"rich_text": text(&hostile("Jane"))},
                "Start Date": {"date": {"start": "2026-11-01T09:00:00.000Z"}},
                "History Log": {"rich_text": text(&history)},
            }),
        )
        .await
        .unwrap()
        .id;
    let task_id = hostile("TASK-EVIL");
    let task_page = ws
        .client
        .create_page(
            PageParent::DataSource(ws.source(DatabaseKey::Tasks)),
            json!({
                "Task ID": {"title": text(&task_id)},
                "Task Name": {"rich_text": text(&hostile("call"))},
                "Assigned To": {"rich_text": text(&hostile("who"))},
                "Status": {"select": {"name": "To Do"}},
                "Priority": {"select": {"name": "High"}},
                "Related Workflow Instance": {"relation": [{"id": instance_page}]},
            }),
        )
        .await
        .unwrap()
        .id;
    Hostile {
        ws,
        workflow_id,
        instance_page,
        instance_id,
        first_state,
        second_state,
        task_page,
        task_id,
    }
}

fn succeeded(what: &str, output: &Output) -> Vec<u8> {
    assert!(
        output.status.success(),
        "{what} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout.clone()
}

#[tokio::test]
async fn commands_print_text_from_notion_inert_and_json_exact() {
    let h = hostile_workspace().await;
    let ws = &h.ws;
    let mut problems = Problems::default();

    // `hsn show`: the title line and every property.
    let shown = hsn(ws, &["show", &h.instance_page]).await;
    problems.inert(
        "show",
        &succeeded("show", &shown),
        "INST-EVIL\u{FFFD}]52;c;aGk=",
    );
    let shown = hsn(ws, &["show", &h.instance_page, "--json"]).await;
    let bytes = succeeded("show --json", &shown);
    problems.inert("show --json", &bytes, "INST-EVIL\\u001b]52;c;aGk=");
    let value: Value = serde_json::from_slice(&bytes).unwrap();
    problems.equal(
        "show --json Instance ID",
        &value["properties"]["Instance ID"],
        &h.instance_id,
    );
    problems.equal(
        "show --json Current State",
        &value["properties"]["Current State"],
        &h.first_state,
    );
    problems.equal(
        "show --json Workflow title",
        &value["properties"]["Workflow"][0]["title"],
        &h.workflow_id,
    );

    // `hsn list` piped: JSON lines.
    let listed = hsn(ws, &["list", "instances"]).await;
    let bytes = succeeded("list", &listed);
    problems.inert("list (JSON lines)", &bytes, "\\u009b31m");
    let lines = json_lines(&bytes);
    match lines.iter().find(|v| v["id"] == h.instance_page.as_str()) {
        Some(listed) => problems.equal(
            "list Client/Lead Name",
            &listed["properties"]["Client/Lead Name"],
            &hostile("Jane"),
        ),
        None => panic!("the hostile instance is not listed: {lines:?}"),
    }

    // `hsn query`: a data source's pages, straight from Notion.
    let source = ws.source(DatabaseKey::ActiveWorkflowInstances);
    let queried = hsn(ws, &["query", &source]).await;
    let bytes = succeeded("query", &queried);
    problems.inert("query", &bytes, "\\u202etxt.exe");
    let pages = json_lines(&bytes);
    match pages.iter().find(|p| p["id"] == h.instance_page.as_str()) {
        Some(page) => problems.equal(
            "query Instance ID",
            &page["properties"]["Instance ID"],
            &h.instance_id,
        ),
        None => panic!("query does not list the hostile instance: {pages:?}"),
    }

    // `hsn advance INSTANCE`: where it can go, states and workflow from Notion.
    let moves = hsn(ws, &["advance", &h.instance_page]).await;
    problems.inert(
        "advance (moves)",
        &succeeded("advance (moves)", &moves),
        "it can move to: next\u{FFFD}]52",
    );

    // Error lines: a refused move names the state and the actor Notion holds, on one line.
    let conflict = hsn(
        ws,
        &[
            "advance",
            &h.instance_page,
            "completed",
            "--from",
            "somewhere",
        ],
    )
    .await;
    assert!(!conflict.status.success(), "a stale --from is refused");
    problems.inert(
        "advance conflict (stderr)",
        &conflict.stderr,
        "(moved by mallory\u{FFFD}]52",
    );
    if conflict.stderr.iter().filter(|b| **b == b'\n').count() != 1 {
        problems.0.push(format!(
            "advance conflict: not one line: {:?}",
            String::from_utf8_lossy(&conflict.stderr)
        ));
    }
    let unknown = hsn(ws, &["advance", &h.instance_page, "nowhere"]).await;
    assert!(!unknown.status.success(), "an unknown state is refused");
    problems.inert(
        "advance to an unknown state (stderr)",
        &unknown.stderr,
        "new\u{FFFD}]52;c;aGk=",
    );

    // `hsn advance INSTANCE STATE`: the move it made, states from Notion.
    let moved = hsn(ws, &["advance", &h.instance_page, &h.second_state]).await;
    problems.inert(
        "advance",
        &succeeded("advance", &moved),
        "INST-EVIL\u{FFFD}]52;c;aGk=",
    );

    // `hsn history --json`: the entries exactly as Notion holds them.
    let history = hsn(ws, &["history", &h.instance_page, "--json"]).await;
    let bytes = succeeded("history --json", &history);
    problems.inert("history --json", &bytes, "mallory\\u001b]52");
    let entries = json_lines(&bytes);
    assert_eq!(entries.len(), 2, "{entries:?}");
    problems.equal("history actor", &entries[0]["actor"], &actor());
    problems.equal("history note", &entries[0]["note"], &note());
    problems.equal("history from", &entries[1]["from"], &h.first_state);
    problems.equal("history to", &entries[1]["to"], &h.second_state);

    // `hsn task set`: the task's ID and assignee come back from the store.
    let set = hsn(ws, &["task", "set", &h.task_page, "--status", "done"]).await;
    problems.inert(
        "task set",
        &succeeded("task set", &set),
        "TASK-EVIL\u{FFFD}]52;c;aGk=\u{FFFD}\u{FFFD}[2J\u{FFFD}31m\u{FFFD}0;pwned\u{FFFD}\u{FFFD}\u{FFFD}txt.exe: Done · High · who\u{FFFD}]52",
    );
    let task = hsn(ws, &["show", &h.task_page, "--json"]).await;
    let bytes = succeeded("show TASK --json", &task);
    problems.inert("show TASK --json", &bytes, "call\\u001b]52");
    let value: Value = serde_json::from_slice(&bytes).unwrap();
    problems.equal("task Task ID", &value["properties"]["Task ID"], &h.task_id);
    problems.equal(
        "task Task Name",
        &value["properties"]["Task Name"],
        &hostile("call"),
    );
    problems.equal(
        "task Assigned To",
        &value["properties"]["Assigned To"],
        &hostile("who"),
    );

    // `hsn overview`: the latest history entries, by actor.
    let overview = hsn(ws, &["overview"]).await;
    problems.inert(
        "overview",
        &succeeded("overview", &overview),
        "mallory\u{FFFD}]52",
    );
    let overview = hsn(ws, &["overview", "--json"]).await;
    let bytes = succeeded("overview --json", &overview);
    problems.inert("overview --json", &bytes, "mallory\\u001b]52");
    let value: Value = serde_json::from_slice(&bytes).unwrap();
    let actors: Vec<&Value> = value["recent"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["actor"])
        .collect();
    if !actors.iter().any(|a| a.as_str() == Some(&actor())) {
        problems.0.push(format!(
            "overview --json: no actor {:?} in {actors:?}",
            actor()
        ));
    }

    problems.check();
}

fn json_lines(bytes: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(bytes)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Runs `hsn ARGS` in a pseudo-terminal (so tables, not JSON lines) and returns what it
/// wrote, stdout and stderr together.
async fn in_terminal(ws: &support::Workspace, args: &[&str]) -> Vec<u8> {
    let command = support::terminal::hsn_command(ws, args);
    let shown = args.join(" ");
    // Blocking: off the runtime, which serves the fake Notion meanwhile.
    let (succeeded, bytes) =
        tokio::task::spawn_blocking(move || support::terminal::run_in_terminal(command))
            .await
            .unwrap();
    assert!(
        succeeded,
        "hsn {shown} failed in a terminal: {}",
        String::from_utf8_lossy(&bytes)
    );
    bytes
}

#[tokio::test]
async fn tables_in_a_terminal_are_inert() {
    let h = hostile_workspace().await;
    let mut problems = Problems::default();

    let instances = in_terminal(&h.ws, &["list", "instances"]).await;
    problems.inert("list instances", &instances, "INST-EVIL\u{FFFD}]52;c;aGk=");
    let tasks = in_terminal(&h.ws, &["list", "tasks"]).await;
    problems.inert("list tasks", &tasks, "call\u{FFFD}]52;c;aGk=");
    let history = in_terminal(&h.ws, &["history", &h.instance_page]).await;
    problems.inert("history", &history, "mallory\u{FFFD}]52;c;aGk=");
    let shown = in_terminal(&h.ws, &["show", &h.task_page]).await;
    problems.inert("show TASK", &shown, "who\u{FFFD}]52;c;aGk=");
    let moves = in_terminal(&h.ws, &["advance", &h.instance_page]).await;
    problems.inert("advance (moves)", &moves, "is in \"new\u{FFFD}]52");

    problems.check();
}
