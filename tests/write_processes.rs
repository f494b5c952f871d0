//! The write path across real `hsn` processes: several of them on one store, and
//! `--readonly` in every form refusing every change of every command.

mod support;

use std::process::Output;
use std::time::Duration;

use fake_notion::Fault;
use hsn::domain::schema::DatabaseKey;
use serde_json::Value;

async fn run(command: &mut tokio::process::Command) -> Output {
    command.output().await.unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The Master Tasks pages named `name` in Notion.
fn tasks_named(ws: &support::Workspace, name: &str) -> Vec<Value> {
    ws.fake
        .pages_in(&ws.source(DatabaseKey::Tasks))
        .into_iter()
        .filter(|p| p["properties"]["Task Name"]["rich_text"][0]["plain_text"] == name)
        .collect()
}

/// Requests that change something in Notion, since request `from`.
fn writes_since(ws: &support::Workspace, from: usize) -> Vec<String> {
    ws.fake.requests()[from..]
        .iter()
        .filter(|r| r.method != "GET" && !r.path.ends_with("/query"))
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

/// Two processes opening a new store at the same moment both work (each migration is
/// applied once).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn processes_opening_a_new_store_together_both_work() {
    let ws = support::workspace().await;
    let data = ws.dir.path().join("fresh");
    let mut runs = Vec::new();
    for _ in 0..4 {
        let mut command = ws.hsn(&data);
        command.args(["list", "instances"]);
        runs.push(tokio::spawn(async move { command.output().await.unwrap() }));
    }
    for run in runs {
        let output = run.await.unwrap();
        assert!(output.status.success(), "{}", text(&output.stderr));
    }
}

/// Case 4: `hsn task new` is sending its create (Notion slow to answer) when a cron
/// `hsn sync` on the same store drains. The row is leased by the first process: the second
/// leaves it alone. Before, it saw a write "tried before", looked its Task ID up, found
/// nothing yet, and created the task a second time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_one_store_create_a_task_once() {
    let ws = support::workspace().await;
    let data = ws.dir.path().join("shared");
    let before = ws.fake.requests().len();
    ws.fake.push_fault_for(
        "POST",
        "/v1/pages",
        Fault::Delay(Duration::from_millis(2500)),
    );
    let creating = ws
        .hsn(&data)
        .args([
            "task",
            "new",
            "--instance",
            "INST-0001",
            "--name",
            "Call Jane",
        ])
        .env("HSN_OPERATOR", "alice")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until its create is in Notion's hands.
    let started = std::time::Instant::now();
    while !ws.fake.requests()[before..]
        .iter()
        .any(|r| r.method == "POST" && r.path == "/v1/pages")
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no create sent"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let cron = run(ws.hsn(&data).arg("sync").env("HSN_OPERATOR", "alice")).await;
    assert!(
        cron.status.success(),
        "{}{}",
        text(&cron.stdout),
        text(&cron.stderr)
    );
    let created = creating.wait_with_output().await.unwrap();
    assert!(created.status.success(), "{}", text(&created.stderr));
    assert_eq!(
        tasks_named(&ws, "Call Jane").len(),
        1,
        "created once; sync said: {}",
        text(&cron.stdout)
    );
    let outbox = run(ws.hsn(&data).args(["outbox", "--json"])).await;
    assert_eq!(text(&outbox.stdout), "", "nothing left queued");
}

/// Case 9: `--readonly`, `HSN_READONLY=1` and `readonly = true` in the config file each
/// refuse every change of every command: exit 2, a clear message, nothing queued, nothing
/// sent. A read-only `hsn sync` sends nothing queued before either.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_in_any_form_refuses_every_change() {
    let ws = support::workspace().await;
    let data = ws.dir.path().join("data");
    let config = ws.dir.path().join("config.toml");
    std::fs::write(&config, "# the operator's settings\nreadonly = true\n").unwrap();
    // Something for `task set` to change, and a write queued while Notion was down.
    let made = run(ws.hsn(&data).args([
        "task",
        "new",
        "--instance",
        "INST-0001",
        "--name",
        "Call Jane",
    ]))
    .await;
    let task_id = text(&made.stdout).trim().to_string();
    assert!(task_id.starts_with("TASK-"), "{}", text(&made.stderr));
    ws.fake.set_down(true);
    let queued = run(ws
        .hsn(&data)
        .args(["task", "set", &task_id, "--status", "Done"]))
    .await;
    assert!(
        text(&queued.stderr).contains("queued"),
        "{}",
        text(&queued.stderr)
    );
    ws.fake.set_down(false);

    let before = ws.fake.requests().len();
    let changes: [&[&str]; 6] = [
        &["advance", "INST-0001", "consultation"],
        &["task", "new", "--instance", "INST-0001", "--name", "Again"],
        &["task", "set", &task_id, "--priority", "High"],
        &["outbox", "drop", "1", "--yes"],
        &["outbox", "retry", "2"],
        &["setup", "--parent", "00000000000000000000000000000001"],
    ];
    for args in changes {
        let ways: [(&str, Option<(&str, &str)>); 3] = [
            ("flag", None),
            ("environment", Some(("HSN_READONLY", "1"))),
            (
                "config file",
                Some(("HSN_CONFIG", config.to_str().unwrap())),
            ),
        ];
        for (way, setting) in ways {
            let mut command = ws.hsn(&data);
            if setting.is_none() {
                command.arg("--readonly");
            }
            command.args(args);
            if let Some((key, value)) = setting {
                command.env(key, value);
            }
            let refused = run(&mut command).await;
            assert_eq!(
                refused.status.code(),
                Some(2),
                "{args:?} by {way}: {}",
                text(&refused.stderr)
            );
            assert!(
                text(&refused.stderr).starts_with("hsn: read-only"),
                "{}",
                text(&refused.stderr)
            );
        }
    }
    let sync = run(ws.hsn(&data).args(["--readonly", "sync"])).await;
    assert!(sync.status.success(), "{}", text(&sync.stderr));
    assert!(
        text(&sync.stdout).contains("1 queued, none sent (read-only)"),
        "{}",
        text(&sync.stdout)
    );
    assert_eq!(
        writes_since(&ws, before),
        Vec::<String>::new(),
        "nothing sent"
    );
    let outbox = run(ws.hsn(&data).args(["outbox", "--json"])).await;
    let queued: Vec<Value> = text(&outbox.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(queued.len(), 1, "only the write queued before");
    assert_eq!(queued[0]["op"], "edit_task");
    // Reading stays allowed.
    let listing = run(ws.hsn(&data).args(["--readonly", "advance", "INST-0001"])).await;
    assert!(listing.status.success(), "{}", text(&listing.stderr));
}

/// `hsn outbox` lists what waits, with its attempts and last error; `drop` asks first and
/// restores Notion's copy; `retry` sends it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_outbox_command_lists_retries_and_drops_queued_writes() {
    let ws = support::workspace().await;
    let data = ws.dir.path().join("data");
    run(ws.hsn(&data).arg("sync")).await;
    ws.fake.set_down(true);
    let first = run(ws.hsn(&data).args(["advance", "INST-0001", "consultation"])).await;
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert!(text(&first.stderr).contains("queued, not sent yet"));
    let listed = text(&run(ws.hsn(&data).arg("outbox")).await.stdout);
    assert!(
        listed.contains("INST-0001: inquiry → consultation")
            && listed.contains("1 attempt")
            && listed.contains("the connection to Notion failed"),
        "{listed}"
    );
    // No terminal to ask on, and no --yes: kept.
    let asked = run(ws.hsn(&data).args(["outbox", "drop", "1"])).await;
    assert!(!asked.status.success());
    assert!(
        text(&asked.stderr).contains("--yes"),
        "{}",
        text(&asked.stderr)
    );
    ws.fake.set_down(false);
    let retried = run(ws.hsn(&data).args(["outbox", "retry", "1"])).await;
    assert!(retried.status.success(), "{}", text(&retried.stderr));
    let live = ws.client.retrieve_page(&ws.instance).await.unwrap();
    assert_eq!(
        hsn::domain::models::WorkflowInstance::from_page(&live).current_state,
        "consultation"
    );

    ws.fake.set_down(true);
    run(ws.hsn(&data).args(["advance", "INST-0001", "completed"])).await;
    ws.fake.set_down(false);
    let dropped = run(ws.hsn(&data).args(["outbox", "drop", "2", "--yes"])).await;
    assert!(dropped.status.success(), "{}", text(&dropped.stderr));
    let shown = run(ws.hsn(&data).args(["show", "INST-0001"])).await;
    assert!(
        text(&shown.stdout).contains("consultation"),
        "Notion's copy again: {}",
        text(&shown.stdout)
    );
    assert_eq!(
        text(&run(ws.hsn(&data).args(["outbox", "--json"])).await.stdout),
        ""
    );
}
