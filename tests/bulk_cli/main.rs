//! Changes of several records from the shell, as a real process against the fake Notion:
//! `hsn task set ID... ` and `hsn advance ID... --to STATE`, ids from arguments or from a
//! pipe (`-`), the question (`--yes`, or asked on the terminal), `--dry-run`, and the exit
//! status per outcome.

#[path = "../support/mod.rs"]
mod support;

mod commands;
mod terminal;

use std::process::{Output, Stdio};

use hsn::domain::schema::DatabaseKey;
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;

/// `hsn args` against the workspace, in a session of its own: it has no terminal to ask
/// on, even when the tests run in one. `stdin` is piped in (empty when `None`).
pub(crate) async fn hsn(ws: &support::Workspace, args: &[&str], stdin: Option<&str>) -> Output {
    let command = ws.hsn(&ws.dir.path().join("data"));
    let std = command.as_std();
    // `setsid` runs it without a controlling terminal (/dev/tty cannot be opened), and
    // `--wait` passes its exit status on.
    let mut detached = tokio::process::Command::new("setsid");
    detached.arg("--wait").arg(std.get_program()).env_clear();
    for (key, value) in std.get_envs() {
        if let Some(value) = value {
            detached.env(key, value);
        }
    }
    if let Some(dir) = std.get_current_dir() {
        detached.current_dir(dir);
    }
    let mut child = detached
        .args(args)
        .env("HSN_OPERATOR", "grace")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input
        .write_all(stdin.unwrap_or_default().as_bytes())
        .await
        .unwrap();
    drop(input);
    child.wait_with_output().await.unwrap()
}

pub(crate) fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

pub(crate) fn rich_text(content: &str) -> Value {
    json!([{"text": {"content": content}}])
}

/// `n` tasks `TASK-0001`… assigned to Grace, To Do; their page ids in order.
pub(crate) fn add_tasks(ws: &support::Workspace, n: usize) -> Vec<String> {
    (1..=n)
        .map(|i| {
            ws.fake.insert_page(
                &ws.source(DatabaseKey::Tasks),
                json!({
                    "Task ID": {"title": rich_text(&format!("TASK-{i:04}"))},
                    "Task Name": {"rich_text": rich_text(&format!("Call lead {i}"))},
                    "Assigned To": {"rich_text": rich_text("Grace")},
                    "Status": {"select": {"name": "To Do"}},
                    "Priority": {"select": {"name": "Medium"}},
                }),
            )
        })
        .collect()
}

/// A task's column as Notion holds it (text or select), by page id.
pub(crate) fn notion_value(ws: &support::Workspace, page: &str, column: &str) -> String {
    let page = ws.fake.page(page).unwrap();
    let value = &page["properties"][column];
    value["rich_text"][0]["plain_text"]
        .as_str()
        .or(value["select"]["name"].as_str())
        .unwrap_or_default()
        .to_string()
}

pub(crate) fn patches(ws: &support::Workspace) -> usize {
    ws.fake
        .requests()
        .iter()
        .filter(|r| r.method == "PATCH")
        .count()
}
